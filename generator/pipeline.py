"""The orchestrator: load -> validate -> select -> render -> typeset -> publish.

Only this module knows the order of the stages. It never prints: callers get values and
exceptions, and the CLI decides what the user sees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from generator import (fontinputs, fonts, load, markdown, notes, outputnames, packs, publish,
                       render, select, variants, workers)
from generator.built import BuiltOutputs
from generator.cache import DiskCache, DiskTable
from generator.errors import BriefError, BuildError, ChoiceError, ContentError, Problem
from generator.inputs import InputHasher, input_hash
from generator.load import load_content
from generator.models import Content, Settings
from generator.preflight import preflight
from generator.validate import check_templates, validate

FORMATS = ("pdf", "html", "docx")
# What a build makes when no format is named: Word files are made on request (-f docx)
# and by releases, which carry every format.
DEFAULT_FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Project:
    """Where a project's content and templates live."""

    content: Path
    templates: Path


@dataclass(frozen=True)
class Target:
    """One output to build: a brief for an audience at a length, in a format."""

    brief: str
    audience: str
    length: str
    format: str

    @property
    def path(self) -> str:
        return publish.output_path(self.brief, self.audience, self.length, self.format)

    @property
    def key(self) -> tuple[str, str, str]:
        """The variant: formats of one key share a plan and are built together."""
        return (self.brief, self.audience, self.length)


@dataclass(frozen=True)
class PackTarget:
    """One pack to build, in a format."""

    pack: str
    format: str

    @property
    def path(self) -> str:
        return packs.pack_path(self.pack, self.format)

    @property
    def key(self) -> tuple[str, str]:
        return ("pack", self.pack)


@dataclass
class BuildReport:
    """What a build made, what failed, and how long it took."""

    records: list[publish.OutputRecord] = field(default_factory=list)
    skipped: list[Target] = field(default_factory=list)
    planned: int = 0  # variants (brief x audience x length) to build in this run
    done: int = 0
    failures: list[tuple[str, BriefError]] = field(default_factory=list)
    failed_paths: dict[str, list[str]] = field(default_factory=dict)  # by work name: not written
    removed: list[str] = field(default_factory=list)  # outputs the content no longer declares
    warnings: list[str] = field(default_factory=list)  # about the machine, once per build
    seconds: float = 0.0
    manifest: Path | None = None


def load_project(project: Project) -> Content:
    """Load and validate everything; raise ContentError listing every problem."""
    content, problems = _validated(project)
    if errors := [p for p in problems if not p.warning]:
        raise ContentError(errors)
    return content


def _validated(project: Project) -> tuple[Content, list[Problem]]:
    """Load the content and return it with every problem found in it and the templates.
    What each piece of prose cites is remembered for the next run."""
    loaded = load_content(project.content)
    return loaded.content, loaded.problems + _validate(project, loaded.content)


def _validate(project: Project, content: Content, syntax: bool = True) -> list[Problem]:
    markdown.SCANS = DiskTable.of_kind("scans", project.content)
    problems = validate(content, project.templates, syntax)
    markdown.SCANS.save()
    return problems


def check(project: Project, stale_after=None, today=None) -> list[Problem]:
    """Return every problem in the content (a character no font has among them), and in
    the templates rendered once per document type and lead with real content; with
    stale_after (a timedelta), also a warning for each fact older than that."""
    import datetime as dt

    from generator.glyphs import check_coverage
    from generator.sourcing import stale_facts

    # A process of its own, on the other CPU, parses every template and renders documents
    # while the content is validated here: what its renders find counts only if the
    # content is valid. Small content it reads too (unchecked) rather than wait for this
    # process's reading, and renders the print documents while this one renders the
    # screen pages; a large base, whose validation is most of the work, it inherits, read
    # here, and renders both media.
    small = load.is_small(project.content)
    beside = ("print",) if small else ("print", "screen")
    rendered = workers.Beside(partial(_check_rendering, project, None, beside)) if small else None
    try:
        loaded = load_content(project.content)
        if rendered is None:
            rendered = workers.Beside(partial(_check_rendering, project, loaded.content, beside))
        uncovered = check_coverage(loaded.content)  # what writing a PDF would refuse
        problems = loaded.problems + _validate(project, loaded.content, syntax=False)
        problems += uncovered()
        if stale_after is not None:
            problems += stale_facts(loaded.content, stale_after, today or dt.date.today())
        if any(not p.warning for p in problems):
            rendered.cancel()
            return problems + check_templates(project.templates)
        found = _check_templates_on(loaded.content, project, ("screen",)) if small else []
        return problems + [p for p in rendered.result() if p not in found] + found
    finally:
        if rendered is not None:
            rendered.cancel()


