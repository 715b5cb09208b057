"""Word output: the .docx read back with python-docx and its XML parts says what the PDF
says (headings, notes, tables, banner, properties), is the same bytes on every build, and a
pack is one document with a contents field and a section per brief."""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_SECTION
from docx.shared import Inches
from pypdf import PdfReader

from conftest import ROOT, SAMPLE, run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TABLE = """

| Option | Cost a year | Saving |
|---|---|---|
| Share with the port | 1 million dollars | half |
| Automate the light | 0.4 million dollars | 80% |
"""
MEMO = "harbor-memo/staff-full"


@pytest.fixture(scope="module")
def word_build(tmp_path_factory) -> Path:
    """The sample, with a table in a topic, built once as PDF, HTML and Word (brief and
    pack), with the print HTML the PDF was laid out from."""
    root = tmp_path_factory.mktemp("word")
    content = root / "content"
    shutil.copytree(SAMPLE, content)
    with (content / "topics" / "lighthouse-costs.md").open("a") as topic:
        topic.write(TABLE)
    out = root / "output"
    runner = CliRunner()
    result = run(runner, content, "build", "harbor-memo", "-a", "staff", "-l", "full",
                 "-f", "pdf", "-f", "html", "-f", "docx", "--emit-print-html", "-o", str(out))
    assert result.exit_code == 0, result.output
    result = run(runner, content, "pack", "council-pack", "-f", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()


def text_of(markup: str) -> str:
    """Return the words of some HTML or Word XML, spaced as a reader sees them."""
    plain = htmllib.unescape(re.sub(r"<[^>]+>", "", markup))
    return " ".join(plain.split())


class FootnoteTexts(HTMLParser):
    """Collect the text of every <span class="footnote"> (the PDF's notes), nested tags and
    all."""

    def __init__(self):
        super().__init__()
        self.notes: list[str] = []
        self.depth = 0  # spans open inside the current note, itself included

    def handle_starttag(self, tag, attrs):
        if tag != "span":
            return
        if self.depth:
            self.depth += 1
        elif ("class", "footnote") in attrs:
            self.depth = 1
            self.notes.append("")

    def handle_endtag(self, tag):
        if tag == "span" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.notes[-1] += data


def print_notes(out: Path) -> list[str]:
    """Return the text of every note of the PDF, from the HTML it was laid out from."""
    parser = FootnoteTexts()
    parser.feed((out / f"{MEMO}.print.html").read_text())
    return [" ".join(note.split()) for note in parser.notes]


def word_notes(path: Path) -> list[str]:
    """Return the text of every numbered footnote in the Word file's footnote part."""
    xml = part(path, "word/footnotes.xml")
    notes = re.findall(r'<w:footnote(?: [^>]*)? w:id="(\d+)"[^>]*>(.*?)</w:footnote>', xml,
                       re.DOTALL)
    return [text_of(body) for number, body in notes if int(number) > 0]


def test_headings_take_the_title_and_heading_styles_at_the_pdfs_levels(word_build):
    document = docx.Document(word_build / f"{MEMO}.docx")
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name == "Title" or p.style.name.startswith("Heading")]
    html = (word_build / f"{MEMO}.print.html").read_text()
    expected = [("Title" if level == "1" else f"Heading {int(level) - 1}", text_of(inner))
                for level, inner in re.findall(r"<h([1-4])\b[^>]*>(.*?)</h\1>", html, re.DOTALL)]
    assert headings == expected
    assert {"Title", "Heading 1", "Heading 2", "Heading 3"} <= {style for style, _ in headings}


def test_every_pdf_note_is_a_numbered_word_footnote_with_the_same_text(word_build):
    path = word_build / f"{MEMO}.docx"
    notes = word_notes(path)
    expected = print_notes(word_build)
    assert len(expected) >= 3
    assert notes == expected
    body = part(path, "word/document.xml")
    assert body.count("<w:footnoteReference ") == len(notes)
    # the screen page numbers the same notes as endnotes
    page = (word_build / f"{MEMO}.html").read_text()
    assert len(re.findall(r'<li id="note-\d+">', page)) == len(notes)


def test_the_bibliography_follows_with_its_own_style(word_build):
    document = docx.Document(word_build / f"{MEMO}.docx")
    entries = [p.text for p in document.paragraphs if p.style.name == "Bibliography"]
    html = (word_build / f"{MEMO}.print.html").read_text()
    assert entries == [text_of(e) for e in re.findall(r'<p class="entry">(.*?)</p>', html,
                                                       re.DOTALL)]
    assert entries


