"""A build killed at any moment leaves only whole files under the output names."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SAMPLE
from pypdf import PdfReader

KILLS = 20


def start_build(out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "--content", str(SAMPLE), "--templates",
         str(ROOT / "templates"), "build", "--force", "-o", str(out)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def assert_whole(out: Path) -> None:
    for path in out.rglob("*.pdf"):
        if not path.name.startswith("."):
            assert path.read_bytes().rstrip().endswith(b"%%EOF"), path
            assert len(PdfReader(path).pages) >= 1
    for path in out.rglob("*.html"):
        if not path.name.startswith("."):
            assert path.read_text("utf-8").rstrip().endswith("</html>"), path
    manifest = out / "manifest.json"
    if manifest.exists():
        for record in json.loads(manifest.read_text())["outputs"]:
            data = (out / record["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == record["sha256"], record["path"]


def test_killing_a_build_never_leaves_a_truncated_output(tmp_path):
    out = tmp_path / "out"
    subprocess.run(start_build(out).args, cwd=ROOT, check=True, capture_output=True)
    randomness = random.Random(7)
    for _ in range(KILLS):
        build = start_build(out)
        time.sleep(randomness.uniform(0.2, 2.0))
        os.killpg(build.pid, signal.SIGKILL)
        build.wait()
        assert_whole(out)
    finished = start_build(out)
    assert finished.wait(timeout=120) == 0
    assert_whole(out)
    assert not [p for p in out.rglob(".*.tmp")], "temporary files are cleaned up"


def running_in_group(group: int) -> list[int]:
    """Return the live (not zombie) processes of a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_sigterm_stops_the_workers_and_leaves_the_manifest_true(tmp_path):
    """SIGTERM to the main process alone: its workers die with it, print nothing, and the
    manifest lists exactly the whole files on disk, with their hashes (the content changed
    since the last build, so an output replaced without its record would show)."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "generator", "--content", str(content), "--templates",
               str(ROOT / "templates"), "build", "-j", "2", "-o", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    topic = content / "topics" / "harbor-overview.md"
    for attempt, delay in enumerate((0.0, 0.5, 1.5)):
        topic.write_text(topic.read_text() + f"\nA sentence added in edit {attempt}.\n")
        errors = tmp_path / f"stderr-{attempt}"
        with errors.open("wb") as stderr:  # a file: a pipe would wait for the workers too
            build = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr,
                                     start_new_session=True)
        build.stdout.readline()  # the first work is done: the workers are busy with more
        time.sleep(delay)
        build.send_signal(signal.SIGTERM)
        build.wait(timeout=60)
        build.stdout.close()
        deadline = time.monotonic() + 1  # the kernel's kill is at once; a layout takes longer
        while running_in_group(build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running_in_group(build.pid), "a worker outlived the build"
        time.sleep(3)  # what a worker left running would print or publish, it has done now
        assert_whole(out)
        records = json.loads((out / "manifest.json").read_text())["outputs"]
        on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.suffix in (".pdf", ".html") and "assets" not in p.parts
                   and not p.name.startswith(".")}
        assert {r["path"] for r in records} == on_disk
        stderr = errors.read_text()
        assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
        assert build.returncode in (0, 128 + signal.SIGTERM)
