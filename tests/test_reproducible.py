"""The same project gives byte-identical outputs on every machine: two separate copies of a
project, each with its own empty cache and no SOURCE_DATE_EPOCH, built at different times,
give the same bytes in every file (PDFs, pages, fonts, manifest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLE, TEMPLATES
from test_charts import add_chart

CJK = "\nThe harbor trades with Tokyo (東京) and Busan (부산).\n"


def copy_project(folder: Path) -> Path:
    """Copy the sample, with a chart and Japanese and Korean text, and the templates."""
    shutil.copytree(SAMPLE, folder / "content")
    shutil.copytree(TEMPLATES, folder / "templates")
    add_chart(folder / "content")
    topic = folder / "content" / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text("utf-8") + CJK, "utf-8")
    return folder


def build_fresh(project: Path) -> dict[str, bytes]:
    """Build the project in a fresh process with an empty cache of its own; return every
    file of the output folder."""
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    env["BRIEF_CACHE_DIR"] = str(project / "cache")
    out = project / "output"
    subprocess.run([sys.executable, "-m", "generator", "--content", str(project / "content"),
                    "--templates", str(project / "templates"), "build", "-o", str(out)],
                   check=True, cwd=project, capture_output=True, env=env)
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_copies_with_empty_caches_build_byte_identical_outputs(tmp_path):
    first = build_fresh(copy_project(tmp_path / "one"))
    time.sleep(1.1)  # font timestamps count seconds: the second build is in another one
    second = build_fresh(copy_project(tmp_path / "two"))
    documents = [name for name in first if not name.startswith("assets/")]
    assert len(documents) == 15  # 12 outputs, a pack in two formats, and the manifest
    fonts = [name for name in first if name.startswith("assets/fonts/")]
    assert any(name.startswith("assets/fonts/noto-serif-cjk-jp") for name in fonts)
    assert "Harbor spending by year" in first["harbor-memo/staff-full.html"].decode("utf-8")
    assert (tmp_path / "one" / "cache" / "fonts").is_dir()  # each made its own font copies
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    assert str(tmp_path) not in first["manifest.json"].decode("utf-8")  # no machine's paths

