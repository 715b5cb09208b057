"""The command line: options in, library calls, errors out as messages and exit codes.

Exit codes: 0 success; 1 a content, template or build error (before anything was built, or
some outputs failed and the others were written); 2 a usage error (nothing was built).
Heavy modules are imported inside the commands so that ``brief --help`` stays instant.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from generator import __version__, variants

# Every PDF is tagged; the variant decides which standard it declares (see variants.py).
pdf_variant_option = click.option(
    "--pdf-variant", type=click.Choice(list(variants.VARIANTS)), default=variants.DEFAULT,
    show_default=True,
    help=f"Standard every PDF declares (all are tagged): {variants.help_text()}.")


def output_options(command):
    """Add -q and -v: how much a building command says on stdout."""
    command = click.option("-v", "--verbose", is_flag=True,
                           help="Say what each output did, one line each (never a progress "
                                "bar), naming those skipped as up to date.")(command)
    return click.option("-q", "--quiet", is_flag=True,
                        help="Print nothing but warnings and problems (on stderr).")(command)


json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Print a JSON summary on stdout (what was built, skipped and failed, with paths and "
         "reasons); everything else goes to stderr.")


class ProblemsReported(click.ClickException):
    """Problems were already printed one per line; exit 1 with a summary."""

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


def _project(ctx: click.Context):
    from generator.pipeline import Project

    return Project(_content_folder(ctx), Path(ctx.obj["templates"]))


def _content_folder(ctx: click.Context) -> Path:
    """Return the content folder, refusing a name that is no folder as a usage error."""
    folder = Path(ctx.obj["content"])
    if not folder.is_dir():
        raise click.BadParameter(f"no such folder: {folder}", param_hint="--content")
    return folder


def _check_version(ctx, param, value: str) -> str:
    """Refuse a release name that cannot be a folder's, before anything is built."""
    from generator.release import VERSION

    if not VERSION.match(value):
        raise click.BadParameter(f"{value!r} is not a usable version (letters, digits, . _ + -,"
                                 " starting with a letter or digit)")
    return value


def _fail_with(problems, summary: str) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    raise ProblemsReported(summary)


def _call(function, *args, consequence: str = "nothing was built", on_problems=None, **kwargs):
    """Run a library call, turning its errors into CLI errors (after on_problems(problems))."""
    from generator.errors import BriefError, ChoiceError

    try:
        return function(*args, **kwargs)
    except ChoiceError as error:
        raise click.BadParameter(
            f"unknown {error.kind} {error.name!r}. Valid choices: {', '.join(error.choices)}",
            param_hint=_PARAM_HINTS.get(error.kind),
        ) from None
    except BriefError as error:
        count = len(error.problems)
        if on_problems:
            on_problems(error.problems)
        _fail_with(error.problems, f"{count} problem{'s' if count > 1 else ''} found; "
                   f"{consequence}")


_PARAM_HINTS = {"pack": "PACK_ID", "brief": "BRIEF_ID", "audience": "--audience", "length": "--length",
                "format": "--format"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--content", default="content", envvar="BRIEF_CONTENT", show_default=True,
              type=click.Path(file_okay=False), help="Content folder (or set BRIEF_CONTENT).")
@click.option("--templates", default="templates", envvar="BRIEF_TEMPLATES", show_default=True,
              type=click.Path(file_okay=False), help="Templates folder (or set BRIEF_TEMPLATES).")
@click.version_option(__version__, prog_name="brief")
@click.pass_context
def main(ctx: click.Context, content: str, templates: str) -> None:
    """Build tailored PDF, HTML and Word briefs from one body of knowledge.

    \b
    Example:
      brief check
      brief build trilateral-alliance --audience us-congress --length one-page
    """
    ctx.obj = {"content": content, "templates": templates}


@main.command()
@click.argument("brief_ids", metavar="[BRIEF_ID]...", nargs=-1)
@click.option("-a", "--audience", "audiences", multiple=True, help="Only this audience (repeatable).")
@click.option("-l", "--length", "lengths", multiple=True, help="Only this length (repeatable).")
@click.option("-f", "--format", "formats", multiple=True,
              type=click.Choice(["pdf", "html", "docx"]),
              help="Only this format (repeatable; default pdf and html). docx: a Word file with "
                   "the PDF's selection.")
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(), help="Folder to write into.")
@click.option("--force", is_flag=True, help="Rebuild outputs whose inputs have not changed.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per CPU).")
@click.option("--shard", callback=lambda ctx, param, value: _parse_shard(value), default="1/1",
              metavar="K/N", help="Build only the K-th of N slices of the matrix (for CI).")
