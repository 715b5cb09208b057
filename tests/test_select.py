"""Selection: what an audience sees and what a page budget cuts."""

from __future__ import annotations

from conftest import SAMPLE

from generator.load import load_content
from generator.select import select, shrink, topic_score


def content():
    loaded = load_content(SAMPLE)
    assert loaded.problems == []
    return loaded.content


def test_relevance_none_leaves_a_topic_out_with_a_reason():
    c = content()
    plan = select(c, c.briefs["harbor-memo"], c.audiences["public"], c.lengths["full"])
    ids = [p.topic.id for p in plan.topics]
    assert "lighthouse-costs" not in ids
    assert any(cut.what == "lighthouse-costs" and "not relevant" in cut.reason for cut in plan.cuts)


def test_tag_weights_raise_and_lower_scores():
    c = content()
    staff = c.audiences["staff"]
    assert topic_score(c.topics["harbor-overview"], staff) > topic_score(c.topics["keepers-history"], staff)


def test_length_sets_the_level_of_detail():
    c = content()
    plan = select(c, c.briefs["harbor-memo"], c.audiences["staff"], c.lengths["one-page"])
    assert {p.detail for p in plan.topics} == {"summary"}


def test_shrinking_ends_and_only_ever_removes():
    c = content()
    plan = select(c, c.briefs["harbor-memo"], c.audiences["staff"], c.lengths["full"])
    steps = 0
    while (smaller := shrink(plan)) is not None:
        assert len(smaller.topics) <= len(plan.topics)
        assert len(smaller.recommendations) <= len(plan.recommendations)
        plan, steps = smaller, steps + 1
    assert steps > 3
    assert [p.topic.id for p in plan.topics] == ["harbor-overview"]  # the lead topic stays
    assert plan.topics[0].detail == "headline" and not plan.recommendations


def test_topic_order_follows_the_audience_weights():
    from dataclasses import replace

    c = content()
    brief = c.briefs["harbor-memo"]
    history_first = replace(brief.sections[1], topics=["keepers-history", "lighthouse-costs"])
    brief = replace(brief, sections=[brief.sections[0], history_first])
    staff = select(c, brief, c.audiences["staff"], c.lengths["full"])
    ids = [p.topic.id for p in staff.topics]
    assert ids[0] == "harbor-overview"  # the opening section stays first
    scores = [p.score for p in staff.topics[1:]]
    costs, history = ids.index("lighthouse-costs"), ids.index("keepers-history")
    # Staff weigh budget high and history low: the costs come before the keepers' history.
    assert costs < history and scores == sorted(scores, reverse=True)


def test_a_summary_loses_its_key_points_one_by_one_before_it_becomes_a_headline():
    c = content()
    plan = select(c, c.briefs["harbor-memo"], c.audiences["staff"], c.lengths["one-page"])
    seen = []
    while (plan := shrink(plan)) is not None:
        overview = next((p for p in plan.topics if p.topic.id == "harbor-overview"), None)
        if overview is not None:
            seen.append((overview.detail, overview.shown_points))
    total = len(c.topics["harbor-overview"].key_points)
    summaries = [points for detail, points in seen if detail == "summary"]
    assert total >= 2 and sorted(set(summaries), reverse=True) == list(range(total, -1, -1))
    assert seen[-1] == ("headline", 0)  # and only then the headline


def test_with_levels_keeps_the_leading_key_points_named():
    from generator.select import levels_of, point_key, with_levels

    c = content()
    plan = select(c, c.briefs["harbor-memo"], c.audiences["staff"], c.lengths["one-page"])
    levels = levels_of(plan)
    levels[point_key("harbor-overview", 1)] = -1
    fitted = with_levels(plan, levels)
    overview = next(p for p in fitted.topics if p.topic.id == "harbor-overview")
    assert overview.shown_points == 1 and fitted.trimmed
    assert fitted.describe()["key_points"] == {"harbor-overview": "1 of 2"}
