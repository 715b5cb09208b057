"""Word output, as a Pandoc document: the print HTML of a brief or pack (the very HTML its
PDF is laid out from) read by pandoc, then shaped for Word.

What the PDF does with CSS, Word does with styles and its own parts, so the tree is
changed where the two differ: each footnote's text becomes a Pandoc note (a true Word
footnote), the running elements go (the banner goes to the header and footer), the title
and headings take Word's styles, quotations, figure captions and bibliography entries
take Quote, Caption and Bibliography, a chart's SVG gives way to a PNG with the chart's
alt text, pictures are inlined (pandoc, sandboxed, reads no file), and a pack gets a
contents field and a section break before every brief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from xml.sax.saxutils import escape

# The HTML5 containers pandoc's reader drops whole or flattens: read as <div>s instead,
# so that what they hold (the masthead, the back matter) is kept with its class.
CONTAINERS = re.compile(r"<(/?)(?:header|footer|main|article|aside|nav|section)\b")
# Paragraphs whose class says which Word style they take (pandoc's reader drops a <p>'s
# class, not a <div>'s).
STYLED_PARAGRAPHS = {"subtitle": "Subtitle", "byline": "Author", "meta": "Date",
                     "entry": "Bibliography", "recipient": "Subtitle"}
STYLED_P = re.compile(r'<p class="(%s)">(.*?)</p>' % "|".join(STYLED_PARAGRAPHS), re.DOTALL)
# A paragraph that ends a Word section (how the next starts, on a new or a right-hand page,
# is set on every section afterwards), and a page break.
SECTION_BREAK = {"t": "RawBlock", "c": ["openxml", "<w:p><w:pPr><w:sectPr/></w:pPr></w:p>"]}
PAGE_BREAK = {"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']}
RUNNING = {"marking-string", "running-first", "running-header"}  # the PDF's page margins


@dataclass
class Shaping:
    """How one document is shaped: a brief (headings one level up, its h1 the Title) or a
    pack (part titles stay Heading 1, for the contents)."""

    pack: bool = False
    recto: bool = False  # a pack's briefs each start on a right-hand page
    part_titles: list[str] = field(default_factory=list)
    # a figure's id -> (data: URL of its chart's drawing, alt text), or None
    chart_image: Callable[[str], tuple[str, str] | None] = lambda figure_id: None
    # an image's src -> its data: URL, or None for one that may not be read
    image_data: Callable[[str], str | None] = lambda src: None


def prepare_html(html: str) -> str:
    """Return the HTML with its containers as <div>s and its styled paragraphs wrapped in a
    <div> of their class, so that pandoc's reader keeps both."""
    html = CONTAINERS.sub(lambda m: f"<{m.group(1)}div", html)
    return STYLED_P.sub(lambda m: f'<div class="{m.group(1)}"><p>{m.group(2)}</p></div>', html)


def shape(document: dict, shaping: Shaping) -> dict:
    """Return the Pandoc document (JSON) shaped for Word."""
    return {**document, "blocks": _blocks(document["blocks"], shaping)}


def _blocks(blocks: list, shaping: Shaping) -> list:
    return [shaped for block in blocks for shaped in _block(block, shaping)]


def _block(block: dict, shaping: Shaping) -> list:
    kind, value = block["t"], block.get("c")
    if kind == "Div":
        return _div(value, shaping)
    if kind == "Header":
        return [_header(*value, shaping)]
    if kind == "BlockQuote":
        return [_styled("Quote", _blocks(value, shaping))]
    if kind == "Figure":
        return _figure(*value, shaping)
    if kind in ("BulletList", "OrderedList"):
        items = value if kind == "BulletList" else value[1]
        items = [_blocks(item, shaping) for item in items]
        return [{"t": kind, "c": items if kind == "BulletList" else [value[0], items]}]
    return [_inlines(block, shaping)]


