"""What a designer checks on the printed page, read back from the default content's PDFs:
no table or figure split across two pages, no page ending on a heading, no paragraph
leaving a single line at the foot or the head of a page; and that the gallery of first
pages shows every document type and every audience.

The page checks read the tagged PDF: the structure tree says what each piece of marked
content is (a heading, a paragraph, a chart and its caption, a footnote), the content
stream where it stands on its page. WeasyPrint tags each page on its own, so a paragraph
that runs from one page to the next is two elements, one per page; whether the last block
of a page and the first of the next are one is read from the HTML built beside the PDF,
where the same paragraph is one element.
"""

from __future__ import annotations

import html.parser
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT

from generator.load import load_content

GALLERY = ROOT / "docs" / "gallery"
HEADING = re.compile(r"H[1-6]")
# Blocks of running text, and the HTML element each comes from.
TEXT_BLOCKS = {"P": "p", "LBody": "li", "BlockQuote": "blockquote"}
# What a text block's own text leaves out: the blocks nested in it, read on their own.
NESTED = {*TEXT_BLOCKS, "L", "Table", "Figure", "Caption", *(f"H{n}" for n in range(1, 7))}


@pytest.fixture(scope="module")
def layouts(default_build) -> list[Layout]:
    pdfs = sorted(default_build.rglob("*.pdf"))
    assert len(pdfs) == 34
    return [read_layout(path, default_build) for path in pdfs]


# Reading a PDF back.


