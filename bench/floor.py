"""Floor ratio: brief's PDF build against WeasyPrint alone on the very HTML brief hands it.

The floor is one warm process (WeasyPrint imported, one untimed render first) calling
``weasyprint.HTML(string=..., base_url=...).write_pdf(pdf_variant="pdf/ua-1")`` (tagged, as
brief writes) once per output, on the print HTML that ``brief build --emit-print-html``
saved. A pack's print HTML is not emitted (packs are assembled in generator/packs.py), so it
is rebuilt here the way the pack build makes it, and checked: laid out by brief's own
typesetter it must give the pack PDF's exact bytes.

Fitting lays a budgeted output out more than once; `--emit-print-html` also saves the HTML
of each of those other layouts (the measuring document first, `.pass-N.print.html`), and the
floor process lays each of them out too (layout only: brief writes no PDF from them). A pack
fits each of its parts again, so its extra layouts are those of its parts: each part's
other layouts and its final one.

    python bench/floor.py render EMIT_DIR REPEAT REPORT.json   (the floor process)
    python bench/floor.py pack EMIT_DIR                        (rebuild and check pack HTML)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from breakdown import measured, table
from common import BRIEF, CONTENT, ROOT, TEMPLATES, median, spread, timed, timed_rss, verdict

SUFFIX = ".print.html"
PASS = ".pass-"  # <audience>-<length>.pass-N.print.html: fitting's other layouts


def emit(folder: Path) -> tuple[list[dict], float, dict]:
    """Build every PDF once with `-j 2`, saving each output's print HTML; return the
    manifest records, and the build's time and peak memory (a sample of the parallel figure:
    saving the HTML adds a few milliseconds of writes)."""
    times, peaks = timed_rss(["build", "--force", "-f", "pdf", "-j", "2", "--emit-print-html",
                              "-o", str(folder)], 1)
    subprocess.run([sys.executable, __file__, "pack", str(folder)], cwd=ROOT, check=True)
    records = json.loads((folder / "manifest.json").read_text("utf-8"))["outputs"]
    return records, times[0], peaks[0]


def floor_times(folder: Path, repeat: int) -> tuple[dict[str, float], dict[str, float],
                                                    dict[str, float]]:
    """Return, measured in a fresh process of its own, the floor time of every emitted
    output (pdf path -> median seconds of layout and write_pdf), the same with one font
    configuration shared by every document, and the layout time of every layout fitting
    made for it (pdf path -> sum of medians of its other layouts; for each final print
    HTML too, under "final:" + pdf path)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        subprocess.run([sys.executable, __file__, "render", str(folder), str(repeat),
                        report.name], cwd=ROOT, check=True)
        times = json.loads(Path(report.name).read_text())
    layouts: dict[str, float] = {}
    for name, samples in times["layouts"].items():
        layouts[name] = layouts.get(name, 0.0) + median(samples)
    return ({path: median(samples) for path, samples in times["floor"].items()},
            {path: median(samples) for path, samples in times["shared"].items()}, layouts)


