"""Coverage-guided fuzzing of the content loader (atheris): `make fuzz`.

Feeds arbitrary bytes to the loader as a topic file and as a brief file. Anything but a
clean result or the loader's own YamlError / reported problem is a finding.

    .venv/bin/python bench/fuzz_load.py -max_total_time=60
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from generator.load import load_content, split_front_matter
    from generator.markdown import NoteBook, ProseRenderer
    from generator.yamldoc import YamlError, parse_yaml

WORK = Path(tempfile.mkdtemp(prefix="brief-fuzz-"))
(WORK / "topics").mkdir()
(WORK / "briefs").mkdir()
(WORK / "lengths.yaml").write_text("full: {label: Full}\n")


def one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        parse_yaml(text)
        split_front_matter(text)
    except YamlError:
        pass
    ProseRenderer(NoteBook()).block(text)
    (WORK / "topics" / "fuzz.md").write_bytes(data)
    (WORK / "briefs" / "fuzz.yaml").write_bytes(data)
    load_content(WORK)  # must report problems, never raise


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
