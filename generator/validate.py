"""Validate stage: check the whole model (references, duplicates, prose, templates).

Each file was already checked against its schema while loading; here the files are
checked against each other. Every problem is returned; nothing raises.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from generator import markdown
from generator.errors import Problem
from generator.models import Brief, Content, Prose, Topic


def validate(content: Content, templates: Path) -> list[Problem]:
    """Return every problem in the content and templates."""
    problems = check_templates(templates)
    types = _document_types(templates)
    for topic in content.topics.values():
        problems += _check_topic(topic, content)
    for audience in content.audiences.values():
        problems += _unknown_keys(audience, "topics", content.topics, "topic")
        if audience.document_type and types and audience.document_type not in types:
            problems.append(_unknown(audience, ("document_type",), "document type",
                                     audience.document_type, types))
    for brief in content.briefs.values():
        problems += _check_brief(brief, content, types)
    return _drop_echoes(problems, content)


def check_templates(templates: Path) -> list[Problem]:
    """Return a problem for every template that does not parse, or a missing folder."""
    from generator.render import environment, template_problem

    if not (templates / "base.html").is_file():
        return [Problem(templates, 1, "not a templates folder (base.html is missing)",
                        "pass --templates DIR or set BRIEF_TEMPLATES")]
    env = environment(templates)
    problems = []
    for path in sorted(templates.rglob("*.html")):
        name = path.relative_to(templates).as_posix()
        try:
            env.parse(path.read_text("utf-8"), name, str(path))
        except Exception as error:  # jinja2.TemplateSyntaxError, decoding errors
            if hasattr(error, "lineno"):
                problems.append(template_problem(error, templates))
            else:
                problems.append(Problem(path, 1, f"cannot read template: {error}"))
    return problems


def _document_types(templates: Path) -> list[str]:
    from generator.render import document_types

    return document_types(templates)


def _check_topic(topic: Topic, content: Content) -> list[Problem]:
    problems = _unknown_keys(topic, "relevance", content.audiences, "audience")
    for index, source in enumerate(topic.sources):
        if source not in content.sources:
            problems.append(_unknown(topic, ("sources", index), "source", source, content.sources))
    for prose in [topic.headline, topic.summary, topic.body, *topic.key_points]:
        problems += _check_prose(prose, content)
    for offset in markdown.top_level_headings(topic.body.text):
        problems.append(Problem(topic.origin.path, topic.body.origin.line + offset,
                                "a '#' heading in a topic body",
                                "the topic's title is the heading; use '##' for subsections"))
    return problems


def _check_brief(brief: Brief, content: Content, types: list[str]) -> list[Problem]:
    problems = []
    if types and brief.type not in types:
        problems.append(_unknown(brief, ("type",), "document type", brief.type, types))
    seen: set[str] = set()
    for index, section in enumerate(brief.sections):
        for topic_id in section.topics:
            if topic_id not in content.topics:
                problems.append(_unknown(brief, ("sections", index), "topic", topic_id,
                                         content.topics))
            elif topic_id in seen:
                problems.append(Problem(brief.origin.path, brief.line("sections", index),
                                        f"topic '{topic_id}' appears twice in this brief",
                                        "keep it in one section"))
            seen.add(topic_id)
    for field, known, kind in (("audiences", content.audiences, "audience"),
                               ("lengths", content.lengths, "length")):
        for index, item in enumerate(getattr(brief, field)):
            if item not in known:
                problems.append(_unknown(brief, (field, index), kind, item, known))
    for index, rec in enumerate(brief.recommendations):
        for topic_id in rec.topics:
            if topic_id not in content.topics:
                problems.append(_unknown(brief, ("recommendations", index), "topic", topic_id,
                                         content.topics))
    for prose in _brief_prose(brief):
        problems += _check_prose(prose, content)
    return problems


def _brief_prose(brief: Brief) -> list[Prose]:
    prose = [brief.lede, brief.notes, brief.acknowledgments]
    prose += [author.bio for author in brief.authors]
    prose += [section.intro for section in brief.sections]
    prose += [rec.body for rec in brief.recommendations]
    return [p for p in prose if p is not None]


def _check_prose(prose: Prose, content: Content) -> list[Problem]:
    problems = []
    for citation in markdown.find_citations(prose.text):
        if citation.source not in content.sources:
            line = prose.origin.line + citation.line_offset
            problems.append(_unknown_at(prose.origin.path, line, "source", citation.source,
                                        content.sources))
    return problems


def _unknown_keys(item, field: str, known: dict, kind: str) -> list[Problem]:
    return [_unknown(item, (field, key), kind, key, known)
            for key in getattr(item, field) if key not in known]


def _unknown(item, where: tuple, kind: str, name: str, known) -> Problem:
    return _unknown_at(item.origin.path, item.line(*where), kind, name, known)


def _drop_echoes(problems: list[Problem], content: Content) -> list[Problem]:
    """Leave out 'unknown id' problems whose file exists but could not be read.

    The unreadable file is already reported; its id appearing unknown elsewhere is an echo.
    """
    def echo(problem: Problem) -> bool:
        if not problem.message.startswith("unknown "):
            return False
        kind, _, name = problem.message[len("unknown "):].rpartition(" ")
        kind = kind.replace("document type", "type")
        name = name.strip("'")
        return f"{kind}:{name}" in content.unreadable or f"{kind}:*" in content.unreadable

    return [problem for problem in problems if not echo(problem)]


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
