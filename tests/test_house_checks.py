"""brief check's date gate and house-spelling check, on small whole projects."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, run

from generator.spelling import other_spellings


def copy_of(name: str, tmp_path):
    copy = tmp_path / name
    shutil.copytree(FIXTURES / name, copy)
    return copy


def test_a_source_fact_or_event_dated_after_the_brief_is_reported_where_it_is_used(runner):
    result = run(runner, FIXTURES / "dated-after", "check")
    assert result.exit_code == 0  # warnings only
    lines = result.stderr.splitlines()
    assert ("tests/fixtures/dated-after/topics/harbor.md:4: warning: source 'survey-2019' is "
            "dated 2019, after brief 'harbor-2018' (2018-05-01), which uses it") in result.stderr
    assert any(line.startswith("tests/fixtures/dated-after/topics/harbor.md:7: warning: fact "
                               "'ships-2020' is dated 2020") for line in lines)
    assert any(line.startswith("tests/fixtures/dated-after/charts/harbor-dates.yaml:6: "
                               "warning: event 'New light' is dated 2021-06") for line in lines)
    # What is dated before the brief (or within its month, as the ships log) is not reported.
    assert "survey-2015" not in result.stderr and "ships-log" not in result.stderr
    assert len([line for line in lines if "after brief" in line]) == 3


def test_strict_fails_on_the_date_gate(runner):
    result = run(runner, FIXTURES / "dated-after", "check", "--strict")
    assert result.exit_code == 1
    assert "after brief 'harbor-2018'" in result.stderr


def test_a_brief_dated_after_everything_it_uses_passes_the_gate(runner, tmp_path):
    project = copy_of("dated-after", tmp_path)
    brief = project / "briefs" / "harbor-2018.yaml"
    brief.write_text(brief.read_text().replace("date: 2018-05-01", "date: 2021-07-01"))
    result = run(runner, project, "check", "--strict")
    assert result.exit_code == 0, result.stderr


def test_words_spelt_otherwise_than_the_house_spelling_are_warned_with_their_place(runner):
    result = run(runner, FIXTURES / "house-spelling", "check")
    assert result.exit_code == 0
    out = result.stderr
    where = "tests/fixtures/house-spelling/"
    assert (f"{where}topics/harbor.md:8: warning: 'favourable' is not en-US spelling (the house "
            "spelling in settings.yaml) (write 'favorable')") in out
    assert f"{where}topics/harbor.md:2: warning: 'Harbour' is not en-US spelling" in out
    assert f"{where}topics/harbor.md:14: warning: 'recognised'" in out
    assert f"{where}briefs/harbor.yaml:9: warning: 'programme'" in out
    assert f"{where}audiences/planners.yaml:1: warning: 'Defence'" in out
    assert "(write 'Defense')" in out
    # Quotations are verbatim: a block quote and words in quotation marks are not reported.
    assert ":11:" not in out and ":13:" not in out
    assert run(runner, FIXTURES / "house-spelling", "check", "--strict").exit_code == 1


def test_a_british_house_reports_american_spellings_instead(runner, tmp_path):
    project = copy_of("house-spelling", tmp_path)
    (project / "settings.yaml").write_text("spelling: en-GB\n")
    out = run(runner, project, "check").stderr
    assert "'defenses' is not en-GB spelling" in out and "(write 'defences')" in out
    assert "'favourable'" not in out and "'Harbour'" not in out


def test_no_house_spelling_no_spelling_check(runner, tmp_path):
    project = copy_of("house-spelling", tmp_path)
    (project / "settings.yaml").write_text("organization: Sample Institute\n")
    assert "spelling" not in run(runner, project, "check").stderr


def test_an_unknown_house_spelling_is_an_error(runner, tmp_path):
    project = copy_of("house-spelling", tmp_path)
    (project / "settings.yaml").write_text("spelling: en-AU\n")
    result = run(runner, project, "check")
    assert result.exit_code == 1 and "settings.yaml:1" in result.stderr


def test_the_word_list_is_a_maintained_one_not_a_dozen_words():
    british = other_spellings("en-US")
    assert len(british) > 1000
    assert british["defence"] == "defense" and british["judgement"] == "judgment"
    assert other_spellings("en-GB")["center"] == "centre"
