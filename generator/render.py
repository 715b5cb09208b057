"""Render stage: one configured Jinja environment turns a plan into HTML.

The same plan renders for two media: ``print`` (handed to WeasyPrint: notes float to the
foot of the page) and ``screen`` (the published HTML page: notes become linked endnotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator import fonts, notes
from generator.figures import Figures
from generator.errors import BuildError, Problem
from generator.languages import mark_languages
from generator.markdown import NoteBook, ProseRenderer
from generator import select
from generator.models import DETAIL_LEVELS
from generator.select import Plan
from generator.terms import settle_first_uses

MEDIA = ("print", "screen")
# A note's marker hugs the word before it and follows the punctuation after it
# ("text [@x]." reads "text.¹"), as Chicago and Pandoc's note styles place it.
NOTE_PLACEHOLDER = re.compile(r'\s*<sup class="note-ref" data-note="(\d+)"></sup>([.,;:!?]?)')
NOTES_SLOT = "<!-- brief:notes -->"
WORDS = re.compile(r"\w+(?:[’'-]\w+)*")
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Rendered:
    """The HTML of one output for one medium, and facts about it."""

    html: str
    words: int


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """Return the Jinja environment for a templates folder (autoescape, strict).

    Templates are compiled in this process, never read back compiled from disk: Jinja's
    bytecode cache unpickles its files, and a planted file would run code.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.globals["font_rules"] = fonts.rules
    env.filters["csp_hash"] = csp_hash
    return env


def csp_hash(text: str) -> str:
    """Return the CSP source ('sha256-...', unquoted) that allows exactly this inline text.

    Browsers hash the text as parsed, and HTML parsing turns every CR LF and lone CR into LF.
    """
    import base64
    import hashlib

    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def document_types(templates: Path) -> list[str]:
    """Return the document types the templates folder provides."""
    folder = templates / "types"
    return sorted(p.stem for p in folder.glob("*.html")) if folder.is_dir() else []


_ahead: list[tuple[Plan, str, Rendered]] = []  # rendered by another process (remember)


def remember(plan: Plan, medium: str, rendered: Rendered) -> None:
    """Keep a document another process rendered: the next render of that plan for that
    medium (a whole document, as a build prints it) returns it instead of rendering."""
    _ahead.append((plan, medium, rendered))


def render(plan: Plan, content, templates: Path, medium: str, anchor: str = "",
           marking: str | None = None, measuring: bool = False,
           dry_run: bool = False) -> Rendered:
    """Render one plan to HTML for a medium; raise BuildError naming template and line.

    With an anchor (a prefix for every id), the result is one <article> for a pack, and
    marking (when given) replaces the document's own: a pack is marked as a whole.
    ``measuring`` marks every item with its fit key (``data-fit``) and keeps notes in
    the text, so the fitter can read each item's height from one layout. ``dry_run``
    (for checks of the templates) skips formatting the citations and drawing the charts.
    """
    if not (anchor or marking is not None or measuring or dry_run):
        for index, (known, known_medium, rendered) in enumerate(_ahead):
            if known_medium == medium and known == plan:
                del _ahead[index]
                return rendered
    notebook = NoteBook()
    image_src = None if medium == "print" else partial(inline_image, content.root,
                                                       content.settings.max_file_bytes)
    figures = Figures(content, environment(templates), medium, _locale(plan, content), anchor,
                      drawn=not dry_run)
    prose = _prose_renderer(plan, content, notebook, image_src, figures)
    try:  # prose renders charts through a template too (partials/figure.html)
        context = _context(plan, prose, medium, content.settings)
        context["figures_as_of"] = _figures_as_of(plan, prose)
        context.update(anchor=anchor, embedded=bool(anchor), measuring=measuring)
        context["marking"] = marking if marking is not None else _rolled_up(plan, prose, content)
        context["reading_minutes"] = max(1, round(_prose_words(context)
                                                  / content.settings.reading_speed))
        env = environment(templates)
        html = env.get_template(f"types/{plan.brief.type}.html").render(context)
        citations = None if dry_run else _citations(plan, content, templates)
        html, numbered, entries, forms = number_notes(
            html, notebook, env, medium, content.sources, citations, plan.bibliography,
            measuring)
        endnotes = env.get_template("partials/endnotes.html").render(
            context, numbered=numbered, bibliography_entries=entries, note_forms=forms)
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(template_problem(error, templates)) from None
    except jinja2.UndefinedError as error:
        raise BuildError(undefined_problem(error, templates)) from None
    html = settle_first_uses(html.replace(NOTES_SLOT, endnotes, 1))
    if not dry_run:  # marking languages runs no template
        html = mark_languages(html)
    return Rendered(html, count_words(html))


