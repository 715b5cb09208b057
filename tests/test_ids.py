"""Ids follow one rule, every output stays inside the output folder, and no two documents
share a file."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest
from conftest import ROOT, run

from generator import ids, publish
from generator.errors import BuildError

BAD_FILE_NAMES = {
    "dots": "..",
    "shell": "Harbor Memo; rm -rf ~",
    "look-alike": "h\u0430rbor-memo",  # a Cyrillic a
    "too-long": "a" * 235,
    "double-hyphen": "harbor--memo",
    "trailing-hyphen": "harbor-memo-",
    "capitals": "Harbor-Memo",
}


@pytest.mark.parametrize("name", BAD_FILE_NAMES.values(), ids=BAD_FILE_NAMES.keys())
def test_a_brief_file_name_that_is_no_id_is_located_and_nothing_is_built(
        name, sample, runner, tmp_path):
    shutil.copy(sample / "briefs" / "harbor-memo.yaml", sample / "briefs" / f"{name}.yaml")
    out = tmp_path / "out" / "inner"
    for command in (["check"], ["build", "-o", str(out)]):
        result = run(runner, sample, *command)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert re.search(rf"briefs/{re.escape(name[:60])}.*\.yaml:1: brief id .* \(from the "
                         r"file name\) is not a valid id", result.stderr), result.stderr
    assert not (tmp_path / "out").exists()  # nothing written, inside or beside


def test_an_id_field_ending_in_a_newline_is_refused(sample, runner):
    """The rule holds for the whole text: a pattern's $ alone would let "x\\n" through."""
    topic = sample / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text().replace("---\n", '---\nid: "harbor-overview\\n"\n', 1))
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "harbor-overview.md:1: topic id 'harbor-overview\\n' is not a valid id" in result.stderr


def test_an_over_long_length_id_is_refused_by_the_schema(sample, runner):
    lengths = sample / "lengths.yaml"
    lengths.write_text(lengths.read_text() + f"{'x' * 65}:\n  label: Too long\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert f"'{'x' * 65}' is not a valid id" in result.stderr


def test_a_brief_may_not_take_the_name_of_an_output_folder(sample, runner):
    shutil.copy(sample / "briefs" / "harbor-memo.yaml", sample / "briefs" / "packs.yaml")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "packs.yaml:1: brief id 'packs' is the name of the output's packs/ folder" \
        in result.stderr


def test_two_targets_named_on_the_command_line_may_not_share_a_file(sample, runner, tmp_path):
    shutil.copy(sample / "audiences" / "staff.yaml", sample / "audiences" / "staff-one.yaml")
    lengths = sample / "lengths.yaml"
    lengths.write_text(lengths.read_text() + "page:\n  label: A page\n  pages: 1\n")
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "-a", "staff", "-a", "staff-one",
                 "-l", "one-page", "-l", "page", "-f", "html", "-o", str(out))
    assert result.exit_code == 1, result.output
    assert ("audience 'staff' with length 'one-page' and audience 'staff-one' with length "
            "'page' would both be written to harbor-memo/staff-one-page.pdf") in result.stderr
    assert not out.exists()


def test_the_documented_rule_is_the_one_applied():
    text = (ROOT / "docs" / "content-format.md").read_text()
    assert f"`{ids.PATTERN}`" in text and f"at most {ids.MAX_LENGTH} characters" in text
    assert all(ids.is_id(name) for name in ("harbor-memo", "a", "x" * 64, "2021-07"))
    assert not any(ids.is_id(name) for name in BAD_FILE_NAMES.values())
    assert not ids.is_id("x" * 65)


@pytest.mark.parametrize("relative", ["../escape.pdf", "/etc/passwd", "a/../../b", "a\\b",
                                      "", ".", "a//b", "a/\nb"])
def test_no_output_path_leaves_the_output_folder(relative, tmp_path):
    with pytest.raises(BuildError):
        publish.inside(tmp_path / "out", relative)


def test_an_output_folder_linked_elsewhere_is_not_written_through(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "harbor-memo").symlink_to(elsewhere)
    with pytest.raises(BuildError, match="leads out of the output folder"):
        publish.publish(out, "harbor-memo/staff-full.html", b"<html></html>", {
            "brief": "", "audience": "", "length": "", "format": "html", "pages": None,
            "words": 0})
    assert not list(elsewhere.iterdir())


def test_a_manifest_naming_a_path_outside_is_never_released(built_sample, tmp_path, runner):
    """A manifest is data: a record that points out of the folder is not a file to ship."""
    from generator.release import make_release

    out = tmp_path / "output"
    shutil.copytree(built_sample, out)
    (tmp_path / "secret.txt").write_text("not for release")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["outputs"].append({**manifest["outputs"][0], "path": "../secret.txt"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BuildError, match=r"no usable record of \.\./secret\.txt"):
        make_release(out, "v1", {"../secret.txt", manifest["outputs"][0]["path"]})
    assert not (tmp_path / "release").exists()


def test_release_zip_entries_are_plain_relative_paths(runner, sample, tmp_path):
    out = tmp_path / "output"
    result = run(runner, sample, "release", "--version", "v1", "-o", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "release" / "v1" / "brief-v1.zip") as archive:
        names = archive.namelist()
    assert names and all(not n.startswith("/") and ".." not in n.split("/") for n in names)
    assert {p.relative_to(out / "release" / "v1").as_posix()
            for p in (out / "release" / "v1").rglob("*") if p.is_file()} \
        == {*names, "brief-v1.zip"}
    assert not [p for p in tmp_path.iterdir() if p.name not in ("output", "content")]


def test_ids_used_as_keys_follow_the_rule_too(sample, runner):
    staff = sample / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text() + "  Budget Items: high\n")  # a key of `tags`
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "staff.yaml:8: tags: 'Budget Items' is not a valid id" in result.stderr, result.stderr
