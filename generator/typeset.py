"""Typeset stage: HTML to PDF with WeasyPrint, reading only the project's own files.

WeasyPrint is imported here and only here, when the first PDF is made: ``brief --help``,
``list`` and ``check`` never pay its import.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from generator.errors import BuildError
from generator.variants import DEFAULT, weasyprint_variant


@dataclass
class Layout:
    """A laid-out document: its page count, ready to be written as PDF."""

    document: object  # weasyprint.document.Document
    pages: int
    words: int = 0
    written: str | None = None  # the variant it was written as: a document is written once

    @property
    def page_height(self) -> float:
        """Return the height of a page's content area (the first page's), in CSS px."""
        return self.document.pages[0]._page_box.height

    @property
    def page_margins(self) -> float:
        """Return the height a page loses to its top and bottom margins, in CSS px."""
        page = self.document.pages[0]._page_box
        return page.margin_height() - page.height

    @property
    def last_page_fill(self) -> float:
        """Return how full the last page's content area is, from 0 to 1.

        Text and footnotes are measured from the laid-out boxes, not estimated.
        """
        page = self.document.pages[-1]._page_box
        return round(min(_used_height(page) / page.height, 1.0), 3) if page.height else 0.0

    @property
    def used_height(self) -> float:
        """Return the height all pages' text and notes take, without page-end gaps."""
        return sum(_used_height(page._page_box) for page in self.document.pages)

    def item_heights(self) -> Items:
        """Return the laid-out height of every element marked ``data-fit``, in document
        order. An element split over pages adds up its pieces."""
        items = Items({}, {}, {})
        for page in self.document.pages:
            _collect_heights(page._page_box, items)
        return items

    def item_notes(self) -> dict[str, dict[int, tuple[str, ...]]]:
        """Return the note marks (``data-note``, ``data-cites``) inside each ``data-fit``
        element, by the innermost element's key ("" for marks outside every such element):
        note number -> the sources it cites."""
        found: dict[str, dict[int, tuple[str, ...]]] = {}
        for page in self.document.pages:
            _collect_notes(page._page_box, "", found)
        return found


def _collect_notes(box, key: str, found: dict) -> None:
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        inner = key
        if element is not None:
            inner = element.get("data-fit") or key
            if element.get("data-note"):
                found.setdefault(inner, {})[int(element.get("data-note"))] = tuple(
                    element.get("data-cites", "").split())
        _collect_notes(child, inner, found)


def _used_height(page) -> float:
    """Return how much of a page's content area its text and footnotes take."""
    top, used = page.content_box_y(), 0.0
    for child in page.children:
        kind = type(child).__name__
        if kind == "FootnoteAreaBox":
            used += child.margin_height()
        elif kind != "MarginBox":
            used += _bottom(child) - top
    return used


def _bottom(box) -> float:
    """Return where a box's content ends: a block split over pages stretches to the page
    foot, so its last child's end is where its text really stops."""
    end = box.position_y + box.margin_height()
    children = getattr(box, "children", ())
    if type(box).__name__ != "BlockBox" or not children:
        return end
    inner = max(_bottom(child) for child in children)
    return min(end, inner + box.padding_bottom + box.border_bottom_width + box.margin_bottom)


@dataclass
class Items:
    """The ``data-fit`` elements of a layout, by key, in document order."""

    heights: dict  # key -> height, gap to the next sibling included
    gaps: dict  # key -> that gap alone: what the item does not cost when nothing follows it
    parents: dict  # key -> a token of its parent element, equal for siblings


def _collect_heights(box, items: Items) -> None:
    """Add up the height of each ``data-fit`` element, gaps to the next sibling included
    (margins between blocks collapse, so the distance between tops is what an item costs)."""
    children = list(getattr(box, "children", ()))
    for index, child in enumerate(children):
        element = getattr(child, "element", None)
        key = element.get("data-fit") if element is not None else None
        if key and element is not getattr(box, "element", None):
            following = children[index + 1] if index + 1 < len(children) else None
            end = following.position_y if following is not None else _bottom(child)
            items.heights[key] = items.heights.get(key, 0.0) + end - child.position_y
            items.gaps[key] = max(0.0, end - _bottom(child))
            items.parents[key] = id(getattr(box, "element", None) or box)
        _collect_heights(child, items)


def make_fetcher(allowed: list[Path], refused: list[str]):
    """Return a URL fetcher that serves files inside the allowed folders only.

    Paths are resolved (symlinks and "..") before the check. WeasyPrint turns a fetcher's
    error into a logged warning, so each refusal is also recorded in ``refused`` for the
    caller to report as an error.
    """
    from weasyprint.urls import URLFetcher

    roots = [folder.resolve() for folder in allowed]

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or not any(path == root or root in path.parents for root in roots):
                refused.append(url)
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(path.as_uri(), headers)

    return ProjectFetcher(allowed_protocols=("file",), allow_redirects=False)


def layout(html: str, base_url: Path, allowed: list[Path]) -> Layout:
    """Lay out the HTML into pages (no PDF is written yet).

    Besides the allowed folders, the fetcher reads the type system's font files.
    """
    import weasyprint

    from generator import fonts

    allowed = [*allowed, *fonts.folders()]
    _quiet_weasyprint()
    refused: list[str] = []
    document = weasyprint.HTML(
        string=html, base_url=str(base_url), url_fetcher=make_fetcher(allowed, refused)
    ).render(font_config=_font_config())
    if refused:
        raise BuildError(f"refused to load {', '.join(refused)}: only files inside the content "
                         "and templates folders are read, and nothing from the network")
    return Layout(document, len(document.pages))


_FONT_CONFIGS: dict[int, object] = {}  # process id -> its WeasyPrint font configuration


def _font_config():
    """Return this process's WeasyPrint font configuration, made at its first layout.

    Every document of a build loads the same @font-face files. One configuration per
    process reads and registers each file once and keeps Pango's font caches warm across
    documents: a default build lays out about 10% faster, and the PDFs are byte-identical.
    Keyed by process: a forked worker makes its own rather than share the parent's
    (whose temporary font folder is the parent's to remove).
    """
    pid = os.getpid()
    if pid not in _FONT_CONFIGS:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIGS[pid] = FontConfiguration()
    return _FONT_CONFIGS[pid]


def forget_fonts() -> None:
    """Have the next layout in this process read the font files again, as they are now
    (a long-running preview may see a template's font replaced under the same name)."""
    _FONT_CONFIGS.pop(os.getpid(), None)


def write_pdf(laid_out: Layout, variant: str = DEFAULT) -> bytes:
    """Serialize a laid-out document to tagged PDF bytes of a variant (see variants.py).

    A document is written once: writing changes it (PDF/A adds its colour profile to the
    document, tagging marks table cells), so a second variant needs a fresh layout.
    """
    from generator.furniture import mark_furniture

    if laid_out.written is not None:
        raise RuntimeError(f"layout already written as {laid_out.written}; lay it out again")
    laid_out.written = variant
    return laid_out.document.write_pdf(
        pdf_variant=weasyprint_variant(variant),
        custom_metadata=True,  # e.g. the marking
        finisher=mark_furniture)  # running headers and page numbers are artifacts


def _quiet_weasyprint() -> None:
    # WeasyPrint logs every refused fetch and unsupported CSS property as a warning; the
    # pipeline reports what matters itself.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
