"""Select stage: decide what one output contains, as a pure function of the content.

(content, brief, audience, length) -> Plan. The plan says which topics appear, at which
level of detail, which recommendations, and what was left out and why. Fitting a page
budget (fitting.py) works on *levels*: every item of the unfitted plan gets a level, from -1
(left out) up to its planned detail, and ``with_levels`` turns an assignment back into a plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from generator.models import (
    DETAIL_LEVELS,
    WEIGHT_VALUES,
    Audience,
    Brief,
    Content,
    Length,
    Recommendation,
    Topic,
)


@dataclass(frozen=True)
class PlannedTopic:
    topic: Topic
    detail: str
    score: float
    points: int | None = None  # key points shown at summary level (None: all of them)

    @property
    def shown_points(self) -> int:
        """Return how many of the topic's key points this output prints."""
        if self.detail != "summary":
            return 0
        total = len(self.topic.key_points)
        return total if self.points is None else min(self.points, total)


@dataclass(frozen=True)
class PlannedRecommendation:
    recommendation: Recommendation
    detail: str  # "summary": the title and its body; "headline": the title alone
    score: float


@dataclass(frozen=True)
class PlannedSection:
    title: str
    intro: object  # Prose | None
    topics: tuple[PlannedTopic, ...]


@dataclass(frozen=True)
class Cut:
    """Something left out of an output, and why."""

    what: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """What one output (brief x audience x length) contains."""

    brief: Brief
    audience: Audience
    length: Length
    sections: tuple[PlannedSection, ...]
    recommendations: tuple[PlannedRecommendation, ...] = ()
    bibliography: bool = False
    cuts: tuple[Cut, ...] = field(default=())
    trimmed: bool = False  # the page budget took something away (a cut or less detail)

    @property
    def topics(self) -> list[PlannedTopic]:
        return [planned for section in self.sections for planned in section.topics]

    def describe(self) -> dict:
        """Return what was included at which level and what was cut, for the manifest."""
        return {
            "included": {p.topic.id: p.detail for p in self.topics},
            "key_points": {p.topic.id: f"{p.shown_points} of {len(p.topic.key_points)}"
                           for p in self.topics if p.detail == "summary"
                           and p.shown_points < len(p.topic.key_points)},
            "recommendations": {r.recommendation.title: r.detail for r in self.recommendations},
            "cut": [{"what": c.what, "reason": c.reason} for c in self.cuts],
            "complete": not self.trimmed,  # all relevant content at the length's detail
        }


def roll_up(markings: list[str], order: list[str]) -> str:
    """Return the most restrictive of the markings, by their order in settings.

    Without an order, markings that differ cannot be ranked, so they are all kept, in the
    order met, rather than a less restrictive one silently winning.
    """
    present = [m for m in dict.fromkeys(markings) if m]
    if len(present) <= 1:
        return present[0] if present else ""
    if order and all(m in order for m in present):
        return max(present, key=order.index)
    return " // ".join(present)


def topic_score(topic: Topic, audience: Audience) -> float:
    """Return how much a topic matters to an audience; 0 means leave it out."""
    relevance = WEIGHT_VALUES[topic.relevance.get(audience.id, "medium")]
    tag_weights = [audience.tags[tag] for tag in topic.tags if tag in audience.tags]
    if topic.id in audience.topics:
        interest = WEIGHT_VALUES[audience.topics[topic.id]]
    elif tag_weights:
        interest = 0.0 if "none" in tag_weights else max(WEIGHT_VALUES[w] for w in tag_weights)
    else:
        interest = WEIGHT_VALUES["medium"]
    return WEIGHT_VALUES[topic.priority] * relevance * interest


def select(content: Content, brief: Brief, audience: Audience, length: Length) -> Plan:
    """Return the plan of one output before any fitting to its page budget.

    The first section stays first (it sets the scene); the others, and the topics within
    each section, follow the audience's weights, keeping the brief's order among equals.
    """
    cuts: list[Cut] = []
    sections = []
    for section in brief.sections:
        planned = []
        for topic_id in section.topics:
            topic = content.topics[topic_id]
            score = topic_score(topic, audience)
            if score == 0:
                cuts.append(Cut(topic_id, f"not relevant to {audience.id}"))
                continue
            planned.append(PlannedTopic(topic, length.detail, score))
        if planned:
            planned.sort(key=lambda p: -p.score)  # what matters most to this reader first
            sections.append(PlannedSection(section.title, section.intro, tuple(planned)))
    sections[1:] = sorted(sections[1:], key=lambda s: -max(p.score for p in s.topics))
    included = {p.topic.id for s in sections for p in s.topics}
    recommendations = []
    for rec in brief.recommendations:
        if rec.audiences and audience.id not in rec.audiences:
            cuts.append(Cut(f"recommendation: {rec.title}", f"not for {audience.id}"))
        elif rec.topics and not included.intersection(rec.topics):
            cuts.append(Cut(f"recommendation: {rec.title}", "its topics are not included"))
        else:
            score = WEIGHT_VALUES[rec.priority] ** 3  # on the scale of a topic's score
            recommendations.append(PlannedRecommendation(rec, "summary", score))
    return Plan(brief, audience, length, tuple(sections), tuple(recommendations),
                length.bibliography, tuple(cuts))


