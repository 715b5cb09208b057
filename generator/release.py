"""Releases: every built output (and the fonts its pages load), the manifest, SHA256SUMS and
a zip, byte-reproducible."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
from pathlib import Path

from generator import fonts
from generator.built import BuiltOutputs
from generator.errors import BuildError
from generator.publish import (MANIFEST, TEMPORARY, check_relative, inside, manifest_document,
                               read_manifest, umask, write_error)

VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry


def check_release(out_dir: Path, version: str) -> None:
    """Refuse a version that cannot name a release folder, before anything is built."""
    if not VERSION.match(version):
        raise BuildError(f"{version!r} is not a usable version (letters, digits, . _ + -)")
    for path in (out_dir / "release", out_dir / "release" / version):
        if path.exists() and not path.is_dir():
            raise BuildError(f"{path}: an existing file, not a release folder (choose another "
                             "--version, or move the file)")


def make_release(out_dir: Path, version: str, paths: set[str],
                 built: BuiltOutputs | None = None) -> Path:
    """Copy the given outputs into out_dir/release/<version>/ with sums and a zip. With
    built, every output must be bytes this program built (the build rebuilt any other)."""
    check_release(out_dir, version)
    records = [r for r in read_manifest(out_dir)
               if isinstance(r, dict) and r.get("path") in paths]
    if not records:
        raise BuildError(f"{out_dir / MANIFEST}: nothing to release; build first")
    if missing := sorted(paths - {r["path"] for r in records}):
        # A release ships every output asked for or none: a record the manifest cannot
        # vouch for (a path not inside the output folder, no hash) is not shipped quietly.
        raise BuildError(f"{out_dir / MANIFEST}: no usable record of {', '.join(missing)}; "
                         "build again before releasing")
    final = inside(out_dir, f"release/{version}")
    try:
        _publish(final, out_dir, records, version, built)
    except OSError as error:  # a full disk, a read-only folder: said plainly
        raise write_error(Path(error.filename or final), error) from None
    return final


def _publish(final: Path, out_dir: Path, records: list[dict], version: str,
             built: BuiltOutputs | None) -> None:
    """Fill a staging folder beside final, then put it in final's place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f"{TEMPORARY}{version}."))
    try:
        staging.chmod(0o777 & ~umask())  # mkdtemp's folder is private (0700); a release is not
        _fill(staging, out_dir, records, version, built)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fill(folder: Path, out_dir: Path, records: list[dict], version: str,
          built: BuiltOutputs | None) -> None:
    names = []
    for record in records:
        source = inside(out_dir, record["path"])
        data = source.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != record.get("sha256"):
            raise BuildError(f"{source}: differs from the manifest; rebuild before releasing")
        if built is not None and not built.has(record["path"], digest):
            raise BuildError(f"{source}: not a file this program built (changed since, or "
                             "restored from elsewhere); rebuild it with --force")
        target = inside(folder, record["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        names.append(record["path"])
    if any(record.get("format") == "html" for record in records):
        for name in fonts.asset_paths(out_dir):  # the fonts the pages load
            inside(folder, name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(inside(out_dir, name), folder / name)
            names.append(name)
    manifest = json.dumps(manifest_document(records, version=version), indent=2,
                          ensure_ascii=False)
    (folder / MANIFEST).write_text(manifest + "\n", "utf-8")
    names.append(MANIFEST)
    sums = "".join(f"{_sha256(folder / name)}  {name}\n" for name in sorted(names))
    (folder / "SHA256SUMS").write_text(sums)
    names.append("SHA256SUMS")
    _zip(folder, sorted(names), folder / f"brief-{version}.zip")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zip(folder: Path, names: list[str], target: Path) -> None:
    """Write a zip whose bytes depend only on the files: fixed order, times and modes.
    Every entry is a plain relative path (never absolute, never with '..') and carries
    Unix file-type and permission bits, so unzip makes ordinary 0644 files."""
    stamp = time.gmtime(max(int(os.environ.get("SOURCE_DATE_EPOCH", ZIP_EPOCH)), ZIP_EPOCH))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            check_relative(name)
            info = zipfile.ZipInfo(name, date_time=stamp[:6])
            info.create_system = 3  # Unix: external_attr's high half is st_mode
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (folder / name).read_bytes())
