"""Output names: every document a content base declares gets a file of its own.

An output's name joins its audience and length with a hyphen, and ids contain hyphens, so
two targets can name one file (audience `staff-one` with length `page`, and `staff` with
`one-page`); the later build would silently overwrite the earlier. Packs and the fonts
have folders of their own, which no brief may be named after.
"""

from __future__ import annotations

from generator.errors import Problem
from generator.models import Content
from generator.publish import RESERVED, output_path


def check(content: Content) -> list[Problem]:
    """Return a problem for every brief named like a reserved folder and for every two
    documents (declared by a brief, or a pack's part) that would be written to one file."""
    problems = [Problem(brief.origin.path, brief.origin.line,
                        f"brief id '{brief.id}' is the name of the output's {brief.id}/ folder",
                        f"rename the brief; {', '.join(RESERVED)} are reserved")
                for brief in content.briefs.values() if brief.id in RESERVED]
    for clash in clashes(_declared(content)):
        problems.append(_clash_problem(content, *clash))
    return problems


def clashes(keys) -> list[tuple[str, tuple, tuple]]:
    """Return (output name, first key, second key) for every two (brief, audience, length)
    keys whose outputs would be one file."""
    seen: dict[str, tuple] = {}
    found = []
    for key in dict.fromkeys(keys):
        name = output_path(*key, "pdf").removesuffix(".pdf")
        if name in seen:
            found.append((name, seen[name], key))
        else:
            seen[name] = key
    return found


def describe(first: tuple, second: tuple) -> str:
    """Return how a clash is named to the user: both audience and length pairs."""
    return (f"audience '{first[1]}' with length '{first[2]}' and audience '{second[1]}' "
            f"with length '{second[2]}' would both be written to {first[0]}/"
            f"{first[1]}-{first[2]}.pdf and .html")


def _declared(content: Content) -> list[tuple[str, str, str]]:
    keys = [(brief.id, audience, length) for brief in content.briefs.values()
            for audience in brief.audiences for length in brief.lengths]
    keys += [(part.brief, part.audience, part.length) for pack in content.packs.values()
             for part in pack.parts]
    return keys


def _clash_problem(content: Content, name: str, first: tuple, second: tuple) -> Problem:
    brief = content.briefs.get(first[0])
    path, line = (brief.origin.path, brief.line("audiences")) if brief else (content.root, 1)
    return Problem(path, line, describe(first, second),
                   "rename one of the audiences or lengths so that no two names join alike")
