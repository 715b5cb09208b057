"""Caches on disk for work whose result depends only on its inputs: formatted citations,
chart drawings, schema and template checks, what each piece of prose cites.

Formatting a document's notes asks citeproc-js (a Node.js worker that takes a second or
more to build its engine for a style) the same question on every rebuild. Kept on disk by
a hash of everything the answer depends on, an answer is computed once; a rebuild in which
no citation changed never starts Node.js at all. Entries are small JSON files, written
atomically, so parallel workers may share the folder; deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

ENVIRONMENT = "BRIEF_CACHE_DIR"  # a folder to use instead, or "off" for no cache


class DiskCache:
    """JSON values by key in a folder (None: a cache that keeps nothing)."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    @classmethod
    def for_project(cls, root: Path, kind: str) -> DiskCache:
        """Return the cache of one kind for a project: .brief-cache/<kind> beside its
        content, unless $BRIEF_CACHE_DIR names another folder or is "off"."""
        chosen = os.environ.get(ENVIRONMENT, "")
        if chosen.lower() == "off":
            return cls(None)
        return cls((Path(chosen) if chosen else root / ".brief-cache") / kind)

    @staticmethod
    def key(*parts) -> str:
        """Return the key of a question: a hash of its parts, as JSON."""
        text = json.dumps(parts, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def populated(self) -> bool:
        """Return whether anything has been kept yet."""
        return self.folder is not None and self.folder.is_dir() and any(self.folder.iterdir())

    def get(self, key: str):
        """Return the value kept under key, or None (missing, unreadable or damaged)."""
        if self.folder is None:
            return None
        try:
            return json.loads((self.folder / key[:2] / f"{key}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value) -> None:
        """Keep value under key; a cache that cannot be written is only slower."""
        if self.folder is None:
            return
        target = self.folder / key[:2] / f"{key}.json"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(value, stream, ensure_ascii=False)
            os.replace(temporary, target)
        except OSError:
            Path(temporary).unlink(missing_ok=True)


class DiskTable:
    """Small JSON values by key, all in one file read once per run and written back at its
    end: for answers asked about every piece of content on every run, where opening a
    file per answer would cost more than the answer. Only the entries used in a run are
    written back, so answers about text that no longer exists fall away."""

    def __init__(self, path: Path | None):
        self.path = path
        self.kept: dict | None = None  # what the file held
        self.used: dict = {}  # what this run asked for or found

    @classmethod
    def for_project(cls, root: Path, kind: str) -> DiskTable:
        """Return the table of one kind for a project (see DiskCache.for_project)."""
        folder = DiskCache.for_project(root, kind).folder
        return cls(None if folder is None else folder / "table.json")

    def get(self, key: str):
        if self.path is None:
            return None
        if self.kept is None:
            try:
                self.kept = json.loads(self.path.read_text("utf-8"))
            except (OSError, ValueError):
                self.kept = {}
            if not isinstance(self.kept, dict):
                self.kept = {}
        value = self.kept.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value) -> None:
        if self.path is not None:
            self.used[key] = value

    def save(self) -> None:
        """Write the entries used in this run, if any answer is new; never fails."""
        if self.path is None or not self.used or self.used.keys() <= (self.kept or {}).keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.used, stream, ensure_ascii=False, separators=(",", ":"))
            os.replace(temporary, self.path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
        self.kept = dict(self.used)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Return a hash of the generator's own files, for answers its code decides."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.suffix in (".py", ".js", ".json"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
