"""Run the brief command line: ``python -m generator``."""

from generator.cli import main

main(prog_name="brief")