def _check_rendering(project: Project, content: Content | None,
                     media: tuple[str, ...]) -> list[Problem]:
    """Return what is wrong with the templates' syntax or, if every one parses, what the
    renders for the media find (on the content given, else as read, unchecked)."""
    if content is None:
        content = load_content(project.content, schema=False).content
    return (check_templates(project.templates)
            or _check_templates_on(content, project, media))


def _check_templates_on(content: Content, project: Project,
                        media: tuple[str, ...]) -> list[Problem]:
    """Render the templates for the media once per document type and lead, and the pack
    template once per pack, with real content."""
    variants = [t.key for t in matrix(content, formats=("html",))]
    formats = [fmt for fmt, medium in (("pdf", "print"), ("html", "screen")) if medium in media]
    return preflight(content, project.templates, variants, every_document=False,
                     media=media) + packs.preflight(
        project, content, [PackTarget(pack_id, fmt) for pack_id in sorted(content.packs)
                           for fmt in formats])


def matrix(content: Content, briefs=(), audiences=(), lengths=(), formats=()) -> list[Target]:
    """Return the outputs to build; named ids must exist (ChoiceError otherwise)."""
    _require("brief", briefs, content.briefs)
    _require("audience", audiences, content.audiences)
    _require("length", lengths, content.lengths)
    _require("format", formats, FORMATS)
    targets = []
    for brief_id in briefs or sorted(content.briefs):
        brief = content.briefs[brief_id]
        for audience in audiences or brief.audiences:
            for length in lengths or brief.lengths:
                for fmt in formats or DEFAULT_FORMATS:
                    targets.append(Target(brief_id, audience, length, fmt))
    return targets


def _require(kind: str, names, known) -> None:
    for name in names:
        if name not in known:
            raise ChoiceError(kind, name, sorted(known))


def plan_for(content: Content, target: Target) -> select.Plan:
    """Return the unfitted plan of one target."""
    brief = content.briefs[target.brief]
    return select.select(content, brief, content.audiences[target.audience],
                         content.lengths[target.length])


