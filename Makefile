# The two commands of the README: `make build` and `make test`. Both set up first.
.PHONY: setup build test check clean bench fuzz gallery

setup:
	@scripts/setup.sh

build: setup
	.venv/bin/brief build

test:
	@scripts/setup.sh --test
	.venv/bin/python -m pytest

check: setup
	.venv/bin/brief check

# The cache folder is generator/cache.py's cache_root (per user; $BRIEF_CACHE_DIR if set);
# .brief-cache is where older versions kept it, beside the content.
clean:
	rm -rf output .brief-cache
	@[ -x .venv/bin/python ] && .venv/bin/python -c "import shutil; from generator.cache import cache_root; \
	  root = cache_root(); root and shutil.rmtree(root, ignore_errors=True)" || true

# The benchmark suite (bench/run.py; BENCH_REPEAT=N for N repeats, default 3) writes
# bench/RESULTS.md. pandoc, for the peer figure, is installed with apt if missing.
bench: setup
	@command -v pandoc >/dev/null || { \
	  echo "bench: installing pandoc (for the peer figure)"; \
	  sudo_cmd=""; [ "$$(id -u)" -ne 0 ] && sudo_cmd="sudo"; \
	  { $$sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$sudo_cmd apt-get install -y -qq --no-install-recommends pandoc >/dev/null; } \
	  || echo "bench: pandoc could not be installed; RESULTS.md will say so"; }
	.venv/bin/python bench/run.py

fuzz: setup
	.venv/bin/pip install --quiet atheris
	.venv/bin/python bench/fuzz_load.py -max_total_time=$${FUZZ_SECONDS:-60}

# docs/gallery/: first pages of the default briefs as PNG (pypdfium2 renders them).
gallery: setup
	.venv/bin/pip install --quiet -e ".[docs]"
	.venv/bin/python scripts/gallery.py
