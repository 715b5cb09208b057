"""Every PDF is tagged and accessible (PDF/UA-1 by default, PDF/A-2a on request), read back
as a publications officer checking a file before it goes out."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import SAMPLE, run
from taggedpdf import read

from generator import typeset


def sample_pdfs(out: Path) -> list[Path]:
    return sorted(out.rglob("*.pdf"))


def expected_title(out: Path, pdf: Path) -> str:
    """Return the title a reader should see: the brief's (or pack's) title and subtitle,
    with curly quotes as on the page."""
    relative = pdf.relative_to(out)
    kind = "packs" if relative.parts[0] == "packs" else "briefs"
    name = relative.stem if kind == "packs" else relative.parts[0]
    data = yaml.safe_load((SAMPLE / kind / f"{name}.yaml").read_text())
    from generator.markdown import typographic

    return typographic(data["title"]) + (f": {typographic(data['subtitle'])}"
                                         if data.get("subtitle") else "")


def html_lang(pdf: Path) -> str:
    """Return the language the same document's HTML page declares."""
    page = pdf.with_suffix(".html").read_text()
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def words(text: str) -> str:
    """Return text as a reader hears it: CSS may print a heading in capitals."""
    return " ".join(text.split()).casefold()


@pytest.fixture(scope="module")
def pdfs(built_sample):
    found = sample_pdfs(built_sample)
    assert len(found) == 7  # 6 brief PDFs and the pack
    return [(path, read(path)) for path in found]


def test_every_pdf_is_marked_tagged_and_declares_pdf_ua(pdfs):
    for path, tagged in pdfs:
        root = tagged.pdf.Root
        assert root.MarkInfo.Marked is True, path
        assert tagged.root is not None and tagged.root.tag == "Document", path
        assert root.ViewerPreferences.DisplayDocTitle is True, path
        assert 'pdfuaid:part="1"' in tagged.xmp(), path
        assert str(tagged.pdf.pdf_version) == "1.7", path


def test_language_and_title_match_the_document(pdfs, built_sample):
    for path, tagged in pdfs:
        assert str(tagged.pdf.Root.Lang) == html_lang(path) == "en", path
        title = expected_title(built_sample, path)
        assert str(tagged.pdf.docinfo.Title) == title, path
        with tagged.pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == title, path


def test_structure_tree_reads_as_the_document(pdfs, built_sample):
    for path, tagged in pdfs:
        tags = {element.tag for element in tagged.root.walk()}
        assert {"H1", "H2", "P"} <= tags, (path, tags)
        title = expected_title(built_sample, path).split(":")[0]
        assert words(tagged.headings[0][1]) == words(title), (path, tagged.headings[0])
        # The body's text is in the tree: a paragraph of the sample is found whole.
        body = words(" ".join(e.text for e in tagged.root.walk() if e.tag == "P"))
        assert "breakwater" in body.lower(), path


def test_every_heading_has_a_bookmark_with_its_text(pdfs):
    for path, tagged in pdfs:
        headings = [words(text) for _, text in tagged.headings]
        assert headings and headings == [words(t) for t in tagged.outline_titles()], path


def test_heading_levels_never_skip_one(pdfs):
    for path, tagged in pdfs:
        levels = [int(tag[1]) for tag, _ in tagged.headings]
        assert levels[0] == 1, path
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (path, levels)


def test_every_figure_has_alt_text(pdfs):
    figures = [(path, e) for path, tagged in pdfs for e in tagged.root.walk() if e.tag == "Figure"]
    assert figures, "the sample shows a picture; it must be tagged as a Figure"
    for path, figure in figures:
        assert figure.alt and figure.alt.strip(), path
    assert any(f.alt == "Cross-section of the breakwater" for _, f in figures)


def test_running_headers_page_numbers_and_banners_are_artifacts(pdfs):
    for path, tagged in pdfs:
        assert tagged.orphan_mcids == [], path  # every tagged piece of text is in the tree
        assert tagged.unmarked_text == "", path  # and nothing is neither tagged nor artifact
        pages = len(tagged.pdf.pages)
        assert f"Page {pages} of {pages}" in tagged.artifact_text, path
        content = " ".join(e.text for e in tagged.root.walk() if not e.children)
        assert not re.search(r"Page \d+ of \d+", content), path


