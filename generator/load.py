"""Load stage: read every content file into model objects, collecting every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from generator import ids
from generator import models as m
from generator import shape
from generator.errors import ContentError, Problem
from generator.cache import DiskCache, DiskTable
from generator.schemacheck import check_schema, schema_digest
from generator.yamldoc import Limits, YamlDoc, YamlError, decode_text, parse_yaml, read_bytes

YAML_SUFFIXES = (".yaml", ".yml")
SPLIT_FROM = 200  # files in one folder from which two processes read them


@dataclass
class Loaded:
    """The content model and every problem met while reading it."""

    content: m.Content
    problems: list[Problem] = field(default_factory=list)


def load_content(root: Path, schema: bool = True) -> Loaded:
    """Read the content folder; files with problems are reported and left out. Without
    ``schema``, files are not checked against their schemas (nor jsonschema imported):
    for work whose result counts only once a full load finds the content valid."""
    reader = _Reader(root, schema)
    settings = reader.settings()
    reader.max_bytes = settings.max_file_bytes
    reader.limits = Limits(settings.max_yaml_depth, settings.max_yaml_values)
    content = m.Content(
        root=root,
        settings=settings,
        lengths=reader.lengths(),
        audiences=reader.folder("audiences"),
        topics=reader.folder("topics"),
        briefs=reader.folder("briefs"),
        sources=reader.sources(),
        packs=reader.folder("packs"),
        facts=reader.facts(),
        charts=reader.folder("charts"),
        unreadable=reader.unreadable,
        digests=reader.digests,
    )
    reader.valid.save()
    return Loaded(content, reader.problems)


def is_small(root: Path) -> bool:
    """Return whether the content is read in one process (no folder of SPLIT_FROM files
    or more): cheap enough for another process to read it too."""
    for folder in _FOLDERS:
        try:
            if sum(1 for _ in zip(range(SPLIT_FROM), (root / folder).iterdir())) >= SPLIT_FROM:
                return False
        except OSError:
            continue
    return True


def read_content(root: Path) -> m.Content:
    """Read the content folder for a listing: raise ContentError if any file cannot be
    read (cross-file checks, such as unknown topic ids, are ``brief check``'s)."""
    loaded = load_content(root)
    if errors := [p for p in loaded.problems if not p.warning]:
        raise ContentError(errors)
    return loaded.content


def peek(path: Path) -> dict:
    """Return a YAML file's top-level mapping as written, unchecked, or {} if it cannot be
    read as one: a hint for work started before the content is read and checked (which
    stays the only source of what is built)."""
    try:
        raw = read_bytes(path, m.Settings.max_file_bytes)
        data = parse_yaml(decode_text(raw)).data
    except (OSError, UnicodeDecodeError, ValueError, YamlError):
        return {}
    return data if isinstance(data, dict) else {}


def peek_document(root: Path, brief_id: str) -> dict:
    """Return a brief's file as written, unchecked (see peek)."""
    for suffix in YAML_SUFFIXES:
        if (path := root / "briefs" / f"{brief_id}{suffix}").is_file():
            return peek(path)
    return {}


class _Reader:
    def __init__(self, root: Path, schema: bool = True):
        self.root = root
        self.schema = schema
        self.problems: list[Problem] = []
        self.unreadable: set[str] = set()
        self.digests: dict[Path, str] = {}
        self.max_bytes = m.Settings.max_file_bytes
        self.limits = Limits()
        # Files known to be valid: one table, as every run asks about every file.
        self.valid = DiskTable.of_kind("schema", root)
        self.trusted: dict[Path, str] = {}  # files let through by that table: their keys

    def read(self, path: Path) -> str:
        """Read a file's text once, keeping its hash for the build's input hashes."""
        raw = read_bytes(path, self.max_bytes)
        self.digests[path] = hashlib.sha256(raw).hexdigest()
        return decode_text(raw)

    def parse(self, path: Path, kind: str) -> YamlDoc | None:
        """Parse and schema-check one YAML file; None if it has problems."""
        try:
            doc = parse_yaml(self.read(path), limits=self.limits)
        except YamlError as error:
            self.problems.append(Problem(path, error.line, error.message, error.hint))
            return None
        return self.checked(doc, kind, path)

    def checked(self, doc: YamlDoc, kind: str, path: Path) -> YamlDoc | None:
        if doc.data is None:
            self.problems.append(Problem(path, 1, "the file is empty",
                                         "fill it in (see docs/content-format.md) or delete it"))
            return None
        if not self.schema:
            return doc
        # A file checked valid before, byte for byte against the same schema, is valid:
        # the schema checker (and its import) is only needed for new or changed files.
        digest = self.digests.get(path)
        key = DiskCache.key("valid", kind, digest, schema_digest(kind)) if digest else None
        if key and self.valid.get(key) is True:
            self.trusted[path] = key
            return doc
        problems = check_schema(kind, doc, path)
        self.problems.extend(problems)
        if key and not problems:
            self.valid.put(key, True)
        return None if problems else doc

    def made(self, path: Path, doc: YamlDoc, kind: str, make):
        """Return what make() builds from a checked file, or None, its problems reported,
        if the data has not the shape the schema promises. That happens only to a file the
        table of valid files let through unchecked (a cache is untrusted input): it is
        checked in full now, and forgotten as valid."""
        try:
            item = make()
        except (TypeError, KeyError, ValueError, AttributeError, IndexError) as error:
            self.problems += self.rechecked(path, doc, kind) or [Problem(
                path, 1, f"the file cannot be read as {kind}: {error}",
                "compare it with docs/content-format.md")]
            return None
        if path in self.trusted and not shape.fits(item):
            if problems := self.rechecked(path, doc, kind):
                self.problems += problems
                return None
        return item

    def rechecked(self, path: Path, doc: YamlDoc, kind: str) -> list[Problem]:
        """Check a file against its schema in full, forgetting that the table knew it valid."""
        if key := self.trusted.pop(path, None):
            self.valid.drop(key)
        return check_schema(kind, doc, path) if self.schema else []

    def settings(self) -> m.Settings:
        path = self.root / "settings.yaml"
        doc = self.parse(path, "settings") if path.is_file() else None
        if not doc:
            return m.Settings()
        return self.made(path, doc, "settings", lambda: _settings(doc)) or m.Settings()

    def lengths(self) -> dict[str, m.Length]:
        path = self.root / "lengths.yaml"
        if not path.is_file():
            self.problems.append(Problem(path, 1, "lengths.yaml is missing",
                                         "define at least one length, e.g. 'full: {label: Full paper}'"))
            return {}
        doc = self.parse(path, "lengths")
        lengths = doc and self.made(path, doc, "lengths", lambda: [
            m.Length(id=key, origin=m.Origin(path, doc.line_of((key,))), **value)
            for key, value in doc.data.items()])
        if lengths is None:
            self.unreadable.add("length:*")
            return {}
        found: dict[str, m.Length] = {}
        for length in lengths:
            self.add(found, length, "length")
        return found

    def folder(self, name: str) -> dict:
        suffixes, kind, build = _FOLDERS[name]
        items: dict = {}
        for path, item, problems in self.read_all(self.paths(name, suffixes), kind, build):
            self.problems += problems
            if item is None:
                self.unreadable.add(f"{kind}:{path.stem}")
            else:
                self.add(items, item, kind)
        return items

    def read_all(self, paths: list[Path], kind: str, build) -> list[tuple]:
        """Return (path, item or None, its problems) for each file, in order. Many files
        are read in two processes, half each (the YAML and schema checks are most of a
        large base's load)."""
        if len(paths) < SPLIT_FROM:
            return self.read_each(paths, kind, build)
        from generator.workers import Beside

        half = len(paths) // 2
        other = Beside(partial(_read_part, self.root, self.schema, self.max_bytes,
                               self.limits, paths[half:], kind, build))
        try:
            found = self.read_each(paths[:half], kind, build)
            more, digests, valid = other.result()
        finally:
            other.cancel()
        self.digests.update(digests)
        for key, value in valid.items():
            self.valid.put(key, value)
        return found + more

    def read_each(self, paths: list[Path], kind: str, build) -> list[tuple]:
        """Return (path, item or None, the problems its file has) for each file."""
        found = []
        for path in paths:
            known = len(self.problems)
            doc = self.parse_topic(path) if kind == "topic" else self.parse(path, kind)
            item = None if doc is None else self.made(
                path, doc[0] if kind == "topic" else doc, kind,
                partial(build, path, *doc) if kind == "topic" else partial(build, path, doc))
            found.append((path, item, self.problems[known:]))
            del self.problems[known:]
        return found

    def parse_topic(self, path: Path):
        try:
            text = self.read(path)
            front, body_line, body = split_front_matter(text)
            doc = parse_yaml(front, first_line=2, limits=self.limits)
        except YamlError as error:
            self.problems.append(Problem(path, error.line, error.message, error.hint))
            return None
        doc = self.checked(doc, "topic", path)
        return None if doc is None else (doc, body, body_line)

    def sources(self) -> dict[str, m.Source]:
        items: dict = {}
        for path in self.paths("sources", YAML_SUFFIXES):
            doc = self.parse(path, "sources")
            found = doc and self.made(path, doc, "sources", lambda: [
                _source(entry, m.Origin(path, doc.line_of((index,))))
                for index, entry in enumerate(doc.data)])
            if found is None:
                self.unreadable.add("source:*")
            for source in found or []:
                self.add(items, source, "source")
        for path in self.paths("sources", (".json",)):
            for source in self.csl_json(path):
                self.add(items, source, "source")
        return items

    def csl_json(self, path: Path) -> list[m.Source]:
        """Read sources exported as CSL-JSON (Zotero, Mendeley: "CSL JSON" export)."""
        import json

        from generator.cite import csl_problems, from_csl

        try:
            text = self.read(path)
            data = json.loads(text)
        except YamlError as error:
            self.problems.append(Problem(path, error.line, error.message, error.hint))
            data = None
        except json.JSONDecodeError as error:
            self.problems.append(Problem(path, error.lineno, f"not valid JSON: {error.msg}",
                                         "export the library again as CSL JSON"))
            data = None
        except RecursionError:  # brackets nested thousands deep
            self.problems.append(Problem(path, 1, "nested too deeply to be a CSL-JSON library",
                                         "export the library again as CSL JSON"))
            data = None
        if not isinstance(data, list) or not all(isinstance(i, dict) and i.get("id")
                                                 for i in data):
            if data is not None:
                self.problems.append(Problem(path, 1, "not a CSL-JSON list of items with ids",
                                             "export the library again as CSL JSON"))
            self.unreadable.add("source:*")
            return []
        found = []
        for item, line in zip(data, _item_lines(text, data)):
            problems = csl_problems(item)
            for problem, hint in problems:
                self.problems.append(Problem(path, line, problem, hint))
            if problems:  # reported here; its citations must not be called unknown too
                known = isinstance(item["id"], (str, int)) and not isinstance(item["id"], bool)
                self.unreadable.add(f"source:{item['id']}" if known else "source:*")
            else:
                found.append(from_csl(item, m.Origin(path, line)))
        return found

    def facts(self) -> dict[str, m.Fact]:
        items: dict = {}
        for path in self.paths("facts", YAML_SUFFIXES):
            doc = self.parse(path, "facts")
            found = doc and self.made(path, doc, "facts", partial(_facts, path, doc))
            if found is None:
                self.unreadable.add("fact:*")
                continue
            for fact in found:
                self.add(items, fact, "fact")
        return items

    def paths(self, name: str, suffixes: tuple) -> list[Path]:
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())
        return [p for p in found if self.inside(p)]

    def inside(self, path: Path) -> bool:
        """Refuse files (or links) that resolve outside the content folder."""
        if self.root.resolve() in path.resolve().parents:
            return True
        self.problems.append(Problem(path, 1, "links to a file outside the content folder",
                                     "copy the file into the content folder instead of linking"))
        return False

    def add(self, items: dict, item, kind: str) -> None:
        if not self.valid_id(item, kind):
            return
        if item.id in items:
            first = items[item.id].origin
            self.problems.append(Problem(
                item.origin.path, item.origin.line, f"duplicate {kind} id '{item.id}'",
                f"already defined at {first.path}:{first.line}; rename one of them"))
            return
        items[item.id] = item

    def valid_id(self, item, kind: str) -> bool:
        """Report an id (from a file name or a field) that breaks the id rule; such an
        item is left out, and references to it are not echoed as unknown."""
        csl = kind == "source" and item.origin.path.suffix == ".json"
        if ids.is_citation_key(item.id) if csl else ids.is_id(item.id):
            return True
        named = item.origin.path.stem == item.id
        rule = (f"a CSL-JSON id is at most {ids.MAX_CITATION_KEY} ASCII letters, digits and "
                ":.#$%&+?<>~/_-" if csl else f"use {ids.RULE}")
        hint = f"{rule}; rename the file" if named else rule
        where = " (from the file name)" if named else ""
        self.problems.append(Problem(item.origin.path, item.origin.line,
                                     f"{kind} id {_shown(item.id)}{where} is not a valid id",
                                     hint))
        self.unreadable.add(f"{kind}:{item.id}")
        return False


