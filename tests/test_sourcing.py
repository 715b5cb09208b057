"""Sources you can trust: facts, citations, notes and bibliography, read back from outputs."""

from __future__ import annotations

import json
import re

from conftest import ROOT, run
from pypdf import PdfReader

FACTS = """usfj-personnel:
  value: 54000
  unit: people
  as_of: 2019-06
  source: harbor-report
  locator: p. 12
old-count:
  value: 7
  unit: count
  as_of: 2001
  source: harbor-report
"""


def add_facts(sample, text=FACTS):
    (sample / "facts").mkdir(exist_ok=True)
    (sample / "facts" / "figures.yaml").write_text(text)


def use_fact(sample, sentence="About {fact:usfj-personnel} people work at the harbor."):
    topic = sample / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text() + "\n" + sentence + "\n")


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_a_fact_prints_its_value_for_the_locale_with_its_citation(runner, sample, tmp_path):
    add_facts(sample)
    use_fact(sample)
    staff = sample / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text() + "locale: de-DE\nfigures_as_of: true\n")
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--length", "full", "-o", str(out))
    assert result.exit_code == 0, result.output
    staff_text = "\n".join(pdf_pages(out / "harbor-memo" / "staff-full.pdf"))
    public_text = "\n".join(pdf_pages(out / "harbor-memo" / "public-full.pdf"))
    assert "About 54.000" in staff_text and "About 54,000" in public_text
    # The staff ask for the line; the public get it because the figure is more than a year
    # older than the brief (January 2021).
    assert "Figures as of June 2019" in staff_text and "Figures as of June 2019" in public_text
    html = (out / "harbor-memo" / "public-full.html").read_text()
    note = re.search(r'About 54,000<sup class="note-call"><a href="#note-(\d+)"', html)
    assert note, "the fact carries a note"
    endnote = re.search(rf'<li id="note-{note.group(1)}">(.*?)</li>', html, re.S).group(1)
    # The report was cited before, so Chicago gives the short form: author, page.
    assert endnote.startswith("Doe, 12.")


def test_figures_less_than_a_year_old_print_no_as_of_line_unless_asked(runner, sample, tmp_path):
    add_facts(sample, FACTS.replace("as_of: 2019-06", "as_of: 2020-06"))
    use_fact(sample)
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--length", "full", "-f", "pdf",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    public_text = "\n".join(pdf_pages(out / "harbor-memo" / "public-full.pdf"))
    assert "About 54,000" in public_text  # as of June 2020, in a brief of January 2021
    assert "Figures as of" not in public_text


