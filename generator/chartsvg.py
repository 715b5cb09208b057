"""Draw a chart's data as SVG with matplotlib, text kept as text, the same bytes every build.

Why matplotlib: it is the well-kept plotting library (axes, ticks, legends, layout), and
its SVG writer can keep text as <text> in a named font family (``svg.fonttype: none``) and
be made reproducible (``svg.hashsalt``, no Date metadata). The small SVG chart libraries
looked at fell short: pygal gives every chart a random id and embeds scripts; leather has no
grouped bars and little control of text. Matplotlib's cost is its import (about half a
second), so it is imported here only, when a document actually draws a chart, and each
drawing is cached by a hash of its data: in memory, once per build, reused by every output
(the build draws before forking its workers, which inherit it), and on disk between builds,
so a rebuild whose charts did not change never imports matplotlib.

What this module adds to matplotlib's SVG: ids namespaced per chart (two charts on one page
must not share clip paths), a <title> holding the alt text, for screen readers and the
tagged PDF, and no XML prologue, metadata or document-wide <style>, so it can sit inline
in HTML.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from generator.cache import DiskCache
from generator.charts import Data, format_value

WIDTH = 6.5  # inches: the print column (letter or A4 with the print margins), so 1pt = 1pt
# The web page draws its charts narrower and their text larger, shown at most at their own
# size, so that its text stays 11px or more down to a phone's column (a 360px screen less
# the page's margins): a drawing whose labels reach wider is drawn again, narrower.
SCREEN = {"width": 3.6, "font.size": 10.0}
PHONE_COLUMN = 328  # CSS px
SMALLEST_TEXT = 11  # CSS px
PAD = 0.04  # inches of margin the saved drawing keeps around what is drawn
FONT = ["Source Sans 3", "Source Sans Pro", "Noto Sans", "DejaVu Sans"]  # the CSS sans stack
INK, MUTED, RULE = "#1b1f24", "#5a6270", "#c9ced6"
COLOURS = ["#1f3a5f", "#8fa9c8", "#b5651d", "#5a6270"]  # accent first, as in the CSS
STYLE = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, in the document's font
    "svg.hashsalt": "brief",  # clip-path ids from a fixed salt, not a random one
    "font.family": "sans-serif",
    "font.sans-serif": FONT,
    "font.size": 8.5,
    "text.color": INK,
    "axes.labelcolor": MUTED,
    "axes.edgecolor": RULE,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "path.simplify": False,
}

_drawn: dict[str, str] = {}  # data hash -> SVG (ids not yet namespaced)
CACHE = DiskCache(None)  # set by the pipeline: drawings kept between builds


def svg(data: Data, locale: str, chart_id: str, alt: str, prefix: str = "",
        screen: bool = False) -> str:
    """Return the chart as an inline <svg> element, ids starting with ``prefix`` + chart id;
    ``screen``: drawn for the web page rather than the print column. A drawing read from
    the cache is used only if it holds nothing but what this module draws
    (sanitise.svg_is_safe); any other is drawn again and replaced."""
    from generator.sanitise import svg_is_safe

    key = DiskCache.key(data.key(locale) + (":screen" if screen else ""), _drawer())
    if key not in _drawn:
        kept = CACHE.get(key)
        if not (isinstance(kept, str) and svg_is_safe(kept)):
            kept = _clean(_draw(data, locale, screen))
            CACHE.put(key, kept)
        _drawn[key] = kept
    return _label(_drawn[key], f"{prefix}chart-{chart_id}-", alt)


def drawings() -> dict[str, str]:
    """Return every drawing this process made or read, to hand to another process."""
    return dict(_drawn)


def remember(drawn: dict[str, str]) -> None:
    """Keep drawings another process made (see drawings)."""
    _drawn.update(drawn)


def placeholder(alt: str) -> str:
    """Return an empty <svg> in a chart's place, for renders that only check templates."""
    from markupsafe import escape

    return f'<svg class="chart-svg" role="img"><title>{escape(alt)}</title></svg>'


@lru_cache(maxsize=1)
def _drawer() -> list[str]:
    """Return what else a drawing depends on: this code, matplotlib's version and the font
    it measures labels with."""
    from generator import fonts
    from generator.fontinputs import file_digest

    sans = sorted(f"{face.woff.name}:{file_digest(face.woff)}"  # the bytes, not the name
                  for face in fonts.faces() if face.family == FONT[0] and face.woff.exists())
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return [code, _installed("matplotlib"), *sans]