def build(project: Project, out_dir: Path, briefs=(), audiences=(), lengths=(), formats=(),
          force: bool = False, jobs: int | None = None, shard: tuple[int, int] = (1, 1),
          fail_fast: bool = False, pack_ids=None, progress=None,
          emit_print_html: bool = False, pdf_variant: str = variants.DEFAULT,
          for_release: bool = False) -> BuildReport:
    """Build the requested outputs into out_dir and update its manifest.

    With no brief, audience or length named, every pack is built too; ``pack_ids`` builds
    just those packs (and the briefs their HTML index links to). Outputs whose inputs are
    unchanged since the last build are skipped unless force. ``progress(key, report)`` is called
once the work is planned (key None) and after each piece of work. Work runs in ``jobs`` worker
    processes (default: one per CPU). ``shard`` (K, N) builds only the K-th of N
    deterministic slices of the work. ``emit_print_html`` also saves, beside each brief PDF
    built, the exact HTML WeasyPrint laid out (``<audience>-<length>.print.html``; not an
    output: the manifest does not list it), and the HTML of the other layouts fitting made
    (``<audience>-<length>.pass-N.print.html``). ``pdf_variant`` names the standard every PDF
    claims (see variants.py); it is part of each PDF's input hash, so changing it rebuilds
    the PDFs. ``for_release`` counts an output as up to date only if this program built
    those very bytes (see built.py): a release never ships a file changed since.
    """
    started, began = time.perf_counter(), time.time()
    _require("PDF variant", [pdf_variant], variants.VARIANTS)
    plan = partial(_plan_build, project, out_dir, briefs, audiences, lengths, formats, force,
                   shard, pack_ids, pdf_variant, jobs, for_release)
    _open_caches(project)
    if _names_one_pdf(briefs, audiences, lengths, formats, pack_ids) and (
            force or _edited_since_built(project, out_dir)):
        # One document to lay out, whatever the content says: import WeasyPrint now, while
        # a process of its own reads and checks the content and renders the document.
        ahead = workers.Beside(partial(_plan_and_prepare, plan, project))
        try:
            warmed_here = _warm_for_fitting(project, briefs[0], lengths[0])
            workers.warm_up()
            planned, prepared = ahead.result()
        finally:
            ahead.cancel()
        planned = replace(planned, warmed=False)  # the other process's worker, not ours
    else:
        planned, prepared, warmed_here = plan(), None, False
    content, todo, work = planned.content, planned.todo, planned.work
    report = BuildReport(skipped=planned.skipped, warnings=planned.warnings, planned=len(work))
    # Workers start a citation worker each, ahead, unless answers are on disk already, the
    # planning started this process's own, or the one document was rendered ahead.
    needed = not (notes.CACHE.populated() or planned.warmed or warmed_here
                  or (prepared and prepared.document))
    start = partial(_warm_citations, project.templates, content) if needed else None
    if prepared:
        _install(prepared)
    from generator import typeset

    typeset.forget_fonts()
    shared = (project, content, out_dir, emit_print_html, pdf_variant)
    prepare = None if prepared else partial(_prepare, project, content,
                                            [key for key, _, _ in work], None)
    formats = {key: group for key, group, _ in work}
    if progress:  # the work is known: a progress bar can be drawn before any of it is done
        progress(None, report)
    results = workers.run(_build_one, work, shared, jobs, start, prepare,
                          _typesets(content, todo), _install)
    try:
        for key, records, error in results:
            report.done += 1
            report.records += records
            if error:
                report.failures.append((work_name(key), error))
                report.failed_paths[work_name(key)] = [work_path(key, f) for f in formats[key]]
            if progress:
                progress(key, report)
            if error and fail_fast:
                break
    finally:
        # Also when the build is stopped (SIGTERM, a full disk): the workers are stopped
        # first, then the manifest lists what was published, and only that.
        results.close()
        report.manifest = _record_outputs(out_dir, report.records, todo, began)
    if removed := publish.remove_orphans(out_dir, planned.declared):
        report.removed, report.manifest = removed, out_dir / publish.MANIFEST
    report.seconds = time.perf_counter() - started
    return report


def _record_outputs(out_dir: Path, records: list[publish.OutputRecord], todo: list,
                    started: float) -> Path | None:
    """Write the manifest for the records (outputs of todo without one are checked on
    disk; started is the build's start, as time.time()), and remember the bytes as this
    program's own."""
    built = {r.path for r in records}
    unfinished = [t.path for t in todo if t.path not in built]
    if not records and not any((out_dir / path).exists() for path in unfinished):
        return None  # nothing published, nothing of this build's on disk to account for
    known = BuiltOutputs.open()
    for record in records:
        known.add(record.path, record.sha256)
    # A file's time can lag the clock by a tick: a second's margin.
    return publish.write_manifest(out_dir, records, unfinished, since=started - 1.0)


@dataclass
class _Planned:
    """What a build will do: its content, the targets to make, and the work they form."""

    content: Content
    todo: list  # Target and PackTarget
    work: list[tuple]  # (key, formats, inputs), longest first
    skipped: list[Target]
    warnings: list[str]
    warmed: bool  # whether this process's citation worker was started
    declared: set[str]  # the path of every output the content declares, built or not