def _div(value: list, shaping: Shaping) -> list:
    (_, classes, _), content = value
    if RUNNING & set(classes):
        return []
    if shaping.pack and "toc" in classes:
        return [PAGE_BREAK, contents_field(shaping.part_titles)]
    inner = _blocks(content, shaping)
    for name in classes:
        if name in STYLED_PARAGRAPHS:
            return [_styled(STYLED_PARAGRAPHS[name], inner)]
    if shaping.pack and "document" in classes:
        return [SECTION_BREAK, *inner]
    return inner


def _header(level: int, attr: list, inlines: list, shaping: Shaping) -> dict:
    inlines = _inlines(inlines, shaping)
    if "title" in attr[1] and not shaping.pack or "pack-title" in attr[1]:
        return _styled("Title", [{"t": "Para", "c": inlines}])
    if not shaping.pack:  # the brief's h1 is its title: its sections are Word's Heading 1
        level = max(1, level - 1)
    return {"t": "Header", "c": [level, attr, inlines]}


def _figure(attr: list, caption: list, blocks: list, shaping: Shaping) -> list:
    """Return a chart as its numbered title (Caption), its PNG drawing and its source."""
    image = shaping.chart_image(attr[0]) if attr[0] else None
    title = [_styled("Caption", [{"t": "Para", "c": _inlines(b["c"], shaping)}
                                 for b in caption[1] if b["t"] in ("Plain", "Para")])]
    body = []
    for block in blocks:
        if image and _holds_image(block):
            url, alt = image
            picture = {"t": "Image", "c": [["", [], []], [{"t": "Str", "c": alt}], [url, ""]]}
            body.append({"t": "Para", "c": [picture]})
        else:
            body += _block(block, shaping)
    return title + body


def _holds_image(block: dict) -> bool:
    return block["t"] in ("Plain", "Para") and any(i["t"] == "Image" for i in block["c"])


def _inlines(node, shaping: Shaping):
    """Return the node with every footnote span made a note and every picture's file
    inlined (recursively)."""
    if isinstance(node, list):
        return [_inlines(item, shaping) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("t") == "Span" and "footnote" in node["c"][0][1]:
        return {"t": "Note", "c": [{"t": "Para", "c": _inlines(node["c"][1], shaping)}]}
    if node.get("t") == "Image":
        return _image(node, shaping)
    return {key: _inlines(value, shaping) for key, value in node.items()}


def _image(node: dict, shaping: Shaping) -> dict:
    """Return a picture with its file inlined (pandoc reads no file itself), or its alt
    text alone if the file may not be read."""
    attr, alt, (src, title) = node["c"]
    data = src if src.startswith("data:") else shaping.image_data(src)
    if data is None:
        return {"t": "Span", "c": [["", [], []], alt]}
    return {"t": "Image", "c": [attr, alt, [data, title]]}


def _styled(style: str, blocks: list) -> dict:
    """Return blocks in a Div whose paragraphs take a Word style (pandoc's custom-style)."""
    return {"t": "Div", "c": [["", [], [["custom-style", style]]], blocks]}


def contents_field(titles: list[str], heading: str = "Contents") -> dict:
    """Return a contents (TOC) field of the Heading 1 entries, pre-filled with the parts'
    titles: Word fills in the page numbers when it updates fields (it is marked dirty)."""
    run = '<w:r><w:fldChar w:fldCharType="{0}"{1}/></w:r>'
    begin = (run.format("begin", ' w:dirty="true"')
             + '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-1" \\h \\z \\u </w:instrText>'
             '</w:r>' + run.format("separate", ""))
    entries = titles or [""]
    paragraphs = []
    for index, title in enumerate(entries):
        start = begin if index == 0 else ""
        end = run.format("end", "") if index == len(entries) - 1 else ""
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>{start}'
                          f'<w:r><w:t xml:space="preserve">{escape(title)}</w:t></w:r>{end}</w:p>')
    xml = ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
           '<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>'
           f'<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>{escape(heading)}'
           '</w:t></w:r></w:p>' + "".join(paragraphs) + '</w:sdtContent></w:sdt>')
    return {"t": "RawBlock", "c": ["openxml", xml]}
