# The two commands of the README: `make build` and `make test`. Both set up first.
.PHONY: setup build test check clean bench fuzz

setup:
	@scripts/setup.sh

build: setup
	.venv/bin/brief build

test: setup
	.venv/bin/python -m pytest

check: setup
	.venv/bin/brief check

clean:
	rm -rf output

bench: setup
	.venv/bin/python bench/run.py

fuzz: setup
	.venv/bin/pip install --quiet atheris
	.venv/bin/python bench/fuzz_load.py -max_total_time=$${FUZZ_SECONDS:-60}