@click.option("--fail-fast", is_flag=True, help="Stop at the first output that fails.")
@click.option("--explain", is_flag=True,
              help="Say, per output, what was included at which level and what was cut, why.")
@output_options
@json_option
@click.option("--emit-print-html", is_flag=True,
              help="Also save the HTML handed to WeasyPrint beside each brief PDF built, as "
                   "<audience>-<length>.print.html, and the HTML of fitting's other layouts as "
                   "<audience>-<length>.pass-N.print.html (not in the manifest; for "
                   "benchmarks).")
@pdf_variant_option
@click.pass_context
def build(ctx, brief_ids, audiences, lengths, formats, out_dir, force, jobs, shard,
          fail_fast, explain, quiet, verbose, as_json, emit_print_html, pdf_variant) -> None:
    """Build briefs as PDF and HTML (and Word, with -f docx).

    With no arguments, builds every brief for each audience and length it declares, as PDF
    and HTML, and every briefing pack. Each output goes to
    OUTPUT/<brief>/<audience>-<length>.<pdf|html|docx> (packs to
    OUTPUT/packs/<id>.<pdf|html|docx>), and OUTPUT/manifest.json gets one record per output.
    A .docx carries the selection, notes and marking of the PDF of that audience and length;
    Word lays it out itself, so its page count is not promised. Outputs whose inputs (the
    content and templates they use, the font files, the generator's code, the tools'
    versions) are unchanged since the last build are skipped; outputs the content no longer
    declares are deleted. An output that fails does not stop the others; the command then
    exits 1.

    On a terminal a progress bar is drawn (not when CI is set: then, and with -v, one line
    per output); --json prints a summary for machines on stdout.

    \b
    Example:
      brief build
      brief build trilateral-alliance -a us-congress -l one-page -f pdf -o out
      brief build -f docx
      brief build --pdf-variant a
    """
    console = _Console.for_options(quiet, verbose, as_json)
    project = _project(ctx)
    from generator.pipeline import build as run_build

    _stop_cleanly_on_terminate()
    report = _call(run_build, project, Path(out_dir), brief_ids, audiences, lengths,
                   formats, force=force, jobs=jobs, shard=shard, fail_fast=fail_fast,
                   progress=console.progress, emit_print_html=emit_print_html,
                   pdf_variant=pdf_variant, on_problems=console.problems_json)
    console.finish(report, out_dir)
    if explain:
        _explain(report, console)
    _fail_on_failures(report)


def _parse_age(ctx, param, value):
    if value is None:
        return None
    from generator.facts import parse_duration

    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _parse_shard(value: str) -> tuple[int, int]:
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise click.BadParameter(f"{value!r} is not K/N with 1 <= K <= N, e.g. 2/4",
                                 param_hint="--shard")
    return int(index), int(count)


@main.command()
@click.argument("pack_ids", metavar="PACK_ID...", nargs=-1, required=True)
@click.option("-f", "--format", "formats", multiple=True,
              type=click.Choice(["pdf", "html", "docx"]),
              help="Only this format (repeatable; default pdf and html). docx: a Word file with "
                   "the PDF's selection.")
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(), help="Folder to write into.")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@output_options
@json_option
@pdf_variant_option
@click.pass_context
def pack(ctx, pack_ids, formats, out_dir, force, quiet, verbose, as_json, pdf_variant) -> None:
    """Build briefing packs: several briefs bound into one document.

    The PDF (OUTPUT/packs/<id>.pdf) has a cover, a table of contents with page numbers,
    each brief from a new page, and page numbers running through the pack. The HTML
    (OUTPUT/packs/<id>.html) is an index linking every brief's own page. The Word file
    (OUTPUT/packs/<id>.docx, with -f docx) has the cover, a contents field and each brief in
    a section of its own.

    \b
    Example:
      brief pack delegation-seoul-tokyo -f pdf
      brief pack delegation-seoul-tokyo -f docx
    """
    console = _Console.for_options(quiet, verbose, as_json)
    project = _project(ctx)
    from generator.pipeline import build as run_build

    _stop_cleanly_on_terminate()
    report = _call(run_build, project, Path(out_dir), formats=formats, force=force,
                   pack_ids=pack_ids, pdf_variant=pdf_variant, progress=console.progress,
                   on_problems=console.problems_json)
    console.finish(report, out_dir)
    _fail_on_failures(report)


