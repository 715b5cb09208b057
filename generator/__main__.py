"""Run the brief command line: ``python -m generator``."""

from generator.command import run

run()
