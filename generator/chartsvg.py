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


def svg(data: Data, locale: str, chart_id: str, alt: str, prefix: str = "") -> str:
    """Return the chart as an inline <svg> element, ids starting with ``prefix`` + chart id.
    A drawing read from the cache is used only if it holds nothing but what this module
    draws (sanitise.svg_is_safe); any other is drawn again and replaced."""
    from generator.sanitise import svg_is_safe

    key = DiskCache.key(data.key(locale), _drawer())
    if key not in _drawn:
        kept = CACHE.get(key)
        if not (isinstance(kept, str) and svg_is_safe(kept)):
            kept = _clean(_draw(data, locale))
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


def _draw(data: Data, locale: str) -> str:
    import io
    import logging

    import matplotlib
    from matplotlib.figure import Figure

    # Until the document's fonts are installed, matplotlib measures with the next family in
    # the stack and says so on every chart; the PDF and the page use the CSS's fonts anyway.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _register_fonts()
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, _height(data)))
        axes = figure.add_subplot()
        DRAWERS[data.type](axes, data, locale)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.04,
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    """Let matplotlib measure labels with the document's own sans face (the very files
    the PDF embeds), so label widths and spacing match what the reader sees."""
    from matplotlib import font_manager

    from generator import fonts

    for (family, _, _), (path, _) in fonts.print_files().items():
        if family == FONT[0]:
            font_manager.fontManager.addfont(str(path))


def _height(data: Data) -> float:
    if data.type == "timeline":
        return max(3.0, 0.24 * len(data.events) + 0.5)
    if data.type == "line":
        return 2.6
    bars = len(data.categories) * (len(data.series) if data.type == "grouped-bar" else 1)
    return 0.75 + 0.3 * bars + 0.12 * len(data.categories)


def _value_axis(axis, data: Data, locale: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=5, integer=data.unit != "percent"))
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, data.unit, locale)))


def _bars(axes, data: Data, locale: str) -> None:
    """Horizontal bars (long category labels read better beside a bar than under it),
    grouped when there are several series, each bar labelled with its value."""
    count = len(data.series)
    height = 0.8 / count
    for index, (name, values) in enumerate(data.series):
        offsets = [c + (index - (count - 1) / 2) * height for c in range(len(data.categories))]
        shown = [(o, v) for o, v in zip(offsets, values) if v is not None]
        bars = axes.barh([o for o, _ in shown], [v for _, v in shown], height=height * 0.92,
                         color=COLOURS[index % len(COLOURS)], label=name)
        axes.bar_label(bars, labels=[format_value(v, data.unit, locale) for _, v in shown],
                       padding=3, fontsize=8, color=INK)
    axes.set_yticks(range(len(data.categories)), labels=list(data.categories))
    axes.invert_yaxis()  # the first category at the top, as written
    axes.tick_params(axis="y", length=0)
    axes.spines["left"].set_visible(False)
    axes.grid(axis="x", color=RULE, linewidth=0.5)
    axes.set_axisbelow(True)
    axes.margins(x=0.12)  # room for the value labels
    _value_axis(axes.xaxis, data, locale)
    if data.axis:
        axes.set_xlabel(data.axis)
    if count > 1:
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=count)


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
    """A vertical time axis drawn to scale, each event's label beside it; labels that would
    collide are spread apart and joined to their date by a thin leader."""
    events = sorted(((_year(date), date, label) for date, label in data.events),
                    key=lambda event: event[0])
    first, last = events[0][0], events[-1][0]
    span = max(last - first, 1.0)
    places = _spread([year for year, _, _ in events], gap=span / max(len(events) * 1.15, 1))
    date_width = 0.07 * max(len(date) for _, date, _ in events) + 0.05
    axes.plot([0, 0], [first, last], color=RULE, linewidth=1.2, solid_capstyle="butt")
    for (year, date, label), place in zip(events, places):
        axes.plot([0], [year], marker="o", markersize=4, color=COLOURS[0])
        axes.plot([0.02, 0.1], [year, place], color=RULE, linewidth=0.6)
        axes.text(0.12, place, date, ha="left", va="center", color=COLOURS[0],
                  fontsize=8.5, fontweight="bold")
        axes.text(0.12 + date_width, place, label, ha="left", va="center", fontsize=8.5)
    axes.set_xlim(-0.05, 3.6)
    axes.set_ylim(last + span * 0.04, first - span * 0.04)  # earliest at the top
    axes.axis("off")


def _year(date: str) -> float:
    """Return a date (YYYY, YYYY-MM or YYYY-MM-DD) as a fractional year, to place it."""
    parts = [int(p) for p in date.split("-")]
    month = parts[1] if len(parts) > 1 else 1
    day = parts[2] if len(parts) > 2 else 1
    return parts[0] + (month - 1) / 12 + (day - 1) / 365


def _spread(wanted: list[float], gap: float) -> list[float]:
    """Return label positions as near as possible to the wanted ones, at least gap apart
    (wanted in increasing order): push down, then centre each crowded run on its dates."""
    places = list(wanted)
    for _ in range(len(places)):
        for i in range(1, len(places)):
            places[i] = max(places[i], places[i - 1] + gap)
        runs, start = [], 0
        for i in range(1, len(places) + 1):
            if i == len(places) or places[i] - places[i - 1] > gap + 1e-9:
                runs.append((start, i))
                start = i
        moved = False
        for begin, end in runs:
            shift = sum(wanted[begin:end]) / (end - begin) - sum(places[begin:end]) / (end - begin)
            if begin > 0:
                shift = max(shift, places[begin - 1] + gap - places[begin])
            if abs(shift) > 1e-9:
                places[begin:end] = [p + shift for p in places[begin:end]]
                moved = True
        if not moved:
            break
    return places


DRAWERS = {"bar": _bars, "grouped-bar": _bars, "line": _line, "timeline": _timeline}

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
        figure = Figure(figsize=(WIDTH, _height(data)))
        DRAWERS[data.type](figure.add_subplot(), data, locale)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.04,
                       metadata={"Software": None})
    return buffer.getvalue()