def _installed(package: str) -> str:
    """Return the installed distribution of a package, as its dist-info folder's name
    (name and version): a glob beside the package, where importlib.metadata's search of
    every installed distribution takes about 50 ms in a fresh process."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec and spec.origin:
        found = sorted(Path(spec.origin).parent.parent.glob(f"{package}-*.dist-info"))
        if found:
            return found[-1].name
    from importlib.metadata import version

    return version(package)


def _draw(data: Data, locale: str, screen: bool = False) -> str:
    import io

    import matplotlib

    with matplotlib.rc_context(style(screen)):
        figure = draw_figure(data, locale, screen)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=PAD,
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


def style(screen: bool) -> dict:
    """Return the matplotlib settings a drawing is made and measured with."""
    return {**STYLE, "font.size": SCREEN["font.size"]} if screen else STYLE


def draw_figure(data: Data, locale: str, screen: bool = False):
    """Return the chart as a matplotlib Figure (what the SVG is written from), laid out."""
    import logging

    import matplotlib
    from matplotlib.figure import Figure

    # Until the document's fonts are installed, matplotlib measures with the next family in
    # the stack and says so on every chart; the PDF and the page use the CSS's fonts anyway.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _register_fonts()
    with matplotlib.rc_context(style(screen)):
        width = SCREEN["width"] if screen else WIDTH
        # Inches the saved drawing may span for its text to keep SMALLEST_TEXT in the column.
        # (less a little: the SVG writer measures text a shade wider than Agg does)
        widest = SCREEN["font.size"] * PHONE_COLUMN / SMALLEST_TEXT / 72 - 2 * PAD - 0.1
        for _ in range(4):
            figure = Figure(figsize=(width, _height(data, width)))
            axes = figure.add_subplot()
            DRAWERS[data.type](axes, data, locale)
            if not screen or (spans := _extent(figure).width) <= widest:
                break
            width -= spans - widest + 0.02
    return figure


def _extent(figure):
    """Return the bounding box, in inches, of everything drawn (as the saved SVG crops it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    return figure.get_tightbbox(canvas.get_renderer())


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    """Let matplotlib measure labels with the document's own sans face (the very files
    the PDF embeds), so label widths and spacing match what the reader sees."""
    from matplotlib import font_manager

    from generator import fonts

    for (family, _, _), (path, _) in fonts.print_files().items():
        if family == FONT[0]:
            font_manager.fontManager.addfont(str(path))


def _height(data: Data, width: float) -> float:
    if data.type == "timeline":
        return 3.0  # as tall as its events need: see _timeline
    if data.type == "line":
        return 2.6
    bars = sum(_present(data, index) for index in range(len(data.categories))) \
        if data.type == "grouped-bar" else len(data.categories)
    return 0.75 + 0.3 * bars + 0.12 * len(data.categories)


def _present(data: Data, index: int) -> int:
    """Return how many series have a value for a category (its bars in a group)."""
    return sum(values[index] is not None for _, values in data.series)


def _value_axis(axis, data: Data, locale: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=5, integer=data.unit != "percent"))
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, data.unit, locale)))


def _bars(axes, data: Data, locale: str) -> None:
    """Horizontal bars (long category labels read better beside a bar than under it),
    grouped when there are several series, each bar labelled with its value. A group has a
    bar for each value it has, centred on its label: no empty slot where a value is missing."""
    count = len(data.series)
    height = 0.8 / count
    slots = [[s for s, (_, values) in enumerate(data.series) if values[c] is not None]
             for c in range(len(data.categories))]
    for index, (name, values) in enumerate(data.series):
        shown = [(c + (group.index(index) - (len(group) - 1) / 2) * height, values[c])
                 for c, group in enumerate(slots) if index in group]
        bars = axes.barh([o for o, _ in shown], [v for _, v in shown], height=height * 0.92,
                         color=COLOURS[index % len(COLOURS)], label=name)
        axes.bar_label(bars, labels=[format_value(v, data.unit, locale) for _, v in shown],
                       padding=3, color=INK)
    _category_axis(axes, data)
    _value_axis(axes.xaxis, data, locale)
    if data.axis:
        axes.set_xlabel(data.axis)
    if count > 1:
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=count)


