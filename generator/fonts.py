"""The type system: which font files the documents use, and where each medium finds them.

Source Serif 4 (body) and Source Sans 3 (headings, tables, labels) come from the npm
packages ``@fontsource/source-serif-4`` and ``@fontsource/source-sans-3`` (pinned in
package-lock.json, installed into node_modules by scripts/setup.sh), so every machine
typesets with the same files. They are static fonts, one file per weight, style and
subset: WeasyPrint would instantiate a variable font for every weight it writes, which
made writing a PDF several times slower.

The PDF loads plain TrueType copies of the WOFF files, a face's subsets merged into one
file (generator/fontcache.py; file URLs, through the typeset stage's fetcher). The HTML pages load the WOFF2 files, published beside
them in ``OUTPUT/assets/fonts/``: one copy serves every page and the browser caches it,
where inlining would add to each page, and the pages' Content-Security-Policy can stay at
``font-src 'self'``. Each file is declared with its subset's unicode-range, so a browser
downloads only the subsets a page uses.

Japanese and Korean text uses the system's Noto CJK fonts (Debian's fonts-noto-cjk),
named in the CSS by language (templates/css/common.css). The PDF embeds them; the pages
load subsets cut to the characters the content uses (generator/cjkfonts.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.errors import BuildError

PACKAGES = {"Source Serif 4": "source-serif-4", "Source Sans 3": "source-sans-3"}  # @fontsource/
SUBSETS = ("latin", "latin-ext")  # English, and the accented names of other Latin scripts
# The (weight, style) pairs the stylesheets ask for, and no more (templates/css/*.css): the
# body is regular, italic (em, the lede) and bold (strong), bold italic for strong inside
# italic; headings and labels are regular, 600 (th, bylines, contents) and 700 (titles,
# markings). A pair missing here would be faked by slanting or emboldening another.
FACES = {
    "Source Serif 4": ((400, "normal"), (400, "italic"), (700, "normal"), (700, "italic")),
    "Source Sans 3": ((400, "normal"), (600, "normal"), (700, "normal")),
}
FAMILIES = tuple(PACKAGES)
ASSETS = "assets/fonts"  # inside the output folder
SUBSETTER = "harfbuzz-subset"  # the library WeasyPrint subsets fonts with when it can
SETUP_HINT = "run scripts/setup.sh (or `npm ci` in the project folder)"


def node_modules() -> Path:
    """Return the folder npm installed the font packages into (as citeproc-js's)."""
    from generator.cite import NODE_MODULES

    return Path(os.environ.get("BRIEF_NODE_MODULES") or NODE_MODULES)


def package_folder(family: str) -> Path:
    return node_modules() / "@fontsource" / PACKAGES[family]


@dataclass(frozen=True)
class Face:
    """One font file: a family's weight and style, for one subset of characters."""

    family: str
    weight: int
    style: str  # normal | italic
    subset: str
    ranges: str  # the subset's unicode-range, as @fontsource declares it

    @property
    def stem(self) -> str:
        """Return @fontsource's name for the file: plain, so URLs need no escaping."""
        return f"{PACKAGES[self.family]}-{self.subset}-{self.weight}-{self.style}"

    @property
    def name(self) -> str:
        """Return the published (WOFF2) file's name."""
        return f"{self.stem}.woff2"

    @property
    def path(self) -> Path:
        """Return the installed WOFF2 file, the one pages load."""
        return package_folder(self.family) / "files" / self.name

    @property
    def woff(self) -> Path:
        """Return the installed WOFF file, for the PDF's copy: zlib-compressed, it
        decompresses to exactly the font's tables (WOFF2 rebuilds the glyph table)."""
        return package_folder(self.family) / "files" / f"{self.stem}.woff"

    @property
    def license(self) -> Path:
        return package_folder(self.family) / "LICENSE"

    @property
    def license_name(self) -> str:
        return f"{self.family.replace(' ', '')}-OFL.txt"

    def url(self) -> str:
        """Return where a published page finds this face: pages sit one folder below the
        output folder (<brief>/ or packs/)."""
        return f"../{ASSETS}/{self.name}"


@lru_cache(maxsize=1)
def faces() -> tuple[Face, ...]:
    """Return every face of the type system, from the installed font packages."""
    found = []
    for family in FAMILIES:
        try:
            ranges = json.loads((package_folder(family) / "unicode.json").read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise BuildError(f"the font package @fontsource/{PACKAGES[family]} is missing or "
                             f"damaged ({error}): {SETUP_HINT}") from None
        found += [Face(family, weight, style, subset, ranges[subset])
                  for weight, style in FACES[family] for subset in SUBSETS]
    return tuple(found)


def rules(medium: str) -> list[str]:
    """Return the @font-face rules of the type system for the medium.

    Screen: one rule per published WOFF2 file, with its subset's unicode-range. Print: one
    rule per weight and style, its subsets merged into one TrueType file (fontcache).
    """
    if medium != "print":
        from generator import cjkfonts

        return [*(_rule(face.family, face.weight, face.style, face.url(), face.ranges)
                  for face in faces()), *cjkfonts.rules(lambda name: f"../{ASSETS}/{name}")]
    return [_rule(*key, path.as_uri(), ranges) for key, (path, ranges) in print_files().items()]


def _rule(family: str, weight: int, style: str, url: str, ranges: str) -> str:
    return (f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{url}"); unicode-range: {ranges}; }}')


@lru_cache(maxsize=1)
def print_files() -> dict[tuple[str, int, str], tuple[Path, str]]:
    """Return {(family, weight, style): (the PDF's font file, its unicode-range)}.

    The range is the subsets' ranges, narrowed to what the file really has (fontcache).
    """
    from generator import fontcache

    groups: dict[tuple[str, int, str], list[Face]] = {}
    for face in faces():
        groups.setdefault((face.family, face.weight, face.style), []).append(face)
    found = {}
    for key, group in groups.items():
        path = fontcache.merged_copy([face.woff for face in group])
        found[key] = (path, fontcache.covered(path, ",".join(f.ranges for f in group)))
    return found


def folders() -> list[Path]:
    """Return the folders the PDF's font files live in (its fetcher may read them)."""
    return sorted({path.parent for path, _ in print_files().values()})


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Return {"fonts/@fontsource/<package>": version}: a new release rebuilds the outputs."""
    found = {}
    for family, package in PACKAGES.items():
        try:
            meta = json.loads((package_folder(family) / "package.json").read_text("utf-8"))
            found[f"fonts/@fontsource/{package}"] = str(meta["version"])
        except (OSError, ValueError, KeyError):
            found[f"fonts/@fontsource/{package}"] = "missing"  # faces() says how to fix it
    return found


def publish_fonts(out_dir: Path, content_root: Path) -> list[str]:
    """Copy every face (and its licence) into OUTPUT/assets/fonts, each only if changed,
    with the CJK faces cut to the characters of the content (cjkfonts.py).

    Returns the paths written, relative to out_dir.
    """
    from generator import cjkfonts
    from generator.publish import write_atomic

    files = {name: source.read_bytes for source, name in _published()}
    cut = cjkfonts.subsets(cjkfonts.characters(content_root))
    files |= {name: (lambda data=data: data) for name, data in cut.items()}
    written = []
    for name, read in sorted(files.items()):
        target = out_dir / ASSETS / name
        data = read()
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)
            written.append(f"{ASSETS}/{name}")
    return written


def _published() -> set[tuple[Path, str]]:
    """Return (installed file, published name) of every face and licence."""
    return {pair for face in faces()
            for pair in ((face.path, face.name), (face.license, face.license_name))}


def asset_paths(out_dir: Path) -> list[str]:
    """Return the published font files (relative to out_dir) the HTML pages need."""
    from generator import cjkfonts

    names = {name for _, name in _published()}
    names |= {face.name for face in cjkfonts.FACES} | {cjkfonts.LICENCE_NAME}
    return sorted(f"{ASSETS}/{n}" for n in names if (out_dir / ASSETS / n).is_file())


def has_subsetter(find=None, load=None) -> bool:
    """Return whether libharfbuzz-subset can be loaded (``find`` and ``load`` default to
    ctypes.util.find_library and ctypes.CDLL, imported here: ctypes.util costs a light
    command about 10 ms).

    Without it WeasyPrint subsets fonts with fontTools: a page of CJK text takes tens of
    seconds instead of one or two, and the embedded subsets (so the PDF bytes) differ.
    """
    if find is None or load is None:
        import ctypes
        import ctypes.util

        find, load = find or ctypes.util.find_library, load or ctypes.CDLL
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