@dataclass
class Node:
    """A structure element, the (page, MCID) pairs directly in it, and its children."""

    tag: str
    mcids: list[tuple[int, int]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def walk(self, ancestors: tuple[str, ...] = ()):
        yield self, ancestors
        for child in self.children:
            yield from child.walk((*ancestors, self.tag))

    def all_mcids(self, stop=frozenset()) -> list[tuple[int, int]]:
        """Return its marked content and its descendants', not entering tags in stop."""
        found = list(self.mcids)
        for child in self.children:
            if child.tag not in stop:
                found += child.all_mcids(stop)
        return found


@dataclass
class Run:
    """Text as one operator draws it: baseline and size in CSS px from the page top."""

    y: float
    size: float
    text: str


@dataclass
class Layout:
    """One PDF read back: its structure tree and the text runs of each (page, MCID)."""

    name: str
    pages: int
    root: Node
    runs: dict[tuple[int, int], list[Run]]

    def footnotes(self) -> set[tuple[int, int]]:
        """The notes at a page's foot: WeasyPrint tags each page's footnote area as a
        NonStruct straight under the Document, holding one Span per note."""
        notes = set()
        for area in self.root.children:
            if area.tag == "NonStruct" and area.children and all(
                    child.tag == "Span" for child in area.children):
                notes |= set(area.all_mcids())
        return notes

    def text(self, mcids) -> str:
        return "".join(run.text for key in mcids for run in self.runs.get(key, []))

    def lines(self, mcids) -> list[float]:
        """Return the baselines of the lines some marked content fills, top to bottom (a
        note call, raised and smaller, is not a line of its own)."""
        runs = [run for key in mcids for run in self.runs.get(key, [])]
        if not runs:
            return []
        body = max(run.size for run in runs)
        baselines = sorted(run.y for run in runs if run.size >= 0.8 * body)
        lines = [baselines[0]]
        for y in baselines[1:]:
            if y - lines[-1] > 0.3 * body:
                lines.append(y)
        return lines

    def text_blocks(self) -> dict[int, list[tuple[str, list[tuple[int, int]]]]]:
        """Return each page's blocks of running text (tag, own marked content), in
        reading order, footnotes aside."""
        notes, pages = self.footnotes(), defaultdict(list)
        for node, _ in self.root.walk():
            if node.tag in TEXT_BLOCKS:
                mcids = [k for k in node.all_mcids(NESTED) if k in self.runs and k not in notes]
                if mcids:
                    pages[mcids[0][0]].append((node.tag, mcids))
        return pages


def read_layout(path: Path, base: Path) -> Layout:
    """Read a PDF's structure tree, and the position, size and text of what each (page,
    MCID) draws. qpdf parses the content streams (through pikepdf), ten times faster than
    a text extractor; the text is decoded with each font's ToUnicode map."""
    pdf = pikepdf.open(path)
    numbers = {page.objgen: n for n, page in enumerate(pdf.pages)}

    def element(obj, page) -> Node:
        if "/Pg" in obj:
            page = numbers[obj.Pg.objgen]
        node = Node(str(obj.S)[1:])
        kids = obj.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                node.mcids.append((page, kid))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                node.children.append(element(kid, page))
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                node.mcids.append((numbers[kid.Pg.objgen] if "/Pg" in kid else page,
                                   int(kid.MCID)))
        return node

    root = element(pdf.Root.StructTreeRoot.K[0], None)
    runs: dict[tuple[int, int], list[Run]] = defaultdict(list)
    maps: dict = {}
    for number, page in enumerate(pdf.pages):
        height = float(page.mediabox[3])
        for mcid, y, size, text in _text_runs(page, maps):
            if mcid is not None:
                # WeasyPrint lays out in CSS px (0.75 pt) from the page top.
                runs[(number, mcid)].append(Run((height - y) / 0.75, size / 0.75, text))
    return Layout(str(path.relative_to(base)), len(pdf.pages), root, dict(runs))


def _text_runs(page, maps: dict):
    """Yield (MCID or None, baseline in points from the page foot, size in points, text)
    for each text-showing operator drawn on the page itself; none inside a form XObject."""
    ctm, saved, stack = pikepdf.Matrix(), [], []
    tm, size, font = pikepdf.Matrix(), 0.0, None
    fonts = page.Resources.get("/Font", {})
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = pikepdf.Matrix(*map(float, operands)) @ ctm
        elif op in ("BDC", "BMC"):
            properties = operands[1] if len(operands) > 1 else None
            if operands[0] == "/Artifact" or (stack and stack[-1] is None):
                stack.append(None)  # artifacts (running heads, page numbers) and within
            elif isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                stack.append(int(properties.MCID))
            else:
                stack.append(stack[-1] if stack else None)
        elif op == "EMC":
            stack.pop()
        elif op == "BT":
            tm = pikepdf.Matrix()
        elif op == "Tm":
            tm = pikepdf.Matrix(*map(float, operands))
        elif op in ("Td", "TD"):
            tm = pikepdf.Matrix(1, 0, 0, 1, float(operands[0]), float(operands[1])) @ tm
        elif op == "Tf":
            font, size = fonts.get(str(operands[0])), float(operands[1])
        elif op in ("TJ", "Tj", "'", '"'):
            strings = operands[-1] if op != "TJ" else operands[0]
            strings = [strings] if op != "TJ" else [s for s in strings
                                                    if isinstance(s, pikepdf.String)]
            text = "".join(_decode(font, bytes(s), maps) for s in strings)
            placed = tm @ ctm
            yield (stack[-1] if stack else None), placed.f, size * abs(placed.d), text


def _decode(font, data: bytes, maps: dict) -> str:
    """Decode a shown string with its font's ToUnicode map (bfchar and bfrange entries)."""
    if font is None or "/ToUnicode" not in font:
        return ""
    key = font.objgen
    if key not in maps:
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        table: dict[bytes, str] = {}
        for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for source, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", section):
                table[bytes.fromhex(source)] = bytes.fromhex(target).decode("utf-16-be")
        for section in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, target in re.findall(
                    r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])",
                    section):
                start, width = int(low, 16), len(low) // 2
                targets = re.findall(r"<([0-9a-fA-F]*)>", target)
                for offset in range(int(high, 16) - start + 1):
                    code = (start + offset).to_bytes(width, "big")
                    if target.startswith("["):
                        table[code] = bytes.fromhex(targets[offset]).decode("utf-16-be")
                    else:
                        first = bytes.fromhex(targets[0])
                        last = (int.from_bytes(first[-2:], "big") + offset).to_bytes(2, "big")
                        table[code] = (first[:-2] + last).decode("utf-16-be")
        width = 2 if font.get("/Subtype") == "/Type0" else 1
        maps[key] = (table, width)
    table, width = maps[key]
    return "".join(table.get(data[i:i + width], "") for i in range(0, len(data), width))


