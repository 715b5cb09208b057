"""Markdown prose to safe HTML, through one configured markdown-it renderer.

Raw HTML in prose is shown as text, never passed through. Citations (``[@id, p. 3]``) and
notes (``^[text]``, ``[^label]``) become placeholders that the render stage numbers in the
order they appear in the finished document, so numbering follows what was actually built.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from generator.cache import DiskTable, code_digest
from generator.terms import Use, compile_terms

# One cite: "@id" and an optional ", locator". A citation is "[" cites joined by ";" "]".
# No part of it can hold "]", so a citation ends at the first "]" after its "[": the rule
# matches only up to there, and the possessive quantifiers (*+) never give back what they
# took, so a match costs time linear in its length, whatever the text (unclosed "[@a, "
# repeated thousands of times on one line included).
_CITE = r"@[A-Za-z0-9][\w:.#$%&+?<>~/-]*+(?:\s*+,[^;\]]*+)?"
CITATION = re.compile(rf"\[\s*+({_CITE}(?:\s*+;\s*+{_CITE})*+)\s*+\]")
PLACEHOLDER = '<sup class="note-ref" data-note="{}"></sup>'
# A paragraph may open with a portion mark, e.g. "(CUI) The plan ..."; which marks count is
# defined in settings.markings, so the renderer decides (others stay as written).
FACT = re.compile(r"\{fact:([a-z0-9][a-z0-9-]*)\}")
# A chart stands on a line of its own, as a block: it is a figure, not part of a sentence.
CHART = re.compile(r"[ \t]*\{chart:([a-z0-9][a-z0-9-]*)\}[ \t]*$")
CHART_ANYWHERE = re.compile(r"\{chart:[^}\s]*\}?")
PORTION = re.compile(r"^\(([A-Z][A-Z0-9/-]*)\)[ \t]+")
LANG_SETTING = re.compile(r"""lang=["']?+([^\s"'}]++)""")  # the tag of a {lang=..}


@dataclass
class Note:
    """A note in one document: a citation of sources, or explanatory text (HTML)."""

    cites: list[tuple[str, str]] = field(default_factory=list)  # (source id, locator)
    html: str = ""


@dataclass
class NoteBook:
    """Every note of one document, keyed by the order they were written down."""

    notes: list[Note] = field(default_factory=list)

    def add(self, note: Note) -> str:
        self.notes.append(note)
        return PLACEHOLDER.format(len(self.notes) - 1)


@dataclass(frozen=True)
class Citation:
    """A citation found in prose, for validation."""

    source: str
    locator: str
    line_offset: int


def _citation_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "[" or "@" not in state.src[state.pos:state.pos + 3]:
        return False
    end = _next_closing_bracket(state.src, state.pos)
    match = CITATION.fullmatch(state.src, state.pos, end + 1) if end >= 0 else None
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {
            "items": [_cite_item(part) for part in match.group(1).split(";")],
            "line_offset": _line_offset(state.src, state.pos),
        }
    state.pos = match.end()
    return True


def _cite_item(part: str) -> tuple[str, str]:
    """Return (source id, locator) of one cite, "@id" or "@id, locator" (a line break in
    the locator reads as a space, as it does in prose)."""
    source, _, locator = part.strip().removeprefix("@").partition(",")
    return source.strip(), " ".join(line.strip() for line in locator.strip().splitlines())


def _next_closing_bracket(text: str, start: int) -> int:
    """Return the index of the first "]" at or after start, or -1 (found by bisection in the
    text's "]" positions, listed once: searching the rest of the line from every "[" would
    make a line of many unclosed "[" quadratic)."""
    closers = _positions(text, "]")
    found = bisect.bisect_left(closers, start)
    return closers[found] if found < len(closers) else -1


def _line_offset(text: str, position: int) -> int:
    """Return how many line breaks come before position (by bisection, as above: counting
    from the start for every citation would be quadratic in a long paragraph of them)."""
    return bisect.bisect_left(_positions(text, "\n"), position)


@lru_cache(maxsize=8)
def _positions(text: str, char: str) -> list[int]:
    """Return the indexes of char in text (kept for the few texts being parsed)."""
    return [match.start() for match in re.finditer(re.escape(char), text)]


def _fact_rule(state, silent: bool) -> bool:
    """``{fact:id}``: a named figure from the facts registry, cited where it is used."""
    if not state.src.startswith("{fact:", state.pos):
        return False
    match = FACT.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("fact", "", 0)
        token.meta = {"id": match.group(1),
                      "line_offset": _line_offset(state.src, state.pos)}
    state.pos = match.end()
    return True


def _chart_rule(state, start: int, end: int, silent: bool) -> bool:
    """``{chart:id}`` alone on a line: a figure from content/charts/<id>.yaml."""
    begin = state.bMarks[start] + state.tShift[start]
    line = state.src[begin:state.eMarks[start]]
    match = CHART.match(line) if line.startswith("{chart:") else None
    if not match:
        return False
    if not silent:
        token = state.push("chart", "", 0)
        token.meta = {"id": match.group(1)}
        token.map = [start, start + 1]
        token.block = True
    state.line = start + 1
    return True


SAFE_SCHEMES = ("http:", "https:", "mailto:")


def is_safe_link(url: str) -> bool:
    """Allow web, mail, in-page and relative links; refuse javascript:, data:, file: and the rest."""
    scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*:)", url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def _portion_rule(state) -> None:
    """Lift a leading "(MARK) " off each paragraph into the paragraph's meta."""
    tokens = state.tokens
    for index, token in enumerate(tokens[1:], start=1):
        opener = tokens[index - 1]
        if token.type != "inline" or opener.type != "paragraph_open" or not token.children:
            continue
        first = token.children[0]
        if first.type == "text" and (match := PORTION.match(first.content)):
            first.content = first.content[match.end():]
            opener.meta = {**(opener.meta or {}), "portion": match.group(1)}


