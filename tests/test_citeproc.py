"""Citations formatted by citeproc-js (generator/cite.py, generator/citeproc.js).

The expected notes and bibliography entries are the Chicago Manual of Style, 17th edition,
notes and bibliography system, checked by hand: full first notes (14.20), short notes after
(14.29-14.33: author's family name, short title of four words or so without subtitle or
initial article), for consecutive notes of one source the author and page instead of ibid.
(14.34), unsigned newspaper articles under the title in notes and under the paper in the
bibliography (14.207), a periodical's name without an initial "The" (14.172, 14.191), commas
and periods inside closing quotation marks (6.9), given names in full, and a bibliography
sorted letter by letter on its first element, ignoring an initial article (14.66).
"""

from __future__ import annotations

import html
import json
import multiprocessing
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TEMPLATES

from generator.cite import (
    LOCALE_FILE,
    STYLE_FILE,
    Processor,
    cite,
    from_csl,
    split_locator,
    to_csl,
)
from generator.errors import BuildError
from generator.load import load_content
from generator.models import Name, Origin, Source

STYLE = TEMPLATES / STYLE_FILE
LOCALE = TEMPLATES / LOCALE_FILE
ZOTERO = FIXTURES / "csl" / "zotero-export.json"

CRS = "https://crsreports.congress.gov/product/pdf/RL/RL33740"
HANI = "https://english.hani.co.kr/arti/english_edition/e_international/817213.html"
GENRON = "https://www.genron-npo.net/en/opinion_polls/archives/5489.html"
HANI_TITLE = "South Korea’s ‘Three No’s’ Announcement Key to Restoring Relations with China"
SOEYA_TITLE = ("The Middle-Power Challenge in East Asia: An Opportunity for Co-operation "
               "between South Korea and Japan")
TREATY = "Mutual Defense Treaty between the United States and the Republic of Korea"


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.fixture(scope="module")
def processor():
    proc = Processor()
    yield proc
    proc.close()


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    return load_content(ROOT / "content").content.sources


# One document's notes, in order: each kind of source in the default content, first in full,
# then again after other notes (short form), and some immediately repeated (consecutive).
DOCUMENT = [
    ("crs-rl33740", "p. 12"),
    ("crs-rl33740", "p. 14"),
    ("hankyoreh-2017", ""),
    ("soeya-lee-2014", "p. 85"),
    ("genron-2019-japan-korea", ""),
    ("us-rok-mdt-1953", "art. 3"),
    ("crs-rl33740", "p. 15"),
    ("hankyoreh-2017", ""),
    ("soeya-lee-2014", "pp. 86–87"),
    ("genron-2019-japan-korea", ""),
    ("us-rok-mdt-1953", "art. 4"),
    ("us-rok-mdt-1953", "art. 4"),
]
DOCUMENT_IDS = ["crs-rl33740", "hankyoreh-2017", "soeya-lee-2014", "genron-2019-japan-korea",
                "us-rok-mdt-1953"]

EXPECTED_NOTES = [
    # 1. CRS report: author, italic title, report series and number, (publisher, year),
    # page, URL.
    (f"Emma Chanlett-Avery, The U.S.-Japan Alliance, CRS Report no. RL33740 (Congressional "
     f"Research "
     f"Service, 2019), 12, {CRS}."),
    # 2. The same source again at once: author and page, no ibid. (CMOS 17 14.34).
    "Chanlett-Avery, 14.",
    # 3. Unsigned news article: the title leads; "The Hankyoreh" loses its article.
    f"“{HANI_TITLE},” Hankyoreh, November 2, 2017, {HANI}.",
    # 4. Journal article: volume, issue, (year): page; "Co-operation" keeps its lower case.
    f"Yoshihide Soeya and Lee Geun, “{SOEYA_TITLE},” Global Asia 9, no. 2 (2014): 85.",
    # 5. Poll (dataset) with an organization as publisher.
    ("“The Japan-South Korea Joint Public Opinion Poll 2019,” The Genron NPO and East Asia "
     f"Institute, July 2019, {GENRON}."),
    # 6. Treaty: roman title, date, article.
    f"{TREATY}, October 1, 1953, art. 3.",
    # 7-11. Short notes: short title without initial article or subtitle.
    "Chanlett-Avery, U.S.-Japan Alliance, 15.",
    f"Hankyoreh, “{HANI_TITLE}.”",
    "Soeya and Lee, “Middle-Power Challenge in East Asia,” 86–87.",
    "“Japan-South Korea Joint Public Opinion Poll 2019.”",
    f"{TREATY}, art. 4.",
    # 12. Repeated at once with the same article: the short form again, not ibid.
    f"{TREATY}, art. 4.",
]

