# The two commands of the README: `make build` and `make test`. Both set up first.
.PHONY: setup build test check clean bench

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
