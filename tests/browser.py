"""A real browser for tests: the system's Chromium or Chrome driven by Playwright, and a local
web server.

The browser is $BRIEF_CHROMIUM or else the first of BROWSERS on PATH (scripts/setup.sh --test
installs Debian's chromium when there is none); Playwright never downloads one. Every page
is loaded in a fresh context that records what a reader's browser would complain about:
console errors, script errors, Content-Security-Policy violations and any request that leaves
the page's own origin.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# The same names, in the same order, as scripts/setup.sh looks for.
BROWSERS = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# Quiet, offline and reproducible: no GPU, no background updates or sync, no QUIC probes.
# --no-sandbox because CI runs as root, where Chromium's sandbox refuses to start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
# Collects CSP violations from the first moment of the page (init scripts run before any
# of the page's own and are not subject to its CSP).
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  e => window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`));
"""


def find_browser() -> Path | None:
    """Return the Chromium or Chrome to drive: $BRIEF_CHROMIUM, else the first on PATH."""
    chosen = os.environ.get("BRIEF_CHROMIUM")
    for name in ([chosen] if chosen else []) + list(BROWSERS):
        if found := shutil.which(name):
            return Path(found)
    return None


def launch(playwright):
    """Launch the system Chromium (Playwright gives it a fresh, temporary profile)."""
    browser = find_browser()
    if browser is None:
        raise RuntimeError(f"no browser found (looked for $BRIEF_CHROMIUM, {', '.join(BROWSERS)}):"
                           " run scripts/setup.sh --test to install chromium")
    return playwright.chromium.launch(executable_path=str(browser), args=CHROMIUM_ARGS)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test output is for failures
        pass


@contextlib.contextmanager
def serve_folder(folder: Path):
    """Serve a folder on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Visit:
    """A page loaded in its own context, and everything it complained about."""

    page: object
    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations")

    def problems(self) -> list[str]:
        """Return every console error, script error, CSP violation and foreign request."""
        return ([f"console: {e}" for e in self.errors]
                + [f"CSP: {v}" for v in self.csp_violations()]
                + [f"request to another origin: {url}" for url in self.foreign])

    def serious_accessibility_violations(self) -> list[str]:
        """Run axe-core on the page; return its serious and critical violations.

        The page's own CSP (rightly) refuses an injected <script> (page.add_script_tag), so
        axe's source is evaluated through the DevTools protocol, which CSP does not govern.
        """
        self.page.evaluate(AXE.read_text())
        violations = self.page.evaluate("""async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }""")
        return [f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
                for v in violations if v["impact"] in ("serious", "critical")]


@contextlib.contextmanager
def visit(browser, url: str, width: int, height: int = 900, media: str | None = None):
    """Open url at a viewport width in a fresh context; yield a Visit recording problems."""
    context = browser.new_context(viewport={"width": width, "height": height})
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    page = context.new_page()
    seen = Visit(page, origin)

    def only_own_origin(route) -> None:
        request_url = route.request.url
        if request_url.startswith(origin + "/") or request_url.startswith("data:"):
            route.continue_()
        else:  # recorded and refused: a published page must stand on its own
            seen.foreign.append(request_url)
            route.abort()

    context.route("**/*", only_own_origin)
    page.on("console", lambda message: message.type == "error" and seen.errors.append(message.text))
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.add_init_script(RECORD_CSP)
    if media:
        page.emulate_media(media=media)
    try:
        page.goto(url, wait_until="load")
        yield seen
    finally:
        context.close()
