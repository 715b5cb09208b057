"""Checks that every figure is traceable: facts complete and possible, sources cited,
numbers in prose sourced, and facts not older than a reader should trust.

Problems here are located like every other (``path:line``); the ones an author may
reasonably leave for later are warnings, which ``brief check --strict`` turns into errors.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re

from generator import facts, markdown
from generator.errors import Problem
from generator.models import Content, Prose

# A figure in prose: digits with optional grouping and decimals, and a trailing percent.
NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(%| percent)?(?![\w/-]|\.\d)")
BOUNDARY = re.compile(r"[.!?][”’\")\]]*\s+(?=[A-Z“\"(\[{])")
ABBREVIATION = re.compile(r"(?:\b[A-Z]\.)*\b[A-Z]$|\b(?:e\.g|i\.e|vs|No|Nos|Mr|Ms|Dr|St|Jr|p|pp|"
                          r"para|art|sec|ch|vol|cf|al|Gen|Adm|Rep|Sen)$")
ORDINAL = re.compile(r"\d(?:st|nd|rd|th)\b")
# What is not a figure, though written in digits. Here a false warning costs more than a
# missed one (a `--strict` check must be usable): a number naming a thing ("Route 9",
# "Chapter 3.48", "call 311"), after a capitalised name inside a sentence ("Pier 4",
# "June 13"), a phone number, a time, a list marker "(1)", a year or the end of a range of
# years ("2026–27").
IDENTIFYING = frozenset("""
    act addendum amendment annex appendix art article avenue berth bill block box building
    bus call camp car category chapter class clause code dial district dock exhibit exit
    extension fax figure flight floor form gate grade hall hangar highway interstate item
    lane level line lot mission model no nos number ordinance page paragraph parcel part
    phase phone pier platform precinct proposition question recommendation resolution road
    room route row rule runway section sector series site stage station step street suite
    table tel telephone terminal text tier title track unit version volume ward zone