def test_a_brief_numbers_its_notes_through_and_a_pack_from_1_in_each_brief(word_build):
    memo = docx.Document(word_build / f"{MEMO}.docx")
    assert all(s._sectPr.find(f"{W}footnotePr") is None for s in memo.sections)
    pack = docx.Document(word_build / "packs" / "council-pack.docx")
    for section in pack.sections:
        restart = section._sectPr.find(f"{W}footnotePr/{W}numRestart")
        assert restart is not None and restart.get(f"{W}val") == "eachSect"


def test_a_markdown_table_is_a_word_table_with_its_cells(word_build):
    document = docx.Document(word_build / f"{MEMO}.docx")
    cells = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert cells == [["Option", "Cost a year", "Saving"],
                     ["Share with the port", "1 million dollars", "half"],
                     ["Automate the light", "0.4 million dollars", "80%"]]


def test_numbered_lists_and_quotes_take_word_styles(word_build):
    document = docx.Document(word_build / f"{MEMO}.docx")
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert "Automate the light." in numbered


def test_the_banner_is_in_the_header_and_footer_of_every_section(word_build):
    manifest = json.loads((word_build / "manifest.json").read_text())["outputs"]
    marking = {r["path"]: r["plan"].get("marking") for r in manifest}["packs/council-pack.docx"]
    html = (word_build / f"{MEMO}.print.html").read_text()
    memo_marking = htmllib.unescape(re.search(r'<meta name="marking" content="([^"]*)"',
                                              html).group(1))
    for path, banner in ((f"{MEMO}.docx", memo_marking), ("packs/council-pack.docx", marking)):
        document = docx.Document(word_build / path)
        assert banner
        for section in document.sections:
            assert [p.text for p in section.header.paragraphs] == [banner]
            assert [p.text for p in section.footer.paragraphs] == [banner]


def test_the_core_properties_are_the_pdfs(word_build):
    properties = docx.Document(word_build / f"{MEMO}.docx").core_properties
    assert properties.title == "Fixing the Harbor: Options for the breakwater and the light"
    assert properties.author == "Jane Analyst"
    assert properties.subject == "Options for the breakwater and the light: Full paper for " \
                                 "Committee staff"
    assert properties.language == "en"
    assert properties.keywords == "policy-memo, staff, full"
    assert properties.created.date().isoformat() == "2021-01-07"


def test_the_page_is_the_settings_paper_with_the_print_margins(word_build):
    section = docx.Document(word_build / f"{MEMO}.docx").sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert section.left_margin == section.right_margin == section.top_margin == Inches(0.9)


def test_a_pack_is_one_document_with_a_contents_field_and_a_section_per_brief(word_build):
    path = word_build / "packs" / "council-pack.docx"
    document = docx.Document(path)
    body = part(path, "word/document.xml")
    assert re.search(r"<w:instrText[^>]*>\s*TOC \\o", body)
    assert 'w:fldCharType="begin" w:dirty="true"' in body  # Word fills in the page numbers
    pack = (SAMPLE / "packs" / "council-pack.yaml").read_text()
    parts = len(re.findall(r"^\s*- brief:", pack, re.MULTILINE))
    assert len(document.sections) == parts + 1  # the cover and contents, then each brief
    assert all(s.start_type in (WD_SECTION.NEW_PAGE, WD_SECTION.ODD_PAGE)
               for s in document.sections[1:])
    titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(titles) == parts
    contents = document.element.body.find(f"{W}sdt")  # the field sits in a content control
    entries = ["".join(t.text for t in p.iter(f"{W}t")) for p in contents.iter(f"{W}p")
               if p.find(f"{W}pPr/{W}pStyle") is not None
               and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "TOC1"]
    assert entries == titles  # readable before Word updates the field