EXPECTED_BIBLIOGRAPHY = [
    (f"Chanlett-Avery, Emma. The U.S.-Japan Alliance. CRS Report No. RL33740. Congressional "
     f"Research "
     f"Service, 2019. {CRS}."),
    f"Hankyoreh. “{HANI_TITLE}.” November 2, 2017. {HANI}.",
    ("“The Japan-South Korea Joint Public Opinion Poll 2019.” The Genron NPO and East Asia "
     f"Institute, July 2019. {GENRON}."),
    f"{TREATY}, October 1, 1953.",
    f"Soeya, Yoshihide, and Lee Geun. “{SOEYA_TITLE}.” Global Asia 9, no. 2 (2014): 84–91.",
]


@pytest.fixture(scope="module")
def document(processor, sources):
    items = [to_csl(sources[i]) for i in DOCUMENT_IDS]
    clusters = [[cite(source_id, locator)] for source_id, locator in DOCUMENT]
    return processor.format(items, clusters, STYLE, LOCALE, bibliography=True)


@pytest.mark.parametrize("index", range(len(DOCUMENT)))
def test_each_note_is_chicago(document, index):
    assert plain(document.notes[index]) == EXPECTED_NOTES[index]


def test_bibliography_is_chicago_and_sorted_on_its_first_element(document):
    entries = [plain(entry) for entry in document.bibliography]
    assert entries == EXPECTED_BIBLIOGRAPHY
    # Sorted letter by letter, ignoring an initial article and the quotation marks:
    # Chanlett-Avery, Hankyoreh, (The) Japan-South Korea, Mutual, Soeya.
    firsts = [re.sub(r"^(“?)(The )?", "", entry)[0] for entry in entries]
    assert firsts == sorted(firsts) == ["C", "H", "J", "M", "S"]


def test_italics_and_no_ibid(document):
    assert "<i>The U.S.-Japan Alliance</i>" in document.notes[0]
    assert "<i>Global Asia</i> 9" in document.notes[3]
    assert "<i>Hankyoreh</i>" in document.bibliography[1]
    assert not any("ibid" in note.casefold() for note in document.notes)


def test_commas_and_periods_inside_closing_quotation_marks(document):
    text = " ".join(plain(n) for n in document.notes + document.bibliography)
    assert "”," not in text and "”." not in text
    assert ",”" in text and ".”" in text


def test_given_names_are_never_initials(document):
    text = " ".join(plain(n) for n in document.notes + document.bibliography)
    for full in ("Emma Chanlett-Avery", "Yoshihide Soeya", "Lee Geun", "Soeya, Yoshihide"):
        assert full in text
    assert not re.search(r"\b[A-Z]\. (Soeya|Lee|Chanlett)", text)


def test_the_same_document_formats_the_same_after_other_requests(processor, sources, document):
    """The worker reuses its engine between requests: nothing of one may leak into the next."""
    others = [to_csl(s) for s in sources.values()]
    processor.format(others, [[cite(i)] for i in sources], STYLE, LOCALE, bibliography=True)
    again = processor.format([to_csl(sources[i]) for i in DOCUMENT_IDS],
                             [[cite(i, loc)] for i, loc in DOCUMENT], STYLE, LOCALE, True)
    assert again == document


def test_hyphenated_given_names_are_kept_whole(processor):
    moon = Source(id="moon-2017", type="book", title="A Korea for All: Essays",
                  origin=Origin(Path("synthetic.yaml")),
                  authors=[Name(family="Moon", given="Jae-in")],
                  publisher="Example Press", date="2017")
    other = Source(id="other", type="book", title="Interlude", origin=moon.origin,
                   authors=[Name(family="Kim", given="Dae-jung")], publisher="Example Press",
                   date="2001")
    result = processor.format(
        [to_csl(moon), to_csl(other)],
        [[cite("moon-2017", "p. 5")], [cite("other")], [cite("moon-2017", "p. 7")]],
        STYLE, LOCALE, bibliography=True)
    assert [plain(n) for n in result.notes] == [
        "Jae-in Moon, A Korea for All: Essays (Example Press, 2017), 5.",
        "Dae-jung Kim, Interlude (Example Press, 2001).",
        "Moon, Korea for All, 7.",
    ]
    assert [plain(b) for b in result.bibliography] == [
        "Kim, Dae-jung. Interlude. Example Press, 2001.",
        "Moon, Jae-in. A Korea for All: Essays. Example Press, 2017.",
    ]


