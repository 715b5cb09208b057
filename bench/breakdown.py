"""Where a build's time goes: run one brief command in this process with timers around the
pipeline's stages, and write each stage's own time (nested stages subtracted) as JSON.

    python bench/breakdown.py REPORT.json build --force -f pdf -j 1 -o OUT

Use -j 1: with more workers the stages run in other processes. Wall-clock timers, not a
profiler, so the figures are not inflated by profiling overhead.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict

STARTED = time.perf_counter()
totals: dict[str, float] = defaultdict(float)
counts: dict[str, int] = defaultdict(int)
stack: list[float] = []


def wrap(owner, name: str, label: str) -> None:
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        stack.append(0.0)
        try:
            return original(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            totals[label] += elapsed - stack.pop()
            counts[label] += 1
            if stack:
                stack[-1] += elapsed

    setattr(owner, name, timed)


def main() -> None:
    report, args = sys.argv[1], sys.argv[2:]
    imported = time.perf_counter()
    from generator import cite, fontinputs, inputs, pipeline, publish, render, typeset
    from generator.cli import main as brief

    totals["import brief (click, generator)"] = time.perf_counter() - imported
    imported = time.perf_counter()
    import weasyprint  # noqa: F401  (a build imports it at its first layout)

    totals["import WeasyPrint"] = time.perf_counter() - imported
    for owner, name, label in [
        (pipeline, "load_content", "load content files"),
        (pipeline, "validate", "validate content and templates"),
        (pipeline, "preflight", "preflight renders (templates, both media)"),
        (pipeline, "_warm_citations", "start the citation worker"),
        (pipeline, "_draw_charts", "draw charts (matplotlib)"),
        (inputs.InputHasher, "for_key", "input hashes"),
        (render, "render", "render HTML (Markdown, Jinja)"),
        (render, "render_pack", "render HTML (Markdown, Jinja)"),
        (cite.Processor, "format", "format citations (citeproc-js, node)"),
        (typeset, "layout", "WeasyPrint layout"),
        (typeset, "write_pdf", "WeasyPrint write_pdf"),
        (fontinputs, "used", "font hashes"),
        (publish, "publish", "publish (write, sha256)"),
        (publish, "write_manifest", "publish (write, sha256)"),
    ]:
        wrap(owner, name, label)
    started = time.perf_counter()
    try:
        brief.main(args=args, prog_name="brief")
    except SystemExit as exit_:
        if exit_.code:
            raise
    command = time.perf_counter() - started
    timed_total = sum(v for k, v in totals.items() if not k.startswith("import"))
    totals["other (CLI, planning, selection, Python)"] = command - timed_total
    with open(report, "w") as stream:
        json.dump({"stages": totals, "counts": counts,
                   "in_process": time.perf_counter() - STARTED}, stream)



def measured(args: list[str], repeat: int = 1) -> tuple[list[float], list[dict]]:
    """Run `brief ARGS` repeat times, each a fresh process with the stage timers; return
    the wall times and each run's {"stages": {name: s}, "counts": ..., "in_process": s}."""
    import tempfile
    from pathlib import Path

    from common import ROOT, run

    times, reports = [], []
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
            times.append(run([sys.executable, str(ROOT / "bench" / "breakdown.py"), report.name,
                              *args]))
            reports.append(json.loads(Path(report.name).read_text()))
    return times, reports


def table(times: list[float], reports: list[dict], top: int = 8) -> list[str]:
    """Return Markdown bullet lines: each stage's median time and share of the wall time."""
    import statistics

    wall = statistics.median(times)
    stages: dict[str, list[float]] = defaultdict(list)
    for report in reports:
        for name, seconds in report["stages"].items():
            stages[name].append(seconds)
        stages["Python start-up and exit"].append(
            times[reports.index(report)] - report["in_process"])
    counts = reports[0]["counts"]
    rows = sorted(((statistics.median(v), k) for k, v in stages.items()), reverse=True)
    lines = []
    for seconds, name in rows[:top]:
        calls = f", {counts[name]} calls" if counts.get(name) else ""
        lines.append(f"  - {name}: {seconds:.2f} s ({seconds / wall:.0%}{calls})")
    rest = sum(seconds for seconds, _ in rows[top:])
    if rest:
        lines.append(f"  - everything else: {rest:.2f} s ({rest / wall:.0%})")
    return lines


if __name__ == "__main__":
    main()