def test_changing_a_fact_changes_every_brief_that_uses_it(runner, sample, tmp_path):
    add_facts(sample)
    use_fact(sample)
    out = tmp_path / "out"
    assert run(runner, sample, "build", "-f", "html", "-o", str(out)).exit_code == 0
    add_facts(sample, FACTS.replace("value: 54000", "value: 61000"))
    result = run(runner, sample, "build", "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    for path in out.glob("harbor-memo/*-full.html"):
        text = path.read_text()
        assert "61,000" in text and "54,000" not in text, path


def test_stale_facts_are_listed_with_where_they_are_used(runner, sample):
    add_facts(sample)
    use_fact(sample, "Once there were {fact:old-count} keepers.")
    result = run(runner, sample, "check", "--stale-after", "10y")
    assert result.exit_code == 0
    assert re.search(r"figures\.yaml:7: warning: fact 'old-count' is stale: as of 2001, older "
                     r"than 10 years; used in .*harbor-overview\.md:\d+", result.stderr)
    assert "'usfj-personnel' is stale" not in result.stderr  # as of 2019: not ten years old
    strict = run(runner, sample, "check", "--stale-after", "10y", "--strict")
    assert strict.exit_code == 1 and "old-count" in strict.stderr


def test_fact_problems_are_located(runner, sample):
    add_facts(sample, "no-source:\n  value: 3\n  unit: count\n  as_of: 2020\n"
                      "half-person:\n  value: 2.5\n  unit: people\n  as_of: 2020\n"
                      "  source: harbor-report\n")
    use_fact(sample, "We saw {fact:no-source} and {fact:half-persn}.")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "figures.yaml:1: fact 'no-source' has no source" in result.stderr
    assert ("figures.yaml:6: fact 'half-person': 2.5 is not possible for unit 'people': it "
            "must be a whole number of zero or more") in result.stderr
    assert re.search(r"harbor-overview\.md:\d+: unknown fact 'half-persn' \(did you mean "
                     r"'half-person'\?\)", result.stderr)


def test_warnings_for_uncited_sources_and_unsourced_figures(runner, sample):
    library = sample / "sources" / "library.yaml"
    library.write_text(library.read_text() + "\n- id: never-cited\n  type: report\n"
                       "  title: A Report Nobody Cites\n")
    use_fact(sample, "The channel is 14 metres deep, and 1998 was the last dredging.")
    result = run(runner, sample, "check")
    assert result.exit_code == 0  # warnings only
    assert re.search(r"library\.yaml:\d+: warning: source 'never-cited' is never cited",
                     result.stderr)
    assert re.search(r"harbor-overview\.md:\d+: warning: the figure '14' has no source",
                     result.stderr)
    assert "'1998'" not in result.stderr  # a year is not a figure
    assert run(runner, sample, "check", "--strict").exit_code == 1


def test_the_default_content_passes_strict_and_lists_its_stale_facts(runner):
    strict = run(runner, ROOT / "content", "check", "--strict")
    assert strict.exit_code == 0, strict.stderr
    stale = run(runner, ROOT / "content", "check", "--stale-after", "3y")
    assert re.search(r"content/facts/\w+\.yaml:\d+: warning: fact '[\w-]+' is stale: as of "
                     r"\d{4}", stale.stderr)


# --- Notes and bibliography read back from the built documents ------------------------

def test_notes_are_consecutive_one_per_citation_and_on_their_page(built_sample):
    """Each citation gives one note; the numbers run 1..N over the document; each note's
    text is at the foot of the page that carries its marker."""
    records = json.loads((built_sample / "manifest.json").read_text())["outputs"]
    for record in records:
        if record["format"] != "pdf" or record["pack"]:
            continue
        numbers = []
        for text in pdf_pages(built_sample / record["path"]):
            numbers += [int(n) for n in re.findall(r"(?m)^(\d+)\. (?=[A-Z“\"])", text)]
        assert numbers == list(range(1, len(numbers) + 1)), record["path"]


def test_html_endnotes_match_the_citations(built_sample):
    html = (built_sample / "harbor-memo" / "staff-full.html").read_text()
    calls = re.findall(r'<a href="#note-(\d+)" id="ref-(\d+)"', html)
    notes = re.findall(r'<li id="note-(\d+)">.*?href="#ref-(\d+)"', html, re.S)
    assert calls and [a for a, _ in calls] == [b for _, b in calls]
    assert [int(a) for a, _ in calls] == list(range(1, len(calls) + 1))
    assert notes == [(a, a) for a, _ in calls]  # each note links back to its own call


def test_the_bibliography_lists_exactly_the_sources_cited(built_sample):
    """A source is in the bibliography if and only if a note of this document cites it."""
    titles = ["The State of the Harbor", "Coastal Opinion Poll 2019", "Keepers of the Light"]
    for path in built_sample.glob("*/*-full.html"):
        html = path.read_text()
        notes = "".join(re.findall(r'<li id="note-\d+">(.*?)</li>', html, re.S))
        bibliography = html.split('class="bibliography"', 1)[1]
        entries = re.findall(r'<p class="entry">(.*?)</p>', bibliography, re.S)
        for title in titles:
            in_entries = sum(title in entry for entry in entries)
            assert in_entries == (1 if title in notes else 0), (path, title)
        assert len(entries) == sum(title in notes for title in titles), path


def test_footnotes_never_overlap_the_text(built_sample):
    """On every page, every line of the notes (8pt, 10.67px) stands below every line of
    the text (11px and up); note calls (65% of the text) are neither."""
    checked = 0
    for path in built_sample.glob("*/*.pdf"):
        for number, page in enumerate(PdfReader(path).pages, start=1):
            lines = []
            page.extract_text(visitor_text=lambda text, cm, tm, font, size:
                              lines.append((tm[5], size)) if text.strip() else None)
            bottom = float(page.mediabox.height) / 0.75 - 81.6  # the content area's foot
            inside = [(y, size) for y, size in lines if 86.4 < y < bottom]
            body = [y for y, size in inside if size >= 11.5]
            notes = [y for y, size in inside if abs(size - 32 / 3) < 0.05]  # 8pt = 10.67px
            if notes and body:
                assert min(notes) > max(body), (path.name, number)
                checked += 1
    assert checked >= 5


def test_each_note_is_on_the_page_of_its_call(built_sample):
    """The numbers of the note calls on a page (small superscripts in the text) are exactly
    the numbers of the notes at that page's foot."""
    checked = 0
    for path in built_sample.glob("*/*.pdf"):
        for number, page in enumerate(PdfReader(path).pages, start=1):
            runs = []
            page.extract_text(visitor_text=lambda text, cm, tm, font, size:
                              runs.append((size, text)) if text.strip() else None)
            calls = {int(t) for size, t in runs if abs(size - 6.93) < 0.05 and t.strip().isdigit()}
            notes = {int(m.group(1)) for size, t in runs if abs(size - 32 / 3) < 0.05
                     and (m := re.match(r"(\d+)\. ", t))}
            assert calls == notes, (path.name, number, sorted(calls), sorted(notes))
            checked += bool(notes)
    assert checked >= 5


def test_the_numbers_of_a_quoted_numbered_list_are_not_figures():
    from generator.sourcing import unsourced_numbers

    quoted = "They read [@report]:\n\n> 1. The first rule.\n> 2. The second rule.\n"
    assert unsourced_numbers(quoted) == []
    assert unsourced_numbers("> The harbor had 14 keepers.\n") == [("14", 0)]


FLOOD = ROOT / "tests" / "fixtures" / "flood-bonds"


def test_identifiers_phone_numbers_list_markers_and_years_are_not_unsourced_figures(runner):
    """The city base names routes, piers, chapters, sections, articles, resolutions, phone
    numbers, times and list items in digits: none of them is a figure to source."""
    result = run(runner, FLOOD, "check", "--strict")
    assert result.exit_code == 0, result.stderr
    assert "has no source" not in result.stderr


def test_real_unsourced_figures_are_still_caught_beside_identifiers(runner, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FLOOD, content)
    topic = content / "topics" / "ordinance.md"
    topic.write_text(topic.read_text() + "\nRoute 9 carries 40,000 cars a day. About 12% of "
                     "homes on Pier 4 flood, and the seawall would cost 60 million dollars.\n"
                     "Under Section 12, 300 homes may need raising by 2030.\n")
    result = run(runner, content, "check")
    assert result.exit_code == 0  # warnings only
    flagged = re.findall(r"ordinance\.md:\d+: warning: the figure '([^']+)' has no source",
                         result.stderr)
    assert flagged == ["40,000", "12%", "60", "300"], result.stderr
    assert run(runner, content, "check", "--strict").exit_code == 1
