"""Citations formatted by a CSL processor: citeproc-js, run by node as a long-lived worker.

The content keeps its sources as `Source` records; `to_csl` turns one into a CSL-JSON item
and `from_csl` reads an item exported by Zotero or Mendeley back into a `Source`. A
`Processor` formats the notes of one document (one cluster of cites per footnote, in document
order, so that citeproc itself chooses the full first note, the short later ones, and ibid.
where the style uses it) and its bibliography, with the CSL style and locale files under
templates/csl/.

The node side is generator/citeproc.js, started on first use in each process (the build forks
its workers, so each worker starts its own) and kept until the process exits. The citeproc
module comes from the project's node_modules, which scripts/setup.sh installs with `npm ci`.
"""

from __future__ import annotations

import atexit
import collections
import functools
import hashlib
import json
import os
import re
import selectors
import shutil
import subprocess
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError
from generator.models import Name, Origin, Source

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "citeproc.js"
NODE_MODULES = PROJECT_ROOT / "node_modules"
STYLE_FILE = Path("csl/chicago-note-bibliography.csl")  # inside the templates folder
LOCALE_FILE = Path("csl/locales-en-US.xml")

SETUP_HINT = "run scripts/setup.sh (or `npm ci` in the project folder)"
NODE_HINT = ("install Node.js (on Debian or Ubuntu: apt-get install nodejs npm), "
             "or run scripts/setup.sh")

# Periodicals whose name drops an initial "The" in notes and bibliographies (CMOS 14.172,
# 14.191: "Washington Post", not "The Washington Post").
PERIODICALS = {"article-journal", "article-magazine", "article-newspaper"}


@dataclass(frozen=True)
class Formatted:
    """One document's notes (one per cluster, in order) and bibliography entries, as HTML."""

    notes: list[str]
    bibliography: list[str]


# --- Source <-> CSL-JSON -------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_ARTICLE = re.compile(r"^(?:A|An|The)\s+(?=\S)")
# A hyphenated compound's later element written in lower case ("Co-operation", "Anti-war").
_RICH_TEXT = re.compile(r'</?(?:i|b|sup|sub)>|<span (?:class="nocase"|style="font-variant:\s*'
                        r'small-caps;?")>|</span>')
_LOWER_AFTER_HYPHEN = re.compile(r"(?<=\w-)([a-z][\w'’]*)")


def to_csl(source: Source) -> dict:
    """Return the CSL-JSON item for a source.

    `note` is not passed on: the style never prints it, and citeproc-js would read any
    "variable: value" line in it as a field. Besides mapping the fields, this makes the
    adjustments that Chicago needs and that our data leaves implicit:
    - titles are written in the case they should print, so the lower-case element of a
      hyphenated compound ("Co-operation", CMOS 8.161) is protected from citeproc's title
      casing (which would print "Co-Operation"); `title-short`, used by short notes, is the
      main title without its subtitle or an initial article (CMOS 14.33);
    - a periodical's name drops an initial "The" (CMOS 14.172, 14.191);
    - a publisher that is also the container (a website run by its publisher) is left out,
      so that it is not named twice.
    """
    item: dict = {"id": source.id, "type": source.type or "document"}
    if source.title:
        item["title"] = _protect_case(source.title)
        short = _short_title(source.title)
        if short != source.title:
            item["title-short"] = _protect_case(short)
    if source.authors:
        item["author"] = [_csl_name(name) for name in source.authors]
    if source.editors:
        item["editor"] = [_csl_name(name) for name in source.editors]
    container = source.container.strip()
    if source.type in PERIODICALS:
        container = re.sub(r"^The\s+(?=\S)", "", container)
    publisher = source.publisher.strip()
    if publisher == source.container.strip():
        publisher = ""  # a site that is its own publisher is named once (CMOS 14.206)
    fields = {
        "container-title": container,
        "publisher": publisher,
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "number": source.number,
        "genre": source.genre,
        "URL": source.url,
        "DOI": source.doi,
    }
    item.update({key: str(value).strip() for key, value in fields.items() if str(value).strip()})
    for key, value in (("issued", source.date), ("accessed", source.accessed)):
        if str(value).strip():
            item[key] = _csl_date(str(value).strip())
    return item


