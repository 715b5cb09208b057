"""JSON Schemas of every content file kind: the one definition of the format.

Validation runs these schemas; ``brief schema`` prints them for editors. Keep them in step
with docs/content-format.md.
"""

from __future__ import annotations

from generator import ids

ID_PATTERN = ids.PATTERN
WEIGHTS = ["high", "medium", "low", "none"]
DETAILS = ["headline", "summary", "full"]
PAPERS = ["letter", "a4"]
LEADS = ["bottom-line", "context"]
PORTION_PATTERN = r"^[A-Z][A-Z0-9/-]*$"
SOURCE_TYPES = [
    "report", "article-journal", "article-newspaper", "article-magazine", "webpage",
    "legislation", "treaty", "dataset", "book", "chapter", "document", "speech", "interview",
]

_id = {"type": "string", "pattern": ID_PATTERN, "maxLength": ids.MAX_LENGTH,
       "description": f"an id: {ids.RULE}"}
_id_keys = {"pattern": ID_PATTERN, "maxLength": ids.MAX_LENGTH}
_text = {"type": "string", "minLength": 1}
_markdown = {"type": "string", "minLength": 1, "description": "Markdown text"}
_weight = {"enum": WEIGHTS}
_ids = {"type": "array", "items": _id}
_date = {
    "type": ["string", "integer"],
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
    "format": "partial-date",  # a month or day that exists (schemacheck.py checks it)
    "description": "YYYY, YYYY-MM or YYYY-MM-DD",
}
_full_date = {"type": "string", "format": "date", "description": "a date as YYYY-MM-DD"}
UNITS = ["count", "people", "percent", "usd", "krw", "jpy", "km", "metres", "meters", "ratio",
         "days"]
_pattern_unit = {"type": "string", "pattern": r"^[^{}]*\{value\}[^{}]*$",
                 "description": "a display pattern holding the number once, e.g. "
                                "'{value} days' or '${value} million a year': the number is "
                                "written for the reader's locale, the words as given"}


