"""What each output is made of: the hash of every input, so unchanged outputs are skipped.

An output depends on its brief, audience and length, the settings, the topics its brief
declares (a cut topic still shaped the cut), the bibliography, the facts its prose names
(each fact hashed on its own), every template, and the generator's version. Changing one
topic or one fact therefore rebuilds only the briefs that use it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator import __version__, fonts
from generator.models import Content
from generator.variants import DEFAULT, weasyprint_variant


class InputHasher:
    """Hash input files once per build and describe the inputs of each output."""

    def __init__(self, content: Content, templates: Path):
        self.content = content
        self.templates = templates
        self.digests: dict[Path, str] = dict(content.digests)  # content files: read once
        self.template_files = sorted(p for p in templates.rglob("*") if p.is_file())
        self.facts_by_brief: dict[str, set[str]] = {}

    def digest(self, path: Path) -> str:
        if path not in self.digests:
            self.digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self.digests[path]

    def inputs(self, brief_id: str, audience_id: str) -> dict[str, str]:
        """Return {input name: sha256} for one brief and audience (any length, format)."""
        content = self.content
        brief = content.briefs[brief_id]
        files = {brief.origin.path, content.audiences[audience_id].origin.path}
        files |= {content.topics[t].origin.path for t in brief.topic_ids}
        files |= {content.charts[c].origin.path for c in self.charts_of(brief)}
        files |= {source.origin.path for source in content.sources.values()}
        files |= {p for p in (content.root / "settings.yaml", content.root / "lengths.yaml")
                  if p.is_file()}
        named = {f"content/{p.relative_to(content.root).as_posix()}": self.digest(p)
                 for p in files}
        named |= {f"templates/{p.relative_to(self.templates).as_posix()}": self.digest(p)
                  for p in self.template_files}
        named |= {f"facts/{fact_id}": self.fact_digest(fact_id) for fact_id in self.facts_of(brief)
                  if fact_id in content.facts}
        named |= fonts.versions()
        named["generator"] = __version__
        return dict(sorted(named.items()))

    def facts_of(self, brief) -> set[str]:
        """Return the ids of the facts the brief's own prose and its topics name."""
        from generator.charts import facts_used
        from generator.markdown import find_facts

        if brief.id in self.facts_by_brief:
            return self.facts_by_brief[brief.id]
        prose = [*brief.prose()]
        prose += [p for topic_id in brief.topic_ids for p in self.content.topics[topic_id].prose()]
        found = {fact_id for piece in prose for fact_id, _ in find_facts(piece.text)}
        found |= {fact_id for chart_id in self.charts_of(brief)
                  for fact_id in facts_used(self.content.charts[chart_id])}
        self.facts_by_brief[brief.id] = found
        return found

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


    def for_key(self, key: tuple) -> dict[str, str]:
        """Return the inputs of a variant (brief, audience, length) or a pack ("pack", id)."""
        if key[0] != "pack":
            return self.inputs(key[0], key[1])
        pack = self.content.packs[key[1]]
        named: dict[str, str] = {}
        for part in pack.parts:
            named |= self.inputs(part.brief, part.audience)
        path = pack.origin.path
        named[f"content/{path.relative_to(self.content.root).as_posix()}"] = self.digest(path)
        return dict(sorted(named.items()))


def input_hash(inputs: dict[str, str], length: str, fmt: str, pdf_variant: str = DEFAULT) -> str:
    """Return one hash of everything that makes an output (for a PDF, the standard it
    claims too: switching between PDF/UA and PDF/A rebuilds the PDFs, not the HTML)."""
    text = "\n".join(f"{name} {digest}" for name, digest in inputs.items())
    text += f"\nlength {length}\nformat {fmt}"
    if fmt == "pdf":
        text += f"\nvariant {weasyprint_variant(pdf_variant)}"
    return hashlib.sha256(text.encode()).hexdigest()
