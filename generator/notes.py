"""Notes of one document: numbered in the order they appear in the output actually built,
citations formatted by a CSL processor (citeproc-js), and the bibliography of what was cited.

Every citation is its own note, so a later citation of a source gets its own (short) note
on the page where it is cited; numbers run 1, 2, 3 with no gaps, whatever the fitter cut.
A citation inside an explanatory note (``^[See [@x].]``) is formatted in that note's text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from generator import sanitise
from generator.cache import DiskCache
from generator.errors import BuildError
from generator.markdown import Note, NoteBook

INNER = re.compile(r'<sup class="note-ref" data-note="(\d+)"></sup>')
DEFAULT_STYLE = "chicago-note-bibliography"


@dataclass(frozen=True)
class Numbered:
    """One note as printed: its number, its HTML and the sources it cites."""

    number: int
    html: Markup
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteForms:
    """Each cited source's note in its full form (the first citation) and its short form
    (later ones): what the fitter measures, since the first citation of a source may fall
    in any item of the final document."""

    full: dict[str, Markup]
    short: dict[str, Markup]


@dataclass(frozen=True)
class Citations:
    """How citations are formatted for one document: a CSL style and locale file."""

    style: Path
    locale: Path

    @classmethod
    def for_brief(cls, templates: Path, brief_style: str | None, brief_language: str | None,
                  style: str, language: str) -> Citations:
        """Return the brief's own style and language, else the content's (settings)."""
        return cls.for_document(templates, brief_style or style, brief_language or language)

    @classmethod
    def for_document(cls, templates: Path, style: str, language: str) -> Citations:
        """Return the style named (a .csl file in templates/csl/) and the locale file of
        the language, falling back to U.S. English."""
        folder = templates / "csl"
        style_path = folder / f"{style}.csl"
        if not style_path.is_file():
            known = sorted(p.stem for p in folder.glob("*.csl"))
            raise BuildError(f"citation style '{style}' not found in {folder}; "
                             f"known styles: {', '.join(known) or 'none'}")
        candidates = [folder / f"locales-{language}.xml"]
        candidates += sorted(folder.glob(f"locales-{language.split('-')[0]}-*.xml"))
        locale = next((p for p in candidates if p.is_file()), folder / "locales-en-US.xml")
        return cls(style_path, locale)


def format_notes(order: list[int], notebook: NoteBook, sources: dict,
                 citations: Citations | None, bibliography: bool, forms: bool = False
                 ) -> tuple[list[Numbered], list[Markup], NoteForms | None]:
    """Number and format the notes met in this order (notebook indexes, as they appear in
    the document); return them, the bibliography of the sources cited (when asked) and,
    with ``forms``, each source's full and short note.

    With ``forms`` every citation in the text takes its short form: each source is cited
    once before the text (its full form) and once after it (its short form), and those
    citations are returned apart rather than printed. Without citations (a check's dry
    run) the text of each note is only a stand-in.
    """
    clusters, owners = _clusters(order, notebook)
    cited = list(dict.fromkeys(source for cluster in clusters for source, _ in cluster))
    alone = [[(source, "")] for source in cited] if forms else []
    formatted, entries = _format(alone + clusters + alone, sources, citations, bibliography)
    first, formatted = formatted[:len(alone)], formatted[len(alone):]
    formatted, last = formatted[:len(clusters)], formatted[len(clusters):]
    texts = dict(zip(owners, formatted))
    cites = dict(zip(owners, ([source for source, _ in cluster] for cluster in clusters)))
    numbered = []
    for position, index in enumerate(order, start=1):
        note = notebook.notes[index]
        inner = [int(i) for i in INNER.findall(note.html)] if not note.cites else [index]
        text = texts[index] if note.cites else INNER.sub(
            lambda m: texts.get(int(m.group(1)), ""), note.html)
        used = tuple(dict.fromkeys(s for i in inner for s in cites.get(i, ())))
        numbered.append(Numbered(position, Markup(text), used))
    note_forms = NoteForms(dict(zip(cited, map(Markup, first))),
                           dict(zip(cited, map(Markup, last)))) if forms else None
    return numbered, [Markup(entry) for entry in entries], note_forms


def _clusters(order: list[int], notebook: NoteBook) -> tuple[list, list[int]]:
    """Return the citation clusters in reading order, and the note index each belongs to
    (a citation inside an explanatory note is a cluster of its own, read in that note)."""
    clusters, owners = [], []
    for index in order:
        note: Note = notebook.notes[index]
        inner = [int(i) for i in INNER.findall(note.html)] if not note.cites else [index]
        for cited in inner:
            clusters.append(notebook.notes[cited].cites)
            owners.append(cited)
    return clusters, owners


def _format(clusters: list, sources: dict, citations: Citations | None,
            bibliography: bool) -> tuple[list[str], list[str]]:
    """Format the clusters (and the bibliography of the sources they cite)."""
    cited = list(dict.fromkeys(source for cluster in clusters for source, _ in cluster))
    if not cited:
        return [""] * len(clusters), []
    # Validation reports an unknown source from what a scan of the prose found, and scans
    # are kept in a cache: one that hid a citation must end in a message, not a KeyError.
    if unknown := [source for source in cited if source not in sources]:
        raise BuildError(f"unknown source '{unknown[0]}' (run brief check)")
    if citations is None:  # a check's dry run: the text of notes does not matter
        return ([", ".join(sources[s].title for s, _ in cluster) + "." for cluster in clusters],
                [sources[s].title for s in cited] if bibliography else [])
    from generator import cite

    items = [cite.to_csl(sources[source]) for source in cited]
    request = [[cite.cite(source, locator) for source, locator in cluster]
               for cluster in clusters]
    result = _memo(items, request, citations, bibliography)
    return result.notes, result.bibliography


_MEMO: dict[str, object] = {}
CACHE = DiskCache(None)  # set by the build: formatted citations kept between builds


def _memo(items: list, clusters: list, citations: Citations, bibliography: bool):
    """Format through citeproc once per distinct request: in this process (the print and
    screen renders of one plan ask the same question) and, through the cache on disk,
    across builds."""
    from generator import cite

    processor = cite.processor()
    key = DiskCache.key(items, clusters, _digest(citations.style), _digest(citations.locale),
                        bibliography, processor.engine)
    if key in _MEMO:
        return _MEMO[key]
    kept = _kept_answer(CACHE.get(key), len(clusters))
    if kept is None:
        made = processor.format(items, clusters, citations.style, citations.locale,
                                bibliography)
        CACHE.put(key, {"notes": made.notes, "bibliography": made.bibliography})
        kept = made.notes, made.bibliography
    # From the cache or from citeproc alike, only a citation's own markup reaches the page.
    result = cite.Formatted([sanitise.citation(note) for note in kept[0]],
                            [sanitise.citation(entry) for entry in kept[1]])
    _MEMO[key] = result
    return result


def _kept_answer(kept, clusters: int) -> tuple[list[str], list[str]] | None:
    """Return (notes, bibliography) from a cache entry, or None unless it has that shape
    (a note per cluster, every one a string): a cache is untrusted input."""
    if not isinstance(kept, dict):
        return None
    notes, entries = kept.get("notes"), kept.get("bibliography")
    if not (isinstance(notes, list) and isinstance(entries, list) and len(notes) == clusters):
        return None
    if not all(isinstance(text, str) for text in notes + entries):
        return None
    return notes, entries


def _digest(path: Path) -> str:
    """Return the hash of a style or locale file (the answer depends on its contents)."""
    status = Path(path).stat()
    return _hash_file(Path(path), status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=64)
def _hash_file(path: Path, _mtime: int, _size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