def bench_floor(folder: Path, out: Path, slow: int) -> tuple[list[str], list[float], tuple]:
    """Return the section's lines, the `-j 1` build times and the emitting `-j 2` build's
    (time, peak memory) (the parallel figure reuses both).

    ``folder`` receives the emitted print HTML (the one-shot figure reads it too)."""
    emitted, emit_time, emit_peak = emit(folder)
    records = {r["path"]: r for r in emitted}
    floor, shared_floor, layouts = floor_times(folder, slow)
    # The whole build runs through bench/breakdown.py: the same command in-process, with
    # timers around the stages, to show where the time beyond the floor goes.
    whole, stages = measured(["build", "--force", "-f", "pdf", "-j", "1", "-o", str(out)], slow)
    full = timed([*BRIEF, "build", "--force", "-f", "pdf", "-l", "full", "-j", "1",
                  "-o", str(out)], slow)

    full_paths = [p for p, r in records.items() if r["length"] == "full"]
    full_floor = sum(floor[p] for p in full_paths)
    extra, passes = 0.0, 0
    for path, record in records.items():
        used = record["plan"].get("layout_passes", 0)
        if record.get("pack"):  # each part fitted again: all its layouts
            for part in record["plan"]["parts"]:
                extra += layouts.get(part, 0.0) + layouts[f"final:{part}"]
                passes += max(1, records[part]["plan"]["layout_passes"])
        elif used > 1:
            extra += layouts[path]
            passes += used - 1
    whole_floor = sum(floor.values())
    full_ratio = median(full) / full_floor
    whole_ratio = median(whole) / (whole_floor + extra)
    biggest = max(full_paths, key=lambda p: records[p]["pages"])
    weasyprint = median([r["stages"].get("WeasyPrint layout", 0.0)
                         + r["stages"].get("WeasyPrint write_pdf", 0.0) for r in stages])
    full_mark = verdict("floor ratio, full-length outputs", f"{full_ratio:.2f}", "≤ 1.10",
                        full_ratio <= 1.10)
    whole_mark = verdict("floor ratio, whole build (floor + extra passes)", f"{whole_ratio:.2f}",
                         "≤ 1.10", whole_ratio <= 1.10)
    pages = sum(r["pages"] for r in records.values())
    lines = [
        "## 1. Floor ratio: `brief build` against WeasyPrint alone on the same HTML",
        "",
        ("The floor renders, in one warm process, the exact print HTML brief hands to WeasyPrint"
         " (saved by `brief build --emit-print-html`; the pack's rebuilt and checked to give the"
         " pack PDF's exact bytes), with `weasyprint.HTML(string=..., base_url=...)"
         ".write_pdf(pdf_variant=\"pdf/ua-1\")` (tagged, as brief writes)"
         " once per output. brief runs as a fresh process with `-j 1`, so both sides use one"
         " CPU; brief's time includes Python start-up, importing WeasyPrint, loading and"
         " checking the content, formatting citations and publishing. Its `--force` builds"
         " find the cache an earlier build left (formatted citations, checks"
         " that passed, chart drawings), as an analyst's rebuilds do; the"
         " one-shot figure also measures a build with nothing remembered."),
        "",
        (f"- full-length outputs ({len(full_paths)} PDFs, no fitting; "
         f"`brief build --force -f pdf -l full -j 1`): {spread(full)} against a floor of "
         f"{full_floor:.2f} s — **{full_ratio:.2f}×** (target ≤ 1.10) {full_mark}"),
        (f"- whole default build ({len(records)} PDFs, {pages} pages, the pack included; "
         f"`brief build --force -f pdf -j 1`, run through bench/breakdown.py): {spread(whole)} "
         "against a floor of "
         f"{whole_floor:.2f} s plus {extra:.2f} s for the {passes} extra layout passes that "
         f"fitting reports in the manifest (`plan.layout_passes`; each the layout, in the floor "
         f"process, of the HTML brief saved for it) = {whole_floor + extra:.2f} s — "
         f"**{whole_ratio:.2f}×** (target ≤ 1.10) {whole_mark}"),
        (f"- time brief spends beyond the floor: {median(full) - full_floor:.2f} s on the "
         f"full-length build, {median(whole) - whole_floor - extra:.2f} s on the whole build"),
        "- where the whole build's time goes (median of its runs; stage timers, nested stages"
        " subtracted; the floor's work is the WeasyPrint layout and write_pdf lines):",
        *table(whole, stages, top=9),
        (f"- WeasyPrint inside the whole build (layout and write_pdf above): {weasyprint:.2f} s "
         f"against {whole_floor + extra:.2f} s for floor + extra passes: "
         f"{weasyprint / (whole_floor + extra):.2f}× (the same work, in a process with less "
         "else in memory)"),
        (f"- a floor that shares one font configuration across documents, as brief does"
         " (`write_pdf(font_config=...)`, WeasyPrint's own option: each font file read and"
         " registered once, Pango's caches kept warm): full-length "
         f"{sum(shared_floor[p] for p in full_paths):.2f} s, brief "
         f"{median(full) / sum(shared_floor[p] for p in full_paths):.2f}× of it; whole build "
         f"{sum(shared_floor.values()):.2f} s + the extra passes, brief "
         f"{median(whole) / (sum(shared_floor.values()) + extra):.2f}× of it (for reference:"
         " the targets are against the plain floor the issue defines)"),
        (f"- floor per output: largest `{biggest}` ({records[biggest]['pages']} pages) "
         f"{floor[biggest]:.2f} s; one-page outputs "
         f"{_mean([floor[p] for p, r in records.items() if r['length'] == 'one-page']):.2f} s"
         " on average"),
        "",
    ]
    return lines, whole, (emit_time, emit_peak)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _emitted(folder: Path) -> dict[str, Path]:
    """Return pdf path -> its print HTML file, for every final print HTML in the folder."""
    return {str(p.relative_to(folder))[:-len(SUFFIX)] + ".pdf": p
            for p in sorted(folder.rglob(f"*{SUFFIX}")) if PASS not in p.name}


