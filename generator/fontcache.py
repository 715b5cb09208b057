"""Plain TrueType copies of the type system's WOFF files, made once, for the PDF.

WeasyPrint decompresses a WOFF or WOFF2 font every time a document loads it, which costs
each layout (the fitter lays out every output at least twice). Decompressed once with
fontTools, the subsets of each face merged into one file (see merged_copy), and kept
in the cache folder (``fonts`` under generator/cache.py's cache_root), the fonts load as
they are. A copy is named by a digest of its source and of the fontTools version, so a new
font release or converter makes a new copy; copies are written atomically, so parallel
workers may convert at once. The digest of each copy's bytes is kept beside it and checked
before the copy is used: a damaged or replaced copy is made again.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from generator.cache import DiskCache, DiskTable, keep_file, kept_file


UNICODE_RANGES = re.compile(r"(?:U\+[0-9A-F]{1,6}(?:-[0-9A-F]{1,6})?(?:,(?!$)|$))*")

# Part of each copy's name: a change to how copies are made must not reuse older copies.
RECIPE = b"merged, dated from the sources"


def folder() -> Path | None:
    """Return the folder the copies live in (None when the cache is turned off)."""
    return DiskCache.of_kind("fonts").folder


@lru_cache(maxsize=1)
def _covered_table() -> DiskTable:
    """Ranges found, kept beside the copies: reading a font's cmap takes a while."""
    found = folder()
    return DiskTable(None if found is None else found / "covered.json")


def merged_copy(woffs: list[Path]) -> Path:
    """Return one plain TrueType font merged from a face's subset files (WOFF), made on
    first use.

    One file per face, not per subset: WeasyPrint names a PDF font after its family,
    weight and style, and embeds only the first file of fonts so named, so characters
    taken from a second subset's file would print as the wrong glyphs.
    With the cache turned off, the merged font is made again in each process (in memory,
    under a temporary folder).
    """
    import fontTools

    sources = b"".join(hashlib.sha256(w.read_bytes()).digest() for w in woffs)
    digest = hashlib.sha256(sources + fontTools.version.encode() + RECIPE).hexdigest()[:16]
    target = (folder() or _scratch()) / f"{woffs[0].stem}-{digest}.ttf"
    if kept_file(target) is None:
        from fontTools.merge import Merger  # a tenth of a second to import: only to merge

        font = Merger().merge([str(w) for w in woffs])
        font.flavor = None  # write the tables as a plain sfnt
        # The merger stamps head.created and head.modified with the time of the merge (and
        # saving would stamp head.modified again): the sources' own dates instead keep the
        # copy, and so every PDF, byte-identical wherever and whenever it is made.
        font["head"].created, font["head"].modified = source_dates(woffs)
        font.recalcTimestamp = False
        out = BytesIO()
        font.save(out)
        keep_file(target, out.getvalue())
        if kept_file(target) is None:  # the cache folder cannot be written: a private copy
            target = _scratch() / target.name
            keep_file(target, out.getvalue())
    return target


def source_dates(fonts: list[Path]) -> tuple[int, int]:
    """Return the earliest head.created and the latest head.modified of the font files."""
    from fontTools.ttLib import TTFont

    heads = [TTFont(str(path), lazy=True)["head"] for path in fonts]
    return min(h.created for h in heads), max(h.modified for h in heads)


def _scratch() -> Path:
    import atexit
    import shutil
    import tempfile

    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = Path(tempfile.mkdtemp(prefix="brief-fonts-"))
        atexit.register(shutil.rmtree, _SCRATCH, True)
    return _SCRATCH


_SCRATCH: Path | None = None


def covered(path: Path, wanted: str) -> str:
    """Return the unicode-range of the characters in the CSS range wanted that the font
    really has.

    WeasyPrint hands a @font-face's unicode-range to fontconfig as the face's character
    set, in place of the font's own: a character inside the range that the file lacks
    would print as a box instead of falling through to the next font. The @fontsource
    ranges are wider than their files (latin-ext spans 1,166 code points, its files ~280).
    """
    key = f"{path.name} {hashlib.sha256(wanted.encode()).hexdigest()[:16]}"
    table = _covered_table()
    known = table.get(key)  # the copy's name is its digest
    if isinstance(known, str) and UNICODE_RANGES.fullmatch(known):  # it goes into the CSS
        return known
    from fontTools.ttLib import TTFont

    cmap = set(TTFont(path, lazy=True).getBestCmap())
    points = sorted(cmap & set(parse_ranges(wanted)))
    runs: list[list[int]] = []
    for point in points:
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    found = ",".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in runs)
    table.put(key, found)
    table.save()
    return found


def parse_ranges(text: str) -> list[int]:
    """Return the code points of a CSS unicode-range value ("U+0000-00FF,U+0131")."""
    import tinycss2  # WeasyPrint's CSS tokenizer

    return [point for token in tinycss2.parse_component_value_list(text)
            if token.type == "unicode-range" for point in range(token.start, token.end + 1)]
