"""Validate stage: check the whole model (references, duplicates, prose, templates).

Each file was already checked against its schema while loading; here the files are
checked against each other. Every problem is returned; nothing raises.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator import charts, dating, imagecheck, markdown, outputnames, sourcing, spelling
from generator.cache import DiskCache, DiskTable, code_digest
from generator.errors import Problem
from generator.models import Brief, Content, Prose, Topic


class _Known:
    """The ids of one kind, for reference checks.

    An id whose file exists but could not be read counts as known: that file is reported
    already, and calling every reference to it unknown would only echo the problem.
    """

    def __init__(self, kind: str, items: dict, content: Content):
        self.ids = sorted(items)
        self.unreadable = {u.split(":", 1)[1] for u in content.unreadable
                           if u.startswith(f"{kind}:")}

    def __contains__(self, name: str) -> bool:
        return name in self.ids or name in self.unreadable or "*" in self.unreadable

    def __iter__(self):
        return iter(self.ids)


@dataclass
class _References:
    root: Path
    topics: _Known
    audiences: _Known
    lengths: _Known
    sources: _Known
    facts: _Known
    charts: _Known
    max_bytes: int = 10_000_000  # an image's size limit (settings.max_file_bytes)
    max_image_pixels: int = imagecheck.DEFAULT_MAX_PIXELS


SPLIT_FROM = 1000  # pieces of prose from which two processes read them


def validate(content: Content, templates: Path, syntax: bool = True) -> list[Problem]:
    """Return every problem in the content and templates (unless not syntax, leaving out
    whether the templates parse: brief check asks that of another process)."""
    _read_prose(content)
    problems = check_templates(templates) if syntax else []
    types = _document_types(templates)
    refs = _References(content.root, *(_Known(kind, items, content) for kind, items in (
        ("topic", content.topics), ("audience", content.audiences),
        ("length", content.lengths), ("source", content.sources), ("fact", content.facts),
        ("chart", content.charts))), max_bytes=content.settings.max_file_bytes,
        max_image_pixels=content.settings.max_image_pixels)
    for topic in content.topics.values():
        problems += _check_topic(topic, refs)
    for audience in content.audiences.values():
        problems += _unknown_keys(audience, "topics", refs.topics, "topic")
        if isinstance(audience.lead, dict):
            problems += _unknown_keys(audience, "lead", refs.lengths, "length")
        if audience.document_type and types and audience.document_type not in types:
            problems.append(_unknown(audience, ("document_type",), "document type",
                                     audience.document_type, types))
    for brief in content.briefs.values():
        problems += _check_brief(brief, refs, types)
    for pack in content.packs.values():
        problems += _check_pack(pack, refs, content)
    problems += _check_markings(content)
    problems += _check_leads(content)
    problems += _check_styles(content, templates)
    problems += charts.check(content)
    problems += sourcing.check(content)
    problems += outputnames.check(content)
    problems += dating.check(content)
    problems += spelling.check(content)
    return problems


def _read_prose(content: Content) -> None:
    """Have a large base's prose read (parsed, and searched for unsourced figures) in two
    processes, half each: most of what checking it costs."""
    texts = sorted({prose.text for prose in sourcing.all_prose(content)})
    if len(texts) < SPLIT_FROM:
        return
    from functools import partial

    from generator.workers import Beside

    half = len(texts) // 2
    other = Beside(partial(_answers, texts[half:]))
    try:
        _answers(texts[:half])
        scans, unsourced = other.result()
    finally:
        other.cancel()
    markdown.remember_scans(scans)
    sourcing.remember_unsourced(unsourced)


def _answers(texts: list[str]) -> tuple[dict, dict]:
    """Return the scan and the unsourced figures of each text."""
    return ({text: markdown.scan(text) for text in texts},
            {text: sourcing.unsourced_numbers(text) for text in texts})


def _check_styles(content: Content, templates: Path) -> list[Problem]:
    """A citation style must be a CSL file in the templates' csl/ folder."""
    styles = sorted(p.stem for p in (templates / "csl").glob("*.csl"))
    problems = []
    for brief in content.briefs.values():
        if brief.citation_style and brief.citation_style not in styles:
            problems.append(_unknown(brief, ("citation_style",), "citation style",
                                     brief.citation_style, styles))
    default = content.settings.citation_style
    if default not in styles:
        problems.append(_unknown_at(content.root / "settings.yaml", 1, "citation style",
                                    default, styles))
    return problems