def test_family_first_names_print_family_first_when_marked(processor, sources):
    """A romanized East Asian name written family first (CMOS 8.14-8.15) needs citeproc's
    static-ordering; the processor honours it, in notes and in the bibliography."""
    item = to_csl(sources["soeya-lee-2014"])  # the content marks Lee Geun family_first
    assert item["author"][1]["static-ordering"] is True
    result = processor.format([item], [[cite(item["id"], "p. 85")], [cite(item["id"])]],
                              STYLE, LOCALE, bibliography=True)
    assert plain(result.notes[0]).startswith("Yoshihide Soeya and Lee Geun, “The Middle-Power")
    assert plain(result.notes[1]) == "Soeya and Lee, “Middle-Power Challenge in East Asia.”"
    assert plain(result.bibliography[0]).startswith("Soeya, Yoshihide, and Lee Geun. “The")


def test_lee_geun_prints_family_first_from_the_content(document):
    assert "Yoshihide Soeya and Lee Geun" in plain(document.notes[3])


def test_titles_get_headline_case_except_prefixed_compounds(processor, sources):
    items = [to_csl(sources["genron-2019-china"]), to_csl(sources["soeya-lee-2014"])]
    result = processor.format(items, [[cite(i["id"])] for i in items], STYLE, LOCALE)
    # Headline case (CMOS 8.159); a comma after a title's question mark is kept (CMOS 17
    # 6.119); the site that is also the publisher is named once (CMOS 14.206).
    assert plain(result.notes[0]) == (
        "“Why Do the Japanese Have Negative Views of China?,” The Genron NPO, October 25, "
        "2019, https://www.genron-npo.net/en/issues/archives/5507.html.")
    assert "Co-operation between" in plain(result.notes[1])


def test_several_cites_in_one_note(processor, sources):
    items = [to_csl(sources[i]) for i in ("crs-rl33740", "soeya-lee-2014")]
    result = processor.format(
        items, [[cite("crs-rl33740", "p. 3")], [cite("soeya-lee-2014")],
                [cite("crs-rl33740", "p. 4"), cite("soeya-lee-2014", "p. 88")]], STYLE, LOCALE)
    assert plain(result.notes[2]) == ("Chanlett-Avery, U.S.-Japan Alliance, 4; Soeya and Lee, "
                                      "“Middle-Power Challenge in East Asia,” 88.")


@pytest.mark.parametrize("text, expected", [
    ("p. 12", ("page", "12")),
    ("pp. 84-91", ("page", "84-91")),
    ("12", ("page", "12")),
    ("xiv", ("page", "xiv")),
    ("preamble", ("page", "preamble")),
    ("art. 5", ("article-locator", "5")),
    ("Art. 5", ("article-locator", "5")),
    ("chap. 3", ("chapter", "3")),
    ("sec. 2", ("section", "2")),
    ("§4", ("section", "4")),
    ("para. 7", ("paragraph", "7")),
    ("vol. 2", ("volume", "2")),
    ("no. 3", ("issue", "3")),
    ("fig. 1", ("figure", "1")),
    ("no.", ("page", "no.")),
    ("arts. 3-4", ("article-locator", "3-4")),
    ("arts. III-IV", ("page", "arts. III\u2013IV")),
    ("secs. A and B", ("page", "secs. A and B")),
])
def test_split_locator(text, expected):
    assert split_locator(text) == expected


def test_locator_labels_print_chicago_terms(processor, sources):
    item = to_csl(sources["crs-rl33740"])
    locators = ["chap. 3", "sec. 2", "para. 7", "vol. 2", "fig. 1", "pp. 3-5"]
    result = processor.format([item], [[cite(item["id"], loc)] for loc in locators],
                              STYLE, LOCALE)
    assert [plain(n).rsplit(", ", 1)[-1] for n in result.notes[1:]] == [
        "sec. 2.", "para. 7.", "vol. 2.", "fig. 1.", "3–5."]
    assert ", chap. 3, https://" in plain(result.notes[0])