def _trials(folder: Path) -> list[tuple[str, Path]]:
    """Return (pdf path, HTML file) for every other layout fitting made."""
    return [(str(p.relative_to(folder)).split(PASS)[0] + ".pdf", p)
            for p in sorted(folder.rglob(f"*{PASS}*{SUFFIX}"))]


VARIANT = "pdf/ua-1"  # brief's default PDF variant


def render_floor(folder: Path, repeat: int, report: Path) -> None:
    """The floor process: render every print HTML repeat times, after one warm-up render."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # as brief does
    documents = {path: html.read_text("utf-8") for path, html in _emitted(folder).items()}
    base_url = str(CONTENT)
    first = next(iter(documents.values()))
    # Tagged as brief writes it by default, so both sides do the same work (figure 10
    # measures what tagging costs).
    weasyprint.HTML(string=first, base_url=base_url).write_pdf(pdf_variant=VARIANT)  # warm
    # As brief's workers do (generator/workers.py): what is alive now is left out of the
    # garbage collector's passes, so the floor is WeasyPrint at its best.
    import gc

    gc.collect()
    gc.freeze()
    from weasyprint.text.fonts import FontConfiguration

    shared_fonts = FontConfiguration()
    layouts = [(f"final:{path}", html) for path, html in documents.items()]
    layouts += [(path, html.read_text("utf-8")) for path, html in _trials(folder)]
    times: dict[str, list[float]] = {path: [] for path in documents}
    shared: dict[str, list[float]] = {path: [] for path in documents}
    laid: dict[str, list[list[float]]] = {}
    for _ in range(repeat):
        for path, html in documents.items():
            started = time.perf_counter()
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant=VARIANT)
            times[path].append(time.perf_counter() - started)
        for path, html in documents.items():  # WeasyPrint's option that brief also uses
            started = time.perf_counter()
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(
                pdf_variant=VARIANT, font_config=shared_fonts)
            shared[path].append(time.perf_counter() - started)
        for index, (path, html) in enumerate(layouts):  # layout only, as fitting does
            started = time.perf_counter()
            weasyprint.HTML(string=html, base_url=base_url).render()
            laid.setdefault(f"{index}", [path, []])[1].append(time.perf_counter() - started)
    grouped: dict[str, list[float]] = {}
    for path, samples in laid.values():  # one name per output: its samples summed per run
        grouped.setdefault(path, [0.0] * len(samples))
        grouped[path] = [a + b for a, b in zip(grouped[path], samples)]
    report.write_text(json.dumps({"floor": times, "shared": shared, "layouts": grouped}))


def pack_html(folder: Path) -> None:
    """Check that emitted print HTML gives the built PDF's bytes through brief's own
    typesetter (for one full-length and one one-page output), then rebuild each pack's print
    HTML as generator/packs.py makes it, check it the same way and save it beside the pack."""
    import hashlib

    from generator import packs, pipeline, render, select, typeset
    from generator.fitting import fit

    project = pipeline.Project(CONTENT, TEMPLATES)
    content = pipeline.load_project(project)
    built = {r["path"]: r for r in json.loads((folder / "manifest.json").read_text())["outputs"]}

    def same_pdf(html: str, path: str) -> None:
        laid_out = typeset.layout(html, project.content, [project.content, project.templates])
        if hashlib.sha256(typeset.write_pdf(laid_out)).hexdigest() != built[path]["sha256"]:
            raise SystemExit(f"{path}: its print HTML does not give the built PDF")

    emitted = _emitted(folder)
    for length in ("full", "one-page"):  # the emitted HTML is exactly what was laid out
        path = next(p for p in emitted if built[p]["length"] == length)
        same_pdf(emitted[path].read_text("utf-8"), path)
    for pack in content.packs.values():
        plans = []
        for brief, audience, length in packs.part_targets(pack):
            plan = select.select(content, content.briefs[brief], content.audiences[audience],
                                 content.lengths[length])
            plans.append(fit(project, content, plan)[0])
        marking = pack.marking or select.roll_up(
            [render.document_marking(p, content) for p in plans], content.settings.markings)
        html = packs._pack_html(project, content, pack, plans, marking, "pdf").html
        same_pdf(html, packs.pack_path(pack.id, "pdf"))
        (folder / packs.pack_path(pack.id, "print.html")).write_text(html, "utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1] == "render":
        render_floor(Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    elif sys.argv[1] == "pack":
        pack_html(Path(sys.argv[2]))
