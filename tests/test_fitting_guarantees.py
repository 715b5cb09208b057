"""The page-budget guarantees, checked as a reader would: from the PDFs, the manifest and
what `brief build --explain` prints.

- Content several times the size of the default content (50 topics with long summaries,
  key points and bodies, 8 recommendations; a policy memo and an A4 perspective brief)
  still makes one-page documents of exactly one page and two-page ones of two, each last
  page at least 80% full and no page ending on a heading; content that fits easily is
  neither padded nor failed.
- --explain says what the page budget cut, and says the same as the manifest.
- A budgeted length with a bibliography prints it or records it as cut for the budget.
- The marking banner stands at the top and the bottom of every page; a restrictive
  portion that the budget cuts does not raise it; a brief's own marking is printed and
  stored in the PDF's metadata.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, SAMPLE, run
from pypdf import PdfReader
from test_default_content import margins_px, page_fill
from test_fitting import lines_by_page

BUDGETS = {"one-page": 1, "two-page": 2}
LEVELS = """
markings:
  - {banner: "UNCLASSIFIED // FOR PUBLIC RELEASE", portion: U}
  - {banner: "CONTROLLED UNCLASSIFIED INFORMATION", portion: CUI}
  - {banner: "SECRET", portion: S}
"""
BANNERS = ("UNCLASSIFIED // FOR PUBLIC RELEASE", "CONTROLLED UNCLASSIFIED INFORMATION", "SECRET")
HEADING_SIZE = 14.5  # body text is 14px (10.5pt); headings are larger


# -- Reading outputs back ------------------------------------------------------------------

def records(out: Path, fmt: str = "pdf") -> dict[str, dict]:
    """Return the manifest's records of one format, by output name (without extension)."""
    found = json.loads((out / "manifest.json").read_text())["outputs"]
    return {r["path"].rsplit(".", 1)[0]: r for r in found if r["format"] == fmt}


def text_of(pdf: Path) -> str:
    """Return a PDF's text with whitespace runs as single spaces (lines joined)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())


def page_lines(page) -> list[tuple[float, str]]:
    """Return a page's lines of text, top to bottom: (y in CSS px from the top, text), the
    runs sharing a baseline joined left to right."""
    runs = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size:
                      runs.append((round(tm[5], 1), tm[4], text)) if text.strip() else None)
    lines: list[tuple[float, list]] = []  # runs of different sizes on one line differ a little
    for y, x, text in sorted(runs):
        if lines and y - lines[-1][0] < 2:
            lines[-1][1].append((x, text))
        else:
            lines.append((y, [(x, text)]))
    return [(y, " ".join(" ".join(t for _, t in sorted(parts)).split())) for y, parts in lines]


def explain_blocks(stdout: str) -> dict[str, list[str]]:
    """Return what --explain printed, by output name: its header line, then its lines."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in stdout.splitlines():
        match = re.match(r"^([\w-]+/[\w-]+): (.*\bpage\(s\).*)$", line)
        if match:
            current = blocks.setdefault(match.group(1), [match.group(2)])
        elif current is not None and line.startswith("  "):
            current.append(line[2:])
        else:
            current = None
    return blocks


def parse_explain(block: list[str]) -> dict:
    """Turn one output's --explain lines into the shape of the manifest's plan."""
    header, *lines = block
    parsed = {"included": {}, "key_points": {}, "recommendations": {}, "cut": [],
              "header": header}
    for line in lines:
        if line.startswith("included: "):
            for topic, detail, points in re.findall(
                    r"([a-z0-9-]+) \((headline|summary|full)(?:, (\d+ of \d+) key points)?\)",
                    line):
                parsed["included"][topic] = detail
                if points:
                    parsed["key_points"][topic] = points
        elif line.startswith("recommendations: "):
            for item in line[len("recommendations: "):].split("; "):
                title, shown = re.fullmatch(r"(.*) \((title only|with text)\)", item).groups()
                detail = "headline" if shown == "title only" else "summary"
                parsed["recommendations"][title] = detail
        elif line.startswith("cut: "):
            what, reason = re.fullmatch(r"cut: (.+?) \((.*)\)", line).groups()
            parsed["cut"].append({"what": what, "reason": reason})
    return parsed