def _plan_build(project: Project, out_dir: Path, briefs, audiences, lengths, formats, force,
                shard, pack_ids, pdf_variant, jobs, for_release: bool = False,
                ahead: bool = False) -> _Planned:
    """Load and check the content, find what is out of date, and render every document to
    build (both media) so that a template error stops the build before anything is written.
    Work to be done in this process, with no citations on disk yet, starts the citation
    worker first, so that node builds its engine (most of a second) meanwhile. Planning
    ``ahead`` in a process of its own, only the lone document it renders is such work."""
    content = load_project(project)
    targets = _targets(content, briefs, audiences, lengths, formats, pack_ids)
    targets = select_shard(targets, *shard)
    publish.check_output_dir(out_dir)
    publish.remove_leftovers(out_dir, [t.path for t in targets])
    hasher = InputHasher(content, project.templates)
    fontinputs.forget()
    skipped: list[Target] = []
    known = BuiltOutputs.open() if for_release else None
    todo = targets if force else _stale(targets, hasher, out_dir, skipped, pdf_variant, known)
    grouped = _by_variant(todo)
    here = _is_lone(content, grouped) if ahead else workers.in_this_process(jobs, len(grouped))
    warmed = bool(todo) and not notes.CACHE.populated() and here
    if warmed:
        _warm_citations(project.templates, content)
    problems = preflight(content, project.templates,
                         [t.key for t in todo if isinstance(t, Target)])
    problems += packs.preflight(project, content, [t for t in todo if isinstance(t, PackTarget)])
    if problems:
        raise ContentError(problems)
    if any(t.format == "html" for t in targets):  # every page needs them, built or not
        fonts.publish_fonts(out_dir, project.content)
    warnings = []
    if any(t.format == "pdf" for t in todo) and not fonts.has_subsetter():
        warnings.append(fonts.SUBSETTER_WARNING)
    work = [(key, group, hasher.for_key(key)) for key, group in grouped.items()]
    work.sort(key=lambda item: _expected_cost(content, item[0]), reverse=True)
    declared = {t.path for t in _targets(content, (), (), (), FORMATS, None)}
    return _Planned(content, todo, work, skipped, warnings, warmed, declared)


def _names_one_pdf(briefs, audiences, lengths, formats, pack_ids) -> bool:
    """Return whether a build's options name one brief, audience and length, and a PDF."""
    return (pack_ids is None and len(briefs) == len(audiences) == len(lengths) == 1
            and (not formats or "pdf" in formats))


def _edited_since_built(project: Project, out_dir: Path) -> bool:
    """Return whether a content or template file is newer than the last build's manifest:
    a guess, from the files' times alone, that a build has work to do (its hashes decide)."""
    try:
        built = (out_dir / publish.MANIFEST).stat().st_mtime
    except OSError:
        return True
    for folder in (project.content, project.templates):
        for path in folder.rglob("*"):
            try:
                if path.stat().st_mtime > built:
                    return True
            except OSError:
                return True
    return False


def _plan_and_prepare(plan, project: Project) -> tuple[_Planned, _Prepared]:
    """Plan the build, then do what its one document needs before it is laid out."""
    planned = plan(ahead=True)
    keys = [key for key, _, _ in planned.work]
    return planned, _prepare(project, planned.content, keys,
                             _lone_document(planned.content, planned.work))


def _warm_for_fitting(project: Project, brief_id: str, length_id: str) -> bool:
    """Start this process's citation worker now for a PDF fitted to a page budget, which
    this process lays out, its notes first: node builds the engine (most of a second)
    while the content is read elsewhere, not after. The style and language are read from
    the files as written; the build itself reads and checks them. Return whether it
    started."""
    from generator import cite

    if notes.CACHE.populated():
        return False
    length = load.peek(project.content / "lengths.yaml").get(length_id)
    if not isinstance(length, dict) or length.get("pages") is None:
        return False  # laid out as planned: rendered, notes and all, by the planning process
    settings = load.peek(project.content / "settings.yaml")
    brief = load.peek_document(project.content, brief_id)
    try:
        citations = notes.Citations.for_brief(
            project.templates, brief.get("citation_style"), brief.get("language"),
            str(settings.get("citation_style") or Settings.citation_style),
            str(settings.get("language") or Settings.language))
    except (BriefError, TypeError, AttributeError):  # a value as written that is no name
        return False
    cite.processor().warm(citations.style, citations.locale)
    return True


