"""Word output: a brief or pack as a .docx with the same plan, text, notes and marking as
its PDF.

The writer starts from the print HTML (the HTML the PDF is laid out from), so Word and PDF
say the same things: pandoc reads it, wordast.py shapes the tree for Word, pandoc writes the
.docx with the styles of templates/reference.docx, and wordfinish.py sets what pandoc does
not (banner, properties, page) and makes the bytes reproducible. The document properties
are the PDF's: read from the HTML's own <head>.

Pandoc (the pypandoc-binary wheel ships it) and python-docx are imported here only, by
builds that write a .docx.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
import subprocess
from dataclasses import replace
from functools import partial
from pathlib import Path

from generator.errors import BuildError
from generator.wordast import Shaping, prepare_html, shape
from generator.wordfinish import Properties, finish, page_margins

REFERENCE = "reference.docx"  # in the templates folder: the styles users restyle in Word
META = re.compile(r'<meta name="([\w.]+)" content="([^"]*)">')
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
LANG = re.compile(r'<html lang="([^"]*)"')
PAPER = re.compile(r"@page\s*\{\s*size:\s*(letter|A4)\s*;")
FIGURE = re.compile(r"^((?:part\d+-)?)figure-(.+)$")


def brief_docx(plan, html: str, content, templates: Path) -> bytes:
    """Return the .docx of one brief from the print HTML of its (fitted) plan."""
    return write_docx(html, content, templates, Shaping(), {"": chart_locale(plan, content)})


def pack_docx(pack, plans: list, html: str, content, templates: Path) -> bytes:
    """Return the .docx of a pack, from the print HTML its PDF is laid out from: a cover, a
    contents field, and each brief in a section of its own."""
    shaping = Shaping(pack=True, recto=pack.recto,
                      part_titles=[_title_text(plan.brief.title) for plan in plans])
    locales = {f"part{number}-": chart_locale(plan, content)
               for number, plan in enumerate(plans, start=1)}
    return write_docx(html, content, templates, shaping, locales)


def chart_locale(plan, content) -> str:
    """Return the locale a document's charts are drawn for, as the render draws them: the
    reader's, else the document's."""
    return plan.audience.locale or plan.brief.language or content.settings.language


def _title_text(title: str) -> str:
    from generator.markdown import typographic

    return str(typographic(title))


def write_docx(html: str, content, templates: Path, shaping: Shaping,
               locales: dict[str, str]) -> bytes:
    """Return the .docx of a print HTML document. ``locales`` maps each part's id prefix
    ('' for a brief, 'part1-' ... for a pack) to the locale its charts are drawn for."""
    properties = replace(read_properties(html, templates), recto=shaping.recto,
                         notes_per_section=shaping.pack)
    shaping.chart_image = _chart_drawer(content, locales)
    shaping.image_data = partial(image_data, content.root)
    document = json.loads(_pandoc(["-f", "html", "-t", "json"], prepare_html(html)))
    document = shape(document, shaping)
    # Not the title, authors and the rest that pandoc read from the <head>, which it
    # would print as a title block: the document prints its own masthead.
    document["meta"] = {"lang": {"t": "MetaString", "c": properties.language}}
    data = _pandoc(["-f", "json", "-t", "docx", "-o", "-", *_reference(templates)],
                   json.dumps(document), binary=True)
    return finish(data, properties)


def read_properties(html: str, templates: Path) -> Properties:
    """Return the document's properties as its <head> states them for the PDF."""
    head = html.split("</head>", 1)[0]
    meta: dict[str, list[str]] = {}
    for name, value in META.findall(head):
        meta.setdefault(name, []).append(htmllib.unescape(value))
    title = TITLE.search(head)
    paper = PAPER.search(head)
    lang = LANG.search(head)
    created = meta.get("dcterms.created", [""])[0]
    return Properties(
        title=htmllib.unescape(title.group(1).strip()) if title else "",
        authors=meta.get("author", []),
        subject=meta.get("description", [""])[0],
        language=lang.group(1) if lang else "en",
        keywords=meta.get("keywords", [""])[0],
        marking=meta.get("marking", [""])[0],
        paper=paper.group(1).lower() if paper else "letter",
        date=dt.date.fromisoformat(created[:10]) if created else dt.date(1980, 1, 1),
        margins=page_margins(templates),
    )


def _chart_drawer(content, locales: dict[str, str]):
    """Return a function drawing a figure's chart as a PNG: (data: URL, alt text)."""
    from generator import charts, chartsvg

    def draw(figure_id: str):
        found = FIGURE.match(figure_id)
        chart = content.charts.get(found.group(2)) if found else None
        if chart is None:
            return None
        drawing = chartsvg.png(charts.resolve(chart, content.facts),
                               locales.get(found.group(1), "en"))
        return _data_url("image/png", drawing), " ".join(chart.alt.split())

    return draw


def image_data(root: Path, src: str) -> str | None:
    """Return a picture in the content folder as a data: URL, or None for one elsewhere (a
    remote one, a path leaving the folder, a missing file or an unknown type), as the PDF's
    URL fetcher refuses them: pandoc itself runs sandboxed and reads no file."""
    from generator.render import IMAGE_TYPES

    folder = root.resolve()
    path = (folder / src).resolve()
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if "://" in src or folder not in path.parents or kind is None or not path.is_file():
        return None
    return _data_url(kind, path.read_bytes())


def _data_url(kind: str, data: bytes) -> str:
    import base64

    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def _reference(templates: Path) -> list[str]:
    """Return pandoc's --reference-doc for the templates' Word styles (pandoc's own if the
    templates folder has none)."""
    reference = templates / REFERENCE
    return [f"--reference-doc={reference}"] if reference.is_file() else []


def _pandoc(arguments: list[str], text: str, binary: bool = False):
    """Run pandoc on text; return its output (bytes if binary). A failure is a BuildError."""
    import pypandoc

    try:
        done = subprocess.run([pypandoc.get_pandoc_path(), "--sandbox", *arguments],
                              input=text.encode(),
                              capture_output=True, check=True)
    except OSError as error:
        raise BuildError(f"pandoc could not be run ({error}); reinstall brief, whose "
                         "pypandoc-binary dependency ships it") from None
    except subprocess.CalledProcessError as error:
        message = error.stderr.decode(errors="replace").strip().splitlines()
        raise BuildError(f"pandoc could not write the Word file: "
                         f"{message[-1] if message else error.returncode}") from None
    return done.stdout if binary else done.stdout.decode()
