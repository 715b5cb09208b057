"""What every benchmark module shares: where things are, how a command is timed, how a
figure is written, and the verdicts (target met or not) collected for the summary."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The console script, as users run it; `python -m generator` where there is none.
BRIEF = [str(BIN / "brief")] if (BIN / "brief").is_file() else [sys.executable, "-m", "generator"]
RSS = [sys.executable, str(ROOT / "bench" / "rss.py")]  # brief in-process, reporting its peak RSS
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"

VERDICTS: list[tuple[str, str, str, bool]] = []  # (figure, value, target, met)


def repeats() -> tuple[int, int]:
    """Return (repeat, slow): BENCH_REPEAT (default 3), and the repeats of the slow parts
    (builds, scale checks, pandoc), one fewer but at least two (a min-max needs two)."""
    repeat = max(1, int(os.environ.get("BENCH_REPEAT", "3")))
    return repeat, max(min(2, repeat), repeat - 1)


def run(command: list[str], cwd: Path = ROOT, quiet: bool = False,
        env: dict | None = None) -> float:
    """Run a command once (its output discarded, and its errors too if quiet; ``env``:
    variables to set); return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL if quiet else None,
                   env={**os.environ, **env} if env else None)
    return time.perf_counter() - started


def timed(command: list[str], repeat: int, setup=None, cwd: Path = ROOT,
          quiet: bool = False, env: dict | None = None) -> list[float]:
    """Run a command repeat times (after setup each time); return wall times in seconds."""
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        times.append(run(command, cwd=cwd, quiet=quiet, env=env))
    return times


def emptied(folder: Path, keep: tuple[str, ...] = ("fonts",)):
    """Return a setup that empties a cache folder, but for the kinds in ``keep``: the
    fonts converted for print depend on the installed font packages, not on content, and
    are made once per machine."""
    import shutil

    def empty() -> None:
        for kind in folder.iterdir() if folder.is_dir() else []:
            if kind.name not in keep:
                shutil.rmtree(kind, ignore_errors=True)

    return empty


def timed_rss(args: list[str], repeat: int) -> tuple[list[float], list[dict]]:
    """Run `brief ARGS` repeat times through bench/rss.py (brief in-process, then its peak
    memory); return the wall times and, per run, {"self": MB, "children": MB}."""
    times, peaks = [], []
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
            times.append(run([*RSS, report.name, *args]))
            peaks.append(json.loads(Path(report.name).read_text()))
    return times, peaks


def median(times: list[float]) -> float:
    return statistics.median(times)


def spread(times: list[float]) -> str:
    """Seconds: median (min-max)."""
    return f"{median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def spread_ms(times: list[float]) -> str:
    """Milliseconds: median (min-max)."""
    return f"{median(times) * 1000:.0f} ms ({min(times) * 1000:.0f}–{max(times) * 1000:.0f})"


def verdict(figure: str, value: str, target: str, met: bool | None) -> str:
    """Record a figure against its target for the summary (met None: a figure shown for
    reference, without a target of its own); return the mark for the text."""
    VERDICTS.append((figure, value, target, met))
    return _mark(met)


def _mark(met: bool | None) -> str:
    return "—" if met is None else "✓" if met else "✗"


def summary() -> list[str]:
    """Return the table of every figure that has a target."""
    lines = ["## Summary", "", "| figure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {figure} | {value} | {target} | {_mark(met)} |"
              for figure, value, target, met in VERDICTS]
    return lines + [""]
