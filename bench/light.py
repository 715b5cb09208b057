"""Light commands: `brief --help`, `brief list` and `brief check` as fresh processes, against
starting Python and doing nothing (`python -c pass`)."""

from __future__ import annotations

import sys

from common import BRIEF, median, spread_ms, timed, verdict
from profiling import hotspots

COMMANDS = [  # (arguments, target in ms)
    (["--help"], 150),
    (["list"], 150),
    (["check"], 400),
]


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
        ms = median(times) * 1000
        mark = verdict(f"`brief {' '.join(args)}`", f"{ms:.0f} ms", f"< {target} ms",
                       ms < target)
        lines.append(f"- `brief {' '.join(args)}`: {spread_ms(times)}, "
                     f"{ms - median(baseline) * 1000:.0f} ms over the baseline "
                     f"(target < {target} ms) {mark}")
        if ms >= target:  # where the time goes
            lines += hotspots(args)
    return lines + [""]