@main.command()
@click.option("--version", "version", required=True, callback=_check_version,
              help="Release name, e.g. 2026.11 or v1.2.")
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(), help="Output folder; the release goes to OUTPUT/release/VERSION.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per CPU).")
@output_options
@pdf_variant_option
@click.pass_context
def release(ctx, version, out_dir, jobs, quiet, verbose, pdf_variant) -> None:
    """Build every brief and package a release.

    Writes OUTPUT/release/VERSION/ with every output in every format (PDF, HTML and Word),
    the manifest, SHA256SUMS and brief-VERSION.zip. The same inputs give the same bytes (zip
    times come from SOURCE_DATE_EPOCH, or 1980-01-01).

    \b
    Example:
      brief release --version 2026.11
      brief release --version 2026.11 --pdf-variant a
    """
    from generator.built import BuiltOutputs
    from generator.pipeline import FORMATS, build as run_build
    from generator.release import check_release, make_release

    _call(check_release, Path(out_dir), version, consequence="nothing was built")
    console = _Console.for_options(quiet, verbose, False)
    project = _project(ctx)
    _stop_cleanly_on_terminate()
    report = _call(run_build, project, Path(out_dir), formats=FORMATS, jobs=jobs,
                   pdf_variant=pdf_variant, progress=console.progress, for_release=True)
    console.finish(report, out_dir)
    _fail_on_failures(report, "; no release was made")
    paths = {r.path for r in report.records} | {t.path for t in report.skipped}
    folder = _call(make_release, Path(out_dir), version, paths,
                   BuiltOutputs.open(),
                   consequence="no release was made")
    console.say(f"release {version}: {len(paths)} outputs in {folder}/")


@main.command(name="merge-manifests")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(file_okay=False), help="Folder whose manifest.json is written.")
def merge_manifests(manifests, out_dir) -> None:
    """Join the manifests of sharded builds into one.

    \b
    Example:
      brief merge-manifests shard-1/manifest.json shard-2/manifest.json -o output
    """
    from generator.publish import merge_manifests as merge

    path = _call(merge, [Path(m) for m in manifests], Path(out_dir),
                 consequence="nothing was merged")
    click.echo(f"merged {len(manifests)} manifest(s) into {path}")


def _explain(report, console: _Console) -> None:
    """Print what each output built in this run contains, and what was cut and why (asked
    for, so even with -q; on stderr with --json)."""
    echo = console.echo
    seen = set()
    for record in sorted(report.records, key=lambda r: (r.path.rsplit(".", 1)[0], r.format != "pdf")):
        name = record.path.rsplit(".", 1)[0]
        if name in seen or not record.plan.get("included") and not record.pack:
            continue
        seen.add(name)
        plan = record.plan
        facts = [f"{record.pages} page(s)" if record.pages else record.format]
        if "last_page_fill" in plan:
            facts.append(f"last page {plan['last_page_fill']:.0%} full")
        if plan.get("complete"):
            facts.append("all relevant content included")
        facts.append(f"{plan.get('layout_passes', 0)} layout pass(es)")
        echo(f"{name}: {', '.join(facts)}")
        if record.pack:
            echo(f"  parts: {', '.join(plan['parts'])}; marking: {plan['marking']}")
            continue
        points = plan.get("key_points", {})
        echo("  included: " + ", ".join(
            f"{t} ({d}{f', {points[t]} key points' if t in points else ''})"
            for t, d in plan["included"].items()))
        if plan["recommendations"]:
            echo("  recommendations: " + "; ".join(
                f"{title} ({'title only' if d == 'headline' else 'with text'})"
                for title, d in plan["recommendations"].items()))
        for cut in plan["cut"]:
            echo(f"  cut: {cut['what']} ({cut['reason']})")
    if report.skipped:
        echo(f"({len(report.skipped)} up-to-date output(s) not rebuilt; --force to explain "
             "them too)")


