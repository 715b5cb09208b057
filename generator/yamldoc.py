"""Parse YAML safely into plain values, remembering the line of every value.

Analysts write YAML by hand, so two of YAML 1.1's surprises are switched off: only
``true``/``false`` are booleans (``no`` stays the text "no"), and dates stay text until
the model parses them. Aliases are expanded under a node budget and nesting is bounded,
so a hostile file ends with a clear error instead of a hang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # libyaml's C parser is about ten times faster than the pure-Python one.
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

ALLOWED_TAGS = {f"tag:yaml.org,2002:{name}" for name in
                ("map", "seq", "str", "int", "float", "bool", "null", "merge")}
MAX_DEPTH = 64  # defaults; settings.yaml may change them (max_yaml_depth, max_yaml_values)
MAX_NODES = 200_000
LIBYAML_DEPTH = 1000  # libyaml's own bound on nesting (0.2.6 and later)

PathKey = tuple  # a path into the document, e.g. ("sections", 0, "topics")


class _Loader(_BaseLoader):
    """A safe loader with strict booleans and no implicit dates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":bool", ":timestamp"))]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlError(Exception):
    """The text is not YAML we accept; ``line`` is 1-based within the text."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@dataclass
class YamlDoc:
    """Plain values parsed from YAML, with the line each value starts on."""

    data: object
    lines: dict[PathKey, int] = field(default_factory=dict)
    first_line: int = 1

    def line_of(self, path: PathKey) -> int:
        """Return the line of the value at path, or of its nearest located parent."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, self.first_line)


@dataclass(frozen=True)
class Limits:
    """How much one YAML document may hold, so hostile files end quickly."""

    depth: int = MAX_DEPTH
    values: int = MAX_NODES


def parse_yaml(text: str, first_line: int = 1, limits: Limits = Limits()) -> YamlDoc:
    """Parse one YAML document; raise YamlError with the line of the first problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        if "maximum nesting depth" in (error.problem or ""):  # libyaml's own bound (0.2.6+)
            line = first_line + error.problem_mark.line
            if limits.depth < LIBYAML_DEPTH:
                raise _too_deep(line, limits) from None
            raise YamlError(line, f"nested more than the YAML parser allows (about "
                                  f"{LIBYAML_DEPTH:,} levels)", "flatten the structure") from None
        raise _syntax_error(error, text, first_line) from None
    except yaml.YAMLError as error:
        raise YamlError(first_line, f"not valid YAML: {error}") from None
    finally:
        loader.dispose()
    doc = YamlDoc(None, first_line=first_line)
    if node is not None:
        doc.data = _Builder(loader, doc, first_line, limits).build(node, (), 0)
    return doc


def _too_deep(line: int, limits: Limits) -> YamlError:
    return YamlError(line, f"nested more than {limits.depth} levels deep",
                     "flatten the structure, or raise max_yaml_depth in settings.yaml")


def _syntax_error(error: yaml.MarkedYAMLError, text: str, first_line: int) -> YamlError:
    mark = error.problem_mark or error.context_mark
    line = first_line + (mark.line if mark else 0)
    problem = error.problem or "syntax error"
    source_lines = text.splitlines()
    offending = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
    indent = offending[: len(offending) - len(offending.lstrip())]
    if "\t" in indent or "tab" in problem:
        return YamlError(line, "YAML does not allow tab characters for indentation",
                         "indent with spaces")
    context = f" {error.context}" if error.context else ""
    return YamlError(line, f"YAML syntax error: {problem}{context}",
                     "check the indentation and that every bracket and quote is closed")


class _Builder:
    """Turn a composed node tree into plain values, recording lines as it goes."""

    def __init__(self, loader: _Loader, doc: YamlDoc, first_line: int, limits: Limits):
        self.loader, self.doc, self.first_line, self.limits = loader, doc, first_line, limits
        self.nodes = 0

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> object:
        line = self.first_line + node.start_mark.line
        self._count(line, depth)
        if node.tag not in ALLOWED_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlError(line, f"the YAML tag {tag} is not allowed",
                            "content is plain data: remove the tag")
        self.doc.lines.setdefault(path, line)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, line)

    def _count(self, line: int, depth: int) -> None:
        self.nodes += 1
        if depth > self.limits.depth:
            raise _too_deep(line, self.limits)
        if self.nodes > self.limits.values:
            raise YamlError(line, f"more than {self.limits.values:,} values (are aliases "
                            "expanding?)", "split the file or remove the aliases, or raise "
                            "max_yaml_values in settings.yaml")

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict:
        try:
            self.loader.flatten_mapping(node)  # resolves "<<" merge keys
        except yaml.YAMLError as error:
            line = self.first_line + node.start_mark.line
            raise YamlError(line, f"cannot merge here: {getattr(error, 'problem', error)}",
                            "'<<' merges a mapping (or a list of mappings) into this one"
                            ) from None
        result: dict = {}
        for key_node, value_node in node.value:
            line = self.first_line + key_node.start_mark.line
            key = self._scalar(key_node, line) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                raise YamlError(line, "a mapping key must be plain text")
            key = str(key)
            if key in result:
                raise YamlError(line, f"duplicate key {key!r}",
                                "each key may appear once; remove or rename one")
            self.doc.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.Node, line: int) -> object:
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError as error:
            raise YamlError(line, f"cannot read this value: {error}",
                            "quote the value if it is text") from None


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a content file's bytes, refusing one over the size limit before reading it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise YamlError(1, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                        "split it, or raise max_file_bytes in settings.yaml")
    return path.read_bytes()


def decode_text(raw: bytes) -> str:
    """Return a content file's bytes as UTF-8 text, or raise YamlError saying what is wrong."""
    if b"\x00" in raw[:8192]:
        raise YamlError(1, "this is a binary file, not text", "remove it from the content folder")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlError(line, f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset "
                        f"{error.start})", "re-save the file as UTF-8") from None
    return text.removeprefix("\ufeff")