# The HTML beside each PDF: what is one paragraph, one chart.


def letters(text: str) -> str:
    """Only the letters, case folded: what print and screen share of a paragraph (not
    note numbers, hyphens at line ends, spaces, or a heading's CSS capitals)."""
    return "".join(c for c in text.casefold() if c.isalpha())


class _Blocks(html.parser.HTMLParser):
    """Collect the letters of every p, li, blockquote and table, and of every chart's
    caption with whether it has a source note."""

    KINDS = ("p", "li", "blockquote", "table", "figcaption")

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, list[str]] = defaultdict(list)
        self.charts: dict[str, bool] = {}
        self._open: list[list] = []  # [tag, text]
        self._skip = 0
        self._caption = None

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        if tag in self.KINDS:
            self._open.append([tag, ""])
        if tag == "p" and "figure-source" in (dict(attrs).get("class") or "") \
                and self._caption is not None:
            self.charts[self._caption] = True

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag == "figure":
            self._caption = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                _, text = self._open.pop(index)
                self.blocks[tag].append(letters(text))
                if tag == "figcaption":
                    self._caption = letters(text)
                    self.charts.setdefault(self._caption, False)
                break

    def handle_data(self, data):
        if not self._skip:
            for block in self._open:
                block[1] += data


@pytest.fixture(scope="module")
def references(default_build) -> dict[str, _Blocks]:
    """Return, for each PDF, the blocks of the HTML built beside it (for a pack, of its
    parts' pages: the pack's own page only lists them)."""
    import json

    found = {}
    for record in json.loads((default_build / "manifest.json").read_text())["outputs"]:
        if record["format"] == "pdf":
            merged = _Blocks()
            for part in record["plan"]["parts"] if record["pack"] else [record["path"]]:
                parser = _Blocks()
                parser.feed((default_build / part).with_suffix(".html").read_text("utf-8"))
                parser.close()
                for kind, blocks in parser.blocks.items():
                    merged.blocks[kind] += blocks
                merged.charts.update(parser.charts)
            found[record["path"]] = merged
    return found


# The page checks.


def test_no_table_or_figure_is_split_across_pages(layouts, references):
    """A chart stands on one page with its caption and source note, and a table whole:
    the chart's <figure> on each page holds its caption, drawing and (where the chart has
    one) source note; each table on a page is all of a table of the HTML."""
    split, charts = [], 0
    for layout in layouts:
        reference = references[layout.name]
        for node, _ in layout.root.walk():
            page = min((p for p, _ in node.all_mcids()), default=0) + 1
            tags = [child.tag for child in node.children]
            if node.tag == "NonStruct" and ("Caption" in tags or "Figure" in tags):
                charts += 1
                caption = next((letters(layout.text(c.all_mcids())) for c in node.children
                                if c.tag == "Caption"), None)
                if caption is None or "Figure" not in tags:
                    split.append(f"{layout.name} page {page}: a chart's "
                                 f"{'drawing' if caption is None else 'caption'} alone")
                    continue
                assert caption in reference.charts, f"{layout.name}: a caption not in the HTML"
                if reference.charts[caption] and "P" not in tags[tags.index("Figure"):]:
                    split.append(f"{layout.name} page {page}: a chart without its source note")
            elif node.tag == "Table":
                if letters(layout.text(node.all_mcids())) not in reference.blocks["table"]:
                    split.append(f"{layout.name} page {page}: part of a table (not all of "
                                 "any table of the HTML)")
    assert charts >= 20, "the default full-length papers hold charts"
    assert split == []


