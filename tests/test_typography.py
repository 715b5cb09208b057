"""What a reader checks of the type: the faces used, embedded and subset; Japanese and Korean
in real glyphs with their language; no box where a glyph is missing; fonts beside the pages."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE, run
from pypdf import PdfReader

from generator import cjkfonts, fonts
from generator.languages import mark_languages

CJK_LINE = "The 1947 text, 日本国憲法 第9条, was read in Seoul, 대한민국, with care."
LATIN_EXT_LINE = "Delegates from Ōsaka, Şişli and Łódź met Itō Hirobumi's heirs."
SUBSET_NAME = re.compile(r"^/[A-Z]{6}\+")


def fonts_by_text(path: Path) -> list[tuple[str, str]]:
    """Return (text, base font name) of every text run of every page, in order."""
    runs: list[tuple[str, str]] = []
    for page in PdfReader(path).pages:
        def visit(text, cm, tm, font, size):
            if text.strip() and font is not None:
                runs.append((text, str(font["/BaseFont"])))
        page.extract_text(visitor_text=visit)
    return runs


def font_of(runs: list[tuple[str, str]], needle: str) -> str:
    return next(font for text, font in runs if needle in text)


def embedded_fonts(path: Path) -> dict[str, dict]:
    """Return {base font name: descendant font descriptor} of every font the PDF uses."""
    found = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            found[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return found


def test_every_font_is_embedded_and_subset(built_sample):
    used = embedded_fonts(built_sample / "harbor-memo/staff-full.pdf")
    assert used
    for name, descriptor in used.items():
        assert SUBSET_NAME.match(name), name
        assert any(key in descriptor for key in ("/FontFile2", "/FontFile3", "/FontFile")), name
    families = {SUBSET_NAME.sub("", name).split(",")[0] for name in used}
    assert {"Source-Serif-4", "Source-Sans-3"} <= {f.split("-Bold")[0].split("-Semi")[0]
                                                   .split("-Italic")[0] for f in families}


def test_body_is_source_serif_and_headings_source_sans(built_sample):
    runs = fonts_by_text(built_sample / "harbor-memo/staff-full.pdf")
    assert "Source-Sans-3" in font_of(runs, "Fixing the Harbor")  # the title
    assert "Source-Sans-3" in font_of(runs, "The breakwater")  # a section heading
    assert "Source-Serif-4" in font_of(runs, "main gateway for freight")  # body text


def test_html_loads_the_fonts_published_beside_it(built_sample):
    page = (built_sample / "harbor-memo/staff-full.html").read_text("utf-8")
    urls = re.findall(r'url\("([^"]+)"\)', page)
    assert urls and all(url.startswith("../assets/fonts/") for url in urls)
    for url in urls:
        published = (built_sample / "harbor-memo" / url).resolve()
        face = next((f for f in fonts.faces() if f.name == published.name), None)
        if face is None:  # Japanese and Korean: cut to the content's characters
            assert published.name in {f.name for f in cjkfonts.FACES}
            assert published.read_bytes().startswith(b"wOF2")
        else:
            assert published.read_bytes() == face.path.read_bytes()
    assert "font-src 'self'" in page and "font-src data:" not in page
    assert (built_sample / "assets/fonts/SourceSerif4-OFL.txt").is_file()


def test_fonts_are_copied_only_when_changed(tmp_path):
    out = tmp_path / "out"
    first = fonts.publish_fonts(out, SAMPLE)
    cjk = len(cjkfonts.FACES) + 1  # each Noto CJK face cut to the content, its licence
    assert len(first) == len(fonts.faces()) + len(fonts.FAMILIES) + cjk  # each, each licence
    assert fonts.publish_fonts(out, SAMPLE) == []
    (out / first[0]).write_bytes(b"damaged")
    assert fonts.publish_fonts(out, SAMPLE) == [first[0]]


def test_web_pages_get_noto_cjk_cut_to_the_characters_the_content_uses(sample, tmp_path):
    from fontTools.ttLib import TTFont

    topic = sample / "topics/harbor-overview.md"
    topic.write_text(topic.read_text("utf-8") + f"\n{CJK_LINE}\n", "utf-8")
    out = tmp_path / "out"
    fonts.publish_fonts(out, sample)
    used = set(cjkfonts.CJK.findall(CJK_LINE))
    for face in cjkfonts.FACES:
        data = (out / fonts.ASSETS / face.name).read_bytes()
        assert len(data) < 40_000  # a few kilobytes, not the whole 20 MB font
        covered = {chr(code) for code in TTFont(io.BytesIO(data)).getBestCmap()}
        assert used <= covered, f"{face.name} lacks {used - covered}"
    assert (out / fonts.ASSETS / cjkfonts.LICENCE_NAME).is_file()


def test_release_bundles_the_fonts_the_pages_load(runner, tmp_path):
    out = tmp_path / "out"
    result = run(runner, SAMPLE, "release", "--version", "t1", "-o", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "release/t1/brief-t1.zip") as archive:
        names = set(archive.namelist())
    assert {f"assets/fonts/{face.name}" for face in fonts.faces()} <= names
    sums = (out / "release/t1/SHA256SUMS").read_text()
    assert "assets/fonts/source-sans-3-latin-400-normal.woff2" in sums
    assert "assets/fonts/SourceSans3-OFL.txt" in sums


@pytest.fixture(scope="module")
def cjk_build(tmp_path_factory):
    """Build the sample's full memo with a line of Japanese and Korean in a topic."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("cjk")
    content = root / "content"
    shutil.copytree(SAMPLE, content)
    topic = content / "topics/harbor-overview.md"
    topic.write_text(topic.read_text("utf-8") + f"\n{CJK_LINE}\n\n{LATIN_EXT_LINE}\n", "utf-8")
    out = root / "out"
    result = run(CliRunner(), content, "build", "harbor-memo", "-a", "staff", "-l", "full",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    return out / "harbor-memo"


def test_cjk_text_reads_back_from_the_pdf_in_noto_cjk(cjk_build):
    runs = fonts_by_text(cjk_build / "staff-full.pdf")
    text = "".join(t for t, _ in runs)
    assert "日本国憲法" in text and "第9条" in text and "대한민국" in text
    assert "Noto-Serif-CJK-JP" in font_of(runs, "日本国憲法")
    assert "Noto-Serif-CJK-KR" in font_of(runs, "대한민국")


def test_latin_ext_letters_print_in_source_serif_with_their_own_glyphs(cjk_build):
    """Ō, Ş, Ł come from the latin-ext subset: the embedded face must hold their glyphs
    (WeasyPrint embeds one file per family, weight and style: hence fonts merges them)."""
    from io import BytesIO

    from fontTools.ttLib import TTFont

    path = cjk_build / "staff-full.pdf"
    runs = fonts_by_text(path)
    face = font_of(runs, "Ōsaka")
    assert "Source-Serif-4" in face and face == font_of(runs, "main gateway for freight")
    data = embedded_fonts(path)[face]["/FontFile2"].get_data()
    assert {ord(c) for c in "ŌŞşŁźō"} <= set(TTFont(BytesIO(data)).getBestCmap())


def test_print_faces_are_static_merged_and_ranged():
    rules = fonts.rules("print")
    assert len(rules) == sum(len(pairs) for pairs in fonts.FACES.values())
    assert all("unicode-range: U+" in rule and "font-weight: " in rule for rule in rules)
    assert all(url.endswith(".ttf") for url in re.findall(r'url\("([^"]+)"\)', " ".join(rules)))
    screen = fonts.rules("screen")
    latin = [rule for rule in screen if "CJK" not in rule]
    assert len(latin) == len(fonts.faces()) == len(rules) * len(fonts.SUBSETS)
    assert len(screen) - len(latin) == len(cjkfonts.FACES)  # the web's Noto CJK subsets


def test_a_fonts_ranges_are_read_once_and_remembered_beside_it(tmp_path, monkeypatch):
    from generator import fontcache

    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path))
    fontcache._covered_table.cache_clear()
    try:
        woffs = [face.woff for face in fonts.faces()][:len(fonts.SUBSETS)]
        path = fontcache.merged_copy(woffs)
        assert path.parent == tmp_path / "fonts"
        wanted = "U+0000-00FF,U+0131,U+0152-0153,U+4E00"  # U+4E00: not in a Latin font
        found = fontcache.covered(path, wanted)
        assert found.startswith("U+0020-") and "4E00" not in found
        fontcache._covered_table.cache_clear()  # a later process reads the answer kept
        table = fontcache._covered_table()
        key = next(iter(json.loads((tmp_path / "fonts" / "covered.json").read_text())))
        table.kept = {key: "U+0041"}
        assert fontcache.covered(path, wanted) == "U+0041"
    finally:
        fontcache._covered_table.cache_clear()


