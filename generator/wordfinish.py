"""Word output, finished: what pandoc does not write, set with python-docx (the banner in
every section's header and footer, the document properties, the page), then the file made
byte-reproducible (fixed times, sorted entries).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry
PAPERS = {"letter": (8.5, 11.0), "a4": (210 / 25.4, 297 / 25.4)}  # inches
DEFAULT_MARGINS = (0.9, 0.9, 0.85, 0.9)  # top, right, bottom, left: print.css's @page
LIST_TEXT_STYLES = {"Compact", "BodyText", "FirstParagraph"}  # pandoc's, not headings
PAGE_MARGIN = re.compile(r"@page\s*\{[^}]*?\bmargin:\s*([^;}]+)")


@dataclass(frozen=True)
class Properties:
    """What a Word file says about itself (File > Info) and the page it is set on."""

    title: str
    authors: list[str]
    subject: str
    language: str
    keywords: str
    marking: str
    paper: str
    date: dt.date
    margins: tuple[float, float, float, float] = DEFAULT_MARGINS  # inches, as CSS orders them
    recto: bool = False  # every section after the first starts on a right-hand page
    notes_per_section: bool = False  # footnotes numbered from 1 in each section (a pack's)


def finish(data: bytes, properties: Properties) -> bytes:
    """Return pandoc's .docx with banner, properties and page set, reproducibly zipped."""
    import docx
    from docx.enum.section import WD_SECTION

    document = docx.Document(io.BytesIO(data))
    for index, section in enumerate(document.sections):
        _set_page(section, properties)
        _number_notes(section, properties.notes_per_section)
        if index == 0:
            _set_banner(section, properties.marking)
        else:  # linked to the first: how Word repeats a header in every section
            section.start_type = WD_SECTION.ODD_PAGE if properties.recto else WD_SECTION.NEW_PAGE
            section.header.is_linked_to_previous = True
            section.footer.is_linked_to_previous = True
    _style_numbered_lists(document)
    _set_properties(document.core_properties, properties)
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue(), build_time(properties.date))


def _number_notes(section, per_section: bool) -> None:
    """Number a section's footnotes on from the last section's, as a brief's PDF does, or
    from 1, as each brief of a pack's PDF does (the reference document's own rule aside:
    LibreOffice reads "each section" as each chapter, Heading 1)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    for old in sect.findall(qn("w:footnotePr")):
        sect.remove(old)
    if per_section:
        rule = OxmlElement("w:footnotePr")
        restart = OxmlElement("w:numRestart")
        restart.set(qn("w:val"), "eachSect")
        rule.append(restart)
        # footnotePr comes after the header and footer references in a sectPr
        references = sect.findall(qn("w:headerReference")) + sect.findall(qn("w:footerReference"))
        sect.insert(len(references), rule)


def _style_numbered_lists(document) -> None:
    """Give the items of numbered lists Word's List Number style. Pandoc numbers each list
    on its own (each restarts at 1), which is kept; only the paragraph style changes."""
    from docx.oxml.ns import qn

    try:
        style = document.styles["List Number"].style_id
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return
    decimal = {level.getparent().get(qn("w:abstractNumId"))
               for level in numbering.iter(qn("w:lvl"))
               if level.get(qn("w:ilvl")) == "0"
               and level.find(qn("w:numFmt")) is not None
               and level.find(qn("w:numFmt")).get(qn("w:val")) == "decimal"}
    ordered = {num.get(qn("w:numId")) for num in numbering.iter(qn("w:num"))
               if num.find(qn("w:abstractNumId")).get(qn("w:val")) in decimal}
    for number in document.element.body.iter(qn("w:numId")):
        properties = number.getparent().getparent()  # w:numPr, then w:pPr
        current = properties.find(qn("w:pStyle"))
        if number.get(qn("w:val")) in ordered and current is not None \
                and current.get(qn("w:val")) in LIST_TEXT_STYLES:
            current.set(qn("w:val"), style)


def _set_page(section, properties: Properties) -> None:
    from docx.shared import Inches

    width, height = PAPERS.get(properties.paper, PAPERS["letter"])
    section.page_width, section.page_height = Inches(width), Inches(height)
    top, right, bottom, left = properties.margins
    section.top_margin, section.right_margin = Inches(top), Inches(right)
    section.bottom_margin, section.left_margin = Inches(bottom), Inches(left)
    # The running lines sit in the margins, as the PDF's do.
    section.header_distance = section.footer_distance = Inches(min(top, bottom) / 2)


def _set_banner(section, marking: str) -> None:
    """Print the marking alone in the section's header and footer."""
    for part, style in ((section.header, "Header"), (section.footer, "Footer")):
        part.is_linked_to_previous = False
        paragraph = part.paragraphs[0]
        paragraph.text = marking
        paragraph.style = style


def _set_properties(core, properties: Properties) -> None:
    created = dt.datetime.combine(properties.date, dt.time(), dt.timezone.utc)
    core.title = properties.title
    core.author = "; ".join(properties.authors)
    core.subject = properties.subject
    core.language = properties.language
    core.keywords = properties.keywords
    core.content_status = properties.marking
    core.last_modified_by = "brief"
    core.comments = ""
    core.revision = 1
    core.created = created.replace(tzinfo=None)
    core.modified = build_time(properties.date).replace(tzinfo=None)


def build_time(date: dt.date) -> dt.datetime:
    """Return the time a build stamps: SOURCE_DATE_EPOCH if set, else the document's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.combine(date, dt.time(), dt.timezone.utc)


def reproducible_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Return the zip with its entries sorted by name and every time and mode fixed."""
    when = max(stamp, dt.datetime.fromtimestamp(ZIP_EPOCH, dt.timezone.utc))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return buffer.getvalue()


def page_margins(templates: Path) -> tuple[float, float, float, float]:
    """Return the print stylesheet's page margins in inches (top, right, bottom, left), so
    that the Word page is set as the PDF's; the defaults if they are not written in inches."""
    try:
        css = (templates / "css" / "print.css").read_text("utf-8")
    except OSError:
        return DEFAULT_MARGINS
    match = PAGE_MARGIN.search(css)
    values = match.group(1).split() if match else []
    if not values or not all(re.fullmatch(r"\d+(\.\d+)?in", v) for v in values):
        return DEFAULT_MARGINS
    inches = [float(v[:-2]) for v in values][:4]
    # CSS's shorthand: one value for all sides, two for (top and bottom, sides), three for
    # (top, sides, bottom), four clockwise from the top.
    top, right, bottom, left = {1: lambda a: (a, a, a, a), 2: lambda a, b: (a, b, a, b),
                                3: lambda a, b, c: (a, b, c, b),
                                4: lambda a, b, c, d: (a, b, c, d)}[len(inches)](*inches)
    return top, right, bottom, left