def test_no_page_ends_on_a_heading(layouts):
    """The last line of text on every page (footnotes aside) is not a heading, whatever the
    length: budgeted or full, brief or pack."""
    ending = []
    for layout in layouts:
        notes = layout.footnotes()
        last: dict[int, tuple[float, str, tuple[int, int]]] = {}  # page -> y, heading, MCID
        for node, ancestors in layout.root.walk():
            heading = next((t for t in (*ancestors, node.tag) if HEADING.fullmatch(t)), "")
            for key in node.mcids:
                for run in layout.runs.get(key, []) if key not in notes else []:
                    if key[0] not in last or run.y > last[key[0]][0]:
                        last[key[0]] = (run.y, heading, key)
        # Every page has text, but a pack's blank versos.
        assert len(last) == layout.pages or layout.name.startswith("packs/"), layout.name
        for page, (_, heading, key) in sorted(last.items()):
            if heading:
                ending.append(f"{layout.name} page {page + 1} ends on {heading} "
                              f"{layout.text([key])!r}")
    assert ending == []


def paragraphs_across_pages(layouts, references):
    """Yield (layout, page, lines at its foot, lines at the next page's head, text) for
    every block of running text that runs on from one page to the next."""
    for layout in layouts:
        reference, blocks = references[layout.name], layout.text_blocks()
        for page in range(layout.pages - 1):
            if not blocks.get(page) or not blocks.get(page + 1):
                continue
            (tag, foot), (next_tag, head) = blocks[page][-1], blocks[page + 1][0]
            joined = letters(layout.text(foot)) + letters(layout.text(head))
            if tag == next_tag and any(joined in block
                                       for block in reference.blocks[TEXT_BLOCKS[tag]]):
                yield (layout, page, len(layout.lines(foot)), len(layout.lines(head)),
                       layout.text(head))


def test_no_page_begins_or_ends_with_a_single_line_of_a_paragraph(layouts, references):
    """A paragraph (or list item, or quotation) that runs on to the next page leaves at
    least two lines at the foot of the first and takes two at the head of the next
    (print.css: orphans: 2, widows: 2)."""
    single, continued = [], 0
    for layout, page, at_foot, at_head, text in paragraphs_across_pages(layouts, references):
        continued += 1
        if at_head == 1:
            single.append(f"{layout.name} page {page + 2} begins with one line: {text[:60]!r}")
        if at_foot == 1:
            single.append(f"{layout.name} page {page + 1} ends with one line of a paragraph")
    assert continued >= 20, "paragraphs do run from page to page in the full papers"
    assert single == []


# The gallery: docs/gallery/<brief>--<audience>-<length>.png, and packs--<pack>.png.


def image_links(markdown: Path) -> list[Path]:
    """Return the local images a Markdown file shows, resolved beside it."""
    links = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", markdown.read_text(encoding="utf-8"))
    return [(markdown.parent / link).resolve() for link in links if "://" not in link]


def test_every_gallery_image_the_readmes_show_exists():
    readme, gallery = image_links(ROOT / "README.md"), image_links(GALLERY / "README.md")
    assert readme and gallery
    assert [p for p in readme + gallery if not p.is_file()] == []
    assert set(readme) <= set(gallery), "the README shows pictures from the gallery"
    # And the gallery keeps no picture its README does not show (a renamed output's).
    assert sorted(GALLERY.glob("*.png")) == sorted(set(gallery))


def test_the_gallery_shows_every_document_type_and_every_audience():
    content = load_content(ROOT / "content").content
    types, audiences = set(), set()
    for image in image_links(GALLERY / "README.md"):
        brief_id, _, output = image.stem.partition("--")
        if brief_id == "packs":
            assert output in content.packs, image.name
            types.add("pack")
            continue
        brief = content.briefs[brief_id]
        length = next(length for length in brief.lengths if output.endswith(f"-{length}"))
        audience = output.removesuffix(f"-{length}")
        assert audience in brief.audiences, image.name
        types.add(brief.type)
        audiences.add(audience)
    expected = {brief.type for brief in content.briefs.values()}
    assert types == expected | ({"pack"} if content.packs else set())
    assert audiences == set(content.audiences)
