"""scripts/setup.sh on machines it has not met: any browser already there is used, apt is
asked only for what is missing, and a machine apt cannot help is told what to do.

Each case runs the real script (copied into a folder of its own) with a PATH of fakes:
dpkg-query says which packages are installed, apt-get records what it was asked, and the
browsers are small scripts, so no test installs anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

import browser

TOOLS = ("bash", "dirname", "grep", "id", "cat", "mkdir")  # what the script needs before apt


def fake(folder: Path, name: str, script: str) -> Path:
    path = folder / name
    path.write_text(f"#!/bin/bash\n{script}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path):
    """Return a function running a copy of setup.sh on a fake machine."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", project / "scripts" / "setup.sh")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in TOOLS:
        (bin_ / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "apt.log"
    fake(bin_, "dpkg-query", 'case " $FAKE_MISSING " in *" ${@: -1} "*) exit 1 ;; esac\n'
                             'echo -n "install ok installed"')
    fake(bin_, "apt-get", f'echo "$*" >> {log}')
    fake(bin_, "apt-cache", '[ "$FAKE_APT_HAS_CHROMIUM" = yes ]')
    fake(bin_, "sudo", '"$@"')
    for name in ("node", "npm"):
        fake(bin_, name, "true")

    def run(*args, browsers=(), stubs=(), missing="", apt_has_chromium=True, env=None):
        for name in browsers:
            fake(bin_, name, "echo 'Chromium 131'")
        for name in stubs:  # on PATH, but only says how to install the real thing
            fake(bin_, name, "echo 'install it with snap' >&2; exit 1")
        environment = {"PATH": str(bin_), "FAKE_MISSING": missing, "PYTHON": "false",
                       "FAKE_APT_HAS_CHROMIUM": "yes" if apt_has_chromium else "no", **(env or {})}
        result = subprocess.run(["bash", str(project / "scripts" / "setup.sh"), *args],
                                env=environment, capture_output=True, text=True)
        result.apt = log.read_text() if log.exists() else ""
        return result

    run.bin = bin_
    return run


@pytest.mark.parametrize("name", browser.BROWSERS)
def test_any_chromium_or_chrome_on_path_is_used_and_nothing_installed(machine, name):
    result = machine("--test", "--dry-run", browsers=[name])
    assert result.returncode == 0, result.stderr
    assert f"the browser tests use {machine.bin / name}" in result.stdout
    assert "would install: nothing" in result.stdout


def test_a_browser_named_by_the_environment_is_used(machine, tmp_path):
    chrome = fake(tmp_path, "my-chrome", "echo 'Google Chrome 131'")
    result = machine("--test", "--dry-run", env={"BRIEF_CHROMIUM": str(chrome)})
    assert f"the browser tests use {chrome}" in result.stdout
    assert "would install: nothing" in result.stdout


def test_a_stub_that_cannot_run_is_not_taken_for_a_browser(machine):
    result = machine("--test", "--dry-run", stubs=["chromium-browser"], browsers=["google-chrome"])
    assert f"the browser tests use {machine.bin / 'google-chrome'}" in result.stdout


def test_without_a_browser_debian_s_chromium_is_installed_with_what_else_is_missing(machine):
    result = machine("--test", missing="qpdf fonts-noto-cjk")
    assert "installing system packages: fonts-noto-cjk qpdf chromium" in result.stdout
    install = [line for line in result.apt.splitlines() if line.startswith("install")]
    assert install and install[0].split()[-3:] == ["fonts-noto-cjk", "qpdf", "chromium"]


def test_without_a_browser_or_a_chromium_package_setup_says_what_to_do(machine):
    """Ubuntu has no chromium package (its Chromium is a snap): apt is not asked for it."""
    result = machine("--test", apt_has_chromium=False)
    assert result.returncode == 1
    assert "no Chromium or Chrome found" in result.stderr and "BRIEF_CHROMIUM" in result.stderr
    assert "install" not in result.apt.replace("update", "")


def test_building_alone_needs_no_browser(machine):
    result = machine("--dry-run")
    assert result.returncode == 0
    assert "browser" not in result.stdout and "would install: nothing" in result.stdout


def test_everything_present_means_apt_is_never_run(machine):
    result = machine("--test", browsers=["chromium"])
    assert result.apt == ""  # PYTHON=false then stops it, after the system packages
    assert "installing system packages" not in result.stdout


def test_setup_and_the_browser_tests_look_for_the_same_browsers_in_the_same_order():
    text = (ROOT / "scripts" / "setup.sh").read_text()
    names = re.search(r"^BROWSERS=\((.*)\)$", text, re.MULTILINE).group(1).split()
    assert tuple(names) == browser.BROWSERS


def test_the_browser_tests_drive_the_browser_named_by_the_environment(tmp_path, monkeypatch):
    chrome = fake(tmp_path, "chrome", "true")
    monkeypatch.setenv("BRIEF_CHROMIUM", str(chrome))
    assert browser.find_browser() == chrome
    monkeypatch.delenv("BRIEF_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "google-chrome").symlink_to(chrome)
    assert browser.find_browser() == tmp_path / "google-chrome"
    os.unlink(tmp_path / "google-chrome")
    assert browser.find_browser() is None


def test_apt_downloads_go_where_brief_apt_archives_says(machine, tmp_path):
    """CI keeps apt's downloads between runs: setup hands apt the folder it caches."""
    archives = tmp_path / "apt-archives"
    result = machine(missing="fonts-noto-cjk", env={"BRIEF_APT_ARCHIVES": str(archives)})
    install = [line for line in result.apt.splitlines() if line.startswith("install")]
    assert install and f"-o Dir::Cache::Archives={archives}" in install[0]
    assert (archives / "partial").is_dir()  # apt refuses a folder without it