def render_pack(context: dict, templates: Path) -> Rendered:
    """Render a pack (cover, contents, parts already rendered) to HTML."""
    try:
        html = environment(templates).get_template("pack.html").render(context)
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(template_problem(error, templates)) from None
    except jinja2.UndefinedError as error:
        raise BuildError(undefined_problem(error, templates)) from None
    html = mark_languages(html)
    return Rendered(html, count_words(html))


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}


def image_problem(root: Path, src: str, max_bytes: int) -> tuple[str, str] | None:
    """Return (message, hint) if src is not an image file brief may read: a local path,
    inside the content folder once symlinks and '..' are resolved, an existing picture
    file within the size limit; else None."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
        return (f"image {src[:80]!r} is not a local file",
                "download it into the content folder and use a relative path")
    path = (root / src).resolve()
    if root.resolve() not in path.parents:
        return f"image {src!r} is outside the content folder", "copy it into the content folder"
    if not path.is_file():
        return f"image {src!r} not found", "paths are relative to the content folder"
    if path.suffix.lower() not in IMAGE_TYPES:
        return (f"image {src!r} is not a picture file",
                f"use one of {', '.join(sorted(IMAGE_TYPES))}")
    if (size := path.stat().st_size) > max_bytes:
        return (f"image {src!r} is {size:,} bytes, over the {max_bytes:,}-byte limit",
                "make it smaller, or raise max_file_bytes in settings.yaml")
    return None


def inline_image(root: Path, max_bytes: int, src: str) -> str:
    """Return an image in the content folder as a data: URL, so the HTML page stands alone.
    The image is checked again first: what validation knew of the prose's images may come
    from a cache, and a file read here is published."""
    import base64

    if problem := image_problem(root, src, max_bytes):
        raise BuildError("{} ({})".format(*problem))
    path = (root / src).resolve()
    kind = IMAGE_TYPES[path.suffix.lower()]
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def marking_of(plan: Plan) -> str:
    """Return the marking a document carries on its own."""
    return plan.brief.marking or plan.audience.marking


def document_marking(plan: Plan, content) -> str:
    """Return a document's banner: its own marking rolled up with every portion it includes."""
    prose = _prose_renderer(plan, content, NoteBook(), None)
    _context(plan, prose, "screen", content.settings)
    return _rolled_up(plan, prose, content)


def _prose_renderer(plan: Plan, content, notebook: NoteBook, image_src,
                    figures: Figures | None = None) -> ProseRenderer:
    return ProseRenderer(notebook, plan.audience.terms, image_src, content.settings.portions,
                         content.facts, _locale(plan, content),
                         figures.html if figures else None, plan.audience.keep)


def _locale(plan: Plan, content) -> str:
    """Return the locale figures are written for: the reader's, else the document's."""
    return plan.audience.locale or plan.brief.language or content.settings.language


def _figures_as_of(plan: Plan, prose: ProseRenderer) -> str:
    """Return 'June 2019' (the oldest fact the document prints) when the brief or audience
    asks for a "Figures as of" line, or when that fact is more than a year older than the
    brief (old figures say how old), else ''."""
    from generator.facts import as_of_date, human_as_of

    dated = [fact for fact in prose.facts_used if fact.as_of]
    if not dated:
        return ""
    oldest = min(dated, key=lambda fact: as_of_date(fact.as_of))
    asked = plan.brief.figures_as_of or plan.audience.figures_as_of
    if not asked and (plan.brief.date - as_of_date(oldest.as_of)).days <= 365:
        return ""
    return human_as_of(oldest.as_of)


def _rolled_up(plan: Plan, prose: ProseRenderer, content) -> str:
    """Roll the document's marking up with the portions actually rendered: the marks of
    included topics and of the paragraphs that made it in (a body cut to its summary
    takes its paragraphs' marks with it)."""
    settings = content.settings
    topics = [settings.banner_of(p.topic.marking) for p in plan.topics if p.topic.marking]
    return select.roll_up([marking_of(plan), *topics, *prose.portions_found], settings.markings)


