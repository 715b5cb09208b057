"""Charts from data: drawn as SVG with text as text, cited, reproducible, checked, and free
for builds that have none."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import taggedpdf
import yaml
from conftest import ROOT, SAMPLE, TEMPLATES, run
from pypdf import PdfReader

CHART = """type: grouped-bar
title: Harbor spending by year
alt: >
  Grouped bars: the breakwater took 12 million dollars in 2019 and 15 million in 2020;
  the light took 2 million in each year.
caption: Millions of dollars, as budgeted.
unit: count
axis: Millions of dollars
categories: [Breakwater repairs, Running the light, Dredging the channel]
series:
  - name: Budget 2019
    values: [12, 2, 4]
  - name: Budget 2020
    values: [15, 2, ~]
sources:
  - {source: harbor-report, locator: p. 12}
"""

TIMELINE = """type: timeline
title: Keepers of the light
alt: The light was built in 1895, automated in 1988, and restored in 2016.
events:
  - {date: 1895, label: Lighthouse first lit}
  - {date: 1988, label: Last keeper leaves}
  - {date: 2016-05, label: Lantern room restored}
sources: [keeper-article]
"""


def add_chart(content: Path, chart_id: str = "harbor-spending", text: str = CHART,
              topic: str = "lighthouse-costs") -> None:
    """Write a chart file and place it at the end of a topic's body."""
    (content / "charts").mkdir(exist_ok=True)
    (content / "charts" / f"{chart_id}.yaml").write_text(text)
    path = content / "topics" / f"{topic}.md"
    path.write_text(path.read_text() + f"\n{{chart:{chart_id}}}\n")


