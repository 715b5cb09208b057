"""CJK: one page of Japanese and Korean against the same page in Latin text, and the CJK
page again with fontTools subsetting, as WeasyPrint does without libharfbuzz-subset0.

The pages are laid out and written in this process with the project's fonts and CSS
(templates/css/common.css), so the figure is what brief pays for CJK text in a PDF. The
Noto CJK fonts are large: their subsetting, not layout, is where the time goes.
"""

from __future__ import annotations

import time

from common import TEMPLATES, median, spread, verdict

# Public legal texts: Article 9 of the Constitution of Japan, Article 1 of the Constitution
# of the Republic of Korea. Repeated to fill a page, as a page of quotations would.
JAPANESE = ("日本国民は、正義と秩序を基調とする国際平和を誠実に希求し、国権の発動たる戦争と、"
            "武力による威嚇又は武力の行使は、国際紛争を解決する手段としては、永久にこれを放棄する。"
            "前項の目的を達するため、陸海空軍その他の戦力は、これを保持しない。"
            "国の交戦権は、これを認めない。")
KOREAN = ("대한민국은 민주공화국이다. 대한민국의 주권은 국민에게 있고, "
          "모든 권력은 국민으로부터 나온다.")
LATIN = ("Aspiring sincerely to an international peace based on justice and order, the "
         "Japanese people forever renounce war as a sovereign right of the nation and the "
         "threat or use of force as means of settling international disputes. The Republic "
         "of Korea shall be a democratic republic; its sovereignty resides in the people. ")
PARAGRAPHS = 6  # of each language: one letter page


def page(cjk: bool) -> str:
    """Return one letter page of text, CJK or Latin, styled as a brief is."""
    from generator import fonts

    faces = "\n".join(fonts.rules("print"))
    css = (TEMPLATES / "css" / "common.css").read_text("utf-8")
    if cjk:
        body = "".join(f'<p lang="ja">{JAPANESE}</p><p lang="ko">{KOREAN}</p>'
                       for _ in range(PARAGRAPHS))
    else:
        body = "".join(f"<p>{LATIN}</p>" for _ in range(PARAGRAPHS + 1))
    return (f"<html lang='en'><style>{faces}{css}@page {{ size: letter; margin: 0.9in }}"
            f"html {{ font-size: 10.5pt }}</style><h2>A page of text</h2>{body}</html>")


def render_seconds(html: str, fonttools: bool = False) -> tuple[float, int]:
    """Lay out and write one PDF; return (seconds, pages)."""
    import weasyprint
    import weasyprint.pdf.fonts as pdf_fonts

    saved = pdf_fonts.harfbuzz_subset
    if fonttools:  # what WeasyPrint does when libharfbuzz-subset0 cannot be loaded
        pdf_fonts.harfbuzz_subset = None
    try:
        started = time.perf_counter()
        document = weasyprint.HTML(string=html).render()
        document.write_pdf()
        return time.perf_counter() - started, len(document.pages)
    finally:
        pdf_fonts.harfbuzz_subset = saved


def bench_cjk(repeat: int, slow: int) -> list[str]:
    """Return the figure's lines: Latin page, CJK page, CJK page with fontTools."""
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # fontTools' fallback warns
    latin_html, cjk_html = page(False), page(True)
    render_seconds(cjk_html)  # warm: fonts found, modules imported
    latin = [render_seconds(latin_html)[0] for _ in range(repeat)]
    cjk = [render_seconds(cjk_html)[0] for _ in range(repeat)]
    # Minutes per run on a busy machine: one fewer run than the builds, at least one.
    slow_cjk = [render_seconds(cjk_html, fonttools=True)[0] for _ in range(max(1, slow - 1))]
    pages = render_seconds(cjk_html)[1], render_seconds(latin_html)[1]
    ratio, penalty = median(cjk) / median(latin), median(slow_cjk) / median(cjk)
    mark = verdict("CJK page, with libharfbuzz-subset0", f"{median(cjk):.2f} s",
                   "< 2 s", median(cjk) < 2)
    return [
        "## 10. CJK: a page of Japanese and Korean",
        "",
        (f"One letter page of Japanese and Korean (Article 9 of Japan's constitution, Article 1 "
         f"of the ROK's, {pages[0]} page) against a page of Latin text in the same CSS "
         f"({pages[1]} page), each laid out and written to PDF in one warm process; then the "
         "CJK page with fontTools subsetting, as WeasyPrint does when libharfbuzz-subset0 is "
         "missing (brief warns then)."),
        "",
        f"- Latin page: {spread(latin)}",
        f"- CJK page: {spread(cjk)}, **{ratio:.1f}×** the Latin page; target < 2 s {mark}",
        f"- CJK page without libharfbuzz-subset0 (fontTools): {spread(slow_cjk)}, "
        f"**{penalty:.1f}×** the CJK page with it",
        "",
    ]
