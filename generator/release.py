"""Releases: every built output (and the fonts its pages load), the manifest, SHA256SUMS and
a zip, byte-reproducible."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from generator import fonts
from generator.errors import BuildError
from generator.publish import MANIFEST, manifest_document, read_manifest

VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry


def make_release(out_dir: Path, version: str, paths: set[str]) -> Path:
    """Copy the given outputs into out_dir/release/<version>/ with sums and a zip."""
    if not VERSION.match(version):
        raise BuildError(f"{version!r} is not a usable version (letters, digits, . _ + -)")
    records = [r for r in read_manifest(out_dir) if r["path"] in paths]
    if not records:
        raise BuildError(f"{out_dir / MANIFEST}: nothing to release; build first")
    final = out_dir / "release" / version
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{version}."))
    try:
        _fill(staging, out_dir, records, version)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _fill(folder: Path, out_dir: Path, records: list[dict], version: str) -> None:
    names = []
    for record in records:
        source = out_dir / record["path"]
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != record["sha256"]:
            raise BuildError(f"{source}: differs from the manifest; rebuild before releasing")
        target = folder / record["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        names.append(record["path"])
    if any(record["format"] == "html" for record in records):
        for name in fonts.asset_paths(out_dir):  # the fonts the pages load
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out_dir / name, folder / name)
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
    """Write a zip whose bytes depend only on the files: fixed order, times and modes."""
    stamp = time.gmtime(max(int(os.environ.get("SOURCE_DATE_EPOCH", ZIP_EPOCH)), ZIP_EPOCH))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp[:6])
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (folder / name).read_bytes())
