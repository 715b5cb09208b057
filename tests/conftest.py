"""Shared fixtures: the sample project, a CLI runner, a built sample, and a browser."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "sample"
TEMPLATES = ROOT / "templates"

# Formatted citations are cached on disk beside the content by default; the tests keep
# theirs in one temporary folder instead of beside the fixtures.
os.environ.setdefault("BRIEF_CACHE_DIR", tempfile.mkdtemp(prefix="brief-test-cache-"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """Return a private copy of the sample content, free to be edited."""
    copy = tmp_path / "content"
    shutil.copytree(SAMPLE, copy)
    return copy


def run(runner: CliRunner, content: Path, *args: str, templates: Path = TEMPLATES):
    """Invoke brief with the given content folder; return the click Result."""
    return runner.invoke(main, ["--content", str(content), "--templates", str(templates), *args],
                         catch_exceptions=False)


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """Build the whole sample once (both formats); return the output folder."""
    out = tmp_path_factory.mktemp("built") / "output"
    result = run(CliRunner(), SAMPLE, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> Path:
    """The default content built once (PDF and HTML), for the tests that read it back.
    Read it; never change it."""
    out = tmp_path_factory.mktemp("default") / "output"
    result = run(CliRunner(), ROOT / "content", "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def browser():
    """Return Chromium, launched once for the whole session (see tests/browser.py)."""
    from browser import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
