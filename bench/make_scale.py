"""Write a synthetic content base for the scale benchmark: N topics, 50 briefs, 5 audiences.

    python bench/make_scale.py 1000 /tmp/scale-1000    (then: brief --content /tmp/scale-1000 check)

The content is made up but shaped like the real thing: topics with front matter (headline,
summary, key points, tags, priority, relevance, sources) and a Markdown body of a few
hundred words in subsections, with citations (some with page locators), an explanatory
note, a list and a figure from the facts registry; ten sources; five audiences weighting
tags and topics; briefs of titled sections with recommendations. Every topic belongs to
exactly one brief (topic i to brief i mod 50), so the work of a build grows with N. Briefs
are built at the full length only: budgeted lengths add WeasyPrint layouts, which the floor
figure measures. Deterministic: the same N gives the same files. Use the real templates.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

BRIEFS = 50
AUDIENCES = ["legislators", "defence-planners", "diplomats", "analysts", "press"]
SOURCES = 10
FACTS = 5
TAGS = ["alliance", "deterrence", "trade", "history", "public-opinion", "force-posture",
        "missile-defense", "cyber", "energy", "maritime", "legal-framework", "budget"]
LEVELS = ["high", "medium", "low"]
SUBJECTS = ["coastal patrol cooperation", "port access", "export controls", "shipbuilding",
            "air defence integration", "host-nation support", "exercise planning",
            "satellite early warning", "undersea cables", "critical minerals", "civil aviation",
            "fisheries enforcement", "reserve forces", "defence procurement", "energy imports",
            "space situational awareness", "pandemic preparedness", "visa policy",
            "humanitarian relief", "chip supply chains"]
REGIONS = ["the northern straits", "the southern islands", "the eastern sea lanes",
           "the border provinces", "the capital region", "the western ports"]
GIVEN = ["Alex", "Jordan", "Min", "Yuki", "Sam", "Hana", "Chris", "Ji-woo"]
FAMILY = ["Analyst", "Park", "Tanaka", "Miller", "Kim", "Sato", "Lee", "Brown"]
VERBS = ["strengthened", "complicated", "reshaped", "slowed", "accelerated", "tested"]
CLAUSES = [
    "officials on both sides describe the arrangement as a practical necessity",
    "the record of the last decade suggests that progress depends on domestic politics",
    "critics argue that the costs are understated and the benefits too distant",
    "planners have asked for clearer authorities before any crisis begins",
    "the legislature has held hearings but has not changed the underlying law",
    "surveys show steady public support, though it softens when costs are named",
    "the agreement leaves the hardest questions of command and funding open",
    "neighbouring governments watch the arrangement closely and respond in kind",
]


def sentence(rng: random.Random, cite: bool = True) -> str:
    text = (f"{rng.choice(SUBJECTS).capitalize()} in {rng.choice(REGIONS)} has "
            f"{rng.choice(VERBS)} relations, and {rng.choice(CLAUSES)}")
    if cite and rng.random() < 0.5:
        source = f"src-{rng.randrange(SOURCES):02d}"
        locator = f", p. {rng.randrange(2, 180)}" if rng.random() < 0.5 else ""
        text += f" [@{source}{locator}]"
    return text + "."


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def topic(index: int, rng: random.Random) -> str:
    subject = SUBJECTS[index % len(SUBJECTS)]
    tags = rng.sample(TAGS, 3)
    sources = sorted({f"src-{rng.randrange(SOURCES):02d}" for _ in range(3)})
    relevance = "\n".join(f"  {a}: {rng.choice(LEVELS)}" for a in rng.sample(AUDIENCES, 2))
    first = sources[0]
    fact = f"fact-{index % FACTS}"
    body = [
        paragraph(rng),
        f"## Background\n\n{paragraph(rng)}\n\n{paragraph(rng, 3)}^[{sentence(rng, cite=False)}]",
        (f"## Current state\n\n{paragraph(rng, 3)} The figure most often cited is "
         f"{{fact:{fact}}}.\n\n"
         + "\n".join(f"- {sentence(rng)}" for _ in range(3))),
        f"## Outlook\n\n{paragraph(rng)}",
    ]
    return f"""---