def _check_leads(content: Content) -> list[Problem]:
    """A brief read by an audience that wants the bottom line first should state one."""
    problems = []
    for brief in content.briefs.values():
        if brief.lede:
            continue
        wanting = [a for a in brief.audiences if a in content.audiences
                   and not brief.bottom_line_for(a) and any(
            content.audiences[a].lead_for(length) == "bottom-line" for length in brief.lengths)]
        if wanting:
            problems.append(Problem(
                brief.origin.path, brief.line("audiences"),
                f"{', '.join(wanting)} read documents that lead with the bottom line, but this "
                "brief has none", "add `bottom_line:` (a few sentences)", warning=True))
    return problems


def _check_pack(pack, refs: _References, content: Content) -> list[Problem]:
    problems = []
    for index, part in enumerate(pack.parts):
        for field, known, kind in (("brief", content.briefs, "brief"),
                                   ("audience", refs.audiences, "audience"),
                                   ("length", refs.lengths, "length")):
            name = getattr(part, field)
            if name not in known:
                problems.append(_unknown(pack, ("briefs", index, field), kind, name, known))
    return problems


def _check_markings(content: Content) -> list[Problem]:
    """Markings must come from settings.markings when it is defined, so they can roll up."""
    settings = content.settings
    items = [*content.audiences.values(), *content.briefs.values(), *content.packs.values()]
    problems = []
    if settings.markings:
        problems += [Problem(item.origin.path, item.line("marking"),
                             f"unknown marking '{item.marking}'",
                             f"use one of the markings in settings.yaml: "
                             f"{', '.join(settings.markings)}")
                     for item in items if item.marking and item.marking not in settings.markings]
    known = [*settings.portions, *settings.markings]
    problems += [Problem(topic.origin.path, topic.line("marking"),
                         f"unknown portion mark '{topic.marking}'",
                         f"use one defined in settings.yaml markings: {', '.join(known)}"
                         if known else "define the marking levels in settings.yaml `markings`")
                 for topic in content.topics.values()
                 if topic.marking and topic.marking not in known]
    return problems


def check_templates(templates: Path) -> list[Problem]:
    """Return a problem for every template that does not parse, or a missing folder.

    Templates are compiled in this process (nothing compiled is kept on disk: Jinja's
    bytecode cache unpickles its files). What is kept is only that a template, byte for
    byte, compiled before: a flag, so a check that changed no template compiles none. A
    wrong flag could only hide a syntax error until the build, which compiles what it
    renders."""
    from jinja2 import TemplateSyntaxError
    from jinja2 import __version__ as jinja_version

    from generator.render import environment, template_problem

    if not (templates / "base.html").is_file():
        return [Problem(templates, 1, "not a templates folder (base.html is missing)",
                        "pass --templates DIR or set BRIEF_TEMPLATES")]
    env = environment(templates)
    compiled = DiskTable.of_kind("template-syntax", templates)
    problems = []
    for path in sorted(templates.rglob("*.html")):
        name = path.relative_to(templates).as_posix()
        try:
            key = DiskCache.key(name, hashlib.sha256(path.read_bytes()).hexdigest(),
                                code_digest(), jinja_version)
            if compiled.get(key) is True:
                continue
            env.get_template(name)
            compiled.put(key, True)
        except TemplateSyntaxError as error:
            problems.append(template_problem(error, templates))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(path, 1, f"cannot read template: {error}",
                                    "save it as UTF-8 text"))
    compiled.save()
    return problems


