"""Publish stage: write outputs atomically, then the manifest that describes them."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator import __version__
from generator.errors import BuildError

MANIFEST = "manifest.json"


@dataclass
class OutputRecord:
    """One built file, as the manifest records it."""

    path: str  # relative to the output folder, with forward slashes
    brief: str
    audience: str
    length: str
    format: str
    pages: int | None
    words: int
    sha256: str
    plan: dict = field(default_factory=dict)
    input_hash: str = ""
    inputs: dict = field(default_factory=dict)
    pack: str = ""  # set for a briefing pack, whose brief/audience/length are empty
    pdf_variant: str = ""  # for a PDF, the standard it claims (WeasyPrint's name: pdf/ua-1)


def output_path(brief: str, audience: str, length: str, fmt: str) -> str:
    """Return where an output goes inside the output folder."""
    return f"{brief}/{audience}-{length}.{fmt}"


def check_output_dir(out_dir: Path) -> None:
    """Refuse an output folder that cannot be one, before any work is done."""
    for parent in [out_dir, *out_dir.parents]:
        if parent.exists() and not parent.is_dir():
            raise BuildError(f"{parent}: the output path is an existing file, not a folder "
                             "(choose another folder with -o)")


def remove_leftovers(out_dir: Path) -> None:
    """Delete temporary files a killed build left behind (never under an output's name)."""
    if out_dir.is_dir():
        for leftover in out_dir.rglob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish(out_dir: Path, relative: str, data: bytes, record: dict) -> OutputRecord:
    """Write one output atomically and return its manifest record."""
    write_atomic(out_dir / relative, data)
    return OutputRecord(path=relative, sha256=hashlib.sha256(data).hexdigest(), **record)


def write_manifest(out_dir: Path, records: list[OutputRecord]) -> Path:
    """Merge the records into the manifest, keeping earlier outputs still on disk."""
    path = out_dir / MANIFEST
    merged = {r["path"]: r for r in read_manifest(out_dir) if (out_dir / r["path"]).is_file()}
    merged.update({r.path: asdict(r) for r in records})
    _write_records(path, merged)
    return path


def _write_records(path: Path, records: dict[str, dict]) -> None:
    document = manifest_document([records[key] for key in sorted(records)])
    write_atomic(path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())


def manifest_document(records: list[dict], **extra) -> dict:
    """Return a manifest: what made it and a summary of its records, then the records.

    Readers need only "outputs"; the rest is for people and tools looking at a folder. Nothing
    in it depends on the time or the machine, so the same outputs give the same manifest.
    """
    inputs = hashlib.sha256("".join(f"{r['path']} {r.get('input_hash', '')}\n"
                                    for r in sorted(records, key=lambda r: r["path"])).encode())
    counts = {"outputs": len(records),
              "pdf": sum(r.get("format") == "pdf" for r in records),
              "html": sum(r.get("format") == "html" for r in records),
              "pages": sum(r.get("pages") or 0 for r in records)}
    return {**extra, "generator": {"name": "brief", "version": __version__}, "counts": counts,
            "inputs_sha256": inputs.hexdigest(), "outputs": records}


def is_intact(out_dir: Path, record: dict) -> bool:
    """Return whether the recorded output is on disk with the recorded bytes."""
    try:
        data = (out_dir / record["path"]).read_bytes()
    except (OSError, KeyError):
        return False
    return hashlib.sha256(data).hexdigest() == record.get("sha256")


def merge_manifests(paths: list[Path], out_dir: Path) -> Path:
    """Join the manifests of several shard builds into out_dir's manifest.

    The same output in two manifests must have the same bytes; otherwise the shards were
    built from different inputs, and merging them would publish a mixed release.
    """
    merged: dict[str, dict] = {}
    for path in paths:
        try:
            records = json.loads(path.read_text("utf-8"))["outputs"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise BuildError(f"{path}: not a brief manifest ({error})") from None
        for record in records:
            earlier = merged.setdefault(record["path"], record)
            if earlier["sha256"] != record["sha256"]:
                raise BuildError(f"{path}: {record['path']} differs from another shard's "
                                 "(were the shards built from the same commit?)")
    manifest = out_dir / MANIFEST
    _write_records(manifest, merged)
    return manifest


def read_manifest(out_dir: Path) -> list[dict]:
    """Return the manifest's records, or none if there is no readable manifest."""
    try:
        return json.loads((out_dir / MANIFEST).read_text("utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