title: {subject.capitalize()} {index}
headline: {sentence(rng, cite=False)}
summary: >
  {sentence(rng, cite=False)} {sentence(rng, cite=False)} [@{first}]
key_points:
  - {sentence(rng, cite=False)}
  - {sentence(rng, cite=False)} [@{first}]
  - {sentence(rng, cite=False)}
tags: [{", ".join(tags)}]
priority: {rng.choice(LEVELS)}
relevance:
{relevance}
sources: [{", ".join(sources)}]
---
""" + "\n\n".join(body) + "\n"


def brief(index: int, topics: list[str], rng: random.Random) -> str:
    sections = []
    for start in range(0, len(topics), 3):
        group = topics[start:start + 3]
        if len(group) == 1:
            sections.append(f"  - topic: {group[0]}")
        else:
            sections.append(f"  - title: Part {start // 3 + 1}\n"
                            f"    intro: {sentence(rng, cite=False)}\n"
                            f"    topics: [{', '.join(group)}]")
    recommendations = "\n".join(
        f"  - title: Recommendation {n + 1}\n"
        f"    body: {sentence(rng, cite=False)} [@src-{rng.randrange(SOURCES):02d}]\n"
        f"    priority: {rng.choice(LEVELS)}\n"
        f"    topics: [{rng.choice(topics)}]" for n in range(2))
    author = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    return f"""title: Synthetic Brief {index}
type: policy-memo
date: 2024-0{1 + index % 9}-15
authors:
  - name: {author}
    affiliation: Example Institute
    bio: {author} covers {SUBJECTS[index % len(SUBJECTS)]}.
bottom_line: >
  {sentence(rng, cite=False)} {sentence(rng, cite=False)}
sections:
{chr(10).join(sections)}
recommendations:
{recommendations}
audiences: [{", ".join(AUDIENCES)}]
lengths: [full]
"""


def audience(name: str, rng: random.Random) -> str:
    tags = "\n".join(f"  {tag}: {rng.choice(LEVELS)}" for tag in rng.sample(TAGS, 5))
    return f"""name: {name.replace("-", " ").capitalize()}
description: Synthetic readers for the scale benchmark.
document_type: policy-memo
marking: UNCLASSIFIED // FOR PUBLIC RELEASE
lead: context
tags:
{tags}
terms:
  the northern straits: the Northern Straits
"""


def sources() -> str:
    return "".join(f"""- id: src-{n:02d}
  type: report
  title: "Synthetic Report {n}: Alliance Questions"
  authors:
    - Pat Example{n}
  publisher: Example Research Service
  number: R{1000 + n}
  date: 20{10 + n}-06-01
  url: https://example.org/reports/{n}
""" for n in range(SOURCES))


def facts() -> str:
    return "".join(f"""fact-{n}:
  value: {1000 * (n + 1) + 250}
  unit: people
  as_of: 2023-0{n + 1}
  source: src-{n:02d}
""" for n in range(FACTS))


def write(folder: Path, topics: int, real_content: Path | None = None) -> Path:
    """Write the content base into folder (created); return it."""
    rng = random.Random(topics)
    real = real_content or Path(__file__).resolve().parent.parent / "content"
    for sub in ("topics", "briefs", "audiences", "sources", "facts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "settings.yaml").write_text("organization: Example Institute\npaper: letter\n"
                                          "language: en\n", "utf-8")
    (folder / "lengths.yaml").write_text((real / "lengths.yaml").read_text("utf-8"), "utf-8")
    (folder / "sources" / "bibliography.yaml").write_text(sources(), "utf-8")
    (folder / "facts" / "figures.yaml").write_text(facts(), "utf-8")
    for name in AUDIENCES:
        (folder / "audiences" / f"{name}.yaml").write_text(audience(name, rng), "utf-8")
    ids = [f"topic-{n:04d}" for n in range(topics)]
    for n, topic_id in enumerate(ids):
        (folder / "topics" / f"{topic_id}.md").write_text(topic(n, rng), "utf-8")
    for b in range(BRIEFS):
        mine = ids[b::BRIEFS]
        if mine:
            (folder / "briefs" / f"brief-{b:02d}.yaml").write_text(brief(b, mine, rng), "utf-8")
    return folder


if __name__ == "__main__":
    print(write(Path(sys.argv[2]), int(sys.argv[1])))