def test_roman_ranges_keep_their_plural_label(processor, sources):
    item = to_csl(sources["us-rok-mdt-1953"])
    result = processor.format([item], [[cite(item["id"], "arts. III-IV")],
                                       [cite(item["id"], "arts. 3-4")]], STYLE, LOCALE)
    assert plain(result.notes[0]).endswith(", arts. III\u2013IV.")
    assert plain(result.notes[1]).endswith(", arts. 3\u20134.")


def test_to_csl_maps_the_fields(sources):
    assert to_csl(sources["soeya-lee-2014"]) == {
        "id": "soeya-lee-2014",
        "type": "article-journal",
        "title": ("The Middle-Power Challenge in East Asia: An Opportunity for "
                  'Co-<span class="nocase">operation</span> between South Korea and Japan'),
        "title-short": "Middle-Power Challenge in East Asia",
        "author": [{"family": "Soeya", "given": "Yoshihide"},
                   {"family": "Lee", "given": "Geun", "static-ordering": True}],
        "container-title": "Global Asia",
        "volume": "9",
        "issue": "2",
        "page": "84-91",
        "issued": {"date-parts": [[2014]]},
    }
    crs = to_csl(sources["crs-rl33740"])
    assert crs["number"] == "RL33740" and crs["publisher"] == "Congressional Research Service"
    assert crs["issued"] == {"date-parts": [[2019, 6, 13]]} and crs["URL"] == CRS
    assert to_csl(sources["genron-2019-japan-korea"])["issued"] == {"date-parts": [[2019, 7]]}
    assert to_csl(sources["hankyoreh-2017"])["container-title"] == "Hankyoreh"
    org = replace(sources["crs-rl33740"], authors=[Name("Pew Research Center", literal=True)])
    assert to_csl(org)["author"] == [{"literal": "Pew Research Center"}]


def test_from_csl_reads_a_zotero_export():
    items = json.loads(ZOTERO.read_text(encoding="utf-8"))
    origin = Origin(ZOTERO)
    article, report, news, chapter, poll = [from_csl(item, origin) for item in items]

    assert article.id == "http://zotero.org/users/local/k5HGLv5U/items/7QXEDYAV"
    assert article.type == "article-journal" and article.origin == origin
    assert article.title == SOEYA_TITLE
    assert article.container == "Global Asia"
    assert article.authors == [Name("Soeya", "Yoshihide"), Name("Lee", "Geun"),
                               Name("van Dijk", "Teun A.")]
    assert (article.volume, article.issue, article.pages) == ("9", "2", "84-91")
    assert (article.date, article.accessed) == ("2014-06", "2021-03-04")
    assert article.note == ""  # Zotero's "Extra" field is not a note

    assert report.authors == [Name("Chanlett-Avery", "Emma"),
                              Name("Congressional Research Service", literal=True)]
    assert (report.number, report.publisher, report.url) == (
        "RL33740", "Congressional Research Service", CRS)
    assert (report.date, report.accessed) == ("2019-06-13", "2021-01-15")

    assert news.authors == [Name("Korte", "Tim, Jr.")]
    assert (news.container, news.date) == ("The Washington Post", "2003-03-27")

    assert chapter.authors == [Name("Beethoven", "Ludwig van")]
    assert chapter.editors == [Name("Cha", "Victor D.")]
    assert (chapter.container, chapter.publisher, chapter.pages, chapter.date) == (
        "Alliance Politics in Northeast Asia", "Routledge", "101–130", "2011")

    assert (poll.id, poll.doi, poll.volume, poll.date) == ("5", "10.1234/poll.2019", "7",
                                                           "2019-07-01")


def test_zotero_export_round_trips_through_to_csl():
    items = json.loads(ZOTERO.read_text(encoding="utf-8"))
    mapped = ("type", "title", "author", "editor", "container-title", "publisher", "volume",
              "issue", "page", "number", "URL", "DOI", "issued", "accessed")
    for original in items:
        item = to_csl(from_csl(original, Origin(ZOTERO)))
        assert str(item["id"]) == str(original["id"])
        for key in mapped:
            if key not in original:
                assert key not in item
    article, report, news, chapter, poll = [to_csl(from_csl(i, Origin(ZOTERO))) for i in items]
    assert article["author"][2] == {"family": "van Dijk", "given": "Teun A."}
    assert article["issued"] == {"date-parts": [[2014, 6]]}
    assert article["title"] == items[0]["title"]
    assert report["author"] == items[1]["author"]
    assert {k: report[k] for k in ("number", "publisher", "URL", "issued")} == {
        "number": "RL33740", "publisher": "Congressional Research Service", "URL": CRS,
        "issued": {"date-parts": [[2019, 6, 13]]}}
    assert news["container-title"] == "Washington Post"  # Chicago drops the article
    assert news["issued"] == {"date-parts": [[2003, 3, 27]]}
    assert chapter["editor"] == items[3]["editor"]
    assert poll["DOI"] == "10.1234/poll.2019" and poll["volume"] == "7"


