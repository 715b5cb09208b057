"""Hostile content: nothing outside the project is read, nothing runs, nothing is fetched."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conftest import run
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.markdown import NoteBook, ProseRenderer
from generator.yamldoc import YamlError, parse_yaml


def html_of(text: str) -> str:
    return ProseRenderer(NoteBook()).block(text)


def test_links_may_not_use_dangerous_schemes():
    html = html_of("[a](javascript:alert(1)) [b](data:text/html,<script>x</script>) "
                   "[c](file:///etc/passwd) [d](VBScript:x) [e](https://ok.example) [f](#top)")
    assert 'href="https://ok.example"' in html and 'href="#top"' in html
    assert not re.search(r'href="(javascript|data|file|vbscript):', html, re.IGNORECASE)


def test_a_content_file_linking_outside_the_project_is_refused(sample, runner, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\nheadline: x\nsummary: y\n---\nprivate\n")
    (sample / "topics" / "secret.md").symlink_to(secret)
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert "secret.md:1: links to a file outside the content folder" in result.stderr


MARKDOWN_PIECES = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))", "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "<a href='javascript:x'>y</a>", "[@src, p. 1]", "^[note <b onclick=x>]", "[^1]",
    "\n\n[^1]: note\n\n", "## Heading", "> quote", "- item", "1. item", "`code`", "**bold**",
    "{{ 7*7 }}", "{% include 'x' %}", "<iframe src=x>", "&lt;script&gt;", "\x00", "\t", "\n",
])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=20)), max_size=12))
def test_random_prose_never_emits_script(pieces):
    parser = _Tags()
    parser.feed(html_of("".join(pieces)))
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed", "style", "link")
        assert not [name for name in attrs if name.startswith("on")]
        for name in ("href", "src"):
            assert not re.match(r"\s*(javascript|vbscript|data|file):", attrs.get(name) or "", re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_text_is_parsed_or_refused_with_our_own_error(text):
    try:
        parse_yaml(text)
    except YamlError as error:
        assert error.line >= 1 and error.message


YAML_PIECES = st.sampled_from(["a: 1\n", "- x\n", "  ", "&a ", "*a", "!!python/object ", "{", "}",
                               "[", "]", ": ", "\"", "'", "\t", "---\n", "<<: *a\n", "? ", "|\n",
                               "!!binary ", "%YAML 1.1\n", "\n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(YAML_PIECES, st.text(max_size=5)), max_size=30))
def test_random_yaml_shapes_never_raise_anything_else(pieces):
    try:
        parse_yaml("".join(pieces))
    except YamlError:
        pass


HOSTILE_HTML = """<html><head>
<link rel="stylesheet" href="file:///etc/hostname">
<style>@import url("http://198.51.100.1/x.css"); body { background: url(file:///etc/passwd) }</style>
</head><body>
<img src="file:///etc/passwd"><img src="https://example.org/x.png">
<object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">
<iframe src="file:///etc/passwd"></iframe>
<a rel="attachment" href="file:///etc/passwd">attached</a>
<img src="ftp://example.org/x.png">
</body></html>"""


def test_typesetting_reads_nothing_outside_the_project(tmp_path):
    import pytest

    from generator.errors import BuildError
    from generator.typeset import layout

    with pytest.raises(BuildError) as raised:
        layout(HOSTILE_HTML, tmp_path, [tmp_path])
    message = str(raised.value)
    for url in ("file:///etc/passwd", "file:///etc/hostname", "http://198.51.100.1/x.css",
                "https://example.org/x.png", "ftp://example.org/x.png"):
        assert url in message


def test_typesetting_reads_files_inside_the_allowed_folders(tmp_path):
    from generator.typeset import layout

    picture = tmp_path / "dot.svg"
    picture.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    laid_out = layout(f'<img src="{picture.as_uri()}"><img src="dot.svg">', tmp_path, [tmp_path])
    assert laid_out.pages == 1


def test_a_symlink_inside_an_allowed_folder_that_points_out_is_refused(tmp_path):
    import pytest

    from generator.errors import BuildError
    from generator.typeset import layout

    allowed = tmp_path / "content"
    allowed.mkdir()
    outside = tmp_path / "outside.svg"
    outside.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (allowed / "link.svg").symlink_to(outside)
    with pytest.raises(BuildError):
        layout('<img src="link.svg">', allowed, [allowed])


def test_a_file_of_tens_of_megabytes_is_refused_quickly(sample, runner):
    import time

    big = sample / "topics" / "huge.md"
    big.write_text("---\ntitle: Huge\nheadline: x\nsummary: y\n---\n" + "word " * 4_000_000)
    started = time.perf_counter()
    result = run(runner, sample, "check")
    assert time.perf_counter() - started < 5
    assert result.exit_code == 1
    assert "huge.md:1: file is 20,000,0" in result.stderr and "max_file_bytes" in result.stderr


def test_yaml_limits_are_configurable(sample, runner):
    settings = sample / "settings.yaml"
    settings.write_text(settings.read_text() + "max_yaml_depth: 8\n")
    (sample / "audiences" / "deep.yaml").write_text("name: x\ntags: " + "[" * 10 + "]" * 10 + "\n")
    result = run(runner, sample, "check")
    assert "deep.yaml:2: nested more than 8 levels deep" in result.stderr


# Citations in hostile shapes: unclosed "[@id, " by the thousand on one line took time
# growing with the square of the line (bench/parsers.py keeps the time bound). A citation
# runs from "[@" to the first "]" after it; with no "]" left, "[" is text.
CITE_ID = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
LOCATOR = st.text(alphabet="abcpxyz 0123456789", max_size=8)
CITE_PIECES = st.one_of(
    st.builds(lambda i, loc: ("closed", f"[@{i}, {loc}]"), CITE_ID, LOCATOR),
    st.builds(lambda i: ("closed", f"[@{i}]"), CITE_ID),
    st.builds(lambda i, loc: ("open", f"[@{i}, {loc} "), CITE_ID, LOCATOR),
    # No blank line (a new paragraph) and no indented start (code): neither holds citations.
    st.sampled_from([("text", "word "), ("text", "word\n"), ("text", "x")]),
)


def expected_citations(text: str) -> list[tuple[str, str, int]]:
    """Return (source, locator, line) of each citation, read the slow, obvious way."""
    found, position = [], 0
    while (start := text.find("[@", position)) >= 0:
        end = text.find("]", start)
        if end < 0:
            break
        source, _, locator = text[start + 2:end].partition(",")
        locator = " ".join(line.strip() for line in locator.strip().splitlines())
        found.append((source.strip(), locator, text.count("\n", 0, start)))
        position = end + 1
    return found


def citations_of(text: str) -> list[tuple[str, str, int]]:
    from generator.markdown import find_citations

    return [(c.source, c.locator, c.line_offset) for c in find_citations(text)]


@settings(max_examples=150, deadline=None)
@given(st.lists(CITE_PIECES, max_size=40), st.integers(0, 300))
@example([("open", "[@a, p. 2 "), ("text", "word\n"), ("closed", "[@b, 4]")], 0)  # traceback once
def test_unclosed_citations_in_any_number_parse_to_the_citations_written(pieces, unclosed):
    text = "".join(piece for _, piece in pieces) + "[@source, " * unclosed
    expected = expected_citations(text)
    assert citations_of(text) == expected
    notebook = NoteBook()
    html = ProseRenderer(notebook).block(text)
    assert html.count('class="note-ref"') == len(expected) == len(notebook.notes)
    assert [n.cites[0][0] for n in notebook.notes] == [source for source, _, _ in expected]


def test_a_line_of_thousands_of_unclosed_citations_is_text_after_the_one_closed():
    text = "[@harbor-report, p. 3] " + "[@source, " * 4_000
    assert citations_of(text) == [("harbor-report", "p. 3", 0)]
    html = html_of(text)
    assert html.count('class="note-ref"') == 1 and html.count("[@source,") == 4_000


def test_the_pixel_limit_of_raster_images_is_a_setting(sample, runner):
    """A picture with more pixels than max_image_pixels is refused at check time, where
    prose uses it (a build would inline it in the page and drop it from the PDF)."""
    from PIL import Image

    Image.new("L", (300, 200)).save(sample / "images" / "pier.png")
    topic = sample / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text() + "\n![The pier at low tide](images/pier.png)\n")
    line = topic.read_text().count("\n")
    assert run(runner, sample, "check").exit_code == 0
    settings = sample / "settings.yaml"
    settings.write_text(settings.read_text() + "max_image_pixels: 50000\n")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert (f"topics/harbor-overview.md:{line}: image 'images/pier.png' is 300 × 200 pixels "
            "(60,000), more than max_image_pixels (50,000) allows") in result.stderr


def test_an_svg_may_refer_to_its_own_parts_and_link_out():
    """References inside the drawing (#id), and links, which nothing loads, are fine."""
    import tempfile
    from pathlib import Path

    from generator.imagecheck import image_problems

    svg = Path(tempfile.mkdtemp()) / "ok.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
                   'xlink"><defs><linearGradient id="g"/><filter id="f"><feImage href="#r"/>'
                   '</filter></defs><rect id="r" fill="url(#g)" style="fill: url(\'#g\')"/>'
                   '<use xlink:href="#r"/><a href="https://example.org"><text>x</text></a></svg>')
    assert image_problems(svg) == []


# Manifests, CSL-JSON libraries and facts, whatever they hold: each is read, or refused
# with a message of brief's own, never another exception.

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=12)
RECORD_KEYS = st.sampled_from(["path", "sha256", "format", "brief", "pages", "input_hash"])
RECORD_VALUES = st.one_of(JSON_VALUES, st.sampled_from(
    ["a/b.pdf", "../x.pdf", "/etc/passwd", "a//b.html", ".", "0" * 64, "html", "pdf"]))
RECORDS = st.one_of(JSON_VALUES, st.dictionaries(RECORD_KEYS, RECORD_VALUES, max_size=6))
MANIFESTS = st.one_of(JSON_VALUES, st.builds(lambda outputs: {"outputs": outputs},
                                             st.one_of(JSON_VALUES, st.lists(RECORDS, max_size=6))))


@settings(max_examples=300, deadline=None)
@given(MANIFESTS)
@example({"outputs": [{"path": "a/b.pdf", "sha256": "0", "pages": "x"}]})  # once a TypeError
def test_any_manifest_is_read_or_refused_with_our_own_error(tmp_path_factory, document):
    import json

    from generator.errors import BuildError
    from generator.publish import merge_manifests, read_manifest

    folder = tmp_path_factory.mktemp("manifest")
    (folder / "manifest.json").write_text(json.dumps(document))
    for record in read_manifest(folder):
        assert isinstance(record["path"], str) and isinstance(record["sha256"], str)
        assert ".." not in record["path"].split("/") and not record["path"].startswith("/")
    try:
        merged = merge_manifests([folder / "manifest.json"], folder / "merged")
    except BuildError as error:
        assert all(str(problem) for problem in error.problems)
    else:
        assert json.loads(merged.read_text())["outputs"] == read_manifest(folder / "merged")


def minimal_content(root):
    """Write the smallest content folder the loader reads; return it."""
    for folder in ("topics", "briefs", "sources", "facts"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "lengths.yaml").write_text("full: {label: Full}\n")
    (root / "sources" / "library.yaml").write_text(
        "- {id: harbor-report, type: report, title: The State of the Harbor}\n")
    return root


CSL_FIELDS = st.sampled_from(["id", "type", "title", "author", "editor", "issued", "accessed",
                              "container-title", "publisher", "page", "URL", "DOI", "note"])
CSL_VALUES = st.one_of(JSON_VALUES, st.sampled_from(
    ["report", "book", "reprot", "article-journal", {"date-parts": [[2019, 13, 40]]},
     {"date-parts": [["x"]]}, {"raw": "2019-02-30"}, [{"family": "Doe", "given": 5}],
     [{"literal": "Group"}], [5], "smith-2019"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(CSL_FIELDS, CSL_VALUES, max_size=8), max_size=4))
def test_any_csl_json_library_is_read_or_reported(tmp_path_factory, items):
    """Every item is a source or a problem at a line; each source read can be formatted."""
    import json

    from generator import cite
    from generator.load import load_content

    root = minimal_content(tmp_path_factory.mktemp("csl") / "content")
    (root / "sources" / "library.json").write_text(json.dumps(items, indent=2))
    loaded = load_content(root)
    assert all(problem.line >= 1 and problem.message for problem in loaded.problems)
    for source in loaded.content.sources.values():
        assert cite.to_csl(source)["id"] == source.id


FACT_VALUES = st.one_of(st.integers(), st.floats(), st.text(max_size=6), st.booleans(),
                        st.none(), st.lists(st.integers(), max_size=2))
AS_OF = st.one_of(st.integers(-5, 10_000), st.text(max_size=10), st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}" + (f"-{d:02d}" if d else ""),
    st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)))