def _shown(text: str) -> str:
    """Return an id as a message quotes it: escaped, and cut short if it is very long."""
    text = str(text)
    return ascii(text if len(text) <= 80 else text[:77] + "...")


def _read_part(root: Path, schema: bool, max_bytes: int, limits: Limits, paths: list[Path],
               kind: str, build) -> tuple[list, dict[Path, str], dict]:
    """Read some files of a folder with a reader of their own (in another process): return
    what read_each returns, the files' digests and what it knows valid."""
    reader = _Reader(root, schema)
    reader.max_bytes, reader.limits = max_bytes, limits
    return reader.read_each(paths, kind, build), reader.digests, reader.valid.used


def _settings(doc: YamlDoc) -> m.Settings:
    data = dict(doc.data)
    levels = [{"banner": level} if isinstance(level, str) else level
              for level in data.pop("markings", [])]
    return m.Settings(**data, markings=[level["banner"] for level in levels],
                      portions={level["portion"]: level["banner"]
                                for level in levels if "portion" in level})


def _facts(path: Path, doc: YamlDoc) -> list[m.Fact]:
    found = []
    for fact_id, data in doc.data.items():
        lines = {key[1:]: line for key, line in doc.lines.items() if key[:1] == (fact_id,)}
        found.append(m.Fact(id=fact_id, origin=m.Origin(path, doc.line_of((fact_id,))),
                            lines=lines, **{k: v if k == "value" else str(v)
                                            for k, v in data.items()}))
    return found


