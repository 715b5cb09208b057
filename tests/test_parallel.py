"""Builds in several worker processes give the same files as one process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE, TEMPLATES, run



def digests(out):
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.*"))}


def test_two_workers_build_the_same_bytes_as_one(runner, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert run(runner, SAMPLE, "build", "-j", "1", "-o", str(one)).exit_code == 0
    result = run(runner, SAMPLE, "build", "-j", "2", "-o", str(two))
    assert result.exit_code == 0, result.output
    assert digests(one) == digests(two)
    assert len([line for line in result.stdout.splitlines() if line.startswith("built  harbor")]) == 6


def test_a_failing_output_does_not_stop_the_others(runner, sample, tmp_path):
    brief = sample / "briefs" / "harbor-perspective.yaml"
    long_lede = "The harbor and its light grew up together. " * 400
    brief.write_text(brief.read_text().replace(
        "  The harbor and its light grew up together, and their futures are tied.", f"  {long_lede}"))
    out = tmp_path / "out"
    result = run(runner, sample, "build", "-j", "2", "-o", str(out))
    assert result.exit_code == 1
    assert "harbor-perspective for public: cannot fit the two-page length" in result.stderr
    assert "Error: 2 output(s) failed" in result.stderr  # and the pack that includes it
    assert (out / "harbor-perspective" / "public-full.pdf").is_file()
    assert (out / "harbor-memo" / "staff-one-page.pdf").is_file()
    assert not (out / "harbor-perspective" / "public-two-page.pdf").exists()


def test_shards_split_the_matrix_and_their_manifests_merge(runner, tmp_path):
    shards = [tmp_path / f"shard-{k}" for k in (1, 2, 3)]
    for k, out in enumerate(shards, start=1):
        assert run(runner, SAMPLE, "build", "--shard", f"{k}/3", "-o", str(out)).exit_code == 0
    built = [{p for p in digests(out) if p != "manifest.json" and not p.startswith("assets/")}
             for out in shards]
    assert all(built) and sum(len(b) for b in built) == 14
    assert not (built[0] & built[1]) and not (built[1] & built[2])
    merged = tmp_path / "merged"
    result = run(runner, SAMPLE, "merge-manifests", *(str(o / "manifest.json") for o in shards),
                 "-o", str(merged))
    assert result.exit_code == 0, result.output
    import json

    records = json.loads((merged / "manifest.json").read_text())["outputs"]
    assert {r["path"] for r in records} == set().union(*built)


def test_shards_built_from_different_inputs_refuse_to_merge(runner, tmp_path):
    import json

    one = tmp_path / "one"
    run(runner, SAMPLE, "build", "--shard", "1/1", "-o", str(one))
    other = tmp_path / "other.json"
    records = json.loads((one / "manifest.json").read_text())
    records["outputs"][0]["sha256"] = "0" * 64
    other.write_text(json.dumps(records))
    result = run(runner, SAMPLE, "merge-manifests", str(one / "manifest.json"), str(other),
                 "-o", str(tmp_path / "merged"))
    assert result.exit_code == 1
    assert "differs from another shard's" in result.stderr


def test_a_bad_shard_is_a_usage_error(runner):
    result = run(runner, SAMPLE, "build", "--shard", "0/2")
    assert result.exit_code == 2


def test_work_beside_returns_what_the_child_computed():
    # In a fresh interpreter: a process with threads running (as pytest's may be, after
    # builds) does not fork, and computes the value itself when asked.
    code = ("import os; from generator import workers; "
            "b = workers.Beside(lambda: (os.getpid(), 6 * 7)); pid, value = b.result(); "
            "print(value, pid != os.getpid())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["42", "True"]  # its value, made in a process of its own


def _fresh(code: str) -> list[str]:
    """Run code in a fresh interpreter (no threads, so Beside forks); return its words."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_work_beside_that_fails_runs_again_here_and_raises_as_it_would():
    code = ("import os; from generator import workers\n"
            "calls = []\n"
            "def flaky():\n"
            "    calls.append(os.getpid()); raise ValueError('broken content')\n"
            "beside = workers.Beside(flaky)\n"
            "forked = beside.pid is not None\n"
            "try:\n"
            "    beside.result()\n"
            "except ValueError as error:\n"
            "    print(forked, error.args[0].replace(' ', '-'), calls == [os.getpid()])\n")
    # forked, then the error raised here, by the one call made here
    assert _fresh(code) == ["True", "broken-content", "True"]