def shrink(plan: Plan) -> Plan | None:
    """Return the next smaller plan: the least important item loses detail or goes.

    Topics step down full -> summary (losing their key points one by one, last first) ->
    headline -> left out; recommendations step down
    from title and body to the title alone, then go. The first topic always stays.
    Returns None when nothing is left to take away.
    """
    if plan.bibliography:
        return replace(plan, bibliography=False,
                       cuts=plan.cuts + (Cut("bibliography", "page budget"),))
    items = [*plan.topics[1:], *plan.recommendations]
    if plan.topics and plan.topics[0].detail != "headline":
        items.append(plan.topics[0])
    if not items:
        return None
    weakest = min(items, key=lambda item: (item.score, -_level(item)))
    if isinstance(weakest, PlannedTopic) and weakest.shown_points > 0:  # last key point first
        return _swap(plan, weakest, replace(weakest, points=weakest.shown_points - 1))
    if _level(weakest) > 0:
        return _swap(plan, weakest, replace(weakest, detail=DETAIL_LEVELS[_level(weakest) - 1]))
    reason = f"page budget (lowest weight for {plan.audience.id})"
    cut = Cut(_name(weakest), reason)
    return replace(_swap(plan, weakest, None), cuts=plan.cuts + (cut,))


CUT = -1  # the level of an item left out


def item_key(plan: Plan, item) -> str:
    """Return the stable key of a planned topic or recommendation within its brief."""
    if isinstance(item, PlannedTopic):
        return f"topic:{item.topic.id}"
    index = next(i for i, rec in enumerate(plan.brief.recommendations)
                 if rec is item.recommendation)
    return f"rec:{index}"


def levels_of(plan: Plan) -> dict[str, int]:
    """Return the level of every item of a plan (absent items are simply missing)."""
    levels = {item_key(plan, item): _level(item)
              for item in [*plan.topics, *plan.recommendations]}
    for planned in plan.topics:  # each key point of a summary is an item of its own
        for index in range(len(planned.topic.key_points) if planned.detail == "summary" else 0):
            levels[point_key(planned.topic.id, index)] = \
                0 if index < planned.shown_points else CUT
    levels["bibliography"] = 0 if plan.bibliography else CUT
    return levels


def point_key(topic_id: str, index: int) -> str:
    """Return the fit key of a topic's key point (in the order written)."""
    return f"point:{topic_id}:{index}"


def with_levels(plan: Plan, levels: dict[str, int]) -> Plan:
    """Return the unfitted plan with each item at its level (CUT or missing: left out).

    Items keep their order; a section whose topics are all left out goes with them.
    """
    reason = f"page budget (lowest weight for {plan.audience.id})"
    cuts = list(plan.cuts)

    def level_of(item):
        level = levels.get(item_key(plan, item), CUT)
        if level == CUT:
            cuts.append(Cut(_name(item), reason))
            return None
        item = replace(item, detail=DETAIL_LEVELS[min(level, _level(item))])
        if isinstance(item, PlannedTopic) and item.detail == "summary":
            shown = 0  # the leading key points whose keys are in
            while levels.get(point_key(item.topic.id, shown), CUT) >= 0:
                shown += 1
            item = replace(item, points=None if shown >= len(item.topic.key_points) else shown)
        return item

    sections = []
    for section in plan.sections:
        topics = tuple(t for t in map(level_of, section.topics) if t is not None)
        if topics:
            sections.append(replace(section, topics=topics))
    recommendations = tuple(r for r in map(level_of, plan.recommendations) if r is not None)
    bibliography = plan.bibliography and levels.get("bibliography", CUT) >= 0
    if plan.bibliography and not bibliography:
        cuts.insert(len(plan.cuts), Cut("bibliography", "page budget"))
    trimmed = any(levels.get(key, CUT) < level for key, level in levels_of(plan).items())
    return replace(plan, sections=tuple(sections), recommendations=recommendations,
                   bibliography=bibliography, cuts=tuple(cuts), trimmed=trimmed)


def shrink_sequence(plan: Plan) -> list[dict[str, int]]:
    """Return the levels of every plan ``shrink`` passes through, fullest first."""
    sequence = [levels_of(plan)]
    while (plan := shrink(plan)) is not None:
        sequence.append(levels_of(plan))
    return sequence


def measuring_plan(plan: Plan) -> Plan:
    """Return a plan holding every item at every level it may take, to measure them all.

    Each topic appears once per level, from its headline up to its planned detail, each
    recommendation without and with its body, so one layout gives every height the fitter
    needs. Lowest levels first: a source's first (full) note then falls in the level that
    short outputs print.
    """
    sections = tuple(
        replace(section, topics=tuple(
            replace(p, detail=DETAIL_LEVELS[level])
            for p in section.topics for level in range(_level(p) + 1)))
        for section in plan.sections)
    recommendations = tuple(
        replace(r, detail=DETAIL_LEVELS[level])
        for r in plan.recommendations for level in range(_level(r) + 1))
    return replace(plan, sections=sections, recommendations=recommendations)


def detail_rank(plan: Plan) -> int:
    """Return how much detail a plan's items may take, to find the fullest of several."""
    return sum(_level(item) + 1 for item in [*plan.topics, *plan.recommendations])


def _level(item) -> int:
    return DETAIL_LEVELS.index(item.detail)


def _name(item) -> str:
    if isinstance(item, PlannedTopic):
        return item.topic.id
    return f"recommendation: {item.recommendation.title}"


def _swap(plan: Plan, old, new) -> Plan:
    """Return the plan with one planned item replaced (or removed when new is None)."""
    if isinstance(old, PlannedRecommendation):
        recs = tuple(new if r is old else r for r in plan.recommendations if new or r is not old)
        return replace(plan, recommendations=recs)
    sections = []
    for section in plan.sections:
        topics = tuple(new if p is old else p for p in section.topics if new or p is not old)
        if topics:
            sections.append(replace(section, topics=topics))
    return replace(plan, sections=tuple(sections))
