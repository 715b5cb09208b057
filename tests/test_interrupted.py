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