def assert_banner_top_and_bottom(pdf: Path, banner: str) -> None:
    """Every page carries the banner as its topmost line, in the top margin, and as its
    lowest line (beside "Page N of M"), in the bottom margin; no other banner is printed."""
    top_margin, bottom_margin = margins_px()
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        height = float(page.mediabox.height) / 0.75
        lines = page_lines(page)
        where = (pdf.name, number)
        (top_y, top), (bottom_y, bottom) = lines[0], lines[-1]
        assert top == banner, (*where, "top line", top)
        assert 0 < top_y < top_margin, (*where, "top banner not in the top margin", top_y)
        assert re.fullmatch(re.escape(banner) + rf" Page {number} of \d+", bottom), \
            (*where, "bottom line", bottom)
        assert height - bottom_margin < bottom_y < height, \
            (*where, "bottom banner not in the bottom margin", bottom_y)
        marked = [text for _, text in lines if any(b in text for b in BANNERS)]
        assert len(marked) == 2, (*where, "banners printed", marked)


def assert_marked(pdf: Path, marking: str) -> None:
    """The marking is the banner of every page and the PDF's /marking metadata."""
    assert_banner_top_and_bottom(pdf, marking)
    assert PdfReader(pdf).metadata["/marking"] == marking


def build(content: Path, out: Path, *args: str):
    result = run(CliRunner(), content, "build", "-f", "pdf", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return result


def with_levels(content: Path) -> Path:
    settings = content / "settings.yaml"
    settings.write_text(settings.read_text() + LEVELS)
    return content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


# -- Much longer content -------------------------------------------------------------------

WORDS = ("harbor freight breakwater budget council storm channel dredging cargo engineers "
         "report keeper coast repair funding vote plan risk tide pier crane berth ferry "
         "levy tariff insurer contractor survey inspection warehouse railway quay basin "
         "seawall erosion pilot tug mooring schedule ledger audit").split()
PLACES = "north south east west upper".split()
THINGS = "quay basin pier berth channel seawall warehouse railway ferry levy".split()
SOURCES = ("harbor-report", "keeper-article", "tide-poll")  # the sample's bibliography


def sentence(rng: random.Random, cite: bool = False) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 20))).capitalize()
    return text + (f" [@{rng.choice(SOURCES)}]" if cite else "") + "."


def prose(rng: random.Random, count: int, cites: float = 0.2) -> str:
    return " ".join(sentence(rng, rng.random() < cites) for _ in range(count))


