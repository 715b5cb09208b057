"""brief: tailored PDF and HTML briefing documents from one body of knowledge."""

__version__ = "0.1.0"
