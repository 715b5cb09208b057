"""`brief serve`: a live preview that rebuilds on every change and reloads the open page,
shows build errors on the page and recovers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import contextlib
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from browser import visit
from playwright.sync_api import expect
from conftest import SAMPLE, TEMPLATES, run

from generator.serve import error_page, for_preview

PAGE = "harbor-memo/staff-full.html"
PDF = "harbor-memo/staff-full.pdf"
TOPIC = "topics/harbor-overview.md"
SENTENCE = "up from 9 million a decade earlier"


class Lines:
    """The lines a process prints on one stream, read in a thread so waits can time out."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                line = self._queue.get(timeout=0.2)
                self.seen.append(line)
                if text in line:
                    return line
        raise AssertionError(f"no line with {text!r} within {timeout}s; saw: {self.seen}")

    def text(self) -> str:
        with contextlib.suppress(queue.Empty):
            while True:
                self.seen.append(self._queue.get_nowait())
        return "".join(self.seen)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


@contextlib.contextmanager
def brief_serve(project: Path, *options: str):
    """Run `brief serve` (one output, any free port, then any options) in its own process;
    yield its base URL, stdout and stderr lines, and the process."""
    command = [sys.executable, "-m", "generator", "--content", "content", "--templates",
               "templates", "serve", "harbor-memo", "-a", "staff", "-l", "full", "--port", "0",
               *options]
    # As from a terminal, where Ctrl-C reaches it: a shell running the tests as a background
    # job has SIGINT ignored, a setting children inherit (and Python then installs no
    # KeyboardInterrupt handler).
    process = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        line = out.wait_for("Serving output/ at http://127.0.0.1:")
        yield line.split(" at ", 1)[1].split()[0].rstrip("/"), out, err, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_rebuilds_and_reloads_the_page_shows_errors_and_recovers(browser, project):
    topic = project / "content" / TOPIC
    original = topic.read_text()
    # Waits go through Playwright's locators: the served page's CSP forbids the eval that
    # page.wait_for_function(string) needs.
    with brief_serve(project) as (url, out, err, process):
        with visit(browser, f"{url}/{PAGE}", 1280) as seen:
            page = seen.page
            assert SENTENCE in page.inner_text("main")

            topic.write_text(original.replace(SENTENCE, "up from 99 million widgets"))
            expect(page.locator("body")).to_contain_text("99 million widgets", timeout=60_000)

            broken = original.replace("title: The harbor at a glance", "title: [unclosed")
            topic.write_text(broken)
            expect(page.locator("body")).to_contain_text("YAML syntax error", timeout=60_000)
            assert "content/topics/harbor-overview.md:3:" in page.inner_text("main")
            err.wait_for("content/topics/harbor-overview.md:3: YAML syntax error")

            topic.write_text(original)
            expect(page.locator("main")).to_contain_text(SENTENCE, timeout=60_000)
            assert page.title().startswith("Fixing the Harbor")
            # The reload script and its stream satisfy the CSP; the only complaint is the
            # error page's status.
            assert [p for p in seen.problems() if "status of 500" not in p] == []

        built = (project / "output" / PAGE).read_text()
        assert "_brief" not in built and "<script" not in built

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        out.wait_for("Stopped.")
        assert "Traceback" not in err.text()


def test_serve_reloads_on_a_template_or_stylesheet_change_and_serves_the_built_pdf(
        browser, project):
    """The templates folder is watched as the content is: editing a template's text or the
    stylesheet reloads the open page with the change. The PDF built beside the page is
    served as written, before and after the rebuild."""
    memo = project / "templates" / "types" / "policy-memo.html"
    css = project / "templates" / "css" / "common.css"
    label = "{% block doc_type %}Policy memo{% endblock %}"
    assert label in memo.read_text(), "the memo template names its type in a block"
    with brief_serve(project, "-f", "html", "-f", "pdf") as (url, out, err, process):
        first_pdf = fetch(f"{url}/{PDF}")
        assert first_pdf.startswith(b"%PDF-")
        assert first_pdf == (project / "output" / PDF).read_bytes()

        with visit(browser, f"{url}/{PAGE}", 1280) as seen:
            page = seen.page
            doc_type = page.locator(".doc-type")
            expect(doc_type).to_have_text("Policy memo")

            memo.write_text(memo.read_text().replace(
                label, "{% block doc_type %}Harbor draft memo{% endblock %}"))
            expect(doc_type).to_have_text("Harbor draft memo", timeout=60_000)

            # Appended last, so it wins over the rule it overrides; the page's CSP allows
            # the new stylesheet by its new hash.
            css.write_text(css.read_text() + "\n.doc-type { color: rgb(1, 2, 3); }\n")
            expect(doc_type).to_have_css("color", "rgb(1, 2, 3)", timeout=60_000)
            assert seen.problems() == []

        # The page reloads after the build is published, so the PDF is the rebuilt one.
        rebuilt_pdf = fetch(f"{url}/{PDF}")
        assert rebuilt_pdf.startswith(b"%PDF-") and rebuilt_pdf != first_pdf
        assert rebuilt_pdf == (project / "output" / PDF).read_bytes()
        assert "HARBOR DRAFT MEMO" in pdf_text(project / "output" / PDF).upper()

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in err.text()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        return response.read()


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def test_serve_stops_cleanly_when_terminated(project):
    """A service manager or CI job stops the preview with SIGTERM: it exits as on Ctrl-C."""
    with brief_serve(project) as (_url, out, err, process):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        out.wait_for("Stopped.")
        assert "Traceback" not in err.text()


