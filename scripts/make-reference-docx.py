"""Write templates/reference.docx: the Word styles every .docx brief is built with.

Run once (and again after changing it here); the file is committed. Open it in Word and
restyle Title, Heading 1-3, Quote, List Number, Caption, Header, Footer and the rest: brief
builds every Word file with the styles it finds there (pandoc's --reference-doc), and an
edit rebuilds the .docx outputs. Starts from pandoc's own reference document, which names
every style pandoc writes, and sets the house faces of the PDF.

    .venv/bin/python scripts/make-reference-docx.py
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERIF, SANS = "Source Serif 4", "Source Sans 3"
INK, MUTED, ACCENT = "1B1F24", "5A6270", "1F3A5F"  # common.css: --ink, --muted, --accent


def main() -> None:
    import docx
    import pypandoc
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    from generator.wordfinish import reproducible_zip

    pandoc = pypandoc.get_pandoc_path()
    default = subprocess.run([pandoc, "--print-default-data-file", "reference.docx"],
                             check=True, capture_output=True).stdout
    document = docx.Document(io.BytesIO(default))
    styles = document.styles

    def paragraph_style(name: str, base: str = "Normal"):
        named = {style.name: style for style in styles}
        if name in named:
            return named[name]
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = named[base]
        style.quick_style = True
        return style

    def face(style, family: str, size: float, bold=None, italic=None, color: str = INK):
        style.font.name = family
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(color)
        if bold is not None:
            style.font.bold = bold
        if italic is not None:
            style.font.italic = italic
        return style

    face(styles["Normal"], SERIF, 10.5)
    for name in ("Body Text", "First Paragraph", "Compact"):
        face(paragraph_style(name), SERIF, 10.5)
    # the masthead as the PDF sets it: ranged left, the byline and date in the text face
    for name, family, size, bold, color in (("Title", SANS, 24, True, INK),
                                            ("Subtitle", SANS, 14, False, MUTED),
                                            ("Author", SERIF, 10.5, False, INK),
                                            ("Date", SERIF, 9, False, MUTED)):
        masthead = face(paragraph_style(name), family, size, bold=bold, color=color)
        masthead.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for level, size in ((1, 15), (2, 12.5), (3, 11), (4, 10.5)):
        heading = face(paragraph_style(f"Heading {level}"), SANS, size, bold=True,
                       color=INK if level > 1 else ACCENT)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        heading.paragraph_format.space_after = Pt(4)
    quote = face(paragraph_style("Quote"), SERIF, 10.5, italic=True)
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Pt(24)
    face(paragraph_style("List Number"), SERIF, 10.5)
    face(paragraph_style("Caption"), SANS, 9.5, bold=True)
    face(paragraph_style("Footnote Text"), SERIF, 8.5)
    face(paragraph_style("Bibliography"), SERIF, 9.5)
    face(paragraph_style("TOC Heading", "Heading 1"), SANS, 15, bold=True, color=ACCENT)
    face(paragraph_style("TOC 1"), SANS, 11)
    for name in ("Header", "Footer"):
        banner = face(paragraph_style(name), SANS, 7.5, bold=True)
        banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    document.save(buffer)
    target = ROOT / "templates" / "reference.docx"
    epoch = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)  # the same bytes on every run
    target.write_bytes(reproducible_zip(buffer.getvalue(), epoch))
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
