"""Audiences shape the document: what it leads with, and markings rolled up from portions."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, run
from pypdf import PdfReader

LEVELS = """
markings:
  - {banner: "UNCLASSIFIED // FOR PUBLIC RELEASE", portion: U}
  - {banner: "CONTROLLED UNCLASSIFIED INFORMATION", portion: CUI}
  - {banner: "SECRET", portion: S}
"""


def with_levels(sample):
    settings = sample / "settings.yaml"
    settings.write_text(settings.read_text() + LEVELS)
    return sample


def mark_paragraph_in_body(sample, mark: str):
    """Give a portion mark to the first paragraph of the harbor topic's body (full only)."""
    topic = sample / "topics" / "harbor-overview.md"
    text = topic.read_text()
    topic.write_text(text.replace("The harbor is the region's main gateway",
                                  f"({mark}) The harbor is the region's main gateway"))


def build(runner, sample, tmp_path, *args):
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--audience", "staff", "-o", str(out),
                 *args)
    assert result.exit_code == 0, result.output
    return out


BANNERS = ("UNCLASSIFIED // FOR PUBLIC RELEASE", "CONTROLLED UNCLASSIFIED INFORMATION", "SECRET")


def banners(pdf) -> set[str]:
    """Return the banners printed on the pages; each page must carry its banner at the top
    and at the bottom (where it shares a line with "Page N of M")."""
    found = set()
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        lines = [re.sub(r"\s*Page \d+ of \d+$", "", line.strip())
                 for line in page.extract_text().splitlines()]
        printed = [line for line in lines if line in BANNERS]
        assert len(printed) >= 2 and len(set(printed)) == 1, (pdf.name, number, printed)
        found |= set(printed)
    return found


def test_a_paragraph_portion_mark_rolls_up_only_where_the_paragraph_is_included(
        runner, sample, tmp_path):
    mark_paragraph_in_body(with_levels(sample), "CUI")
    out = build(runner, sample, tmp_path)
    full = out / "harbor-memo" / "staff-full.pdf"
    one_page = out / "harbor-memo" / "staff-one-page.pdf"
    assert banners(full) == {"CONTROLLED UNCLASSIFIED INFORMATION"}
    assert PdfReader(full).metadata["/marking"] == "CONTROLLED UNCLASSIFIED INFORMATION"
    assert "(CUI) The harbor is the region" in PdfReader(full).pages[0].extract_text()
    # The one-page memo carries the topic's summary, not the marked body paragraph.
    assert banners(one_page) == {"UNCLASSIFIED // FOR PUBLIC RELEASE"}
    assert PdfReader(one_page).metadata["/marking"] == "UNCLASSIFIED // FOR PUBLIC RELEASE"
    html = (out / "harbor-memo" / "staff-full.html").read_text()
    assert html.count("CONTROLLED UNCLASSIFIED INFORMATION") >= 2  # top and bottom banners
    assert '<span class="portion">(CUI)</span>' in html


def test_the_most_restrictive_portion_wins(runner, sample, tmp_path):
    mark_paragraph_in_body(with_levels(sample), "CUI")
    topic = sample / "topics" / "keepers-history.md"
    topic.write_text(topic.read_text().replace("---\n", "---\nmarking: S\n", 1))
    out = build(runner, sample, tmp_path, "--length", "full")
    assert banners(out / "harbor-memo" / "staff-full.pdf") == {"SECRET"}


def test_a_marked_topic_left_out_for_an_audience_leaves_no_mark(runner, sample, tmp_path):
    with_levels(sample)
    topic = sample / "topics" / "lighthouse-costs.md"  # relevance none for the public
    topic.write_text(topic.read_text().replace("---\n", "---\nmarking: S\n", 1))
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--length", "full", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert banners(out / "harbor-memo" / "staff-full.pdf") == {"SECRET"}
    public = PdfReader(out / "harbor-memo" / "public-full.pdf")
    assert "/marking" not in public.metadata  # the public audience has no marking of its own
    assert "SECRET" not in "".join(page.extract_text() for page in public.pages)


def test_unknown_portion_marks_stay_text(runner, sample, tmp_path):
    mark_paragraph_in_body(with_levels(sample), "NATO")
    out = build(runner, sample, tmp_path, "--length", "full")
    assert banners(out / "harbor-memo" / "staff-full.pdf") == {"UNCLASSIFIED // FOR PUBLIC RELEASE"}
    assert "(NATO) The harbor" in (out / "harbor-memo" / "staff-full.html").read_text()


