"""Every class of bad input gets `path:line: message`, exit 1, and an untouched output."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE, TEMPLATES, run

BROKEN = FIXTURES / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def make_project(tmp_path: Path, case: str) -> Path:
    """Copy the sample project, then lay the broken case's files over it."""
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    for path in (BROKEN / case).rglob("*"):
        if path.is_file() and path.name != "expected.txt":
            target = root / path.relative_to(BROKEN / case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


ONE_PDF = ("build", "harbor-perspective", "-a", "public", "-l", "full", "-f", "pdf")  # in a fork


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["check", "build", ONE_PDF], ids=["check", "build", "one"])
def test_bad_input_is_reported_with_its_location_and_nothing_is_written(
        case, command, runner, tmp_path, monkeypatch):
    root = make_project(tmp_path, case)
    monkeypatch.chdir(root)
    output = root / "output"
    (output / "harbor-memo").mkdir(parents=True)
    (output / "harbor-memo" / "staff-full.pdf").write_bytes(b"%PDF-1.7 an earlier build")
    before = snapshot(output)

    result = run(runner, Path("content"), *([command] if isinstance(command, str) else command),
                 templates=Path("templates"))

    expected = (BROKEN / case / "expected.txt").read_text().strip()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert any(line.startswith(expected) for line in result.stderr.splitlines()), result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert snapshot(output) == before


def test_all_problems_are_reported_at_once(sample, runner):
    (sample / "audiences" / "public.yaml").write_text("name: Public\ncolour: blue\n")
    (sample / "audiences" / "staff.yaml").write_text("description: no name\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "unknown field 'colour'" in result.stderr
    assert "missing required field 'name'" in result.stderr
    assert "Error: 2 problems found" in result.stderr


def test_an_empty_file_is_an_error(sample, runner):
    (sample / "audiences" / "staff.yaml").write_text("")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "staff.yaml:1: the file is empty" in result.stderr


def test_no_and_yes_stay_text_not_booleans(sample, runner):
    (sample / "audiences" / "public.yaml").write_text("name: no\nmarking: yes\n")
    assert run(runner, sample, "check").exit_code == 0


def test_output_path_that_is_a_file_is_refused(runner, tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    result = run(runner, SAMPLE, "build", "-o", str(target))
    assert result.exit_code == 1
    assert "is an existing file" in result.stderr
    assert target.read_text() == "not a folder"


def test_a_broken_file_is_reported_once_not_echoed_by_its_references(sample, runner):
    (sample / "audiences" / "staff.yaml").write_text("name: [unclosed\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "staff.yaml:1" in result.stderr or "staff.yaml:2" in result.stderr
    assert "unknown audience 'staff'" not in result.stderr
    assert "Error: 1 problem found" in result.stderr


@pytest.mark.parametrize("path_taken, setup", [
    ("the screen page", lambda content: None),
    ("a bottom-line opening", lambda content: (content / "audiences" / "staff.yaml").write_text(
        (content / "audiences" / "staff.yaml").read_text() + "lead:\n  one-page: bottom-line\n")),
])
@pytest.mark.parametrize("large", [False, True], ids=["small content", "a large base"])
def test_check_renders_every_path_a_document_type_takes(path_taken, setup, large, sample,
                                                        runner, tmp_path, monkeypatch):
    """`brief check` renders each document type once per lead and medium, not once per
    document, so a template that breaks only on one of those paths is still found, for
    small content (the media rendered in two processes) as for a large base (both in
    one process, beside the validation)."""
    from generator import load

    if large:
        monkeypatch.setattr(load, "SPLIT_FROM", 2)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    blocks = templates / "partials" / "blocks.html"
    guard = ('{% if lead == "bottom-line" %}' if path_taken == "a bottom-line opening"
             else '{% if medium == "screen" %}')
    text = blocks.read_text()
    line = text[:text.index("{% macro body_blocks")].count("\n") + 2
    blocks.write_text(text.replace("{% macro body_blocks(recommendations_heading) -%}\n",
                                   "{% macro body_blocks(recommendations_heading) -%}\n"
                                   + guard + "{{ brief.no_such_field.x }}{% endif %}\n"))
    setup(sample)

    result = run(runner, sample, "check", templates=templates)

    assert result.exit_code == 1, result.output
    assert f"partials/blocks.html:{line}: undefined value in template" in result.stderr


@pytest.mark.parametrize("case", ["fact-impossible-day", "fact-impossible-month"])
def test_a_date_that_does_not_exist_is_reported_by_the_staleness_check(case, runner, tmp_path,
                                                                       monkeypatch):
    """`--stale-after` reads every as-of date: one that does not exist is reported at its
    line, as plain check reports it, instead of ending in a traceback."""
    root = make_project(tmp_path, case)
    monkeypatch.chdir(root)
    result = run(runner, Path("content"), "check", "--stale-after", "3y", "--strict",
                 templates=Path("templates"))
    expected = (BROKEN / case / "expected.txt").read_text().strip()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert any(line.startswith(expected) for line in result.stderr.splitlines()), result.stderr


def test_as_of_dates_name_a_real_month_and_day():
    from generator.facts import as_of_date

    assert str(as_of_date("2019-02")) == "2019-02-28" and str(as_of_date(2019)) == "2019-12-31"
    for impossible in ("2019-02-30", "2019-13", "2019-00", "2019-1-2-3"):
        with pytest.raises(ValueError):
            as_of_date(impossible)


DAMAGED_MANIFESTS = {
    "a record without a path": '{"outputs": [{"sha256": "%s", "format": "pdf"}]}' % ("0" * 64),
    "a record that is a number": '{"outputs": [1]}',
    "a path leaving the folder": '{"outputs": [{"path": "../x.pdf", "sha256": "0"}]}',
    "outputs that are not a list": '{"outputs": {"path": "x"}}',
    "nested a hundred thousand deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("text", DAMAGED_MANIFESTS.values(), ids=DAMAGED_MANIFESTS.keys())
def test_a_build_over_a_damaged_manifest_rebuilds_and_writes_a_true_one(text, runner, tmp_path):
    """The manifest is read back to skip what is up to date: a record it cannot use is an
    output to build again, never a traceback, and the new manifest lists the files built."""
    import json

    out = tmp_path / "output"
    out.mkdir()
    (out / "manifest.json").write_text(text)
    result = run(runner, SAMPLE, "build", "harbor-memo", "-a", "staff", "-l", "full", "-f",
                 "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = json.loads((out / "manifest.json").read_text())["outputs"]
    assert [r["path"] for r in records] == ["harbor-memo/staff-full.html"]
    assert (out / "harbor-memo" / "staff-full.html").is_file()


@pytest.mark.parametrize("text, message", [
    ('{"outputs": [{"path": "a/b.pdf", "format": "pdf"}]}', "output 1 (a/b.pdf) has no 'sha256'"),
    ('{"outputs": [{"sha256": "00"}]}', "output 1 has no 'path'"),
    ('{"outputs": [1]}', "output 1 is 1, not a record"),
    ("[" * 100_000 + "]" * 100_000, "not a brief manifest (nested too deeply to be a manifest)"),
], ids=["no sha256", "no path", "a number", "nested deep"])
def test_merging_a_manifest_with_an_unusable_record_is_refused(text, message, runner,
                                                                tmp_path):
    shard = tmp_path / "shard.json"
    shard.write_text(text)
    merged = tmp_path / "merged"
    result = run(runner, SAMPLE, "merge-manifests", str(shard), "-o", str(merged))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{shard}: {message}" in result.stderr
    assert not (merged / "manifest.json").exists()
