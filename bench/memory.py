"""Memory: the peak resident set of a build worker, for the largest brief and over the whole
default build."""

from __future__ import annotations

import tempfile

from common import timed_rss, verdict

TARGET_MB = 300


def bench_memory(largest: tuple[str, str, str, int], parallel_peaks: list[dict]) -> list[str]:
    """``largest``: (brief, audience, length, pages) of the largest full-length output;
    ``parallel_peaks``: the peaks of the parallel figure's `-j 2` runs of the whole build."""
    brief, audience, length, pages = largest
    with tempfile.TemporaryDirectory(prefix="brief-memory-") as out:
        _, peaks = timed_rss(["build", brief, "-a", audience, "-l", length, "-f", "pdf",
                              "-j", "1", "--force", "-o", out], 1)
    worker, node = peaks[0]["self"], peaks[0]["children"]
    whole = max(p["children"] for p in parallel_peaks)
    parent = max(p["self"] for p in parallel_peaks)
    mark = verdict("peak RSS per worker", f"{max(worker, whole):.0f} MB", f"< {TARGET_MB} MB",
                   max(worker, whole) < TARGET_MB)
    both = max(worker, whole) + node
    both_mark = verdict("peak RSS per worker with its node citation worker", f"{both:.0f} MB",
                        f"< {TARGET_MB} MB", both < TARGET_MB)
    return [
        "## 9. Memory: peak RSS per worker",
        "",
        ("Read with `getrusage` in the build's own process (bench/rss.py runs brief in-process):"
         " its own peak and the largest of its reaped children."),
        "",
        (f"- largest brief, `{brief}` for `{audience}`, {length} ({pages} pages), `-j 1` in a "
         f"fresh process (the process is the worker): **{worker:.0f} MB**; its citation worker "
         f"(node): {node:.0f} MB"),
        (f"- whole default build (`-f pdf -j 2`): largest worker **{whole:.0f} MB**, the parent "
         f"{parent:.0f} MB (forked workers share the parent's pages until they write them)"),
        f"- target < {TARGET_MB} MB per worker {mark}",
        (f"- but every worker also starts its own citation worker (node, citeproc-js): a worker "
         f"and its node together peak at about {both:.0f} MB "
         f"({max(worker, whole):.0f} + {node:.0f}) {both_mark}"),
        "",
    ]
