"""Preflight: render what a build will print, for both media, before anything is written.

Finding a broken template only after half the PDFs were written would leave a mix of old
and new outputs, so a build first renders its documents' HTML. One render per brief,
audience and lead (what a document opens with) covers every path through the templates the
outputs take: its plan holds every item at every level of detail any of them prints, and
the bibliography if any prints one.

``brief check`` asks less: the content itself is validated elsewhere, so it renders the
templates once per document type and lead, each with the fullest of those plans. That
finds a template that fails on real content at a cost that does not grow with the content
(a check of 1,000 topics rendered 250 documents twice over before); the build still
renders every document it is about to write.

A render that passed is remembered on disk by the hash of everything it read (content
files, facts, templates, the generator's code), so checking content again after editing
one topic renders only the briefs that include it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator import select
from generator.cache import DiskCache, code_digest
from generator.errors import BriefError, Problem
from generator.inputs import InputHasher
from generator.models import Content

MEDIA = ("print", "screen")  # as render.MEDIA; not imported, so a clean pass imports no Jinja


def preflight(content: Content, templates: Path, variants: list[tuple[str, str, str]],
              every_document: bool = True, media: tuple[str, ...] = MEDIA) -> list[Problem]:
    """Render the documents of the variants (brief, audience, length) for the media (both,
    unless told) and return the problems found (template errors naming template and line).
    Unless every_document, render only the fullest document of each type and lead."""
    passed = DiskCache.of_kind("preflight")
    hasher = InputHasher(content, templates)
    problems: list[Problem] = []
    plans = _plans(content, variants)
    if not every_document:
        plans = _fullest_per_type(plans)
    for group, (plan, lengths) in plans.items():
        # The plan follows from the inputs and the lengths it serves.
        used = {name: digest for length in lengths
                for name, digest in hasher.inputs(group[0], group[1], length).items()}
        key = DiskCache.key(used, group, lengths,
                            plan.bibliography, media, code_digest())
        if passed.get(key):
            continue
        found = _render(plan, content, templates, media)
        problems += [p for p in found if p not in problems]
        if not found:
            passed.put(key, True)
    return problems


def _render(plan: select.Plan, content: Content, templates: Path,
            media: tuple[str, ...]) -> list[Problem]:
    from generator import render

    found: list[Problem] = []
    for medium in media:
        try:
            render.render(plan, content, templates, medium, dry_run=True)
        except BriefError as error:
            found += [p for p in error.problems if p not in found]
    return found


def _fullest_per_type(plans: dict[tuple, tuple[select.Plan, list[str]]]
                      ) -> dict[tuple, tuple[select.Plan, list[str]]]:
    """Keep, per document type and lead, the plan with the most detail (printing a
    bibliography if any of them does), so every template of the type renders once."""
    chosen: dict[tuple, tuple] = {}
    bibliography: dict[tuple, bool] = {}
    for group, (plan, lengths) in sorted(plans.items()):
        kind = (plan.brief.type, group[2])
        bibliography[kind] = bibliography.get(kind, False) or plan.bibliography
        known = chosen.get(kind)
        if known is None or select.detail_rank(plan) > select.detail_rank(known[1][0]):
            chosen[kind] = (group, (plan, lengths))
    return {group: (replace(plan, bibliography=bibliography[kind]), lengths)
            for kind, (group, (plan, lengths)) in chosen.items()}


def _plans(content: Content, variants) -> dict[tuple, tuple[select.Plan, list[str]]]:
    """Return, per brief, audience and lead, a plan holding everything the variants print
    and the lengths it stands for."""
    fullest: dict[tuple, select.Plan] = {}
    bibliography: dict[tuple, bool] = {}
    lengths: dict[tuple, list[str]] = {}
    for brief_id, audience_id, length_id in sorted(set(variants)):
        audience = content.audiences[audience_id]
        plan = select.select(content, content.briefs[brief_id], audience,
                             content.lengths[length_id])
        group = (brief_id, audience_id, audience.lead_for(length_id))
        bibliography[group] = bibliography.get(group, False) or plan.bibliography
        lengths.setdefault(group, []).append(length_id)
        known = fullest.get(group)
        if known is None or select.detail_rank(plan) > select.detail_rank(known):
            fullest[group] = plan
    return {group: (replace(select.measuring_plan(plan), bibliography=bibliography[group]),
                    lengths[group]) for group, plan in fullest.items()}
