"""12. parsers: prose parsing stays linear on hostile input. Seconds to parse, scan (with
the check for unsourced figures) and render one paragraph of N repeats of a fragment
(unclosed citations, notes, brackets, facts, spans, links; closed ones by the thousand;
audience terms; blank and indented lines), at N = 1,000, 4,000 and 16,000, and the growth
from 4,000 to 16,000: 4× is linear, 16× quadratic.

    .venv/bin/python bench/parsers.py          # the section alone, printed

The property tests (tests/test_hostile.py) check that such inputs give the right result;
the time bound lives here, where a slow machine does not fail a test run.
"""

from __future__ import annotations

import gc
import sys
import time

from common import verdict

from generator import markdown, sourcing
from generator.markdown import NoteBook, ProseRenderer

SIZES = (1_000, 4_000, 16_000)
# t(16k) / t(4k): 4 for linear work, 16 for quadratic. Linear work measures up to about 7:
# a larger heap makes every allocation and cache access slower (each function grows alike).
TARGET = 8.0
NOISE = 0.05  # seconds: below this at 16k, the growth is timer noise, not a verdict
FAMILIES = {
    "unclosed citation `[@source, `": "[@source, ",
    "closed citations `[@a, p. 1]`": "[@a, p. 1] ",
    "citations one per line": "[@a, p. 1]\n",
    "unclosed bracket `[a `": "[a ",
    "unclosed note `^[note `": "^[note ",
    "closed notes `^[a [@b]]`": "^[a [@b]] ",
    "unclosed fact `{fact:a `": "{fact:a ",
    "facts one per line": "{fact:a}\n",
    "unclosed span `[x]{lang=`": "[x]{lang=",
    "unclosed link `[a](`": "[a](",
    "unclosed footnote reference `[^a `": "[^a ",
    "audience terms (a sentence)": "the East Sea lies west; the Sea is shared. ",
    "blank lines": "\n",
    "indented lines": "\n    ",
    "unclosed link target `](`": "](",
}
TERMS = {"East Sea": "East Sea (Sea of Japan)", "Sea": "sea"}


def seconds(text: str) -> float:
    """Return the time to parse, scan and render the text once, from nothing kept."""
    markdown._parse.cache_clear()
    markdown.scan.cache_clear()
    markdown._positions.cache_clear()
    gc.collect()  # not the garbage of the run before
    started = time.perf_counter()
    markdown._scan(text)
    sourcing.unsourced_numbers(text)
    ProseRenderer(NoteBook(), terms=TERMS).block(text)
    return time.perf_counter() - started


def measure(fragment: str) -> tuple[list[float], float]:
    """Return the seconds at each size (best of three) and the growth from 4k to 16k."""
    times = [min(seconds(fragment * n) for _ in range(3)) for n in SIZES]
    return times, times[2] / max(times[1], 1e-6)


def bench_parsers() -> list[str]:
    """Return the parsers section: one row per fragment, and the worst growth."""
    lines = ["## 12. Parsers on hostile prose", "",
             "One paragraph of N repeats of a fragment, parsed, scanned (as `brief check` "
             "does, with its check for unsourced figures) and rendered (as a build does) in "
             "one process, from nothing kept; best of "
             "3. Growth from N = 4,000 to 16,000 is 4× for linear work, 16× for quadratic; "
             f"rows under {NOISE:g} s at 16,000 are timer noise and not judged.", "",
             "| input, repeated N times | N = 1,000 | N = 4,000 | N = 16,000 | 16k / 4k |",
             "|---|---|---|---|---|"]
    worst = 0.0
    for name, fragment in FAMILIES.items():
        times, growth = measure(fragment)
        if times[2] >= NOISE:
            worst = max(worst, growth)
        cells = " | ".join(f"{t:.3f} s" for t in times)
        lines.append(f"| {name} | {cells} | {growth:.1f}× |")
    mark = verdict("12. parsers: growth of hostile prose, 4k → 16k", f"{worst:.1f}×",
                   f"≤ {TARGET:g}× (linear: 4×)", worst <= TARGET)
    return lines + ["", f"Worst growth: {worst:.1f}× {mark} (target ≤ {TARGET:g}×).", ""]


if __name__ == "__main__":
    print("\n".join(bench_parsers()))
    sys.exit(0)
