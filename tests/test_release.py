"""Releases: outputs, manifest, SHA256SUMS and a zip, the same bytes every time."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile

import pytest
from conftest import SAMPLE, run


def test_release_packages_every_output_with_sums_and_a_zip(runner, tmp_path):
    out = tmp_path / "output"
    result = run(runner, SAMPLE, "release", "--version", "2026.11", "-o", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "release" / "2026.11"
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    documents = [name for name in sums if not name.startswith("assets/")]
    assert len(documents) == 22  # 18 outputs, a pack in three formats, and the manifest
    assert sum(name.endswith(".docx") for name in documents) == 7  # Word files are released
    assert any(name.startswith("assets/fonts/") for name in sums)  # the pages need them
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    with zipfile.ZipFile(folder / "brief-2026.11.zip") as archive:
        assert sorted(archive.namelist()) == sorted([*sums, "SHA256SUMS"])
        assert archive.testzip() is None


def test_releases_are_byte_identical_and_do_not_rebuild(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = tmp_path / "a", tmp_path / "b"
    run(runner, SAMPLE, "release", "--version", "v1", "-o", str(first))
    run(runner, SAMPLE, "build", "-f", "pdf", "-f", "html", "-f", "docx", "-o", str(second))
    result = run(runner, SAMPLE, "release", "--version", "v1", "-o", str(second))
    assert re.search(r"^built +0\b", result.stdout, re.MULTILINE)  # the build was reused
    zip_a = (first / "release/v1/brief-v1.zip").read_bytes()
    zip_b = (second / "release/v1/brief-v1.zip").read_bytes()
    assert zip_a == zip_b


def test_release_from_merged_shards_reuses_their_outputs(runner, tmp_path):
    output = tmp_path / "output"
    manifests = []
    for k in (1, 2):
        shard = tmp_path / f"shard-{k}"
        run(runner, SAMPLE, "build", "-f", "pdf", "-f", "html", "-f", "docx", "--shard", f"{k}/2",
            "-o", str(shard))
        shutil.copytree(shard, output, dirs_exist_ok=True)
        manifests.append(str(shard / "manifest.json"))
    assert run(runner, SAMPLE, "merge-manifests", *manifests, "-o", str(output)).exit_code == 0
    result = run(runner, SAMPLE, "release", "--version", "v2", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert re.search(r"^built +0\b", result.stdout, re.MULTILINE)
    assert re.search(r"^up to date +21\b", result.stdout, re.MULTILINE)


@pytest.mark.parametrize("version", ["../escape", "bad/name", ".hidden", ""])
def test_a_bad_version_is_a_usage_error_before_anything_is_built(runner, tmp_path, version):
    result = run(runner, SAMPLE, "release", "--version", version, "-o", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "not a usable version" in result.stderr and "--version" in result.stderr
    assert not (tmp_path / "o").exists()  # nothing was built
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize("taken", ["release/v1", "release"])
def test_a_version_whose_folder_is_an_existing_file_is_refused_before_building(
        taken, runner, tmp_path):
    out = tmp_path / "o"
    (out / taken).parent.mkdir(parents=True, exist_ok=True)
    (out / taken).write_text("someone's notes")
    result = run(runner, SAMPLE, "release", "--version", "v1", "-o", str(out))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{out / taken}: an existing file, not a release folder" in result.stderr
    assert (out / taken).read_text() == "someone's notes"
    assert not (out / "manifest.json").exists()  # nothing was built
