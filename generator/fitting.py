"""Fitting a length's page budget: measure every item once, predict, confirm by layout.

Pass 1 lays out a measuring document holding every item at every level of detail, which
gives each item's height. From those heights the fitter predicts the fullest plan that
fills the budget (the shrink order decides what goes first; then anything smaller that
still fits is added back, so the last page is not left half empty) and confirms it with a
real layout. A wrong prediction is corrected by the measured difference and confirmed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import render, select
from generator.errors import BuildError
from generator.models import Content

FILL_TARGET = 0.8  # the last page of a budgeted output is at least this full
AIM = 0.96  # of the budget's height: predictions aim a little short of the last line
# A page break rarely falls exactly at the foot of a page: a line whose note no longer
# fits, a heading kept with its text or a widow moves on. Predictions leave this much
# per break (CSS px, about a line of text; more cuts too much from pages that break well).
BREAK_ALLOWANCE = 24
PASS_LIMIT = 4  # layout passes before the search falls back to shrinking step by step
SUMMARY = 1  # the level of a summary, the one level that shows key points
PAPER_HEIGHTS = {"letter": 11 * 96, "a4": 297 / 25.4 * 96}  # CSS px, as in head.html


@dataclass(frozen=True)
class Trial:
    """One confirmed plan: its levels, predicted height and layout."""

    levels: dict
    need: float
    layout: object


def fit(project, content: Content, plan: select.Plan):
    """Return (fitted plan, its layout, layout passes) for the length's page budget."""
    budget = plan.length.pages
    if budget is None:
        return plan, None, 0
    sizes = measure(project, content, plan)
    if not sizes.heights:  # templates without data-fit marks: search the shrink sequence
        return _search(project, content, plan, sizes.sequence)
    passes, best, overflow = 1, None, None
    tried = [sizes.html]  # the HTML of every layout, for --emit-print-html
    capacity = budget * sizes.page_height * AIM - (budget - 1) * BREAK_ALLOWANCE
    while True:
        levels = sizes.choose(capacity, below=overflow.need if overflow else None)
        need = sizes.need(levels)
        if (best and need <= best.need) or (overflow and need >= overflow.need):
            break  # no untried plan between the fullest fit and the smallest overflow
        laid_out, _ = layout_plan(project, content, select.with_levels(plan, levels))
        passes += 1
        tried.append(laid_out.html)
        trial = Trial(levels, need, laid_out)
        if laid_out.pages <= budget:
            best = trial if best is None or need > best.need else best
            if laid_out.last_page_fill >= FILL_TARGET or levels == sizes.everything:
                break
        else:
            overflow = trial if overflow is None or need < overflow.need else overflow
        if best and passes >= PASS_LIMIT:
            break
        # Too short: the fitting plan is a safe fallback, so aim for the whole budget.
        # Too long: aim lower, and lower still as passes mount.
        aim = 1.0 if trial is best else 0.99 - 0.04 * max(0, passes - PASS_LIMIT + 1)
        capacity = _next_capacity(trial, budget, sizes.page_height, aim)
    if best is None:
        raise _cannot_fit(plan)
    best.layout.discarded = [html for html in tried if html is not best.layout.html]
    return select.with_levels(plan, best.levels), best.layout, passes


def _search(project, content: Content, plan: select.Plan, sequence: list):
    """Binary search for the fullest plan of the shrink sequence that fits."""
    passes, best = 1, None
    low, high = 0, len(sequence) - 1
    while low <= high:
        middle = (low + high) // 2
        laid_out, _ = layout_plan(project, content, select.with_levels(plan, sequence[middle]))
        passes += 1
        if laid_out.pages <= plan.length.pages:
            best, high = (middle, laid_out), middle - 1
        else:
            low = middle + 1
    if best is None:
        raise _cannot_fit(plan)
    return select.with_levels(plan, sequence[best[0]]), best[1], passes


def _cannot_fit(plan: select.Plan) -> BuildError:
    return BuildError(f"{plan.brief.id} for {plan.audience.id}: cannot fit the "
                      f"{plan.length.id} length ({plan.length.pages} page(s)) even with the "
                      "least content; make the length longer or the title block shorter")


def _next_capacity(trial: Trial, budget: int, page: float, aim: float) -> float:
    """Return the capacity to aim at, corrected by how far the real layout was from the
    prediction (a plan that needed more than predicted shrinks the next one, and so on)."""
    actual = (trial.layout.pages - 1) * page + trial.layout.last_page_fill * page
    scale = actual / trial.need if trial.need else 1.0
    return budget * page * aim / max(scale, 1e-6)


