"""What this program built: the hash of every output it wrote, kept out of the output folder.

The manifest travels with the output folder, so it cannot vouch for the folder: a folder
restored from a CI cache, or edited, may carry a changed file together with its changed
hash. A release therefore ships a file only if these records, written in this user's own
cache when the build published the file, know its bytes; any other file is rebuilt.
"""

from __future__ import annotations

from generator.cache import DiskCache


class BuiltOutputs:
    """The (output path, sha256) pairs this program published."""

    def __init__(self, cache: DiskCache):
        self.cache = cache

    @classmethod
    def open(cls) -> BuiltOutputs:
        """Return the records, kept under the user's cache root with the other caches (see
        cache.py), never in an output folder."""
        return cls(DiskCache.of_kind("built"))

    def add(self, path: str, sha256: str) -> None:
        """Remember that this program wrote these bytes under this path."""
        self.cache.put(DiskCache.key("built", path, sha256), True)

    def has(self, path: str, sha256: object) -> bool:
        """Return whether this program wrote these bytes under this path."""
        return isinstance(sha256, str) and \
            self.cache.get(DiskCache.key("built", path, sha256)) is True
