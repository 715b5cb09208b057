"""Caches on disk for work whose result depends only on its inputs: formatted citations,
chart drawings, schema and template checks, what each piece of prose cites.

Formatting a document's notes asks citeproc-js (a Node.js worker that takes a second or
more to build its engine for a style) the same question on every rebuild. Kept on disk by
a hash of everything the answer depends on, an answer is computed once; a rebuild in which
no citation changed never starts Node.js at all. Entries are small JSON files, written
atomically, so parallel workers may share the folder; deleting it is always safe.

Every cache lives under one root (cache_root): a per-user folder, as pip and pre-commit keep
theirs, never beside the content, so a cache cannot travel with a content bundle. Entries
are keyed by a hash of everything they answer for, the content's bytes included, so
projects may share the root. What is read back is still untrusted input: only data (JSON,
font files), never code, and each reader re-checks or sanitises what it takes
(docs/security.md, "Caches").
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

ENVIRONMENT = "BRIEF_CACHE_DIR"  # a folder to use instead, or "off" for no cache


def cache_root() -> Path | None:
    """Return the folder every cache lives under, or None when caching is turned off:
    $BRIEF_CACHE_DIR, else $XDG_CACHE_HOME/brief, else ~/.cache/brief."""
    chosen = os.environ.get(ENVIRONMENT, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder to find: keep nothing
            return None
    return Path(base) / "brief"


class DiskCache:
    """JSON values by key in a folder (None: a cache that keeps nothing)."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    @classmethod
    def of_kind(cls, kind: str) -> DiskCache:
        """Return the cache of one kind (a folder under cache_root)."""
        root = cache_root()
        return cls(None if root is None else root / kind)

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
        self.dropped = False  # whether an entry kept was found wrong

    @classmethod
    def of_kind(cls, kind: str, project: Path) -> DiskTable:
        """Return the table of one kind for a content folder (a file under cache_root).
        Its entries are keyed by content, as every cache's; one file per content folder
        only keeps two projects that share the root from writing each other's away."""
        folder = DiskCache.of_kind(kind).folder
        if folder is None:
            return cls(None)
        where = hashlib.sha256(str(Path(project).resolve()).encode()).hexdigest()[:16]
        return cls(folder / f"table-{where}.json")

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

    def drop(self, key: str) -> None:
        """Forget an entry found wrong: it is not written back."""
        self.used.pop(key, None)
        self.dropped = True

    def save(self) -> None:
        """Write the entries used in this run, if any answer is new or one was dropped;
        never fails."""
        if self.path is None or not (self.used or self.dropped):
            return
        if not self.dropped and self.used.keys() <= (self.kept or {}).keys():
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


def kept_file(path: Path) -> bytes | None:
    """Return the bytes of a file kept with keep_file, or None if it is missing or differs
    from the digest recorded when it was written (damaged, cut short, or replaced alone)."""
    try:
        data = path.read_bytes()
        recorded = _digest_file(path).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return data if hashlib.sha256(data).hexdigest() == recorded else None


def keep_file(path: Path, data: bytes) -> None:
    """Write a file into a cache with the digest of its bytes beside it (see kept_file);
    a cache that cannot be written is only slower."""
    from generator.publish import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        write_atomic(_digest_file(path), hashlib.sha256(data).hexdigest().encode())
    except OSError:
        pass


def _digest_file(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Return a hash of the generator's own files, for answers its code decides (and an
    input of every output: a change to the code under the same version rebuilds)."""
    return package_digest(Path(__file__).parent)


def package_digest(folder: Path) -> str:
    """Return a hash of the code files (Python, JavaScript, JSON) of a package folder."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.suffix in (".py", ".js", ".json"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
