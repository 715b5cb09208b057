"""Charts placed in a document: the <figure> around a chart's SVG, its numbered title,
caption, source note (cited like a fact) and, on the screen page, its data as a table.

The markup is templates/partials/figure.html; this module gathers what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from generator import charts
from generator.markdown import Note, NoteBook, ProseRenderer, typographic


@dataclass
class Figures:
    """Draw the charts of one document, numbering them in the order they appear."""

    content: object
    env: object  # the Jinja environment
    medium: str
    locale: str
    anchor: str = ""
    drawn: bool = True  # False: a placeholder for the SVG (checks of the templates)
    numbered: list[str] = field(default_factory=list)

    def html(self, chart_id: str, prose) -> str:
        """Return the figure of one chart (prose: the document's ProseRenderer)."""
        from generator import chartsvg

        chart = self.content.charts.get(chart_id)
        if chart is None:  # validation reports it; never reached for valid content
            return ""
        self.numbered.append(chart_id)
        facts = self.content.facts
        data = charts.relabel(charts.resolve(chart, facts), prose.apply_terms)
        prose.facts_used += [facts[f] for f in charts.facts_used(chart)]
        header, rows = charts.table(data, self.locale)
        alt = prose.apply_terms(" ".join(chart.alt.split()))
        context = {
            "chart": chart,
            "anchor": self.anchor,
            "medium": self.medium,
            "number": len(self.numbered),
            "title": prose.apply_terms(chart.title),
            "caption": Markup(prose.inline(chart.caption)) if chart.caption else "",
            "svg": Markup(chartsvg.svg(data, self.locale, chart.id, alt, prefix=self.anchor,
                                       screen=self.medium == "screen") if self.drawn else
                          chartsvg.placeholder(alt)),
            "sources": [self._source(source, locator, prose)
                        for source, locator in charts.citations(chart, facts)],
            "header": header,
            "rows": rows,
        }
        return self.env.get_template("partials/figure.html").render(context)

    def _source(self, source_id: str, locator: str, prose) -> Markup:
        """Return a source's short name followed by its note (numbered with the others): a
        source's title is quoted as published, never with the audience's terms."""
        source = self.content.sources.get(source_id)
        name = source_id
        if source is not None:
            who = source.publisher or ", ".join(a.family for a in source.authors[:2])
            name = f"{who}, “{source.title}”" if who else f"“{source.title}”"
        note = prose.notebook.add(Note(cites=[(source_id, locator)]))
        return escape(typographic(name)) + Markup(note)


def draw(content, chart_id: str, locale: str, audience=None) -> None:
    """Draw a chart ahead of the documents that place it (its drawing is cached), with the
    labels an audience's documents give it."""
    from generator import chartsvg

    chart = content.charts[chart_id]
    named = ProseRenderer(NoteBook(), audience.terms if audience else None,
                          keep=audience.keep if audience else ()).apply_terms
    data = charts.relabel(charts.resolve(chart, content.facts), named)
    for screen in (False, True):  # the PDF's drawing and the web page's
        chartsvg.svg(data, locale, chart.id, chart.alt, screen=screen)