def test_cjk_runs_carry_their_language_in_html(cjk_build):
    page = (cjk_build / "staff-full.html").read_text("utf-8")
    assert '<span lang="ja">日本国憲法 第9条</span>' in page
    assert '<span lang="ko">대한민국</span>' in page


@pytest.mark.parametrize("html, expected", [
    ("<p>Tokyo (東京) and Seoul (서울)</p>",
     '<p>Tokyo (<span lang="ja">東京</span>) and Seoul (<span lang="ko">서울</span>)</p>'),
    ("<p>ソウル 서울</p>", '<p><span lang="ja">ソウル</span> <span lang="ko">서울</span></p>'),
    ("<p>대한민국 大韓民國</p>", '<p><span lang="ko">대한민국 大韓民國</span></p>'),
    ('<p lang="ko">大韓民國</p>', '<p lang="ko">大韓民國</p>'),
    ('<p lang="ja">東京と서울</p>', '<p lang="ja">東京と<span lang="ko">서울</span></p>'),
    ("<head><title>東京</title></head><p>a &amp; b</p>",
     "<head><title>東京</title></head><p>a &amp; b</p>"),
])
def test_cjk_runs_are_marked_by_script(html, expected):
    assert mark_languages(html) == expected


def test_authors_can_mark_a_language_in_markdown():
    from generator.markdown import NoteBook, ProseRenderer

    html = ProseRenderer(NoteBook()).block("Seoul ([大韓民國]{lang=ko}) and [x]{onclick=y}")
    assert '<span lang="ko">大韓民國</span>' in mark_languages(html)
    assert "onclick" not in html.replace("{onclick=y}", "")


