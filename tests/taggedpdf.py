"""Read a tagged PDF as an accessibility reviewer would: its structure tree, the text of
each element, what is artifact, bookmarks, metadata and fonts.

pikepdf walks the objects; pypdf decodes text (it knows the fonts' ToUnicode maps) and
reports marked-content operators in stream order, so text is attributed to its MCID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pypdf import PdfReader

ARTIFACT = "artifact"


@dataclass
class Element:
    """A structure element: its type, its text, its /Alt, its children."""

    tag: str
    alt: str | None
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class TaggedPdf:
    """What a reviewer reads back from one PDF."""

    pdf: pikepdf.Pdf
    root: Element | None
    marked: dict[tuple[int, int | str | None], str]  # (page, MCID or ARTIFACT or None) -> text
    orphan_mcids: list[tuple[int, int]]  # MCIDs in content whose element is not in the tree

    @property
    def headings(self) -> list[tuple[str, str]]:
        """Return (H1..H6, text) of every heading element, in tree order."""
        return [(e.tag, e.text) for e in self.root.walk() if re.fullmatch(r"H[1-6]", e.tag)]

    @property
    def artifact_text(self) -> str:
        return " ".join(t for (_, kind), t in self.marked.items() if kind == ARTIFACT)

    @property
    def unmarked_text(self) -> str:
        """Text outside any marked-content sequence: neither content nor artifact."""
        return "".join(t for (_, kind), t in self.marked.items() if kind is None).strip()

    def outline_titles(self) -> list[str]:
        with self.pdf.open_outline() as outline:
            return list(_titles(outline.root))

    def xmp(self) -> str:
        return bytes(self.pdf.Root.Metadata.read_bytes()).decode("utf-8")

    def unembedded_fonts(self) -> list[str]:
        missing = []
        for page in self.pdf.pages:
            for name, font in page.Resources.get("/Font", {}).items():
                for described in font.get("/DescendantFonts", [font]):
                    descriptor = described.get("/FontDescriptor", {})
                    if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                        missing.append(f"{name} {described.get('/BaseFont')}")
        return missing


def _titles(items):
    for item in items:
        yield item.title
        yield from _titles(item.children)


def read(path: Path) -> TaggedPdf:
    """Read a PDF's structure, its text by MCID, and the MCIDs left out of the tree."""
    pdf = pikepdf.open(path)
    marked = _marked_text(path)
    tree_root = pdf.Root.get("/StructTreeRoot")
    if tree_root is None:
        return TaggedPdf(pdf, None, marked, [])
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    in_tree: set[tuple[int, int]] = set()
    root = _element(tree_root.K[0], None, pages, marked, in_tree)
    used = {(page, mcid) for page, mcid in marked if isinstance(mcid, int)}
    return TaggedPdf(pdf, root, marked, sorted(used - in_tree))


def _element(obj, page, pages, marked, in_tree) -> Element:
    if "/Pg" in obj:
        page = pages[obj.Pg.objgen]
    element = Element(str(obj.S)[1:], str(obj.Alt) if "/Alt" in obj else None)
    kids = obj.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            in_tree.add((page, kid))
            element.text += marked.get((page, kid), "")
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            child = _element(kid, page, pages, marked, in_tree)
            element.children.append(child)
            element.text += child.text
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:  # marked-content reference
            key = (pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID))
            in_tree.add(key)
            element.text += marked.get(key, "")
    return element


def _marked_text(path: Path) -> dict:
    """Return {(page, MCID | ARTIFACT | None): text} over the whole document."""
    found: dict = {}
    for number, page in enumerate(PdfReader(path).pages):
        stack: list = []

        def before(op, args, cm, tm, stack=stack):
            if op in (b"BDC", b"BMC"):
                properties = args[1] if len(args) > 1 else {}
                if args[0] == "/Artifact" or (stack and stack[-1] == ARTIFACT):
                    stack.append(ARTIFACT)  # anything inside an artifact is an artifact
                else:
                    stack.append(properties.get("/MCID") if hasattr(properties, "get") else None)
            elif op == b"EMC":
                stack.pop()

        def text(chunk, cm, tm, font, size, stack=stack, number=number):
            if chunk:
                key = (number, stack[-1] if stack else None)
                found[key] = found.get(key, "") + chunk

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {key: re.sub(r"\s+", " ", value) for key, value in found.items()}