def _document_types(templates: Path) -> list[str]:
    from generator.render import document_types

    return document_types(templates)


def _check_topic(topic: Topic, refs: _References) -> list[Problem]:
    problems = _unknown_keys(topic, "relevance", refs.audiences, "audience")
    for index, source in enumerate(topic.sources):
        if source not in refs.sources:
            problems.append(_unknown(topic, ("sources", index), "source", source, refs.sources))
    for prose in topic.prose():
        problems += _check_prose(prose, refs)
    problems += _check_charts(topic.body, refs)
    for prose in [topic.headline, topic.summary, *topic.key_points]:
        problems += _charts_not_allowed(prose, "a topic's headline, summary or key points")
    for offset in markdown.top_level_headings(topic.body.text):
        problems.append(Problem(topic.origin.path, topic.body.origin.line + offset,
                                "a '#' heading in a topic body",
                                "the topic's title is the heading; use '##' for subsections"))
    return problems


def _check_brief(brief: Brief, refs: _References, types: list[str]) -> list[Problem]:
    problems = []
    if types and brief.type not in types:
        problems.append(_unknown(brief, ("type",), "document type", brief.type, types))
    seen: set[str] = set()
    for index, section in enumerate(brief.sections):
        for topic_id in section.topics:
            if topic_id not in refs.topics:
                problems.append(_unknown(brief, ("sections", index), "topic", topic_id,
                                         refs.topics))
            elif topic_id in seen:
                problems.append(Problem(brief.origin.path, brief.line("sections", index),
                                        f"topic '{topic_id}' appears twice in this brief",
                                        "keep it in one section"))
            seen.add(topic_id)
    for field, known, kind in (("audiences", refs.audiences, "audience"),
                               ("lengths", refs.lengths, "length")):
        for index, item in enumerate(getattr(brief, field)):
            if item not in known:
                problems.append(_unknown(brief, (field, index), kind, item, known))
    for index, rec in enumerate(brief.recommendations):
        for topic_id in rec.topics:
            if topic_id not in refs.topics:
                problems.append(_unknown(brief, ("recommendations", index), "topic", topic_id,
                                         refs.topics))
        problems += [_unknown(brief, ("recommendations", index, "audiences"), "audience", a,
                              brief.audiences)
                     for a in rec.audiences if a not in brief.audiences]
    problems += [_unknown(brief, ("bottom_line", audience), "audience", audience,
                          brief.audiences)
                 for audience in brief.bottom_lines if audience not in brief.audiences]
    for prose in brief.prose():
        problems += _check_prose(prose, refs)
        problems += _charts_not_allowed(prose, "a brief's own text")
    return problems


def _check_charts(prose: Prose, refs: _References) -> list[Problem]:
    """A chart line must name a chart that exists, and stand alone at the top level."""
    problems = [_unknown_at(prose.origin.path, prose.origin.line + offset, "chart", chart_id,
                            refs.charts)
                for chart_id, offset in markdown.find_charts(prose.text)
                if chart_id not in refs.charts]
    for written, offset in markdown.misplaced_charts(prose.text):
        problems.append(Problem(prose.origin.path, prose.origin.line + offset,
                                f"{written} must stand alone on its own line",
                                "put '{chart:id}' on a line of its own between paragraphs "
                                "(the id: lower-case letters, digits, hyphens)"))
    return problems


def _charts_not_allowed(prose: Prose, where: str) -> list[Problem]:
    """Charts belong to full-length text: short documents (headlines, summaries) must stay
    within their page budgets."""
    placed = [("{chart:%s}" % chart_id, offset)
              for chart_id, offset in markdown.find_charts(prose.text)]
    placed += markdown.misplaced_charts(prose.text)
    return [Problem(prose.origin.path, prose.origin.line + offset, f"{written} in {where}",
                    "charts go in a topic's body, which full-length documents print; move "
                    "the line there")
            for written, offset in placed]


