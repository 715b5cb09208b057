"""Where a command's time goes, for figures that miss their target: cProfile of one fresh
process, summarised as the project's heaviest functions (cumulative) and the heaviest
functions anywhere (own time). Profiling slows Python code down, so read shares, not seconds.
"""

from __future__ import annotations

import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT


def hotspots(args: list[str], count: int = 6, env: dict | None = None,
             setup=None) -> list[str]:
    """Return Markdown bullet lines naming where `brief ARGS` spends its time (``env``:
    variables to set for the run; ``setup``: called just before it)."""
    import os

    if setup:
        setup()
    with tempfile.NamedTemporaryFile(suffix=".prof") as profile:
        subprocess.run([sys.executable, "-m", "cProfile", "-o", profile.name, "-m", "generator",
                        *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        stats = pstats.Stats(profile.name).stats
    total = max(cumulative for _, _, _, cumulative, _ in stats.values())
    ours = sorted(((cumulative, _ours(path, name)) for (path, line, name),
                   (_, _, _, cumulative, _) in stats.items()
                   if "/generator/" in path and not path.endswith("__main__.py")
                   and not name.startswith("<listcomp") and not name.startswith("<lambda")
                   and (Path(path).stem, name) != ("cli", "_call")
                   and cumulative < 0.9 * total),
                  reverse=True)
    own = sorted(((tottime, _short(path, line, name)) for (path, line, name),
                  (_, _, tottime, _, _) in stats.items()), reverse=True)
    ours_lines = [f"`{name}` {cumulative / total:.0%}" for cumulative, name in
                  _distinct(ours)[:count]]
    own_lines = [f"`{name}` {tottime / total:.0%}" for tottime, name in own[:count]]
    return [
        f"  - heaviest functions of brief (cumulative share): {', '.join(ours_lines)}",
        f"  - heaviest functions anywhere (own time): {', '.join(own_lines)}",
    ]


def _ours(path: str, name: str) -> str:
    module = Path(path).stem
    return f"import generator.{module}" if name == "<module>" else f"{module}.{name}"


def _distinct(rows: list) -> list:
    """Keep the first (heaviest) row per function name."""
    seen, kept = set(), []
    for cumulative, name in rows:
        if name not in seen:
            seen.add(name)
            kept.append((cumulative, name))
    return kept


def _short(path: str, line: int, name: str) -> str:
    if path == "~":
        return name.strip("<>").replace("built-in method ", "").replace("method ", "")
    parts = Path(path).parts
    for anchor in ("site-packages", "generator"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + (anchor == "site-packages"):]
            break
    else:
        parts = parts[-1:]
    return f"{'/'.join(parts)}:{name}"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    print("\n".join(hotspots(sys.argv[1:])))