def _typesets(content: Content, todo: list) -> bool:
    """Return whether the work lays documents out: every PDF does, and so does the HTML of
    a budgeted length or a pack (fitted by layout)."""
    return any(t.format == "pdf" or isinstance(t, PackTarget)
               or content.lengths[t.length].pages is not None for t in todo)


def _open_caches(project: Project) -> None:
    """Keep formatted citations and chart drawings on disk (under the cache root)."""
    from generator import chartsvg

    notes.CACHE = DiskCache.of_kind("citations")
    chartsvg.CACHE = DiskCache.of_kind("charts")


def _expected_cost(content: Content, key: tuple) -> float:
    """Return a rough cost of a piece of work, so the longest start first and no worker is
    left alone with a pack at the end: a pack lays out all its parts, a full paper many
    pages once, a budgeted output a few pages about three times."""
    if key[0] == "pack":
        return 100.0 + len(packs.part_targets(content.packs[key[1]]))
    pages = content.lengths[key[2]].pages
    return 50.0 if pages is None else 3.0 * pages


def _warm_citations(templates: Path, content: Content) -> None:
    """Have this process's citation worker build its engine (a second or two for Chicago)
    while the first layouts run."""
    from generator import cite, notes

    try:
        style = notes.Citations.for_document(templates, content.settings.citation_style,
                                             content.settings.language)
    except BriefError:
        return  # the first output that needs it reports the problem
    cite.processor().warm(style.style, style.locale)


@dataclass
class _Prepared:
    """What a build makes before its work: chart drawings, and perhaps its one document."""

    drawings: dict[str, str]
    document: tuple | None  # (plan, Rendered) of the print HTML, rendered ahead


def _prepare(project: Project, content: Content, keys: list[tuple],
             lone: select.Plan | None) -> _Prepared:
    """Draw the charts and, for a build of one PDF laid out as planned, render its print
    HTML: the work of a one-document build that need not wait for WeasyPrint's import."""
    from generator import chartsvg

    _draw_charts(content, keys)
    document = None
    if lone is not None:
        try:
            document = (lone, render.render(lone, content, project.templates, "print"))
        except BriefError:
            pass  # the build renders it again, and reports the failure as its own
    return _Prepared(chartsvg.drawings(), document)


def _install(prepared: _Prepared) -> None:
    from generator import chartsvg

    chartsvg.remember(prepared.drawings)
    if prepared.document:
        render.remember(prepared.document[0], "print", prepared.document[1])


def _lone_document(content: Content, work: list) -> select.Plan | None:
    """Return the plan of the build's only work, when that is one PDF laid out as planned
    (no page budget to fit)."""
    if not _is_lone(content, {key: formats for key, formats, _ in work}):
        return None
    return plan_for(content, Target(*work[0][0], "pdf"))


def _is_lone(content: Content, grouped: dict[tuple, list[str]]) -> bool:
    """Return whether the work (key -> formats) is one PDF laid out as planned."""
    if len(grouped) != 1:
        return False
    (key, formats), = grouped.items()
    return key[0] != "pack" and "pdf" in formats and content.lengths[key[2]].pages is None


def _draw_charts(content: Content, keys: list[tuple]) -> None:
    """Draw, once and before the workers fork, every chart the full-length outputs to build
    place; the workers inherit the drawings (a build with no charts imports nothing)."""
    from generator.markdown import find_charts

    wanted = set()
    for key in keys:
        if key[0] == "pack" or content.lengths[key[2]].detail != "full":
            continue
        brief, audience = content.briefs[key[0]], content.audiences[key[1]]
        locale = audience.locale or brief.language or content.settings.language
        named = audience.id if audience.terms else ""  # terms change a chart's labels
        wanted |= {(chart_id, locale, named) for topic_id in brief.topic_ids
                   for chart_id, _ in find_charts(content.topics[topic_id].body.text)}
    if wanted:
        from generator.figures import draw

        for chart_id, locale, named in sorted(wanted):
            draw(content, chart_id, locale, content.audiences.get(named))