def _fail_on_failures(report, consequence: str = "") -> None:
    """Print the problems of every output that failed, then exit 1 naming how many."""
    if report.failures:
        problems = [p for _, error in report.failures for p in error.problems]
        _fail_with(problems, f"{len(report.failures)} output(s) failed{consequence}")


def _is_terminal(stream) -> bool:
    """Return whether a person watches the stream: a terminal, and not a CI job's log."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return stream.isatty() and not in_ci


@dataclass
class _Console:
    """What a building command prints, and where: the choice of -q, -v and --json."""

    quiet: bool = False
    verbose: bool = False
    as_json: bool = False

    @classmethod
    def for_options(cls, quiet: bool, verbose: bool, as_json: bool) -> _Console:
        if quiet and verbose:
            raise click.UsageError("-q/--quiet and -v/--verbose cannot be used together")
        return cls(quiet, verbose, as_json)

    @property
    def bar(self) -> bool:
        """Whether progress is one line redrawn (a terminal) rather than a line per output."""
        stream = sys.stderr if self.as_json else sys.stdout
        return not self.quiet and not self.verbose and _is_terminal(stream)

    def echo(self, text: str = "", nl: bool = True) -> None:
        """Print for people: on stdout, or on stderr when stdout is the JSON summary's."""
        click.echo(text, nl=nl, err=self.as_json)

    def say(self, text: str = "", nl: bool = True) -> None:
        if not self.quiet:
            self.echo(text, nl)

    def progress(self, key, report) -> None:
        """Draw the progress bar, or print what the output just built did."""
        from generator.pipeline import work_name

        name = "" if key is None else work_name(key)
        if self.bar:
            if not report.planned:  # nothing to build: no bar, and the table starts the line
                return
            width = 30
            filled = width * report.done // max(report.planned, 1)
            bar = "#" * filled + "-" * (width - filled)
            self.echo(f"\r\033[K[{bar}] {report.done}/{report.planned} {name}".rstrip(),
                      nl=False)
            return
        if key is None:
            return
        built = [r for r in report.records if r.path.startswith(f"{name}.")]
        status = ", ".join(f"{r.format}" + (f" {r.pages}p" if r.pages else "") for r in built)
        self.say(f"{'built' if built else 'FAILED'}  {name}  {status}".rstrip())

    def finish(self, report, out_dir: str) -> None:
        """End the progress, name what was skipped (-v), print the table, then the JSON."""
        if self.bar and report.planned:
            self.echo()
        if self.verbose:
            for path in sorted(t.path for t in report.skipped):
                self.say(f"up to date  {path}")
        for path in report.removed:  # always said: files deleted are no detail
            self.say(f"removed  {path}  (no longer declared by the content)")
        _summary(report, out_dir, self)
        if self.as_json:
            click.echo(json.dumps(_build_summary(report, out_dir), indent=2, ensure_ascii=False))

    def problems_json(self, problems) -> None:
        """With --json, print the summary of a build that stopped before building anything."""
        if self.as_json:
            summary = {**_build_summary(None, None), "problems": [str(p) for p in problems]}
            click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


SKIPPED = "up to date: its inputs are unchanged and the file is as recorded"


def _build_summary(report, out_dir: str | None) -> dict:
    """Return what a build did, for machines: every output built, skipped and failed."""
    if report is None:
        return {"built": [], "skipped": [], "failed": [], "removed": [], "warnings": [],
                "manifest": None, "counts": {"built": 0, "skipped": 0, "failed": 0,
                                             "removed": 0}}
    failed = [{"output": name, "paths": report.failed_paths.get(name, []),
               "problems": [str(p) for p in error.problems]} for name, error in report.failures]
    return {
        "built": [{"path": r.path, "format": r.format, "pages": r.pages, "words": r.words,
                   "sha256": r.sha256} for r in sorted(report.records, key=lambda r: r.path)],
        "skipped": [{"path": path, "reason": SKIPPED}
                    for path in sorted(t.path for t in report.skipped)],
        "failed": failed,
        "removed": list(report.removed),
        "warnings": list(report.warnings),
        "manifest": str(report.manifest) if report.manifest else None,
        # As the table counts them: files built and skipped, outputs (all formats) failed.
        "counts": {"built": len(report.records), "skipped": len(report.skipped),
                   "failed": len(failed), "removed": len(report.removed)},
        "output": out_dir,
        "seconds": round(report.seconds, 3),
    }


