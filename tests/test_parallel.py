"""Builds in several worker processes give the same files as one process."""

from __future__ import annotations

import hashlib

from conftest import SAMPLE, run


def digests(out):
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.*"))}


def test_two_workers_build_the_same_bytes_as_one(runner, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert run(runner, SAMPLE, "build", "-j", "1", "-o", str(one)).exit_code == 0
    result = run(runner, SAMPLE, "build", "-j", "2", "-o", str(two))
    assert result.exit_code == 0, result.output
    assert digests(one) == digests(two)
    assert len([line for line in result.stdout.splitlines() if line.startswith("built")]) == 6


def test_a_failing_output_does_not_stop_the_others(runner, sample, tmp_path):
    brief = sample / "briefs" / "harbor-perspective.yaml"
    long_lede = "The harbor and its light grew up together. " * 400
    brief.write_text(brief.read_text().replace(
        "  The harbor and its light grew up together, and their futures are tied.", f"  {long_lede}"))
    out = tmp_path / "out"
    result = run(runner, sample, "build", "-j", "2", "-o", str(out))
    assert result.exit_code == 1
    assert "harbor-perspective for public: cannot fit the two-page length" in result.stderr
    assert "Error: 1 output(s) failed" in result.stderr
    assert (out / "harbor-perspective" / "public-full.pdf").is_file()
    assert (out / "harbor-memo" / "staff-one-page.pdf").is_file()
    assert not (out / "harbor-perspective" / "public-two-page.pdf").exists()
