"""Write the hashed 8-word runs of source documents, for the originality test.

The default content is drawn from two source documents but must be written in our own
words. The test compares every 8-word run of the content against these hashes; only the
hashes are kept, so the project carries no text of the sources.

    python scripts/seed-shingles.py SEED.txt ... > tests/fixtures/seed-shingles.txt
"""

from __future__ import annotations

import hashlib
import re
import sys

RUN = 8


def words(text: str) -> list[str]:
    """Return the text's words, lower-cased, with punctuation and quote marks dropped."""
    text = text.replace("’", "'").replace("–", " ").replace("—", " ")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def shingles(text: str) -> set[str]:
    """Return the short hashes of every run of eight consecutive words."""
    w = words(text)
    runs = (" ".join(w[i:i + RUN]) for i in range(len(w) - RUN + 1))
    return {hashlib.sha256(run.encode()).hexdigest()[:16] for run in runs}


if __name__ == "__main__":
    found: set[str] = set()
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as stream:
            found |= shingles(stream.read())
    sys.stdout.write("\n".join(sorted(found)) + "\n")
