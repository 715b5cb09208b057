"""Check that a model object built from a file has the types its fields declare.

The loader skips the schema check of a file the cache records as valid (byte for byte,
against the same schema). A cache is untrusted input, so an item built from such a file is
checked here, field by field against the model's annotations, which is cheap next to the
schema check; an item that fails sends its file through the full check (load.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import lru_cache


class ShapeError(TypeError):
    """A field's value is not of the type the model declares."""


def check(item) -> None:
    """Raise ShapeError if any field of the dataclass item (or of one inside it) is not of
    its declared type."""
    for name, expected in _hints(type(item)).items():
        if not _fits(getattr(item, name), expected):
            raise ShapeError(f"field '{name}' is not {_describe(expected)}")


@lru_cache(maxsize=None)
def _hints(cls) -> dict:
    return {f.name: typing.get_type_hints(cls)[f.name] for f in dataclasses.fields(cls)}


def _fits(value, expected) -> bool:
    origin, arguments = typing.get_origin(expected), typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in arguments)
    if expected is type(None):
        return value is None
    if origin is list:
        return isinstance(value, list) and all(_fits(v, arguments[0]) for v in value) \
            if arguments else isinstance(value, list)
    if origin is dict:
        return isinstance(value, dict) and all(
            _fits(k, arguments[0]) and _fits(v, arguments[1]) for k, v in value.items())
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is dt.date:
        return isinstance(value, dt.date)
    if dataclasses.is_dataclass(expected):
        if not isinstance(value, expected):
            return False
        check(value)
        return True
    return isinstance(value, expected) if isinstance(expected, type) else True


def _describe(expected) -> str:
    return getattr(expected, "__name__", None) or str(expected).replace("typing.", "")


def fits(item) -> bool:
    """Return whether item (or each item of a list) has the types its fields declare."""
    try:
        for one in item if isinstance(item, list) else [item]:
            check(one)
    except ShapeError:
        return False
    return True
