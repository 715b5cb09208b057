#!/usr/bin/env bash
# Set up everything brief needs on a fresh Debian or Ubuntu machine (GitHub's ubuntu-24.04
# runner included): system libraries and fonts (via apt, only those missing), then a virtual
# environment in .venv with brief and its test dependencies, then citeproc-js in node_modules
# (npm ci). Safe to run again: it only installs what is missing.
#
#   scripts/setup.sh            what building briefs needs
#   scripts/setup.sh --test     that, plus what only the tests need
#   scripts/setup.sh --dry-run  say which system packages and browser it would use, and stop
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=false
dry_run=false
for argument in "$@"; do
  case "$argument" in
    --test) with_tests=true ;;
    --dry-run) dry_run=true ;;
    *) echo "setup: unknown option $argument (use --test, --dry-run)" >&2; exit 2 ;;
  esac
done

# Pango renders text for WeasyPrint; libharfbuzz-subset0 makes font subsetting fast and
# byte-stable; the fonts cover Latin, Japanese and Korean text; Node.js and npm run citeproc-js,
# which formats citations (generator/citeproc.js).
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core
                 fonts-noto-cjk
                 nodejs npm)
# Only the tests need these: qpdf, which checks the structure of every PDF built,
# LibreOffice's Writer, which opens every kind of Word file built (tests/test_docx.py),
# standing in for Word, and a Chromium or Chrome, in which tests/test_browser.py opens the
# HTML pages (Playwright drives that browser; it never downloads one of its own).
TEST_SYSTEM_PACKAGES=(qpdf libreoffice-writer-nogui)
$with_tests && SYSTEM_PACKAGES+=("${TEST_SYSTEM_PACKAGES[@]}")

# The browsers the tests accept, in the order tests/browser.py looks for them on PATH;
# $BRIEF_CHROMIUM names another. Debian's package is `chromium`; GitHub's Ubuntu runners
# ship Chromium and Chrome without a package (Ubuntu's own Chromium is a snap).
BROWSERS=(chromium chromium-browser google-chrome-stable google-chrome)

find_browser() {
  local candidate
  for candidate in ${BRIEF_CHROMIUM:+"$BRIEF_CHROMIUM"} "${BROWSERS[@]}"; do
    candidate="$(command -v "$candidate" 2>/dev/null)" || continue
    # A name on PATH may be a stub that only says how to install the real browser.
    "$candidate" --version >/dev/null 2>&1 && { echo "$candidate"; return 0; }
  done
  return 1
}

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
browser=""
if $with_tests; then
  if browser="$(find_browser)"; then
    echo "setup: the browser tests use $browser"
  else
    missing+=(chromium)
  fi
fi
if $dry_run; then
  echo "setup: would install: ${missing[*]:-nothing}"
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  if [[ " ${missing[*]} " == *" chromium "* ]] && ! apt-cache show chromium >/dev/null 2>&1; then
    echo "setup: no Chromium or Chrome found (looked for ${BROWSERS[*]}), and apt has no" \
         "chromium package here: install Chrome or Chromium, or set BRIEF_CHROMIUM to one" >&2
    exit 1
  fi
  # BRIEF_APT_ARCHIVES names a folder for apt's downloaded packages, so CI can keep them
  # between runs (actions/cache) instead of fetching them again.
  apt_options=()
  if [ -n "${BRIEF_APT_ARCHIVES:-}" ]; then
    mkdir -p "$BRIEF_APT_ARCHIVES/partial"
    apt_options=(-o "Dir::Cache::Archives=$BRIEF_APT_ARCHIVES")
  fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${apt_options[@]}" "${missing[@]}" >/dev/null
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