def test_work_beside_can_be_cancelled():
    code = ("import os, time; from generator import workers\n"
            "beside = workers.Beside(lambda: time.sleep(60)); pid = beside.pid\n"
            "started = time.monotonic(); beside.cancel()\n"
            "try:\n"
            "    os.kill(pid, 0); alive = True\n"
            "except ProcessLookupError:\n"
            "    alive = False\n"
            "print(pid is not None, time.monotonic() - started < 5, alive)\n")
    assert _fresh(code) == ["True", "True", "False"]  # forked, stopped at once, reaped


def test_one_pdf_rendered_beside_the_import_is_the_pdf_a_whole_build_makes(runner, tmp_path):
    # A build of one full-length PDF renders its HTML in a forked process while WeasyPrint
    # imports, from formatted citations on disk (so: a second build) and hands it over.
    whole, alone = tmp_path / "whole", tmp_path / "alone"
    assert run(runner, SAMPLE, "build", "-f", "pdf", "-o", str(whole)).exit_code == 0
    for brief, audience in [("harbor-memo", "staff"), ("harbor-perspective", "public")]:
        result = run(runner, SAMPLE, "build", brief, "-a", audience, "-l", "full", "-f", "pdf",
                     "-o", str(alone))
        assert result.exit_code == 0, result.output
        name = f"{brief}/{audience}-full.pdf"
        assert (alone / name).read_bytes() == (whole / name).read_bytes()


def test_a_document_rendered_elsewhere_serves_only_its_own_plan():
    from dataclasses import replace

    from generator import pipeline, render
    from generator.load import load_content

    content = load_content(SAMPLE).content
    memo = pipeline.plan_for(content, pipeline.Target("harbor-memo", "staff", "full", "pdf"))
    made = render.Rendered("<p>made elsewhere</p>", 3)
    render.remember(memo, "print", made)
    other = replace(memo, bibliography=not memo.bibliography)
    assert render.render(other, content, TEMPLATES, "print") is not made
    assert render.render(memo, content, TEMPLATES, "screen") is not made
    assert render.render(memo, content, TEMPLATES, "print") is made
    assert render.render(memo, content, TEMPLATES, "print") is not made  # used once


def _brief(*args: str, content, cwd) -> subprocess.CompletedProcess:
    """Run brief in a fresh process (no threads: where a build forks to read the content
    while WeasyPrint imports)."""
    return subprocess.run([sys.executable, "-m", "generator", "--content", str(content),
                           "--templates", str(TEMPLATES), *args],
                          capture_output=True, text=True, cwd=cwd)


def test_one_pdf_built_from_a_fresh_process_is_the_same_and_errors_read_the_same(
        sample, tmp_path):
    whole, alone = tmp_path / "whole", tmp_path / "alone"
    assert _brief("build", "-f", "pdf", "-o", str(whole), content=sample,
                  cwd=tmp_path).returncode == 0
    one = ("build", "harbor-memo", "-a", "staff", "-l", "full", "-f", "pdf", "-o", str(alone))
    done = _brief(*one, content=sample, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    name = "harbor-memo/staff-full.pdf"
    assert (alone / name).read_bytes() == (whole / name).read_bytes()
    before = (alone / name).read_bytes()

    (sample / "audiences" / "staff.yaml").write_text("name: Committee staff\ncolour: blue\n")
    broken = _brief(*one, "--force", content=sample, cwd=tmp_path)
    assert broken.returncode == 1
    assert "staff.yaml:2: unknown field 'colour'" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert (alone / name).read_bytes() == before


def test_a_check_that_reads_in_two_processes_finds_what_one_process_finds(sample, tmp_path):
    """Large bases are read (files, then prose) half in a forked process: with the
    thresholds lowered to the sample's size, a fresh process reports the same problems,
    in the same order, as it does reading alone."""
    for number in range(6):  # more topics, two of them broken, one citing a missing source
        text = (sample / "topics" / "keepers-history.md").read_text()
        text = text.replace("id: keepers-history", f"id: extra-{number}", 1)
        if number == 2:
            text = text.replace("[@", "[@no-such-source-", 1)
        if number == 4:
            text = text.replace("headline:", "headline: [unclosed", 1)
        (sample / "topics" / f"extra-{number}.md").write_text(text)
    code = ("import sys, generator.load as load, generator.validate as validate; "
            "load.SPLIT_FROM = validate.SPLIT_FROM = int(sys.argv[1]); "
            "from generator.cli import main; main(sys.argv[2:])")

    def check(split_from: int) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, str(split_from), "--content", str(sample),
             "--templates", str(TEMPLATES), "check"],
            capture_output=True, text=True, cwd=tmp_path,
            env={**os.environ, "BRIEF_CACHE_DIR": str(tmp_path / f"cache-{split_from}")})

    alone, split = check(10**9), check(2)
    assert alone.returncode == split.returncode == 1
    assert "unknown source 'no-such-source-" in alone.stderr
    assert "extra-4.md:" in alone.stderr
    assert split.stderr == alone.stderr
    for kind in ("scans", "schema"):  # what the other process read is kept too
        kept = [json.loads(one_table(tmp_path / f"cache-{n}" / kind).read_text())
                for n in (10**9, 2)]
        assert kept[1].keys() == kept[0].keys() and kept[0], kind
    assert check(2).stderr == alone.stderr  # and again, from what the split run kept


