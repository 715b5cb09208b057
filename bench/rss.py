"""Run one brief command in this process and write its peak memory as JSON.

    python bench/rss.py REPORT.json build trilateral-alliance -l full -f pdf -j 1 ...

REPORT gets {"self": MB, "children": MB, "exit": code}: "self" is the peak resident set of
this process (with -j 1 it is the one worker), "children" the largest of its reaped children
(with -j N the largest worker; with -j 1 the citation worker, node).
"""

from __future__ import annotations

import json
import resource
import sys


def main() -> None:
    report, args = sys.argv[1], sys.argv[2:]
    from generator.cli import main as brief

    try:
        brief.main(args=args, prog_name="brief")
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    from generator import cite

    cite.processor().close()  # reap the citation worker, so it counts among the children
    peaks = {who: resource.getrusage(kind).ru_maxrss / 1024  # KiB on Linux
             for who, kind in (("self", resource.RUSAGE_SELF),
                               ("children", resource.RUSAGE_CHILDREN))}
    with open(report, "w") as stream:
        json.dump({**peaks, "exit": code}, stream)
    sys.exit(code)


if __name__ == "__main__":
    main()
