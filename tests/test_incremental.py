"""Rebuilds skip outputs whose inputs are unchanged, and redo exactly the ones that changed."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from conftest import run


def build(runner, content: Path, out: Path, *args: str) -> set[str]:
    """Build and return the paths written in this run (from the manifest's new records)."""
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.*")} if out.exists() else {}
    result = run(runner, content, "build", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)) for p in out.rglob("*.*")
            if p.name != "manifest.json" and before.get(p) != p.stat().st_mtime_ns}


def test_no_op_rebuild_writes_nothing(runner, sample, tmp_path):
    out = tmp_path / "out"
    written = build(runner, sample, out)
    assert len([p for p in written if not p.startswith("assets/")]) == 14
    assert any(p.startswith("assets/fonts/") for p in written)  # published once, with the pages
    result = run(runner, sample, "build", "-o", str(out))
    assert re.search(r"^built +0\b", result.stdout, re.MULTILINE)
    assert re.search(r"^up to date +14\b", result.stdout, re.MULTILINE)
    assert build(runner, sample, out) == set()


def test_changing_one_topic_rebuilds_only_the_briefs_that_declare_it(runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    topic = sample / "topics" / "lighthouse-costs.md"
    topic.write_text(topic.read_text().replace("about 2 million", "about 3 million"))
    rebuilt = build(runner, sample, out)
    assert rebuilt == {f"harbor-memo/{a}-{length}.{fmt}" for a in ("staff", "public")
                       for length in ("one-page", "full") for fmt in ("pdf", "html")} | {
                       "packs/council-pack.pdf", "packs/council-pack.html"}  # the pack has the memo
    records = {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert "content/topics/lighthouse-costs.md" in records["harbor-memo/staff-full.pdf"]["inputs"]
    assert "content/topics/lighthouse-costs.md" not in \
        records["harbor-perspective/public-full.pdf"]["inputs"]


def test_changing_a_template_rebuilds_everything(runner, sample, tmp_path):
    import shutil

    from conftest import TEMPLATES

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out"
    run(runner, sample, "build", "-o", str(out), templates=templates)
    css = templates / "css" / "common.css"
    css.write_text(css.read_text() + "\n/* a change */\n")
    result = run(runner, sample, "build", "-o", str(out), templates=templates)
    assert re.search(r"^built +14\b", result.stdout, re.MULTILINE)


def test_a_damaged_output_is_rebuilt_and_force_rebuilds_all(runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    damaged = out / "harbor-memo" / "staff-full.html"
    damaged.write_text("truncated")
    assert build(runner, sample, out) == {"harbor-memo/staff-full.html"}
    os.utime(out / "harbor-memo" / "staff-full.pdf", ns=(1, 1))
    assert len(build(runner, sample, out, "--force")) == 14


MEMO = {f"harbor-memo/{a}-{length}.{fmt}" for a in ("staff", "public")
        for length in ("one-page", "full") for fmt in ("pdf", "html")}
PERSPECTIVE = {f"harbor-perspective/public-{length}.{fmt}" for length in ("two-page", "full")
               for fmt in ("pdf", "html")}
PACK = {"packs/council-pack.pdf", "packs/council-pack.html"}
EVERYTHING = MEMO | PERSPECTIVE | PACK
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" viewBox="0 0 240 60">'
       '<title>{title}</title><rect x="0" y="20" width="240" height="40" fill="{fill}"/></svg>')


def records(out: Path) -> dict[str, dict]:
    return {r["path"]: r for r in json.loads((out / "manifest.json").read_text())["outputs"]}


def test_changing_an_image_rebuilds_exactly_the_outputs_that_show_it(runner, sample, tmp_path):
    out = tmp_path / "out"
    image = sample / "images" / "light.svg"
    image.write_text(SVG.format(title="The light", fill="#9fb7cf"))
    topic = sample / "topics" / "lighthouse-costs.md"  # declared by the memo alone
    topic.write_text(topic.read_text() + "\n![The light from the sea](images/light.svg)\n")
    build(runner, sample, out)
    assert "content/images/light.svg" in records(out)["harbor-memo/staff-one-page.pdf"]["inputs"]
    image.write_text(SVG.format(title="The light", fill="#c0392b"))
    assert build(runner, sample, out) == MEMO | PACK
    assert "c0392b" in _inlined_svg((out / "harbor-memo/staff-full.html").read_text())


def _inlined_svg(page: str) -> str:
    import base64

    return " ".join(base64.b64decode(data).decode() for data in
                    re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page))


def test_a_change_to_the_generators_code_rebuilds_under_the_same_version(
        runner, sample, tmp_path, monkeypatch):
    import shutil

    import generator
    from generator import cache, inputs

    out = tmp_path / "out"
    build(runner, sample, out)
    code = tmp_path / "generator"
    shutil.copytree(Path(generator.__file__).parent, code)
    with (code / "render.py").open("a") as stream:
        stream.write("\n# a change that keeps the version number\n")
    assert cache.package_digest(code) != cache.code_digest()
    assert generator.__version__ == "0.1.0"
    monkeypatch.setattr(inputs, "code_digest", lambda: cache.package_digest(code))
    assert build(runner, sample, out) == EVERYTHING
    assert {r["inputs"]["generator"] for r in records(out).values()} == {
        cache.package_digest(code)}


def test_a_new_tool_version_rebuilds(runner, sample, tmp_path, monkeypatch):
    from generator import tools

    out = tmp_path / "out"
    build(runner, sample, out)
    installed = tools.versions()["tools/python/weasyprint"]
    fake = tmp_path / "site" / "weasyprint-99.0.dist-info"
    fake.mkdir(parents=True)
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: weasyprint\nVersion: 99.0\n")
    monkeypatch.syspath_prepend(str(fake.parent))
    tools.versions.cache_clear()
    try:
        assert tools.versions()["tools/python/weasyprint"] == "99.0" != installed
        assert build(runner, sample, out) == EVERYTHING
    finally:
        monkeypatch.undo()
        tools.versions.cache_clear()
    assert build(runner, sample, out) == EVERYTHING  # and back again


def test_tool_versions_are_read_without_importing_the_tools(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    script = ("import sys; from generator import tools; v = tools.versions(); "
              "print(v['tools/python/weasyprint'], v['tools/python/matplotlib'], "
              "v['tools/node/citeproc'], 'weasyprint' in sys.modules, "
              "'matplotlib' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout.split()
    assert found[0][0].isdigit() and found[1][0].isdigit() and found[2][0].isdigit()
    assert found[3:] == ["False", "False"]


def forget_fonts() -> None:
    """Have this process find the font packages again (they are looked up once)."""
    from generator import fonts, tools

    for cached in (fonts.faces, fonts.print_files, fonts.versions, tools.versions):
        cached.cache_clear()


@pytest.fixture
def own_fonts(tmp_path, monkeypatch):
    """Return a copy of the font packages that this test's builds use (node_modules)."""
    import shutil

    from generator.fonts import node_modules

    installed = node_modules()
    modules = tmp_path / "node_modules"
    modules.mkdir()
    for package in installed.iterdir():
        if package.name != "@fontsource":
            (modules / package.name).symlink_to(package)
    shutil.copytree(installed / "@fontsource", modules / "@fontsource")
    monkeypatch.setenv("BRIEF_NODE_MODULES", str(modules))
    forget_fonts()
    yield modules / "@fontsource"
    monkeypatch.undo()
    forget_fonts()


def new_release(woff: Path) -> None:
    """Change a font file as a new release of the face would, under the same name."""
    from fontTools.ttLib import TTFont

    font = TTFont(woff)
    font["head"].fontRevision += 1
    font.save(woff)
    forget_fonts()


def test_a_font_file_changed_under_its_name_rebuilds_what_was_typeset_with_it(
        runner, sample, tmp_path, own_fonts):
    out = tmp_path / "out"
    build(runner, sample, out)
    face = "font-files/Source Serif 4 400 normal"
    before = records(out)["harbor-memo/staff-full.pdf"]["inputs"][face]
    new_release(own_fonts / "source-serif-4/files/source-serif-4-latin-400-normal.woff")
    pdfs = {p for p in EVERYTHING if p.endswith(".pdf")}
    fitted = {"harbor-memo/staff-one-page.html", "harbor-memo/public-one-page.html",
              "harbor-perspective/public-two-page.html"}  # laid out with the print fonts
    assert build(runner, sample, out) == pdfs | fitted
    assert records(out)["harbor-memo/staff-full.pdf"]["inputs"][face] != before
    assert build(runner, sample, out) == set()


def test_a_new_sans_face_redraws_the_pages_that_show_charts(runner, sample, tmp_path, own_fonts):
    from test_charts import add_chart

    out = tmp_path / "out"
    add_chart(sample)  # in lighthouse-costs, which the memo alone declares
    build(runner, sample, out)
    new_release(own_fonts / "source-sans-3/files/source-sans-3-latin-400-normal.woff")
    rebuilt = build(runner, sample, out)
    assert {"harbor-memo/staff-full.html", "harbor-memo/public-full.html"} <= rebuilt
    assert "harbor-perspective/public-full.html" not in rebuilt  # no chart, no layout


def test_a_system_font_changed_under_its_name_rebuilds_the_outputs_that_embed_it(
        runner, sample, tmp_path, monkeypatch):
    import shutil

    from generator import cjkfonts

    out = tmp_path / "out"
    topic = sample / "topics" / "lighthouse-costs.md"  # declared by the memo alone
    topic.write_text(topic.read_text("utf-8") + "\nIts twin stands in Tokyo (東京).\n", "utf-8")
    collection = cjkfonts._collection("NotoSerifCJK-Regular.ttc")
    copy = tmp_path / collection.name
    shutil.copy(collection, copy)
    real = cjkfonts._collection
    monkeypatch.setattr(cjkfonts, "_collection",
                        lambda name: copy if name == collection.name else real(name))
    build(runner, sample, out)
    face = "font-files/Noto Serif CJK JP 400 normal"
    before = records(out)["harbor-memo/staff-full.pdf"]["inputs"][face]
    embedding = {path for path, record in records(out).items() if face in record["inputs"]}
    assert "packs/council-pack.pdf" in embedding  # the full memo for staff is part of it
    assert not embedding & PERSPECTIVE  # no CJK text: no CJK font
    assert build(runner, sample, out) == set()  # the digest kept is found again
    with copy.open("ab") as stream:
        stream.write(b"\0")  # the same name, other bytes
    assert build(runner, sample, out) == embedding
    assert records(out)["harbor-memo/staff-full.pdf"]["inputs"][face] != before
    assert face not in records(out)["harbor-perspective/public-two-page.html"]["inputs"]


def test_a_length_dropped_from_a_brief_removes_its_outputs_and_records(runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    result = run(runner, sample, "build", "harbor-perspective", "-a", "public", "-l", "full",
                 "-f", "pdf", "-o", str(out), "--force", "--emit-print-html")
    assert result.exit_code == 0, result.output
    mine = out / "harbor-perspective" / "notes.txt"  # a file brief did not write
    mine.write_text("kept")
    brief = sample / "briefs" / "harbor-perspective.yaml"
    brief.write_text(brief.read_text().replace("lengths: [two-page, full]", "lengths: [two-page]"))
    gone = {"harbor-perspective/public-full.pdf", "harbor-perspective/public-full.html"}
    assert build(runner, sample, out) == PERSPECTIVE - gone | PACK  # those that read the brief
    assert not any((out / path).exists() for path in gone)
    assert set(records(out)) == EVERYTHING - gone
    assert mine.read_text() == "kept"
    assert (out / "harbor-perspective" / "public-full.print.html").is_file()  # not an output


def test_a_removed_brief_and_pack_leave_no_outputs_behind(runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    changed = out / "harbor-perspective" / "public-two-page.html"
    changed.write_text("edited by hand since")  # no longer what brief wrote: left alone
    (sample / "briefs" / "harbor-perspective.yaml").unlink()
    (sample / "packs" / "council-pack.yaml").unlink()
    result = run(runner, sample, "build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert re.search(r"^built +0\b", result.stdout, re.MULTILINE)
    assert set(records(out)) == MEMO
    said = set(re.findall(r"^removed  (\S+)", result.stdout, re.MULTILINE))
    assert said == PERSPECTIVE | PACK  # every dropped record is named, the edited one too
    assert not any((out / path).exists() for path in PERSPECTIVE | PACK
                   if path != "harbor-perspective/public-two-page.html")
    assert changed.read_text() == "edited by hand since"
    assert not (out / "packs").exists()  # the folder emptied by brief goes too
    assert all((out / path).is_file() for path in MEMO)


def test_a_manifest_naming_files_outside_the_output_folder_deletes_nothing(tmp_path):
    from generator import publish

    out = tmp_path / "out"
    outside = tmp_path / "precious.txt"
    outside.write_text("mine")
    record = {"path": "../precious.txt", "sha256": hashlib.sha256(b"mine").hexdigest()}
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"outputs": [record, "junk", {"path": [1]}]}))
    # A record naming a path outside is no output of brief's: never an orphan to delete.
    assert publish.remove_orphans(out, set()) == []
    assert outside.read_text() == "mine"
    assert publish.read_manifest(out) == []


def test_changing_one_sources_title_rebuilds_only_the_outputs_that_cite_it(
        runner, sample, tmp_path):
    out = tmp_path / "out"
    library = sample / "sources" / "library.yaml"
    library.write_text(library.read_text() + "- id: port-accounts\n  type: report\n"
                       "  title: Port Authority Accounts 2020\n  date: 2020-12-31\n")
    brief = sample / "briefs" / "harbor-memo.yaml"
    brief.write_text(brief.read_text().replace(
        "Ask the port authority to pay half.",
        "Ask the port authority to pay half [@port-accounts]."))
    build(runner, sample, out)
    library.write_text(library.read_text().replace("Port Authority Accounts 2020",
                                                   "Port Authority Accounts, 2020"))
    assert build(runner, sample, out) == MEMO | PACK
    assert "Port Authority Accounts, 2020" in (out / "harbor-memo/staff-full.html").read_text()
    assert "sources/port-accounts" not in records(out)["harbor-perspective/public-full.pdf"][
        "inputs"]


def test_changing_one_lengths_budget_rebuilds_only_that_lengths_outputs(
        runner, sample, tmp_path):
    out = tmp_path / "out"
    build(runner, sample, out)
    lengths = sample / "lengths.yaml"
    lengths.write_text(lengths.read_text().replace("pages: 2", "pages: 3"))
    assert build(runner, sample, out) == {"harbor-perspective/public-two-page.pdf",
                                          "harbor-perspective/public-two-page.html"} | PACK


def test_changing_one_document_types_template_rebuilds_only_that_types_outputs(
        runner, sample, tmp_path):
    import shutil

    from conftest import TEMPLATES

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out"
    run(runner, sample, "build", "-o", str(out), templates=templates)
    memo = templates / "types" / "policy-memo.html"
    memo.write_text(memo.read_text() + "\n{#- a change -#}\n")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.*")}
    result = run(runner, sample, "build", "-o", str(out), templates=templates)
    assert result.exit_code == 0, result.output
    rebuilt = {str(p.relative_to(out)) for p in out.rglob("*.*")
               if p.name != "manifest.json" and before.get(p) != p.stat().st_mtime_ns}
    assert rebuilt == MEMO | PACK