def split_front_matter(text: str) -> tuple[str, int, str]:
    """Split a topic file into its front matter, the body's first line, and the body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise YamlError(1, "a topic file must start with a '---' line",
                        "put the topic's fields between two '---' lines, then the Markdown body")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "".join(lines[1:index]), index + 2, "".join(lines[index + 1:])
    raise YamlError(1, "the front matter is not closed",
                    "end the topic's fields with a '---' line before the body")


def _origin(path: Path, doc: YamlDoc, *where) -> m.Origin:
    return m.Origin(path, doc.line_of(where))


def _prose(value: str | None, path: Path, doc: YamlDoc, *where) -> m.Prose | None:
    return None if value is None else m.Prose(value, _origin(path, doc, *where))


def _audience(path: Path, doc: YamlDoc) -> m.Audience:
    return m.Audience(id=path.stem, origin=m.Origin(path), lines=doc.lines, **doc.data)


def _topic(path: Path, doc: YamlDoc, body: str, body_line: int) -> m.Topic:
    data = dict(doc.data)
    return m.Topic(
        id=data.pop("id", path.stem),
        origin=m.Origin(path),
        lines=doc.lines,
        title=data.pop("title"),
        headline=_prose(data.pop("headline"), path, doc, "headline"),
        summary=_prose(data.pop("summary"), path, doc, "summary"),
        body=m.Prose(body, m.Origin(path, body_line)),
        key_points=[_prose(text, path, doc, "key_points", i)
                    for i, text in enumerate(data.pop("key_points", []))],
        **data,
    )


def _brief(path: Path, doc: YamlDoc) -> m.Brief:
    data = dict(doc.data)
    per_audience = data.pop("bottom_line") if isinstance(data.get("bottom_line"), dict) else {}
    prose = {key: _prose(data.pop(key, None), path, doc, key)
             for key in ("lede", "bottom_line", "notes", "acknowledgments")}
    prose["bottom_lines"] = {audience: _prose(text, path, doc, "bottom_line", audience)
                             for audience, text in per_audience.items()}
    return m.Brief(
        id=data.pop("id", path.stem),
        origin=m.Origin(path),
        lines=doc.lines,
        date=dt.date.fromisoformat(data.pop("date")),
        authors=[_author(a, path, doc, i) for i, a in enumerate(data.pop("authors"))],
        sections=[_section(s, path, doc, i) for i, s in enumerate(data.pop("sections"))],
        recommendations=[_recommendation(r, path, doc, i)
                         for i, r in enumerate(data.pop("recommendations", []))],
        **prose,
        **data,
    )


def _pack(path: Path, doc: YamlDoc) -> m.Pack:
    data = dict(doc.data)
    return m.Pack(
        id=path.stem,
        origin=m.Origin(path),
        lines=doc.lines,
        date=dt.date.fromisoformat(data.pop("date")),
        parts=[m.PackPart(**part) for part in data.pop("briefs")],
        **data,
    )


def _chart(path: Path, doc: YamlDoc) -> m.Chart:
    return m.Chart(id=path.stem, origin=m.Origin(path), lines=doc.lines, **doc.data)


def _author(data: dict, path: Path, doc: YamlDoc, index: int) -> m.Author:
    bio = _prose(data.get("bio"), path, doc, "authors", index, "bio")
    return m.Author(**{**data, "bio": bio})


def _section(data: dict, path: Path, doc: YamlDoc, index: int) -> m.Section:
    topics = [data["topic"]] if "topic" in data else data["topics"]
    return m.Section(
        topics=topics,
        origin=_origin(path, doc, "sections", index),
        title=data.get("title", ""),
        intro=_prose(data.get("intro"), path, doc, "sections", index, "intro"),
    )


def _recommendation(data: dict, path: Path, doc: YamlDoc, index: int) -> m.Recommendation:
    body = _prose(data.get("body"), path, doc, "recommendations", index, "body")
    origin = _origin(path, doc, "recommendations", index)
    return m.Recommendation(**{**data, "body": body, "origin": origin})


def _source(data: dict, origin: m.Origin) -> m.Source:
    values = {key: str(value) for key, value in data.items() if key not in ("authors", "editors")}
    return m.Source(
        **values,
        origin=origin,
        authors=[_name(n) for n in data.get("authors", [])],
        editors=[_name(n) for n in data.get("editors", [])],
    )


def _name(value: str | dict) -> m.Name:
    if isinstance(value, dict) and "literal" in value:
        return m.Name(family=value["literal"], literal=True)
    if isinstance(value, dict):
        return m.Name(family=value["family"], given=value.get("given", ""),
                      family_first=bool(value.get("family_first")))
    given, _, family = value.rpartition(" ")
    return m.Name(family=family, given=given) if given else m.Name(family=value, literal=True)


# The folders holding one item per file: the files' suffixes, their kind (the schema) and
# the model each file builds.
_FOLDERS = {
    "audiences": (YAML_SUFFIXES, "audience", _audience),
    "topics": ((".md",), "topic", _topic),
    "briefs": (YAML_SUFFIXES, "brief", _brief),
    "packs": (YAML_SUFFIXES, "pack", _pack),
    "charts": (YAML_SUFFIXES, "chart", _chart),
}


def _item_lines(text: str, items: list[dict]) -> list[int]:
    """Return the line of each CSL-JSON item: the next line with an "id" key after the
    previous item's, or one a little further that names this item's id (a name inside an
    item may have an id of its own); searching no further keeps this linear."""
    import json

    rows = [n for n, row in enumerate(text.splitlines(), 1) if '"id"' in row]
    lines, found, at = text.splitlines(), [], 0
    for item in items:
        marker = f'"id": {json.dumps(item["id"])}'
        ahead = range(at, min(at + 8, len(rows)))
        at = next((k for k in ahead if marker in lines[rows[k] - 1]), at)
        found.append(rows[at] if at < len(rows) else 1)
        at += 1
    return found
