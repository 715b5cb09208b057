"""11. tagging: what accessible PDF costs. The same print HTML is laid out and written
untagged (WeasyPrint's default), as brief writes it by default (PDF/UA-1: tagged, page
furniture re-marked as artifacts) and as PDF/A-2a, in one warm process, alternating so
that machine noise falls on all three alike. Each write gets a fresh layout: a written
document is never written again."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CONTENT, ROOT, median, verdict

SUFFIX = ".print.html"
TARGET = 1.25  # tagged against untagged, layout and write together


def bench_tagging(emitted: Path, repeat: int) -> list[str]:
    """Return the tagging section, timed on the largest full-length output and a one-page."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        subprocess.run([sys.executable, __file__, str(emitted), str(repeat), report.name],
                       check=True)
        times = json.loads(Path(report.name).read_text())
    lines = ["## 11. Tagging (accessible PDF)", "",
             "One warm process lays out and writes the same print HTML untagged, as PDF/UA-1 "
             "(brief's default) and as PDF/A-2a (`--pdf-variant a`); median of "
             f"{repeat} runs each. Layout is the same for all three; the difference is in "
             "`write_pdf` (the structure tree, marked content and, for PDF/A, the colour "
             "profile).", "",
             "| output | layout | write untagged | write PDF/UA-1 | write PDF/A-2a | "
             "UA/untagged (write) | UA/untagged (layout + write) |",
             "|---|---|---|---|---|---|---|"]
    whole = []
    for name, runs in times.items():
        layout, plain, ua, pdfa = (median(runs[k]) for k in ("layout", "plain", "ua", "a"))
        whole.append((layout + ua) / (layout + plain))
        lines.append(f"| {name} | {layout:.2f} s | {plain:.2f} s | {ua:.2f} s | {pdfa:.2f} s | "
                     f"{ua / plain:.2f} | {whole[-1]:.2f} |")
    worst = max(whole)
    mark = verdict("11. tagging cost (layout + write)", f"{worst:.2f}×", f"≤ {TARGET}",
                   worst <= TARGET)
    return lines + ["", f"Largest cost of tagging, layout and write together: {worst:.2f}× "
                    f"{mark} (target ≤ {TARGET}).", ""]


def measure(folder: Path, repeat: int, report: Path) -> None:
    """The measuring process: time layout and each kind of write per chosen output."""
    import logging

    import weasyprint

    from generator.furniture import mark_furniture

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # as brief does
    chosen = _chosen(folder)
    writes = {"plain": {}, "ua": {"pdf_variant": "pdf/ua-1", "finisher": mark_furniture},
              "a": {"pdf_variant": "pdf/a-2a", "finisher": mark_furniture}}
    times = {name: {"layout": [], **{kind: [] for kind in writes}} for name in chosen}
    for name, html in chosen.items():  # warm: fonts, caches
        weasyprint.HTML(string=html, base_url=str(CONTENT)).render().write_pdf()
    for _ in range(repeat):
        for name, html in chosen.items():
            for kind, options in writes.items():
                started = time.perf_counter()
                document = weasyprint.HTML(string=html, base_url=str(CONTENT)).render()
                laid_out = time.perf_counter()
                document.write_pdf(custom_metadata=True, **options)
                times[name]["layout"].append(laid_out - started)
                times[name][kind].append(time.perf_counter() - laid_out)
    report.write_text(json.dumps(times))


def _chosen(folder: Path) -> dict[str, str]:
    """Return {name: print HTML} of the largest full-length output and the first one-page."""
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))["outputs"]
    pdfs = [r for r in manifest if r["format"] == "pdf" and not r.get("pack")]
    full = max((r for r in pdfs if r["length"] == "full"), key=lambda r: r["pages"])
    one = next(r for r in pdfs if r["length"] == "one-page")
    return {r["path"]: (folder / r["path"].replace(".pdf", SUFFIX)).read_text("utf-8")
            for r in (full, one)}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    measure(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
