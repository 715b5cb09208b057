"""Light commands: `brief --help`, `brief list` and `brief check` as fresh processes, against
starting Python and doing nothing (`python -c pass`).

`brief check` renders every document for both media; a document that rendered cleanly is
remembered (with what each piece of prose cites) until one of
its inputs changes. So check is timed three ways: again with nothing changed (as when an
analyst checks twice), after touching one topic, and with nothing remembered at all (a
fresh clone; the fonts converted for print are kept: they are made once per machine)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import BRIEF, CONTENT, TEMPLATES, emptied, median, run, spread_ms, timed, verdict
from profiling import hotspots

COMMANDS = [  # (arguments, target in ms)
    (["--help"], 150),
    (["list"], 150),
]
CHECK_TARGET = 400  # ms


def bench_light(repeat: int) -> list[str]:
    runs = max(5, repeat)
    timed([sys.executable, "-c", "pass"], 1)  # warm the file cache
    baseline = timed([sys.executable, "-c", "pass"], runs)
    lines = [
        "## 6. Light commands",
        "",
        (f"Fresh processes on the default content, median (min–max) of {runs} runs; the "
         "baseline is `python -c pass` with the same interpreter."),
        "",
        f"- baseline `python -c pass`: {spread_ms(baseline)}",
    ]
    for args, target in COMMANDS:
        times = timed([*BRIEF, *args], runs)
        lines.append(_line(args, times, baseline, target, ""))
        if median(times) * 1000 >= target:  # where the time goes
            lines += hotspots(args)
    return lines + _checks(runs, baseline) + [""]


def _checks(runs: int, baseline: list[float]) -> list[str]:
    import shutil

    lines = []
    with tempfile.TemporaryDirectory(prefix="brief-light-") as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(CONTENT, content)
        cache = Path(tmp) / "cache"
        check = [*BRIEF, "--content", str(content), "--templates", str(TEMPLATES), "check"]
        env = {"BRIEF_CACHE_DIR": str(cache)}
        run(check, env=env, quiet=True)  # remembers what passed
        again = timed(check, runs, env=env, quiet=True)
        topic = sorted((content / "topics").glob("*.md"))[0]
        touch = lambda: topic.write_text(topic.read_text("utf-8") + "\n", "utf-8")  # noqa: E731
        touched = timed(check, runs, setup=touch, env=env, quiet=True)
        cold = timed(check, max(5, runs), setup=emptied(cache), env=env, quiet=True)
        lines.append(_line(["check"], again, baseline, CHECK_TARGET, ", nothing changed"))
        lines.append(_line(["check"], touched, baseline, CHECK_TARGET,
                           f", after touching one topic ({topic.name})"))
        lines.append(_line(["check"], cold, baseline, CHECK_TARGET,
                           ", nothing remembered (a fresh clone)"))
        if median(cold) * 1000 >= CHECK_TARGET:
            lines += hotspots(["--content", str(content), "check"], env=env,
                              setup=emptied(cache))
    return lines


def _line(args: list[str], times: list[float], baseline: list[float], target: int,
          case: str) -> str:
    ms = median(times) * 1000
    name = f"`brief {' '.join(args)}`{case}"
    mark = verdict(name, f"{ms:.0f} ms", f"< {target} ms", ms < target)
    return (f"- {name}: {spread_ms(times)}, {ms - median(baseline) * 1000:.0f} ms over the "
            f"baseline (target < {target} ms) {mark}")
