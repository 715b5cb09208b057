"""Fitting a length's page budget: lay out candidate plans until the fullest one fits."""

from __future__ import annotations

from generator import render, select
from generator.errors import BuildError
from generator.models import Content


def fit(project, content: Content, plan: select.Plan):
    """Return the fullest plan that fits the length's page budget, with its layout.

    The candidate plans run from everything relevant down to the bare minimum; more
    content never means fewer pages, so a binary search over them finds the fullest plan
    that fits in a few layout passes.
    """
    budget = plan.length.pages
    if budget is None:
        return plan, None, 0
    candidates = [plan]
    while (smaller := select.shrink(candidates[-1])) is not None:
        candidates.append(smaller)
    passes, best = 0, None
    low, high = 0, len(candidates) - 1
    while low <= high:
        middle = low if passes == 0 else (low + high) // 2
        laid_out, _ = layout_plan(project, content, candidates[middle])
        passes += 1
        if laid_out.pages <= budget:
            best, high = (middle, laid_out), middle - 1
        else:
            low = middle + 1
    if best is None:
        brief, audience = plan.brief.id, plan.audience.id
        raise BuildError(f"{brief} for {audience}: cannot fit the {plan.length.id} length "
                         f"({budget} page(s)) even with the least content")
    return candidates[best[0]], best[1], passes


def layout_plan(project, content: Content, plan: select.Plan):
    """Render a plan for print and lay it out; return the layout and the HTML."""
    from generator import typeset

    html = render.render(plan, content, project.templates, "print")
    allowed = [project.content, project.templates]
    laid_out = typeset.layout(html.html, project.content, allowed)
    laid_out.words = html.words
    return laid_out, html
