"""Work is kept on disk between runs: formatted citations (a rebuild that changes no
citation needs no citation worker), files found valid, documents that rendered cleanly,
what each piece of prose cites. Any change to what an answer depends
on asks the question again, and a damaged entry is only asked again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, TEMPLATES


def brief(content: Path, out: Path, cache: Path, *args: str, node: str | None = None):
    env = {**os.environ, "BRIEF_CACHE_DIR": str(cache)}
    if node:
        env["BRIEF_NODE"] = node
    return subprocess.run(
        [sys.executable, "-m", "generator", "--content", str(content), "--templates",
         str(TEMPLATES), "build", "-o", str(out), "-f", "html", "--force", *args],
        capture_output=True, text=True, env=env, cwd=ROOT)


def pages(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.html"))}


def test_a_rebuild_with_the_same_citations_needs_no_citation_worker(sample, tmp_path):
    cache = tmp_path / "cache"
    first = brief(sample, tmp_path / "one", cache)
    assert first.returncode == 0, first.stderr
    assert list(cache.rglob("*.json")), "nothing was cached"
    again = brief(sample, tmp_path / "two", cache, node=str(tmp_path / "no-such-node"))
    assert again.returncode == 0, again.stderr
    assert pages(tmp_path / "two") == pages(tmp_path / "one")


def test_a_changed_source_is_formatted_again(sample, tmp_path):
    cache = tmp_path / "cache"
    assert brief(sample, tmp_path / "one", cache).returncode == 0
    library = sample / "sources" / "library.yaml"
    library.write_text(library.read_text().replace("The State of the Harbor",
                                                   "The Harbor Revisited"))
    result = brief(sample, tmp_path / "two", cache)
    assert result.returncode == 0, result.stderr
    text = "".join(page.decode() for page in pages(tmp_path / "two").values())
    assert "The Harbor Revisited" in text and "The State of the Harbor" not in text
    without_node = brief(sample, tmp_path / "three", tmp_path / "cold",
                         node=str(tmp_path / "no-such-node"))
    assert without_node.returncode == 1  # nothing cached there: the worker is needed


def test_damaged_entries_are_ignored_and_replaced(sample, tmp_path):
    cache = tmp_path / "cache"
    assert brief(sample, tmp_path / "one", cache).returncode == 0
    entries = list((cache / "citations").rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text("{not json")
    result = brief(sample, tmp_path / "two", cache)
    assert result.returncode == 0, result.stderr
    assert pages(tmp_path / "two") == pages(tmp_path / "one")
    assert all(entry.read_text().startswith("{\"notes\"") for entry in entries)


def test_the_cache_can_be_turned_off(sample, tmp_path):
    result = brief(sample, tmp_path / "one", Path("off"))
    assert result.returncode == 0, result.stderr
    assert not (ROOT / "off").exists() and not (sample.parent / ".brief-cache").exists()


def test_a_file_checked_valid_before_is_checked_again_once_changed(sample, tmp_path, runner):
    from conftest import run

    assert run(runner, sample, "check").exit_code == 0  # every file now known valid
    audience = next((sample / "audiences").glob("*.yaml"))
    audience.write_text(audience.read_text() + "colour: blue\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert f"{audience}:" in result.output and "colour" in result.output


def test_a_render_that_passed_is_checked_again_once_its_content_changes(sample, tmp_path,
                                                                       runner):
    """Checks remember documents that rendered cleanly; content that takes a template down
    a path it never took before is rendered (and its error found) again."""
    from conftest import run

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    memo = templates / "types" / "policy-memo.html"
    memo.write_text('{% if "Beacon" in brief.title %}{{ no_such_value }}{% endif %}\n'
                    + memo.read_text("utf-8"), "utf-8")
    assert run(runner, sample, "check", templates=templates).exit_code == 0
    brief_file = sample / "briefs" / "harbor-memo.yaml"
    brief_file.write_text(brief_file.read_text("utf-8").replace(
        "title: Fixing the Harbor", "title: Fixing the Beacon"), "utf-8")
    result = run(runner, sample, "check", templates=templates)
    assert result.exit_code == 1
    assert f"{memo}:1:" in result.output and "no_such_value" in result.output


def test_damaged_scans_are_ignored(sample, tmp_path):
    def check():
        return subprocess.run(
            [sys.executable, "-m", "generator", "--content", str(sample), "--templates",
             str(TEMPLATES), "check"], capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "BRIEF_CACHE_DIR": str(tmp_path / "cache")})

    first = check()
    assert first.returncode == 0, first.stderr
    (table,) = (tmp_path / "cache" / "scans").glob("table-*.json")
    table.write_text('{"0": [1, 2')
    again = check()
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, first.stderr)
    topic = sample / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text("utf-8") + "\nAs shown [@no-such-source].\n", "utf-8")
    changed = check()
    assert changed.returncode == 1 and "no-such-source" in changed.stdout + changed.stderr


def test_a_template_edited_after_a_clean_check_is_compiled_again(sample, tmp_path, runner):
    """Only that a template compiled is kept (never what it compiled to), by its bytes."""
    from conftest import run

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    assert run(runner, sample, "check", templates=templates).exit_code == 0
    memo = templates / "types" / "policy-memo.html"
    memo.write_text("{% if %}\n" + memo.read_text("utf-8"), "utf-8")
    result = run(runner, sample, "check", templates=templates)
    assert result.exit_code == 1
    assert f"{memo}:1:" in result.output
