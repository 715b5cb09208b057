"""The default briefs as a publications office would send them, read back from the outputs:
bylined to who wrote them, dated no earlier than what they cite, one audience's edition
different from another's where the readers decide different things."""

from __future__ import annotations

import json
import re

from conftest import ROOT

from generator.load import load_content

SEED_AUTHORS = ("Yoho", "Soeya")


def records(build, fmt: str) -> list[dict]:
    outputs = json.loads((build / "manifest.json").read_text())["outputs"]
    return [r for r in outputs if r["format"] == fmt and not r["pack"]]


def bylines(html: str) -> list[str]:
    return re.findall(r'<span class="author">([^<]*)</span>', html)


def test_no_brief_is_bylined_to_an_author_of_the_documents_it_draws_on(default_build):
    checked = 0
    for record in records(default_build, "html"):
        html = (default_build / record["path"]).read_text()
        names = bylines(html)
        assert names, record["path"]
        assert not [n for n in names if any(seed in n for seed in SEED_AUTHORS)], record["path"]
        checked += 1
    assert checked >= 20


def test_the_seed_authors_are_introduced_with_their_titles(default_build):
    """Where a brief first names a seed's author in its own text, it gives the title the
    record has (former Representative; Professor), never the bare surname as its voice."""
    content = load_content(ROOT / "content").content
    perspective = content.briefs["japanese-perspective"]
    assert perspective.lede.text.startswith("Professor Yoshihide Soeya")
    memo = content.briefs["trilateral-alliance"]
    assert "Subcommittee on Asia, the Pacific, and Nonproliferation" in memo.authors[0].bio.text
    html = (default_build / "trilateral-alliance" / "us-congress-full.html").read_text()
    assert "Former Representative Ted S. Yoho" in html
    assert "The memo, written by" not in html


def bottom_line(html: str) -> str:
    """Return the text of the bottom-line box, or '' when the document has none."""
    box = re.search(r'<aside class="bottom-line".*?</aside>', html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>|\s+", " ", box.group(0)).strip() if box else ""


def selection(record: dict) -> tuple:
    plan = record["plan"]
    return (sorted(plan["included"].items()), sorted(plan["recommendations"].items()))


def test_members_and_planners_get_different_documents(default_build):
    """A Member votes and oversees; a planner plans: each pair of their editions of a
    brief differs in its bottom line or in what it selects, read back from the outputs."""
    by_path = {r["path"]: r for r in records(default_build, "html")}
    pairs = 0
    for path, congress in by_path.items():
        if "/us-congress-" not in path:
            continue
        planners = by_path.get(path.replace("/us-congress-", "/us-defense-planners-"))
        if planners is None:
            continue
        pairs += 1
        html_c = (default_build / path).read_text()
        html_p = (default_build / planners["path"]).read_text()
        assert bottom_line(html_c) != bottom_line(html_p) \
            or selection(congress) != selection(planners), path
        assert "Congress" not in bottom_line(html_p), planners["path"]
    assert pairs >= 9  # three briefs, three lengths each
