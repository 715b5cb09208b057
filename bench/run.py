"""Benchmark suite: run with `make bench` (or `.venv/bin/python bench/run.py`).

Every figure is a ratio against a baseline measured in the same run, because shared
machines are noisy, and each timing is the median (with min-max) of repeated runs.
BENCH_REPEAT (default 3) sets the repeats; builds, the scale checks and pandoc run one
fewer (at least two).
Results go to bench/RESULTS.md, with a summary of every target met or missed.

One module per figure group:
  floor.py        1. floor ratio: `brief build` against WeasyPrint alone on the same HTML
  oneshot.py      2. one-shot ratio: one PDF from a fresh process, and the citation worker
  fitting.py      3. fitting: layout passes per budgeted output
  parallel.py     4. parallel: `-j 2` against `-j 1`
  incremental.py  5. incremental: no-op rebuild and one topic changed
  light.py        6. light commands: --help, list, check
  scale.py        7. scale: check and HTML build at 100, 300 and 1,000 topics
  peer.py         8. peer: pandoc with WeasyPrint as its PDF engine
  memory.py       9. memory: peak RSS per worker
  cjk.py         10. CJK: a page of Japanese and Korean, with and without libharfbuzz-subset0
  tagging.py     11. tagging: tagged (PDF/UA-1, PDF/A-2a) against untagged write_pdf
  parsers.py     12. parsers: prose parsing grows linearly on hostile input
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Python writes bytecode caches by default, and users' installs have them; a sandbox's
# PYTHONDONTWRITEBYTECODE would make every fresh process compile brief's modules again.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cjk import bench_cjk  # noqa: E402
from common import ROOT, repeats, summary, verdict  # noqa: E402
from fitting import bench_fitting  # noqa: E402
from floor import bench_floor  # noqa: E402
from incremental import bench_incremental  # noqa: E402
from light import bench_light  # noqa: E402
from memory import bench_memory  # noqa: E402
from oneshot import bench_oneshot  # noqa: E402
from parallel import bench_parallel  # noqa: E402
from parsers import bench_parsers  # noqa: E402
from peer import bench_peer  # noqa: E402
from scale import bench_scale  # noqa: E402
from tagging import bench_tagging  # noqa: E402


def machine() -> list[str]:
    import weasyprint

    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) // 1024 for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), 0)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        (f"- machine: {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), {memory:,} MB, "
         f"{platform.system()} {platform.release()}"),
        (f"- Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
         f"Node.js {node or 'not found'} (citeproc-js)"),
        "",
    ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def fitting_section() -> list[str]:
    """The fitting figure (bench/fitting.py), numbered, with its targets judged."""
    lines = bench_fitting()
    lines[0] = lines[0].replace("## Fitting", "## 3. Fitting")
    text = "\n".join(lines)
    passes = re.search(r"mean \*\*([\d.]+)\*\*, max (\d+)", text)
    fill = re.search(r"trimmed: min (\d+)%", text)
    if passes:
        mean, most = float(passes[1]), int(passes[2])
        mark = verdict("fitting: layout passes per budgeted output",
                       f"mean {mean:.2f}, max {most}", "mean ≤ 2, max ≤ 4",
                       mean <= 2 and most <= 4)
        lines.insert(-1, f"- layout passes against their targets (mean ≤ 2, max ≤ 4): {mark}")
    if fill:
        mark = verdict("fitting: last-page fill", f"min {fill[1]}%", "≥ 80%", int(fill[1]) >= 80)
        lines.insert(-1, f"- last-page fill against its bound (≥ 80%): {mark}")
    return lines


def main() -> None:
    repeat, slow = repeats()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    emitted, out = work / "emitted", work / "out"
    sections: list[list[str]] = []
    try:
        def step(name: str, function, *args):
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            began = time.perf_counter()
            result = function(*args)
            print(f"bench: {name}: {time.perf_counter() - began:.0f} s", file=sys.stderr,
                  flush=True)
            return result

        lines, one, first = step("floor ratio", bench_floor, emitted, out, slow)
        sections.append(lines)
        lines, oneshot = step("one-shot ratio", bench_oneshot, emitted, repeat)
        sections.append(lines)
        sections.append(step("fitting", fitting_section))
        lines, two, peaks = step("parallel", bench_parallel, out, one, first, slow)
        sections.append(lines)
        sections.append(step("incremental", bench_incremental, out, two, repeat, slow))
        sections.append(step("light commands", bench_light, repeat))
        sections.append(step("scale", bench_scale, slow))
        sections.append(step("peer (pandoc)", bench_peer, slow, oneshot))
        sections.append(step("memory", bench_memory, _largest(emitted), peaks))
        sections.append(step("CJK", bench_cjk, repeat, slow))
        sections.append(step("tagging", bench_tagging, emitted, repeat))
        sections.append(step("parsers", bench_parsers))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    intro = (f"Made by `make bench` (bench/run.py) in {minutes:.1f} minutes; medians (min–max) of "
             f"{repeat} runs ({slow} for builds, scale checks and pandoc, as noted), ratios "
             "against "
             "baselines measured in the same run. Targets are from issue 7; ✓ met, ✗ missed.")
    lines = ["# Benchmark results", "", intro, ""] + machine() + summary()
    for section in sections:
        lines += section
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))


def _largest(emitted: Path) -> tuple[str, str, str, int]:
    """Return the full-length output with the most pages (the largest brief)."""
    import json

    records = json.loads((emitted / "manifest.json").read_text("utf-8"))["outputs"]
    full = [r for r in records if r["length"] == "full"]
    record = max(full, key=lambda r: (r["pages"], r["words"]))
    return record["brief"], record["audience"], record["length"], record["pages"]


if __name__ == "__main__":
    main()
