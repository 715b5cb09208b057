"""Parallel: the default PDF build with `-j 2` against `-j 1`."""

from __future__ import annotations

from pathlib import Path

from common import median, spread, timed_rss, verdict


def bench_parallel(out: Path, one: list[float], first: tuple[float, dict],
                   slow: int) -> tuple[list[str], list[float], list[dict]]:
    """``one``: the `-j 1` times of the same build (measured for the floor figure);
    ``first``: (time, peak memory) of the `-j 2` build that saved the print HTML for it
    (only its memory is counted: it is the session's first build and wrote more).

    Return the lines, the `-j 2` times (the incremental figure's reference) and the peak
    memory of each `-j 2` run (the memory figure reads it)."""
    two, peaks = timed_rss(["build", "--force", "-f", "pdf", "-j", "2", "-o", str(out)], slow)
    peaks = [first[1], *peaks]  # its time is not one of them: it also wrote the print HTML
    ratio = median(one) / median(two)
    mark = verdict("parallel speed-up, `-j 2` / `-j 1`", f"{ratio:.2f}×", "≥ 1.6×", ratio >= 1.6)
    return [
        "## 4. Parallel: default build, `-j 2` against `-j 1`",
        "",
        ("`brief build --force -f pdf` (the `-j 1` runs are those of the floor figure)."),
        "",
        f"- `-j 1`: {spread(one)}",
        f"- `-j 2`: {spread(two)}",
        f"- speed-up: **{ratio:.2f}×** (target ≥ 1.6×) {mark}",
        "",
    ], two, peaks
