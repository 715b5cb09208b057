"""Coverage-guided fuzzing of the content loader and the prose parsers (atheris): `make fuzz`.

Feeds arbitrary bytes to the loader as a topic file, a brief file, a fact file and a CSL-JSON
library; to the Markdown renderer and the scan that `brief check` makes of prose; to the
citation parser (each citation's locator split as citeproc gets it, and the notes numbered
and formatted as a dry run does); and to the manifest reader. Anything but a clean result
or brief's own YamlError, BriefError or reported problem is a finding.

    .venv/bin/python bench/fuzz_load.py -max_total_time=60
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import atheris

with atheris.instrument_imports():
    from generator import cite, markdown, notes, publish
    from generator.errors import BriefError
    from generator.load import load_content, split_front_matter
    from generator.markdown import NoteBook, ProseRenderer
    from generator.yamldoc import YamlError, parse_yaml

WORK = Path(tempfile.mkdtemp(prefix="brief-fuzz-"))
for folder in ("topics", "briefs", "facts", "sources", "output"):
    (WORK / folder).mkdir()
(WORK / "lengths.yaml").write_text("full: {label: Full}\n")


class AnySource(dict):
    """Every source id is known, with its id as its title (a dry run prints only that)."""

    def __missing__(self, key: str):
        return SimpleNamespace(title=key)


def one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        parse_yaml(text)
        split_front_matter(text)
    except YamlError:
        pass
    prose(text)
    citations(text)
    files(data)


def prose(text: str) -> None:
    """Render the text as a document's prose, and scan it as `brief check` does."""
    notebook = NoteBook()
    ProseRenderer(notebook, terms={"Sea": "sea"}).block(text)
    markdown._scan(text)
    order = list(range(len(notebook.notes)))
    notes.format_notes(order, notebook, AnySource(), None, bibliography=True)


def citations(text: str) -> None:
    """Parse every citation, split its locator, and read the text as a CSL-JSON library."""
    for citation in markdown.find_citations(text):
        cite.cite(citation.source, citation.locator)
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        return
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and not cite.csl_problems(item):
            cite.to_csl(cite.from_csl(item, None))


def files(data: bytes) -> None:
    """Load the bytes as every kind of content file, and read them as a manifest."""
    for name in ("topics/fuzz.md", "briefs/fuzz.yaml", "facts/fuzz.yaml", "sources/fuzz.json"):
        (WORK / name).write_bytes(data)
    load_content(WORK)  # must report problems, never raise
    (WORK / "output" / publish.MANIFEST).write_bytes(data)
    publish.read_manifest(WORK / "output")
    try:
        publish.merge_manifests([WORK / "output" / publish.MANIFEST], WORK / "merged")
    except BriefError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
