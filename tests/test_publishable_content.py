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


def text_of(html: str) -> str:
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", body)


def without_quotations(html: str) -> str:
    """Drop what is quoted verbatim: block quotes, and the titles of sources in notes."""
    html = re.sub(r"<blockquote\b.*?</blockquote>", " ", html, flags=re.DOTALL)
    return re.sub(r"“[^”]*”", " ", html)


def test_no_output_for_a_us_audience_has_a_british_spelling(default_build):
    from generator.spelling import other_spellings

    british = other_spellings("en-US")
    checked = 0
    for record in records(default_build, "html"):
        if record["audience"] not in ("us-congress", "us-defense-planners", "press-public"):
            continue
        words = re.findall(r"[A-Za-z]+", without_quotations(text_of(
            (default_build / record["path"]).read_text())))
        assert sorted({w for w in words if w.lower() in british}) == [], record["path"]
        checked += 1
    assert checked >= 20


def normalized(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def test_no_brief_cites_a_source_dated_after_its_own_date(default_build):
    """Read back from each full paper: its date line and the sources its notes name."""
    from generator.dating import earliest

    content = load_content(ROOT / "content").content
    checked = 0
    for record in records(default_build, "html"):
        if record["length"] != "full":
            continue
        html = (default_build / record["path"]).read_text()
        date = re.search(r'<time datetime="(\d{4}-\d{2}-\d{2})"', html).group(1)
        notes = normalized(text_of(html.split('class="endnotes"', 1)[-1]))
        cited = [s for s in content.sources.values() if normalized(s.title) in notes]
        assert cited, record["path"]
        later = [s.id for s in cited if s.date and earliest(s.date).isoformat() > date]
        assert later == [], record["path"]
        checked += 1
    assert checked >= 10


def test_tables_are_in_the_html_and_the_pdf_one_of_them_in_a_two_page_brief(default_build):
    from taggedpdf import read

    with_tables = {}
    for record in records(default_build, "pdf"):
        html = (default_build / record["path"].replace(".pdf", ".html")).read_text()
        html = re.sub(r"<details\b.*?</details>", " ", html, flags=re.DOTALL)  # charts' data
        tables = re.findall(r"<table\b.*?</table>", html, flags=re.DOTALL)
        if not tables:
            continue
        pdf_tables = [e for e in read(default_build / record["path"]).root.walk()
                      if e.tag == "Table"]
        assert len(pdf_tables) >= len(tables), record["path"]
        with_tables[record["path"]] = {normalized(text_of(t))[:40] for t in tables}
    distinct = set().union(*with_tables.values())
    assert len(distinct) >= 2, with_tables
    assert any(path.endswith("-two-page.pdf") for path in with_tables), with_tables


def test_full_papers_say_how_old_their_figures_are(default_build):
    """Every full paper prints figures from 2013 to 2020 in a brief of 2026."""
    for record in records(default_build, "html"):
        if record["length"] == "full":
            html = (default_build / record["path"]).read_text()
            assert re.search(r"Figures as of (\w+ )?\d{4}", html), record["path"]


CONTESTED = {"Dokdo": "Takeshima", "Takeshima": "Dokdo", "Senkaku": "Diaoyu",
             "Sea of Japan": "East Sea", "East Sea": "Sea of Japan"}


def test_contested_names_are_glossed_on_both_sides_at_every_length(default_build):
    seen = set()
    for record in records(default_build, "html"):
        text = text_of((default_build / record["path"]).read_text())
        for name, other in CONTESTED.items():
            if name in text:
                seen.add((name, record["length"]))
                assert other in text, (record["path"], name)
    assert {("Dokdo", "two-page"), ("Dokdo", "full"), ("Sea of Japan", "full"),
            ("Senkaku", "full")} <= seen


CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def test_no_native_script_in_the_opening_a_member_reads(default_build):
    for record in records(default_build, "html"):
        if record["audience"] != "us-congress":
            continue
        html = (default_build / record["path"]).read_text()
        main = html.split("</header>", 1)[-1]
        first = re.search(r"<p\b[^>]*>(.*?)</p>", main, flags=re.DOTALL).group(1)
        assert not CJK.search(first), record["path"]
