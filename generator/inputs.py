"""What each output is made of: the hash of every input, so unchanged outputs are skipped.

An output's inputs are what it uses, and no more: its brief and audience, the settings,
the length it is built for (each length hashed on its own), the topics its brief declares
(a cut topic still shaped the cut), the charts and images their prose places, the sources
and facts they cite (each hashed on its own), the templates of its document type with the
shared base, partials, stylesheets and citation styles, the generator's own code, the
versions of the tools that typeset it, and the bytes of the font files it was typeset with
(fontinputs.py: for a PDF, those it embeds, known once it is written). Changing one topic,
fact, source or length therefore rebuilds only the outputs that use it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator import fontinputs, fonts, tools
from generator.cache import code_digest
from generator.models import Content
from generator.variants import DEFAULT, weasyprint_variant

PACK_ONLY = ("pack.html", "css/pack.css")  # templates only a pack uses


class InputHasher:
    """Hash input files once per build and describe the inputs of each output."""

    def __init__(self, content: Content, templates: Path):
        self.content = content
        self.templates = templates
        self.digests: dict[Path, str] = dict(content.digests)  # content files: read once
        self.template_files = {p.relative_to(templates).as_posix(): p
                               for p in sorted(templates.rglob("*")) if p.is_file()}
        self.facts_by_brief: dict[str, set[str]] = {}
        self.by_brief: dict[str, dict[str, str]] = {}  # what every variant of a brief uses
        self.known: dict[tuple, dict[str, str]] = {}  # by (brief, audience, length)

    def digest(self, path: Path) -> str:
        if path not in self.digests:
            self.digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self.digests[path]

    def inputs(self, brief_id: str, audience_id: str, length_id: str) -> dict[str, str]:
        """Return {input name: sha256} for one brief, audience and length (any format)."""
        key = (brief_id, audience_id, length_id)
        if key not in self.known:
            content = self.content
            named = {**self.of_brief(brief_id),
                     **self.named_files({content.audiences[audience_id].origin.path}),
                     f"lengths/{length_id}": self.record_digest(content.lengths[length_id])}
            self.known[key] = dict(sorted(named.items()))
        return self.known[key]

    def of_brief(self, brief_id: str) -> dict[str, str]:
        """Return the inputs every variant of a brief shares, whatever its audience and
        length."""
        if brief_id in self.by_brief:
            return self.by_brief[brief_id]
        content = self.content
        brief = content.briefs[brief_id]
        files = {brief.origin.path}
        files |= {content.topics[t].origin.path for t in brief.topic_ids}
        files |= {content.charts[c].origin.path for c in self.charts_of(brief)}
        files |= self.images_of(brief)
        files |= {p for p in [content.root / "settings.yaml"] if p.is_file()}
        named = self.named_files(files)
        named |= self.templates_of(brief.type)
        named |= {f"facts/{fact_id}": self.fact_digest(fact_id) for fact_id in self.facts_of(brief)
                  if fact_id in content.facts}
        named |= {f"sources/{source_id}": self.record_digest(content.sources[source_id])
                  for source_id in self.sources_of(brief) if source_id in content.sources}
        if self.charts_of(brief):  # drawn with the sans faces' measures, in every format
            named |= fontinputs.chart_faces()
        self.by_brief[brief_id] = named | self.machinery()
        return self.by_brief[brief_id]

    def named_files(self, files: set[Path]) -> dict[str, str]:
        """Return {"content/<path>": sha256} of content files."""
        root = self.content.root
        return {f"content/{p.relative_to(root).as_posix()}": self.digest(p) for p in files}

    def machinery(self) -> dict[str, str]:
        """Return the inputs every output has: the generator's code, the font packages'
        versions and the tools' versions."""
        return {**fonts.versions(), **tools.versions(), "generator": code_digest()}

    def templates_of(self, document_type: str | None) -> dict[str, str]:
        """Return the digests of the templates a document type uses (None: a pack's)."""
        own = f"types/{document_type}.html"
        named = {}
        for name, path in self.template_files.items():
            if name.startswith("types/") and name != own:
                continue
            if name in PACK_ONLY and document_type is not None:
                continue
            named[f"templates/{name}"] = self.digest(path)
        return named

    def facts_of(self, brief) -> set[str]:
        """Return the ids of the facts the brief's own prose and its topics name."""
        from generator.charts import facts_used
        from generator.markdown import find_facts

        if brief.id in self.facts_by_brief:
            return self.facts_by_brief[brief.id]
        found = {fact_id for piece in self.prose_of(brief) for fact_id, _ in find_facts(piece.text)}
        found |= {fact_id for chart_id in self.charts_of(brief)
                  for fact_id in facts_used(self.content.charts[chart_id])}
        self.facts_by_brief[brief.id] = found
        return found

    def sources_of(self, brief) -> set[str]:
        """Return the ids of the sources the brief may cite: in its prose and its topics'
        (and their lists of sources), through the facts it names and the charts it places."""
        from generator.charts import citations
        from generator.markdown import find_citations

        content = self.content
        found = {c.source for piece in self.prose_of(brief) for c in find_citations(piece.text)}
        found |= {s for topic_id in brief.topic_ids for s in content.topics[topic_id].sources}
        found |= {content.facts[f].source for f in self.facts_of(brief) if f in content.facts}
        found |= {source for chart_id in self.charts_of(brief)
                  for source, _ in citations(content.charts[chart_id], content.facts)}
        return found

    def images_of(self, brief) -> set[Path]:
        """Return the image files the brief's prose and its topics' show."""
        from generator.markdown import find_images

        root = self.content.root
        return {root / src for piece in self.prose_of(brief)
                for src, _, _ in find_images(piece.text) if (root / src).is_file()}

    def prose_of(self, brief) -> list:
        """Return every piece of Markdown of the brief and of the topics it declares."""
        topics = self.content.topics
        return [*brief.prose(), *(p for t in brief.topic_ids for p in topics[t].prose())]

    def charts_of(self, brief) -> set[str]:
        """Return the ids of the charts the brief's topics place."""
        from generator.markdown import find_charts

        return {chart_id for topic_id in brief.topic_ids
                for chart_id, _ in find_charts(self.content.topics[topic_id].body.text)
                if chart_id in self.content.charts}

    def fact_digest(self, fact_id: str) -> str:
        fact = self.content.facts[fact_id]
        data = repr((fact.value, fact.unit, fact.as_of, fact.source, fact.locator))
        return hashlib.sha256(data.encode()).hexdigest()

    @staticmethod
    def record_digest(record) -> str:
        """Return the hash of one entry of a shared file (a source, a length), without the
        place it was read from: moving an entry within its file changes nothing built."""
        fields = {name: value for name, value in vars(record).items()
                  if name not in ("origin", "lines")}
        return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()

    def for_key(self, key: tuple) -> dict[str, str]:
        """Return the inputs of a variant (brief, audience, length) or a pack ("pack", id)."""
        if key[0] != "pack":
            return self.inputs(*key)
        if key not in self.known:
            pack = self.content.packs[key[1]]
            named: dict[str, str] = {}
            for part in pack.parts:
                named |= self.inputs(part.brief, part.audience, part.length)
            named |= self.templates_of(None) | self.named_files({pack.origin.path})
            self.known[key] = dict(sorted(named.items()))
        return self.known[key]


def input_hash(inputs: dict[str, str], length: str, fmt: str, pdf_variant: str = DEFAULT) -> str:
    """Return one hash of everything that makes an output (for a PDF, the standard it
    claims too: switching between PDF/UA and PDF/A rebuilds the PDFs, not the HTML)."""
    text = "\n".join(f"{name} {digest}" for name, digest in inputs.items())
    text += f"\nlength {length}\nformat {fmt}"
    if fmt == "pdf":
        text += f"\nvariant {weasyprint_variant(pdf_variant)}"
    return hashlib.sha256(text.encode()).hexdigest()
