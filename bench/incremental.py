"""Incremental rebuilds: a no-op rebuild, and a rebuild after one topic changed, against a
full build."""

from __future__ import annotations

from pathlib import Path

from common import BRIEF, ROOT, median, spread, timed, verdict

TOPIC = ROOT / "content" / "topics" / "russia-relations.md"


def bench_incremental(out: Path, full: list[float], repeat: int, slow: int) -> list[str]:
    """``out`` holds an up-to-date `-f pdf` build, and ``full`` the times of that full build
    with `-j 2` (the parallel figure's runs); the rebuilds here use the same options. The
    rebuild after an edit, a partial build, runs ``slow`` times."""
    command = [*BRIEF, "build", "-f", "pdf", "-j", "2", "-o", str(out)]
    noop = timed(command, repeat)
    original = TOPIC.read_text("utf-8")
    counter = iter(range(10_000))

    def touch_topic():
        TOPIC.write_text(original + f"\n<!-- bench edit {next(counter)} -->\n", "utf-8")

    try:
        one_topic = timed(command, slow, setup=touch_topic)
    finally:
        TOPIC.write_text(original, "utf-8")
    timed(command, 1)  # leave the folder up to date with the topic as it was
    mark = verdict("no-op rebuild", f"{median(noop):.2f} s", "< 1 s", median(noop) < 1)
    return [
        "## 5. Incremental rebuilds",
        "",
        "`brief build -f pdf -j 2` over an up-to-date output folder.",
        "",
        f"- full build (`--force`, the parallel figure's `-j 2` runs): {spread(full)}",
        (f"- no-op rebuild: {spread(noop)} — {median(noop) / median(full):.3f} of a full build "
         f"(target < 1 s) {mark}"),
        (f"- after editing one topic (`{TOPIC.stem}`, declared by one brief): "
         f"{spread(one_topic)} — {median(one_topic) / median(full):.2f} of a full build"),
        "",
    ]
