"""Charts: figures drawn from data in content/charts/<id>.yaml, placed in a topic's body by
a line ``{chart:id}``.

This module owns what a chart means: which shapes of data each type needs, where its
numbers come from (written in the file, or taken from the facts registry), what it cites,
and the table that carries the same data as text. Drawing is chartsvg.py's, and that is
the only place the plotting library is imported, so content without charts never pays
for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator import facts as facts_module
from generator.errors import Problem
from generator.models import Chart, Content
from generator.schema import CHART_TYPES

CATEGORY_TYPES = ("bar", "grouped-bar", "stacked-bar", "line")


@dataclass(frozen=True)
class Data:
    """A chart's data resolved for drawing: facts replaced by their values."""

    type: str
    unit: str
    axis: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    events: tuple[tuple[str, str], ...]  # (date as written, label)

    def key(self, locale: str) -> str:
        """Return a hash of everything the drawing depends on (its cache key)."""
        import hashlib

        return hashlib.sha256(repr((self, locale)).encode()).hexdigest()


def resolve(chart: Chart, facts: dict) -> Data:
    """Return the chart's data with every ``{fact: id}`` replaced by the fact's value."""
    def value(item):
        if isinstance(item, dict):
            return float(facts[item["fact"]].value)
        return None if item is None else float(item)

    return Data(
        type=chart.type, unit=chart.unit, axis=chart.axis,
        categories=tuple(str(c) for c in chart.categories),
        series=tuple((s["name"], tuple(value(v) for v in s["values"])) for s in chart.series),
        events=tuple((str(e["date"]), e["label"]) for e in chart.events),
    )


def relabel(data: Data, name) -> Data:
    """Return the data with every label passed through ``name`` (the audience's terms and
    the prose's quotes and dashes), so the drawing, its table and the text agree."""
    return replace(
        data, axis=name(data.axis) if data.axis else data.axis,
        categories=tuple(name(category) for category in data.categories),
        series=tuple((name(series), values) for series, values in data.series),
        events=tuple((date, name(label)) for date, label in data.events))


def citations(chart: Chart, facts: dict) -> list[tuple[str, str]]:
    """Return the (source id, locator) pairs the chart cites: its own sources, then the
    sources of the facts it uses, each once, in the order written."""
    cited = [(s, "") if isinstance(s, str) else (s["source"], s.get("locator", ""))
             for s in chart.sources]
    for fact_id in facts_used(chart):
        fact = facts.get(fact_id)
        if fact is not None and fact.source:
            cited.append((fact.source, fact.locator))
    return list(dict.fromkeys(cited))


def facts_used(chart: Chart) -> list[str]:
    """Return the ids of the facts the chart's values name, in order."""
    return [v["fact"] for s in chart.series for v in s["values"] if isinstance(v, dict)]


def table(data: Data, locale: str) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of the table that carries the chart's data as text."""
    if data.type == "timeline":
        return ["Date", "Event"], [[date, label] for date, label in data.events]
    header = ["", *(name for name, _ in data.series)]
    rows = [[category, *(format_value(values[i], data.unit, locale)
                         for _, values in data.series)]
            for i, category in enumerate(data.categories)]
    if data.type == "stacked-bar":  # the whole each bar stands for, as the chart shows it
        header.append("Total")
        for row, total in zip(rows, totals(data)):
            row.append(format_value(total, data.unit, locale))
    return header, rows


def totals(data: Data) -> list[float]:
    """Return each category's sum over the series (a stacked bar's length)."""
    return [sum(values[i] or 0 for _, values in data.series)
            for i in range(len(data.categories))]


def format_value(value: float | None, unit: str, locale: str) -> str:
    """Return a value as the document prints it ('—' where there is no figure)."""
    if value is None:
        return "—"
    whole = int(value) if float(value).is_integer() else value
    return facts_module.format_value(whole, unit, locale)


def check(content: Content) -> list[Problem]:
    """Return the problems of every chart file: data of the wrong shape, unknown facts and
    sources, values the unit does not allow."""
    problems = []
    for chart in content.charts.values():
        problems += _check_shape(chart)
        problems += _check_values(chart, content)
        problems += _check_sources(chart, content)
    return problems


def _check_shape(chart: Chart) -> list[Problem]:
    path = chart.origin.path
    if chart.type == "timeline":
        if not chart.events:
            return [Problem(path, chart.line("type"), "a timeline needs `events`",
                            "list the dated events: '- {date: 1951, label: ...}'")]
        return []
    if not chart.categories or not chart.series:
        missing = " and ".join(f"`{f}`" for f in ("categories", "series")
                               if not getattr(chart, f))
        return [Problem(path, chart.line("type"), f"a {chart.type} chart needs {missing}",
                        "give the category labels and one or more series of values "
                        "(see docs/content-format.md)")]
    problems = []
    if chart.type == "bar" and len(chart.series) > 1:
        problems.append(Problem(path, chart.line("series"),
                                f"a bar chart has one series, this one has {len(chart.series)}",
                                "use `type: grouped-bar` to compare several series"))
    for index, series in enumerate(chart.series):
        if len(series["values"]) != len(chart.categories):
            problems.append(Problem(
                path, chart.line("series", index, "values"),
                f"series '{series['name']}' has {len(series['values'])} value(s) but there "
                f"are {len(chart.categories)} categories",
                "give one value per category, in the same order (~ where there is no figure)"))
    return problems


def _check_values(chart: Chart, content: Content) -> list[Problem]:
    from generator.validate import _unknown_at

    problems = []
    for s_index, series in enumerate(chart.series):
        for v_index, item in enumerate(series["values"]):
            line = chart.line("series", s_index, "values", v_index)
            if isinstance(item, dict):
                fact = content.facts.get(item["fact"])
                if fact is None:
                    if "fact:*" not in content.unreadable:
                        problems.append(_unknown_at(chart.origin.path, line, "fact",
                                                    item["fact"], content.facts))
                    continue
                if fact.unit != chart.unit:
                    problems.append(Problem(
                        chart.origin.path, line,
                        f"fact '{fact.id}' counts {fact.unit}, but the chart's unit is "
                        f"{chart.unit}", "use facts of the chart's unit, or change `unit:`"))
                continue
            if item is not None and (reason := facts_module.unit_problem(chart.unit, item)):
                problems.append(Problem(chart.origin.path, line, reason,
                                        "fix the value or the chart's `unit:`"))
            elif chart.type == "stacked-bar" and isinstance(item, (int, float)) and item < 0:
                problems.append(Problem(chart.origin.path, line,
                                        f"a stacked bar cannot stack {item!r}: its segments "
                                        "must be zero or more",
                                        "use `type: grouped-bar` to show values below zero"))
    return problems


def _check_sources(chart: Chart, content: Content) -> list[Problem]:
    from generator.validate import _unknown_at

    problems = []
    if "source:*" in content.unreadable:
        return problems
    for index, entry in enumerate(chart.sources):
        source = entry if isinstance(entry, str) else entry["source"]
        if source not in content.sources:
            problems.append(_unknown_at(chart.origin.path, chart.line("sources", index),
                                        "source", source, content.sources))
    if not chart.sources and not facts_used(chart):
        problems.append(Problem(chart.origin.path, chart.line("type"),
                                f"chart '{chart.id}' has no source",
                                "add `sources:` with the id of the source its data comes "
                                "from, or take its values from facts ({fact: id})"))
    return problems


__all__ = ["CHART_TYPES", "CATEGORY_TYPES", "Data", "resolve", "citations", "table", "check"]
