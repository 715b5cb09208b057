"""PDF variants: the standards a PDF output claims, by the names users type.

Every variant is tagged (structure tree, language, title, alt text, bookmarks), so the
choice is only which conformance the file declares. WeasyPrint writes one conformance
identification per file, so a file cannot declare PDF/UA and PDF/A at once.
"""

from __future__ import annotations

DEFAULT = "ua"

# name -> (WeasyPrint's pdf_variant, what users are told it is)
VARIANTS = {
    "ua": ("pdf/ua-1", "PDF/UA-1, accessible"),
    "a": ("pdf/a-2a", "PDF/A-2a, archival, tagged to PDF/A's accessible level (declares "
                      "PDF/A only)"),
}


def weasyprint_variant(name: str) -> str:
    """Return WeasyPrint's name of a variant ('ua' -> 'pdf/ua-1')."""
    return VARIANTS[name][0]


def help_text() -> str:
    """Return one line per variant, for the command line's help."""
    return "; ".join(f"{name} = {text}" for name, (_, text) in VARIANTS.items())