def from_csl(item: dict, origin: Origin) -> Source:
    """Return the source for a CSL-JSON item (as Zotero or Mendeley export them).

    Names keep their particles and suffix the way citeproc reads them back ("van Gogh";
    "Martin Luther, Jr."). Titles lose CSL's rich-text tags (<i>, <b>, <sup>, <sub>,
    <span class="nocase">, small caps), since a Source holds plain text. Dates become
    "YYYY", "YYYY-MM" or "YYYY-MM-DD" (the first date of a range; a `raw` or `literal` date
    is read when it starts with an ISO date, else its year is kept). Fields a Source has no
    place for are ignored, and so is `note`, which Zotero fills with its "Extra" field.
    """
    def text(key: str) -> str:
        value = item.get(key)
        if value is None or isinstance(value, (dict, list)):
            return ""
        return str(value).strip()

    return Source(
        id=text("id"),
        type=text("type") or "document",
        title=_plain(text("title")),
        origin=origin,
        authors=[_name(n) for n in item.get("author") or [] if isinstance(n, dict)],
        editors=[_name(n) for n in item.get("editor") or [] if isinstance(n, dict)],
        publisher=text("publisher"),
        container=_plain(text("container-title")),
        volume=text("volume"),
        issue=text("issue"),
        pages=text("page"),
        number=text("number"),
        genre=text("genre"),
        date=_date_text(item.get("issued")),
        accessed=_date_text(item.get("accessed")),
        url=text("URL") or text("url"),
        doi=text("DOI") or text("doi"),
    )


# The item types of CSL 1.0.2 (what Zotero and Mendeley export); any other is a typo or
# another tool's format, and citeproc would format it as a bare document.
CSL_TYPES = frozenset("""
    article article-journal article-magazine article-newspaper bill book broadcast chapter
    classic collection dataset document entry entry-dictionary entry-encyclopedia event figure
    graphic hearing interview legal_case legislation manuscript map motion_picture
    musical_score pamphlet paper-conference patent performance periodical
    personal_communication post post-weblog regulation report review review-book software
    song speech standard thesis treaty webpage""".split())
_CSL_TEXT = ("title", "publisher", "container-title", "volume", "issue", "page", "number",
             "URL", "url", "DOI", "doi")
_CSL_NAME_PARTS = ("family", "given", "literal", "suffix", "non-dropping-particle",
                   "dropping-particle")


def csl_problems(item: dict) -> list[tuple[str, str]]:
    """Return (problem, hint) for each field of a CSL-JSON item that from_csl cannot read
    as CSL means it: an id that is not text, a type CSL does not define, names that are
    not a list of names, text fields that are not text, dates that are not dates."""
    import difflib

    found = []
    if not isinstance(item.get("id"), (str, int)) or isinstance(item.get("id"), bool) \
            or not str(item.get("id")).strip():
        found.append((f"the item's id {item.get('id')!r} is not text",
                      'give it an id such as "smith-2019"'))
    kind = item.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in CSL_TYPES):
        close = difflib.get_close_matches(str(kind), sorted(CSL_TYPES), n=1)
        found.append((f"unknown CSL type {kind!r}",
                      f"did you mean '{close[0]}'?" if close else "use a CSL 1.0.2 item type"))
    for key in ("author", "editor"):
        names = item.get(key)
        if names is not None and not (isinstance(names, list) and all(
                isinstance(n, dict) and all(isinstance(n.get(p, ""), (str, int))
                                            for p in _CSL_NAME_PARTS) for n in names)):
            found.append((f"{key} {_short(names)} is not a list of names",
                          'write it as [{"family": "...", "given": "..."}]'))
    for key in _CSL_TEXT:
        if isinstance(item.get(key), (dict, list)):
            found.append((f"{key} {_short(item[key])} is not text", ""))
    for key in ("issued", "accessed"):
        if item.get(key) is not None and not isinstance(item[key], (dict, str, int)):
            found.append((f"{key} {_short(item[key])} is not a date",
                          'write it as {"date-parts": [[2019, 6, 13]]}'))
    return found


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _plain(text: str) -> str:
    return _RICH_TEXT.sub("", text)


def _csl_name(name: Name) -> dict:
    if name.literal:
        return {"literal": name.family}
    if not name.given:
        return {"family": name.family}
    csl = {"family": name.family, "given": name.given}
    if name.family_first:
        csl["static-ordering"] = True  # CSL: print family then given, in every position
    return csl