def _stacked(axes, data: Data, locale: str) -> None:
    """Horizontal bars cut into one segment per series, each segment labelled inside with
    its value where it is wide enough, each bar with its total at its end."""
    from matplotlib import colors

    left = [0.0] * len(data.categories)
    totals = [sum(values[c] or 0 for _, values in data.series)
              for c in range(len(data.categories))]
    widest = max(totals) or 1.0
    for index, (name, values) in enumerate(data.series):
        widths = [v or 0.0 for v in values]
        colour = COLOURS[index % len(COLOURS)]
        bars = axes.barh(range(len(data.categories)), widths, left=left, height=0.62,
                         color=colour, label=name, edgecolor="white", linewidth=0.6)
        dark = sum(colors.to_rgb(colour)) < 1.5  # white text on the dark segments
        axes.bar_label(bars, label_type="center", color="white" if dark else INK,
                       labels=[format_value(v, data.unit, locale)
                               if v and v / widest >= 0.12 else "" for v in values])
        left = [a + b for a, b in zip(left, widths)]
    for category, total in enumerate(totals):
        axes.annotate(format_value(total, data.unit, locale), (total, category),
                      xytext=(4, 0), textcoords="offset points", va="center",
                      fontweight="bold", color=INK)
    _category_axis(axes, data)
    _value_axis(axes.xaxis, data, locale)
    if data.axis:
        axes.set_xlabel(data.axis)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(data.series))


def _category_axis(axes, data: Data) -> None:
    import textwrap

    axes.set_yticks(range(len(data.categories)),
                    labels=["\n".join(textwrap.wrap(c, 24)) or c for c in data.categories])
    axes.invert_yaxis()  # the first category at the top, as written
    axes.tick_params(axis="y", length=0)
    axes.spines["left"].set_visible(False)
    axes.grid(axis="x", color=RULE, linewidth=0.5)
    axes.set_axisbelow(True)
    axes.margins(x=0.14)  # room for the value labels


def _line(axes, data: Data, locale: str) -> None:
    positions = range(len(data.categories))
    for index, (name, values) in enumerate(data.series):
        shown = [(p, v) for p, v in zip(positions, values) if v is not None]
        axes.plot([p for p, _ in shown], [v for _, v in shown], marker="o", markersize=3.5,
                  linewidth=1.6, color=COLOURS[index % len(COLOURS)], label=name)
    axes.set_xticks(list(positions), labels=list(data.categories))
    axes.grid(axis="y", color=RULE, linewidth=0.5)
    axes.set_axisbelow(True)
    _value_axis(axes.yaxis, data, locale)
    if data.axis:
        axes.set_ylabel(data.axis)
    if len(data.series) > 1:
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(data.series))


def _timeline(axes, data: Data, locale: str) -> None:
    """A vertical line of events in date order, each dot level with its date and its label
    (wrapped to the width left), so no leader is needed and no two dots or labels meet.
    The space between two events grows with the years between them (up to a limit), so a
    long quiet spell still reads as one. Everything is placed in inches, as printed."""
    import math

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = axes.get_figure()
    width = figure.get_size_inches()[0]
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1)
    axes.axis("off")
    axes.set_xlim(0, width)
    events = sorted(((_year(date), date, _wrapped(label, _label_chars(width)))
                     for date, label in data.events), key=lambda event: event[0])
    date_x = 0.3
    dates = [axes.text(date_x, 0, date, ha="left", va="top", color=COLOURS[0],
                       fontweight="bold") for _, date, _ in events]
    renderer = FigureCanvasAgg(figure).get_renderer()
    label_x = max(d.get_window_extent(renderer).x1 for d in dates) / figure.dpi + 0.1
    labels = [axes.text(label_x, 0, "\n".join(lines), ha="left", va="top", linespacing=1.15)
              for _, _, lines in events]
    line = max(d.get_window_extent(renderer).height for d in dates) / figure.dpi
    tall = [text.get_window_extent(renderer).height / figure.dpi for text in labels]
    tops = [0.1]
    for index in range(1, len(events)):
        years = max(events[index][0] - events[index - 1][0], 0.0)
        tops.append(tops[-1] + tall[index - 1] + 0.05 + 0.04 * min(math.log2(1 + years), 5))
    height = tops[-1] + tall[-1] + 0.1
    figure.set_size_inches(width, height)
    axes.set_ylim(height, 0)  # earliest at the top
    dots = [top + line / 2 for top in tops]
    axes.plot([0.12, 0.12], [dots[0], dots[-1]], color=RULE, linewidth=1.2,
              solid_capstyle="butt")
    for top, dot, date, label in zip(tops, dots, dates, labels):
        date.set_y(top)
        label.set_y(top)
        axes.plot([0.12], [dot], marker="o", markersize=4.5, color=COLOURS[0],
                  markeredgewidth=0)