def work_path(key: tuple, fmt: str) -> str:
    """Return where the output of a piece of work in one format goes."""
    return packs.pack_path(key[1], fmt) if key[0] == "pack" else publish.output_path(*key, fmt)


def work_name(key: tuple) -> str:
    """Return how a piece of work is named in logs: brief/audience-length or packs/id."""
    return f"packs/{key[1]}" if key[0] == "pack" else f"{key[0]}/{key[1]}-{key[2]}"


def _targets(content: Content, briefs, audiences, lengths, formats, pack_ids) -> list:
    """Return the brief targets and pack targets of one build."""
    _require("pack", pack_ids or (), content.packs)
    whole_matrix = pack_ids is None
    if pack_ids is None:
        pack_ids = () if (briefs or audiences or lengths) else sorted(content.packs)
    targets = matrix(content, briefs, audiences, lengths, formats) if whole_matrix else []
    for pack_id in pack_ids:
        targets += [PackTarget(pack_id, fmt) for fmt in formats or DEFAULT_FORMATS]
        if "html" in (formats or DEFAULT_FORMATS):  # the pack's HTML index links to each part
            targets += [Target(*key, "html") for key in packs.part_targets(content.packs[pack_id])]
    targets = list(dict.fromkeys(targets))
    # Named on the command line, any audience and length meet: two may name one file.
    if found := outputnames.clashes(t.key for t in targets if isinstance(t, Target)):
        raise ContentError([outputnames.describe(first, second) for _, first, second in found])
    return targets


def select_shard(targets: list, index: int, count: int) -> list:
    """Return the index-th (1-based) of count slices; a variant's formats stay together."""
    keys = sorted(_by_variant(targets))
    mine = set(keys[index - 1::count])
    return [t for t in targets if t.key in mine]


def _stale(targets: list[Target], hasher: InputHasher, out_dir: Path,
           skipped: list[Target], pdf_variant: str,
           known: BuiltOutputs | None = None) -> list[Target]:
    """Return the targets that need building; add the others to skipped. With known
    outputs, one whose bytes this program did not build is rebuilt, whatever the manifest
    says (an output folder restored from elsewhere may carry a changed file and hash)."""
    built = {record["path"]: record for record in publish.read_manifest(out_dir)}
    stale = []
    for target in targets:
        record = built.get(target.path)
        if record and _is_current(record, hasher.for_key(target.key), target, pdf_variant) \
                and publish.is_intact(out_dir, record) \
                and (known is None or known.has(target.path, record.get("sha256"))):
            skipped.append(target)
        else:
            stale.append(target)
    return stale


def _is_current(record: dict, inputs: dict[str, str], target, pdf_variant: str) -> bool:
    """Return whether an output's record was made from the inputs as they are now, the
    font files it names (known only once it was written) found and hashed again."""
    fonts_now = fontinputs.current(fontinputs.recorded(record.get("inputs")))
    length = target.key[2] if len(target.key) == 3 else "pack"
    expected = input_hash(dict(sorted({**inputs, **fonts_now}.items())), length, target.format,
                          pdf_variant)
    return record.get("input_hash") == expected


def _by_variant(targets: list) -> dict[tuple, list[str]]:
    """Group targets by key (brief, audience, length, or a pack): formats share one plan."""
    groups: dict[tuple, list[str]] = {}
    for target in targets:
        groups.setdefault(target.key, []).append(target.format)
    return groups


def _build_one(shared: tuple, item: tuple):
    """Build one variant in a worker; return (key, records, error or None)."""
    project, content, out_dir, emit_print_html, pdf_variant = shared
    key, formats, inputs = item
    published: list[publish.OutputRecord] = []  # kept when a later format fails
    try:
        if key[0] == "pack":
            pack = content.packs[key[1]]
            packs.build_pack(project, content, out_dir, pack, formats, inputs, pdf_variant,
                             published)
        else:
            _build_variant(project, content, out_dir, key, formats, inputs, emit_print_html,
                           pdf_variant, published)
        return key, published, None
    except BriefError as error:
        return key, published, BuildError(error.problems)
    except OSError as error:  # not in a write of ours (those say which file)
        return key, published, BuildError(f"{work_name(key)}: {error.strerror or error}")