def _check_prose(prose: Prose, refs: _References) -> list[Problem]:
    problems = _check_images(prose, refs.root, refs.max_bytes, refs.max_image_pixels)
    for citation in markdown.find_citations(prose.text):
        if citation.source not in refs.sources:
            line = prose.origin.line + citation.line_offset
            problems.append(_unknown_at(prose.origin.path, line, "source", citation.source,
                                        refs.sources))
    for fact_id, offset in markdown.find_facts(prose.text):
        if fact_id not in refs.facts:
            problems.append(_unknown_at(prose.origin.path, prose.origin.line + offset, "fact",
                                        fact_id, refs.facts))
    for offset in markdown.nested_notes(prose.text):
        problems.append(Problem(prose.origin.path, prose.origin.line + offset,
                                "a note inside a note",
                                "notes cannot hold notes: write the inner note's text into "
                                "the outer note, or give it a note of its own after it"))
    for tag, offset in markdown.find_languages(prose.text):
        if not known_language(tag):
            problems.append(Problem(
                prose.origin.path, prose.origin.line + offset,
                f"unknown language {tag!r} in {{lang={tag}}}",
                "use a language tag (BCP 47) such as ja, ko, zh-Hant or en-US"))
    return problems


def known_language(tag: str) -> bool:
    """Return whether a BCP 47 tag names a language CLDR knows (through Babel): the tag
    selects the font and the screen reader's voice, so a typo must not pass silently."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _check_images(prose: Prose, root: Path, max_bytes: int, max_pixels: int) -> list[Problem]:
    """Images must be files inside the content folder (nothing is fetched at build time),
    stand alone and be of a size a build can decode (imagecheck.py), and say in words what
    they show: the tagged PDF and the HTML page give screen readers the alt text, and
    PDF/UA refuses a figure without it."""
    from generator.render import image_problem

    problems = []
    for src, alt, offset in markdown.find_images(prose.text):
        line = prose.origin.line + offset
        if not alt:
            problems.append(Problem(
                prose.origin.path, line, f"image {src[:80]!r} has no alt text",
                f"add alt text that says what it shows: ![what it shows]({src[:80]})"))
        if found := image_problem(root, src, max_bytes):
            problems.append(Problem(prose.origin.path, line, *found))
        else:
            problems += _image_file_problems(prose.origin.path, line, src,
                                             (root / src).resolve(), max_pixels)
    return problems


def _image_file_problems(path: Path, line: int, src: str, image: Path,
                         max_pixels: int) -> list[Problem]:
    """Report what is wrong inside an image file where prose uses it (with the line in the
    SVG that pulls something in)."""
    problems = []
    for problem, image_line in imagecheck.image_problems(image, max_pixels):
        at = f" (line {image_line})" if image_line else ""
        if image.suffix.lower() == ".svg":
            hint = ("an SVG image must stand alone: put what it refers to inside it, or "
                    "export it again as a plain SVG")
        else:
            hint = "scale it down, or raise max_image_pixels in settings.yaml"
        problems.append(Problem(path, line, f"image {src!r} {problem}{at}", hint))
    return problems


def _unknown_keys(item, field: str, known: dict, kind: str) -> list[Problem]:
    return [_unknown(item, (field, key), kind, key, known)
            for key in getattr(item, field) if key not in known]


def _unknown(item, where: tuple, kind: str, name: str, known) -> Problem:
    return _unknown_at(item.origin.path, item.line(*where), kind, name, known)


def _unknown_at(path: Path, line: int, kind: str, name: str, known) -> Problem:
    choices = sorted(known)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif choices and len(choices) <= 12:
        hint = f"known {kind}s: {', '.join(choices)}"
    else:
        hint = f"define it, or check the spelling ({len(choices)} {kind}s are defined)"
    return Problem(path, line, f"unknown {kind} '{name}'", hint)
