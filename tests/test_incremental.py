"""Rebuilds skip outputs whose inputs are unchanged, and redo exactly the ones that changed."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from conftest import run


def build(runner, content: Path, out: Path, *args: str) -> set[str]:
    """Build and return the paths written in this run (from the manifest's new records)."""
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.*")} if out.exists() else {}
    result = run(runner, content, "build", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)) for p in out.rglob("*.*")
            if p.name != "manifest.json" and before.get(p) != p.stat().st_mtime_ns}


def test_no_op_rebuild_writes_nothing(runner, sample, tmp_path):
    out = tmp_path / "out"
    written = build(runner, sample, out)
    assert len([p for p in written if not p.startswith("assets/")]) == 14
    assert any(p.startswith("assets/fonts/") for p in written)  # published once, with the pages
    result = run(runner, sample, "build", "-o", str(out))
    assert re.search(r"^built +0\b", result.stdout, re.MULTILINE)
    assert re.search(r"^up to date +14\b", result.stdout, re.MULTILINE)
    assert build(runner, sample, out) == set()


def test_changing_one_topic_rebuilds_only_the_briefs_that_declare_it(runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    topic = sample / "topics" / "lighthouse-costs.md"
    topic.write_text(topic.read_text().replace("about 2 million", "about 3 million"))
    rebuilt = build(runner, sample, out)
    assert rebuilt == {f"harbor-memo/{a}-{length}.{fmt}" for a in ("staff", "public")
                       for length in ("one-page", "full") for fmt in ("pdf", "html")} | {
                       "packs/council-pack.pdf", "packs/council-pack.html"}  # the pack has the memo
    records = {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert "content/topics/lighthouse-costs.md" in records["harbor-memo/staff-full.pdf"]["inputs"]
    assert "content/topics/lighthouse-costs.md" not in \
        records["harbor-perspective/public-full.pdf"]["inputs"]


def test_changing_a_template_rebuilds_everything(runner, sample, tmp_path):
    import shutil

    from conftest import TEMPLATES

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out"
    run(runner, sample, "build", "-o", str(out), templates=templates)
    css = templates / "css" / "common.css"
    css.write_text(css.read_text() + "\n/* a change */\n")
    result = run(runner, sample, "build", "-o", str(out), templates=templates)
    assert re.search(r"^built +14\b", result.stdout, re.MULTILINE)


def test_a_damaged_output_is_rebuilt_and_force_rebuilds_all(runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    damaged = out / "harbor-memo" / "staff-full.html"
    damaged.write_text("truncated")
    assert build(runner, sample, out) == {"harbor-memo/staff-full.html"}
    os.utime(out / "harbor-memo" / "staff-full.pdf", ns=(1, 1))
    assert len(build(runner, sample, out, "--force")) == 14
