"""The house spelling: `spelling: en-US` (or en-GB) in settings.yaml, and a warning for
every word of the content spelt the other way.

The word pairs come from breame's lists of American and British spellings (about 1,700
each), not from a list kept here. Quotations are left alone, since they are verbatim:
block quotes, text in quotation marks, citations and link targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from generator.errors import Problem
from generator.models import Content

HOUSES = ("en-US", "en-GB")
WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
# What is not the house's own words: block quotes, “...” and "..." quotations, citations,
# notes' labels, link targets and code.
VERBATIM = re.compile(r"(?m)^[ \t]*>.*$|“[^”]*”|\"[^\"\n]*\"|\[@[^\]]*\]|\]\([^)]*\)|`[^`]*`"
                      r"|\{(?:fact|chart):[^}]*\}")


def other_spellings(house: str) -> dict[str, str]:
    """Return {word spelt the other way: the house's spelling} for a house spelling."""
    from breame.data.meaning_constants import DIFFERENT_MEANINGS_US_UK_COMMON
    from breame.spelling import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

    pairs = BRITISH_ENGLISH_SPELLINGS if house == "en-US" else AMERICAN_ENGLISH_SPELLINGS
    # A word both houses use, with different meanings (a "tire" of a wheel, say), is no
    # misspelling.
    return {word: house_word for word, house_word in pairs.items()
            if word not in DIFFERENT_MEANINGS_US_UK_COMMON}


def check(content: Content) -> list[Problem]:
    """Return a warning for each word spelt otherwise than the house spelling."""
    house = content.settings.spelling
    if house not in HOUSES:
        return []
    wrong = other_spellings(house)
    problems = []
    for path, line, text in texts(content):
        for word, offset in misspelt(text, wrong):
            problems.append(Problem(
                path, line + offset,
                f"'{word}' is not {house} spelling (the house spelling in settings.yaml)",
                f"write '{_cased(wrong[word.lower()], word)}'", warning=True))
    return problems


def misspelt(text: str, wrong: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Yield (word, line offset) for each word of text, outside quotations, in wrong."""
    text = VERBATIM.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for match in WORD.finditer(text):
        if match.group(0).lower() in wrong:
            yield match.group(0), text.count("\n", 0, match.start())


def texts(content: Content) -> Iterator[tuple[Path, int, str]]:
    """Yield (path, line, text) for every text the content prints: prose and titles."""
    for topic in content.topics.values():
        yield topic.origin.path, topic.line("title"), topic.title
        for prose in topic.prose():
            yield prose.origin.path, prose.origin.line, prose.text
    for brief in content.briefs.values():
        path = brief.origin.path
        yield path, brief.line("title"), brief.title
        yield path, brief.line("subtitle"), brief.subtitle
        for index, section in enumerate(brief.sections):
            yield path, brief.line("sections", index, "title"), section.title
        for index, rec in enumerate(brief.recommendations):
            yield path, brief.line("recommendations", index, "title"), rec.title
        for prose in brief.prose():
            yield prose.origin.path, prose.origin.line, prose.text
    for audience in content.audiences.values():
        yield audience.origin.path, audience.line("name"), audience.name
        yield audience.origin.path, audience.line("description"), audience.description
    for chart in content.charts.values():
        yield from _chart_texts(chart)


def _chart_texts(chart) -> Iterator[tuple[Path, int, str]]:
    path = chart.origin.path
    for key in ("title", "alt", "caption", "axis"):
        yield path, chart.line(key), getattr(chart, key)
    for index, category in enumerate(chart.categories):
        yield path, chart.line("categories", index), str(category)
    for index, series in enumerate(chart.series):
        yield path, chart.line("series", index, "name"), str(series.get("name", ""))
    for index, event in enumerate(chart.events):
        yield path, chart.line("events", index), str(event.get("label", ""))


def _cased(word: str, like: str) -> str:
    """Return word in the case of like (Defence -> Defense, DEFENCE -> DEFENSE)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word