def test_default_sources_round_trip(sources):
    for source in sources.values():
        back = from_csl(to_csl(source), source.origin)
        if source.type in ("article-journal", "article-magazine", "article-newspaper"):
            back = replace(back, container=source.container)  # "The Hankyoreh" -> "Hankyoreh"
        if source.publisher == source.container:
            back = replace(back, publisher=source.publisher)  # named once, as the site
        assert back == source


def test_zotero_items_format(processor):
    items = [to_csl(from_csl(item, Origin(ZOTERO)))
             for item in json.loads(ZOTERO.read_text(encoding="utf-8"))]
    result = processor.format(items, [[{"id": item["id"]}] for item in items[:3]], STYLE,
                              LOCALE, bibliography=True)
    assert [plain(note) for note in result.notes] == [
        ("Yoshihide Soeya, Geun Lee, and Teun A. van Dijk, “The Middle-Power Challenge in East "
        "Asia: An Opportunity for Co-operation between South Korea and Japan,” Global Asia 9, "
        "no. 2 (June 2014): 84–91."),
        # The item's genre ("CRS Report") is carried over and printed before its number.
        (f"Emma Chanlett-Avery and Congressional Research Service, The U.S.-Japan Alliance, "
         f"CRS Report no. RL33740 (Congressional Research Service, 2019), {CRS}."),
        "Tim Korte Jr., “Jordan Lifts Wizards,” Washington Post, March 27, 2003.",
    ]
    assert plain(result.bibliography[-1]).startswith("Soeya, Yoshihide, Geun Lee, and Teun A. "
                                                     "van Dijk. “The Middle-Power")


def test_unicode_and_long_strings_survive_the_transport(processor):
    # Line and paragraph separators, NEL, a newline, quotes, backslashes and an astral
    # character in the id (which must come back matched), and a long, non-English title
    # (so no title casing) with markup-like text.
    odd_id = "ü\u2028\u2029\u0085\"\\\n\t🇰🇷"
    title = "日米同盟と한미동맹: “quoted” back\\slash 🇰🇷 & <b>ok</b> & <x> " + "x" * 200_000
    item = {"id": odd_id, "type": "book", "title": title, "language": "de",
            "author": [{"family": "Müller-Lüdenscheidt", "given": "Zoë"}],
            "issued": {"date-parts": [[2020]]}}
    result = processor.format([item], [[{"id": odd_id}]], STYLE, LOCALE, bibliography=True)
    note = plain(result.notes[0])
    assert note.startswith(
        "Zoë Müller-Lüdenscheidt, 日米同盟と한미동맹: “quoted” back\\slash 🇰🇷 & ok & <x> x")
    assert note.endswith("x" * 200_000 + " (2020).")
    assert "&#60;x&#62;" in result.notes[0] and "&#38;" in result.notes[0]  # escaped HTML
    assert len(result.bibliography) == 1


def test_a_node_side_error_is_a_build_error(processor):
    book = {"id": "a", "type": "book", "title": "A", "issued": {"date-parts": [[2020]]}}
    with pytest.raises(BuildError, match="cites 'nowhere', which is not an item"):
        processor.format([book], [[{"id": "nowhere"}]], STYLE, LOCALE)
    # The worker is still there for the next request.
    result = processor.format([book], [[{"id": "a"}]], STYLE, LOCALE)
    assert plain(result.notes[0]) == "A (2020)."


def test_missing_node_is_a_build_error_that_says_what_to_do(tmp_path):
    proc = Processor(node=str(tmp_path / "no-such-node"))
    with pytest.raises(BuildError) as error:
        proc.format([], [], STYLE, LOCALE)
    message = str(error.value)
    assert "Node.js" in message and "no-such-node" in message
    assert "install Node.js" in message and "scripts/setup.sh" in message
    assert "Traceback" not in message


