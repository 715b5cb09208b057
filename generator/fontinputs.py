"""The font files an output was typeset with, as inputs: a digest of each file's bytes.

Which faces a PDF embeds is known only once it is written (WeasyPrint records them on the
document), so each PDF's manifest record names its faces, "font-files/<family> <weight>
<style>", with the digest of the file each face comes from now: for the type system, the
@fontsource WOFF files its print copy is merged from (fontcache.py); for Noto CJK, the
system's collection; for any other face fontconfig chose, the files fontconfig lists for
its family. A rebuild finds the same files again and compares the digests, so a font
changed under the same name, a system font included, rebuilds what used it.

Hashing the CJK collections (tens of megabytes each) on every rebuild would cost most of a
no-op rebuild: a file's digest is kept in the font cache, keyed by its path, size, time and
inode, and the file is read again whenever one of those changes (as a package upgrade or a
copy does). An entry planted in the cache could at worst make a changed font look unchanged
(an output left stale, never anything in it); `--force` or an empty cache rebuilds.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from generator.cache import DiskTable

PREFIX = "font-files/"
STYLES = {0: "normal", 1: "oblique", 2: "italic"}  # Pango's PangoStyle


def used(laid_out) -> dict[str, str]:
    """Return {"font-files/<face>": digest} of the faces a written PDF embeds."""
    faces = {f"{PREFIX}{font.family} {font.weight} {STYLES.get(font.style, font.style)}"
             for font in laid_out.document.fonts.values()}
    return current(faces)


def every_face(html: str) -> dict[str, str]:
    """Return the font inputs of a document laid out but not written (an HTML page fitted
    to a budget, from the print HTML it was fitted with), whose faces are not known: every
    face of the type system and, if it has CJK text, every installed CJK face."""
    from generator import cjkfonts, fonts

    faces = {f"{PREFIX}{f.family} {f.weight} {f.style}" for f in fonts.faces()}
    if cjkfonts.CJK.search(html):
        faces |= {f"{PREFIX}{f.family} {f.weight} normal" for f in cjkfonts.FACES
                  if cjkfonts._collection(f.collection)}
    return current(faces)


def chart_faces() -> dict[str, str]:
    """Return the font inputs of a page that shows charts: matplotlib measures their labels
    with the type system's sans faces (chartsvg.py)."""
    from generator import fonts
    from generator.chartsvg import FONT

    return current(f"{PREFIX}{f.family} {f.weight} {f.style}" for f in fonts.faces()
                   if f.family == FONT[0])


def current(names) -> dict[str, str]:
    """Return {name: digest of the files the face comes from now ("missing": none)}."""
    found = {name: _face_digest(name) for name in sorted(names)}
    _digests().save()
    return found


def recorded(inputs) -> list[str]:
    """Return the font-file inputs named in a manifest record's inputs (read back from the
    output folder: anything else names none)."""
    if not isinstance(inputs, dict):
        return []
    return [name for name in inputs if isinstance(name, str) and name.startswith(PREFIX)]


def forget() -> None:
    """Find the faces' files again (at the start of each build: fonts may have changed)."""
    _KNOWN.clear()


_KNOWN: dict[str, str] = {}  # face -> digest, for one build


def _face_digest(name: str) -> str:
    if name not in _KNOWN:
        _KNOWN[name] = _find_digest(name)
    return _KNOWN[name]


def _find_digest(name: str) -> str:
    parts = name.removeprefix(PREFIX).rsplit(" ", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return "missing"  # no face brief names so: the output is rebuilt
    family, weight, style = parts
    files = face_files(family, int(weight), style)
    if not files:
        return "missing"
    digests = [f"{path.name} {file_digest(path)}" for path in files]
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def face_files(family: str, weight: int, style: str) -> list[Path]:
    """Return the files a face of the PDF is made from, as they are installed now."""
    from generator import cjkfonts, fonts

    if family in fonts.PACKAGES:
        return [f.woff for f in fonts.faces()
                if (f.family, f.weight, f.style) == (family, weight, style)]
    cjk = [face for face in cjkfonts.FACES if face.family == family]
    if cjk:
        nearest = min(cjk, key=lambda face: abs(face.weight - weight))
        return [p for p in [cjkfonts._collection(nearest.collection)] if p]
    return _fontconfig_files(family)


def _fontconfig_files(family: str) -> list[Path]:
    """Return every file fontconfig has for a family (which of them a face came from is
    not known, so a change to any of them counts)."""
    if not shutil.which("fc-list"):
        return []
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\n", f":family={family}"],
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({Path(line) for line in listed.splitlines() if line})


def file_digest(path: Path) -> str:
    """Return the sha256 of a file, kept while its size, time and inode stay the same."""
    try:
        status = path.stat()
    except OSError:
        return "missing"
    key = f"{path} {status.st_size} {status.st_mtime_ns} {status.st_ino}"
    table = _digests()
    known = table.get(key)  # read back from the cache: untrusted, so at least well formed
    if isinstance(known, str) and re.fullmatch(r"[0-9a-f]{64}", known):
        return known
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    table.put(key, digest.hexdigest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _digests() -> DiskTable:
    from generator import fontcache

    found = fontcache.folder()
    return DiskTable(None if found is None else found / "digests.json")