def _name(value: dict) -> Name:
    def part(key: str) -> str:
        return str(value.get(key) or "").strip()

    if part("literal") and not part("family"):
        return Name(family=part("literal"), literal=True)
    family = " ".join(p for p in (part("non-dropping-particle"), part("family")) if p)
    given = " ".join(p for p in (part("given"), part("dropping-particle")) if p)
    if part("suffix"):
        given = f"{given}, {part('suffix')}" if given else given
    return Name(family=family, given=given, family_first=bool(value.get("static-ordering")))


def _csl_date(text: str) -> dict:
    match = _DATE.match(text)
    if not match:
        return {"literal": text}
    return {"date-parts": [[int(part) for part in match.groups() if part]]}


def _date_text(value) -> str:
    if not isinstance(value, dict):
        return _raw_date(str(value)) if isinstance(value, (str, int)) else ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(str(p).strip()) for p in parts[0][:3]]
        except ValueError:
            numbers = []
        if numbers and 0 < numbers[0] < 10000:
            return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
    for key in ("raw", "literal"):
        if value.get(key):
            return _raw_date(str(value[key]))
    return ""


def _raw_date(text: str) -> str:
    text = text.strip()
    match = _DATE.match(text)
    if match:
        return "-".join([match[1], *(f"{int(p):02d}" for p in match.groups()[1:] if p)])
    year = re.search(r"\b(\d{4})\b", text)
    return year[1] if year else ""


def _short_title(title: str) -> str:
    main = re.split(r":\s+", title.strip(), maxsplit=1)[0]
    return _ARTICLE.sub("", main) or main


def _protect_case(title: str) -> str:
    return _LOWER_AFTER_HYPHEN.sub(r'<span class="nocase">\1</span>', title)


# --- Locators ------------------------------------------------------------------------------

LOCATOR_LABELS = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page",
    "art.": "article-locator", "arts.": "article-locator", "article": "article-locator",
    "chap.": "chapter", "chaps.": "chapter", "ch.": "chapter", "chapter": "chapter",
    "sec.": "section", "secs.": "section", "section": "section", "§": "section", "§§": "section",
    "para.": "paragraph", "paras.": "paragraph", "¶": "paragraph", "¶¶": "paragraph",
    "vol.": "volume", "vols.": "volume",
    "no.": "issue", "nos.": "issue",
    "fig.": "figure", "figs.": "figure",
}
# Written plurals: citeproc counts a locator as plural only from its Arabic numerals.
_PLURAL_LABELS = {"arts.", "chaps.", "secs.", "§§", "paras.", "¶¶", "vols.", "nos.", "figs."}
# A label, then the locator: after "p." or "§" a space is optional, after a word it is not.
_LOCATOR = re.compile(
    "^(" + "|".join(re.escape(label) for label in sorted(LOCATOR_LABELS, key=len, reverse=True))
    + r")(?:(?<=[.§¶])\s*|\s+)(\S.*)$", re.IGNORECASE)


_RANGE_DASH = re.compile(r"(?<=\w)-(?=\w)")
EN_DASH = "\u2013"


def split_locator(text: str) -> tuple[str, str]:
    """Split a cite's locator ("p. 12", "art. 5", "12-14") into a CSL label and locator.

    A leading label ("p.", "pp.", "art.", "chap.", "sec.", "para.", "vol.", "no.", "fig.",
    their plurals and "§", "¶") gives the CSL label (page, article-locator, chapter,
    section, paragraph, volume, issue, figure) and is removed: the style prints its own term
    ("art. 3", "chap. 2", "§ 4" in legal notes), and Chicago prints page numbers bare
    ("Chanlett-Avery, 12"). Anything else, bare numbers or not ("12", "84-91", "xiv",
    "preamble"), is a page locator printed as written (ranges get an en dash), which is
    what Chicago wants for pages and for locators that have no CSL label of their own:
    any other label would add a term in front of the text.

    An article is `article-locator` (CSL 1.0.2, the locale's "art."); the older `article`
    label is the locale's term for a preprint and would print "preprint 3".

    A plural label before numbers without Arabic digits ("arts. III-IV", "secs. A and B")
    is kept as written, ranges given an en dash: citeproc would print the singular term.
    """
    text = text.strip()
    match = _LOCATOR.match(text)
    if match:
        label = LOCATOR_LABELS.get(match[1].casefold())
        if match[1].casefold() in _PLURAL_LABELS and not re.search(r"[0-9]", match[2]):
            return "page", f"{match[1]} {_RANGE_DASH.sub(EN_DASH, match[2].strip())}"
        if label:
            return label, match[2].strip()
    return "page", text