@dataclass
class Sizes:
    """The measured height of every item at every level, and what a plan would need."""

    page_height: float
    base: float  # what every plan has: masthead, lead, back matter
    heights: dict  # (item key, level) -> height
    groups: dict  # section title -> its heading and intro
    sequence: list  # levels of the shrink sequence, fullest first
    order: list  # item keys, most important first
    group_of: dict  # item key -> the title of its section (None: untitled)
    point_of: dict  # key point key -> its topic's key
    notes: Notes  # which sources each item cites, and what a first citation adds
    ends: Ends  # what the last item of each parent does not cost
    html: str = ""  # the measuring document WeasyPrint laid out

    @property
    def everything(self) -> dict:
        return self.sequence[0]

    @property
    def smallest(self) -> dict:
        return self.sequence[-1]

    def need(self, levels: dict) -> float:
        """Return the predicted height of a plan at these levels.

        A topic's summary was measured with all its key points; each point left out of a
        summary takes its own height away.
        """
        total = self.base
        present_groups, present = set(), []
        for key, level in levels.items():
            if key.startswith("point:"):
                continue
            if level >= 0:
                total += self.heights.get((key, level), 0.0)
                present_groups.add(self.group_of.get(key))
                present.append((key, level))
        for key, topic in self.point_of.items():
            if levels.get(topic, -1) == SUMMARY:
                if levels.get(key, -1) < 0:
                    total -= self.heights.get((key, 0), 0.0)
                else:
                    present.append((key, 0))
        groups = [g for g in present_groups if g in self.groups]
        total += sum(self.groups[g] for g in groups)
        return total + self.notes.height(present, groups) - self.ends.saved(present)

    def can_grow(self, levels: dict, key: str) -> bool:
        """Return whether an item may take its next level: a key point only inside its
        topic's summary, after the points before it."""
        if levels.get(key, -1) >= self.everything.get(key, -1):
            return False
        if key not in self.point_of:
            return True
        index = int(key.rsplit(":", 1)[1])
        before = f"{key.rsplit(':', 1)[0]}:{index - 1}"
        return levels.get(self.point_of[key], -1) == SUMMARY and (
            index == 0 or levels.get(before, -1) >= 0)

    def choose(self, capacity: float, below: float | None = None) -> dict:
        """Return the fullest levels predicted to need at most capacity (and less than below)."""
        def fits(levels):
            need = self.need(levels)
            return need <= capacity and (below is None or need < below)

        levels = next((c for c in self.sequence if fits(c)), self.smallest)
        return self._fill(dict(levels), fits)

    def _fill(self, levels: dict, fits) -> dict:
        """Add back, most important first, any level of detail that still fits."""
        grown = True
        while grown:
            grown = False
            for key in self.order:
                if self.can_grow(levels, key):
                    trial = {**levels, key: levels.get(key, -1) + 1}
                    if fits(trial):
                        levels, grown = trial, True
                        break
        return levels


def measure(project, content: Content, plan: select.Plan) -> Sizes:
    """Lay out the measuring document once and read every item's height from it."""
    laid_out, _ = layout_plan(project, content, select.measuring_plan(plan), measuring=True)
    measured = laid_out.item_heights()
    found = measured.heights
    paper = plan.brief.paper or content.settings.paper
    page_height = PAPER_HEIGHTS[paper] - laid_out.page_margins  # measured on one tall page
    heights, groups, notes = {}, {}, {}
    for fit_key, height in found.items():
        kind, rest = fit_key.split(":", 1)
        if kind == "group":
            groups[rest] = height
        elif kind.startswith("note"):
            notes[fit_key] = height  # measured apart, in the back matter
        else:
            heights[_item_level(fit_key)] = height
    group_of = {select.item_key(plan, planned): section.title or None
                for section in plan.sections for planned in section.topics}
    for title in groups:  # a group's own height: its heading and intro
        groups[title] -= sum(h for (key, _), h in heights.items() if group_of.get(key) == title)
    items = sum(h for (k, _), h in heights.items()
                if k != "bibliography" and not k.startswith("point:"))  # points: in summaries
    base = laid_out.used_height - items - sum(groups.values()) - sum(notes.values()) \
        - heights.get(("bibliography", 0), 0.0)
    point_of = {select.point_key(p.topic.id, i): select.item_key(plan, p)
                for p in plan.topics for i in range(len(p.topic.key_points))}
    return Sizes(page_height, base, heights, groups, select.shrink_sequence(plan),
                 _importance(plan), group_of, point_of,
                 Notes.measured(laid_out.item_notes(), notes), Ends.measured(measured),
                 laid_out.html)