""".split())
WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z’'.-]*)[ \t\n]+$")
SENTENCE_OPENING = re.compile(r"^[\s“‘\"'(\[*_]*$")
YEAR_RANGE = re.compile(r"\b[12]\d{3}[–—]$")
NOT_FIGURES = re.compile(
    r"\(\d{1,3}\)|\([a-z]\)"  # list markers inside a sentence
    r"|(?<![\w.])(?:\+\d{1,3}[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)"  # phones
    r"|(?<![\w.])\d{3}-\d{4}(?![\w-])"  # a local phone number
    r"|(?<![\w.:])\d{1,2}:\d{2}(?![\d:])"  # a time of day
)


def check(content: Content) -> list[Problem]:
    """Return problems with facts, and warnings for uncited sources and unsourced numbers."""
    return _check_facts(content) + _uncited_sources(content) + _unsourced_numbers(content)


def stale_facts(content: Content, older_than: dt.timedelta, today: dt.date) -> list[Problem]:
    """Return a warning for every fact whose as-of date is older than the span, with the
    places that use it."""
    uses = fact_uses(content)
    problems = []
    for fact in sorted(content.facts.values(), key=lambda f: f.id):
        if not fact.as_of or today - facts.as_of_date(fact.as_of) <= older_than:
            continue
        where = ", ".join(f"{_short(path)}:{line}"
                          for path, line in sorted(uses.get(fact.id, []), key=_place))
        used = f"used in {where}" if where else "not used"
        problems.append(Problem(
            fact.origin.path, fact.origin.line,
            f"fact '{fact.id}' is stale: as of {fact.as_of}, older than {_span(older_than)}; "
            f"{used}", "update its value and as_of, or the briefs that use it", warning=True))
    return problems


def fact_uses(content: Content) -> dict[str, list[tuple]]:
    """Return, for each fact id, the (path, line) of every place prose names it."""
    uses: dict[str, list[tuple]] = {}
    for prose in all_prose(content):
        for fact_id, offset in markdown.find_facts(prose.text):
            uses.setdefault(fact_id, []).append((prose.origin.path, prose.origin.line + offset))
    for chart in content.charts.values():  # a chart's values may be facts too
        for s_index, series in enumerate(chart.series):
            for v_index, value in enumerate(series["values"]):
                if isinstance(value, dict):
                    line = chart.line("series", s_index, "values", v_index)
                    uses.setdefault(value["fact"], []).append((chart.origin.path, line))
    return uses


def _check_facts(content: Content) -> list[Problem]:
    problems = []
    for fact in content.facts.values():
        path = fact.origin.path
        if not fact.source:
            problems.append(Problem(path, fact.origin.line, f"fact '{fact.id}' has no source",
                                    "add `source:` with the id of the source it comes from"))
        elif fact.source not in content.sources and "source:*" not in content.unreadable:
            problems.append(Problem(path, fact.line("source"),
                                    f"fact '{fact.id}' cites unknown source '{fact.source}'",
                                    "use the id of an entry in content/sources/"))
        if not fact.as_of:
            problems.append(Problem(path, fact.origin.line, f"fact '{fact.id}' has no date",
                                    "add `as_of:` with the date the figure describes"))
        if reason := facts.unit_problem(fact.unit, fact.value):
            problems.append(Problem(path, fact.line("value"), f"fact '{fact.id}': {reason}",
                                    "fix the value or choose the unit it is counted in"))
    return problems


def _uncited_sources(content: Content) -> list[Problem]:
    from generator.charts import citations

    cited = {fact.source for fact in content.facts.values()}
    cited |= {source for chart in content.charts.values()
              for source, _ in citations(chart, content.facts)}
    for prose in all_prose(content):
        cited |= {c.source for c in markdown.find_citations(prose.text)}
    return [Problem(source.origin.path, source.origin.line,
                    f"source '{source.id}' is never cited",
                    "cite it where it supports the text ([@id]), or remove it", warning=True)
            for source in content.sources.values() if source.id not in cited]


def _unsourced_numbers(content: Content) -> list[Problem]:
    """Warn about figures in prose that are neither facts nor followed, in the same
    sentence, by a citation. Years, ordinals and numbers inside names are not figures."""
    problems = []
    for prose in all_prose(content):
        for number, line in unsourced_numbers(prose.text):
            problems.append(Problem(
                prose.origin.path, prose.origin.line + line,
                f"the figure '{number}' has no source",
                "cite a source after it in the same sentence ([@id]), or make it a fact "
                "({fact:id})", warning=True))
    return problems


_unsourced: dict[str, list[tuple[str, int]]] = {}  # found by another process


def remember_unsourced(found: dict[str, list[tuple[str, int]]]) -> None:
    """Keep what another process's unsourced_numbers found, by text, in place of what it
    found before."""
    _unsourced.clear()
    _unsourced.update(found)


def unsourced_numbers(text: str) -> list[tuple[str, int]]:
    """Return (figure, line offset) for each number in the Markdown text that needs a
    source and has none in its sentence."""
    if text in _unsourced:
        return _unsourced[text]
    spans, text = _sentences(text), _blank(text)
    breaks = [match.start() for match in re.finditer("\n", text)]
    found = []
    for start, end in spans:
        sentence = text[start:end]
        if "[@" in sentence or "{fact:" in sentence:
            continue
        for match in NUMBER.finditer(sentence):
            if not (_is_year(match) or ORDINAL.match(sentence, match.start())
                    or _names_something(sentence, match)):
                line = bisect.bisect_left(breaks, start + match.start())
                found.append((match.group(0), line))
    return found


def _names_something(sentence: str, match: re.Match) -> bool:
    """Return whether the number identifies something (see IDENTIFYING) rather than
    counting it: a percentage or a number grouped in thousands always counts."""
    before = sentence[:match.start()]
    if YEAR_RANGE.search(before[-8:]) and len(match.group(1)) <= 4:
        return True
    word = WORD_BEFORE.search(before[-40:])
    if word is None:
        return False
    name = word.group(1).rstrip(".").casefold()
    if name in IDENTIFYING:
        return True
    counts = match.group(2) or "," in match.group(1)
    opening = SENTENCE_OPENING.match(before[:len(before) - len(word.group(0))]) is not None
    possessive = name.endswith(("’s", "'s", "s’", "s'"))
    return word.group(1)[0].isupper() and not (counts or opening or possessive)


# What is not prose, each from its opening to its closing: a link target, code, a note label.
NOT_PROSE = {"](": ")", "`": "`", "[^": "]"}
# A list marker, heading or quote at the start of a line (only spaces or tabs before it: a
# run of blank lines must not be read again from each of its lines).
MARKER = re.compile(r"(?m)^[ \t]*+(?:>[ \t]*+)*+(?:\d+[.)]|\(\d+\)|[-*+]|#+|>)\s")


def _blank(text: str) -> str:
    """Blank out (keeping every offset) what is not prose, or numbers that are not figures:
    list markers, phone numbers, times, link targets, code, note labels."""
    text = NOT_FIGURES.sub(_spaces, MARKER.sub(_spaces, text))
    return _blank_spans(text)


def _spaces(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _blank_spans(text: str) -> str:
    """Blank each span of NOT_PROSE, read left to right as one pattern would, in linear
    time: an opening whose closing never comes is not looked for again."""
    pieces, position, openings = [], 0, dict(NOT_PROSE)
    pattern = _openings(tuple(openings))
    while openings and (match := pattern.search(text, position)):
        end = text.find(openings[match.group(0)], match.end())
        if end < 0:  # no closing of this kind anywhere after: stop looking for its opening
            del openings[match.group(0)]
            pattern = _openings(tuple(openings))
            continue
        blanked = re.sub(r"[^\n]", " ", text[match.start():end + 1])
        pieces += [text[position:match.start()], blanked]
        position = end + 1
    return "".join(pieces) + text[position:]


def _openings(openings: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, openings)) or "(?!)")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence: blocks end at blank lines and list items;
    a full stop after an abbreviation (U.S., p., e.g.) does not end a sentence."""
    cuts = {0, len(text)}
    cuts |= {m.end() for m in re.finditer(r"\n\s*\n|\n(?=[ \t]*+(?:\d+[.)]|[-*+]|#+|>)\s)",
                                          text)}
    for match in BOUNDARY.finditer(text):
        # Only the few characters before the stop can hold an abbreviation.
        if not ABBREVIATION.search(text, max(0, match.start() - 24), match.start()):
            cuts.add(match.end())
    ordered = sorted(cuts)
    return list(zip(ordered, ordered[1:]))


def _is_year(match: re.Match) -> bool:
    digits = match.group(1)
    return not match.group(2) and len(digits) == 4 and 1000 <= int(digits) <= 2999 \
        and not match.group(0).count(".")


def all_prose(content: Content) -> list[Prose]:
    """Return every piece of prose in the content: the topics', then the briefs' own."""
    prose = [p for topic in content.topics.values() for p in topic.prose()]
    return prose + [p for brief in content.briefs.values() for p in brief.prose()]


def _place(use: tuple) -> tuple:
    return (str(use[0]), use[1])


def _short(path) -> str:
    from generator.errors import display_path

    return display_path(path)


def _span(span: dt.timedelta) -> str:
    years = span.days / 365.25
    if years >= 1 and abs(years - round(years)) < 0.01:
        return f"{round(years)} year{'s' if round(years) > 1 else ''}"
    return f"{span.days} days"
