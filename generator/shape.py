"""Check that a model object built from a file has the types its fields declare.

The loader skips the schema check of a file the cache records as valid (byte for byte,
against the same schema). A cache is untrusted input, so an item built from such a file is
checked here, field by field against the model's annotations, which is cheap next to the
schema check; an item that fails sends its file through the full check (load.py).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import lru_cache


class ShapeError(TypeError):
    """A field's value is not of the type the model declares."""


def check(item) -> None:
    """Raise ShapeError if any field of the dataclass item (or of one inside it) is not of
    its declared type."""
    for name, fits_field, expected in _checkers(type(item)):
        if not fits_field(getattr(item, name)):
            raise ShapeError(f"field '{name}' is not {_describe(expected)}")


@lru_cache(maxsize=None)
def _checkers(cls) -> tuple:
    """Return (field, predicate, annotation) for each field: the annotations are turned
    into predicates once per class, as reading them is slower than the checks."""
    hints = typing.get_type_hints(cls)  # evaluates every annotation
    return tuple((f.name, _predicate(hints[f.name]), hints[f.name])
                 for f in dataclasses.fields(cls))


def _predicate(expected):
    origin, arguments = typing.get_origin(expected), typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        options = [_predicate(option) for option in arguments]
        return lambda value: any(fits_option(value) for fits_option in options)
    if expected is type(None):
        return lambda value: value is None
    if origin is list and arguments:
        element = _predicate(arguments[0])
        return lambda value: isinstance(value, list) and all(map(element, value))
    if origin is dict and arguments:
        key, item = _predicate(arguments[0]), _predicate(arguments[1])
        return lambda value: isinstance(value, dict) and all(
            key(k) and item(v) for k, v in value.items())
    if expected in (int, float):
        kinds = (int, float) if expected is float else int
        return lambda value: isinstance(value, kinds) and not isinstance(value, bool)
    if dataclasses.is_dataclass(expected):
        return lambda value: isinstance(value, expected) and _nested(value)
    if isinstance(expected, type):
        return lambda value: isinstance(value, expected)
    kind = origin if isinstance(origin, type) else object
    return lambda value: isinstance(value, kind)


def _nested(value) -> bool:
    check(value)  # raises, naming the field inside
    return True


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