def write_big_brief(content: Path, topics: int = 50, seed: int = 9) -> list[str]:
    """Add 50 topics (long summaries, 3-5 key points, bodies of 7 paragraphs with a
    subsection) and two briefs of them, a policy memo and a perspective brief on A4, each
    with the topics in five sections and 8 recommendations; return the topic ids."""
    rng = random.Random(seed)
    ids = []
    for n in range(topics):
        place, thing = PLACES[n // len(THINGS)], THINGS[n % len(THINGS)]
        topic_id = f"gen-{place}-{thing}"
        ids.append(topic_id)
        points = "".join(f"  - {prose(rng, 1, 0.5)}\n" for _ in range(rng.randint(3, 5)))
        body = [prose(rng, rng.randint(5, 8)) for _ in range(6)]
        body.insert(3, "## " + sentence(rng).rstrip("."))
        staff = rng.choice(["high", "medium", "low"])
        public = rng.choice(["high", "medium", "low", "low", "none"])
        if n == 0:
            staff = public = "high"
        (content / "topics" / f"{topic_id}.md").write_text(
            "---\n"
            f"title: The {place} {thing} question\n"
            f"headline: {sentence(rng)}\n"
            f"summary: >\n  {prose(rng, rng.randint(5, 8), 0.3)}\n"
            f"key_points:\n{points}"
            f"tags: [{rng.choice(['budget', 'history', 'harbor'])}]\n"
            f"priority: {rng.choice(['high', 'medium', 'low'])}\n"
            f"relevance: {{staff: {staff}, public: {public}}}\n"
            "---\n" + "\n\n".join(body) + "\n")
    sections = [f"  - topic: {ids[0]}\n"] + [
        f"  - title: {sentence(rng).rstrip('.')[:40].rstrip()}\n"
        f"    topics: [{', '.join(ids[1:][group::4])}]\n" for group in range(4)]
    recommendations = "".join(
        f"  - title: {sentence(rng).rstrip('.')[:60].rstrip()}\n"
        f"    body: {prose(rng, rng.randint(2, 4), 0.3)}\n"
        f"    priority: {rng.choice(['high', 'medium', 'low'])}\n"
        + (f"    topics: [{rng.choice(ids)}]\n" if rng.random() < 0.3 else "")
        for _ in range(8))
    shared = ("sections:\n" + "".join(sections) + "recommendations:\n" + recommendations
              + "audiences: [staff, public]\nlengths: [one-page, two-page]\n")
    (content / "briefs" / "big-memo.yaml").write_text(
        "title: The Whole Harbor\nsubtitle: Everything the council needs to know\n"
        "type: policy-memo\ndate: 2022-03-01\n"
        "authors:\n  - name: Jane Analyst\n    office: Office of Harbor Policy\n" + shared)
    (content / "briefs" / "big-perspective.yaml").write_text(  # the other type, on A4
        "title: The Whole Harbor, Seen From the Light\ntype: perspective-brief\n"
        "date: 2022-03-01\npaper: a4\nauthors:\n  - name: Sam Rivers\n"
        "    affiliation: Maritime University\n"
        "lede: The harbor and its light decide the region's next decade.\n"
        "notes: The sections draw on Kim and Rivers [@keeper-article].\n"
        "acknowledgments: Thanks to the Harbor Foundation.\n" + shared)
    return ids


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Build the big briefs, one-page and two-page for staff and public (PDF, --explain)."""
    root = tmp_path_factory.mktemp("big")
    content = root / "content"
    shutil.copytree(SAMPLE, content)
    with_levels(content)
    ids = write_big_brief(content)
    words = sum(len(p.read_text().split()) for p in (content / "topics").glob("gen-*.md"))
    default_words = sum(len(p.read_text().split()) for p in (ROOT / "content").rglob("*.md"))
    assert words >= 2.5 * default_words, (words, default_words)  # several times the default
    out = root / "out"
    result = build(content, out, "big-memo", "big-perspective", "--explain")
    brief = yaml.safe_load((content / "briefs" / "big-memo.yaml").read_text())
    return {"out": out, "stdout": result.stdout, "ids": ids, "content": content,
            "recommendations": [r["title"] for r in brief["recommendations"]]}


def test_much_longer_content_fills_each_budget_exactly(big):
    """One-page is 1 page and two-page 2 (read from the PDF), the last page is at least 80%
    full, the manifest's fill is what the PDF shows, and no page ends on a heading."""
    found = records(big["out"])
    assert set(found) == {f"{b}/{a}-{length}" for b in ("big-memo", "big-perspective")
                          for a in ("staff", "public") for length in BUDGETS}
    for name, record in found.items():
        pdf = big["out"] / record["path"]
        reader = PdfReader(pdf)
        budget = BUDGETS[record["length"]]
        assert not record["plan"]["complete"], (name, "this much content must be trimmed")
        assert len(reader.pages) == budget == record["pages"], (name, len(reader.pages))
        fill = page_fill(reader.pages[-1])
        assert fill >= 0.8, (name, fill)
        assert abs(fill - record["plan"]["last_page_fill"]) < 0.05, (name, fill, record["plan"])
        title_only = [t for t, d in record["plan"]["recommendations"].items() if d == "headline"]
        for number, lines in enumerate(lines_by_page(pdf.read_bytes()), start=1):
            assert lines, (name, number, "empty page")
            size, text = lines[-1]
            # A recommendation kept as its title alone is a whole item, not a heading.
            alone = number == budget and any(t.startswith(text) for t in title_only)
            assert size <= HEADING_SIZE or alone, (name, number, "ends on a heading", text)


def test_much_longer_content_prints_what_the_plan_says(big):
    """Each included topic's title and recommendation is in the PDF; nothing cut is."""
    content = big["content"]
    titles = {topic_id: re.search(r"^title: (.*)$", (content / "topics" / f"{topic_id}.md")
                                  .read_text(), re.M).group(1) for topic_id in big["ids"]}
    for name, record in records(big["out"]).items():
        text = text_of(big["out"] / record["path"])
        plan = record["plan"]
        for topic_id in plan["included"]:
            assert titles[topic_id] in text, (name, topic_id)
        for title in plan["recommendations"]:
            assert title in text, (name, title)
        for cut in plan["cut"]:
            if cut["what"].startswith("recommendation: "):
                assert cut["what"].split(": ", 1)[1] not in text, (name, cut)
            else:
                assert titles[cut["what"]] not in text, (name, cut)


# -- Much shorter content ------------------------------------------------------------------

def test_content_that_fits_easily_is_neither_padded_nor_failed(sample, tmp_path):
    """A brief of two short topics: both budgets print everything at the length's detail on
    one page, the same page for both, with no padding; --explain says nothing was cut."""
    (sample / "briefs" / "short-memo.yaml").write_text(
        "title: A Short Note\ntype: policy-memo\ndate: 2022-03-01\n"
        "authors: [{name: Jane Analyst}]\n"
        "sections:\n  - topic: harbor-overview\n  - topic: keepers-history\n"
        "recommendations:\n  - title: Fund the breakwater first\n    body: Fund it now.\n"
        "    priority: high\n"
        "audiences: [staff, public]\nlengths: [one-page, two-page]\n")
    out = tmp_path / "out"
    result = build(sample, out, "short-memo", "--explain")
    blocks = explain_blocks(result.stdout)
    found = records(out)
    assert len(found) == 4
    for name, record in found.items():
        plan = record["plan"]
        reader = PdfReader(out / record["path"])
        assert len(reader.pages) == 1 == record["pages"], (name, "padded to more pages")
        assert plan["complete"] and plan["cut"] == [] and plan["key_points"] == {}, name
        assert plan["included"] == {"harbor-overview": "summary", "keepers-history": "summary"}
        assert plan["recommendations"] == {"Fund the breakwater first": "summary"}
        fill = page_fill(reader.pages[0])
        assert fill < 0.8 and abs(fill - plan["last_page_fill"]) < 0.05, (name, fill)
        assert "all relevant content included" in blocks[name][0], blocks[name]
        assert not [line for line in blocks[name] if line.startswith("cut: ")], blocks[name]
    for audience in ("staff", "public"):  # the two-page budget adds nothing to fill itself
        one, two = (PdfReader(out / "short-memo" / f"{audience}-{length}.pdf").pages[0]
                    .extract_text() for length in BUDGETS)
        assert one == two.replace("Two-page brief", "One-page memo"), audience


# -- --explain for trimmed outputs ---------------------------------------------------------

def test_explain_says_what_the_budget_cut_and_agrees_with_the_manifest(big):
    blocks = explain_blocks(big["stdout"])
    found = records(big["out"])
    assert set(blocks) == set(found), (sorted(blocks), sorted(found))
    for name, record in found.items():
        plan, explained = record["plan"], parse_explain(blocks[name])
        budget_cuts = [c for c in explained["cut"] if c["reason"].startswith("page budget")]
        assert budget_cuts, (name, "no line says the page budget cut something", blocks[name])
        header = explained["header"]
        assert header.startswith(f"{record['pages']} page(s), "), (name, header)
        assert f"last page {plan['last_page_fill']:.0%} full" in header, (name, header)
        assert f"{plan['layout_passes']} layout pass(es)" in header, (name, header)
        assert "all relevant content included" not in header, (name, header)
        assert explained["included"] == plan["included"], name
        assert list(explained["included"]) == list(plan["included"]), name  # same order
        assert explained["key_points"] == plan["key_points"], name
        assert explained["recommendations"] == plan["recommendations"], name
        assert explained["cut"] == plan["cut"], name
        # Every topic and recommendation of the brief is accounted for: included or cut.
        topics = {p.stem for p in (big["content"] / "topics").glob("gen-*.md")}
        accounted = set(plan["included"]) | {c["what"] for c in plan["cut"]}
        assert topics <= accounted, (name, topics - accounted)
        recommendations = {f"recommendation: {title}" for title in big["recommendations"]}
        accounted = {f"recommendation: {t}" for t in plan["recommendations"]} | accounted
        assert recommendations <= accounted, (name, recommendations - accounted)


# -- A budgeted length with a bibliography -------------------------------------------------

def test_a_budgeted_bibliography_is_printed_or_cut_for_the_budget(sample, tmp_path):
    lengths = sample / "lengths.yaml"
    edit(lengths, "  pages: 1\n  detail: summary\n", "  pages: 1\n  detail: summary\n"
         "  bibliography: true\n")
    edit(lengths, "  pages: 2\n  detail: summary\n", "  pages: 2\n  detail: summary\n"
         "  bibliography: true\n")
    edit(sample / "briefs" / "harbor-memo.yaml", "lengths: [one-page, full]",
         "lengths: [one-page, two-page]")
    out = tmp_path / "out"
    result = build(sample, out, "harbor-memo", "-a", "staff", "--explain")
    blocks = explain_blocks(result.stdout)
    outcome = {}
    for name, record in records(out).items():
        reader = PdfReader(out / record["path"])
        assert len(reader.pages) <= BUDGETS[record["length"]], (name, len(reader.pages))
        text = text_of(out / record["path"])
        cut = {"what": "bibliography", "reason": "page budget"} in record["plan"]["cut"]
        explained_cut = "cut: bibliography (page budget)" in blocks[name]
        printed = "Bibliography" in text
        assert printed != cut, (name, "printed" if printed else "neither printed nor cut")
        assert explained_cut == cut, (name, blocks[name])
        if printed:  # its entries follow the heading, after the memo's own text
            after = text[text.index("Bibliography"):]
            assert "The State of the Harbor" in after and "Keepers of the Light" in after, name
            assert text.index("Bibliography") > text.index("Keepers and their history"), name
        else:
            assert not record["plan"]["complete"], name
        outcome[record["length"]] = "printed" if printed else "cut"
    # The one-page memo is full without it; two pages have room for it.
    assert outcome == {"one-page": "cut", "two-page": "printed"}, outcome


# -- Markings ------------------------------------------------------------------------------

def test_the_banner_is_at_the_top_and_bottom_of_every_page(big):
    """Staff's own marking, on both pages of the two-page briefs and on the one-pagers;
    the public audience has none and prints none."""
    for name, record in records(big["out"]).items():
        pdf = big["out"] / record["path"]
        if record["audience"] == "staff":
            assert_marked(pdf, "UNCLASSIFIED // FOR PUBLIC RELEASE")
        else:
            assert "/marking" not in PdfReader(pdf).metadata, name
            assert not any(b in text_of(pdf) for b in BANNERS), name


def test_a_restrictive_topic_cut_by_the_budget_does_not_raise_the_banner(sample, tmp_path):
    """keepers-history (the staff's least weighty topic) is marked SECRET; six weighty
    recommendations leave it no room on one page. The one-pager stays at the staff's own
    marking; the full paper, which prints the topic, is SECRET."""
    with_levels(sample)
    edit(sample / "topics" / "keepers-history.md", "---\n", "---\nmarking: S\n")
    weighty = "".join(f"  - title: Repair berth {berth} before the winter storms\n"
                      f"    body: {'The berth shelters the ships and must be repaired. ' * 6}\n"
                      "    priority: high\n" for berth in "ABCDEF")
    edit(sample / "briefs" / "harbor-memo.yaml", "recommendations:\n",
         "recommendations:\n" + weighty)
    out = tmp_path / "out"
    build(sample, out, "harbor-memo", "-a", "staff")
    found = records(out)
    one_page = out / found["harbor-memo/staff-one-page"]["path"]
    plan = found["harbor-memo/staff-one-page"]["plan"]
    assert "keepers-history" not in plan["included"]
    assert any(c["what"] == "keepers-history" and c["reason"].startswith("page budget")
               for c in plan["cut"]), plan["cut"]
    assert len(PdfReader(one_page).pages) == 1
    text = text_of(one_page)
    assert "Keepers and their history" not in text and "(S)" not in text
    assert_marked(one_page, "UNCLASSIFIED // FOR PUBLIC RELEASE")
    full = out / found["harbor-memo/staff-full"]["path"]
    assert "(S) Keepers and their history" in text_of(full)
    assert_marked(full, "SECRET")


def test_a_restrictive_key_point_cut_by_the_budget_does_not_raise_the_banner(sample, tmp_path):
    """A long key point marked (CUI): the one-pager (full without it) keeps its topic's
    summary but has no room for the point, and stays unclassified; the two-pager prints the
    point and is CUI."""
    with_levels(sample)
    edit(sample / "topics" / "keepers-history.md", "  - 64% of residents want the light kept, "
         "in a 2019 poll [@tide-poll].", "  - (CUI) 64% of residents want the light kept, in a "
         "2019 poll [@tide-poll]." + " Most said the light guides the ferries home." * 6)
    edit(sample / "briefs" / "harbor-memo.yaml", "lengths: [one-page, full]",
         "lengths: [one-page, two-page]")
    out = tmp_path / "out"
    build(sample, out, "harbor-memo", "-a", "staff")
    found = records(out)
    one_page = out / found["harbor-memo/staff-one-page"]["path"]
    plan = found["harbor-memo/staff-one-page"]["plan"]
    assert plan["included"].get("keepers-history") == "summary", plan
    assert plan["key_points"].get("keepers-history") in ("0 of 2", "1 of 2"), plan
    assert "(CUI)" not in text_of(one_page) and "want the light kept" not in text_of(one_page)
    assert_marked(one_page, "UNCLASSIFIED // FOR PUBLIC RELEASE")
    two_page = out / found["harbor-memo/staff-two-page"]["path"]
    assert "(CUI) 64% of residents want the light kept" in text_of(two_page)
    assert_marked(two_page, "CONTROLLED UNCLASSIFIED INFORMATION")


def test_a_brief_marking_is_printed_on_every_page_and_in_the_metadata(sample, tmp_path):
    """The brief's marking overrides the staff's own and marks the public's unmarked
    documents too, on every page of the one-pager and of the two-page full paper."""
    with_levels(sample)
    edit(sample / "briefs" / "harbor-memo.yaml", "audiences:",
         "marking: CONTROLLED UNCLASSIFIED INFORMATION\naudiences:")
    out = tmp_path / "out"
    build(sample, out, "harbor-memo")
    found = records(out)
    assert len(found) == 4
    pages = 0
    for name, record in found.items():
        pdf = out / record["path"]
        assert_banner_top_and_bottom(pdf, "CONTROLLED UNCLASSIFIED INFORMATION")
        assert PdfReader(pdf).metadata["/marking"] == "CONTROLLED UNCLASSIFIED INFORMATION", name
        pages += len(PdfReader(pdf).pages)
    assert pages > 4, "a document of several pages is among them"
