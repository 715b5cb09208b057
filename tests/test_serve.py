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
