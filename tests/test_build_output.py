"""What a build says, for people and for machines: -q, -v, --json, the progress bar on a
terminal (never in CI), the manifest's metadata, and what exit 1 leaves on disk."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, TEMPLATES, run

from generator import __version__

MEMO = ("build", "harbor-memo", "-a", "staff")
CHEAP = (*MEMO, "-l", "full", "-f", "html")  # no layout: the quickest output to build


def on_disk(out: Path) -> set[str]:
    """Return the outputs in a folder: every file but the manifest and the pages' fonts."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*")
            if p.is_file() and p.name != "manifest.json" and "assets" not in p.parts}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture
def glyphless(sample):
    """The sample with a character no font has in a topic's body: the full-length PDF
    prints it (and fails), the one-page memo does not."""
    topic = sample / "topics/harbor-overview.md"
    lines = topic.read_text("utf-8").splitlines()
    lines.insert(18, "A private-use sign \ue000 no font has.")
    topic.write_text("\n".join(lines) + "\n", "utf-8")
    return sample


def test_a_failing_output_stops_no_other_and_the_json_says_what_happened(runner, glyphless,
                                                                          tmp_path):
    """Exit 1 with outputs written: the JSON summary names what was built, skipped (and
    why) and failed (with its paths and problems), and the manifest lists exactly the
    files on disk."""
    out = tmp_path / "out"
    assert run(runner, glyphless, *CHEAP, "-o", str(out)).exit_code == 0
    result = run(runner, glyphless, *MEMO, "-l", "full", "-l", "one-page", "--json",
                 "-o", str(out))
    assert result.exit_code == 1
    summary = json.loads(result.stdout)  # stdout is the JSON alone
    assert [b["path"] for b in summary["built"]] == ["harbor-memo/staff-one-page.html",
                                                     "harbor-memo/staff-one-page.pdf"]
    assert summary["built"][1]["pages"] == 1
    assert summary["built"][1]["sha256"] == hashlib.sha256(
        (out / "harbor-memo/staff-one-page.pdf").read_bytes()).hexdigest()
    assert summary["skipped"] == [{"path": "harbor-memo/staff-full.html",
                                   "reason": "up to date: its inputs are unchanged and the file "
                                             "is as recorded"}]
    (failed,) = summary["failed"]
    assert failed["output"] == "harbor-memo/staff-full"
    assert failed["paths"] == ["harbor-memo/staff-full.pdf"]
    assert "no installed font has a glyph for '\\ue000'" in failed["problems"][0]
    assert summary["counts"] == {"built": 2, "skipped": 1, "failed": 1, "removed": 0}
    assert summary["manifest"] == str(out / "manifest.json")
    # People's lines went to stderr: the table, and the problem as path:line.
    assert "failed         1  harbor-memo/staff-full" in result.stderr
    assert "harbor-overview.md:19: no installed font" in result.stderr
    assert on_disk(out) == {"harbor-memo/staff-full.html", "harbor-memo/staff-one-page.html",
                            "harbor-memo/staff-one-page.pdf"}
    assert {r["path"] for r in manifest(out)["outputs"]} == on_disk(out)