def test_two_builds_give_identical_bytes_with_sorted_entries_and_fixed_times(tmp_path):
    digests = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run(CliRunner(), SAMPLE, "build", "harbor-memo", "-a", "public", "-f", "docx",
                     "-o", str(out))
        assert result.exit_code == 0, result.output
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted((out / "harbor-memo").glob("*.docx"))})
    assert digests[0] == digests[1] and len(digests[0]) == 2
    with zipfile.ZipFile(tmp_path / "a" / "harbor-memo" / "public-full.docx") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(2021, 1, 7, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2021-01-07T00:00:00Z" in core


def test_source_date_epoch_sets_the_build_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "out"
    run(CliRunner(), SAMPLE, "build", "harbor-memo", "-a", "public", "-l", "one-page",
        "-f", "docx", "-o", str(out))
    with zipfile.ZipFile(out / "harbor-memo" / "public-one-page.docx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert "2023-11-14T22:13:20Z" in archive.read("docProps/core.xml").decode()


def test_the_docx_is_in_the_manifest_and_skipped_when_nothing_changed(word_build, tmp_path):
    records = {r["path"]: r for r in json.loads((word_build / "manifest.json").read_text())
               ["outputs"]}
    record = records[f"{MEMO}.docx"]
    assert record["format"] == "docx" and record["pages"] is None
    data = (word_build / f"{MEMO}.docx").read_bytes()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["plan"]["included"] == records[f"{MEMO}.pdf"]["plan"]["included"]
    out = tmp_path / "out"
    run(CliRunner(), SAMPLE, "build", "harbor-memo", "-a", "staff", "-l", "one-page",
        "-f", "docx", "-o", str(out))
    again = run(CliRunner(), SAMPLE, "build", "harbor-memo", "-a", "staff", "-l", "one-page",
                "-f", "docx", "-o", str(out))
    assert re.search(r"^built +0\b", again.stdout, re.MULTILINE)
    assert re.search(r"^up to date +1\b", again.stdout, re.MULTILINE)


def test_a_budgeted_docx_carries_the_fitted_selection_of_its_pdf(tmp_path):
    out = tmp_path / "out"
    result = run(CliRunner(), SAMPLE, "build", "harbor-memo", "-a", "staff", "-l", "one-page",
                 "-f", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    alone = {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}
    both = tmp_path / "both"
    run(CliRunner(), SAMPLE, "build", "harbor-memo", "-a", "staff", "-l", "one-page",
        "-f", "pdf", "-o", str(both))
    with_pdf = {r["path"]: r for r in json.loads((both / "manifest.json").read_text())["outputs"]}
    docx_plan = alone["harbor-memo/staff-one-page.docx"]["plan"]
    pdf_plan = with_pdf["harbor-memo/staff-one-page.pdf"]["plan"]
    for key in ("included", "recommendations", "cut"):
        assert docx_plan[key] == pdf_plan[key]


def test_charts_are_png_images_with_their_alt_text(tmp_path):
    out = tmp_path / "out"
    result = run(CliRunner(), ROOT / "content", "build", "trilateral-alliance", "-a",
                 "press-public", "-l", "full", "-f", "docx", "-o", str(out))
    assert result.exit_code == 0, result.output
    path = out / "trilateral-alliance" / "press-public-full.docx"
    body = part(path, "word/document.xml")
    described = re.findall(r'<wp:docPr [^>]*descr="([^"]+)"', body)
    assert any(d.startswith("Bar chart comparing U.S. military personnel") for d in described)
    with zipfile.ZipFile(path) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert pictures and all(archive.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in pictures)
    captions = [p.text for p in docx.Document(path).paragraphs if p.style.name == "Caption"]
    assert captions and captions[0].startswith("Figure 1.")


def test_pictures_are_inlined_from_the_content_folder_only(word_build, tmp_path):
    from generator.wordfile import image_data

    with zipfile.ZipFile(word_build / "harbor-memo" / "staff-full.docx") as archive:
        assert any(name.endswith(".svg") for name in archive.namelist())  # breakwater.svg
        body = archive.read("word/document.xml").decode()
    assert 'descr="Cross-section of the breakwater"' in body
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    (root / "images" / "ok.png").write_bytes(secret.read_bytes())
    (root / "images" / "link.png").symlink_to(secret)
    assert image_data(root, "images/ok.png").startswith("data:image/png;base64,")
    for src in ("../secret.png", str(secret), "images/link.png", "https://example.org/x.png",
                "images/missing.png"):
        assert image_data(root, src) is None, src


def test_light_commands_do_not_import_pandoc_or_python_docx():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from generator.cli import main\n"
        f"for args in (['--help'], ['build', '--help'], ['--content', {str(SAMPLE)!r}, 'list'],"
        f" ['--content', {str(SAMPLE)!r}, 'check']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "assert not {'pypandoc', 'docx'} & set(sys.modules), 'a Word library was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_docx_to_pdf_without_errors(word_build, tmp_path):
    for path in (word_build / f"{MEMO}.docx", word_build / "packs" / "council-pack.docx"):
        done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                               "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                               str(path)], capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr
        converted = tmp_path / f"{path.stem}.pdf"
        assert converted.is_file() and converted.stat().st_size > 1000, done.stdout + done.stderr
        assert "Error" not in done.stderr
    # LibreOffice numbers the memo's notes as Word does: 1, 2, 3 ... through the document
    converted = PdfReader(tmp_path / f"{Path(MEMO).name}.pdf")
    text = "\n".join(page.extract_text() for page in converted.pages)
    numbers = [int(n) for n in re.findall(r"^(\d+) \S", text, re.MULTILINE)]
    assert numbers == list(range(1, len(print_notes(word_build)) + 1))
