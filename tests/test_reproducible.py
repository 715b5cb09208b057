"""The same inputs give byte-identical outputs in separate processes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from conftest import ROOT, SAMPLE


def build_in_fresh_process(out):
    subprocess.run([sys.executable, "-m", "generator", "--content", str(SAMPLE), "--templates",
                    str(ROOT / "templates"), "build", "-o", str(out)],
                   check=True, cwd=ROOT, capture_output=True)
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path):
    first = build_in_fresh_process(tmp_path / "first")
    second = build_in_fresh_process(tmp_path / "second")
    documents = [name for name in first if not name.startswith("assets/")]
    assert len(documents) == 15  # 12 outputs, a pack in two formats, and the manifest
    assert any(name.startswith("assets/fonts/") for name in first)  # what the pages load
    assert first == second