def test_a_build_that_stops_before_building_still_gives_json(runner, sample, tmp_path):
    (sample / "topics/harbor-overview.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    result = run(runner, sample, *CHEAP, "--json", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["built"] == summary["failed"] == summary["skipped"] == []
    assert summary["problems"] and "harbor-overview.md" in summary["problems"][0]
    assert not (tmp_path / "out").exists()


def test_quiet_prints_nothing_and_verbose_names_what_was_skipped(runner, tmp_path):
    out = tmp_path / "out"
    quiet = run(runner, SAMPLE, *CHEAP, "-q", "-o", str(out))
    assert quiet.exit_code == 0
    assert quiet.stdout == ""
    assert (out / "harbor-memo/staff-full.html").is_file()
    verbose = run(runner, SAMPLE, *CHEAP, "-v", "-o", str(out))
    assert verbose.exit_code == 0
    assert "up to date  harbor-memo/staff-full.html" in verbose.stdout.splitlines()
    plain = run(runner, SAMPLE, *CHEAP, "-o", str(out))
    assert "harbor-memo/staff-full.html" not in plain.stdout  # counted, not named
    assert any(line.startswith("up to date     1") for line in plain.stdout.splitlines())


def test_quiet_and_verbose_together_are_a_usage_error(runner, tmp_path):
    result = run(runner, SAMPLE, *CHEAP, "-q", "-v", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "cannot be used together" in result.stderr
    assert not (tmp_path / "out").exists()


def on_a_terminal(tmp_path: Path, ci: str | None) -> str:
    """Run a small build with stdout on a pseudo-terminal; return what it drew there."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--content", str(SAMPLE), "--templates",
         str(TEMPLATES), *CHEAP, "-o", str(tmp_path / f"out-{ci}")],
        stdout=terminal, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    os.close(terminal)
    drawn = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        drawn += chunk
    os.close(controller)
    assert process.wait() == 0, process.stderr.read()
    return drawn.decode()


def test_on_a_terminal_the_bar_is_drawn_before_the_first_output_is_done(tmp_path):
    drawn = on_a_terminal(tmp_path, ci=None)
    frames = [frame for frame in drawn.split("\r\x1b[K") if frame]
    assert frames[0].startswith("[------------------------------] 0/1")
    assert frames[1].startswith("[##############################] 1/1 harbor-memo/staff-full")
    assert "built  harbor-memo" not in drawn


def test_on_a_terminal_nothing_to_build_draws_no_bar(tmp_path):
    on_a_terminal(tmp_path, ci=None)
    drawn = on_a_terminal(tmp_path, ci=None)  # the same folder: everything is up to date
    assert "\x1b[" not in drawn
    assert drawn.splitlines()[0].startswith("built          0")


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_terminal_gets_plain_lines_and_no_bar(tmp_path, ci):
    drawn = on_a_terminal(tmp_path, ci=ci)
    assert "\x1b[" not in drawn and "\r\x1b" not in drawn
    assert "built  harbor-memo/staff-full  html" in drawn.splitlines()


def test_the_manifest_says_what_made_it_and_sums_up_its_records(runner, tmp_path):
    out = tmp_path / "out"
    assert run(runner, SAMPLE, *MEMO, "-l", "one-page", "-o", str(out)).exit_code == 0
    first = manifest(out)
    assert list(first) == ["generator", "counts", "inputs_sha256", "outputs"]
    assert first["generator"] == {"name": "brief", "version": __version__}
    assert first["counts"] == {"outputs": 2, "pdf": 1, "html": 1, "pages": 1}
    expected = hashlib.sha256("".join(f"{r['path']} {r['input_hash']}\n"
                                      for r in first["outputs"]).encode()).hexdigest()
    assert first["inputs_sha256"] == expected
    assert run(runner, SAMPLE, *CHEAP, "-o", str(out)).exit_code == 0
    second = manifest(out)
    assert second["counts"] == {"outputs": 3, "pdf": 1, "html": 2, "pages": 1}
    assert second["inputs_sha256"] != first["inputs_sha256"]


def test_the_manifest_s_metadata_keeps_older_readers_working(runner, tmp_path):
    """Incremental skips, merge-manifests and release read only "outputs"."""
    out, merged = tmp_path / "out", tmp_path / "merged"
    assert run(runner, SAMPLE, *CHEAP, "-o", str(out)).exit_code == 0
    again = run(runner, SAMPLE, *CHEAP, "-o", str(out))
    assert any(line.startswith("up to date     1") for line in again.stdout.splitlines())
    result = run(runner, SAMPLE, "merge-manifests", str(out / "manifest.json"), "-o", str(merged))
    assert result.exit_code == 0, result.output
    assert manifest(merged) == manifest(out)


def test_release_is_quiet_with_q_and_names_what_it_reuses_with_v(runner, built_sample, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built_sample, out)
    quiet = run(runner, SAMPLE, "release", "--version", "v1", "-q", "-o", str(out))
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == ""
    assert (out / "release/v1/brief-v1.zip").is_file()
    verbose = run(runner, SAMPLE, "release", "--version", "v2", "-v", "-o", str(out))
    lines = verbose.stdout.splitlines()
    reused = sorted(line.removeprefix("up to date  ") for line in lines
                    if line.startswith("up to date  ") and "/" in line)  # not the table's row
    assert reused == sorted(r["path"] for r in manifest(out)["outputs"])
    assert lines[-1].startswith("release v2: ")
