"""The versions of the tools that shape an output's bytes, read without importing them.

A new WeasyPrint lays pages out differently, a new fontTools subsets fonts differently, a new
citeproc-js formats notes differently: each is an input of every output, so an upgrade
rebuilds them. The versions are read from the installed packages' metadata folder names
(``weasyprint-70.0.dist-info``) and from node_modules' package.json files, never by importing
the tools: a rebuild with nothing to do must not pay for WeasyPrint's or matplotlib's import.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import lru_cache

# The Python distributions whose code runs while an output is made (PEP 503 names).
PYTHON = ("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2", "tinyhtml5", "pillow",
          "brotli", "zopfli", "matplotlib", "jinja2", "markupsafe", "markdown-it-py",
          "mdit-py-plugins", "babel", "pyyaml", "nh3", "python-docx",
          "pypandoc-binary")  # the pandoc it ships writes the Word files
NODE = ("citeproc",)  # node_modules/<name>/package.json


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Return {"tools/<name>": version} of every tool that shapes an output ("missing" for
    a tool not installed: installing it later rebuilds)."""
    found = _installed_distributions()
    named = {f"tools/python/{name}": found.get(name, "missing") for name in PYTHON}
    named |= {f"tools/node/{name}": _node_version(name) for name in NODE}
    named["tools/python"] = ".".join(map(str, sys.version_info[:3]))
    return named


def _installed_distributions() -> dict[str, str]:
    """Return {normalized name: version} from the dist-info folders on sys.path; the first
    found wins, as for imports."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                project, version = name[: -len(".dist-info")].split("-", 1)
                found.setdefault(_normalized(project), version)
    return found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _node_version(name: str) -> str:
    from generator.fonts import node_modules

    try:
        return str(json.loads((node_modules() / name / "package.json").read_text("utf-8"))
                   ["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return "missing"
