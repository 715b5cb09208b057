"""One-shot ratio: building one PDF in a fresh `brief` process against the `weasyprint`
command line on the same print HTML, and how much of it the citation worker's cold start is.

    python bench/oneshot.py citeproc REPORT.json   (the fresh process timing citeproc)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from breakdown import measured, table
from common import (BIN, BRIEF, CONTENT, ROOT, TEMPLATES, emptied, median, run, spread, timed,
                    verdict)

TARGET = ("trilateral-alliance", "us-congress", "full")


def bench_oneshot(emitted: Path, repeat: int) -> tuple[list[str], list[float]]:
    """``emitted``: the folder `brief build --emit-print-html` wrote (see floor.py). Return
    the lines and brief's one-shot times (the peer figure reuses them)."""
    brief, audience, length = TARGET
    html = emitted / brief / f"{audience}-{length}.print.html"
    with tempfile.TemporaryDirectory(prefix="brief-oneshot-") as out:
        args = ["build", brief, "--audience", audience, "--length", length, "--format", "pdf",
                "-o", out, "--force"]
        cache = Path(out) / "cache"
        env = {"BRIEF_CACHE_DIR": str(cache)}
        weasyprint = [str(BIN / "weasyprint"), "--pdf-variant", "pdf/ua-1",  # as brief writes
                      "--base-url", str(CONTENT), str(html), str(Path(out) / "weasyprint.pdf")]
        run([*BRIEF, *args], env=env)  # keeps its citations and checks
        ours, theirs = [], []
        for _ in range(max(5, repeat)):  # in turns, so a slow spell of the machine hits both
            ours += timed([*BRIEF, *args], 1, env=env)
            theirs += timed(weasyprint, 1)
        cold_cache = timed([*BRIEF, *args], repeat, setup=emptied(cache), env=env)
        made = emptied(cache, keep=("fonts", "charts", "citations"))
        cold_checks = timed([*BRIEF, *args], repeat, setup=made, env=env)
        staged, stages = measured(args)  # once more, with timers around the stages
    cold, warm = [], []
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
            subprocess.run([sys.executable, __file__, "citeproc", report.name], cwd=ROOT,
                           check=True)
            times = json.loads(Path(report.name).read_text())
        cold.append(times["cold"])
        warm.append(times["warm"])
    ratio = median(ours) / median(theirs)
    mark = verdict("one-shot ratio", f"{ratio:.2f}", "≤ 1.10", ratio <= 1.10)
    checks_ratio = median(cold_checks) / median(theirs)
    checks_mark = verdict("one-shot ratio, nothing remembered but charts and citations",
                          f"{checks_ratio:.2f}", "≤ 1.10", checks_ratio <= 1.10)
    cold_ratio = median(cold_cache) / median(theirs)
    verdict("one-shot ratio, nothing remembered (charts drawn, citation engine built)",
            f"{cold_ratio:.2f}", "— (§2)", None)
    return [
        "## 2. One-shot ratio: one PDF from a fresh process",
        "",
        (f"`brief build {brief} --audience {audience} --length {length} --format pdf -o TMP "
         "--force` against `weasyprint --pdf-variant pdf/ua-1 --base-url content IN.html OUT.pdf`"
         " on the print HTML that brief emitted for that output; both fresh processes, so both"
         " pay Python's start-up and WeasyPrint's import, run in turns (brief, then weasyprint,"
         " five times). brief runs three ways: with what an earlier build of the same content"
         " remembered (its cache: formatted citations, chart drawings,"
         " checks that passed), as when an analyst rebuilds; with its"
         " chart drawings and formatted citations only (every file schema-checked, every"
         " template compiled, every check run, as on a fresh clone whose CI keeps those two"
         " kinds); and with nothing remembered (a fresh clone; the fonts converted for print,"
         " made once per machine, are kept)."),
        "",
        f"- brief, rebuilding: {spread(ours)}",
        f"- brief, nothing remembered but charts and citations: {spread(cold_checks)}",
        f"- brief, nothing remembered: {spread(cold_cache)}",
        f"- `weasyprint` command line: {spread(theirs)}",
        (f"- one-shot ratio, rebuilding: **{ratio:.2f}×** (target ≤ 1.10) {mark}; brief spends "
         f"{median(ours) - median(theirs):.2f} s more"),
        (f"- one-shot ratio, nothing remembered but charts and citations: "
         f"**{checks_ratio:.2f}×** (target ≤ 1.10) {checks_mark}: brief's own work (reading,"
         " schema-checking and validating the content, compiling and rendering the templates)"
         " on a fresh clone"),
        (f"- one-shot ratio, nothing remembered: **{cold_ratio:.2f}×**; brief spends "
         f"{median(cold_cache) - median(theirs):.2f} s more, "
         f"{median(cold_cache) - median(cold_checks):.2f} s of it making what the weasyprint"
         " baseline is handed ready-made: the output's charts (matplotlib: about 0.4 s to"
         " import, 0.1 s a chart) and its notes and bibliography (node and citeproc-js, below)."
         " Both run in the process that plans the build while this one imports WeasyPrint,"
         " but with node that is three processes' work on two CPUs, so little of it hides;"
         " no target is set for it (a CI that keeps the cache's `charts` and"
         " `citations` folders between runs gets the figure above)"),
        (f"- of that, the citation worker: the first `generator.cite.processor().format(...)` "
         f"call in a fresh process (starting node, building the citeproc-js engine for Chicago,"
         f" then formatting this output's notes and bibliography) takes {spread(cold)} — "
         f"{median(cold) / median(ours):.0%} of the one-shot time; the same request again, "
         f"engine built, takes {spread(warm)}, so the engine's start costs about "
         f"{median(cold) - median(warm):.2f} s"),
        ("- where brief's one-shot time goes (one more run, through bench/breakdown.py, with "
         "the default cache):"),
        *table(staged, stages, top=7),
        "",
    ], ours


def time_citeproc(report: Path) -> None:
    """In this fresh process: render the one-shot output for print, timing the (first)
    citeproc call, then the same request again on the warm engine."""
    from generator import cite, pipeline, render

    project = pipeline.Project(CONTENT, TEMPLATES)
    content = pipeline.load_project(project)
    plan = pipeline.plan_for(content, pipeline.Target(*TARGET, "pdf"))
    original, calls = cite.Processor.format, []

    def format_(self, *args, **kwargs):
        started = time.perf_counter()
        result = original(self, *args, **kwargs)
        calls.append((time.perf_counter() - started, args, kwargs))
        return result

    cite.Processor.format = format_
    render.render(plan, content, project.templates, "print")
    cold, args, kwargs = calls[0]
    started = time.perf_counter()
    original(cite.processor(), *args, **kwargs)
    report.write_text(json.dumps({"cold": cold, "warm": time.perf_counter() - started}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1] == "citeproc":
        time_citeproc(Path(sys.argv[2]))
