"""Refuse a PDF that would print a missing-glyph box ("tofu").

When no installed font has a character, WeasyPrint draws the .notdef box and logs one
warning per character while it writes the PDF. Writing is watched for those warnings; a
PDF that has any is not published, and the error points at the content line the
character came from.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from generator.errors import BuildError, Problem
from generator.variants import DEFAULT

NOTDEF = ".notdef glyph rendered"  # the start of WeasyPrint's warning (weasyprint/draw/text.py)
CONTEXT = 30  # characters of the line shown either side of the missing one


@contextmanager
def watch_missing():
    """Collect, in the yielded list, every character WeasyPrint drew as a box."""
    logger = logging.getLogger("weasyprint")
    missing: list[str] = []

    def keep(record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(NOTDEF) and record.args:
            missing.append(str(record.args[0]))
        return False  # collected, never printed: the pipeline reports what matters

    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addFilter(keep)
    try:
        yield missing
    finally:
        logger.removeFilter(keep)
        logger.setLevel(level)


def write_pdf(laid_out, content_root: Path, inputs: dict[str, str], output: str,
              pdf_variant: str = DEFAULT) -> bytes:
    """Write the PDF as a variant (see variants.py); raise BuildError locating each
    character no font has a glyph for."""
    from generator import typeset

    with watch_missing() as missing:
        data = typeset.write_pdf(laid_out, pdf_variant)
    if missing:
        files = [content_root / name.removeprefix("content/") for name in inputs
                 if name.startswith("content/")]
        raise BuildError(locate(list(dict.fromkeys(missing)), files, output))
    return data


def locate(characters: list[str], files: list[Path], output: str) -> list[Problem]:
    """Return one problem per character, at the first content line that holds it."""
    problems = []
    for character in characters:
        where = _find(character, files)
        path, line, text = where if where else (Path(output), 1, "")
        shown = f' in "{_excerpt(text, character)}"' if text else ""
        problems.append(Problem(
            path, line,
            f"no installed font has a glyph for {character!r} (U+{ord(character):04X}){shown}; "
            f"{output} would print an empty box there",
            "write the character another way, or install a font that has it"))
    return problems


def _find(character: str, files: list[Path]) -> tuple[Path, int, str] | None:
    for path in sorted(files):
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, text in enumerate(lines, start=1):
            if character in text:
                return path, number, text
    return None


def _excerpt(text: str, character: str) -> str:
    at = text.index(character)
    start, end = max(0, at - CONTEXT), at + CONTEXT + 1
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
