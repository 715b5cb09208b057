"""The content shipped in content/ is valid, and `brief build` makes every declared output."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run
from pypdf import PdfReader

from generator.load import load_content


def test_default_content_passes_check(runner):
    result = run(runner, ROOT / "content", "check")
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def default_build(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("default") / "output"
    result = run(CliRunner(), ROOT / "content", "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_default_build_makes_every_declared_output(default_build):
    content = load_content(ROOT / "content").content
    declared = {f"{b.id}/{a}-{length}.{fmt}" for b in content.briefs.values()
                for a in b.audiences for length in b.lengths for fmt in ("pdf", "html")}
    declared |= {f"packs/{pack}.{fmt}" for pack in content.packs for fmt in ("pdf", "html")}
    records = json.loads((default_build / "manifest.json").read_text())["outputs"]
    assert {r["path"] for r in records} == declared
    assert all((default_build / path).is_file() for path in declared)


def test_default_budgets_hold_and_titles_read_back(default_build):
    content = load_content(ROOT / "content").content
    for record in json.loads((default_build / "manifest.json").read_text())["outputs"]:
        if record["format"] != "pdf" or record["pack"]:
            continue
        reader = PdfReader(default_build / record["path"])
        budget = content.lengths[record["length"]].pages
        if budget:
            assert len(reader.pages) <= budget, record["path"]
        title = content.briefs[record["brief"]].title
        first_words = " ".join(title.split()[:2])
        assert first_words in reader.pages[0].extract_text(), record["path"]
