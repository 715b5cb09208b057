"""Markdown prose: safe HTML, citations, notes, headings and preferred terms."""

from __future__ import annotations

from generator.markdown import NoteBook, ProseRenderer, find_citations, top_level_headings


def render(text: str, terms=None, offset: int = 1) -> tuple[str, NoteBook]:
    book = NoteBook()
    return ProseRenderer(book, terms).block(text, offset), book


def test_raw_html_in_prose_is_shown_as_text():
    html, _ = render('Hello <script>alert(1)</script> <img src=x onerror="boom()">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_not_linked():
    html, _ = render("[click](javascript:alert(1)) and [ok](https://example.org)")
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html


def test_jinja_syntax_in_prose_is_plain_text():
    html, _ = render("Total: {{ 7 * 7 }} {% if x %}")
    assert "{{ 7 * 7 }}" in html and "49" not in html


def test_citations_become_notes_with_their_locators():
    html, book = render("A claim [@crs-rl33740, p. 12]. Two at once [@a; @b, ch. 3].")
    assert [note.cites for note in book.notes] == [[("crs-rl33740", "p. 12")],
                                                   [("a", ""), ("b", "ch. 3")]]
    assert html.count('class="note-ref"') == 2


def test_inline_and_labelled_notes_are_collected():
    html, book = render("Text.^[An aside with *emphasis*.] More.[^x]\n\n[^x]: A labelled note.")
    assert [note.html for note in book.notes] == ["An aside with <em>emphasis</em>.",
                                                  "A labelled note."]
    assert "labelled note" not in html.replace('data-note="1"', "")


def test_headings_shift_below_the_topic_heading():
    html, _ = render("## Sub\n\n### Subsub", offset=1)
    assert "<h3>Sub</h3>" in html and "<h4>Subsub</h4>" in html


def test_preferred_terms_apply_to_text_but_not_markup():
    html, _ = render("The Sea of Japan, *Sea of Japan*, [Sea of Japan](<https://example.org/Sea of Japan>)",
                     terms={"Sea of Japan": "East Sea (Sea of Japan)"})
    assert html.count("East Sea (Sea of Japan)") == 3
    assert 'href="https://example.org/Sea%20of%20Japan"' in html


def test_typography_is_smartened():
    html, _ = render('"Quoted" -- and it\'s')
    assert "“Quoted”" in html and "it’s" in html


def test_find_citations_reports_line_offsets():
    found = find_citations("First line.\n\nSecond paragraph\nwith a cite [@x, p. 2].")
    assert [(c.source, c.locator, c.line_offset) for c in found] == [("x", "p. 2", 3)]


def test_top_level_headings_are_found():
    assert top_level_headings("Intro\n\n# Wrong\n\n## Fine") == [2]


def test_aligned_table_columns_use_classes_not_style_attributes():
    html, _ = render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    assert "style=" not in html  # the page's CSP allows no style attributes
    assert '<th class="align-left">a</th>' in html and '<td class="align-right">3</td>' in html


def test_titles_get_the_same_curly_quotes_as_prose_and_keep_portion_marks():
    from generator.markdown import NoteBook, ProseRenderer

    prose = ProseRenderer(NoteBook(), terms={"Sea of Japan": "East Sea (Sea of Japan)"})
    assert prose.apply_terms("Japan's \"three no's\"") == "Japan’s “three no’s”"
    assert prose.apply_terms("(C) Sea of Japan: Korea's view") == \
        "(C) East Sea (Sea of Japan): Korea’s view"
    assert "’" in prose.block("Japan's laws") and prose.block("Japan's laws").count("’") == 1


def test_headings_after_a_chart_keep_their_level():
    book = NoteBook()
    prose = ProseRenderer(book, chart_html=lambda chart_id, prose: prose.inline("A *caption*."))
    html = prose.block("## Before\n\n{chart:x}\n\n## After\n\n### Under", 2)
    assert "<h4>Before</h4>" in html and "<h4>After</h4>" in html and "<h5>Under</h5>" in html


CITY_TERMS = {"seawall": "coastal barrier", "tide gates": "flood gates",
              "southern Kuril Islands": "Northern Territories (southern Kuril Islands)",
              "living shoreline": {"first": "nature-based shoreline (living shoreline)",
                                   "then": "nature-based shoreline"}}


def settled(text: str, terms=CITY_TERMS, keep=()) -> str:
    from generator.terms import settle_first_uses

    return settle_first_uses(ProseRenderer(NoteBook(), terms, keep=keep).block(text, 1))


def test_terms_are_whole_words_in_any_case_keeping_the_first_letters_case():
    html = settled("Seawall first; a seawall; SEAWALL; seawalls; the full-seawall option;\n"
                   "the southern Kuril Islands; Southern Kuril Islands; tide\ngates.")
    assert "Coastal barrier first; a coastal barrier; Coastal barrier;" in html
    assert "seawalls; the full-seawall option;" in html  # not inside another word
    assert "the Northern Territories (southern Kuril Islands); Northern Territories" in html
    assert "flood gates." in html  # across a line break too


def test_terms_never_change_quotations_block_quotes_code_or_kept_names():
    html = settled('The council said "no seawall, no tide gates" and ‘the seawall’s cost’.\n\n'
                   "> Under subsection (c), no seawall may close a way.\n\n"
                   "Seawall Street and the `seawall` field; the keepers’ seawall.",
                   keep=["Seawall Street"])
    assert "“no seawall, no tide gates”" in html and "‘the seawall’s cost’" in html
    assert "<blockquote>\n<p>Under subsection (c), no seawall may close a way.</p>" in html
    assert "Seawall Street and the <code>seawall</code> field" in html
    assert "the keepers’ coastal barrier." in html  # an apostrophe opens no quotation


def test_a_first_use_form_is_printed_once_then_the_short_form():
    html = settled("A living shoreline, then *a living shoreline* and Living shoreline.")
    assert html.count("nature-based shoreline (living shoreline)") == 1
    assert html.index("nature-based shoreline (living shoreline)") < html.index(
        "<em>a nature-based shoreline</em>")
    assert "and Nature-based shoreline." in html and "<!--" not in html


def test_only_quotes_and_dashes_are_replaced_and_never_in_code():
    html, _ = render('Subsection (c), (C), (r), (tm) and (TM) stay; +- and ... too. "Yes" -- '
                     "and --- dashes, `a -- b \"c\" (c)`.\n\n    code -- (c) \"x\"\n")
    assert "Subsection (c), (C), (r), (tm) and (TM) stay; +- and ... too." in html
    assert "“Yes” – and — dashes" in html
    assert "<code>a -- b &quot;c&quot; (c)</code>" in html
    assert "code -- (c) &quot;x&quot;" in html
    assert not {"©", "®", "™", "±", "…"} & set(html)


def test_titles_get_dashes_and_the_short_form_of_terms():
    prose = ProseRenderer(NoteBook(), terms=CITY_TERMS)
    assert prose.apply_terms('Living shoreline -- the "seawall" (c)') == \
        "Nature-based shoreline – the “seawall” (c)"