def cite(source_id: str, locator: str = "") -> dict:
    """Return one cite of a cluster, from a source id and our locator text."""
    if not locator.strip():
        return {"id": source_id}
    label, value = split_locator(locator)
    return {"id": source_id, "locator": value, "label": label}


# --- The processor -------------------------------------------------------------------------

class Processor:
    """A citeproc-js worker, started on first use in each process and kept until exit.

    node is the Node.js executable (default: $BRIEF_NODE, else `node` or `nodejs` on the
    PATH); node_modules the folder holding citeproc (default: $BRIEF_NODE_MODULES, else the
    project's node_modules, which scripts/setup.sh fills); timeout the seconds one request
    may take. Safe to share between threads (requests take turns) and across fork: a forked
    child drops its copy of the parent's pipes and starts its own worker when it needs one.
    """

    def __init__(self, node: str | None = None, node_modules: Path | None = None,
                 script: Path | None = None, timeout: float = 120.0):
        self.node = node
        self.node_modules = Path(node_modules or os.environ.get("BRIEF_NODE_MODULES")
                                 or NODE_MODULES)
        self.script = Path(script) if script else SCRIPT
        self.timeout = timeout
        self._proc: subprocess.Popen | None = None
        self._reset()
        _processors.add(self)

    def format(self, items: list[dict], clusters: list[list[dict]], style: Path, locale: Path,
               bibliography: bool = False, output: str = "html") -> Formatted:
        """Format the notes (one per cluster, in document order) and, if asked, the
        bibliography of every item (sorted by the style), as HTML (or "text", "rtf")."""
        for path, what in ((style, "CSL style"), (locale, "CSL locale")):
            if not Path(path).is_file():
                raise BuildError(f"the {what} file {path} is missing")
        request = {
            "style": str(Path(style).resolve()),
            "locale": str(Path(locale).resolve()),
            "items": items,
            "clusters": clusters,
            "bibliography": bool(bibliography),
            "format": output,
        }
        line = json.dumps(request, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            response = self._exchange(line)
        if "error" in response:
            raise BuildError(f"citeproc could not format the citations: {response['error']}")
        if "fatal" in response:
            self.close()
            raise BuildError(f"{response['fatal']}: {SETUP_HINT}")
        return Formatted(list(response.get("notes", [])), list(response.get("bibliography", [])))

    @functools.cached_property
    def engine(self) -> str:
        """What identifies the formatter's answers besides the request: the citeproc version
        installed and this worker script (read once, without starting node)."""
        try:
            package = json.loads((self.node_modules / "citeproc" / "package.json").read_text())
            version = package.get("version", "?")
        except (OSError, ValueError):
            version = "missing"
        digest = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:16]
        return f"citeproc {version}, worker {digest}"

    def warm(self, style: Path, locale: Path) -> None:
        """Start the worker and have it build its engine for style and locale (a second or
        more for Chicago) without waiting: the next format call collects the answer."""
        request = {"style": str(Path(style).resolve()), "locale": str(Path(locale).resolve()),
                   "items": [], "clusters": [], "bibliography": False}
        with self._lock:
            try:
                proc = self._running()
                self._write(proc, json.dumps(request).encode() + b"\n")
            except BuildError:
                return  # the next format call says what is wrong
            except OSError:
                self._stop()
                return
            self._pending += 1

    def close(self) -> None:
        """Stop this process's worker, if it started one."""
        with self._lock:
            self._stop()

    # The worker's lifetime ------------------------------------------------------------------

    def _reset(self) -> None:
        """Fresh state, without a worker (also in a forked child: the lock may have been held
        by another thread of the parent, and the pipes belong to the parent's worker)."""
        self._lock = threading.Lock()
        self._proc = None
        self._pid = os.getpid()
        self._buffer = bytearray()
        self._pending = 0  # answers still to read and drop (from warm)
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)

    def _after_fork(self) -> None:
        proc = self._proc
        if proc is not None:
            # Unbuffered pipes (bufsize=0) have no lock that a parent's thread could hold.
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
            proc.returncode = 0  # not ours to wait for
        self._reset()

    def _exchange(self, line: bytes) -> dict:
        proc = self._running()
        try:
            self._write(proc, line)
            while self._pending:  # answers to warm(), not wanted
                if self._read_line(proc) is None:
                    break
                self._pending -= 1
            answer = self._read_line(proc)
            detail = ""
        except TimeoutError:
            self._stop()
            raise BuildError(f"the citeproc worker (node) gave no answer within "
                             f"{self.timeout:g} s") from None
        except OSError as error:
            answer, detail = None, str(error)
        if answer is None:
            self._stop()
            raise BuildError(f"the citeproc worker (node) stopped unexpectedly{self._why(detail)}")
        try:
            response = json.loads(answer)
        except ValueError:
            response = None
        if not isinstance(response, dict):
            self._stop()
            raise BuildError("the citeproc worker (node) answered something unexpected: "
                             f"{answer[:200]!r}")
        return response

    def _running(self) -> subprocess.Popen:
        if self._pid != os.getpid():  # forked without the at-fork hook (should not happen)
            self._after_fork()
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._stop()
        node = self._node()
        if not (self.node_modules / "citeproc" / "package.json").is_file():
            raise BuildError(f"the citeproc module is missing ({self.node_modules / 'citeproc'} "
                             f"not found): {SETUP_HINT}")
        if not self.script.is_file():
            raise BuildError(f"the citeproc worker script {self.script} is missing")
        env = dict(os.environ)
        env["NODE_PATH"] = os.pathsep.join(
            p for p in (str(self.node_modules), env.get("NODE_PATH", "")) if p)
        env.pop("NODE_OPTIONS", None)  # no preloaded code, no inspector
        try:
            self._proc = subprocess.Popen(
                [node, str(self.script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, bufsize=0, env=env, cwd=str(self.node_modules.parent))
        except OSError as error:
            raise BuildError(f"could not start Node.js ({node}): {error.strerror or error}: "
                             f"{NODE_HINT}") from None
        self._buffer = bytearray()
        self._pending = 0
        self._stderr = collections.deque(maxlen=40)
        threading.Thread(target=self._drain, args=(self._proc.stderr, self._stderr),
                         daemon=True).start()
        _register_exit()
        return self._proc

    def _node(self) -> str:
        name = self.node or os.environ.get("BRIEF_NODE") or "node"
        found = shutil.which(name)
        if not found and self.node is None and name == "node":
            found = shutil.which("nodejs")
        if not found:
            raise BuildError(f"Node.js is needed to format citations, but '{name}' was not "
                             f"found: {NODE_HINT}")
        return found

    @staticmethod
    def _write(proc: subprocess.Popen, data: bytes) -> None:
        fd = proc.stdin.fileno()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def _read_line(self, proc: subprocess.Popen) -> str | None:
        """Read one line from the worker's stdout; None when it ended, TimeoutError when
        it takes longer than the timeout."""
        deadline = time.monotonic() + self.timeout
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None
                self._buffer += chunk
        end = self._buffer.index(b"\n")
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        return line.decode("utf-8", errors="replace")

    @staticmethod
    def _drain(stream, lines: collections.deque) -> None:
        """Keep the last lines the worker writes to stderr (for error messages); the thread
        owns the stream and closes it at its end."""
        pending = b""
        with stream:
            while chunk := stream.read(1 << 14):
                *complete, pending = (pending + chunk).split(b"\n")
                lines.extend(line.decode("utf-8", errors="replace").rstrip()
                             for line in complete)

    def _why(self, detail: str) -> str:
        lines = [line for line in self._stderr if line.strip()]
        if detail:
            lines.insert(0, detail)
        return (": " + " | ".join(lines[-5:])) if lines else ""

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # the worker exits at the end of its input
        except OSError:
            pass
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # stderr is closed by its drain thread, at its end of file


_processors: weakref.WeakSet[Processor] = weakref.WeakSet()
_exit_registered_in: int | None = None
_default: Processor | None = None


def _after_fork_in_child() -> None:
    for proc in list(_processors):
        proc._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _register_exit() -> None:
    global _exit_registered_in
    if _exit_registered_in != os.getpid():
        atexit.register(_close_all, os.getpid())
        _exit_registered_in = os.getpid()


def _close_all(pid: int) -> None:
    if pid != os.getpid():
        return  # registered by the parent before a fork: its workers are not ours
    for proc in list(_processors):
        try:
            proc.close()
        except Exception:  # noqa: BLE001  (exit must not fail)
            pass


def processor() -> Processor:
    """Return the shared processor of this process (its node worker starts on first use)."""
    global _default
    if _default is None:
        _default = Processor()
    return _default
