"""The facts registry: figures written once (value, unit, as-of date, source) and cited
wherever prose names them with ``{fact:id}``.

This module owns what a fact means: which units exist and which values they allow, how a
value reads in a reader's locale, and how old a fact is.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache

# unit -> (what values it allows, in words; the check)
UNITS = {
    "count": ("a whole number of zero or more", lambda v: _whole(v) and v >= 0),
    "people": ("a whole number of zero or more", lambda v: _whole(v) and v >= 0),
    "percent": ("a number from -100 to 10000", lambda v: _number(v) and -100 <= v <= 10_000),
    "usd": ("an amount of zero or more", lambda v: _number(v) and v >= 0),
    "krw": ("an amount of zero or more", lambda v: _number(v) and v >= 0),
    "jpy": ("an amount of zero or more", lambda v: _number(v) and v >= 0),
    "km": ("a distance of zero or more", lambda v: _number(v) and v >= 0),
    "metres": ("a distance of zero or more", lambda v: _number(v) and v >= 0),
    "meters": ("a distance of zero or more", lambda v: _number(v) and v >= 0),
    "ratio": ("a number above zero (2.4 prints as 2.4:1)", lambda v: _number(v) and v > 0),
    "days": ("a number of days, zero or more", lambda v: _number(v) and v >= 0),
    "year": ("a year from 1000 to 2999", lambda v: _whole(v) and 1000 <= v <= 2999),
}
CURRENCIES = {"usd": "USD", "krw": "KRW", "jpy": "JPY"}
# Units babel writes in each locale's words and order ("14 days", "14 Tage", "3,2 m").
MEASURES = {"metres": ("length-meter", "short"),
            "meters": ("length-meter", "short"), "days": ("duration-day", "long")}
# A unit of one's own: a pattern holding the number, e.g. "${value} million a year".
VALUE = "{value}"
PATTERN = r"^[^{}]*\{value\}[^{}]*$"
# The largest figure printed (a quadrillion): beyond it, locale formatting runs out of
# decimal precision, and no briefing figure is that large.
LARGEST = 10**15
DURATION = re.compile(r"^(\d+)\s*([ymwd])$")


@dataclass(frozen=True)
class Use:
    """Where prose names a fact."""

    path: object
    line: int


def unit_problem(unit: str, value) -> str | None:
    """Return why a value cannot have this unit, or None when it can."""
    if _number(value) and not (math.isfinite(value) and abs(value) <= LARGEST):
        return (f"{value!r} is not a figure a document can print: it must be finite and at "
                f"most {LARGEST:,.0f} in size")
    if is_pattern(unit):
        return None if _number(value) else f"{value!r} is not a number"
    if unit not in UNITS:
        return (f"unknown unit '{unit}' (known units: {', '.join(sorted(UNITS))}, or a "
                f"pattern such as '{VALUE} days')")
    allowed, check = UNITS[unit]
    if not check(value):
        return f"{value!r} is not possible for unit '{unit}': it must be {allowed}"
    return None


def is_pattern(unit: str) -> bool:
    """Return whether a unit is a display pattern ("{value} days") rather than a name."""
    return isinstance(unit, str) and unit.count(VALUE) == 1 and re.match(PATTERN, unit) is not None


def format_value(value, unit: str, locale: str) -> str:
    """Return a fact's value as a reader in this locale writes it: 54,000; 50%; $1.6 billion;
    3.2 m; 2.4:1; 14 days (14 Tage); a pattern's words with the number in place."""
    from babel import numbers, units

    where = _babel_locale(locale)
    if is_pattern(unit):
        return unit.replace(VALUE, numbers.format_decimal(value, locale=where))
    if unit in MEASURES:
        name, length = MEASURES[unit]
        return units.format_unit(value, name, length, locale=where)
    if unit == "ratio":
        return f"{numbers.format_decimal(value, locale=where)}:1"
    if unit == "year":
        return str(int(value))
    if unit == "percent":
        return numbers.format_percent(value / 100, "#,##0.##%", locale=where)
    if unit in CURRENCIES:
        symbol = numbers.get_currency_symbol(CURRENCIES[unit], locale=where)
        if abs(value) >= 1_000_000:
            kind = "long" if "long" in where.compact_decimal_formats else "short"
            words = numbers.format_compact_decimal(value, format_type=kind,
                                                   fraction_digits=1, locale=where)
            return f"{symbol}{words}"
        return numbers.format_currency(value, CURRENCIES[unit], format="¤#,##0",
                                       currency_digits=False, locale=where)
    return numbers.format_decimal(value, locale=where)


def as_of_date(as_of: str) -> dt.date:
    """Return the last day an as-of date (YYYY, YYYY-MM or YYYY-MM-DD) can mean; raise
    ValueError for a date that does not exist (2019-02-30, 2019-13)."""
    parts = [int(p) for p in str(as_of).split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        year, month = parts
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    raise ValueError(f"{as_of!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def parse_duration(text: str) -> dt.timedelta:
    """Return the span of '3y', '18m', '6w' or '90d'; raise ValueError otherwise."""
    match = DURATION.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a duration such as 3y, 18m, 6w or 90d")
    count, unit = int(match.group(1)), match.group(2)
    days = {"y": 365.25, "m": 30.44, "w": 7, "d": 1}[unit] * count
    return dt.timedelta(days=round(days))


def human_as_of(as_of: str) -> str:
    """Return 'June 2019' for 2019-06, 'June 13, 2019' for a day, '2019' for a year."""
    parts = str(as_of).split("-")
    date = dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                   int(parts[2]) if len(parts) > 2 else 1)
    return date.strftime({1: "%Y", 2: "%B %Y", 3: "%B %-d, %Y"}[len(parts)])


@lru_cache(maxsize=16)
def _babel_locale(locale: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en_US")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value) -> bool:
    return _number(value) and float(value).is_integer()