@dataclass
class Ends:
    """The gap after each item, which it does not cost when it is the last of its parent
    (margins collapse into the parent's end instead)."""

    gaps: dict  # (item key, level) -> gap to the next sibling
    parent: dict  # (item key, level) -> parent token
    order: dict  # (item key, level) -> position in the document
    closing: set  # parents whose last item ends them (nothing else follows it)

    @classmethod
    def measured(cls, items) -> Ends:
        keys = [k for k in items.heights if not k.startswith(("group:", "note"))]
        last = {}
        for key in keys:
            last[items.parents[key]] = key
        return cls({_item_level(k): items.gaps[k] for k in keys},
                   {_item_level(k): items.parents[k] for k in keys},
                   {_item_level(k): i for i, k in enumerate(keys)},
                   {parent for parent, key in last.items() if items.gaps[key] == 0})

    def saved(self, present: list) -> float:
        """Return the gaps the last present item of each closing parent does not cost."""
        last = {}
        for item in sorted(present, key=lambda i: self.order.get(i, -1)):
            if item in self.parent:
                last[self.parent[item]] = item
        return sum(self.gaps[item] for parent, item in last.items() if parent in self.closing)


@dataclass
class Notes:
    """The notes a plan prints, measured apart from the text: each note as it stacks at
    the foot of a page, with its citations in their short form, plus what the first
    citation of each source adds (its full form over its short one), once, wherever in
    the final document that first citation falls.
    """

    marks: dict  # (item key, level), "group:<title>" or "" (outside items) -> {note: sources}
    heights: dict  # note number -> height
    extra: dict  # source -> height of its full note over its short one

    @classmethod
    def measured(cls, found: dict, heights: dict) -> Notes:
        marks = {key if not key or key.startswith("group:") else _item_level(key): notes
                 for key, notes in found.items() if not key.startswith("note")}
        notes = {int(key.split(":")[1]): h for key, h in heights.items()
                 if key.startswith("note:")}
        extra = {key.split(":", 1)[1]: max(0.0, h - heights.get(
                     "note-short:" + key.split(":", 1)[1], h))
                 for key, h in heights.items() if key.startswith("note-full:")}
        return cls(marks, notes, extra)

    def height(self, items: list, groups: list) -> float:
        """Return the height of the notes these items and groups print, with a full note
        for each source they cite."""
        printed: dict = dict(self.marks.get("", {}))
        for key in [*items, *(f"group:{title}" for title in groups)]:
            printed.update(self.marks.get(key, {}))
        cited = {source for sources in printed.values() for source in sources}
        return sum(self.heights.get(n, 0.0) for n in printed) + \
            sum(self.extra.get(source, 0.0) for source in cited)


def _item_level(fit_key: str) -> tuple[str, int]:
    """Return (item key, level) from a fit key such as "topic:alliance:2"."""
    item, level = fit_key.rsplit(":", 1)
    return item, int(level)


def _importance(plan: select.Plan) -> list[str]:
    """Return item keys from most to least important (ties keep document order)."""
    items = [*plan.topics, *plan.recommendations]
    ranked = sorted(range(len(items)), key=lambda i: -items[i].score)
    keys = []
    for i in ranked:  # a topic, then its key points in order
        keys.append(select.item_key(plan, items[i]))
        if isinstance(items[i], select.PlannedTopic):
            keys += [select.point_key(items[i].topic.id, n)
                     for n in range(len(items[i].topic.key_points))]
    return keys + (["bibliography"] if plan.bibliography else [])


def layout_plan(project, content: Content, plan: select.Plan, measuring: bool = False):
    """Render a plan for print and lay it out; return the layout and the HTML."""
    from generator import typeset

    html = render.render(plan, content, project.templates, "print", measuring=measuring)
    allowed = [project.content, project.templates]
    laid_out = typeset.layout(html.html, project.content, allowed)
    laid_out.words = html.words
    laid_out.html = html.html  # what WeasyPrint was given (brief build --emit-print-html)
    return laid_out, html
