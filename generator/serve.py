"""Live preview: serve the output folder on loopback, rebuild on every change to the content
or templates, and reload the pages open in a browser.

The files on disk stay exactly as published. Only the copies this server sends gain a
small reload script, loaded from the server's own origin; their Content-Security-Policy is
widened for that alone (script-src and connect-src 'self'). The script listens on a
Server-Sent Events stream for the number of the latest build and reloads when it differs
from the one the page was served at. While the latest build has errors, every page is an
error page listing them as path:line: message; fixing them rebuilds and the pages recover.

Who may ask, and for what, is servepolicy.py's: requests must name this server in their
Host header (or get 421 and nothing else), and only the files the build wrote are served
(anything else is 404); the root lists the pages built.
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from generator import pipeline, servepolicy
from generator.errors import BriefError, ChoiceError
from generator.render import csp_hash

HERE = Path(__file__).resolve().parent
RELOAD_SCRIPT = "/_brief/reload.js"
EVENTS = "/_brief/events"
KEEPALIVE_SECONDS = 15
CSP_META = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')
HTML = "text/html; charset=utf-8"
TYPES = {".html": HTML, ".pdf": "application/pdf", ".woff2": "font/woff2",
         ".txt": "text/plain; charset=utf-8"}


@dataclass
class BuildOutcome:
    """What one build of the preview did: its report, or the problems that stopped it."""

    report: pipeline.BuildReport | None
    problems: list[str] = field(default_factory=list)
    files: frozenset[str] = frozenset()  # what the output folder holds that may be served


class Preview:
    """The latest build's number and problems, shared by the builder and every request."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.generation = 0
        self.problems: list[str] = []
        self.files: frozenset[str] = frozenset()
        self.closing = False

    def publish(self, outcome: BuildOutcome) -> None:
        with self._changed:
            self.generation += 1
            self.problems = outcome.problems
            self.files = outcome.files
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closing = True
            self._changed.notify_all()

    def wait(self, seen: int | None, timeout: float) -> int:
        """Return the generation once it differs from seen (or after timeout)."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen or self.closing, timeout)
            return self.generation


def build_once(project: pipeline.Project, out_dir: Path, selection: dict) -> BuildOutcome:
    """Build the selection incrementally; return the problems instead of raising them
    (a name that is not a valid choice still raises ChoiceError)."""
    try:
        report = pipeline.build(project, out_dir, **selection)
    except BriefError as error:
        return BuildOutcome(None, [str(p) for p in error.problems],
                            servepolicy.published_files(out_dir))
    return BuildOutcome(report, [str(p) for _, error in report.failures for p in error.problems],
                        servepolicy.published_files(out_dir))


def open_server(out_dir: Path, preview: Preview, host: str, port: int):
    """Return a threaded HTTP server for out_dir (not yet serving); OSError if the port is
    taken."""
    handler = functools.partial(_Handler, preview, Path(out_dir))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True  # open event streams must not hold up the exit
    bound, bound_port = server.server_address[:2]
    server.allowed_hosts = servepolicy.allowed_hosts(host, bound, bound_port)
    server.bound_host = bound
    return server


def watch_and_rebuild(project: pipeline.Project, out_dir: Path, selection: dict,
                      preview: Preview, on_build: Callable[[BuildOutcome], None]) -> None:
    """Rebuild whenever a file under the content or templates folder changes, until
    KeyboardInterrupt (which it raises)."""
    import watchfiles

    for _changes in watchfiles.watch(project.content, project.templates, raise_interrupt=True):
        try:
            outcome = build_once(project, out_dir, selection)
        except ChoiceError as error:  # a brief named on the command line was removed
            outcome = BuildOutcome(None, [str(error)])
        preview.publish(outcome)
        on_build(outcome)


def for_preview(page: str, generation: int) -> str:
    """Return a built page as served: its CSP also allows this server's script and event
    stream, and the reload script is linked in its head."""
    page = CSP_META.sub(lambda m: m.group(1) + _widen_csp(m.group(2)) + m.group(3), page, 1)
    tag = f'<script src="{RELOAD_SCRIPT}" data-generation="{generation}" defer></script>\n'
    head_end = page.find("</head>")
    return page[:head_end] + tag + page[head_end:] if head_end >= 0 else tag + page


def _widen_csp(policy: str) -> str:
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    for name in ("script-src", "connect-src"):
        for index, directive in enumerate(directives):
            if directive.split()[0] == name:
                directives[index] = directive.replace(" 'none'", "") + " 'self'"
                break
        else:
            directives.append(f"{name} 'self'")
    return "; ".join(directives)


@functools.lru_cache(maxsize=None)
def _own_template(name: str) -> jinja2.Template:
    # Not from the project's templates folder: the error may be in those templates.
    source = (HERE / f"{name}.html").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True).from_string(source)


def _own_page(name: str, generation: int, **values) -> str:
    """Return one of the server's own pages (serve-NAME.html with its stylesheet inlined)."""
    style = (HERE / f"{name}.css").read_text(encoding="utf-8")
    page = _own_template(name).render(style=style, style_hash=csp_hash(style), **values)
    return for_preview(page, generation)