def count_words(html: str) -> int:
    """Return the number of words a reader sees in the body of an HTML document."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.DOTALL)
    return len(WORDS.findall(TAG.sub(" ", body)))


def _context(plan: Plan, prose: ProseRenderer, medium: str, settings) -> dict:
    brief = plan.brief
    sections = [_section(section, prose) for section in plan.sections]
    return {
        "medium": medium,
        "brief": brief,
        "audience": plan.audience,
        "length": plan.length,
        "title": prose.apply_terms(brief.title),
        "subtitle": prose.apply_terms(brief.subtitle),
        "language": brief.language or settings.language,
        "paper": brief.paper or settings.paper,
        "organization": settings.organization,
        "date": brief.date,
        "authors": [_author(a, prose) for a in brief.authors],
        "lede": _block(brief.lede, prose),
        "lead": plan.audience.lead_for(plan.length.id),
        "bottom_line": _block(brief.bottom_line_for(plan.audience.id) or brief.lede, prose),
        "sections": sections,
        "recommendations": [_recommendation(r, prose, select.item_key(plan, r))
                            for r in plan.recommendations],
        "notes": _block(brief.notes, prose),
        "acknowledgments": _block(brief.acknowledgments, prose),
        "notes_slot": Markup(NOTES_SLOT),
        "bibliography": plan.bibliography,
    }


def _prose_words(context: dict) -> int:
    """Count the words of the prose a plan includes, for the reading time."""
    parts = [context["lede"], context["notes"]]
    for section in context["sections"]:
        for topic in section["topics"]:
            parts += [topic["headline"], topic["summary"], topic["body"],
                      *(point["html"] for point in topic["key_points"])]
    parts += [rec["body"] for rec in context["recommendations"]]
    return sum(len(WORDS.findall(TAG.sub(" ", str(part)))) for part in parts if part)


def _block(value, prose: ProseRenderer, heading_offset: int = 1) -> Markup | None:
    return None if value is None else Markup(prose.block(value.text, heading_offset))


def _section(section, prose: ProseRenderer) -> dict:
    nested = bool(section.title)
    return {
        "fit_key": f"group:{section.title}",
        "title": prose.apply_terms(section.title),
        "intro": _block(section.intro, prose),
        "topics": [_topic(p, prose, 2 if nested else 1) for p in section.topics],
    }


def _topic(planned, prose: ProseRenderer, heading_offset: int) -> dict:
    topic = planned.topic
    detail = planned.detail
    return {
        "id": topic.id,
        "title": prose.apply_terms(topic.title),
        "detail": detail,
        "fit_key": f"topic:{topic.id}:{DETAIL_LEVELS.index(detail)}",
        "portion": topic.marking if topic.marking in prose.portions else "",
        "headline": Markup(prose.inline(topic.headline.text)),
        "summary": _block(topic.summary, prose) if detail != "headline" else None,
        "key_points": [{"html": Markup(prose.inline(p.text)),
                        "fit_key": f"point:{topic.id}:{index}:0"}
                       for index, p in enumerate(topic.key_points[:planned.shown_points])],
        "body": Markup(prose.block(topic.body.text, heading_offset))
        if detail == "full" and topic.body.text.strip() else None,
    }


def _author(author, prose: ProseRenderer) -> dict:
    return {
        "name": author.name,
        "affiliation": author.affiliation,
        "office": author.office,
        "bio": _block(author.bio, prose),
    }


def _recommendation(planned, prose: ProseRenderer, key: str) -> dict:
    rec = planned.recommendation
    return {
        "fit_key": f"{key}:{DETAIL_LEVELS.index(planned.detail)}",
        "title": Markup(prose.inline(rec.title)),
        "body": _block(rec.body, prose) if planned.detail != "headline" else None,
        "priority": rec.priority,
    }


def number_notes(html: str, notebook: NoteBook, env: jinja2.Environment, medium: str,
                 sources: dict, citations, bibliography: bool, measuring: bool = False):
    """Number the notes in the order they appear and put each one's marker in its place.

    Returns the HTML, the numbered notes (for endnotes), the bibliography entries and,
    while measuring, each source's full and short note (notes.NoteForms).
    """
    order = [int(match.group(1)) for match in NOTE_PLACEHOLDER.finditer(html)]
    numbered, entries, forms = notes.format_notes(order, notebook, sources, citations,
                                                  bibliography, forms=measuring)
    reference = env.get_template("partials/note-ref.html")
    pending = iter(numbered)

    def replace(match: re.Match) -> str:
        note = next(pending)
        marker = reference.render(number=note.number, note=note.html, medium=medium,
                                  cites=note.sources, measuring=measuring)
        return match.group(2) + marker.strip()

    return NOTE_PLACEHOLDER.sub(replace, html), numbered, entries, forms


def _citations(plan: Plan, content, templates: Path):
    """Return the CSL style and locale this document's citations are formatted with."""
    settings = content.settings
    return notes.Citations.for_brief(templates, plan.brief.citation_style, plan.brief.language,
                                     settings.citation_style, settings.language)


def template_problem(error: jinja2.TemplateSyntaxError, templates: Path) -> Problem:
    """Return a problem locating a template syntax error."""
    path = Path(error.filename) if error.filename else templates / (error.name or "?")
    return Problem(path, error.lineno or 1, f"template syntax error: {error.message}",
                   "check the {% %} and {{ }} tags around this line")


def undefined_problem(error: jinja2.UndefinedError, templates: Path) -> Problem:
    """Return a problem locating the template line that used an undefined value."""
    import traceback

    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.suffix == ".html" and templates.resolve() in path.resolve().parents:
            return Problem(path, frame.lineno or 1, f"undefined value in template: {error.message}",
                           "the template uses a value that this document does not have")
    return Problem(templates, 1, f"undefined value in template: {error.message}")