def _summary(report, out_dir: str, console: _Console) -> None:
    """Print what the build did as a small table (and any warning about the machine)."""
    for warning in report.warnings:
        click.echo(warning, err=True)
    pages = sum(r.pages or 0 for r in report.records)
    rows = [("built", len(report.records), f"{pages} PDF pages"),
            ("up to date", len(report.skipped), "skipped"),
            ("failed", len(report.failures), ", ".join(path for path, _ in report.failures))]
    for label, count, detail in rows:
        console.say(f"{label:<11}{count:>5}  {detail}".rstrip())
    console.say(f"{'time':<11}{report.seconds:>5.1f}s  output in {out_dir}/")


@main.command()
@click.option("--stale-after", "stale_after", metavar="AGE", callback=_parse_age,
              help="Also list facts older than AGE (e.g. 3y, 18m, 90d) and where they are used.")
@click.option("--strict", is_flag=True,
              help="Treat warnings (stale facts, uncited sources, unsourced figures) as errors.")
@click.pass_context
def check(ctx, stale_after, strict: bool) -> None:
    """Validate all content and templates without building.

    Every content file is checked (fields, references, citations, facts, prose, characters
    no installed font has), and the templates are rendered with real content once per
    document type, opening (lead) and medium; a build renders every document before it
    writes any. Prints every problem as
    path:line: message, and exits 1 if there is any error (with --strict, any warning too).

    \b
    Example:
      brief check
      brief check --stale-after 3y --strict
    """
    from generator.pipeline import check as run_check

    problems = _call(run_check, _project(ctx), stale_after)
    errors = [p for p in problems if strict or not getattr(p, "warning", False)]
    if errors:
        _fail_with(problems, f"{len(errors)} problem{'s' if len(errors) > 1 else ''} found")
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo("Content and templates are valid.")


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def list_(ctx, as_json: bool) -> None:
    """List briefs, packs, audiences, lengths, topics, charts and facts.

    \b
    Example:
      brief list --json
    """
    from generator.load import read_content  # not the pipeline: listing needs no templates

    content = _call(read_content, _content_folder(ctx), consequence="nothing was listed")
    listing = _listing(content)
    if as_json:
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    width = max((len(item_id) for items in listing.values() for item_id in items), default=0)
    for kind, items in listing.items():
        click.echo(f"{kind}:")
        for item_id, item in sorted(items.items()):
            click.echo(f"  {item_id:<{width}}  {_label(item)}".rstrip())


def _listing(content) -> dict[str, dict]:
    """Return every kind of item in the content, by id, with what a reader picks it by."""
    return {
        "briefs": {b.id: {"title": b.title, "type": b.type, "audiences": b.audiences,
                          "lengths": b.lengths} for b in content.briefs.values()},
        "packs": {p.id: {"title": p.title, "parts": [f"{part.brief}/{part.audience}-{part.length}"
                                                     for part in p.parts]}
                  for p in content.packs.values()},
        "audiences": {a.id: {"name": a.name} for a in content.audiences.values()},
        "lengths": {l.id: {"label": l.label, "pages": l.pages} for l in content.lengths.values()},
        "topics": {t.id: {"title": t.title, "priority": t.priority} for t in content.topics.values()},
        "charts": {c.id: {"title": c.title, "type": c.type} for c in content.charts.values()},
        "facts": {f.id: {"value": f.value, "unit": f.unit, "as_of": f.as_of}
                  for f in content.facts.values()},
    }


def _label(item: dict) -> str:
    if "value" in item:  # a fact
        as_of = f" (as of {item['as_of']})" if item["as_of"] else ""
        return f"{item['value']:g} {item['unit']}{as_of}"
    return item.get("title") or item.get("name") or item.get("label") or ""


SCHEMA_KINDS = ["settings", "lengths", "audience", "topic", "brief", "pack", "sources", "facts",
                "chart"]