FACTS = st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True),
    st.fixed_dictionaries({"value": FACT_VALUES, "unit": st.sampled_from(
        ["count", "people", "percent", "usd", "krw", "jpy", "km", "year", "furlong"]),
        "as_of": AS_OF, "source": st.sampled_from(["harbor-report", "harbour-report", ""])},
        optional={"locator": st.text(max_size=5)}),
    max_size=4)


@settings(max_examples=200, deadline=None)
@given(FACTS)
@example({"far": {"value": 5e300, "unit": "km", "as_of": 2019, "source": "harbor-report"},
          "sum": {"value": float("inf"), "unit": "usd", "as_of": 2019, "source": "harbor-report"},
          "troops": {"value": 54000, "unit": "people", "as_of": "2019-06",
                     "source": "harbor-report"}})
def test_any_fact_is_read_and_used_or_reported(tmp_path_factory, facts):
    """A fact the loader and the checks let through can be printed, dated and aged."""
    import datetime as dt

    import yaml

    from generator import facts as registry
    from generator import sourcing
    from generator.load import load_content

    root = minimal_content(tmp_path_factory.mktemp("facts") / "content")
    for fact_id, fact in facts.items():  # a file each: a problem names the fact's file
        (root / "facts" / f"{fact_id}.yaml").write_text(yaml.safe_dump({fact_id: fact}))
    loaded = load_content(root)
    content = loaded.content
    problems = loaded.problems + sourcing.check(content)
    problems += sourcing.stale_facts(content, dt.timedelta(days=365), dt.date(2026, 1, 1))
    reported = {problem.path for problem in problems if not problem.warning}
    for fact in content.facts.values():
        if fact.origin.path in reported:
            continue
        registry.format_value(fact.value, fact.unit, "en-US")
        if fact.as_of:
            registry.human_as_of(fact.as_of)
            registry.as_of_date(fact.as_of)


