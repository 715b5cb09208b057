"""Ids: the one rule every name of a brief, topic, audience, length, source, fact, chart or
pack follows, whether it comes from a file name or a field.

Ids become file and folder names in the output folder, anchors in HTML and keys in the
manifest, so they are kept to what is safe in all of them: ASCII lower-case letters and
digits, in words joined by single hyphens, at most MAX_LENGTH characters. No dot, slash,
space, look-alike letter or over-long name can reach a path.
"""

from __future__ import annotations

import re

# As JSON Schema writes it (editors read it); is_id() applies it to the whole text, since
# Python's `$` would also match before a final newline.
PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_LENGTH = 64
RULE = f"at most {MAX_LENGTH} lower-case ASCII letters and digits, in words joined by " \
       "single hyphens, e.g. harbor-memo"

# A CSL-JSON export keeps the ids its reference manager gave (Zotero's are URLs): they are
# citation keys, never file names, so they follow the citation syntax (an ASCII letter or
# digit, then letters, digits and :.#$%&+?<>~/_-), bounded too.
CITATION_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.#$%&+?<>~/-]*")
MAX_CITATION_KEY = 256

_ID = re.compile(PATTERN[1:-1])


def is_id(text: object) -> bool:
    """Return whether text is a valid id."""
    return isinstance(text, str) and len(text) <= MAX_LENGTH and bool(_ID.fullmatch(text))


def is_citation_key(text: object) -> bool:
    """Return whether text is a valid id of a CSL-JSON item."""
    return (isinstance(text, str) and len(text) <= MAX_CITATION_KEY
            and bool(CITATION_KEY.fullmatch(text)))
