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
