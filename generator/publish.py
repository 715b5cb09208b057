"""Publish stage: write outputs atomically, then the manifest that describes them."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

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


PACKS = "packs"  # the folder packs go to
RESERVED = (PACKS, "assets", "release")  # folders of the output that are no brief's
TEMPORARY = ".brief-tmp-"  # how this program's own temporary files start, and no one else's

# What a failed write means to the person who asked for it.
_WRITE_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is on a read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "the name is too long for the file system",
}


def output_path(brief: str, audience: str, length: str, fmt: str) -> str:
    """Return where an output goes inside the output folder (fmt: pdf, html or docx)."""
    return f"{brief}/{audience}-{length}.{fmt}"


def pack_path(pack_id: str, fmt: str) -> str:
    """Return where a pack goes inside the output folder."""
    return f"{PACKS}/{pack_id}.{fmt}"


def check_relative(relative: str) -> PurePosixPath:
    """Refuse a path (from the manifest, an id, a font's name) that could leave the folder
    it is relative to: absolute, with a '..' or '.' part, a backslash or a control
    character. Release zip entries are checked by this too, so none can escape (zip-slip)."""
    path = PurePosixPath(relative) if isinstance(relative, str) else None
    if (path is None or not relative or path.is_absolute() or "\\" in relative
            or any(part in ("", ".", "..") for part in relative.split("/"))
            or any(ord(c) < 32 or ord(c) == 127 for c in relative)):
        raise BuildError(f"{relative!r}: not a path inside the output folder")
    return path


def inside(out_dir: Path, relative: str) -> Path:
    """Return out_dir/relative after checking that it resolves (links followed) inside
    out_dir: the one check every output, manifest record and release file passes."""
    check_relative(relative)
    root = out_dir.resolve()
    if root not in (root / relative).resolve().parents:
        raise BuildError(f"{out_dir / relative}: leads out of the output folder {out_dir} "
                         "(through a link?)")
    return out_dir / relative


def check_output_dir(out_dir: Path) -> None:
    """Refuse an output folder that cannot be one, before any work is done."""
    for parent in [out_dir, *out_dir.parents]:
        if parent.exists() and not parent.is_dir():
            raise BuildError(f"{parent}: the output path is an existing file, not a folder "
                             "(choose another folder with -o)")


def remove_leftovers(out_dir: Path, relatives=()) -> None:
    """Delete the temporary files a killed build left behind: only this program's own
    (named TEMPORARY...), only in the folders it writes into (the output folder, and the
    folders of the given outputs and of those the manifest lists), never anything else."""
    folders = {out_dir, out_dir / "assets" / "fonts"}
    for relative in [*relatives, *_paths(read_manifest(out_dir))]:
        try:
            folders.add(inside(out_dir, relative).parent)
        except (BuildError, OSError, TypeError):
            continue  # not a path of ours: nothing of ours to clean there
    for folder in folders:
        for leftover in _listed(folder, TEMPORARY):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink(missing_ok=True)


def _listed(folder: Path, prefix: str) -> list[Path]:
    try:
        return [entry for entry in folder.iterdir() if entry.name.startswith(prefix)]
    except OSError:  # no such folder (yet), or not one
        return []


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path, then rename it into place, with the
    mode a new file gets (the umask's), not mkstemp's private 0600. A write the system
    refuses (disk full, read-only, name too long) is a BuildError naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMPORARY}{path.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise write_error(path, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), 0o666 & ~umask())
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(path, error) from None
        raise


def write_error(path: Path, error: OSError) -> BuildError:
    """Return the BuildError a failed write of path means, in words, with no traceback."""
    reason = _WRITE_PROBLEMS.get(error.errno) or error.strerror or str(error)
    code = errno.errorcode.get(error.errno or 0)
    return BuildError(f"{path}: cannot write it: {reason}" + (f" ({code})" if code else ""))


def umask() -> int:
    """Return the process's umask (read, not changed where the system tells it: changing it
    even for a moment would let another thread create a file with the wrong mode)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(out_dir: Path, relative: str, data: bytes, record: dict) -> OutputRecord:
    """Write one output atomically and return its manifest record."""
    write_atomic(inside(out_dir, relative), data)
    return OutputRecord(path=relative, sha256=hashlib.sha256(data).hexdigest(), **record)


def write_manifest(out_dir: Path, records: list[OutputRecord], unfinished=(),
                   since: float | None = None) -> Path:
    """Merge the records into the manifest, keeping earlier outputs still on disk.

    ``unfinished`` names outputs whose work stopped (failed, or the build was stopped)
    before its record came back. Such a file is kept listed only if it still has its
    recorded bytes; one a stopped worker replaced after all (written ``since`` the build
    began), whose record is lost, is removed: the manifest lists exactly the whole files
    on disk, with their hashes. A file changed by someone else is left, unlisted.
    """
    path = out_dir / MANIFEST
    unfinished = set(unfinished) - {r.path for r in records}
    merged = {}
    for record in read_manifest(out_dir):
        if not _paths([record]):
            continue  # not a record (a damaged manifest): nothing to keep
        if record["path"] in unfinished:
            if is_intact(out_dir, record):
                merged[record["path"]] = record
        elif _is_listable(out_dir, record):
            merged[record["path"]] = record
    for relative in unfinished - set(merged):
        try:
            orphan = inside(out_dir, relative)
            if since is not None and orphan.stat().st_mtime >= since:
                orphan.unlink()
        except (BuildError, OSError):
            continue
    merged.update({r.path: asdict(r) for r in records})
    _write_records(path, merged)
    return path