def error_page(problems: list[str], generation: int) -> str:
    """Return the page shown in place of every page while the latest build has errors."""
    return _own_page("serve-error", generation, problems=problems)


def index_page(files: frozenset[str], generation: int) -> str:
    """Return the page served at the root: a link to each HTML page the build wrote."""
    pages = sorted(path for path in files if path.endswith(".html"))
    return _own_page("serve-index", generation, pages=pages)


class _Handler(http.server.BaseHTTPRequestHandler):
    """The files the build wrote, HTML pages served for preview (or as the error page),
    the reload script and the event stream; to requests that name this server only."""

    def __init__(self, preview: Preview, out_dir: Path, *args, **kwargs) -> None:
        self.preview = preview
        self.out_dir = out_dir
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:
        pass  # the terminal is for builds and their errors

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        if not servepolicy.host_allowed(self.headers.get("Host"), self.server.allowed_hosts,
                                        self.server.bound_host):
            return self._refuse(421)  # Misdirected Request: not a name of this server
        path = urlsplit(self.path).path
        if path == EVENTS and not head:
            return self._stream_events()
        if path == RELOAD_SCRIPT:
            script = (HERE / "serve.js").read_bytes()
            return self._send(200, "text/javascript; charset=utf-8", script, head)
        generation, problems = self.preview.generation, self.preview.problems
        if problems and (path.endswith(".html") or path == "/"):
            return self._send(500, HTML, error_page(problems, generation).encode(), head)
        if path == "/":
            page = index_page(self.preview.files, generation)
            return self._send(200, HTML, page.encode(), head)
        file = servepolicy.served_file(self.out_dir, self.preview.files, path)
        if file is None:
            return self._refuse(404)
        if file.suffix == ".html":
            page = for_preview(file.read_text(encoding="utf-8"), generation)
            return self._send(200, HTML, page.encode(), head)
        return self._send(200, _content_type(file), file.read_bytes(), head)

    def _refuse(self, status: int) -> None:
        """Answer with a status and nothing else: no page that could tell what is here."""
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _send(self, status: int, kind: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _stream_events(self) -> None:
        """Send the current build number, then each new one, until the client leaves."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = None
        try:
            while not self.preview.closing:
                generation = self.preview.wait(seen, KEEPALIVE_SECONDS)
                # A comment line keeps idle connections open through proxies and timeouts.
                message = ": idle\n\n" if generation == seen else f"data: {generation}\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = generation
        except (BrokenPipeError, ConnectionResetError):
            pass


def _content_type(file: Path) -> str:
    return TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or \
        "application/octet-stream"