def test_missing_citeproc_module_is_a_build_error(tmp_path):
    proc = Processor(node_modules=tmp_path / "node_modules")
    with pytest.raises(BuildError, match=r"citeproc module is missing .*run scripts/setup.sh"):
        proc.format([], [], STYLE, LOCALE)


def test_missing_style_is_a_build_error(processor, tmp_path):
    with pytest.raises(BuildError, match="CSL style file .*missing"):
        processor.format([], [], tmp_path / "nope.csl", LOCALE)


def _book(title: str) -> list[dict]:
    return [{"id": "a", "type": "book", "title": title, "issued": {"date-parts": [[2020]]}}]


def _format_in_child(proc: Processor, queue) -> None:
    result = proc.format(_book("Forked"), [[{"id": "a"}]], STYLE, LOCALE)
    queue.put((os.getpid(), proc._proc.pid, result.notes))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_child_starts_its_own_worker_and_a_dead_worker_is_restarted(processor):
    processor.format(_book("Parent"), [[{"id": "a"}]], STYLE, LOCALE)
    parent_worker = processor._proc.pid
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_format_in_child, args=(processor, queue))
    child.start()
    child_pid, child_worker, notes = queue.get(timeout=120)
    child.join(30)
    assert child.exitcode == 0 and child_pid != os.getpid()
    assert child_worker != parent_worker and notes == ["<i>Forked</i> (2020)."]
    # The parent's worker is untouched by the child; when it dies, the next call restarts it.
    assert processor._proc.pid == parent_worker and processor._proc.poll() is None
    processor._proc.kill()
    processor._proc.wait()
    result = processor.format(_book("Again"), [[{"id": "a"}]], STYLE, LOCALE)
    assert result.notes == ["<i>Again</i> (2020)."] and processor._proc.pid != parent_worker


def test_a_zotero_export_is_a_source_file(runner, sample, tmp_path):
    """Analysts keep their libraries: a CSL-JSON export dropped into sources/ is read as
    sources, cited like any other, and formatted in the notes and bibliography."""
    import shutil

    from conftest import run

    shutil.copy(ZOTERO, sample / "sources" / "zotero.json")
    first_id = json.loads(ZOTERO.read_text(encoding="utf-8"))[0]["id"]
    topic = sample / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text() + f"\nMiddle powers matter too [@{first_id}, p. 85].\n")
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--audience", "staff", "--length",
                 "full", "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = (out / "harbor-memo" / "staff-full.html").read_text()
    assert "Teun A. van Dijk" in html and "Global Asia" in html


def test_a_broken_csl_json_file_is_located(runner, sample):
    from conftest import run

    (sample / "sources" / "zotero.json").write_text('[{"id": "a", "title": "x"},\n  oops]')
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "zotero.json:2: not valid JSON" in result.stderr


def test_a_brief_may_name_another_citation_style(runner, sample, tmp_path):
    """The style is a CSL file, not code: OSCOLA gives its own notes (and "ibid")."""
    from conftest import run

    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace("type: policy-memo",
                                               "type: policy-memo\ncitation_style: oscola", 1))
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "--audience", "staff", "--length",
                 "full", "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = (out / "harbor-memo" / "staff-full.html").read_text()
    notes = [plain(n) for n in re.findall(r'<li id="note-\d+">(.*?) <a class="backref"', html)]
    assert notes[0].startswith("Jane Q Doe, “The State of the Harbor” (Harbor Research Service "
                               "2020)")
    assert "ibid 7." in notes


def test_an_unknown_citation_style_is_a_clear_error(runner, sample, tmp_path):
    from conftest import run

    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace("type: policy-memo",
                                               "type: policy-memo\ncitation_style: apa-7", 1))
    result = run(runner, sample, "build", "harbor-memo", "-f", "html", "-o", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert ("harbor-memo.yaml:4: unknown citation style 'apa-7' (known citation styles: "
            "chicago-note-bibliography, oscola)") in result.stderr
    assert "nothing was built" in result.stderr


def test_check_locates_an_unknown_citation_style(runner, sample):
    from conftest import run

    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace("type: policy-memo",
                                               "type: policy-memo\ncitation_style: oscolla", 1))
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "harbor-memo.yaml:4: unknown citation style 'oscolla' (did you mean 'oscola'?)" \
        in result.stderr