def build(runner, content: Path, out: Path, fmt: str, brief: str = "harbor-memo",
          audience: str = "staff"):
    result = run(runner, content, "build", brief, "-a", audience, "-l", "full", "-f", fmt,
                 "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    return out / brief / f"{audience}-full.{fmt}"


class _Figures(HTMLParser):
    """Collect each chart figure's SVG attributes, <title> (its alt text) and data table."""

    def __init__(self):
        super().__init__()
        self.figures: list[dict] = []
        self.ids: list[str] = []
        self._open: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "figure" and "chart" in (attrs.get("class") or "").split():
            self.figures.append({"svg": None, "title": "", "rows": []})
        elif self.figures and tag == "svg":
            self.figures[-1]["svg"] = attrs
        elif self.figures and tag == "tr":
            self.figures[-1]["rows"].append([])
        elif self.figures and tag in ("th", "td"):
            self._cell = []
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self.figures:
            self.figures[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self.figures and self._open and self._open[-1] == "title":
            self.figures[-1][self._open[-1]] += data


def figures_of(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    return parser


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


def test_pdf_carries_the_chart_labels_as_text(runner, sample, tmp_path):
    add_chart(sample)
    pdf = build(runner, sample, tmp_path / "out", "pdf")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    text = re.sub(r"\s+", " ", text)
    # Category and series names exist only inside the SVG: the PDF shows no table.
    for label in ("Breakwater repairs", "Dredging the channel", "Budget 2020",
                  "Millions of dollars"):
        assert label in text, label
    assert "Figure 1. Harbor spending by year" in text
    assert "Source: Harbor Research Service" in text
    figures = [e for e in taggedpdf.read(pdf).root.walk() if e.tag == "Figure"]
    alt = " ".join(yaml.safe_load(CHART)["alt"].split())
    assert alt in [" ".join((f.alt or "").split()) for f in figures]  # tagged, with its alt


def test_html_has_an_inline_svg_with_title_and_a_table_equal_to_the_data(
        runner, sample, tmp_path):
    add_chart(sample)
    page = build(runner, sample, tmp_path / "out", "html").read_text()
    found = figures_of(page).figures
    assert len(found) == 1
    figure = found[0]
    data = yaml.safe_load(CHART)
    assert figure["svg"]["role"] == "img"
    title_id = figure["svg"]["aria-labelledby"]
    assert f'<title id="{title_id}">' in page
    assert " ".join(figure["title"].split()) == " ".join(data["alt"].split())
    header, *rows = figure["rows"]
    assert header == ["", *(s["name"] for s in data["series"])]
    expected = [[category, *("—" if s["values"][i] is None else f"{s['values'][i]:,}"
                             for s in data["series"])]
                for i, category in enumerate(data["categories"])]
    assert rows == expected


def test_two_charts_on_one_page_share_no_id(runner, sample, tmp_path):
    add_chart(sample)
    add_chart(sample, "keepers", TIMELINE, topic="keepers-history")
    page = build(runner, sample, tmp_path / "out", "html").read_text()
    parsed = figures_of(page)
    assert len(parsed.figures) == 2
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    for svg in svgs(page):  # every reference points at an id of its own chart
        own = set(re.findall(r'\bid="([^"]+)"', svg))
        refs = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
        assert refs <= own


def test_svg_is_byte_identical_across_builds_and_carries_no_date(sample, tmp_path):
    add_chart(sample)
    add_chart(sample, "keepers", TIMELINE, topic="keepers-history")
    pages = []
    for attempt in ("a", "b"):  # separate processes: nothing cached between them
        out = tmp_path / attempt
        subprocess.run([sys.executable, "-m", "generator", "--content", str(sample),
                        "--templates", str(TEMPLATES), "build", "harbor-memo", "-a", "staff",
                        "-l", "full", "-f", "html", "-o", str(out), "-j", "1"],
                       check=True, capture_output=True, cwd=ROOT)
        pages.append(svgs((out / "harbor-memo" / "staff-full.html").read_text()))
    assert len(pages[0]) == 2
    assert pages[0] == pages[1]
    for svg in pages[0]:
        assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d", svg)
        assert "<metadata" not in svg and "Date" not in svg
        assert "<text" in svg and "Source Sans 3" in svg  # text kept as text, in our font


def test_an_author_adds_a_chart_to_the_default_content_without_code(runner, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    add_chart(content, "okinawa-share", """type: line
title: A line the author drew
alt: Eighty-five facilities in Japan, thirty-three of them on Okinawa.
unit: count
categories: [All of Japan, Okinawa]
series:
  - name: Facilities
    values: [{fact: usfj-exclusive-facilities}, {fact: usfj-okinawa-facilities}]
""", topic="us-japan-alliance")
    assert run(runner, content, "check", "--strict").exit_code == 0
    page = build(runner, content, tmp_path / "out", "html", "trilateral-alliance",
                 "us-congress").read_text()
    titles = re.findall(r'<span class="figure-title">([^<]*)</span>', page)
    assert "A line the author drew" in titles
    assert len(titles) == len(list((ROOT / "content" / "charts").glob("*.yaml"))) + 1


def _imports_matplotlib(content: Path, out: Path, cache: Path) -> bool:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from generator.cli import main\n"
        f"r = CliRunner().invoke(main, ['--content', {str(content)!r}, '--templates', "
        f"{str(TEMPLATES)!r}, 'build', 'harbor-memo', '-a', 'staff', '-l', 'full', "
        f"'-f', 'html', '-o', {str(out)!r}, '-j', '1'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=True,
                          env={**os.environ, "BRIEF_CACHE_DIR": str(cache)})
    return done.stdout.strip().splitlines()[-1] == "True"


def test_a_build_without_charts_never_imports_the_chart_library(sample, tmp_path):
    assert not _imports_matplotlib(SAMPLE, tmp_path / "plain", tmp_path / "cache")
    add_chart(sample)  # and the check can tell: with a chart, it is imported
    assert _imports_matplotlib(sample, tmp_path / "charted", tmp_path / "cache")


def test_a_drawing_is_kept_so_a_rebuild_never_imports_the_chart_library(sample, tmp_path):
    add_chart(sample)
    assert _imports_matplotlib(sample, tmp_path / "first", tmp_path / "cache")
    first = (tmp_path / "first" / "harbor-memo" / "staff-full.html").read_text("utf-8")
    assert not _imports_matplotlib(sample, tmp_path / "second", tmp_path / "cache")
    assert (tmp_path / "second" / "harbor-memo" / "staff-full.html").read_text("utf-8") == first
    data = sample / "charts" / "harbor-spending.yaml"
    data.write_text(data.read_text("utf-8").replace("[12, 2, 4]", "[13, 2, 4]"), "utf-8")
    assert _imports_matplotlib(sample, tmp_path / "third", tmp_path / "cache")  # drawn again


def test_a_chart_outside_a_topic_body_is_refused_with_its_line(runner, sample):
    add_chart(sample)
    path = sample / "topics" / "harbor-overview.md"
    text = path.read_text().replace("summary: >\n", "summary: >\n  {chart:harbor-spending}\n", 1)
    path.write_text(text)
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    line = text.splitlines().index("summary: >") + 1  # a folded field: the line of its key
    assert (f"topics/harbor-overview.md:{line}: {{chart:harbor-spending}} in a topic's "
            "headline, summary or key points") in result.stderr


def test_a_chart_inside_a_sentence_is_refused_with_its_line(runner, sample):
    add_chart(sample)
    path = sample / "topics" / "lighthouse-costs.md"
    path.write_text(path.read_text() + "\nAs {chart:harbor-spending} shows, costs rose.\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    line = path.read_text().splitlines().index("As {chart:harbor-spending} shows, costs rose.")
    assert f"lighthouse-costs.md:{line + 1}: {{chart:harbor-spending}} must stand alone" \
        in result.stderr


def test_a_budgeted_full_length_measures_the_chart_with_its_body(runner, sample, tmp_path):
    (sample / "lengths.yaml").write_text(
        (sample / "lengths.yaml").read_text()
        + "two-page-full:\n  label: Two pages, in full\n  pages: 2\n  detail: full\n")
    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace("lengths: [one-page, full]",
                                               "lengths: [one-page, two-page-full, full]"))
    add_chart(sample)
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "-a", "staff", "-l", "two-page-full",
                 "-f", "pdf", "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    pages = PdfReader(out / "harbor-memo" / "staff-two-page-full.pdf").pages
    assert len(pages) <= 2
    text = " ".join(page.extract_text() for page in pages)
    assert "Breakwater repairs" in text  # the chart fitted, and was drawn


FLOOD = ROOT / "tests" / "fixtures" / "flood-bonds"


def every_chart_data():
    """Yield (name, data) of every chart of the default content and the fixtures, with the
    labels an audience with terms gives them, and of this file's own charts."""
    from generator import charts
    from generator.load import load_content
    from generator.models import Chart

    for root in (ROOT / "content", FLOOD):
        content = load_content(root).content
        for chart in content.charts.values():
            yield chart.id, charts.resolve(chart, content.facts)
    for name, text in (("harbor", CHART), ("keepers", TIMELINE)):
        data = yaml.safe_load(text)
        chart = Chart(id=name, origin=None, **data)
        yield name, charts.resolve(chart, {})


def text_boxes(figure, screen: bool = False):
    """Return (text, box) of every visible, non-empty text of a drawn figure, in pixels,
    measured with the fonts it is written with."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from generator import chartsvg

    with matplotlib.rc_context(chartsvg.style(screen)):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # lays out what is placed at drawing time (the legend)
        renderer = canvas.get_renderer()
        return [(t.get_text(), t.get_window_extent(renderer))
                for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_no_two_labels_of_any_chart_overlap_in_print_or_on_screen():
    from generator import chartsvg

    drawn = 0
    for name, data in every_chart_data():
        for screen in (False, True):
            boxes = text_boxes(chartsvg.draw_figure(data, "en-US", screen), screen)
            for index, (text, box) in enumerate(boxes):
                for other, other_box in boxes[index + 1:]:
                    overlap = min(box.x1, other_box.x1) - max(box.x0, other_box.x0), \
                        min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
                    assert min(overlap) <= 0.5, (name, screen, text, other)
            drawn += 1
    assert drawn >= 2 * 8


def test_timeline_dots_never_touch_and_sit_level_with_their_dates():
    from matplotlib.lines import Line2D

    from generator import chartsvg

    for name, data in every_chart_data():
        if data.type != "timeline":
            continue
        figure = chartsvg.draw_figure(data, "en-US")
        dots = [line for line in figure.findobj(Line2D) if line.get_marker() == "o"]
        assert len(dots) == len(data.events)
        centres = sorted(float(dot.get_ydata()[0]) for dot in dots)  # inches
        size = dots[0].get_markersize() / 72
        assert all(b - a > size for a, b in zip(centres, centres[1:])), name
        boxes = {text: box for text, box in text_boxes(figure)}
        for date, _ in data.events:  # each dot at the height of its date
            box = boxes[date]
            assert any(box.y0 <= figure.dpi * (figure.get_size_inches()[1] - y) <= box.y1
                       for y in centres), (name, date)
        slanted = [line for line in figure.findobj(Line2D) if len(line.get_xdata()) == 2
                   and line.get_xdata()[0] != line.get_xdata()[1]
                   and line.get_ydata()[0] != line.get_ydata()[1]]
        assert not slanted, "a leader is drawn: leaders can cross"


def test_a_grouped_bar_chart_leaves_no_empty_slot_and_labels_its_bars():
    """A category with a value missing from one series has one bar, centred on its label."""
    from matplotlib.patches import Rectangle

    from generator import chartsvg

    data = dict(every_chart_data())["views-japan-russia-2017"]
    figure = chartsvg.draw_figure(data, "en-US")
    axes = figure.axes[0]
    bars = [p for p in axes.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    assert len(bars) == 4  # 3 favourable, 1 unfavourable: none drawn for the missing two
    for position in axes.get_yticks()[1:]:  # the age groups: one bar each, on its label
        centres = [b.get_y() + b.get_height() / 2 for b in bars
                   if abs(b.get_y() + b.get_height() / 2 - position) < 0.5]
        assert len(centres) == 1 and abs(centres[0] - position) < 1e-9


def test_a_stacked_bar_chart_is_drawn_with_its_totals_and_tabled(runner, tmp_path):
    page = build(runner, FLOOD, tmp_path / "out", "html", "flood-bonds", "residents-de")
    figure = figures_of(page.read_text()).figures[0]
    header, *rows = figure["rows"]
    assert header == ["", "City’s share", "State’s share", "Total"]
    assert rows[0] == ["Full seawall", "35", "25", "60"]
    svg = svgs(page.read_text())[0]
    for label in ("City’s share", "Full seawall", ">60<", ">35<"):
        assert label in svg, label
    pdf = build(runner, FLOOD, tmp_path / "out", "pdf", "flood-bonds", "residents-de")
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "City’s share" in text and "Living shoreline" in text
    assert "City's" not in text  # chart text takes the prose's curly apostrophes


def test_a_stacked_bar_with_a_negative_segment_is_refused_with_its_line(runner, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FLOOD, content)
    chart = content / "charts" / "cost-options.yaml"
    chart.write_text(chart.read_text().replace("[25, 20, 10]", "[25, -20, 10]")
                     .replace("unit: count", 'unit: "${value} million"'))  # allows -20
    result = run(runner, content, "check")
    assert result.exit_code == 1
    line = chart.read_text().splitlines().index("    values: [25, -20, 10]") + 1
    assert f"cost-options.yaml:{line}: a stacked bar cannot stack -20" in result.stderr
