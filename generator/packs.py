"""Briefing packs: several fitted briefs bound into one PDF, and an HTML index of them."""

from __future__ import annotations

from pathlib import Path

from generator import publish, render, select, variants
from generator.markdown import typographic
from generator.errors import BriefError, Problem
from generator.models import Content, Pack
from generator.publish import output_path


def pack_path(pack_id: str, fmt: str) -> str:
    """Return where a pack goes inside the output folder."""
    return publish.pack_path(pack_id, fmt)


def part_targets(pack: Pack) -> list[tuple[str, str, str]]:
    """Return (brief, audience, length) of every part, in order."""
    return [(part.brief, part.audience, part.length) for part in pack.parts]


def build_pack(project, content: Content, out_dir: Path, pack: Pack, formats,
               inputs: dict[str, str], pdf_variant: str = variants.DEFAULT,
               records: list | None = None) -> list[publish.OutputRecord]:
    """Fit every part to its length, then write the pack as PDF, Word file and/or HTML
    index; each record is added to records as its file is published."""
    from generator import fontinputs, glyphs, typeset  # the typesetting stages: builds only
    from generator.fitting import fit

    plans, passes = [], 0
    for brief_id, audience, length in part_targets(pack):
        plan = select.select(content, content.briefs[brief_id], content.audiences[audience],
                             content.lengths[length])
        plan, _, used = fit(project, content, plan)
        plans.append(plan)
        passes += used
    marking = pack.marking or select.roll_up(
        [render.document_marking(p, content) for p in plans], content.settings.markings)
    records = [] if records is None else records
    describe = {"parts": [output_path(*key, "pdf") for key in part_targets(pack)],
                "marking": marking, "layout_passes": passes + 1}
    for fmt in formats:
        html = _pack_html(project, content, pack, plans, marking, fmt)
        record = {"brief": "", "audience": "", "length": "", "format": fmt, "words": html.words,
                  "plan": describe, "pack": pack.id, "inputs": inputs,
                  "input_hash": _hash(inputs, fmt, pdf_variant)}
        if fmt == "pdf":
            laid_out = typeset.layout(html.html, project.content,
                                      [project.content, project.templates])
            data = glyphs.write_pdf(laid_out, project.content, inputs, pack_path(pack.id, fmt),
                                    pdf_variant)
            record["pages"] = laid_out.pages
            # the faces are known once written
            record["inputs"] = dict(sorted({**inputs, **fontinputs.used(laid_out)}.items()))
            record["input_hash"] = _hash(record["inputs"], fmt, pdf_variant)
            record["pdf_variant"] = variants.weasyprint_variant(pdf_variant)
        elif fmt == "docx":  # from the print HTML, as the PDF
            from generator import wordfile

            data = wordfile.pack_docx(pack, plans, html.html, content, project.templates)
            record["pages"] = None
        else:
            data, record["pages"] = html.html.encode(), None
        records.append(publish.publish(out_dir, pack_path(pack.id, fmt), data, record))
    return records


def preflight(project, content: Content, targets: list) -> list[Problem]:
    """Render the pack template of every pack target (with an id and a format), in its
    medium, before anything is written: return the problems (template and line). The parts
    are the briefs' own documents, which the briefs' preflight renders."""
    problems: list[Problem] = []
    for target in targets:
        pack = content.packs[target.pack]
        plans = [select.select(content, content.briefs[brief_id], content.audiences[audience],
                               content.lengths[length])
                 for brief_id, audience, length in part_targets(pack)]
        marking = pack.marking or select.roll_up(
            [render.document_marking(p, content) for p in plans], content.settings.markings)
        try:
            _pack_html(project, content, pack, plans, marking, target.format, with_parts=False)
        except BriefError as error:
            problems += [p for p in error.problems if p not in problems]
    return problems


def _hash(inputs: dict[str, str], fmt: str, pdf_variant: str) -> str:
    from generator.inputs import input_hash

    return input_hash(inputs, "pack", fmt, pdf_variant)


def _pack_html(project, content: Content, pack: Pack, plans: list, marking: str, fmt: str,
               with_parts: bool = True):
    """Render a pack's HTML; without parts, the printed pack leaves the parts' documents
    out (to check the pack's own template)."""
    medium = "screen" if fmt == "html" else "print"  # a Word file is made from the print HTML
    parts = []
    for number, plan in enumerate(plans, start=1):
        anchor = f"part{number}-"
        key = (plan.brief.id, plan.audience.id, plan.length.id)
        parts.append({
            "title": typographic(plan.brief.title),
            "audience": plan.audience.name,
            "length": plan.length.label,
            "href": f"#{anchor}document" if medium == "print" else f"../{output_path(*key, 'html')}",
            "html": render.Markup(render.render(plan, content, project.templates, "print",
                                                anchor, marking).html)
            if medium == "print" and with_parts else "",
        })
    authors = dict.fromkeys(a.name for plan in plans for a in plan.brief.authors)
    context = {
        "pack": pack, "parts": parts, "marking": marking, "medium": medium,
        # set as the briefs' own titles are: curly quotes (YAML gives plain text)
        **{field: typographic(getattr(pack, field) or "")
           for field in ("title", "subtitle", "recipient")},
        "authors": list(authors), "language": pack.language or content.settings.language,
        "paper": pack.paper or content.settings.paper,
    }
    return render.render_pack(context, project.templates)
