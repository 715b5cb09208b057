"""Peer: the same brief from the same Markdown through pandoc with WeasyPrint as its PDF
engine, side by side with brief.

The pandoc input is made from the plan brief builds (the same topics, in the same order, at
full detail): the brief's bottom line, each section's intro and topics' Markdown bodies, the
recommendations; citations keep their Pandoc syntax and are formatted by pandoc's citeproc with
the same CSL style and the same sources (as CSL-JSON, from generator.cite.to_csl); a fact
becomes its printed value with a citation of its source.

    python bench/peer.py warm REPORT.json REPEAT   (brief, warm: one process, repeated builds)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BIN, BRIEF, CONTENT, ROOT, TEMPLATES, median, spread, timed

TARGET = ("trilateral-alliance", "us-congress", "full")
FACT = re.compile(r"\{fact:([\w.-]+)\}")
HEADING = re.compile(r"^(#+) ", re.MULTILINE)


def pandoc_input(folder: Path) -> tuple[Path, Path, str]:
    """Write the brief's Markdown and bibliography for pandoc; return their paths and title."""
    from generator import cite, pipeline
    from generator.facts import format_value

    content = pipeline.load_project(pipeline.Project(CONTENT, TEMPLATES))
    plan = pipeline.plan_for(content, pipeline.Target(*TARGET, "pdf"))
    brief = plan.brief

    def prose(text: str, depth: int = 0) -> str:
        def fact(match):
            found = content.facts[match[1]]
            locator = f", {found.locator}" if found.locator else ""
            value = format_value(found.value, found.unit, content.settings.language)
            return f"{value} [@{found.source}{locator}]"

        text = FACT.sub(fact, text)
        return HEADING.sub(lambda m: "#" * (len(m[1]) + depth) + " ", text) if depth else text

    parts = [f"---\ntitle: {json.dumps(brief.title)}\n"
             f"author: {json.dumps(brief.authors[0].name)}\ndate: {brief.date}\n---\n"]
    if brief.bottom_line:
        parts.append(f"**Bottom line.** {prose(brief.bottom_line.text)}")
    for section in plan.sections:
        depth = 0
        if section.title:
            parts.append(f"# {section.title}")
            if section.intro:
                parts.append(prose(section.intro.text))
            depth = 1
        for planned in section.topics:
            parts.append(f"{'#' * (depth + 1)} {planned.topic.title}")
            parts.append(prose(planned.topic.body.text, depth))
    if plan.recommendations:
        parts.append("# Recommendations")
        for planned in plan.recommendations:
            recommendation = planned.recommendation
            parts.append(f"## {recommendation.title}")
            if recommendation.body:
                parts.append(prose(recommendation.body.text))
    parts.append("# Bibliography\n\n::: {#refs}\n:::")
    markdown = folder / "brief.md"
    markdown.write_text("\n\n".join(parts) + "\n", "utf-8")
    bibliography = folder / "sources.json"
    bibliography.write_text(json.dumps([cite.to_csl(s) for s in content.sources.values()]))
    return markdown, bibliography, brief.title


def bench_peer(repeat: int, oneshot: list[float] | None = None) -> list[str]:
    """``oneshot``: brief's fresh-process times of the same output, if already measured."""
    head = ["## 8. Peer: pandoc with WeasyPrint as its PDF engine", ""]
    pandoc = shutil.which("pandoc")
    if not pandoc:
        return head + ["pandoc could not be installed on this machine (`make bench` tries "
                       "`apt-get install pandoc`), so there is no comparison.", ""]
    version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout
    brief_id, audience, length = TARGET
    with tempfile.TemporaryDirectory(prefix="brief-peer-") as tmp:
        folder = Path(tmp)
        markdown, bibliography, _ = pandoc_input(folder)
        common = [pandoc, str(markdown), "--citeproc", "--bibliography", str(bibliography),
                  "--csl", str(TEMPLATES / "csl" / "chicago-note-bibliography.csl")]
        to_pdf = [*common, f"--pdf-engine={BIN / 'weasyprint'}", "-o", str(folder / "pandoc.pdf")]
        theirs = timed(to_pdf, repeat, cwd=folder, quiet=True)
        html = timed([*common, "-s", "-t", "html5", "-o", str(folder / "pandoc.html")], repeat,
                     cwd=folder, quiet=True)
        ours = oneshot or timed([*BRIEF, "build", brief_id, "-a", audience, "-l", length,
                                 "-f", "pdf", "--force", "-o", str(folder / "brief")], repeat)
        with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
            subprocess.run([sys.executable, __file__, "warm", report.name, str(repeat)],
                           cwd=ROOT, check=True)
            warm = json.loads(Path(report.name).read_text())
        pages = _pages(folder / "pandoc.pdf")
        words = len(markdown.read_text("utf-8").split())
    return head + [
        (f"{version.splitlines()[0]}; the input: `{brief_id}` for `{audience}`, {length} "
         f"({words:,} words of Markdown from the topics brief includes, in its order), "
         "citations by pandoc's citeproc with the same CSL style and sources, PDF by the same "
         "WeasyPrint (`--pdf-engine=weasyprint`)."),
        "",
        "| | cold (fresh process) | warm (one process, repeated) |",
        "|---|---|---|",
        (f"| brief (`brief build {brief_id} -a {audience} -l {length} -f pdf`) | {spread(ours)} "
         f"| {spread(warm['times'])} |"),
        (f"| pandoc (`pandoc brief.md --citeproc ... --pdf-engine=weasyprint`) | "
         f"{spread(theirs)} | — (each run is a pandoc process that starts WeasyPrint as another)"
         " |"),
        f"| pandoc, Markdown to HTML only | {spread(html)} | — |",
        "",
        (f"- brief/pandoc, cold: **{median(ours) / median(theirs):.2f}×**; brief warm against "
         f"pandoc cold: {median(warm['times']) / median(theirs):.2f}×"),
        (f"- pages: brief {warm['pages']}, pandoc {pages if pages else 'not counted (no pypdf)'}"
         " (pandoc's default HTML style: endnotes instead of footnotes, no masthead or marking,"
         " larger type)"),
        "",
    ]


def _pages(pdf: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(pdf)).pages)


def warm_builds(report: Path, repeat: int) -> None:
    """brief in a warm process: build the target once (untimed), then repeat times."""
    from generator import pipeline

    project = pipeline.Project(CONTENT, TEMPLATES)
    with tempfile.TemporaryDirectory(prefix="brief-warm-") as out:
        def build():
            return pipeline.build(project, Path(out), [TARGET[0]], [TARGET[1]], [TARGET[2]],
                                  ["pdf"], force=True, jobs=1)

        built = build()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            build()
            times.append(time.perf_counter() - started)
    report.write_text(json.dumps({"times": times, "pages": built.records[0].pages}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1] == "warm":
        warm_builds(Path(sys.argv[2]), int(sys.argv[3]))
