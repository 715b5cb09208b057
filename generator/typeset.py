"""Typeset stage: HTML to PDF with WeasyPrint, reading only the project's own files.

WeasyPrint is imported here and only here, when the first PDF is made: ``brief --help``,
``list`` and ``check`` never pay its import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from generator.errors import BuildError


@dataclass
class Layout:
    """A laid-out document: its page count, ready to be written as PDF."""

    document: object  # weasyprint.document.Document
    pages: int
    words: int = 0

    @property
    def last_page_fill(self) -> float:
        """Return how full the last page's content area is, from 0 to 1.

        Text and footnotes are measured from the laid-out boxes, not estimated.
        """
        page = self.document.pages[-1]._page_box
        top, height = page.content_box_y(), page.height
        used = 0.0
        for child in page.children:
            kind = type(child).__name__
            if kind == "FootnoteAreaBox":
                used += child.margin_height()
            elif kind != "MarginBox":
                used += child.position_y + child.margin_height() - top
        return round(min(used / height, 1.0), 3) if height else 0.0


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
    """Lay out the HTML into pages (no PDF is written yet)."""
    import weasyprint

    _quiet_weasyprint()
    refused: list[str] = []
    document = weasyprint.HTML(
        string=html, base_url=str(base_url), url_fetcher=make_fetcher(allowed, refused)
    ).render()
    if refused:
        raise BuildError(f"refused to load {', '.join(refused)}: only files inside the content "
                         "and templates folders are read, and nothing from the network")
    return Layout(document, len(document.pages))


def write_pdf(laid_out: Layout) -> bytes:
    """Serialize a laid-out document to PDF bytes."""
    return laid_out.document.write_pdf()


def fonts_used(laid_out: Layout) -> dict[str, str]:
    """Return {"fonts/<family> <weight> <style>": sha256 of the font file} after writing."""
    import hashlib

    used = {}
    for font in laid_out.document.fonts.values():
        name = f"fonts/{font.family} {font.weight} {font.style}"
        used[name] = hashlib.sha256(font.file_content).hexdigest()
    return dict(sorted(used.items()))


def _quiet_weasyprint() -> None:
    # WeasyPrint logs every refused fetch and unsupported CSS property as a warning; the
    # pipeline reports what matters itself.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