def test_an_unknown_topic_marking_is_an_error(runner, sample):
    with_levels(sample)
    topic = sample / "topics" / "keepers-history.md"
    topic.write_text(topic.read_text().replace("---\n", "---\nmarking: TOPSECRET\n", 1))
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "keepers-history.md:2: unknown portion mark 'TOPSECRET'" in result.stderr


def test_the_audience_profile_decides_what_the_document_leads_with(runner, sample, tmp_path):
    staff = sample / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text() + "lead:\n  one-page: bottom-line\n  full: context\n")
    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace(
        "sections:", "bottom_line: Fund the breakwater now; the light can wait.\nsections:", 1))
    out = build(runner, sample, tmp_path)
    one_page = PdfReader(out / "harbor-memo" / "staff-one-page.pdf").pages[0].extract_text()
    full = PdfReader(out / "harbor-memo" / "staff-full.pdf").pages[0].extract_text()
    # One-page: the bottom-line box (its heading is set in capitals), recommendations, topics.
    assert one_page.index("BOTTOM LINE") < one_page.index("Fund the breakwater now") \
        < one_page.index("Recommendations") < one_page.index("The harbor at a glance")
    # Full: context first, recommendations after the topics, no bottom-line box.
    assert "BOTTOM LINE" not in full
    full_text = "".join(p.extract_text() for p in PdfReader(out / "harbor-memo" / "staff-full.pdf").pages)
    assert full_text.index("The harbor at a glance") < full_text.index("Recommendations")


def test_a_bottom_line_audience_without_a_bottom_line_is_warned(runner, sample):
    staff = sample / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text() + "lead: bottom-line\n")
    result = run(runner, sample, "check")
    assert "harbor-memo.yaml" in result.stderr and "warning" in result.stderr
    assert "add `bottom_line:`" in result.stderr


def test_a_lead_for_an_unknown_length_is_an_error(runner, sample):
    staff = sample / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text() + "lead:\n  one-pager: bottom-line\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "staff.yaml:" in result.stderr and "did you mean 'one-page'?" in result.stderr


def test_preferred_names_reach_headings_notes_and_bookmarks(runner, sample, tmp_path):
    topic = sample / "topics" / "keepers-history.md"
    topic.write_text(topic.read_text() + "\n## Who ran the Northern Light\n\nKeepers did."
                     "^[The Northern Light had three keepers at a time.]\n")
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--length", "full", "-f", "pdf",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    public = PdfReader(out / "harbor-memo" / "public-full.pdf")
    text = "".join(page.extract_text() for page in public.pages)
    assert "Who ran the Northern Light (the old beacon)" in text
    assert "The Northern Light (the old beacon) had three keepers" in text
    assert "(the old beacon) (the old beacon)" not in text
    titles = [item.title for item in flatten(public.outline)]
    assert "Who ran the Northern Light (the old beacon)" in titles
    staff = "".join(p.extract_text() for p in PdfReader(out / "harbor-memo" / "staff-full.pdf").pages)
    assert "Who ran the Northern Light" in staff and "old beacon" not in staff


def flatten(outline):
    for item in outline:
        yield from flatten(item) if isinstance(item, list) else [item]


def test_budgeted_html_carries_the_selection_of_its_pdf(runner, sample, tmp_path):
    import json

    topic = sample / "topics" / "keepers-history.md"  # make the one-page memo overflow
    topic.write_text(topic.read_text().replace(
        "summary: >\n", "summary: >\n  " + "Keepers logged every ship that passed. " * 60 + "\n", 1))
    out = build(runner, sample, tmp_path, "--length", "one-page")
    records = json.loads((out / "manifest.json").read_text())["outputs"]
    pdf = next(r for r in records if r["path"] == "harbor-memo/staff-one-page.pdf")
    html = (out / "harbor-memo" / "staff-one-page.html").read_text()
    shown = re.findall(r'<section class="topic detail-(\w+)" id="topic-([\w-]+)"', html)
    assert not pdf["plan"]["complete"], "the budget trims this memo: the selection is not trivial"
    assert {topic: detail for detail, topic in shown} == pdf["plan"]["included"]


def test_each_audience_reads_its_own_bottom_line_and_recommendations(runner, sample, tmp_path):
    for name in ("staff", "public"):
        audience = sample / "audiences" / f"{name}.yaml"
        audience.write_text(audience.read_text() + "lead:\n  one-page: bottom-line\n")
    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace("sections:", (
        "bottom_line:\n  staff: Appropriate the breakwater money this session.\n"
        "  public: The breakwater is failing and repair is planned.\nsections:"), 1).replace(
        "    priority: high\n", "    priority: high\n    audiences: [staff]\n", 1))
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--length", "one-page", "-o", str(out))
    assert result.exit_code == 0, result.output
    staff = (out / "harbor-memo" / "staff-one-page.html").read_text()
    public = (out / "harbor-memo" / "public-one-page.html").read_text()
    assert "Appropriate the breakwater money" in staff and "repair is planned" not in staff
    assert "repair is planned" in public and "Appropriate the breakwater" not in public
    assert "Fund the breakwater first" in staff and "Fund the breakwater first" not in public


