"""Build the sample project and check what a reader would: the PDFs and HTML pages."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SAMPLE, run
from pypdf import PdfReader

EXPECTED = {  # every output the sample declares: brief/audience-length
    "harbor-memo/staff-one-page", "harbor-memo/staff-full",
    "harbor-memo/public-one-page", "harbor-memo/public-full",
    "harbor-perspective/public-two-page", "harbor-perspective/public-full",
}


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def manifest(out: Path) -> dict[str, dict]:
    return {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}


def test_default_build_makes_every_declared_output_in_both_formats(built_sample):
    records = manifest(built_sample)
    expected = {f"{stem}.{fmt}" for stem in [*EXPECTED, "packs/council-pack"] for fmt in ("pdf", "html")}
    assert set(records) == expected
    for path, record in records.items():
        data = (built_sample / path).read_bytes()
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
        assert record["words"] > 50
        assert record["format"] == path.rsplit(".", 1)[1]
        if not record["pack"]:
            assert path == f"{record['brief']}/{record['audience']}-{record['length']}.{record['format']}"
        lengths = [record["length"]] if not record["pack"] else ["one-page", "two-page", "full"]
        assert {f"lengths/{length}" for length in lengths} <= record["inputs"].keys()
        assert "generator" in record["inputs"]
        assert any(name.startswith("templates/") for name in record["inputs"])
        if record["format"] == "pdf":
            assert record["pages"] == len(PdfReader(built_sample / path).pages)
            assert any(name.startswith("font-files/Source Serif 4 ") for name in record["inputs"])


def test_one_page_length_fits_on_one_page(built_sample):
    records = manifest(built_sample)
    for audience in ("staff", "public"):
        path = f"harbor-memo/{audience}-one-page.pdf"
        assert len(PdfReader(built_sample / path).pages) == 1
        assert 0 < records[path]["plan"]["last_page_fill"] <= 1


def test_policy_memo_pdf_reads_as_a_memo(built_sample):
    pages = pdf_text(built_sample / "harbor-memo/staff-full.pdf")
    text = "\n".join(pages)
    for expected in ("Fixing the Harbor", "Jane Analyst", "Office of Harbor Policy",
                     "January 7, 2021", "The harbor at a glance", "The breakwater",
                     "Recommendations", "Fund the breakwater first", "About the author",
                     "Bibliography", "UNCLASSIFIED // FOR PUBLIC RELEASE"):
        assert expected in text, expected
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_the_printed_meta_line_carries_no_web_or_internal_habits(built_sample):
    """Reading time is for the web page; the audience label is the office's, not the reader's."""
    page = (built_sample / "harbor-memo/staff-full.html").read_text()
    meta = re.search(r'<p class="meta">(.*?)</p>', page, re.S).group(1)
    assert "min read" in meta and "for " in meta
    first = pdf_text(built_sample / "harbor-memo/staff-full.pdf")[0]
    assert "min read" not in first and "Full paper for" not in first


def test_footnotes_sit_at_the_foot_of_the_page_they_are_cited_on(built_sample):
    first_page = pdf_text(built_sample / "harbor-memo/staff-full.pdf")[0]
    body, _, foot = first_page.rpartition("1. Jane Q. Doe")
    assert "tonnes of cargo" in body  # the first citation's sentence is above its note
    assert "The State of the Harbor" in foot and "2020), 3," in foot  # Chicago: the page bare
    assert "2. It replaced a timber pier lost in a 1938 storm." in first_page


def test_running_header_carries_title_and_date_after_the_first_page(built_sample):
    pages = pdf_text(built_sample / "harbor-memo/staff-full.pdf")
    assert len(pages) >= 2
    assert "Fixing the Harbor" in pages[1] and "January 7, 2021" in pages[1]


def test_pdf_metadata_and_bookmarks(built_sample):
    reader = PdfReader(built_sample / "harbor-memo/staff-full.pdf")
    info = reader.metadata
    assert info.title == "Fixing the Harbor: Options for the breakwater and the light"
    assert info.author == "Jane Analyst"
    assert "Full paper for Committee staff" in info.subject
    assert reader.trailer["/Root"]["/Lang"] == "en"
    titles = [item.title for item in _flatten(reader.outline)]
    assert titles[0] == "Fixing the Harbor"
    assert {"The harbor at a glance", "Costs and history", "Recommendations"} <= set(titles)


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_paper_size_is_set_by_content(built_sample):
    letter = PdfReader(built_sample / "harbor-memo/staff-full.pdf").pages[0].mediabox
    a4 = PdfReader(built_sample / "harbor-perspective/public-full.pdf").pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_perspective_brief_has_its_own_form(built_sample):
    text = "\n".join(pdf_text(built_sample / "harbor-perspective/public-full.pdf"))
    for expected in ("The Harbor and Its Light", "A Keeper’s Perspective", "Maritime University",
                     "March 25, 2016", "The harbor and its light grew up together",
                     "Author’s note", "Acknowledgment", "Harbor Foundation"):
        assert expected in text, expected


def test_audience_relevance_none_leaves_topic_and_its_notes_out(built_sample):
    text = "\n".join(pdf_text(built_sample / "harbor-memo/public-full.pdf"))
    assert "Paying for the Northern Light" not in text
    assert "Share the light" not in text  # its recommendation goes with it
    assert "p. 12" not in text  # and so do the topic's citations
    staff = "\n".join(pdf_text(built_sample / "harbor-memo/staff-full.pdf"))
    assert "Paying for the Northern Light" in staff


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def test_html_has_linked_endnotes_both_ways(built_sample):
    page = parse_html(built_sample / "harbor-memo/staff-full.html")
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a" and "href" in attrs]
    forward = [h for h in hrefs if h.startswith("#note-")]
    back = [h for h in hrefs if h.startswith("#ref-")]
    assert forward and back
    assert all(h[1:] in ids for h in forward + back)
    numbers = sorted({int(h.split("-")[1]) for h in forward})
    assert numbers == list(range(1, len(numbers) + 1))  # consecutive from 1


def test_html_is_self_contained(built_sample):
    for html in built_sample.rglob("*.html"):
        page = parse_html(html)
        source = html.read_text("utf-8")
        assert not [t for t, a in page.tags if t in ("script", "link", "iframe", "object")]
        assert not [a for t, a in page.tags if t == "img" and not a.get("src", "").startswith("data:")]
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", source)
        assert 'http-equiv="Content-Security-Policy"' in source


def test_html_structure(built_sample):
    page = parse_html(built_sample / "harbor-memo/staff-full.html")
    tags = [t for t, _ in page.tags]
    assert tags.count("h1") == 1 and tags.count("main") == 1
    assert ("html", {"lang": "en"}) in page.tags
    text = "".join(page.text)
    assert "Fixing the Harbor" in text and "Notes" in text and "Bibliography" in text


def test_rebuild_gives_identical_bytes(built_sample, runner, tmp_path):
    out = tmp_path / "again"
    assert run(runner, SAMPLE, "build", "harbor-memo", "-a", "staff", "-o", str(out)).exit_code == 0
    for path in ("harbor-memo/staff-full.pdf", "harbor-memo/staff-one-page.html"):
        assert (out / path).read_bytes() == (built_sample / path).read_bytes(), path


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_build_filters_by_format_audience_and_length(runner, tmp_path, fmt):
    out = tmp_path / "out"
    result = run(runner, SAMPLE, "build", "harbor-memo", "--audience", "staff", "--length",
                 "one-page", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert set(manifest(out)) == {f"harbor-memo/staff-one-page.{fmt}"}


def test_images_in_prose_are_embedded(built_sample):
    html = (built_sample / "harbor-memo/staff-full.html").read_text()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" '
                     r'alt="Cross-section of the breakwater"', html)
    page = PdfReader(built_sample / "harbor-memo/staff-full.pdf").pages[0]
    # The SVG is drawn as vectors: its water band's fill (#9fb7cf) is painted on the page.
    assert "0.623529 0.717647 0.811765 rg" in page.get_contents().get_data().decode("latin-1")


def test_emit_print_html_saves_every_layout_fitting_made(runner, tmp_path):
    """For benchmarks: the HTML of the PDF, and of each other layout (the measuring
    document first), one file per layout pass the manifest reports."""
    out = tmp_path / "out"
    result = run(runner, SAMPLE, "build", "harbor-memo", "-a", "staff", "-l", "one-page",
                 "-f", "pdf", "-o", str(out), "--emit-print-html")
    assert result.exit_code == 0, result.output
    record = json.loads((out / "manifest.json").read_text())["outputs"][0]
    passes = record["plan"]["layout_passes"]
    trials = sorted((out / "harbor-memo").glob("staff-one-page.pass-*.print.html"))
    assert passes >= 2 and len(trials) == passes - 1
    assert "data-fit" in trials[0].read_text("utf-8")  # the measuring document
    final = (out / "harbor-memo" / "staff-one-page.print.html").read_text("utf-8")
    assert "data-fit" not in final and all(t.read_text("utf-8") != final for t in trials)
    assert [p.name for p in out.rglob("*.pdf")] == ["staff-one-page.pdf"]
