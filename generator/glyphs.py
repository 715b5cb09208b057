"""Refuse a PDF that would print a missing-glyph box ("tofu").

When no installed font has a character, WeasyPrint draws the .notdef box and logs one
warning per character while it writes the PDF. Writing is watched for those warnings; a
PDF that has any is not published, and the error points at the content line the
character came from. ``brief check`` finds the same characters ahead, without laying
anything out: every character of the content is looked up in the type system's own
ranges, then in fontconfig, whose fonts WeasyPrint falls back on.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import subprocess
import unicodedata
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


# Drawn without a glyph of their own: controls, format marks (soft hyphen, joiners), spaces.
GLYPHLESS = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def check_coverage(content):
    """Start checking that some font has every character of the content; return a function
    giving a problem for each character none has, at the first line holding it in each
    file: what writing the PDF of a document that prints it fails on. fontconfig answers
    meanwhile, in a process of its own; without its tools nothing can be known, and no
    problem is given."""
    from generator import fonts

    found = _characters(content)
    ranges = _ranges(",".join(face.ranges for face in fonts.faces()))
    wanted = {c for characters in found.values() for c in characters
              if c > "~" and unicodedata.category(c) not in GLYPHLESS
              and not _covered(ranges, ord(c))}
    if not wanted:
        return list
    codes = " ".join(f"{ord(c):x}" for c in sorted(wanted))
    try:  # usually one font has them all (Noto CJK): one quick question
        question = _fc_list(f":charset={codes}", "family")
    except OSError:
        return list

    def problems() -> list[Problem]:
        missing = _without_font(wanted, question)
        return [_no_glyph(character, where) for (path, start), characters in sorted(found.items())
                for character in sorted(missing & characters)
                if (where := _find_from(character, path, start))]

    return problems


def _no_glyph(character: str, where: tuple[Path, int, str]) -> Problem:
    path, line, text = where
    return Problem(path, line,
                   f"no installed font has a glyph for {character!r} (U+{ord(character):04X})"
                   f' in "{_excerpt(text, character)}"; a PDF printing it would fail to build',
                   "write the character another way, or install a font that has it")


def _characters(content) -> dict[tuple[Path, int], set[str]]:
    """Return every character of the content's text, by the file (and the line in it) of
    the item it belongs to."""
    found: dict[tuple[Path, int], set[str]] = {}
    for kind in ("settings", "lengths", "audiences", "topics", "briefs", "sources", "packs",
                 "facts", "charts"):
        items = getattr(content, kind)
        if kind == "settings":
            entries = [((content.root / "settings.yaml", 1), items)]
        else:
            entries = [((item.origin.path, item.origin.line), item) for item in items.values()
                       if getattr(item, "origin", None) is not None]
        for where, item in entries:
            characters = found.setdefault(where, set())
            for text in _texts(item):
                characters.update(text)
    return found


def _texts(value):
    """Yield every string in a model value (its fields, lists and mappings)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            if field.name not in ("origin", "lines"):
                yield from _texts(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def _ranges(text: str) -> list[tuple[int, int]]:
    """Return sorted, merged code point ranges from CSS unicode-range or fontconfig text
    ("U+0100-017F, U+0131" or "100-17f 131")."""
    spans = []
    for token in text.replace(",", " ").split():
        low, _, high = token.upper().removeprefix("U+").partition("-")
        if "?" in low:  # a CSS wildcard: U+4?? is 400-4FF
            low, high = low.replace("?", "0"), low.replace("?", "F")
        try:
            spans.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


def _covered(ranges: list[tuple[int, int]], code: int) -> bool:
    at = bisect.bisect_right(ranges, (code, float("inf"))) - 1
    return at >= 0 and ranges[at][0] <= code <= ranges[at][1]


def _without_font(characters: set[str], question: subprocess.Popen) -> set[str]:
    """Return the characters no font fontconfig knows has, given its answer to whether one
    font has them all (none, if fontconfig cannot answer)."""
    try:
        answer, _ = question.communicate(timeout=60)
        if question.returncode != 0 or answer.strip():
            return set()
        listing = _fc_list("--format=%{charset}\n")
        listed, _ = listing.communicate(timeout=60)
    except (OSError, subprocess.SubprocessError):
        return set()
    if listing.returncode != 0:
        return set()
    ranges = _ranges(listed)
    return {c for c in characters if not _covered(ranges, ord(c))}


def _fc_list(*args: str) -> subprocess.Popen:
    return subprocess.Popen(["fc-list", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)


def _find_from(character: str, path: Path, start: int) -> tuple[Path, int, str] | None:
    """Return the first line from start (else from the top) of path holding character."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    numbered = list(enumerate(lines, start=1))
    for number, text in numbered[start - 1:] + numbered[:start - 1]:
        if character in text:
            return path, number, text
    return None
