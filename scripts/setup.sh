#!/usr/bin/env bash
# Set up everything brief needs on a fresh Debian/Ubuntu machine: system libraries and
# fonts (via apt, only those missing), then a virtual environment in .venv with brief
# and its test dependencies, then citeproc-js in node_modules (npm ci). Safe to run again:
# it only installs what is missing.
#
#   scripts/setup.sh          what building briefs needs
#   scripts/setup.sh --test   that, plus what only the tests need
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=false
[ "${1:-}" = "--test" ] && with_tests=true

# Pango renders text for WeasyPrint; libharfbuzz-subset0 makes font subsetting fast and
# byte-stable; the fonts cover Latin, Japanese and Korean text; Node.js and npm run citeproc-js,
# which formats citations (generator/citeproc.js).
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core
                 fonts-noto-cjk
                 nodejs npm)
# Only the tests need these: Chromium, in which tests/test_browser.py opens the HTML pages
# (Playwright drives this system browser; it never downloads one of its own), and qpdf,
# which checks the structure of every PDF built.
TEST_SYSTEM_PACKAGES=(chromium qpdf)
$with_tests && SYSTEM_PACKAGES+=("${TEST_SYSTEM_PACKAGES[@]}")

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
  # Any node and npm will do: NodeSource's nodejs bundles npm and conflicts with Debian's.
  case "$package" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.brief-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing brief and its dependencies into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  touch "$stamp"
fi

# citeproc-js, the fonts (@fontsource) and axe-core (for the browser tests), exactly as
# package-lock.json pins them, into node_modules.
node_stamp=node_modules/.brief-installed
if [ ! -d node_modules ] || [ ! -f "$node_stamp" ] || [ package-lock.json -nt "$node_stamp" ]; then
  echo "setup: installing citeproc-js, fonts and axe-core into node_modules"
  npm ci --no-audit --no-fund --silent
  touch "$node_stamp"
fi

# The PDF's fonts: each face's WOFF subsets merged once into a TrueType file, kept in
# the cache folder's fonts/ (generator/fontcache.py), so no build or check pays it later.
.venv/bin/python -c "from generator import fonts; fonts.print_files()"