def test_served_copy_allows_only_its_own_script_and_stream():
    page = ('<head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            'style-src \'sha256-x\'"></head>')
    served = for_preview(page, 7)
    assert ("content=\"default-src 'none'; style-src 'sha256-x'; script-src 'self'; "
            "connect-src 'self'\"") in served
    assert '<script src="/_brief/reload.js" data-generation="7" defer></script>\n</head>' in served
    assert "unsafe" not in served


def test_error_page_escapes_and_lists_every_problem():
    page = error_page(["a.md:1: bad <tag>", "b.md:2: worse"], 3)
    assert "a.md:1: bad &lt;tag&gt;" in page and "b.md:2: worse" in page
    assert "2 problems" in page and 'data-generation="3"' in page


def test_serve_refuses_an_address_other_machines_can_reach(runner):
    result = run(runner, SAMPLE, "serve", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "'0.0.0.0' is not a loopback address. Valid choices: 127.0.0.1, ::1" in result.stderr


def test_serve_reports_a_taken_port_as_a_usage_error(runner):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run(runner, SAMPLE, "serve", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr and "--port" in result.stderr


# Who may ask, and for what: a real server on 127.0.0.1, asked with forged Host headers.

@pytest.fixture
def served(built_sample, tmp_path):
    """Serve a copy of the built sample in this process; yield (port, output folder)."""
    from generator import serve, servepolicy

    out = tmp_path / "output"
    shutil.copytree(built_sample, out, symlinks=True)
    preview = serve.Preview()
    preview.publish(serve.BuildOutcome(None, [], servepolicy.published_files(out)))
    server = serve.open_server(out, preview, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], out
    finally:
        preview.close()
        server.shutdown()
        server.server_close()


def ask(port: int, path: str, host: str | None = "127.0.0.1:{port}", method: str = "GET"):
    """Send one request with exactly this Host header (None: none); return status, headers
    and body."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest(method, path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host.format(port=port))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body


@pytest.mark.parametrize("host", ["attacker.example:{port}", "attacker.example",
                                  "127.0.0.1.attacker.example:{port}", "localhost:1",
                                  "127.0.0.1", "localhost:{port}.attacker.example", "", None])
@pytest.mark.parametrize("path", ["/" + PAGE, "/" + PDF, "/", "/_brief/reload.js",
                                  "/_brief/events"])
def test_a_request_naming_another_host_gets_nothing(served, host, path):
    """A page whose domain rebinds to 127.0.0.1 sends its own name as Host: it is answered
    421 with no body, for pages, PDFs, the root, the script and the event stream."""
    port, _out = served
    status, headers, body = ask(port, path, host)
    assert (status, body, headers["Content-Length"]) == (421, b"", "0")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}",
                                  "[::1]:{port}"])
def test_the_loopback_names_with_the_port_are_answered(served, host):
    port, out = served
    status, headers, body = ask(port, "/" + PAGE, host)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.decode().startswith((out / PAGE).read_text()[:40])
    assert b'src="/_brief/reload.js"' in body


def test_only_the_files_the_build_wrote_are_served(served, tmp_path):
    port, out = served
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (out / ".env").write_text("TOKEN=private")
    (out / "harbor-memo" / ".staff-full.html.swp").write_text("private")
    (out / "harbor-memo" / "notes.html").write_text("<p>private</p>")
    (out / "leak.txt").symlink_to(secret)
    (out / "harbor-memo" / "public-full.html").unlink()
    (out / "harbor-memo" / "public-full.html").symlink_to(secret)  # listed in the manifest
    font = next(p for p in sorted((out / "assets" / "fonts").iterdir()) if p.suffix == ".woff2")

    for path in ["/manifest.json", "/harbor-memo/", "/harbor-memo", "/assets/fonts/",
                 "/.env", "/harbor-memo/.staff-full.html.swp", "/harbor-memo/notes.html",
                 "/leak.txt", "/harbor-memo/public-full.html", "/%2e%2e/secret.txt",
                 "/harbor-memo/../manifest.json", "//etc/passwd", "/missing.html"]:
        status, _headers, body = ask(port, path)
        assert (path, status, body) == (path, 404, b"")
    status, headers, body = ask(port, f"/assets/fonts/{font.name}")
    assert (status, headers["Content-Type"], body) == (200, "font/woff2", font.read_bytes())
    status, headers, body = ask(port, "/" + PDF)
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body == (out / PDF).read_bytes()


def test_the_root_lists_the_pages_built_and_a_head_request_gets_no_body(served):
    port, out = served
    status, _headers, body = ask(port, "/")
    page = body.decode()
    assert status == 200 and f'<a href="/{PAGE}">{PAGE}</a>' in page
    assert ".pdf" not in page and "manifest" not in page and "assets" not in page
    status, headers, body = ask(port, "/" + PAGE, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_brief_serve_refuses_a_forged_host_and_answers_localhost(project):
    with brief_serve(project) as (url, _out, err, process):
        port = int(url.rsplit(":", 1)[1])
        assert ask(port, "/" + PAGE, "rebound.example:{port}")[:1] == (421,)
        assert ask(port, "/" + PAGE, "localhost:{port}")[0] == 200
        assert ask(port, "/manifest.json")[0] == 404
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in err.text()
