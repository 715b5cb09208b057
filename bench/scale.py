"""Scale: `brief check` and an HTML-only build over synthetic content bases of 100, 300 and
1,000 topics (50 briefs, 5 audiences; bench/make_scale.py), with the real templates."""

from __future__ import annotations

import tempfile
from pathlib import Path

import make_scale
from breakdown import measured
from common import BRIEF, TEMPLATES, emptied, median, spread, timed, verdict
from profiling import hotspots

SIZES = (100, 300, 1000)
CHECK_TARGET = 2.0  # seconds, for the largest size


def bench_scale(repeat: int) -> list[str]:
    """``repeat``: the runs of each check (the HTML builds run once)."""
    rows, checks, colds, builds, stages, outputs = [], {}, {}, {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="brief-scale-") as tmp:
        for size in SIZES:
            content = make_scale.write(Path(tmp) / f"content-{size}", size)
            brief = [*BRIEF, "--content", str(content), "--templates", str(TEMPLATES)]
            cache = Path(tmp) / f"cache-{size}"
            env = {"BRIEF_CACHE_DIR": str(cache)}
            # Nothing remembered (a fresh clone), then again with nothing changed; one
            # untimed run first reads the new files into the system's cache.
            timed([*brief, "check"], 1, env=env, quiet=True)
            colds[size] = timed([*brief, "check"], max(3, repeat), setup=emptied(cache),
                                env=env, quiet=True)
            checks[size] = timed([*brief, "check"], repeat, env=env, quiet=True)
            # One run (the slow part): through bench/breakdown.py, which runs the same
            # command in-process with timers around the stages, to see where time goes.
            times, reports = measured(["--content", str(content), "--templates",
                                       str(TEMPLATES), "build", "-f", "html", "--force", "-j",
                                       "1", "-o", str(Path(tmp) / f"out-{size}")])
            builds[size], stages[size] = times, reports[0]["stages"]
            outputs[size] = reports[0]["counts"].get("publish (write, sha256)", 1) - 1
        profile = (hotspots(["--content", str(Path(tmp) / f"content-{SIZES[-1]}"),
                             "--templates", str(TEMPLATES), "check"],
                            env={"BRIEF_CACHE_DIR": str(Path(tmp) / f"cache-{SIZES[-1]}")})
                   if median(checks[SIZES[-1]]) > CHECK_TARGET else [])
    for size in SIZES:
        check, build = median(colds[size]), median(builds[size])
        citations = stages[size].get("format citations (citeproc-js, node)", 0.0)
        rows.append(f"| {size:,} | {spread(colds[size])} | {spread(checks[size])} | "
                    f"{check / size * 1000:.1f} ms | "
                    f"{spread(builds[size])} ({outputs[size]} outputs) | "
                    f"{build / size * 1000:.0f} ms | {citations / build:.0%} |")
    small, middle, large = SIZES
    marginal = {name: ((median(t[middle]) - median(t[small])) / (middle - small),
                       (median(t[large]) - median(t[middle])) / (large - middle))
                for name, t in (("check", colds), ("build", builds))}
    largest = median(checks[large])
    mark = verdict(f"`brief check`, {large:,} topics, nothing changed", f"{largest:.2f} s",
                   f"< {CHECK_TARGET:.0f} s", largest < CHECK_TARGET)
    cold_mark = verdict(f"`brief check`, {large:,} topics, nothing remembered",
                        f"{median(colds[large]):.2f} s", f"< {CHECK_TARGET:.0f} s",
                        median(colds[large]) < CHECK_TARGET)
    linear = all(b <= 1.5 * a for a, b in marginal.values())
    linear_mark = verdict("scale: time grows linearly with topics",
                          "marginal ms/topic " + ", ".join(
                              f"{n} {a * 1000:.0f}→{b * 1000:.0f}" for n, (a, b)
                              in marginal.items()),
                          "later ≤ 1.5× earlier", linear)
    lines = [
        "## 7. Scale: synthetic content bases",
        "",
        (f"Made by `bench/make_scale.py`: N topics (Markdown bodies of about 450 words in three "
         "subsections, with about ten citations, a note, a list and a fact each), 10 sources, 5 "
         "facts, 50 briefs, 5 audiences; every topic in exactly one brief; briefs built at the "
         "full length only (a budget would add WeasyPrint layouts, measured by the floor "
         f"figure), so a build makes 250 HTML pages. `check`: {max(3, repeat)} runs with nothing "
         f"remembered (after one untimed run that reads the new files), {repeat} with nothing "
         "changed; HTML build "
         "(`build -f html --force -j 1`): one run, through bench/breakdown.py for the share of "
         "citation formatting."),
        "",
        ("| topics | `brief check`, nothing remembered | `brief check`, nothing changed | "
         "per topic, nothing remembered | HTML build | per topic | of it, citeproc |"),
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        (f"- cost of each extra topic, {small}→{middle} and {middle}→{large} topics: check with nothing remembered "
         f"{marginal['check'][0] * 1000:.1f} → {marginal['check'][1] * 1000:.1f} ms, HTML build "
         f"{marginal['build'][0] * 1000:.0f} → {marginal['build'][1] * 1000:.0f} ms: "
         f"{'linear' if linear else 'faster than linear'} {linear_mark}"),
        (f"- `brief check` of {large:,} topics, nothing changed since the last check: "
         f"**{largest:.2f} s** (target < {CHECK_TARGET:.0f} s) {mark}; with nothing remembered "
         f"(a fresh clone: every file schema-checked, every piece of prose parsed, every "
         f"template compiled and rendered once per document type, lead and medium): "
         f"{median(colds[large]):.2f} s {cold_mark}"),
    ]
    if profile:
        lines += [f"- where `brief check` of {large:,} topics spends its time (cProfile):",
                  *profile]
    return lines + [""]