def test_a_bottom_line_for_an_audience_the_brief_is_not_for_is_an_error(runner, sample):
    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace(
        "sections:", "bottom_line:\n  staf: Fund it.\nsections:", 1).replace(
        "    priority: high\n", "    priority: high\n    audiences: [pubic]\n", 1))
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "harbor-memo.yaml:" in result.stderr and "did you mean 'staff'?" in result.stderr
    assert "did you mean 'public'?" in result.stderr


FLOOD = ROOT / "tests" / "fixtures" / "flood-bonds"


@pytest.fixture(scope="module")
def flood_build(tmp_path_factory):
    """The flood-bond fixture built once (PDF and HTML, both audiences)."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("flood") / "output"
    result = run(CliRunner(), FLOOD, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def plain(html: str) -> str:
    """Return the words of HTML, without tags or note calls."""
    html = re.sub(r'<sup class="note-call">.*?</sup>', "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_terms_leave_quotations_titles_code_and_kept_names_as_written(flood_build):
    page = (flood_build / "flood-bonds" / "council-full.html").read_text("utf-8")
    quote = re.search(r"<blockquote>(.*?)</blockquote>", page, re.S).group(1)
    assert "no seawall or tide gates may close a public way" in plain(quote)
    text = plain(page)
    assert "“tide gates and a living shoreline” should be weighed" in text
    assert "The full-seawall option is the council’s first choice" in text
    assert "beside Seawall Street" in text and "<code>seawall</code>" in page
    source = re.search(r'<p class="figure-source">(.*?)</p>', page, re.S).group(1)
    assert "“Seawall and Tide Gates Feasibility Study”" in source
    bibliography = page.split('class="bibliography"', 1)[1]
    assert "Seawall and Tide Gates Feasibility Study" in bibliography
    # ... and apply everywhere else, sentence case kept, the first use in its long form.
    assert "A full coastal barrier would rise" in text and "Flood gates would close" in text
    assert text.count("nature-based shoreline (living shoreline)") == 1
    assert text.index("nature-based shoreline (living shoreline)") < text.index(
        "a second nature-based shoreline could follow")
    pdf = " ".join(" ".join(p.extract_text().split())
                   for p in PdfReader(flood_build / "flood-bonds/council-full.pdf").pages)
    assert "no seawall or tide gates may close" in pdf and "A full coastal barrier" in pdf


def test_terms_apply_to_a_charts_labels_alt_text_and_data_table(flood_build):
    page = (flood_build / "flood-bonds" / "council-full.html").read_text("utf-8")
    svg = re.search(r"<svg\b.*?</svg>", page, re.S).group(0)
    title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S).group(1)
    assert "the full coastal barrier costs 60" in title and "seawall" not in title.lower()
    labels = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)
    assert "Full coastal barrier" in labels and "Flood gates" in labels
    assert "Nature-based shoreline" in labels and "City’s share" in labels
    table = page.split('class="figure-data"', 1)[1].split("</table>", 1)[0]
    rows = [plain(row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert rows[1].startswith("Full coastal barrier") and rows[2].startswith("Flood gates")
    pdf = " ".join(" ".join(p.extract_text().split())
                   for p in PdfReader(flood_build / "flood-bonds/council-full.pdf").pages)
    assert "Full coastal barrier" in pdf and "Full seawall" not in pdf
    other = (flood_build / "flood-bonds" / "residents-de-full.html").read_text("utf-8")
    assert "Full seawall" in other  # an audience without terms keeps the labels as written


def test_new_units_print_for_each_locale(flood_build):
    """Metres and meters, a ratio, days and patterns, in en-US and de-DE."""
    council = plain((flood_build / "flood-bonds" / "council-full.html").read_text("utf-8"))
    german = plain((flood_build / "flood-bonds" / "residents-de-full.html").read_text("utf-8"))
    for words in ("rise 3.2 m above", "sills 4.5 m deep", "about 14 days each",
                  "ratio is 2.4:1", "cost $1.5 million a year", "drew on 1,250 surveys"):
        assert words in council, words
    for words in ("rise 3,2 m above", "sills 4,5 m deep", "about 14 Tage each",
                  "ratio is 2,4:1", "cost $1,5 million a year", "drew on 1.250 surveys"):
        assert words in german, words