@main.command()
@click.option("--kind", type=click.Choice(SCHEMA_KINDS),
              help="Print the schema of one file kind only.")
def schema(kind: str | None) -> None:
    """Print the JSON Schema of the content files, for editors.

    \b
    Example:
      brief schema --kind topic > .schemas/topic.json
    """
    from generator.schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2))




@main.command()
@click.argument("brief_ids", metavar="[BRIEF_ID]...", nargs=-1)
@click.option("-a", "--audience", "audiences", multiple=True, help="Only this audience (repeatable).")
@click.option("-l", "--length", "lengths", multiple=True, help="Only this length (repeatable).")
@click.option("-f", "--format", "formats", multiple=True, default=["html"], show_default=True,
              type=click.Choice(["pdf", "html"]), help="Formats to rebuild (repeatable).")
@click.option("-o", "--output", "out_dir", default="output", show_default=True,
              type=click.Path(), help="Folder to build into and serve.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on: a loopback address unless --allow-remote.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--allow-remote", is_flag=True,
              help="Allow a --host other machines can reach (the preview has no access control).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes per rebuild (one keeps the citation engine warm).")
@click.pass_context
def serve(ctx, brief_ids, audiences, lengths, formats, out_dir, host, port, allow_remote,
          jobs) -> None:
    """Preview the HTML pages, rebuilt and reloaded on every change.

    Builds, then serves OUTPUT at http://HOST:PORT/ and rebuilds whenever a file in the
    content or templates folder changes; pages open in a browser reload by themselves.
    Only the served copies carry the reload script, never the files written. A build error
    shows on the page and here, as path:line: message, until it is fixed. Ctrl-C stops.

    \b
    Example:
      brief serve
      brief serve trilateral-alliance -a us-congress --port 8001
    """
    from generator import serve as preview_server

    _require_loopback(host, allow_remote)
    project, out = _project(ctx), Path(out_dir)
    selection = {"briefs": brief_ids, "audiences": audiences, "lengths": lengths,
                 "formats": formats, "jobs": jobs}
    preview = preview_server.Preview()
    try:  # before building, so that a taken port is reported at once
        server = preview_server.open_server(out, preview, host, port)
    except OSError as error:
        raise click.BadParameter(f"cannot listen on {host}:{port} ({error.strerror}); choose "
                                 "another port, or 0 for any free one", param_hint="--port")
    outcome = _call(preview_server.build_once, project, out, selection)
    preview.publish(outcome)
    _report_build(outcome)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    _stop_on_terminate()  # before saying it serves: a supervisor may stop it at once
    try:
        click.echo(f"Serving {out_dir}/ at http://{_url_host(bound_host)}:{bound_port}/ "
                   "(Ctrl-C to stop)")
        preview_server.watch_and_rebuild(project, out, selection, preview, _report_build)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        preview.close()
        server.shutdown()
        server.server_close()


def _stop_cleanly_on_terminate() -> None:
    """On SIGTERM, end a build as an error would, exit 143 (128 + SIGTERM): the workers
    are stopped and the manifest lists what was published. Another SIGTERM meanwhile is
    ignored, so that this cleanup is not cut short."""
    import signal
    import threading

    def terminate(number, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(128 + number)

    if threading.current_thread() is threading.main_thread():  # where handlers run
        signal.signal(signal.SIGTERM, terminate)


def _stop_on_terminate() -> None:
    """Stop on SIGTERM (a service manager, a CI job, `kill`) as on Ctrl-C: cleanly, exit 0."""
    import signal

    def interrupt(_signal, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _require_loopback(host: str, allow_remote: bool) -> None:
    import ipaddress

    if allow_remote or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise click.BadParameter(
            f"{host!r} is not a loopback address. Valid choices: 127.0.0.1, ::1, localhost "
            "(or add --allow-remote to let other machines reach the preview)",
            param_hint="--host")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _report_build(outcome) -> None:
    """Print what a preview build did, or its problems (the pages show them too)."""
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(problem, err=True)
        click.echo(f"Build failed: {len(outcome.problems)} problem(s); the pages show them "
                   "until they are fixed.", err=True)
        return
    report = outcome.report
    click.echo(f"Built {len(report.records)} output(s), {len(report.skipped)} up to date, "
               f"in {report.seconds:.1f}s.")
