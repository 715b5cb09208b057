"""The date gate: nothing a brief cites or uses may be dated after the brief itself.

A brief dated March 2016 cannot cite a poll of 2019, a fact as of 2020 or a timeline event
of 2021. Each such use is a warning at the place that makes it (``path:line``), naming the
brief it reaches, which ``brief check --strict`` turns into an error. A date written as a
year or a month stands for its first day here, so only what is certainly later is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator import markdown
from generator.errors import Problem
from generator.models import Brief, Content, Prose


@dataclass(frozen=True)
class Use:
    """One dated thing a brief relies on, and where the content uses it."""

    what: str  # "source 'pew-2017-russia'", "fact 'usfk-personnel'", "event '...'"
    date: str
    path: Path
    line: int


def check(content: Content) -> list[Problem]:
    """Return a warning for every source, fact or event a brief uses that is dated after
    the brief."""
    problems = []
    for brief in content.briefs.values():
        for use in uses(content, brief):
            if _after(use.date, brief.date):
                problems.append(Problem(
                    use.path, use.line,
                    f"{use.what} is dated {use.date}, after brief '{brief.id}' "
                    f"({brief.date.isoformat()}), which uses it",
                    "date the brief later, or leave this out of what it draws on",
                    warning=True))
    return _once(problems)


def earliest(date: str) -> dt.date:
    """Return the first day a date (YYYY, YYYY-MM or YYYY-MM-DD) can mean."""
    parts = [int(part) for part in str(date).split("-")[:3]]
    return dt.date(*(parts + [1, 1][len(parts) - 1:]))


def _after(date: str, day: dt.date) -> bool:
    try:
        return earliest(date) > day
    except (TypeError, ValueError):  # a malformed date is reported by the schema checks
        return False


def uses(content: Content, brief: Brief) -> Iterator[Use]:
    """Yield every dated source, fact and chart event the brief or its topics use."""
    prose = list(brief.prose())
    prose += [p for topic_id in brief.topic_ids if topic_id in content.topics
              for p in content.topics[topic_id].prose()]
    for piece in prose:
        yield from _prose_uses(content, piece)


def _prose_uses(content: Content, prose: Prose) -> Iterator[Use]:
    path, start = prose.origin.path, prose.origin.line
    for citation in markdown.find_citations(prose.text):
        yield from _source_use(content, citation.source, path, start + citation.line_offset)
    for fact_id, offset in markdown.find_facts(prose.text):
        yield from _fact_use(content, fact_id, path, start + offset)
    for chart_id, offset in markdown.find_charts(prose.text):
        yield from _chart_uses(content, chart_id)


def _source_use(content: Content, source_id: str, path: Path, line: int) -> Iterator[Use]:
    source = content.sources.get(source_id)
    if source is not None and source.date:
        yield Use(f"source '{source_id}'", source.date, path, line)


def _fact_use(content: Content, fact_id: str, path: Path, line: int) -> Iterator[Use]:
    fact = content.facts.get(fact_id)
    if fact is None:
        return
    if fact.as_of:
        yield Use(f"fact '{fact_id}'", fact.as_of, path, line)
    yield from _source_use(content, fact.source, path, line)


def _chart_uses(content: Content, chart_id: str) -> Iterator[Use]:
    from generator.charts import citations

    chart = content.charts.get(chart_id)
    if chart is None:
        return
    path = chart.origin.path
    for index, event in enumerate(chart.events):
        yield Use(f"event '{event.get('label', '')}'", str(event.get("date", "")),
                  path, chart.line("events", index))
    for s_index, series in enumerate(chart.series):
        for v_index, value in enumerate(series.get("values", [])):
            if isinstance(value, dict):
                line = chart.line("series", s_index, "values", v_index)
                yield from _fact_use(content, value.get("fact", ""), path, line)
    for source_id, _ in citations(chart, content.facts):
        yield from _source_use(content, source_id, path, chart.line("sources"))


def _once(problems: list[Problem]) -> list[Problem]:
    """Drop repeats: a topic used twice in one brief is one problem at each place."""
    seen, kept = set(), []
    for problem in problems:
        key = (problem.path, problem.line, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept
