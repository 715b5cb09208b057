"""Regenerate the CLI reference in README.md from the commands' own --help."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def reference() -> str:
    runner = CliRunner()
    parts = []
    for command in [None, *sorted(main.commands)]:
        args = [command, "--help"] if command else ["--help"]
        title = f"brief {command}" if command else "brief"
        help_text = runner.invoke(main, args, prog_name="brief", terminal_width=100).output.strip()
        parts.append(f"### `{title}`\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


def main_() -> None:
    text = README.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    README.write_text(pattern.sub(f"{START}\n{reference()}\n{END}", text))


if __name__ == "__main__":
    main_()