def test_an_unknown_language_tag_is_refused_with_its_line(runner, sample):
    topic = sample / "topics" / "harbor-overview.md"
    lines = topic.read_text("utf-8").splitlines()
    lines.append("Its sister port is [부산]{lang=kr}.")
    topic.write_text("\n".join(lines) + "\n", "utf-8")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert f"{topic}:{len(lines)}: unknown language 'kr' in {{lang=kr}}" in result.output
    assert "ja, ko" in result.output
    topic.write_text(topic.read_text("utf-8").replace("lang=kr", "lang=ko"), "utf-8")
    assert run(runner, sample, "check").exit_code == 0


def test_a_missing_glyph_fails_the_build_and_keeps_the_old_output(runner, sample, tmp_path):
    out = tmp_path / "out"
    args = ("build", "harbor-memo", "-a", "staff", "-l", "full", "-f", "pdf", "-o", str(out))
    assert run(runner, sample, *args).exit_code == 0
    before = (out / "harbor-memo/staff-full.pdf").read_bytes()
    topic = sample / "topics/harbor-overview.md"
    lines = topic.read_text("utf-8").splitlines()
    lines.insert(18, "A private-use sign \ue000 no font has.")
    topic.write_text("\n".join(lines) + "\n", "utf-8")
    result = run(runner, sample, *args)
    assert result.exit_code == 1
    assert f"{topic}:19: no installed font has a glyph for '\\ue000' (U+E000)" in result.stderr
    assert "A private-use sign" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert (out / "harbor-memo/staff-full.pdf").read_bytes() == before
    assert not list(out.rglob("*.tmp"))


def test_check_finds_the_characters_a_build_would_refuse_at_their_lines(runner, sample):
    """What writing the PDF refuses (no installed font has the character), check reports
    without laying anything out: at the line it was written on, in every kind of file."""
    topic = sample / "topics/harbor-overview.md"
    lines = topic.read_text("utf-8").splitlines()
    lines.insert(18, "A private-use sign \ue000 no font has.")
    topic.write_text("\n".join(lines) + "\n", "utf-8")
    brief = sample / "briefs/harbor-memo.yaml"
    brief.write_text(brief.read_text("utf-8").replace(
        "subtitle: Options for the breakwater and the light",
        "subtitle: Options for the breakwater \U00010000 and the light"), "utf-8")
    result = run(runner, sample, "check")
    assert result.exit_code == 1
    assert f"{topic}:19: no installed font has a glyph for '\\ue000' (U+E000)" in result.stderr
    assert f"{brief}:2: no installed font has a glyph for '\U00010000' (U+10000)" in result.stderr
    assert "a PDF printing it would fail to build" in result.stderr
    assert "Error: 2 problems found" in result.stderr


