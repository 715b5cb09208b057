"""Fitting benchmark: layout passes per budgeted output, and fitting time against one plain
render, over the default content, in one warm process.

The plain render is one layout of the plan the fitter chose (what a build would cost if it
knew the answer in advance). The binary search over the shrink sequence that fitting used
before is measured too, as a reference.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_fitting(repeat: int = 1) -> list[str]:
    from generator import fitting, pipeline, select

    project = pipeline.Project(ROOT / "content", ROOT / "templates")
    content = pipeline.load_project(project)
    targets = [t for t in pipeline.matrix(content, formats=("pdf",))
               if content.lengths[t.length].pages]
    fitting.layout_plan(project, content, pipeline.plan_for(content, targets[0]))  # warm up
    passes, search_passes, ratios, fills = [], [], [], []
    fit_total = plain_total = search_total = 0.0
    for target in targets:
        plan = pipeline.plan_for(content, target)
        fit_times, plain_times = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            fitted, laid_out, used = fitting.fit(project, content, plan)
            fit_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            fitting.layout_plan(project, content, fitted)
            plain_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        _, _, searched = fitting._search(project, content, plan, select.shrink_sequence(plan))
        search_total += time.perf_counter() - started
        fit_time, plain_time = statistics.median(fit_times), statistics.median(plain_times)
        fit_total, plain_total = fit_total + fit_time, plain_total + plain_time
        passes.append(used)
        search_passes.append(searched)
        ratios.append(fit_time / plain_time)
        if fitted.trimmed:  # an output holding all its relevant content may end early
            fills.append(laid_out.last_page_fill)
    return [
        "## Fitting: layout passes per budgeted output",
        "",
        f"Over the {len(targets)} budgeted outputs (one-page, two-page) of the default content,"
        " PDF layouts only, one warm process.",
        "",
        (f"- layout passes per output: mean **{statistics.mean(passes):.2f}**, max "
         f"{max(passes)} (targets: mean ≤ 2, max ≤ 4); binary search over the shrink "
         f"sequence (the method before): mean {statistics.mean(search_passes):.2f}, max "
         f"{max(search_passes)}"),
        (f"- fitting time against one plain render of the chosen plan: median "
         f"**{statistics.median(ratios):.2f}×** (min {min(ratios):.2f}, max {max(ratios):.2f}); "
         f"in total {fit_total:.1f} s fitting against {plain_total:.1f} s of plain renders "
         f"({fit_total / plain_total:.2f}×); the binary search took {search_total:.1f} s"),
        (f"- last-page fill of the {len(fills)} outputs the budget trimmed: min {min(fills):.0%},"
         f" median {statistics.median(fills):.0%} (bound: at least 80%; the other "
         f"{len(targets) - len(fills)} hold all their relevant content)"),
        "",
    ]


if __name__ == "__main__":
    print("\n".join(bench_fitting()))
