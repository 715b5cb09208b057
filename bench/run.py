"""Benchmark suite: run with `make bench` (or `.venv/bin/python bench/run.py`).

Every figure is a ratio against a baseline measured in the same run, because shared
machines are noisy, and each timing is the median (with min-max) of repeated runs.
Results go to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from fitting import bench_fitting  # noqa: E402
BRIEF = [sys.executable, "-m", "generator"]


def timed(command: list[str], repeat: int, setup=None) -> list[float]:
    """Run a command repeat times (after setup each time); return wall times in seconds."""
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def bench_parallel(out: Path, repeat: int) -> list[str]:
    """-j 2 against -j 1 on the default build (PDF and HTML, --force)."""
    one = timed([*BRIEF, "build", "--force", "-j", "1", "-o", str(out)], repeat)
    two = timed([*BRIEF, "build", "--force", "-j", "2", "-o", str(out)], repeat)
    ratio = statistics.median(one) / statistics.median(two)
    return [
        "## Parallel: default build, `-j 2` against `-j 1`",
        "",
        f"- `-j 1`: {spread(one)}",
        f"- `-j 2`: {spread(two)}",
        f"- speed-up: **{ratio:.2f}×** (target ≥ 1.6×)",
        "",
    ]


def bench_incremental(out: Path, repeat: int) -> list[str]:
    """A no-op rebuild, and a rebuild after one topic changed, against a full build."""
    full = timed([*BRIEF, "build", "--force", "-o", str(out)], 1)
    noop = timed([*BRIEF, "build", "-o", str(out)], repeat)
    topic = ROOT / "content" / "topics" / "russia-relations.md"
    original = topic.read_text("utf-8")
    counter = iter(range(10_000))

    def touch_topic():
        topic.write_text(original + f"\n<!-- bench edit {next(counter)} -->\n", "utf-8")

    try:
        one_topic = timed([*BRIEF, "build", "-o", str(out)], repeat, setup=touch_topic)
    finally:
        topic.write_text(original, "utf-8")
    return [
        "## Incremental rebuilds",
        "",
        f"- full build (`--force`): {spread(full)}",
        (f"- no-op rebuild: {spread(noop)} — "
         f"{statistics.median(noop) / statistics.median(full):.3f} of a full build "
         "(target < 1 s)"),
        (f"- after editing one topic (`russia-relations`, declared by one brief): "
         f"{spread(one_topic)} — {statistics.median(one_topic) / statistics.median(full):.2f} "
         "of a full build"),
        "",
    ]


def machine() -> list[str]:
    import weasyprint

    return [
        (f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
         f"{platform.release()}"),
        f"- Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}",
        "",
    ]


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    out = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    try:
        intro = (f"Made by `bench/run.py`; medians (min–max) of {repeat} runs, ratios against "
                 "baselines measured in the same run.")
        lines = ["# Benchmark results", "", intro, ""]
        lines += machine()
        lines += bench_fitting()
        lines += bench_parallel(out, repeat)
        lines += bench_incremental(out, repeat)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