# Dashes typed as hyphens, the one replacement besides curly quotes an editor wants:
# markdown-it's others change what was typed ("(c)" in a quoted ordinance into "©").
EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.MULTILINE)
EN_DASH = re.compile(r"(^|\s)--(?=\s|$)|(^|[^-\s])--(?=[^-\s]|$)", re.MULTILINE)


def dashes(text: str) -> str:
    """Return text with '---' as an em dash and '--' as an en dash."""
    if "--" not in text:
        return text
    text = EM_DASH.sub(lambda m: m.group(1) + "\u2014", text)
    return EN_DASH.sub(lambda m: (m.group(1) or m.group(2) or "") + "\u2013", text)


def _dashes_rule(state) -> None:
    """Set dashes in the text of every inline token: never in code, nor in autolinks."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        in_autolink = False
        for child in token.children:
            if child.type == "link_open" and child.info == "auto":
                in_autolink = True
            elif child.type == "link_close" and child.info == "auto":
                in_autolink = False
            elif child.type == "text" and not in_autolink:
                child.content = dashes(child.content)


def _join_lines_rule(state) -> None:
    """Join the text on either side of each line break within a paragraph into one text
    token ("a living" / "shoreline"), so that a term written across two lines is found;
    the HTML is the same, a line break being a newline either way."""
    for token in state.tokens:
        children = token.children or []
        if token.type != "inline" or not any(c.type == "softbreak" for c in children):
            continue
        joined: list = []
        for child in children:
            if child.type == "text" and len(joined) >= 2 and joined[-1].type == "softbreak" \
                    and joined[-2].type == "text":
                joined.pop()
                joined[-1].content += "\n" + child.content
            else:
                joined.append(child)
        token.children = joined


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.validateLink = is_safe_link
    md.enable(["table", "strikethrough", "smartquotes"])
    md.use(footnote_plugin)
    # "[大韓民國]{lang=ko}": the one attribute prose may set, for text whose language the
    # automatic marking (generator/languages.py) would get wrong.
    md.use(attrs_plugin, spans=True, after=("span_close",), allowed=["lang"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("link", "fact", _fact_rule)
    md.block.ruler.before("paragraph", "chart", _chart_rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.before("smartquotes", "portion", _portion_rule)
    md.core.ruler.before("smartquotes", "dashes", _dashes_rule)
    md.core.ruler.after("smartquotes", "join_lines", _join_lines_rule)
    md.core.ruler.push("align_classes", _align_classes_rule)
    return md


def _align_classes_rule(state) -> None:
    """Turn a table cell's style="text-align:X" into class="align-X".

    The published page's Content-Security-Policy allows its stylesheet by hash and no
    style attributes, which would otherwise lose the alignment (and log a violation).
    """
    for token in state.tokens:
        style = token.attrs.get("style", "") if token.type in ("th_open", "td_open") else ""
        if style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrs["class"] = "align-" + style.removeprefix("text-align:")


def parse(text: str) -> tuple[list, dict]:
    """Parse Markdown into tokens and the environment holding its notes.

    The same prose is rendered in many outputs, so parses are cached; callers must not
    change the tokens (rendering copies what it changes) and get their own env.
    """
    tokens, env = _parse(text)
    return tokens, dict(env)


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[list, dict]:
    env: dict = {}
    return _parser().parse(text, env), env


class ProseRenderer:
    """Render the prose of one document, collecting its notes into a NoteBook."""

    def __init__(self, notebook: NoteBook, terms: dict | None = None,
                 image_src=None, portions: dict[str, str] | None = None,
                 facts: dict | None = None, locale: str = "en", chart_html=None,
                 keep: list | tuple = ()):
        self.notebook = notebook
        self.facts = facts or {}  # fact id -> Fact
        self.locale = locale  # how fact values are written
        self.facts_used: list = []  # the facts rendered, in order
        self.chart_html = chart_html  # chart id -> the figure's HTML (render.py draws it)
        self.portions = portions or {}  # portion mark -> banner, from settings.markings
        self.portions_found: list[str] = []  # banners of the portion marks rendered
        self.image_src = image_src  # maps an image's path to the src the medium needs
        self.terms = compile_terms(terms or {}, keep, typographic)  # None: the audience has none
        self._quoting: tuple[int, int, str] = (0, -1, "")  # inline's id, text index, open marks
        self._block_quotes = 0  # terms never change a quotation
        self.renderer = _parser().renderer.__class__(_parser())
        self.renderer.rules.update({
            "citation": self._citation,
            "footnote_ref": self._footnote_ref,
            "text": self._text,
            "heading_open": self._heading,
            "heading_close": self._heading,
            "image": self._image,
            "paragraph_open": self._paragraph_open,
            "fact": self._fact,
            "chart": self._chart,
            "blockquote_open": self._blockquote,
            "blockquote_close": self._blockquote,
        })
        self.heading_offset = 0

    def block(self, text: str, heading_offset: int = 0) -> str:
        """Render Markdown paragraphs, shifting '##' headings below the enclosing one."""
        # A chart's caption is rendered in the middle of a body: the body's offset must
        # survive it, or every heading after a chart moves up a level.
        enclosing, self.heading_offset = self.heading_offset, heading_offset
        try:
            tokens, env = parse(text)
            main, notes = _split_notes(tokens)
            env["note_keys"] = {note_id: self._note(part, env)
                                for note_id, part in notes.items()}
            return self.renderer.render(main, _parser().options, env)
        finally:
            self.heading_offset = enclosing

    def inline(self, text: str) -> str:
        """Render one line of Markdown without a surrounding paragraph."""
        html = self.block(text)
        return _unwrap_paragraph(html)

    def apply_terms(self, text: str) -> str:
        """Return plain text (a title, a label) with its quotes and dashes set as the
        prose's are and the audience's preferred names applied (their short forms)."""
        text = typographic(text)
        return text if self.terms is None or not text else self.terms.plain(text)

    def _note(self, tokens: list, env: dict) -> str:
        html = _unwrap_paragraph(self.renderer.render(tokens, _parser().options, env))
        return self.notebook.add(Note(html=html))

    def _citation(self, tokens, idx, options, env) -> str:
        return self.notebook.add(Note(cites=list(tokens[idx].meta["items"])))

    def _fact(self, tokens, idx, options, env) -> str:
        from generator.facts import format_value

        fact = self.facts.get(tokens[idx].meta["id"])
        if fact is None:  # validation reports it; never reached for valid content
            return escapeHtml(tokens[idx].content or "")
        self.facts_used.append(fact)
        text = escapeHtml(format_value(fact.value, fact.unit, self.locale))
        if fact.source:
            text += self.notebook.add(Note(cites=[(fact.source, fact.locator)]))
        return text

    def _chart(self, tokens, idx, options, env) -> str:
        if self.chart_html is None:  # prose with nowhere to draw (never in a document)
            return ""
        return self.chart_html(tokens[idx].meta["id"], self)

    def _footnote_ref(self, tokens, idx, options, env) -> str:
        if "note_keys" not in env:  # a note inside a note: validation refuses it
            return ""
        return env["note_keys"][tokens[idx].meta["id"]]

    def _text(self, tokens, idx, options, env) -> str:
        text = tokens[idx].content  # quotes and dashes: already the typographer's
        if self.terms is None or self._block_quotes:
            return escapeHtml(text)
        # A quotation may span several text tokens (“a *b* c”): what is open carries over
        # from one to the next within an inline.
        inline, last, opened = self._quoting
        if inline != id(tokens) or idx <= last:
            opened = ""
        parts, opened = self.terms.split(text, opened)
        self._quoting = (id(tokens), idx, opened)
        return "".join(part.html(marked=True) if isinstance(part, Use) else escapeHtml(part)
                       for part in parts)

    def _blockquote(self, tokens, idx, options, env) -> str:
        self._block_quotes += tokens[idx].nesting
        return self.renderer.renderToken(tokens, idx, options, env)

    def _image(self, tokens, idx, options, env) -> str:
        if self.image_src is not None:  # a copy: the parsed tokens are shared
            token = copy.copy(tokens[idx])
            token.attrs = dict(token.attrs)
            token.attrSet("src", self.image_src(tokens[idx].attrGet("src") or ""))
            tokens = [*tokens[:idx], token, *tokens[idx + 1:]]
        return self.renderer.image(tokens, idx, options, env)

    def _paragraph_open(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        opening = "" if token.hidden else "<p>"
        mark = (token.meta or {}).get("portion")
        if mark is None:
            return opening
        if mark not in self.portions:
            return f"{opening}({escapeHtml(mark)}) "
        self.portions_found.append(self.portions[mark])
        return f'{opening}<span class="portion">({escapeHtml(mark)})</span> '

    def _heading(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        level = min(int(token.tag[1]) + self.heading_offset, 6)
        return f"<h{level}>" if token.nesting == 1 else f"</h{level}>\n"


def _split_notes(tokens: list) -> tuple[list, dict[int, list]]:
    """Separate the note bodies markdown-it moved to the end from the main text."""
    for start, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            break
    else:
        return tokens, {}
    notes: dict[int, list] = {}
    current: list | None = None
    for token in tokens[start + 1:]:
        if token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
        elif token.type in ("footnote_close", "footnote_block_close", "footnote_anchor"):
            continue
        elif current is not None:
            current.append(token)
    return tokens[:start], notes


@lru_cache(maxsize=4096)
def typographic(text: str) -> str:
    """Return plain text with curly quotes and dashes, as Markdown prose gets them
    ("Japan's" -> "Japan’s"), through markdown-it's own quote rule: titles come from YAML
    as plain text, never parsed as Markdown."""
    from markdown_it.rules_core.smartquotes import smartquotes
    from markdown_it.rules_core.state_core import StateCore
    from markdown_it.token import Token

    text = dashes(text)
    if not text or ("'" not in text and '"' not in text):
        return text
    words = Token("text", "", 0, content=text)
    line = Token("inline", "", 0, content=text, children=[words])
    state = StateCore(text, _parser(), {})
    state.tokens = [line]
    smartquotes(state)
    return words.content


def _unwrap_paragraph(html: str) -> str:
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html.replace("</p>\n<p>", "<br>").removeprefix("<p>").removesuffix("</p>")


@dataclass(frozen=True)
class Scan:
    """What validation looks for in a piece of prose, found in one parse of it."""

    citations: tuple[Citation, ...]
    facts: tuple[tuple[str, int], ...]  # (fact id, line offset)
    charts: tuple[tuple[str, int], ...]  # (chart id, line offset) of each chart line
    images: tuple[tuple[str, str, int], ...]  # (src, alt text, line offset)
    headings: tuple[int, ...]  # line offsets of '#' headings (prose must not use them)
    languages: tuple[tuple[str, int], ...] = ()  # (tag, line offset) of each {lang=..}
    nested_notes: tuple[int, ...] = ()  # line offsets of notes written inside a note

    def to_json(self) -> list:
        return [[[c.source, c.locator, c.line_offset] for c in self.citations],
                [list(fact) for fact in self.facts], [list(chart) for chart in self.charts],
                [list(image) for image in self.images], list(self.headings),
                [list(language) for language in self.languages], list(self.nested_notes)]

    @classmethod
    def from_json(cls, kept: list) -> Scan:
        citations, facts, charts, images, headings, languages, nested = kept
        return cls(tuple(Citation(*c) for c in citations), tuple(map(tuple, facts)),
                   tuple(map(tuple, charts)), tuple(map(tuple, images)),
                   tuple(int(line) for line in headings), tuple(map(tuple, languages)),
                   tuple(int(line) for line in nested))


SCANS = DiskTable(None)  # set by the pipeline: scans kept between runs, by the text's hash
_scanned: dict[str, Scan] = {}  # scans another process made (remember_scans)


def remember_scans(found: dict[str, Scan]) -> None:
    """Keep the scans another process made, by text, in place of those it made before
    (and on disk, as this process's own are)."""
    _scanned.clear()
    _scanned.update(found)
    for text, made in found.items():
        SCANS.put(_scan_key(text), made.to_json())


def _scan_key(text: str) -> str:
    return hashlib.sha256(f"{code_digest()}\0{text}".encode()).hexdigest()


@lru_cache(maxsize=65536)
def scan(text: str) -> Scan:
    """Return what the prose cites, names and places. Checks ask several questions of
    every piece of prose; one walk answers them all, and the answer is small enough to
    keep for every piece (in memory and on disk), while parses are large and only the
    most recent are kept."""
    if text in _scanned:
        return _scanned[text]
    key = _scan_key(text)
    # Prose that may hold an image is always scanned afresh: the kept scan's list of images
    # is what the image checks walk, and a cache is untrusted input. Images are rare.
    kept = SCANS.get(key) if "![" not in text else None
    if kept is not None:
        try:
            return Scan.from_json(kept)
        except (TypeError, ValueError):
            pass  # damaged: scan again
    found = _scan(text)
    SCANS.put(key, found.to_json())
    return found


def _scan(text: str) -> Scan:
    # The cached parse: the documents rendered next (brief check renders some) find it
    # there. The walk only marks each inline token with its block's line.
    tokens, env = _parse(text)
    inline = [(token, token.meta.get("block_line", 0) + token.meta.get("line_offset", 0))
              for token in _walk(tokens, env)]
    return Scan(
        citations=tuple(Citation(source, locator, line) for token, line in inline
                        if token.type == "citation" for source, locator in token.meta["items"]),
        facts=tuple((t.meta["id"], line) for t, line in inline if t.type == "fact"),
        charts=tuple((t.meta["id"], t.map[0]) for t in tokens
                     if t.type == "chart" and t.level == 0),
        images=tuple((t.attrGet("src") or "", t.content.strip(), line)
                     for t, line in inline if t.type == "image"),
        headings=tuple(t.map[0] for t in tokens
                       if t.type == "heading_open" and t.tag == "h1" and t.map),
        languages=_languages(text, inline),
        nested_notes=_nested_notes(tokens),
    )


def _nested_notes(tokens: list) -> tuple[int, ...]:
    """Return the line offsets of notes referenced or written inside a note (``^[a ^[b]]``,
    or ``[^x]`` in a note's text), which a note cannot hold.

    markdown-it moves each note's text to the end; a note's line is that of its reference,
    or of its definition for a ``[^label]:`` note."""
    placed: dict[int, int] = {}  # note id -> the line it was referenced or defined on
    found, note = [], None
    for token in tokens:
        if token.type in ("footnote_open", "footnote_close"):
            note = token.meta["id"] if token.type == "footnote_open" else None
            continue
        line = token.map[0] if token.map else placed.get(note, 0)
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "footnote_ref":
                placed.setdefault(child.meta["id"], line)
                if note is not None:
                    found.append(line)
    return tuple(found)


def _languages(text: str, inline: list) -> tuple[tuple[str, int], ...]:
    """Return (tag, line offset) of each {lang=..} span. A span's token knows only where its
    paragraph starts, so its line is that of the next "lang=" of its tag, from there, not
    yet taken by an earlier span (the lines are listed once per tag, and found by
    bisection: walking the lines from every span's paragraph would be quadratic)."""
    last = len(text.splitlines()) - 1
    setting: dict[str, list[int]] = {}  # tag -> the line of each of its "lang=", in order
    for number, line in enumerate(text.splitlines()):
        for tag in LANG_SETTING.findall(line):
            setting.setdefault(tag, []).append(number)
    found, taken = [], {}
    for token, start in inline:
        if token.type != "span_open" or "lang" not in token.attrs:
            continue
        tag = str(token.attrs["lang"])
        lines = setting.get(tag, [])
        index = max(bisect.bisect_left(lines, start), taken.get(tag, 0))
        found.append((tag, lines[index] if index < len(lines) else max(start, last)))
        taken[tag] = index + 1
    return tuple(found)


def find_citations(text: str) -> list[Citation]:
    """Return every citation in the Markdown text with its line offset in the text."""
    return list(scan(text).citations)


def find_facts(text: str) -> list[tuple[str, int]]:
    """Return (fact id, line offset) of every ``{fact:id}`` in the Markdown text."""
    return list(scan(text).facts)


def find_charts(text: str) -> list[tuple[str, int]]:
    """Return (chart id, line offset) of every ``{chart:id}`` line in the Markdown text."""
    return list(scan(text).charts)


def misplaced_charts(text: str) -> list[tuple[str, int]]:
    """Return (what was written, line offset) of every ``{chart:...}`` that is not a chart
    line of its own at the top level (inside a sentence, a list or a quote, or with a
    malformed id)."""
    placed = {line for _, line in find_charts(text)}
    return [(match.group(0), number) for number, line in enumerate(text.splitlines())
            if number not in placed for match in CHART_ANYWHERE.finditer(line)]


def find_images(text: str) -> list[tuple[str, str, int]]:
    """Return (src, alt text, line offset) of every image in the Markdown text."""
    return list(scan(text).images)


def find_languages(text: str) -> list[tuple[str, int]]:
    """Return (language tag, line offset) of every ``[text]{lang=..}`` in the Markdown text."""
    return list(scan(text).languages)


def nested_notes(text: str) -> list[int]:
    """Return the line offsets of notes written inside a note, which prose must not have."""
    return list(scan(text).nested_notes)


def top_level_headings(text: str) -> list[int]:
    """Return the line offsets of '#' headings, which prose must not use."""
    return list(scan(text).headings)


def _walk(tokens: list, env: dict):
    for token in tokens:
        for child in token.children or []:
            if child.meta is not None and token.map:
                child.meta["block_line"] = token.map[0]
            yield child
    for note in env.get("footnotes", {}).get("list", {}).values():
        yield from note.get("tokens", [])
