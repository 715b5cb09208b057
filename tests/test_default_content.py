"""The content shipped in content/ is valid, and `brief build` makes every declared output."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest
from conftest import ROOT, run
from pypdf import PdfReader

from generator.load import load_content


def test_default_content_passes_check(runner):
    result = run(runner, ROOT / "content", "check")
    assert result.exit_code == 0, result.stderr


def test_default_build_makes_every_declared_output(default_build):
    content = load_content(ROOT / "content").content
    declared = {f"{b.id}/{a}-{length}.{fmt}" for b in content.briefs.values()
                for a in b.audiences for length in b.lengths for fmt in ("pdf", "html")}
    declared |= {f"packs/{pack}.{fmt}" for pack in content.packs for fmt in ("pdf", "html")}
    records = json.loads((default_build / "manifest.json").read_text())["outputs"]
    assert {r["path"] for r in records} == declared
    assert all((default_build / path).is_file() for path in declared)


def test_default_budgets_hold_and_titles_read_back(default_build):
    content = load_content(ROOT / "content").content
    for record in json.loads((default_build / "manifest.json").read_text())["outputs"]:
        if record["format"] != "pdf" or record["pack"]:
            continue
        reader = PdfReader(default_build / record["path"])
        budget = content.lengths[record["length"]].pages
        if budget:
            assert len(reader.pages) <= budget, record["path"]
        title = content.briefs[record["brief"]].title
        first_words = " ".join(title.split()[:2])
        assert first_words in reader.pages[0].extract_text(), record["path"]


def test_budgeted_pages_are_exact_and_the_last_one_is_full(default_build):
    """One-page is one page and two-page two, read from the PDF; the last page is at least
    80% full (measured from where the text stands on it), unless nothing was left out."""
    content = load_content(ROOT / "content").content
    checked = 0
    for record in json.loads((default_build / "manifest.json").read_text())["outputs"]:
        budget = content.lengths[record["length"]].pages if not record["pack"] else None
        if record["format"] != "pdf" or not budget:
            continue
        reader = PdfReader(default_build / record["path"])
        assert len(reader.pages) == budget, record["path"]
        fill = page_fill(reader.pages[-1])
        assert fill >= 0.8 or record["plan"]["complete"], (record["path"], fill)
        assert abs(fill - record["plan"]["last_page_fill"]) < 0.05, record["path"]
        checked += 1
    assert checked >= 20


def page_fill(page) -> float:
    """Return how much of a page's content area holds text: the body from the top margin
    down, plus the footnote area up from the bottom margin (8pt notes, separated by a rule).

    Positions come from the PDF's text matrices (WeasyPrint draws in CSS px from the top).
    """
    top, bottom = margins_px()
    height = float(page.mediabox.height) / 0.75
    area_top, area_bottom = top, height - bottom
    body_end, notes_start = area_top, area_bottom
    lines = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size:
                      lines.append((tm[5], size)) if text.strip() else None)
    lines = [(y, size) for y, size in lines if area_top < y < area_bottom]  # not the margins
    for baseline, size in lines:
        if size >= 12:  # body text (10.5pt = 14px) and headings
            body_end = max(body_end, baseline + 0.3 * size)
    for baseline, size in lines:
        if baseline > body_end:  # a footnote line; its area starts a line and a rule above
            notes_start = min(notes_start, baseline - size - 16)
    return ((body_end - area_top) + (area_bottom - notes_start)) / (area_bottom - area_top)


def margins_px() -> tuple[float, float]:
    """Return the page's top and bottom margins in CSS px, read from the print stylesheet."""
    import re

    css = (ROOT / "templates" / "css" / "print.css").read_text()
    values = re.search(r"@page\s*{\s*margin:\s*([\d.]+)in\s+[\d.]+in\s+([\d.]+)in", css)
    return float(values.group(1)) * 96, float(values.group(2)) * 96


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by setup.sh --test")
def test_every_default_pdf_passes_qpdf_check_and_is_tagged_pdf_ua(default_build):
    from taggedpdf import read

    pdfs = sorted(default_build.rglob("*.pdf"))
    assert len(pdfs) == 34
    for path in pdfs:
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, (path, check.stdout, check.stderr)
        tagged = read(path)
        assert 'pdfuaid:part="1"' in tagged.xmp(), path
        assert tagged.orphan_mcids == [] and tagged.unmarked_text == "", path
        assert all(e.alt for e in tagged.root.walk() if e.tag == "Figure"), path
        # Compared without case: CSS may print a heading in capitals; the bookmark keeps
        # the words as written.
        headings = [" ".join(text.split()).casefold() for _, text in tagged.headings]
        assert headings == [" ".join(t.split()).casefold() for t in tagged.outline_titles()], path


HEADING = re.compile(r"<h([1-6])\b([^>]*)>(.*?)</h\1>", re.DOTALL)
TOPIC_OPEN = re.compile(r'<section class="topic detail-full" id="topic-([\w-]+)"')


def markdown_heading_depths(text: str) -> list[int]:
    """Return the depth of each heading in a topic body as written (## -> 1, ### -> 2)."""
    from generator.markdown import parse

    tokens, _ = parse(text)
    return [int(t.tag[1]) - 1 for t in tokens if t.type == "heading_open"]


def test_heading_levels_in_html_and_pdf_outline_are_the_contents_charts_or_no_charts(
        default_build):
    """Each full topic's body headings sit one level below its title per '#' written, after
    a chart as before it; the PDF's bookmarks nest exactly as the page's headings."""
    content = load_content(ROOT / "content").content
    charted = 0
    for record in json.loads((default_build / "manifest.json").read_text())["outputs"]:
        if record["pack"] or record["length"] != "full" or record["format"] != "html":
            continue
        page = (default_build / record["path"]).read_text("utf-8")
        main = page[page.index("<main"):page.index("</main>")]
        for match in TOPIC_OPEN.finditer(main):
            topic_id, section = match.group(1), main[match.start():main.find("</section>",
                                                                            match.start())]
            levels = [int(level) for level, _, _ in HEADING.findall(section)]
            written = markdown_heading_depths(content.topics[topic_id].body.text)
            assert [level - levels[0] for level in levels[1:]] == written, \
                (record["path"], topic_id)
            charted += "<figure" in section and bool(written)
        pdf = PdfReader(default_build / record["path"].replace(".html", ".pdf"))
        outline = [(depth + 1, " ".join(item.title.split())) for depth, item in nested(pdf.outline)]
        # The screen page's own contents list and endnotes have no place in the print.
        shown = [(int(level), html.unescape(" ".join(re.sub(r"<[^>]+>", "", text).split())))
                 for level, attrs, text in HEADING.findall(page)
                 if not re.search(r'id="(toc|notes)-heading"', attrs)]
        assert outline == shown, record["path"]
    assert charted >= 3  # the check covers headings that follow charts


def nested(outline, depth: int = 0):
    """Yield (depth, item) of every entry of a pypdf outline."""
    for item in outline:
        if isinstance(item, list):
            yield from nested(item, depth + 1)
        else:
            yield depth, item