def _object(properties: dict, required: tuple = (), description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


SETTINGS = _object(
    {
        "organization": _text,
        "paper": {"enum": PAPERS},
        "language": _text,
        "reading_speed": {"type": "integer", "minimum": 50, "maximum": 1000},
        "spelling": {"enum": ["en-US", "en-GB"],
                     "description": "the house spelling: brief check warns about words "
                                    "spelt the other way"},
        "citation_style": {**_id, "description": "the CSL style of notes and bibliographies: "
                                                 "a .csl file in templates/csl/ (default "
                                                 "chicago-note-bibliography)"},
        "max_file_bytes": {"type": "integer", "minimum": 1024},
        "max_yaml_depth": {"type": "integer", "minimum": 8, "maximum": 10_000},
        "max_yaml_values": {"type": "integer", "minimum": 1000},
        # At most Pillow's own refusal (twice its PIL.Image.MAX_IMAGE_PIXELS): above it the
        # PDF would drop the image.
        "max_image_pixels": {"type": "integer", "minimum": 1, "maximum": 178_956_970,
                             "description": "the most pixels (width × height) a raster "
                                            "image may have"},
        "markings": {
            "type": "array", "minItems": 1,
            "description": "marking levels from least to most restrictive: a banner, or "
                           "{banner, portion} where portion is the short mark that topics "
                           "and paragraphs carry, e.g. {banner: CUI, portion: CUI}",
            "items": {"oneOf": [_text, _object({"banner": _text, "portion": {
                "type": "string", "pattern": PORTION_PATTERN,
                "description": "capitals, digits, / and -, e.g. U, CUI, U//FOUO"}},
                required=("banner", "portion"))]},
        },
    },
    description="content/settings.yaml: project-wide defaults",
)

LENGTH = _object(
    {
        "label": _text,
        "pages": {"type": "integer", "minimum": 1, "description": "page budget; omit for none"},
        "detail": {"enum": DETAILS},
        "bibliography": {"type": "boolean"},
    },
    required=("label",),
)

LENGTHS = {
    "type": "object",
    "description": "content/lengths.yaml: named page budgets",
    "propertyNames": _id_keys,
    "additionalProperties": LENGTH,
    "minProperties": 1,
}

AUDIENCE = _object(
    {
        "name": _text,
        "description": _text,
        "document_type": _id,
        "marking": _text,
        "topics": {"type": "object", "propertyNames": _id_keys, "additionalProperties": _weight},
        "tags": {"type": "object", "propertyNames": _id_keys, "additionalProperties": _weight},
        "terms": {
            "type": "object",
            "description": "preferred names: a name as written -> the name to print, or "
                           "{first, then}: `first` at its first use in a document, `then` "
                           "after; matched as whole words in any case, never inside "
                           "quotations, source titles or code",
            "additionalProperties": {"oneOf": [_text, _object(
                {"first": _text, "then": _text}, required=("first", "then"))]},
        },
        "keep": {"type": "array", "items": _text,
                 "description": "names that terms never alter, e.g. a street named for a "
                                "term"},
        "locale": {**_text, "description": "how numbers are written for these readers, e.g. "
                                           "en-US, en-GB, de-DE (default: the language)"},
        "figures_as_of": {"type": "boolean", "description": "print 'Figures as of <date>' "
                                                            "from the oldest fact used"},
        "lead": {
            "description": "what documents open with: `bottom-line` (a bottom-line box, then "
                           "the recommendations, then the sections) or `context` (lede, "
                           "sections, recommendations last); one value, or one per length id",
            "oneOf": [{"enum": LEADS},
                      {"type": "object", "propertyNames": _id_keys,
                       "additionalProperties": {"enum": LEADS}}],
        },
    },
    required=("name",),
    description="content/audiences/<id>.yaml: one reader profile",
)

TOPIC = _object(
    {
        "id": _id,
        "title": _text,
        "headline": _text,
        "summary": _markdown,
        "key_points": {"type": "array", "items": _markdown},
        "tags": _ids,
        "priority": {"enum": ["high", "medium", "low"]},
        "relevance": {"type": "object", "propertyNames": _id_keys,
                      "additionalProperties": _weight},
        "sources": _ids,
        "notes": _text,
        "marking": {**_text, "description": "the topic's portion mark (e.g. CUI) or banner, "
                                           "from settings.markings"},
    },
    required=("title", "headline", "summary"),
    description="front matter of content/topics/<id>.md; the Markdown after it is the body",
)

AUTHOR = _object(
    {"name": _text, "affiliation": _text, "office": _text, "bio": _markdown},
    required=("name",),
)

SECTION = _object(
    {"title": _text, "intro": _markdown, "topic": _id, "topics": {**_ids, "minItems": 1}},
    description="either `topic: id`, or `title:` with `topics: [ids]`",
)
SECTION["oneOf"] = [{"required": ["topic"]}, {"required": ["title", "topics"]}]

RECOMMENDATION = _object(
    {
        "title": _text,
        "body": _markdown,
        "priority": {"enum": ["high", "medium", "low"]},
        "topics": _ids,
        "audiences": {**_ids, "description": "shown only to these audiences (default: all)"},
    },
    required=("title",),
)

BRIEF = _object(
    {
        "id": _id,
        "title": _text,
        "subtitle": _text,
        "type": _id,
        "date": _full_date,
        "paper": {"enum": PAPERS},
        "language": _text,
        "authors": {"type": "array", "items": AUTHOR, "minItems": 1},
        "lede": _markdown,
        "figures_as_of": {"type": "boolean"},
        "citation_style": {**_id, "description": "a CSL style in templates/csl/ (file name "
                                                 "without .csl); default from settings"},
        "bottom_line": {"oneOf": [_markdown, {
            "type": "object", "minProperties": 1, "propertyNames": _id,
            "additionalProperties": _markdown,
            "description": "a bottom line per audience id, where readers decide different "
                           "things"}],
            "description": "the bottom line up front, for audiences whose documents lead "
                           "with it: Markdown, or a mapping of audience id to Markdown"},
        "sections": {"type": "array", "items": SECTION, "minItems": 1},
        "recommendations": {"type": "array", "items": RECOMMENDATION},
        "notes": _markdown,
        "acknowledgments": _markdown,
        "audiences": {**_ids, "minItems": 1},
        "lengths": {**_ids, "minItems": 1},
        "marking": _text,
    },
    required=("title", "type", "date", "authors", "sections", "audiences", "lengths"),
    description="content/briefs/<id>.yaml: one document",
)

PACK_PART = _object({"brief": _id, "audience": _id, "length": _id},
                    required=("brief", "audience", "length"))

PACK = _object(
    {
        "title": _text,
        "subtitle": _text,
        "date": _full_date,
        "recipient": _text,
        "marking": _text,
        "paper": {"enum": PAPERS},
        "language": _text,
        "recto": {"type": "boolean", "description": "start every brief on a right-hand page"},
        "briefs": {"type": "array", "items": PACK_PART, "minItems": 1},
    },
    required=("title", "date", "briefs"),
    description="content/packs/<id>.yaml: several briefs bound into one document",
)

NAME = {
    "description": "a name: 'Given Family' text, or a mapping with family and given",
    "oneOf": [
        {"type": "string", "minLength": 1, "description": "Given Family, or an organization"},
        _object({"family": _text, "given": _text, "family_first": {
            "type": "boolean", "description": "the name is written family name first, as "
                                              "Korean, Japanese and Chinese names often are "
                                              "(Lee Geun), in every position"}},
                required=("family",)),
        _object({"literal": _text}, required=("literal",), description="an organization"),
    ]
}

SOURCE = _object(
    {
        "id": _id,
        "type": {"enum": SOURCE_TYPES},
        "title": _text,
        "authors": {"type": "array", "items": NAME},
        "editors": {"type": "array", "items": NAME},
        "publisher": _text,
        "container": _text,
        "volume": {"type": ["string", "integer"]},
        "issue": {"type": ["string", "integer"]},
        "pages": {"type": ["string", "integer"]},
        "number": {"type": ["string", "integer"]},
        "genre": {"type": "string", "minLength": 1,
                  "description": "the kind of report, printed before its number "
                                 "(CRS Report no. IF11388)"},
        "date": _date,
        "accessed": _full_date,
        "url": {"type": "string", "pattern": r"^https?://"},
        "doi": _text,
        "note": _text,
    },
    required=("id", "type", "title"),
)

SOURCES = {
    "type": "array",
    "items": SOURCE,
    "description": "content/sources/<name>.yaml: a list of bibliography entries",
}

FACT = _object(
    {
        "value": {"type": "number", "description": "the figure, as a plain number"},
        "unit": {"oneOf": [{"enum": [*UNITS, "year"]}, _pattern_unit],
                 "description": f"a unit ({', '.join([*UNITS, 'year'])}) or a pattern holding "
                                "{value} once, such as '{value} days'; it decides how the "
                                "number prints (metres as m, ratio 2.4 as 2.4:1, days in the "
                                "reader's words)"},
        "as_of": {**_date, "description": "the date the figure describes (YYYY[-MM[-DD]])"},
        "source": {**_id, "description": "the id of the source it comes from"},
        "locator": {**_text, "description": "where in the source, e.g. 'p. 12'"},
        "note": _text,
    },
    required=("value", "unit"),
)

FACTS = {
    "type": "object",
    "description": "content/facts/<name>.yaml: named figures, each written once",
    "propertyNames": _id_keys,
    "additionalProperties": FACT,
}

CHART_TYPES = ["bar", "grouped-bar", "stacked-bar", "line", "timeline"]
_fact_ref = _object({"fact": {**_id, "description": "the id of a fact in content/facts/"}},
                    required=("fact",))
_source_ref = {
    "oneOf": [_id, _object({"source": _id, "locator": _text}, required=("source",))],
    "description": "a source id, or {source: id, locator: 'p. 12'}",
}

CHART = _object(
    {
        "type": {"enum": CHART_TYPES, "description": "how the data is drawn"},
        "title": {**_text, "description": "what the figure shows, in a few words"},
        "alt": {**_text, "description": "alt text: what a reader who cannot see the chart "
                                         "should learn from it (required)"},
        "caption": {**_markdown, "description": "a sentence or two under the title (Markdown)"},
        "unit": {"oneOf": [{"enum": UNITS}, _pattern_unit],
                 "description": f"what the values count, as for facts: a unit "
                                f"({', '.join(UNITS)}) or a pattern such as '{{value}} days'"},
        "axis": {**_text, "description": "the label of the value axis"},
        "categories": {"type": "array", "minItems": 1,
                       "items": {"type": ["string", "integer"], "minLength": 1},
                       "description": "the labels along the category axis (bar, grouped-bar, "
                                      "line), one per value of each series"},
        "series": {
            "type": "array", "minItems": 1,
            "items": _object({
                "name": _text,
                "values": {"type": "array", "minItems": 1, "items": {
                    "oneOf": [{"type": "number"}, {"type": "null"}, _fact_ref],
                    "description": "a number, ~ (no figure), or {fact: id}"}},
            }, required=("name", "values")),
        },
        "events": {
            "type": "array", "minItems": 2,
            "description": "timeline: the dated events, each {date: YYYY[-MM[-DD]], label}",
            "items": _object({"date": _date, "label": _text}, required=("date", "label")),
        },
        "sources": {"type": "array", "minItems": 1, "items": _source_ref,
                    "description": "where the data comes from (facts add their own)"},
    },
    required=("type", "title", "alt"),
    description="content/charts/<id>.yaml: a figure drawn from data, placed in a topic's "
                "body by a line '{chart:id}'",
)

KINDS: dict[str, dict] = {
    "settings": SETTINGS,
    "lengths": LENGTHS,
    "audience": AUDIENCE,
    "topic": TOPIC,
    "brief": BRIEF,
    "pack": PACK,
    "sources": SOURCES,
    "facts": FACTS,
    "chart": CHART,
}


def json_schema(kind: str | None = None) -> dict:
    """Return the JSON Schema of one file kind, or of all kinds under ``$defs``."""
    if kind is not None:
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **KINDS[kind]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "brief content files",
        "$defs": dict(KINDS),
    }
