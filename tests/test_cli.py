"""The command-line contract: help, listing, schema, exit codes and choices."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLE, run

from generator.cli import main

COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_light_commands_do_not_import_weasyprint():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from generator.cli import main\n"
        f"for args in (['--help'], ['--content', {str(SAMPLE)!r}, 'list'],"
        f" ['--content', {str(SAMPLE)!r}, 'check']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_python_dash_m_generator_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "generator", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("Usage: brief")


def test_list_json_names_briefs_audiences_lengths_topics(runner):
    result = run(runner, SAMPLE, "list", "--json")
    assert result.exit_code == 0
    listing = json.loads(result.stdout)
    assert set(listing["briefs"]) == {"harbor-memo", "harbor-perspective"}
    assert set(listing["audiences"]) == {"staff", "public"}
    assert set(listing["lengths"]) == {"one-page", "two-page", "full"}
    assert "keepers-history" in listing["topics"]
    assert listing["lengths"]["one-page"]["pages"] == 1


def test_list_text(runner):
    result = run(runner, SAMPLE, "list")
    assert result.exit_code == 0
    assert "harbor-memo" in result.stdout and "Fixing the Harbor" in result.stdout


def test_list_names_packs_charts_and_facts_too(runner):
    listing = json.loads(run(runner, ROOT / "content", "list", "--json").stdout)
    assert list(listing) == ["briefs", "packs", "audiences", "lengths", "topics", "charts",
                             "facts"]
    parts = listing["packs"]["codel-seoul-tokyo"]["parts"]
    assert "trilateral-alliance/us-congress-two-page" in parts
    assert listing["charts"]["us-personnel"]["type"]
    assert listing["facts"]["usfj-personnel"] == {"value": 54000, "unit": "people",
                                                  "as_of": "2019-06"}
    text = run(runner, ROOT / "content", "list").stdout
    assert "  usfj-personnel" in text and "54000 people (as of 2019-06)" in text
    assert "packs:" in text and "charts:" in text and "facts:" in text


def test_list_aligns_every_label_however_long_the_ids(runner):
    lines = [line for line in run(runner, ROOT / "content", "list").stdout.splitlines()
             if line.startswith("  ")]
    longest = max(len(line.split()[0]) for line in lines)
    assert longest > 40  # the default content has ids longer than the old fixed column
    for line in lines:
        item_id = line.split()[0]
        assert line[2 + longest:2 + longest + 2] == "  ", line  # two spaces, then the label
        assert line[2 + len(item_id):2 + longest + 2].strip() == "", line
        assert line[2 + longest + 2] != " ", line


def test_schema_kind_accepts_every_kind_of_file(runner):
    from generator.schema import KINDS

    for kind in KINDS:
        result = runner.invoke(main, ["schema", "--kind", kind])
        assert result.exit_code == 0, (kind, result.output)
        assert json.loads(result.stdout)["description"] == KINDS[kind]["description"]


def test_check_passes_on_valid_content(runner):
    result = run(runner, SAMPLE, "check")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Content and templates are valid."


@pytest.mark.parametrize("args, kind, choice", [
    (["build", "no-such-brief"], "brief", "harbor-memo"),
    (["build", "--audience", "martians"], "audience", "staff"),
    (["build", "--length", "ten-page"], "length", "one-page"),
])
def test_unknown_names_are_usage_errors_listing_valid_choices(runner, tmp_path, args, kind, choice):
    out = tmp_path / "out"
    result = run(runner, SAMPLE, *args, "-o", str(out))
    assert result.exit_code == 2
    assert f"unknown {kind}" in result.stderr
    assert "Valid choices:" in result.stderr and choice in result.stderr
    assert not out.exists()


def test_unknown_format_is_a_usage_error(runner):
    result = run(runner, SAMPLE, "build", "--format", "odt")
    assert result.exit_code == 2
    assert "'pdf'" in result.stderr and "'html'" in result.stderr and "'docx'" in result.stderr


def test_schema_describes_every_file_kind(runner):
    result = runner.invoke(main, ["schema"])
    schema = json.loads(result.stdout)
    assert set(schema["$defs"]) == {"settings", "lengths", "audience", "topic", "brief", "pack",
                                     "sources", "facts", "chart"}
    topic = json.loads(runner.invoke(main, ["schema", "--kind", "topic"]).stdout)
    assert {"title", "headline", "summary"} <= set(topic["required"])


def test_schema_validates_the_sample_content(runner):
    import jsonschema
    import yaml

    schema = json.loads(runner.invoke(main, ["schema", "--kind", "brief"]).stdout)
    for path in (SAMPLE / "briefs").glob("*.yaml"):
        data = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # all scalars as text
        data.pop("date")
        schema_no_date = {**schema, "required": [r for r in schema["required"] if r != "date"]}
        jsonschema.validate(data, schema_no_date)


def test_content_and_templates_folders_come_from_the_environment(runner, tmp_path):
    env = {"BRIEF_CONTENT": str(SAMPLE), "BRIEF_TEMPLATES": str(ROOT / "templates")}
    result = runner.invoke(main, ["list", "--json"], env=env)
    assert result.exit_code == 0
    assert "harbor-memo" in json.loads(result.stdout)["briefs"]


@pytest.mark.parametrize("command", [["check"], ["list"], ["build", "-o"], ["pack", "p", "-o"],
                                     ["release", "--version", "1", "-o"],
                                     ["serve", "--port", "0", "-o"]])
def test_a_mistyped_content_folder_is_a_usage_error_naming_it(runner, tmp_path, command):
    output = [str(tmp_path / "o")] if command[-1] == "-o" else []
    result = run(runner, tmp_path / "contnet", *command, *output)
    assert result.exit_code == 2
    assert f"no such folder: {tmp_path / 'contnet'}" in result.stderr
    assert "--content" in result.stderr and "lengths.yaml" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_missing_templates_folder_is_reported(runner, tmp_path):
    result = run(runner, SAMPLE, "check", templates=tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "not a templates folder" in result.stderr


def test_readme_cli_reference_matches_help(runner):
    readme = (ROOT / "README.md").read_text()
    for command in [None, *COMMANDS]:
        args = [command, "--help"] if command else ["--help"]
        help_text = runner.invoke(main, args, prog_name="brief", terminal_width=100).output.strip()
        assert help_text.startswith(f"Usage: brief {command or ''}".rstrip())
        assert help_text in readme, f"README's help for {command or 'brief'} is out of date"
    assert "Usage: main" not in readme


def test_readme_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make build" in readme and "make test" in readme
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_build_logs_plain_lines_and_a_summary_when_not_a_terminal(runner, tmp_path):
    result = run(runner, SAMPLE, "build", "harbor-memo", "-a", "staff", "-o", str(tmp_path / "o"))
    assert "\x1b[" not in result.stdout  # no ANSI codes in CI logs
    lines = result.stdout.splitlines()
    assert "built  harbor-memo/staff-one-page  pdf 1p, html" in lines
    assert any(line.startswith("built") and "PDF pages" in line for line in lines)
    assert any(line.startswith("failed") for line in lines)
    assert lines[-1].startswith("time")


def test_build_explain_says_what_was_included_cut_and_how_full(runner, tmp_path):
    result = run(runner, SAMPLE, "build", "harbor-memo", "-a", "public", "-l", "one-page",
                 "--explain", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "harbor-memo/public-one-page: 1 page(s), last page " in out
    assert "% full" in out and "layout pass(es)" in out
    assert "included: harbor-overview (summary)" in out
    assert "cut: lighthouse-costs (not relevant to public)" in out


def test_check_without_the_installed_fonts_says_how_to_install_them(tmp_path):
    """A machine missing the npm packages (fonts, citeproc) gets one line saying so and
    how to mend it, exit 1, no traceback."""
    env = {**os.environ, "BRIEF_NODE_MODULES": str(tmp_path / "nowhere"),
           "BRIEF_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "generator", "--content", str(SAMPLE), "check"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "is missing or damaged" in result.stderr
    assert "scripts/setup.sh" in result.stderr


@pytest.mark.parametrize("args, code", [(["--help"], 0), (["build", "--format", "odt"], 2)])
def test_the_command_runs_exit_handlers_and_keeps_its_exit_code(args, code):
    """The console command ends the process without Python's teardown, but only after
    the exit handlers ran and the output is flushed."""
    script = ("import atexit, sys\n"
              "atexit.register(lambda: print('exit handler ran'))\n"
              f"sys.argv = ['brief', *{args!r}]\n"
              "from generator.command import run\n"
              "run()\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == code, result.stderr
    assert result.stdout.rstrip().endswith("exit handler ran")


def test_a_profiled_command_leaves_its_profile(tmp_path):
    """Under a profiler (or a tracer such as coverage) the command exits as Python does,
    so the profiler writes what it measured when the command returns."""
    import pstats

    profile = tmp_path / "check.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "generator",
                    "--help"], cwd=ROOT, check=True, capture_output=True)
    assert pstats.Stats(str(profile)).total_calls > 0
