"""Briefing packs: one PDF with cover, contents, running page numbers and bookmarks."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from conftest import SAMPLE, run
from pypdf import PdfReader

from generator.select import roll_up


@pytest.fixture(scope="module")
def pack_out(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("pack") / "output"
    result = run(CliRunner(), SAMPLE, "pack", "council-pack", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_pack_has_cover_and_contents_with_real_page_numbers(pack_out):
    reader = PdfReader(pack_out / "packs" / "council-pack.pdf")
    pages = [page.extract_text() for page in reader.pages]
    assert "Harbor Council Briefing Pack" in pages[0]
    assert "Prepared for Members of the Harbor Council" in pages[0]
    entries = re.findall(r"^(.+?) ?\.{3,} ?(\d+)$", pages[1], re.MULTILINE)
    assert [title for title, _ in entries] == ["Fixing the Harbor", "The Harbor and Its Light",
                                               "Fixing the Harbor"]
    for title, number in entries:
        assert pages[int(number) - 1].startswith(("POLICY MEMO\n" + title, "PERSPECTIVE\n" + title))


def test_pack_starts_each_brief_on_a_right_hand_page_and_numbers_run_through(pack_out):
    reader = PdfReader(pack_out / "packs" / "council-pack.pdf")
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    starts = [i + 1 for i, text in enumerate(pages) if text.startswith(("POLICY MEMO", "PERSPECTIVE"))]
    assert starts and all(number % 2 == 1 for number in starts)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text


def test_pack_bookmarks_every_brief_and_its_sections(pack_out):
    reader = PdfReader(pack_out / "packs" / "council-pack.pdf")
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    # The cover's title (with the contents under it), then each brief: every heading is a
    # bookmark, as PDF/UA asks.
    assert top == ["Harbor Council Briefing Pack", "Fixing the Harbor",
                   "The Harbor and Its Light", "Fixing the Harbor"]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert [i.title for i in nested[0]] == ["Contents"]
    assert "The harbor at a glance" in [i.title for i in nested[1] if not isinstance(i, list)]


def test_pack_contents_link_to_the_briefs_inside_the_pdf(pack_out):
    reader = PdfReader(pack_out / "packs" / "council-pack.pdf")
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    internal = [a for a in links if a.get("/Subtype") == "/Link" and "/Dest" in a]
    assert {str(a["/Dest"]) for a in internal} == {"part1-document", "part2-document",
                                                  "part3-document"}


def test_pack_html_is_an_index_of_the_briefs_own_pages(pack_out):
    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"])

    parser = Links()
    parser.feed((pack_out / "packs" / "council-pack.html").read_text())
    assert parser.hrefs == ["../harbor-memo/staff-one-page.html",
                            "../harbor-perspective/public-two-page.html",
                            "../harbor-memo/staff-full.html"]
    for href in parser.hrefs:
        assert (pack_out / "packs" / href).resolve().is_file()


def test_default_build_includes_packs_and_manifest_records_them(runner, tmp_path):
    out = tmp_path / "out"
    assert run(runner, SAMPLE, "build", "-f", "pdf", "-o", str(out)).exit_code == 0
    records = {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert records["packs/council-pack.pdf"]["pack"] == "council-pack"
    assert records["packs/council-pack.pdf"]["pages"] == len(PdfReader(out / "packs/council-pack.pdf").pages)


def test_unknown_pack_is_a_usage_error(runner):
    result = run(runner, SAMPLE, "pack", "no-such-pack")
    assert result.exit_code == 2
    assert "council-pack" in result.stderr


def test_pack_marking_rolls_up_to_the_most_restrictive(runner, sample, tmp_path):
    settings = sample / "settings.yaml"
    settings.write_text(settings.read_text() + "markings:\n  - UNCLASSIFIED // FOR PUBLIC RELEASE\n"
                        "  - CONTROLLED // INTERNAL\n")
    audience = sample / "audiences" / "public.yaml"
    audience.write_text(audience.read_text() + "marking: CONTROLLED // INTERNAL\n")
    out = tmp_path / "out"
    result = run(runner, sample, "pack", "council-pack", "-f", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    pages = [p.extract_text() for p in PdfReader(out / "packs/council-pack.pdf").pages]
    assert all("CONTROLLED // INTERNAL" in text for text in pages)
    assert not any("FOR PUBLIC RELEASE" in text for text in pages)


def test_roll_up_follows_the_declared_order():
    order = ["PUBLIC", "INTERNAL", "RESTRICTED"]
    assert roll_up(["PUBLIC", "RESTRICTED", "INTERNAL"], order) == "RESTRICTED"
    assert roll_up(["PUBLIC", "PUBLIC"], []) == "PUBLIC"
    assert roll_up(["PUBLIC", ""], order) == "PUBLIC"
    assert roll_up(["A", "B"], []) == "A // B"  # unranked markings are all kept


def test_a_marking_outside_the_declared_order_is_reported(runner, sample):
    settings = sample / "settings.yaml"
    settings.write_text(settings.read_text() + "markings: [PUBLIC, INTERNAL]\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "unknown marking 'UNCLASSIFIED // FOR PUBLIC RELEASE'" in result.stderr


def test_pack_cover_sets_quotes_as_the_briefs_do(sample, runner, tmp_path):
    pack = sample / "packs" / "council-pack.yaml"
    pack.write_text(pack.read_text()
                    .replace("for the March session", "for the Council's \"March\" session")
                    .replace("Members of the Harbor Council", "the Council's members"))
    out = tmp_path / "out"
    assert run(runner, sample, "pack", "council-pack", "-o", str(out)).exit_code == 0
    cover = PdfReader(out / "packs" / "council-pack.pdf").pages[0].extract_text()
    assert "for the Council\u2019s \u201cMarch\u201d session" in cover
    assert "Prepared for the Council\u2019s members" in cover
    assert "'" not in cover and '"' not in cover
    index = (out / "packs" / "council-pack.html").read_text()
    assert "Council\u2019s \u201cMarch\u201d" in index
