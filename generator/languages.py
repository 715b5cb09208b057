"""Mark Japanese and Korean text with its language, so each gets its own face and voice.

Han characters are shared by Japanese, Korean and Chinese but drawn differently in each;
the font is chosen by the ``lang`` of the text (CSS ``:lang(ja)``/``:lang(ko)``), and screen
readers pronounce by it too. Authors write CJK straight into prose and titles; the finished
HTML's text is scanned, and every run of CJK characters whose language differs from the
surrounding element's is wrapped in ``<span lang="..">``. The rule, per run:

- a word with Hangul is Korean (``ko``); a word with kana is Japanese (``ja``);
- a word of Han characters only takes the language of the word before it in the run
  ("대한민국 大韓民國" is Korean throughout), else the surrounding language when that is
  Chinese, Japanese or Korean, else that of the word after it, else Japanese (in this
  content base, Han-only names are Japanese far more often than Korean Hanja); mark the
  exception in Markdown with ``[大韓民國]{lang=ko}``.

A run may hold spaces and digits between CJK characters ("日本国憲法 第9条" is one run).
Its words are split at spaces and where Hangul meets other CJK ("東京と서울" is two);
words of one language next to each other share one span.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\U0001b000-\U0001b16f"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3005\u3007"
CJK_MARKS = "\u3000-\u303f\u3200-\u33ff\uff01-\uff60"  # CJK punctuation, fullwidth forms
CJK = HANGUL + KANA + HAN + CJK_MARKS
RUN = re.compile(f"[{CJK}](?:[{CJK}0-9\\s]*[{CJK}])?")
ANY = re.compile(f"[{HANGUL}{KANA}{HAN}]")
IS_HANGUL = re.compile(f"[{HANGUL}]")
IS_KANA = re.compile(f"[{KANA}]")
# Words: split at spaces and where Hangul meets other CJK ("東京と서울" is two words).
WORD = re.compile(f"\\s+|[{HANGUL}]+|[^{HANGUL}\\s]+")
DEFAULT_HAN = "ja"
CJK_LANGUAGES = ("ja", "ko", "zh")
# Text here is not prose a span can sit in.
SKIP = {"head", "title", "style", "script", "textarea", "option", "svg", "math"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def languages_of(words: list[str], surrounding: str) -> list[str]:
    """Return the language of each word of a CJK run (see the module's rule)."""
    found = ["ko" if IS_HANGUL.search(w) else "ja" if IS_KANA.search(w) else "" for w in words]
    around = surrounding.lower().split("-")[0]
    around = around if around in CJK_LANGUAGES else ""
    previous = ""
    for index, language in enumerate(found):
        if not language:  # Han only: the word before, the text around, the word after
            after = next((lang for lang in found[index + 1:] if lang), "")
            found[index] = previous or around or after or DEFAULT_HAN
        previous = found[index]
    return found


def mark_languages(html: str) -> str:
    """Return the HTML with every CJK run wrapped in a span of its language."""
    if not ANY.search(html):
        return html  # the common case costs one scan
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    pieces, position = [], 0
    for start, text, surrounding in scanner.texts:
        marked = RUN.sub(lambda run: _span(run.group(0), surrounding), text)
        if marked != text:
            pieces += [html[position:start], marked]
            position = start + len(text)
    return "".join(pieces) + html[position:]


def _span(run: str, surrounding: str) -> str:
    """Return a run with each stretch of one language wrapped, unless it is the
    surrounding language already."""
    parts = WORD.findall(run)
    words = [part for part in parts if not part.isspace()]
    languages = iter(languages_of(words, surrounding))
    tagged = [(part, "" if part.isspace() else next(languages)) for part in parts]
    around = surrounding.lower().split("-")[0]
    pieces: list[str] = []
    current, stretch, gap = None, "", ""
    for part, language in tagged + [("", "end")]:
        if not language:
            gap += part
            continue
        if language != current:
            if stretch:
                pieces.append(stretch if current == around
                              else f'<span lang="{current}">{stretch}</span>')
            pieces.append(gap)
            current, stretch = language, part
        else:
            stretch += gap + part
        gap = ""
    return "".join(pieces)


class _Scanner(HTMLParser):
    """Collect (offset, text, language of the element around it) for every text node."""

    def __init__(self):
        super().__init__(convert_charrefs=False)  # entities stay as written, offsets exact
        self.stack: list[tuple[str, str, bool]] = [("", "", False)]  # tag, lang, skipped
        self.texts: list[tuple[int, str, str]] = []
        self.line_starts = [0]

    def feed(self, data: str) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", data)]
        super().feed(data)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        _, language, skipped = self.stack[-1]
        language = dict(attrs).get("lang") or language
        self.stack.append((tag, language, skipped or tag in SKIP))

    def handle_startendtag(self, tag, attrs):
        pass  # <x/> holds no text

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        _, language, skipped = self.stack[-1]
        if not skipped and ANY.search(data):
            line, column = self.getpos()
            self.texts.append((self.line_starts[line - 1] + column, data, language))
