"""Check one parsed file against its JSON Schema, in words an analyst understands."""

from __future__ import annotations

import difflib
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from generator import __version__, ids
from generator.errors import Problem
from generator.schema import KINDS
from generator.yamldoc import YamlDoc

_validators: dict = {}


def check_schema(kind: str, doc: YamlDoc, path: Path) -> list[Problem]:
    """Return a problem for everything in doc that the kind's schema does not allow."""
    errors = sorted(_validator(kind).iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    unknown_paths = {tuple(e.path) for e in errors if e.validator == "additionalProperties"}
    problems = []
    for error in errors:
        if error.validator == "oneOf" and tuple(error.path) in unknown_paths:
            continue  # the unknown field explains it better
        problems.extend(_explain(error, doc, path))
    return problems


@lru_cache(maxsize=None)
def schema_digest(kind: str) -> str:
    """Return a hash of the kind's schema (and of brief's version, whose checks it is)."""
    text = json.dumps([KINDS[kind], __version__], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _validator(kind: str):
    if kind not in _validators:
        from jsonschema import Draft202012Validator  # imported only when content is checked

        _validators[kind] = Draft202012Validator(KINDS[kind], format_checker=_formats())
    return _validators[kind]


@lru_cache(maxsize=1)
def _formats():
    """Return the standard format checks and "partial-date": YYYY, YYYY-MM or YYYY-MM-DD
    naming a month and day that exist (2019-02-30 and 2019-13 do not)."""
    from jsonschema import Draft202012Validator, FormatChecker

    from generator.facts import as_of_date

    checker = FormatChecker(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("partial-date", raises=ValueError)(
        lambda value: not isinstance(value, (str, int)) or bool(as_of_date(value)))
    return checker


def _explain(error, doc: YamlDoc, path: Path) -> list[Problem]:
    where = tuple(error.path)
    line = doc.line_of(where)
    name = _field_name(where)
    value = error.instance
    explain = _EXPLAINERS.get(error.validator)
    if error.validator == "additionalProperties":
        return _unknown_fields(error, doc, path)
    if list(error.schema_path)[-2:-1] == ["propertyNames"]:  # a key, not a value
        message, hint = _property_names(error, name, value)
        return [Problem(path, doc.line_of((*where, value)), message, hint)]
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in value]
        return [
            Problem(path, line, f"{_prefix(name)}missing required field '{key}'",
                    f"add a line '{key}: ...'")
            for key in missing
        ]
    message, hint = explain(error, name, value) if explain else (f"{_prefix(name)}{error.message}", "")
    return [Problem(path, line, message, hint)]


def _unknown_fields(error, doc: YamlDoc, path: Path) -> list[Problem]:
    known = sorted(error.schema.get("properties", {}))
    extra = [key for key in error.instance if key not in known]
    problems = []
    for key in extra:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
        where = (*error.path, key)
        problems.append(Problem(path, doc.line_of(where),
                                f"{_prefix(_field_name(tuple(error.path)))}unknown field '{key}'", hint))
    return problems


def _field_name(where: tuple) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _prefix(name: str) -> str:
    return f"{name}: " if name else ""


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return "empty" if value is None else type(value).__name__


_TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "array": "a list", "object": "a mapping of fields", "null": "empty",
}


def _type(error, name, value):
    wanted = error.validator_value
    wanted = [wanted] if isinstance(wanted, str) else wanted
    words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
    hint = "write it as a list, one '- item' per line" if "array" in wanted else ""
    if "string" in wanted and value is None:
        hint = "fill in a value or remove the line"
    return f"{_prefix(name)}should be {words}, not {_describe(value)}", hint


def _enum(error, name, value):
    choices = [str(c) for c in error.validator_value]
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else ""
    return f"{_prefix(name)}{value!r} is not one of: {', '.join(choices)}", hint


def _pattern(error, name, value):
    description = error.schema.get("description", f"the pattern {error.validator_value}")
    return f"{_prefix(name)}{value!r} is not valid here", f"expected {description}"


def _format(error, name, value):
    form = "YYYY, YYYY-MM or YYYY-MM-DD" if error.validator_value == "partial-date" \
        else "YYYY-MM-DD"
    return f"{_prefix(name)}{value!r} is not a real date", f"write it as {form}"


def _min_items(error, name, value):
    return f"{_prefix(name)}needs at least {error.validator_value} item(s)", ""


def _min_length(error, name, value):
    return f"{_prefix(name)}is empty", "fill in a value or remove the line"


def _max_length(error, name, value):
    return f"{_prefix(name)}is longer than {error.validator_value} characters", ""


def _bounds(error, name, value):
    return f"{_prefix(name)}{error.message}", ""


def _one_of(error, name, value):
    description = error.schema.get("description")
    if description:
        return f"{_prefix(name)}should be {description}", ""
    return f"{_prefix(name)}does not match any allowed form", ""


def _property_names(error, name, value):
    return f"{_prefix(name)}{error.instance!r} is not a valid id", f"use {ids.RULE}"


def _min_properties(error, name, value):
    return f"{_prefix(name)}must define at least one entry", ""


_EXPLAINERS = {
    "type": _type,
    "enum": _enum,
    "pattern": _pattern,
    "format": _format,
    "minItems": _min_items,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minimum": _bounds,
    "maximum": _bounds,
    "oneOf": _one_of,
    "propertyNames": _property_names,
    "minProperties": _min_properties,
}