def _label_chars(width: float) -> int:
    """Return how many characters of a timeline label fit on one line of a drawing this
    wide (inches), at the text size in force (about half an em a character)."""
    import matplotlib

    size = matplotlib.rcParams["font.size"]
    return max(16, int((width - 0.85) * 72 / (size * 0.5)))


def _wrapped(label: str, chars: int) -> list[str]:
    import textwrap

    return textwrap.wrap(label, chars) or [label]


def _year(date: str) -> float:
    """Return a date (YYYY, YYYY-MM or YYYY-MM-DD) as a fractional year, to place it."""
    parts = [int(p) for p in date.split("-")]
    month = parts[1] if len(parts) > 1 else 1
    day = parts[2] if len(parts) > 2 else 1
    return parts[0] + (month - 1) / 12 + (day - 1) / 365


DRAWERS = {"bar": _bars, "grouped-bar": _bars, "stacked-bar": _stacked, "line": _line,
           "timeline": _timeline}

_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_NOISE = re.compile(r"\s*<metadata>.*?</metadata>|\s*<style[^>]*>.*?</style>|\s*<!--.*?-->",
                    re.DOTALL)
_ROOT = re.compile(r"<svg\b[^>]*>")


def _clean(text: str) -> str:
    """Keep the <svg> element alone: no XML prologue, metadata, comments, or <style>, whose
    selector (*) would reach the whole HTML page once the SVG is inline."""
    text = _NOISE.sub("", _PROLOGUE.sub("", text, count=1)).strip()
    root = _ROOT.match(text).group(0)
    size = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt" viewBox="([^"]+)"', root)
    width, height, box = size.groups()
    opened = (f'<svg xmlns="http://www.w3.org/2000/svg" '
              f'xmlns:xlink="http://www.w3.org/1999/xlink" class="chart-svg" '
              f'width="{width}pt" height="{height}pt" viewBox="{box}" '
              'stroke-linejoin="round" stroke-linecap="butt" role="img" '
              'aria-labelledby="@title">')
    return opened + _presentation(text[len(root):])


_STYLE = re.compile(r'\bstyle="([^"]*)"')


def _presentation(text: str) -> str:
    """Turn matplotlib's style attributes into SVG presentation attributes (fill="...",
    font-size="..."): the HTML page's Content-Security-Policy blocks inline style
    attributes, and WeasyPrint reads both forms alike."""
    def attributes(match: re.Match) -> str:
        pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
        return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)

    return _STYLE.sub(attributes, text)


_ID = re.compile(r'(\bid="|url\(#|href="#)')


def _label(text: str, namespace: str, alt: str) -> str:
    """Namespace every id and reference, and give the SVG its alt text as its <title>: the
    accessible name on the page (aria-labelledby) and the /Alt of the tagged PDF's Figure,
    which WeasyPrint takes from the <title>. The figure's visible caption names it."""
    from markupsafe import escape

    text = _ID.sub(lambda match: match.group(1) + namespace, text)
    text = text.replace("@title", f"{namespace}title", 1)
    head, _, rest = text.partition(">")
    return f'{head}><title id="{namespace}title">{escape(alt)}</title>{rest}'


def png(data: Data, locale: str, dpi: int = 200) -> bytes:
    """Return the chart drawn as a PNG (for Word files), the same bytes every build: the
    same drawing as the SVG, rasterized with the document's sans face."""
    import io
    import logging

    import matplotlib
    from matplotlib.figure import Figure

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _register_fonts()
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, _height(data, WIDTH)))
        DRAWERS[data.type](figure.add_subplot(), data, locale)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.04,
                       metadata={"Software": None})
    return buffer.getvalue()