def test_one_pdf_whose_citations_cannot_be_formatted_fails_as_an_output_does(sample, tmp_path):
    # The document rendered ahead in the forked process fails there; the build renders it
    # again itself and reports the failure against the output, as any build does.
    one = ("build", "harbor-memo", "-a", "staff", "-l", "full", "-f", "pdf",
           "-o", str(tmp_path / "out"))
    failed = subprocess.run([sys.executable, "-m", "generator", "--content", str(sample),
                             "--templates", str(TEMPLATES), *one], capture_output=True,
                            text=True, cwd=tmp_path,
                            env={**os.environ, "BRIEF_NODE": str(tmp_path / "no-node"),
                                 "BRIEF_CACHE_DIR": str(tmp_path / "cache")})
    assert failed.returncode == 1
    assert "failed         1  harbor-memo/staff-full" in failed.stdout
    assert "Node.js is needed to format citations" in failed.stderr
    assert "Traceback" not in failed.stderr


class FakeProcessor:
    def __init__(self):
        self.warmed = []

    def warm(self, style, locale):
        self.warmed.append((style.name, locale.name))


@pytest.fixture
def processor(monkeypatch):
    from generator import cite, notes

    fake = FakeProcessor()
    monkeypatch.setattr(cite, "processor", lambda: fake)
    monkeypatch.setattr(notes.CACHE, "populated", lambda: False)
    return fake


def test_a_fitted_pdf_starts_the_citation_engine_before_the_content_is_read(sample, processor):
    """A one-page PDF is laid out (its notes first) in the building process: node builds
    the engine there while another process reads the content. The brief's own style and
    language are the ones warmed."""
    from generator import pipeline

    project = pipeline.Project(sample, TEMPLATES)
    assert pipeline._warm_for_fitting(project, "harbor-memo", "one-page")
    assert processor.warmed == [("chicago-note-bibliography.csl", "locales-en-US.xml")]
    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text() + "citation_style: oscola\n")
    assert pipeline._warm_for_fitting(project, "harbor-memo", "one-page")
    assert processor.warmed[-1] == ("oscola.csl", "locales-en-US.xml")


@pytest.mark.parametrize("lengths", [None, "one-page: [1, 2\n", "- a list\n", "one-page: 7\n"])
def test_no_engine_is_started_ahead_for_a_full_paper_or_unreadable_lengths(sample, processor,
                                                                           lengths):
    """A full paper is rendered, notes and all, by the planning process, which starts its
    own; lengths that cannot be read as written start nothing (the build reports them)."""
    from generator import pipeline

    project = pipeline.Project(sample, TEMPLATES)
    if lengths is None:
        assert not pipeline._warm_for_fitting(project, "harbor-memo", "full")
    else:
        (sample / "lengths.yaml").write_text(lengths)
        assert not pipeline._warm_for_fitting(project, "harbor-memo", "one-page")
    assert processor.warmed == []


def one_table(folder: Path) -> Path:
    """Return the one table file of a cache kind (named for the content folder)."""
    (table,) = folder.glob("table-*.json")
    return table
