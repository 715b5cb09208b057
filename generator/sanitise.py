"""Allow-lists for markup that reaches a document from outside the renderer: formatted
citations and chart drawings, which are kept in a cache on disk between runs.

A cache is untrusted input (docs/security.md, "Caches"): whoever can write the folder could
plant a <meta http-equiv=refresh>, a form, an event handler or a javascript: link. Notes
are cleaned by an HTML sanitiser (nh3, the Ammonia library) down to the few inline tags a
CSL style prints; a drawing is parsed as XML and kept only if every element, attribute and
reference is on the list of what the chart drawer itself writes.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

# What citeproc-js writes for the CSL styles: italics, bold, small caps, super/subscript.
CITATION_TAGS = {"i", "b", "em", "strong", "span", "sup", "sub", "a", "br"}
CITATION_ATTRIBUTES = {"span": {"class", "style"}, "a": {"href"}}
CITATION_STYLES = {"font-style", "font-variant", "font-weight", "text-decoration",
                   "vertical-align"}
LINK_SCHEMES = {"http", "https", "mailto"}


def citation(html: str) -> str:
    """Return a formatted note or bibliography entry with only the tags a citation style
    prints: no script, handler, form, meta, frame, object, nor a link other than http(s) or
    mailto."""
    import nh3

    return nh3.clean(html, tags=CITATION_TAGS, attributes=CITATION_ATTRIBUTES,
                     clean_content_tags={"script", "style"}, url_schemes=LINK_SCHEMES,
                     link_rel=None, filter_style_properties=CITATION_STYLES)


SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SVG_ELEMENTS = {"svg", "g", "path", "text", "tspan", "use", "defs", "clipPath", "rect",
                "circle", "ellipse", "line", "polyline", "polygon", "title", "desc"}
SVG_ATTRIBUTES = {
    "id", "class", "role", "aria-labelledby", "width", "height", "viewBox", "x", "y",
    "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "transform",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
    "stroke-opacity", "opacity", "clip-path", "clip-rule", "clipPathUnits", "font-size",
    "font-family", "font-weight", "font-style", "text-anchor", "dominant-baseline",
    "letter-spacing", "preserveAspectRatio", "version",
}
LOCAL_REFERENCE = re.compile(r"#[\w.:-]+")
LOCAL_URL = re.compile(r"url\(#[\w.:-]+\)")
# Any of these in a value is a way to reach outside the drawing or run script.
UNSAFE_VALUE = re.compile(r"url\s*\(|javascript:|data:|expression\s*\(|[<>]", re.IGNORECASE)


def svg_is_safe(text: str) -> bool:
    """Return whether an inline <svg> holds only what the chart drawer writes: the listed
    elements and attributes (no foreignObject, image, script, style, link, event handler),
    references only to its own ids, no DOCTYPE or entities."""
    if not text.lstrip().startswith("<svg") or "<!" in text or "<?" in text:
        return False
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return False
    return root.tag == f"{SVG}svg" and all(_element_is_safe(e) for e in root.iter())


def _element_is_safe(element: ElementTree.Element) -> bool:
    if not isinstance(element.tag, str) or not element.tag.startswith(SVG):
        return False
    if element.tag[len(SVG):] not in SVG_ELEMENTS:
        return False
    return all(_attribute_is_safe(name, value) for name, value in element.attrib.items())


def _attribute_is_safe(name: str, value: str) -> bool:
    if name in (XLINK_HREF, "href"):
        return LOCAL_REFERENCE.fullmatch(value) is not None
    if name not in SVG_ATTRIBUTES:
        return False
    if name == "clip-path" and LOCAL_URL.fullmatch(value.strip()):
        return True
    return UNSAFE_VALUE.search(value) is None
