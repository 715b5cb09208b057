"""Japanese and Korean on the web pages: Noto CJK cut down to the characters the content uses.

The PDF embeds the system's Noto CJK fonts (Debian's fonts-noto-cjk), subset by WeasyPrint.
A web page cannot count on its reader having them, and the whole fonts weigh about 20 MB
each; but the content uses a few dozen CJK characters. So each build publishes, beside the
pages (``OUTPUT/assets/fonts/``), WOFF2 subsets of the Noto CJK faces holding exactly the
CJK characters found anywhere in the content folder: a few kilobytes each. The names stay
the same from build to build, and a subset always holds every character the current
content uses, so a page built earlier never points at a font that lacks its text.

Subsetting a CJK font takes seconds; each subset is kept on disk (in the cache's
``fonts`` folder) by the characters it holds and the font file it was cut from, with the
digest of its bytes, checked before it is used again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.cache import DiskCache, kept_file, keep_file

FOLDERS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/opentype/noto-cjk"))
LICENCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
LICENCE_NAME = "NotoCJK-OFL.txt"
# Han, kana, Hangul, CJK punctuation and full-width forms (what languages.py marks as CJK).
CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u30ff\u3130-\u318f\u3190-\u31ff"
                 r"\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
RANGES = ("U+1100-11FF, U+2E80-2FDF, U+3000-30FF, U+3130-318F, U+3190-31FF, U+3400-4DBF, "
          "U+4E00-9FFF, U+AC00-D7AF, U+F900-FAFF, U+FF00-FFEF")
TEXT_SUFFIXES = (".md", ".yaml", ".yml", ".json")


@dataclass(frozen=True)
class CjkFace:
    """One face the stylesheets name (templates/css/common.css), cut from a collection."""

    family: str  # e.g. "Noto Serif CJK JP": the name inside the collection, and in the CSS
    weight: int
    collection: str  # the .ttc file it is in

    @property
    def name(self) -> str:
        """Return the published file's name."""
        return f"{self.family.lower().replace(' ', '-')}-{self.weight}.woff2"


FACES = tuple(
    CjkFace(f"Noto {kind} CJK {region}", weight, f"Noto{kind}CJK-{style}.ttc")
    for kind, weights in (("Serif", ((400, "Regular"),)), ("Sans", ((400, "Regular"),
                                                                    (700, "Bold"))))
    for weight, style in weights for region in ("JP", "KR"))


def rules(url) -> list[str]:
    """Return the @font-face rules of the faces (``url``: a published file's URL from its
    name). A page downloads a face only when it shows a character of its range."""
    return [f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'font-style: normal; src: url("{url(face.name)}"); unicode-range: {RANGES}; }}'
            for face in FACES if _collection(face.collection)]


def characters(content_root: Path) -> str:
    """Return every CJK character in the content folder's text files, sorted."""
    found: set[str] = set()
    for path in sorted(content_root.rglob("*")):
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            try:
                found.update(CJK.findall(path.read_text("utf-8")))
            except (OSError, UnicodeDecodeError):
                continue  # loading reports it
    return "".join(sorted(found))


def subsets(text: str) -> dict[str, bytes]:
    """Return {published name: WOFF2 bytes} of every installed face, cut to ``text``
    (and the licence, as text), each from the cache when it was cut before and its bytes
    still match the digest recorded then (else it is cut again)."""
    found: dict[str, bytes] = {}
    kept = DiskCache.of_kind("fonts").folder
    for face in FACES:
        source = _collection(face.collection)
        if source is None:
            continue
        status = source.stat()
        key = DiskCache.key("cjk, dated from the source", face.family, face.weight,
                            source.name, status.st_size, status.st_mtime_ns, text)
        cached = kept / f"cjk-{key[:32]}.woff2" if kept else None
        data = kept_file(cached) if cached else None
        if data is None:
            data = _cut(source, face.family, text)
            if cached:
                keep_file(cached, data)
        found[face.name] = data
    if found and LICENCE.is_file():
        found[LICENCE_NAME] = LICENCE.read_bytes()
    return found


def _cut(collection: Path, family: str, text: str) -> bytes:
    """Return the face of the collection named family, cut to text, as WOFF2."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTCollection

    with TTCollection(str(collection), lazy=True) as fonts:
        font = next(f for f in fonts.fonts if f["name"].getBestFamilyName() == family
                    or _names(f) & {family})
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]  # vertical forms, proportional kana, ligatures
        options.name_IDs = ["*"]
        options.hinting = False  # screens hint CJK themselves; hints are most of the size
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text or "\u3000")
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.flavor = "woff2"
        # Keep the collection's head.modified: saving would stamp the time of the cut, and
        # the published subsets would differ from machine to machine.
        font.recalcTimestamp = False
        font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def _names(font) -> set[str]:
    return {record.toUnicode() for record in font["name"].names if record.nameID in (1, 16)}


@lru_cache(maxsize=8)
def _collection(name: str) -> Path | None:
    return next((folder / name for folder in FOLDERS if (folder / name).is_file()), None)

