"""The default content base: complete, sourced, dated, and in our own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from generator.facts import format_value
from generator.load import load_content
from generator.markdown import FACT, find_citations, find_facts

CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def content():
    loaded = load_content(CONTENT)
    assert loaded.problems == []
    return loaded.content


def as_read(text: str, facts: dict) -> str:
    """Return prose with each {fact:id} written as the reader gets it: the value, then a
    citation of the fact's source (which is what rendering attaches)."""
    def value(match: re.Match) -> str:
        fact = facts[match.group(1)]
        locator = f", {fact.locator}" if fact.locator else ""
        return f"{format_value(fact.value, fact.unit, 'en')} [@{fact.source}{locator}]"

    return FACT.sub(value, text)


def full_text(topic, facts: dict) -> str:
    return as_read("\n".join([topic.title, topic.headline.text, topic.summary.text,
                              topic.body.text, *(p.text for p in topic.key_points)]), facts)


# Every subject of both source documents, with facts each must carry.
REQUIRED = {
    "trilateral-overview": ["Cold War", "Soviet", "North Korea"],
    "us-japan-alliance": ["1951", "1960", "85", "33", "Okinawa", "54,000", "[@crs-rl33740"],
    "japan-postwar-recovery": ["1955", "Liberal Democratic Party", "1991"],
    "article-9": ["> ", "forever renounce war", "[@constitution-japan-1947"],
    "us-rok-alliance": ["38th parallel", "1950", "1953", "16", "28,500", "Camp Humphreys",
                        "1957", "[@crs-if11388"],
    "opcon-transfer": ["operational control"],
    "burden-sharing-sma": ["Special Measures Agreement", "50", "13", "furlough"],
    "japan-rok-relations": ["1895", "1905", "1910", "1945", "20", "49.9", "31.7", "Genron"],
    "intelligence-sharing": ["TISA", "GSOMIA"],
    "missile-defense-thaad": ["THAAD", "2016", "three no", "2017"],
    "north-korea-policy-differences": ["abduct", "famil"],
    "russia-relations": ["1990", "Kuril", "64", "26", "53", "16", "[@pew-2017"],
    "rok-china-relations": ["1992", "2004", "2015"],
    "japan-china-relations": ["1972", "Senkaku", "Diaoyu", "5.2", "9.6", "2012", "supply chain"],
    "us-policy-options-2021": ["2021 memo"],
    "us-china-power-shift": ["same boat"],
    "liberal-order-vs-sinocentric": ["liberal international order", "Sinocentric"],
    "two-domains-of-cooperation": ["traditional", "nontraditional"],
    "history-and-cooperation-tracks": ["history"],
    "japan-security-legislation-2015": ["2015", "ten", "one new", "three"],
    "collective-self-defense": ["three conditions", "Article 51"],
    "logistics-support-acsa": ["ACSA", "logistic"],
    "middle-power-cooperation": ["middle power"],
    "middle-power-security-agreements": ["2007", "Australia", "2009"],
}


@pytest.mark.parametrize("topic_id", sorted(REQUIRED))
def test_every_subject_of_the_source_documents_is_a_topic(content, topic_id):
    assert topic_id in content.topics
    topic = content.topics[topic_id]
    text = full_text(topic, content.facts)
    for fact in REQUIRED[topic_id]:
        assert fact.lower() in text.lower(), f"{topic_id} lacks {fact!r}"
    assert topic.key_points and topic.body.text.strip() and topic.sources


def test_the_memo_recommendations_are_attributed_and_dated(content):
    brief = content.briefs["trilateral-alliance"]
    assert len(brief.recommendations) == 6
    options = full_text(content.topics["us-policy-options-2021"], content.facts)
    assert "2021" in options and "memo" in options


def test_perspective_brief_carries_note_and_acknowledgment(content):
    brief = content.briefs["japanese-perspective"]
    assert "soeya-lee-2014" in brief.notes.text
    assert "Korea Foundation" in brief.acknowledgments.text
    assert "Friendship Commission" in brief.acknowledgments.text


def test_audiences_and_briefs_make_the_default_matrix(content):
    assert set(content.audiences) >= {"us-congress", "us-defense-planners", "japan-policy",
                                      "korea-policy", "press-public"}
    assert set(content.briefs) >= {"trilateral-alliance", "japanese-perspective",
                                   "north-korea-deterrence", "burden-sharing-opcon"}
    types = {b.type for b in content.briefs.values()}
    assert types == {"policy-memo", "perspective-brief"}


def test_contested_names_follow_each_audience(content):
    korea = content.audiences["korea-policy"].terms
    assert korea.get("Sea of Japan", "").startswith("East Sea")
    assert "Diaoyu" in content.audiences["press-public"].terms.get("Senkaku Islands", "")


