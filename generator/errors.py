"""Errors the library raises; the CLI turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content or templates, located in a file."""

    path: Path
    line: int
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        text = f"{display_path(self.path)}:{self.line}: "
        text += "warning: " if self.warning else ""
        text += self.message
        return f"{text} ({self.hint})" if self.hint else text


def display_path(path: Path) -> str:
    """Return the path relative to the working directory when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class BriefError(Exception):
    """Base error of the library: one or more problems, each with a location."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ContentError(BriefError):
    """The content or templates are invalid; nothing was built."""


class BuildError(BriefError):
    """An output could not be made although the content validated."""


class ChoiceError(Exception):
    """A name given on the command line is not one of the valid choices."""

    def __init__(self, kind: str, name: str, choices: list[str]):
        self.kind, self.name, self.choices = kind, name, choices
        valid = ", ".join(choices) if choices else "(none defined)"
        super().__init__(f"unknown {kind} {name!r}; valid choices: {valid}")