def test_check_passes_every_character_some_font_has(runner, sample):
    """Latin, the type system's Latin Extended, Japanese and Korean all have fonts; a
    comment is never printed, so what it holds is no problem."""
    topic = sample / "topics/harbor-overview.md"
    text = topic.read_text("utf-8")
    topic.write_text(text.rstrip() + "\n\nŌsaka, Łódź, Şişli; 大阪 and 부산; ‘quotes’ — dashes…\n",
                     "utf-8")
    settings = sample / "settings.yaml"
    settings.write_text(settings.read_text("utf-8") + "# a private-use sign \ue000 in a comment\n",
                        "utf-8")
    result = run(runner, sample, "check")
    assert result.exit_code == 0, result.stderr
    assert "glyph" not in result.stderr


def test_subsetter_is_found_when_the_library_loads():
    def refuse(name):
        raise OSError(name)

    assert fonts.has_subsetter(find=lambda name: "libharfbuzz-subset.so.0", load=len)
    assert not fonts.has_subsetter(find=lambda name: None, load=refuse)
    assert fonts.has_subsetter(find=lambda name: None,
                               load=lambda name: name == "x" or refuse(name)) is False


def test_a_missing_subsetter_is_warned_about_once_per_build(runner, sample, tmp_path,
                                                             monkeypatch):
    monkeypatch.setattr(fonts, "has_subsetter", lambda: False)
    result = run(runner, sample, "build", "harbor-memo", "-l", "one-page", "-f", "pdf",
                 "-o", str(tmp_path / "out"), "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("libharfbuzz-subset0 is missing") == 1
    monkeypatch.setattr(fonts, "has_subsetter", lambda: True)
    result = run(runner, sample, "build", "harbor-memo", "-l", "one-page", "-f", "pdf",
                 "-o", str(tmp_path / "out2"), "-j", "1")
    assert "libharfbuzz-subset0" not in result.stderr


def styled_runs(path: Path) -> list[tuple[str, str, float]]:
    """Return (text, base font name, size in points) of every text run of every page."""
    runs: list[tuple[str, str, float]] = []
    for page in PdfReader(path).pages:
        def visit(text, cm, tm, font, size):
            if text.strip() and font is not None:
                runs.append((text, str(font["/BaseFont"]), round(size * tm[0] * cm[0], 1)))
        page.extract_text(visitor_text=visit)
    return runs


def test_each_heading_level_looks_different_from_the_next_and_from_the_text(
        runner, sample, tmp_path):
    (sample / "topics/harbor-overview.md").write_text(
        (sample / "topics/harbor-overview.md").read_text("utf-8")
        + "\n## Third level here\n\nPlain words under it.\n", "utf-8")
    (sample / "topics/keepers-history.md").write_text(
        (sample / "topics/keepers-history.md").read_text("utf-8")
        + "\n## Fourth level here\n\nMore words.\n\n### Fifth level here\n\nLast words.\n",
        "utf-8")
    out = tmp_path / "out"
    result = run(runner, sample, "build", "harbor-memo", "-a", "staff", "-l", "full", "-f",
                 "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    runs = styled_runs(out / "harbor-memo/staff-full.pdf")

    def look(needle: str) -> tuple[str, float]:
        _, font, size = next(run for run in runs if needle.casefold() in run[0].casefold())
        return SUBSET_NAME.sub("", font), size

    looks = [look(text) for text in ("Fixing the Harbor", "The breakwater", "Third level here",
                                     "Fourth level here", "Fifth level here",
                                     "Plain words under it")]
    assert len(set(looks)) == len(looks), looks
    assert looks[2][1] > looks[3][1] >= looks[5][1] > looks[4][1]  # sizes step down
    faces = [font for font, _ in looks]  # and more than the size tells levels apart
    assert faces[2] != faces[3] != faces[4] and faces[3] != faces[5], faces


def test_c_r_and_tm_are_kept_as_typed_in_print_and_on_the_page(runner, tmp_path):
    """A verbatim ordinance says "subsection (c)": no copyright sign, nor ® or ™; the
    typographer sets only quotes and dashes."""
    from conftest import ROOT

    out = tmp_path / "out"
    result = run(runner, ROOT / "tests/fixtures/flood-bonds", "build", "flood-bonds", "-a",
                 "council", "-o", str(out))
    assert result.exit_code == 0, result.output
    pdf = " ".join(" ".join(page.extract_text().split())
                   for page in PdfReader(out / "flood-bonds/council-full.pdf").pages)
    html = " ".join((out / "flood-bonds/council-full.html").read_text("utf-8").split())
    for text in (pdf, html):
        assert "Under subsection (c), no seawall" in text
        assert "Subsection (r)" in text and "Shoreline(tm) program" in text
        assert not {"©", "®", "™"} & set(text)
        assert "The 2026–27 budget" in text and "council’s" in text