def test_marking_banner_is_an_artifact_not_read_on_every_page(built_sample):
    tagged = read(built_sample / "harbor-memo" / "staff-full.pdf")
    marking = " ".join(str(tagged.pdf.docinfo.get("/marking", "")).split())
    assert marking, "the staff audience's outputs carry a marking"
    assert tagged.artifact_text.count(marking) >= len(tagged.pdf.pages) * 2  # top and bottom
    content = " ".join(tagged.root.text.split())  # the whole tree's text, once
    assert content.count(marking) <= 1  # at most once, where the document states it


def test_fonts_are_embedded(pdfs):
    for path, tagged in pdfs:
        assert tagged.unembedded_fonts() == [], path


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by setup.sh --test")
def test_qpdf_finds_no_structural_error(pdfs):
    for path, _ in pdfs:
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, (path, check.stdout, check.stderr)


def test_the_checks_can_fail_untreated_furniture_is_caught(built_sample, tmp_path):
    """Without the finisher, WeasyPrint leaves margin text tagged but out of the tree."""
    from generator.fitting import layout_plan
    from generator.pipeline import Project, Target, plan_for, load_project
    from conftest import TEMPLATES

    project = Project(SAMPLE, TEMPLATES)
    content = load_project(project)
    laid_out, _ = layout_plan(project, content,
                              plan_for(content, Target("harbor-memo", "staff", "full", "pdf")))
    raw = tmp_path / "raw.pdf"
    raw.write_bytes(laid_out.document.write_pdf(pdf_variant="pdf/ua-1"))
    tagged = read(raw)
    assert tagged.orphan_mcids
    assert "Page 1 of" not in tagged.artifact_text


def test_a_layout_is_written_once():
    from generator.fitting import layout_plan
    from generator.pipeline import Project, Target, plan_for, load_project
    from conftest import TEMPLATES

    project = Project(SAMPLE, TEMPLATES)
    content = load_project(project)
    laid_out, _ = layout_plan(project, content,
                              plan_for(content, Target("harbor-memo", "staff", "one-page", "pdf")))
    typeset.write_pdf(laid_out, "ua")
    with pytest.raises(RuntimeError, match="already written"):
        typeset.write_pdf(laid_out, "a")


@pytest.fixture(scope="module")
def archival(tmp_path_factory):
    out = tmp_path_factory.mktemp("archival") / "output"
    result = run(CliRunner(), SAMPLE, "build", "harbor-memo", "-l", "one-page", "-f", "pdf",
                 "--pdf-variant", "a", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_pdf_a_variant_declares_pdf_a_and_embeds_an_output_intent(archival):
    pdfs = sample_pdfs(archival)
    assert pdfs
    for path in pdfs:
        tagged = read(path)
        xmp = tagged.xmp()
        assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp, path
        assert "pdfuaid" not in xmp  # one identification per file: it claims PDF/A only
        intent = tagged.pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and "/DestOutputProfile" in intent, path
        assert "/ID" in tagged.pdf.trailer, path  # PDF/A requires a file identifier
        # Still accessible: tagged, with furniture as artifacts and alt text.
        assert tagged.pdf.Root.MarkInfo.Marked is True
        assert tagged.orphan_mcids == [] and tagged.unmarked_text == ""
        assert tagged.unembedded_fonts() == []
        if shutil.which("qpdf"):
            assert subprocess.run(["qpdf", "--check", str(path)],
                                  capture_output=True).returncode == 0


def test_variant_is_recorded_and_changing_it_rebuilds_only_pdfs(archival, runner):
    records = json.loads((archival / "manifest.json").read_text())["outputs"]
    assert {r["pdf_variant"] for r in records} == {"pdf/a-2a"}
    again = run(runner, SAMPLE, "build", "harbor-memo", "-l", "one-page", "--pdf-variant", "a",
                "-o", str(archival))
    assert again.exit_code == 0
    assert re.search(r"up to date\s+2", again.output), again.output  # the PDFs (HTML is new)
    switched = run(runner, SAMPLE, "build", "harbor-memo", "-l", "one-page", "-o", str(archival))
    assert re.search(r"built\s+2", switched.output) and re.search(r"up to date\s+2",
                                                                  switched.output), switched.output
    manifest = json.loads((archival / "manifest.json").read_text())
    records = {r["path"]: r for r in manifest["outputs"]}
    assert {r["pdf_variant"] for r in records.values() if r["format"] == "pdf"} == {"pdf/ua-1"}
    assert all(r["pdf_variant"] == "" for r in records.values() if r["format"] == "html")


def test_unknown_variant_is_a_usage_error_listing_the_choices(runner):
    result = run(runner, SAMPLE, "build", "--pdf-variant", "pdfa")
    assert result.exit_code == 2
    assert "'ua', 'a'" in result.stderr
