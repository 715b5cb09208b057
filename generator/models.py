"""The content model: what the loader builds and every later stage reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

WEIGHT_VALUES = {"none": 0.0, "low": 1.0, "medium": 2.0, "high": 3.0}
DETAIL_LEVELS = ("headline", "summary", "full")


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a file and the 1-based line in it."""

    path: Path
    line: int = 1


class Located:
    """Mixin for items read from one file: the line of any of their fields."""

    origin: Origin
    lines: dict

    def line(self, *path) -> int:
        """Return the line of the field at path, or of its nearest located parent."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, self.origin.line)


@dataclass
class Settings:
    organization: str = ""
    paper: str = "letter"
    language: str = "en"
    reading_speed: int = 230
    max_file_bytes: int = 10_000_000
    max_yaml_depth: int = 64
    max_yaml_values: int = 200_000
    max_image_pixels: int = 50_000_000  # width × height of a raster image
    citation_style: str = "chicago-note-bibliography"  # a .csl file in templates/csl/
    spelling: str = ""  # the house spelling, en-US or en-GB; empty: not checked
    markings: list[str] = field(default_factory=list)  # banners, least to most restrictive
    portions: dict[str, str] = field(default_factory=dict)  # portion mark -> its banner

    def banner_of(self, marking: str) -> str:
        """Return the banner of a portion mark (a banner is its own)."""
        return self.portions.get(marking, marking)


@dataclass
class Length:
    id: str
    label: str
    origin: Origin
    pages: int | None = None
    detail: str = "full"
    bibliography: bool = False


@dataclass
class Audience(Located):
    id: str
    name: str
    origin: Origin
    description: str = ""
    document_type: str | None = None
    marking: str = ""
    topics: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    terms: dict[str, str | dict] = field(default_factory=dict)  # name -> name, or {first, then}
    keep: list[str] = field(default_factory=list)  # names terms never alter
    lead: str | dict[str, str] = "context"
    locale: str = ""
    figures_as_of: bool = False
    lines: dict = field(default_factory=dict, repr=False)

    def lead_for(self, length: str) -> str:
        """Return what this audience's documents of a length open with."""
        if isinstance(self.lead, dict):
            return self.lead.get(length, "context")
        return self.lead


@dataclass
class Prose:
    """Markdown text and where it starts, so problems inside it can be located."""

    text: str
    origin: Origin


@dataclass
class Topic(Located):
    id: str
    title: str
    headline: Prose
    summary: Prose
    body: Prose
    origin: Origin
    key_points: list[Prose] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    priority: str = "medium"
    relevance: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    notes: str = ""
    marking: str = ""
    lines: dict = field(default_factory=dict, repr=False)

    def prose(self) -> list[Prose]:
        """Return every piece of Markdown the topic holds."""
        return [self.headline, self.summary, self.body, *self.key_points]


@dataclass
class Author:
    name: str
    affiliation: str = ""
    office: str = ""
    bio: Prose | None = None


@dataclass
class Section:
    topics: list[str]
    origin: Origin
    title: str = ""
    intro: Prose | None = None


@dataclass
class Recommendation:
    title: str
    origin: Origin
    body: Prose | None = None
    priority: str = "medium"
    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)  # empty: every audience


@dataclass
class Brief(Located):
    id: str
    title: str
    type: str
    date: dt.date
    authors: list[Author]
    sections: list[Section]
    audiences: list[str]
    lengths: list[str]
    origin: Origin
    subtitle: str = ""
    paper: str | None = None
    language: str | None = None
    lede: Prose | None = None
    bottom_line: Prose | None = None
    bottom_lines: dict[str, Prose] = field(default_factory=dict)  # audience id -> its own
    recommendations: list[Recommendation] = field(default_factory=list)
    notes: Prose | None = None
    acknowledgments: Prose | None = None
    marking: str = ""
    figures_as_of: bool = False
    citation_style: str = ""
    lines: dict = field(default_factory=dict, repr=False)

    def prose(self) -> list[Prose]:
        """Return every piece of Markdown the brief itself holds (not its topics)."""
        prose = [self.lede, self.bottom_line, *self.bottom_lines.values(), self.notes,
                 self.acknowledgments]
        prose += [author.bio for author in self.authors]
        prose += [section.intro for section in self.sections]
        prose += [rec.body for rec in self.recommendations]
        return [p for p in prose if p is not None]

    def bottom_line_for(self, audience: str) -> Prose | None:
        """Return the bottom line an audience reads: its own, else the brief's."""
        return self.bottom_lines.get(audience, self.bottom_line)

    @property
    def topic_ids(self) -> list[str]:
        """Return every topic the brief draws on, in document order."""
        return [topic for section in self.sections for topic in section.topics]


@dataclass
class PackPart:
    brief: str
    audience: str
    length: str


@dataclass
class Pack(Located):
    """Several briefs, each for an audience and length, bound into one document."""

    id: str
    title: str
    date: dt.date
    parts: list[PackPart]
    origin: Origin
    subtitle: str = ""
    recipient: str = ""
    marking: str = ""
    paper: str | None = None
    language: str | None = None
    recto: bool = False
    lines: dict = field(default_factory=dict, repr=False)


@dataclass
class Name:
    family: str
    given: str = ""
    literal: bool = False  # an organization, or a name not to be split
    family_first: bool = False  # written family name first (Lee Geun), wherever it stands


@dataclass
class Source:
    id: str
    type: str
    title: str
    origin: Origin
    authors: list[Name] = field(default_factory=list)
    editors: list[Name] = field(default_factory=list)
    publisher: str = ""
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    number: str = ""
    genre: str = ""  # the kind of report, printed before its number: "CRS Report"
    date: str = ""
    accessed: str = ""
    url: str = ""
    doi: str = ""
    note: str = ""


@dataclass
class Fact(Located):
    """A named figure: written once, cited wherever prose uses it."""

    id: str
    value: float
    unit: str
    origin: Origin
    as_of: str = ""
    source: str = ""
    locator: str = ""
    note: str = ""
    lines: dict = field(default_factory=dict, repr=False)


@dataclass
class Chart(Located):
    """A figure drawn from data: a content file like a topic, placed by ``{chart:id}``."""

    id: str
    type: str
    title: str
    alt: str
    origin: Origin
    caption: str = ""
    unit: str = "count"
    axis: str = ""
    categories: list = field(default_factory=list)  # labels along the category axis
    series: list[dict] = field(default_factory=list)  # {name, values: [number | {fact} | None]}
    events: list[dict] = field(default_factory=list)  # timeline: {date, label}
    sources: list = field(default_factory=list)  # source ids or {source, locator}
    lines: dict = field(default_factory=dict, repr=False)


@dataclass
class Content:
    """Everything in one content folder, by id."""

    root: Path
    settings: Settings
    lengths: dict[str, Length]
    audiences: dict[str, Audience]
    topics: dict[str, Topic]
    briefs: dict[str, Brief]
    sources: dict[str, Source]
    packs: dict[str, Pack] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # "kind:id" of files that failed to load
    digests: dict[Path, str] = field(default_factory=dict)  # sha256 of every file read