def _paths(records: list) -> list[str]:
    """Return the paths of the records that are records with a path."""
    return [r["path"] for r in records if isinstance(r, dict) and isinstance(r.get("path"), str)]


def _is_listable(out_dir: Path, record: dict) -> bool:
    try:
        return inside(out_dir, record["path"]).is_file()
    except (BuildError, KeyError, TypeError, OSError):
        return False


def remove_orphans(out_dir: Path, known: set[str]) -> list[str]:
    """Delete the outputs the manifest records that the content no longer declares (a
    length or audience dropped from a brief, a brief or pack removed), and their records.

    Only a recorded file inside out_dir, still with the bytes brief wrote, is deleted: a
    file someone put there or changed since is left alone (its record is dropped). Returns
    the paths whose records were dropped.
    """
    records = [r for r in read_manifest(out_dir)
               if isinstance(r, dict) and isinstance(r.get("path"), str)]
    orphans = [r for r in records if r.get("path") not in known]
    if not orphans:
        return []
    root = out_dir.resolve()
    for record in orphans:
        path = (out_dir / record["path"]).resolve()
        if root in path.parents and is_intact(out_dir, record):
            path.unlink()
            _remove_empty_folders(path.parent, root)
    kept = {r["path"]: r for r in records if r.get("path") in known}
    _write_records(out_dir / MANIFEST, kept)
    return sorted(r["path"] for r in orphans)


def _remove_empty_folders(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()  # only when empty
        except OSError:
            return
        folder = folder.parent


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
              "pages": sum(_pages(r) for r in records)}
    return {**extra, "generator": {"name": "brief", "version": __version__}, "counts": counts,
            "inputs_sha256": inputs.hexdigest(), "outputs": records}


def _pages(record: dict) -> int:
    """Return a record's page count (0 for HTML, or a merged shard's record without one)."""
    pages = record.get("pages")
    return pages if isinstance(pages, int) and not isinstance(pages, bool) else 0


def is_intact(out_dir: Path, record: dict) -> bool:
    """Return whether the recorded output is on disk with the recorded bytes."""
    if record_problem(record) is not None:
        return False
    try:
        data = inside(out_dir, record["path"]).read_bytes()
    except (OSError, BuildError):
        return False
    return hashlib.sha256(data).hexdigest() == record["sha256"]


def merge_manifests(paths: list[Path], out_dir: Path) -> Path:
    """Join the manifests of several shard builds into out_dir's manifest.

    The same output in two manifests must have the same bytes; otherwise the shards were
    built from different inputs, and merging them would publish a mixed release. A record
    without a path or a hash is an error: merging without it would lose an output.
    """
    merged: dict[str, dict] = {}
    problems = []
    for path in paths:
        try:
            records = _outputs(path)
        except (OSError, ValueError) as error:
            raise BuildError(f"{path}: not a brief manifest ({error})") from None
        for number, record in enumerate(records, start=1):
            if problem := record_problem(record):
                problems.append(f"{path}: output {number} {problem}")
                continue
            earlier = merged.setdefault(record["path"], record)
            if earlier["sha256"] != record["sha256"]:
                problems.append(f"{path}: {record['path']} differs from another shard's "
                                "(were the shards built from the same commit?)")
    if problems:
        raise BuildError(problems)
    manifest = out_dir / MANIFEST
    _write_records(manifest, merged)
    return manifest


def read_manifest(out_dir: Path) -> list[dict]:
    """Return the manifest's usable records (each with a path inside the folder and a
    hash), or none if there is no readable manifest: what it cannot describe is rebuilt."""
    try:
        records = _outputs(out_dir / MANIFEST)
    except (OSError, ValueError):
        return []
    return [record for record in records if record_problem(record) is None]


def record_problem(record) -> str | None:
    """Return what makes a manifest record unusable ("has no 'path'"), or None."""
    if not isinstance(record, dict):
        return f"is {_short(record)}, not a record"
    path = record.get("path")
    if not isinstance(path, str) or not path:
        return "has no 'path'"
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        return f"has the path {_short(path)}, which is not inside the output folder"
    if not isinstance(record.get("sha256"), str):
        return f"({path}) has no 'sha256'"
    return None


def _outputs(path: Path) -> list:
    """Return the list of output records of a manifest file; ValueError if it has none."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except RecursionError:  # brackets nested thousands deep
        raise ValueError("nested too deeply to be a manifest") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text ({error.reason})") from None
    outputs = document.get("outputs") if isinstance(document, dict) else None
    if not isinstance(outputs, list):
        raise ValueError("no list of outputs")
    return outputs


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