def test_language_spans_are_placed_on_their_own_lines_in_a_long_paragraph():
    """Each {lang=..} is found on its line by bisection (walking the paragraph from its
    start for every span took time growing with the square of the paragraph), and two
    spans of one tag take their own lines."""
    from generator.markdown import find_languages

    text = "".join(f"[x]{{lang=ja-{n:05d}}}\n" for n in range(3_000))
    assert find_languages(text) == [(f"ja-{n:05d}", n) for n in range(3_000)]
    assert find_languages("Intro.\n\nOne [a]{lang=ko} and\ntwo [b]{lang=ja} [c]{lang=ko}\n"
                          "three [d]{lang=ko}\n") == [("ko", 2), ("ja", 3), ("ko", 3), ("ko", 4)]


def test_unsourced_figures_are_found_after_thousands_of_blank_lines_and_unclosed_marks():
    """The check for unsourced figures read every run of blank lines, and every unclosed
    link target or note label, again from each of its lines (20 s for 16,000 blank lines);
    it finds the same figures, on the same lines, in one pass."""
    from generator.sourcing import unsourced_numbers

    assert unsourced_numbers("\n" * 20_000 + "It cost 5 dollars.") == [("5", 20_000)]
    assert unsourced_numbers("\n    " * 5_000 + "\n- 7 ships") == [("7", 5_001)]
    text = "](" * 5_000 + " 12 boats [^" * 3_000 + " and `code 9` then 4 more."
    assert unsourced_numbers(text) == [("12", 0)] * 3_000 + [("4", 0)]