def prose_of(content):
    """Yield (where, text) for all prose, with facts written out as the reader sees them."""
    for topic in content.topics.values():
        for prose in [topic.headline, topic.summary, topic.body, *topic.key_points]:
            yield topic.id, as_read(prose.text, content.facts)
    for brief in content.briefs.values():
        for prose in brief.prose():
            yield brief.id, as_read(prose.text, content.facts)


def test_every_fact_is_complete_and_used(content):
    used = {fact_id for _, text in raw_prose(content) for fact_id, _ in find_facts(text)}
    assert used <= set(content.facts)
    for fact in content.facts.values():
        assert fact.source in content.sources and fact.as_of, fact.id
    assert set(content.facts) - used == set()
    assert {"usfj-personnel", "usfk-personnel"} <= used


def raw_prose(content):
    for topic in content.topics.values():
        for prose in topic.prose():
            yield topic.id, prose.text
    for brief in content.briefs.values():
        for prose in brief.prose():
            yield brief.id, prose.text


def test_every_source_is_cited_and_every_figure_sourced(content):
    """What `brief check --strict` requires of sources and figures, without stale facts."""
    from generator.sourcing import check

    assert [f"{p.path}:{p.line}: {p.message}" for p in check(content)] == []


def test_every_cited_source_exists(content):
    for where, text in prose_of(content):
        for citation in find_citations(text):
            assert citation.source in content.sources, f"{where}: {citation.source}"


YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b")
ORDINAL_NAME = re.compile(r"\b(Article|Articles|No\.|no\.|Section|the \d+(st|nd|rd|th))\s*[\d,– ]+")
FIGURE = re.compile(r"\d[\d,.]*")


def sentences(text: str):
    """Split prose into sentences; a table belongs to the sentence that introduces it."""
    text = re.sub(r"^\s*(\d+\.|[-*])\s+", "", text, flags=re.MULTILINE)  # list markers
    text = re.sub(r"^>.*$", "", text, flags=re.MULTILINE)  # quotations are their own source
    text = re.sub(r"^#+ .*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"\n\n(?=\|)", "\n", text)
    return re.split(r"(?<=[.!?])\s+(?=[A-Z“\"(])|\n\n", text)


def figures_of(content):
    """Yield (where, sentence, paragraph) for every sentence of prose that states a figure."""
    for where, text in prose_of(content):
        for paragraph in re.split(r"\n\s*\n(?!\|)", text):
            for sentence in sentences(paragraph):
                bare = re.sub(r"\[@[^\]]*\]|\^\[[^\]]*\]", "", sentence)
                bare = re.sub(r"\b(1[89]|20)\d\d[–-]\d{2,4}\b|\b[A-Z]+-\d+\b", "", bare)
                bare = ORDINAL_NAME.sub("", YEAR.sub("", bare))
                bare = re.sub(rf"\b\d{{1,2}}\s+{MONTHS}\b|\b{MONTHS}\s+\d{{1,2}}\b", "", bare)
                if FIGURE.search(bare):
                    yield where, sentence, paragraph


MONTHS = ("(?:January|February|March|April|May|June|July|August|September|October|November|"
          "December)")


def test_every_figure_in_prose_is_tied_to_a_source(content):
    assert len(list(figures_of(content))) > 25  # the detector sees the content's figures
    unsourced = [f"{where}: {sentence.strip()[:90]}"
                 for where, sentence, _ in figures_of(content) if "[@" not in sentence]
    assert unsourced == []


def test_every_figure_in_prose_carries_the_date_it_describes(content):
    undated = [f"{where}: {sentence.strip()[:90]}"
               for where, sentence, paragraph in figures_of(content)
               if not YEAR.search(sentence) and not YEAR.search(paragraph)]
    assert undated == []


def _content_text_outside_quotations() -> list[tuple[Path, str]]:
    texts = []
    for path in sorted(CONTENT.rglob("*")):
        if path.suffix not in (".md", ".yaml") or "sources" in path.parts:
            continue
        lines = [line for line in path.read_text("utf-8").splitlines()
                 if not line.lstrip().startswith(">") and not line.startswith("title:")]
        texts.append((path, "\n".join(lines)))
    return texts


def test_no_run_of_eight_words_is_copied_from_the_source_documents():
    import importlib.util

    spec = importlib.util.spec_from_file_location("shingles", ROOT / "scripts/seed-shingles.py")
    shingles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shingles)
    seeds = set((FIXTURES / "seed-shingles.txt").read_text().split())
    copied = {str(path.relative_to(ROOT)): len(shingles.shingles(text) & seeds)
              for path, text in _content_text_outside_quotations()}
    assert {path: hits for path, hits in copied.items() if hits} == {}
