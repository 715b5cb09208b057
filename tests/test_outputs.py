"""What a build leaves in its output folder: its own files only, readable by others as the
umask allows, and a manifest that lists exactly the whole files on disk."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import TEMPLATES, run

from generator import publish


def outputs_on_disk(out: Path) -> set[str]:
    """Return the files under output names (briefs' and packs' PDF and HTML)."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*")
            if p.is_file() and p.suffix in (".pdf", ".html") and not p.name.startswith(".")
            and not p.name.endswith(".print.html") and "release" not in p.parts}


def assert_manifest_describes_disk(out: Path) -> None:
    records = json.loads((out / "manifest.json").read_text())["outputs"]
    for record in records:
        data = (out / record["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"], record["path"]
    assert {r["path"] for r in records} == outputs_on_disk(out)


def test_a_build_removes_only_its_own_temporary_files(sample, runner, tmp_path):
    out = tmp_path / "out"
    args = ("build", "harbor-memo", "-a", "staff", "-l", "full", "-f", "html", "-o", str(out))
    assert run(runner, sample, *args).exit_code == 0
    theirs = [out / "harbor-memo" / ".notes.md.tmp", out / ".swap.tmp",
              out / "elsewhere" / ".brief-tmp-x.tmp", out / "x.tmp" / "inside.txt"]
    for path in theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("someone else's")
    (out / ".brief-tmp-folder.tmp").mkdir()  # a folder, whatever its name, is not a file of ours
    ours = [out / "harbor-memo" / ".brief-tmp-staff-full.html.k3j2.tmp",
            out / ".brief-tmp-manifest.json.a8f1.tmp"]
    for path in ours:
        path.write_bytes(b"half a file from a killed build")
    result = run(runner, sample, *args, "--force")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert all(path.read_text() == "someone else's" for path in theirs)
    assert (out / ".brief-tmp-folder.tmp").is_dir()
    assert not any(path.exists() for path in ours)


@pytest.fixture
def umask():
    """Set the process's umask for one test: yield a setter, then restore it."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def modes(folder: Path) -> tuple[set[int], set[int]]:
    files = {stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}
    folders = {stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")] if p.is_dir()}
    return files, folders


@pytest.mark.parametrize("mask, file_mode, folder_mode",
                         [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_outputs_and_releases_have_the_modes_the_umask_gives(
        mask, file_mode, folder_mode, umask, sample, runner, tmp_path):
    umask(mask)
    out = tmp_path / "out"
    result = run(runner, sample, "release", "--version", "v1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert modes(out) == ({file_mode}, {folder_mode})  # the release folder's too


def test_zip_entries_carry_file_type_and_permission_bits(sample, runner, tmp_path):
    out = tmp_path / "out"
    assert run(runner, sample, "release", "--version", "v1", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out / "release" / "v1" / "brief-v1.zip") as archive:
        entries = archive.infolist()
    assert entries
    for entry in entries:
        assert entry.create_system == 3  # Unix, so unzip reads the mode
        assert entry.external_attr >> 16 == stat.S_IFREG | 0o644, entry.filename


def failing_writes(monkeypatch, code: int, name: str = "") -> None:
    """Make every write of a file whose name contains name fail with the errno code."""
    mkstemp = publish.tempfile.mkstemp

    def refuse(*args, prefix="", **kwargs):
        if name in prefix:
            raise OSError(code, os.strerror(code))
        return mkstemp(*args, prefix=prefix, **kwargs)

    monkeypatch.setattr(publish.tempfile, "mkstemp", refuse)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_keeps_every_published_output_in_the_manifest(
        jobs, sample, runner, tmp_path, monkeypatch):
    """One output cannot be written; the others, published by the same or other workers,
    are listed, and the manifest lists exactly the files on disk."""
    out = tmp_path / "out"
    failing_writes(monkeypatch, errno.ENOSPC, "staff-one-page.html")
    result = run(runner, sample, "build", "-j", jobs, "-o", str(out))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{out}/harbor-memo/staff-one-page.html: cannot write it: the disk is full (ENOSPC)" \
        in result.stderr
    assert_manifest_describes_disk(out)
    listed = {r["path"] for r in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert "harbor-memo/staff-one-page.pdf" in listed  # published before, by the same work
    assert len(listed) == 13  # every output but the one


@pytest.mark.parametrize("code, reason", [
    (errno.EROFS, "read-only file system"), (errno.EACCES, "permission denied"),
    (errno.ENOSPC, "the disk is full"), (errno.ENAMETOOLONG, "the name is too long")])
def test_a_folder_that_cannot_be_written_is_a_plain_message(
        code, reason, sample, runner, tmp_path, monkeypatch):
    failing_writes(monkeypatch, code)
    result = run(runner, sample, "build", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert reason in result.stderr and f"({errno.errorcode[code]})" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_a_pack_template_error_stops_the_build_before_anything_is_written(
        sample, runner, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out"
    assert run(runner, sample, "build", "-o", str(out), templates=templates).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    pack = templates / "pack.html"
    pack.write_text(pack.read_text().replace("{{ parts | length }} briefs",
                                             "{{ pack.no_such_field }} briefs"))
    (sample / "topics" / "harbor-overview.md").write_text(
        (sample / "topics" / "harbor-overview.md").read_text() + "\nOne more sentence.\n")
    for command in (["build", "-o", str(out)], ["build", "--force", "-o", str(out)], ["check"]):
        result = run(runner, sample, *command, templates=templates)
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        assert "pack.html:" in result.stderr and "no_such_field" in result.stderr, result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_release_never_ships_an_output_changed_with_its_manifest_hash(sample, runner, tmp_path):
    out = tmp_path / "out"
    # Every format a release holds, so that the release has only the changed file to build.
    assert run(runner, sample, "release", "--version", "v0", "-o", str(out)).exit_code == 0
    target = out / "harbor-memo" / "staff-full.html"
    built = target.read_bytes()
    tampered = built.replace(b"</body>", b"<script>alert(1)</script></body>")
    target.write_bytes(tampered)
    manifest = json.loads((out / "manifest.json").read_text())
    for record in manifest["outputs"]:
        if record["path"] == "harbor-memo/staff-full.html":
            record["sha256"] = hashlib.sha256(tampered).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))

    result = run(runner, sample, "release", "--version", "v1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "built          1" in result.stdout  # that one output, rebuilt
    released = out / "release" / "v1" / "harbor-memo" / "staff-full.html"
    assert released.read_bytes() == built == target.read_bytes()
    with zipfile.ZipFile(out / "release" / "v1" / "brief-v1.zip") as archive:
        assert archive.read("harbor-memo/staff-full.html") == built


def test_release_refuses_a_file_it_did_not_build(built_sample, tmp_path):
    """Even handed a manifest that vouches for it, the release step itself checks."""
    from generator.built import BuiltOutputs
    from generator.errors import BuildError
    from generator.release import make_release

    out = tmp_path / "out"
    shutil.copytree(built_sample, out)
    target = out / "harbor-memo" / "staff-full.html"
    target.write_bytes(target.read_bytes() + b"<!-- changed -->")
    manifest = json.loads((out / "manifest.json").read_text())
    for record in manifest["outputs"]:
        if record["path"] == "harbor-memo/staff-full.html":
            record["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))
    paths = {r["path"] for r in manifest["outputs"]}
    known = BuiltOutputs.open()  # where the sample's build kept them
    assert known.has("harbor-memo/staff-one-page.html", next(
        r["sha256"] for r in manifest["outputs"] if r["path"] == "harbor-memo/staff-one-page.html"))
    with pytest.raises(BuildError, match="not a file this program built"):
        make_release(out, "v1", paths, known)
    assert not (out / "release" / "v1").exists()
