"""The type system: which font files the documents use, and where each medium finds them.

Source Serif 4 (body) and Source Sans 3 (headings, tables, labels) come from the
``fontpkg-source-serif-4`` and ``fontpkg-source-sans-3`` packages, so every machine
typesets with the same files. The PDF loads them from the installed package (file URLs,
through the typeset stage's fetcher); the HTML pages load copies published beside them in
``OUTPUT/assets/fonts/``: one copy serves every page and the browser caches it, where
inlining would add megabytes to each page, and the pages' Content-Security-Policy can
stay at ``font-src 'self'``.

Japanese and Korean text uses the system's Noto CJK fonts (Debian's fonts-noto-cjk),
named in the CSS by language (templates/css/common.css).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FAMILIES = ("Source Serif 4", "Source Sans 3")  # the fontpkg families the templates use
ASSETS = "assets/fonts"  # inside the output folder
SUBSETTER = "harfbuzz-subset"  # the library WeasyPrint subsets fonts with when it can


@dataclass(frozen=True)
class Face:
    """One font file of a family: the @font-face rule the templates write for it."""

    family: str
    style: str  # normal | italic
    path: Path  # the installed file
    license: Path

    @property
    def name(self) -> str:
        """Return the published file's name: plain, so URLs need no escaping."""
        style = "Italic" if self.style == "italic" else "Roman"
        return f"{self.family.replace(' ', '')}-{style}{self.path.suffix}"

    @property
    def license_name(self) -> str:
        return f"{self.family.replace(' ', '')}-OFL.txt"

    def url(self, medium: str) -> str:
        """Return where a document for the medium finds this face.

        Published pages sit one folder below the output folder (<brief>/ or packs/).
        """
        return self.path.as_uri() if medium == "print" else f"../{ASSETS}/{self.name}"


@lru_cache(maxsize=1)
def faces() -> tuple[Face, ...]:
    """Return every face of the type system, from the installed font packages."""
    import fontpkg

    found = []
    for name in FAMILIES:
        family = fontpkg.family(name)
        license = family.files[0].path.parent.parent / "LICENSE"
        found += [Face(family.name, f.style, f.path, license) for f in family.files]
    return tuple(found)


def folders() -> list[Path]:
    """Return the folders the font files live in (the PDF's fetcher may read them)."""
    return sorted({face.path.parent for face in faces()})


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Return {"fonts/<package>": version}: a new release of a font rebuilds the outputs."""
    from importlib.metadata import version

    packages = [f"fontpkg-{name.lower().replace(' ', '-')}" for name in FAMILIES]
    return {f"fonts/{package}": version(package) for package in packages}


def publish_fonts(out_dir: Path) -> list[str]:
    """Copy every face (and its licence) into OUTPUT/assets/fonts, each only if changed.

    Returns the paths written, relative to out_dir.
    """
    from generator.publish import write_atomic

    written = []
    for face in faces():
        for source, name in ((face.path, face.name), (face.license, face.license_name)):
            target = out_dir / ASSETS / name
            data = source.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                write_atomic(target, data)
                written.append(f"{ASSETS}/{name}")
    return written


def asset_paths(out_dir: Path) -> list[str]:
    """Return the published font files (relative to out_dir) the HTML pages need."""
    names = {n for face in faces() for n in (face.name, face.license_name)}
    return sorted(f"{ASSETS}/{n}" for n in names if (out_dir / ASSETS / n).is_file())


def has_subsetter(find=ctypes.util.find_library, load=ctypes.CDLL) -> bool:
    """Return whether libharfbuzz-subset can be loaded.

    Without it WeasyPrint subsets fonts with fontTools: a page of CJK text takes tens of
    seconds instead of one or two, and the embedded subsets (so the PDF bytes) differ.
    """
    for name in (find(SUBSETTER), "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib"):
        if not name:
            continue
        try:
            load(name)
            return True
        except OSError:
            continue
    return False


SUBSETTER_WARNING = ("warning: libharfbuzz-subset0 is missing, so fonts are subset with "
                     "fontTools: slow (a page of CJK text takes tens of seconds) and the PDF "
                     "bytes differ from other machines' (install it: scripts/setup.sh, or "
                     "apt-get install libharfbuzz-subset0)")
