"""An audience's preferred names (``terms:``), applied to prose, titles and charts.

A term matches as a whole word, never inside a compound ("full-seawall" stays), whatever
its case; the replacement takes the first letter's case of the text it replaces when that
differs from the term as written ("Seawall" at a sentence's start gives "Coastal barrier").
Quotations are verbatim, so text between quotation marks is never changed, nor is a name
the audience keeps (``keep:``). A term may have a first-use form (``{first: East Sea (Sea
of Japan), then: East Sea}``): prose marks every use, and ``settle_first_uses`` prints the
first form at the first use in the document as built, once its HTML is whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import escape

# Quotation marks, once the typographer has curled them. A single closing mark is also an
# apostrophe: it closes a quotation only where one opened with ‘ and no letter follows it.
PAIRS = {"“": "”", "«": "»", "‘": "’"}
QUOTE = re.compile(r"[“”«»‘]|’(?!\w)")
USE = re.compile(r"<!--term:(\d+)-->(.*?)<!--then-->(.*?)<!--/term-->", re.DOTALL)


@dataclass(frozen=True)
class Use:
    """One use of a term in a text: its index and both forms, cased for where it stands."""

    index: int
    first: str
    then: str

    def html(self, marked: bool) -> str:
        """Return the use as HTML: marked for ``settle_first_uses`` when its forms differ."""
        if not marked or self.first == self.then:
            return str(escape(self.then))
        return (f"<!--term:{self.index}-->{escape(self.first)}<!--then-->"
                f"{escape(self.then)}<!--/term-->")


@dataclass(frozen=True)
class Terms:
    """The compiled terms and kept names of one audience."""

    pattern: re.Pattern
    forms: tuple[tuple[str, str, str] | None, ...]  # per group: (written, first, then); None: kept

    def split(self, text: str, opened: str = "") -> tuple[list, str]:
        """Return the text as plain strings and Uses, and the quotations still open at its
        end (``opened``: the opening marks of those open where the text starts)."""
        parts: list = []
        start = 0
        for mark in QUOTE.finditer(text):
            was_open, char = bool(opened), mark.group(0)
            if char in PAIRS:
                opened += char
            elif opened and PAIRS[opened[-1]] == char:
                opened = opened[:-1]
            elif not opened and char == "’":
                continue  # an apostrophe
            if not was_open:
                parts += self._outside(text[start:mark.start()])
                start = mark.start()
            if not opened:
                parts.append(text[start:mark.end()])
                start = mark.end()
        rest = text[start:]
        parts += [rest] if opened else self._outside(rest)
        return [part for part in parts if part != ""], opened

    def plain(self, text: str) -> str:
        """Return plain text (a title, a label) with the short form of every term."""
        parts, _ = self.split(text)
        return "".join(part.then if isinstance(part, Use) else part for part in parts)

    def _outside(self, text: str) -> list:
        parts: list = []
        start = 0
        for match in self.pattern.finditer(text):
            form = self.forms[match.lastindex - 1]
            if form is None:  # a kept name: left as written
                continue
            written, first, then = form
            found = match.group(0)
            parts += [text[start:match.start()],
                      Use(match.lastindex - 1, _cased(first, written, found),
                          _cased(then, written, found))]
            start = match.end()
        parts.append(text[start:])
        return [part for part in parts if part != ""]


def _cased(replacement: str, written: str, found: str) -> str:
    """Give the replacement the case of the found text's first letter, where the found
    text's differs from the term as written."""
    if not replacement or found[:1] == written[:1]:
        return replacement
    head = found[:1]
    return (replacement[0].upper() if head.isupper() else replacement[0].lower()) \
        + replacement[1:]


def compile_terms(terms: dict, keep: list | tuple = (), curl=str) -> Terms | None:
    """Return an audience's terms and kept names ready to apply, or None when it has none;
    ``curl`` sets a name's quotes as the prose's are set (so "Japan's" finds "Japan’s")."""
    return _compiled(tuple(sorted((name, _forms(value)) for name, value in terms.items())),
                     tuple(sorted(set(keep))), curl)


def _forms(value) -> tuple[str, str]:
    """Return (first form, short form) of a term's value: a name, or {first, then}."""
    if isinstance(value, dict):
        return value.get("first") or value["then"], value["then"]
    return value, value


@lru_cache(maxsize=64)
def _compiled(terms: tuple, keep: tuple, curl) -> Terms | None:
    if not terms:
        return None
    entries = [(curl(name), (curl(name), curl(first), curl(then)))
               for name, (first, then) in terms]
    entries += [(curl(name), None) for name in keep]
    entries.sort(key=lambda entry: len(entry[0]), reverse=True)  # the longest name wins
    # A name written with spaces is found across a line break as well.
    words = "|".join("(" + r"\s+".join(map(re.escape, name.split())) + ")"
                     for name, _ in entries)
    pattern = re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE)
    return Terms(pattern, tuple(form for _, form in entries))


def settle_first_uses(html: str) -> str:
    """Print each marked term's first form at its first use in the HTML, its short form at
    every other, and drop the marks."""
    if "<!--term:" not in html:
        return html
    seen: set[str] = set()

    def settle(match: re.Match) -> str:
        if match.group(1) in seen:
            return match.group(3)
        seen.add(match.group(1))
        return match.group(2)

    return USE.sub(settle, html)
