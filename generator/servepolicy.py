"""What the preview server answers, and to whom: the trust rules of `brief serve`.

A web page open in the same browser can make it send requests to the preview, and a page
whose domain name rebinds to 127.0.0.1 could read the answers (drafts included). Browsers
send that page's domain name as the Host header, so the server answers only requests that
name the address it listens on (or localhost) with its port. It serves only the files the
build wrote, as the manifest lists them, and brief's own assets: no folder listings, no
dotfiles, not the manifest, and nothing a symlink would reach outside the output folder.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import unquote

from generator.publish import MANIFEST, read_manifest

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "")


def allowed_hosts(requested: str, bound: str, port: int) -> frozenset[str]:
    """Return the Host header values the server answers: the address it was asked to listen
    on and the one it bound, and the loopback names, each with the port (alone as well for
    port 80, which browsers leave out). Listening on every address (--allow-remote), the
    machine's name is added; IP addresses are accepted by host_allowed."""
    names = {*LOOPBACK_NAMES, _url_host(requested), _url_host(bound)}
    if bound in WILDCARDS:
        names.add(socket.gethostname())
    names = {name.lower() for name in names if name}
    hosts = {f"{name}:{port}" for name in names}
    return frozenset(hosts | (names if port == 80 else set()))


def host_allowed(header: str | None, allowed: frozenset[str], bound: str) -> bool:
    """Return whether a request's Host header names this server. A server listening on
    every address also answers an IP address with its port: a rebinding page can only
    send a domain name, never an address it does not own."""
    if not header:
        return False
    host = header.strip().lower()
    if host in allowed:
        return True
    if bound not in WILDCARDS:
        return False
    name, _, port = host.rpartition(":")
    ports = {entry.rpartition(":")[2] for entry in allowed}
    return port in ports and _is_address(name.removeprefix("[").removesuffix("]"))


def published_files(out_dir: Path) -> frozenset[str]:
    """Return the paths (relative, with forward slashes) of the files the build wrote: the
    manifest's outputs and the pages' fonts."""
    from generator import fonts

    paths = {record["path"] for record in read_manifest(out_dir)}
    try:
        paths |= set(fonts.asset_paths(out_dir))
    except Exception:  # noqa: BLE001  (fonts not installed: the build reports it)
        pass
    return frozenset(paths - {MANIFEST})


def served_file(out_dir: Path, files: frozenset[str], url_path: str) -> Path | None:
    """Return the file a URL path names if it may be served, else None."""
    relative = unquote(url_path).removeprefix("/")
    if relative not in files or relative == MANIFEST:
        return None
    if any(part in ("", ".", "..") or part.startswith(".") for part in relative.split("/")):
        return None
    root = out_dir.resolve()
    file = (root / relative).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return None  # a symlink that leaves the output folder, or a file since removed
    return file


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