def _build_variant(project: Project, content: Content, out_dir: Path, key: tuple,
                   formats: list[str], inputs: dict[str, str],
                   emit_print_html: bool = False, pdf_variant: str = variants.DEFAULT,
                   records: list | None = None) -> list[publish.OutputRecord]:
    """Build one brief x audience x length in every requested format (and, if asked, save
    the print HTML the PDF was laid out from beside it); each record is added to records
    as its file is published."""
    from generator import glyphs  # the typesetting stages, which check never needs
    from generator.fitting import fit, layout_plan

    plan, laid_out, passes = fit(project, content, plan_for(content, Target(*key, formats[0])))
    records = [] if records is None else records
    describe = {**plan.describe(), "layout_passes": passes}
    if laid_out is not None:
        describe["last_page_fill"] = laid_out.last_page_fill
    # A page fitted to a budget was laid out with the print fonts: their files are inputs.
    page_inputs = inputs if laid_out is None else {**inputs,
                                                   **fontinputs.every_face(laid_out.html)}
    if "pdf" in formats:
        laid_out = laid_out or layout_plan(project, content, plan)[0]
        describe["last_page_fill"] = laid_out.last_page_fill
        pdf = Target(*key, "pdf")
        data = glyphs.write_pdf(laid_out, project.content, inputs, pdf.path, pdf_variant)
        used = {**inputs, **fontinputs.used(laid_out)}  # the faces are known once written
        record = _record(pdf, laid_out.pages, laid_out.words, describe, used, pdf_variant)
        records.append(publish.publish(out_dir, pdf.path, data, record))
        if emit_print_html:
            publish.write_atomic(publish.inside(out_dir, print_html_path(*key)),
                                 laid_out.html.encode())
            for number, html in enumerate(getattr(laid_out, "discarded", []), 1):
                publish.write_atomic(publish.inside(out_dir, print_html_path(*key, number)),
                                     html.encode())
    if "html" in formats:
        html = render.render(plan, content, project.templates, "screen")
        page = Target(*key, "html")
        records.append(publish.publish(out_dir, page.path, html.html.encode(),
                                       _record(page, None, html.words, describe, page_inputs)))
    if "docx" in formats:
        records.append(_build_docx(project, content, out_dir, key, plan, laid_out, describe,
                                   page_inputs))
    return records


def _build_docx(project: Project, content: Content, out_dir: Path, key: tuple,
                plan: select.Plan, laid_out, describe: dict,
                inputs: dict[str, str]) -> publish.OutputRecord:
    """Write the Word file of a variant from the print HTML of its fitted plan: the HTML
    the PDF was laid out from, when this build laid one out."""
    from generator import wordfile

    html = laid_out.html if laid_out is not None else render.render(
        plan, content, project.templates, "print").html
    word = Target(*key, "docx")
    data = wordfile.brief_docx(plan, html, content, project.templates)
    return publish.publish(out_dir, word.path, data,
                           _record(word, None, render.count_words(html), describe, inputs))


def print_html_path(brief: str, audience: str, length: str, trial: int = 0) -> str:
    """Return where --emit-print-html saves the HTML a brief's PDF was laid out from, or
    (trial N) the HTML of another layout fitting made for it, its measuring document first."""
    return publish.output_path(brief, audience, length,
                               f"pass-{trial}.print.html" if trial else "print.html")


def _record(target: Target, pages: int | None, words: int, plan: dict, inputs: dict,
            pdf_variant: str = variants.DEFAULT) -> dict:
    inputs = dict(sorted(inputs.items()))  # fonts found after writing join the others
    record = {"brief": target.brief, "audience": target.audience, "length": target.length,
              "format": target.format, "pages": pages, "words": words, "plan": plan,
              "input_hash": input_hash(inputs, target.length, target.format, pdf_variant),
              "inputs": inputs}
    if target.format == "pdf":
        record["pdf_variant"] = variants.weasyprint_variant(pdf_variant)
    return record
