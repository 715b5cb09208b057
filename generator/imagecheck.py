"""What an image file in the content must be before a build reads it: a picture that stands
alone, of a size a build can decode.

An SVG may not pull anything in (an ``<image>``, ``<use>`` or ``<feImage>`` of another file,
a stylesheet ``@import`` or ``url()``, XInclude, an external entity or any entity at all):
a browser shows an image's SVG without its references, and the PDF's URL fetcher refuses
them, so the picture would lose parts of itself. A raster image may not have more pixels
than ``max_image_pixels``: decoding it would take gigabytes, and WeasyPrint drops it from
the PDF (Pillow calls it a decompression bomb) while the HTML page would still carry it.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

DEFAULT_MAX_PIXELS = 50_000_000
REPORTED = 5  # problems named per image file
XLINK = "http://www.w3.org/1999/xlink"
XINCLUDE = "http://www.w3.org/2001/XInclude"
# url( anywhere in a style, except a reference inside the drawing itself: url(#id). Only
# its opening is matched (and a little of what it names, for the message): a pattern that
# looked for the closing ")" would read to the end of a long style from every "url(".
EXTERNAL_URL = re.compile(r"""url\(\s*+(?!['"]?#)['"]?+([^)'"\s]{0,80}+)""", re.IGNORECASE)
IMPORT = re.compile(r"@import\s*+(?:url\(\s*+)?['\"]?+([^'\");\s]{0,80}+)", re.IGNORECASE)
LINKING = ("href", f"{XLINK} href", "src")


def image_problems(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[tuple[str, int]]:
    """Return (what is wrong, line in the image file or 0) for an image file."""
    status = path.stat()
    if path.suffix.lower() == ".svg":
        found = list(_svg_problems(path, status.st_mtime_ns, status.st_size))
    else:
        found = list(_raster_problems(path, status.st_mtime_ns, status.st_size, max_pixels))
    if len(found) > REPORTED:  # a hostile file: the first few say what to fix
        found[REPORTED:] = [(f"and {len(found) - REPORTED:,} more like these", 0)]
    return found


@lru_cache(maxsize=256)
def _svg_problems(path: Path, _mtime: int, _size: int) -> tuple[tuple[str, int], ...]:
    """Return what an SVG file pulls in from elsewhere (or why it cannot be read)."""
    return tuple(_SvgScan().scan(path.read_bytes()))


class _SvgScan:
    """One pass of expat over an SVG, noting every reference out of the drawing. expat
    neither fetches external entities nor reads external DTDs."""

    def __init__(self) -> None:
        self.found: list[tuple[str, int]] = []
        self.style: list[str] | None = None  # the text of the <style> being read
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.entity
        self.parser.ProcessingInstructionHandler = self.instruction
        self.parser.ExternalEntityRefHandler = self.external_entity

    def scan(self, data: bytes) -> list[tuple[str, int]]:
        try:
            self.parser.Parse(data, True)
        except expat.ExpatError as error:
            self.found.append((f"is not well-formed SVG ({expat.errors.messages[error.code]})",
                               error.lineno))
        return self.found

    def note(self, problem: str) -> None:
        self.found.append((problem, self.parser.CurrentLineNumber))

    def start(self, name: str, attributes: dict) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace == XINCLUDE:
            self.note(f"includes {_short(attributes.get('href', 'a file'))} (XInclude)")
            return
        for key in LINKING:
            value = attributes.get(key, "").strip()
            if value and not value.startswith("#") and local != "a":  # a link is not loaded
                self.note(f"<{local}> refers to {_short(value)}")
        for key, value in attributes.items():
            if key not in LINKING:
                self.found += _style_problems(value, f"<{local}> {_attribute(key)}",
                                              self.parser.CurrentLineNumber)
        if local == "style":
            self.style = []

    def end(self, name: str) -> None:
        if name.rpartition(" ")[2] == "style" and self.style is not None:
            self.found += _style_problems("".join(self.style), "<style>",
                                          self.parser.CurrentLineNumber)
            self.style = None

    def text(self, data: str) -> None:
        if self.style is not None:
            self.style.append(data)

    def entity(self, name: str, *_declaration) -> None:
        self.note(f"declares the entity {name!r}")

    def instruction(self, target: str, data: str) -> None:
        if target == "xml-stylesheet":
            self.note(f"links a stylesheet ({_short(data)})")

    def external_entity(self, *_reference) -> int:
        self.note("refers to an external entity")
        return 1  # go on reading, without it


def _style_problems(css: str, where: str, line: int) -> list[tuple[str, int]]:
    """Return the stylesheets a style imports and the files its url()s name."""
    found = [(f"{where} imports {_short(match.group(1) or 'a stylesheet')}", line)
             for match in IMPORT.finditer(css)]
    return found + [(f"{where} refers to {_short(match.group(1))}", line)
                    for match in EXTERNAL_URL.finditer(IMPORT.sub("", css))]


@lru_cache(maxsize=256)
def _raster_problems(path: Path, _mtime: int, _size: int,
                     max_pixels: int) -> tuple[tuple[str, int], ...]:
    """Return why a raster image cannot be built: too many pixels, or unreadable. Only its
    header is read."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
        except Image.DecompressionBombError:  # Pillow will not even read its size
            return ((f"has more than {2 * Image.MAX_IMAGE_PIXELS:,} pixels, more than "
                     f"max_image_pixels ({max_pixels:,}) allows", 0),)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return (("is not a picture brief can read (damaged, or not its file type)", 0),)
    if width * height > max_pixels:
        return ((f"is {width:,} × {height:,} pixels ({width * height:,}), more than "
                 f"max_image_pixels ({max_pixels:,}) allows", 0),)
    return ()


def _attribute(key: str) -> str:
    """Return an attribute's name as written: xlink:href, not its namespace and name."""
    namespace, _, local = key.rpartition(" ")
    return f"xlink:{local}" if namespace == XLINK else local


def _short(value: str) -> str:
    value = " ".join(value.split())
    return repr(value if len(value) <= 60 else value[:57] + "...")
