"""Every document type's published HTML page, in a real browser at phone and desktop widths:
no horizontal scrolling, no console errors or CSP violations, no request to another origin,
no serious accessibility violation (axe-core), readable lines, working contents, notes
that link both ways, and a print stylesheet."""

from __future__ import annotations

import re

import pytest
from browser import serve_folder, visit
from conftest import ROOT, run

WIDTHS = (390, 1280)  # a phone and a desktop
# Each document type, its longest and shortest forms, each lead, and a pack.
SAMPLE_PAGES = ["harbor-memo/staff-full", "harbor-memo/public-one-page",
                "harbor-perspective/public-full", "packs/council-pack"]
# (Waits avoid page.wait_for_function(string): the pages' CSP forbids the eval it needs.)
# The shipped content, whose notes carry long URLs and whose briefs have many sections:
# the richest page of each document type.
DEFAULT_PAGES = ["trilateral-alliance/us-congress-full", "japanese-perspective/japan-policy-full"]


@pytest.fixture(scope="module")
def sample_site(built_sample):
    with serve_folder(built_sample) as url:
        yield url


@pytest.fixture(scope="module")
def default_site(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("default-html") / "output"
    for args in (["build", "trilateral-alliance", "-a", "us-congress", "-l", "full"],
                 ["build", "japanese-perspective", "-a", "japan-policy", "-l", "full"]):
        result = run(CliRunner(), ROOT / "content", *args, "-f", "html", "-o", str(out))
        assert result.exit_code == 0, result.output
    with serve_folder(out) as url:
        yield url


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def check_page(browser, url: str, width: int, screenshot) -> None:
    with visit(browser, url, width) as seen:
        seen.page.screenshot(path=screenshot)
        scroll_width = seen.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{url} scrolls sideways at {width}px ({scroll_width}px)"
        problems = seen.problems() + seen.serious_accessibility_violations()
        assert not problems, f"{url} at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", SAMPLE_PAGES)
def test_sample_page_is_clean_at_phone_and_desktop_width(browser, sample_site, screenshots,
                                                         name, width):
    check_page(browser, f"{sample_site}/{name}.html", width,
               screenshots / f"{name.replace('/', '-')}-{width}.png")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", DEFAULT_PAGES)
def test_default_content_page_is_clean_at_phone_and_desktop_width(browser, default_site,
                                                                  screenshots, name, width):
    check_page(browser, f"{default_site}/{name}.html", width,
               screenshots / f"default-{name.replace('/', '-')}-{width}.png")


def characters_per_line(page, selector: str) -> float:
    """Return the mean characters per line of the longest paragraph matching selector."""
    return page.evaluate("""selector => {
      const p = [...document.querySelectorAll(selector)]
        .sort((a, b) => b.textContent.length - a.textContent.length)[0];
      const lines = p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight);
      return p.textContent.trim().length / Math.round(lines);
    }""", selector)


@pytest.mark.parametrize("width", (1280, 1920))
def test_desktop_lines_hold_about_65_to_75_characters(browser, default_site, width):
    with visit(browser, f"{default_site}/trilateral-alliance/us-congress-full.html", width) as seen:
        assert 62 <= characters_per_line(seen.page, "main section > p") <= 78


def test_contents_link_to_every_section_and_sit_beside_the_text_on_desktop(browser,
                                                                          default_site):
    with visit(browser, f"{default_site}/trilateral-alliance/us-congress-full.html", 1280) as seen:
        page = seen.page
        targets = page.eval_on_selector_all("nav.toc a", "links => links.map(a => a.hash)")
        assert len(targets) >= 3
        for target in targets:
            assert page.locator(target).count() == 1, f"contents link {target} leads nowhere"
        toc, text = page.locator("nav.toc").bounding_box(), page.locator("main").bounding_box()
        assert toc["x"] + toc["width"] <= text["x"]
        page.evaluate("window.scrollTo(0, 3000)")  # the contents stay in view while reading
        assert page.evaluate("scrollY") == 3000
        assert page.evaluate("document.querySelector('nav.toc').getBoundingClientRect().top") >= 0


def test_notes_link_to_the_note_and_back_with_distinct_names(browser, sample_site):
    with visit(browser, f"{sample_site}/harbor-memo/staff-full.html", 1280) as seen:
        page = seen.page
        call = page.locator("sup.note-call a").first
        assert call.get_attribute("aria-label") == "Note 1"
        call.click()
        page.wait_for_url(re.compile("#note-1$"))
        note = page.locator("#note-1")
        assert note.evaluate("n => getComputedStyle(n).backgroundColor") != "rgba(0, 0, 0, 0)"
        assert note.evaluate("n => n.getBoundingClientRect().top < innerHeight")
        back = note.locator("a.backref")
        assert back.get_attribute("aria-label") == "Back to the text of note 1"
        back.click()
        page.wait_for_url(re.compile("#ref-1$"))
        assert page.evaluate("document.activeElement === null || "
                             "document.querySelector('#ref-1').getBoundingClientRect().top >= 0")
        labels = page.eval_on_selector_all("a.backref", "a => a.map(x => x.ariaLabel)")
        assert len(set(labels)) == len(labels) > 1


def test_print_stylesheet_drops_navigation_and_uses_the_whole_width(browser, default_site):
    url = f"{default_site}/trilateral-alliance/us-congress-full.html"
    with visit(browser, url, 1280, media="print") as seen:
        page = seen.page
        assert page.locator("nav.toc").is_hidden()
        assert page.locator("a.backref").first.is_hidden()
        main = page.locator("main").bounding_box()
        assert main["width"] > 0.9 * page.evaluate("document.body.clientWidth")
        assert not seen.problems()


def test_every_page_has_a_strict_policy_and_nothing_it_would_block(built_sample):
    pages = sorted(built_sample.rglob("*.html"))
    assert len(pages) == 7
    for page in pages:
        html = page.read_text()
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)[1]
        assert policy.startswith("default-src 'none'; style-src 'sha256-"), page
        assert "unsafe" not in policy and "script-src" not in policy, page
        assert "<script" not in html and " style=" not in html, page


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_are_named_images_whose_data_opens_as_a_table(browser, default_site, width):
    """Each chart is an image with its alt text as its name; its data, folded under the
    chart, opens as a table of every category, and neither overflows a phone's width."""
    url = f"{default_site}/trilateral-alliance/us-congress-full.html"
    with visit(browser, url, width) as seen:
        page = seen.page
        figures = page.locator("figure.chart")
        assert figures.count() >= 2
        for index in range(figures.count()):
            figure = figures.nth(index)
            svg = figure.locator("svg.chart-svg")
            assert svg.get_attribute("role") == "img"
            assert svg.evaluate("s => document.getElementById("
                                "s.getAttribute('aria-labelledby')).textContent.trim()")
            table = figure.locator("details.figure-data table")
            assert table.is_hidden()
            figure.locator("details.figure-data summary").click()
            assert table.is_visible()
            assert table.locator("tbody tr").count() >= 2
            box = svg.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert not seen.problems()


def test_japanese_and_korean_use_the_noto_cjk_published_beside_the_page(browser, default_site):
    """The page's CJK text is drawn with the subsets of Noto CJK shipped in assets/fonts,
    not with whatever the reader's system has (or a box)."""
    url = f"{default_site}/trilateral-alliance/us-congress-full.html"
    with visit(browser, url, 1280) as seen:
        page = seen.page
        assert page.locator("main :lang(ja)").count() and page.locator("main :lang(ko)").count()
        loaded = page.evaluate("""async () => {
            await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === "loaded")
                                      .map(f => f.family.replace(/"/g, ""));
        }""")
        assert {"Noto Serif CJK JP", "Noto Serif CJK KR"} <= set(loaded), loaded
        assert not seen.problems()


@pytest.mark.parametrize("width", (360, 390, 768, 1280))
def test_chart_text_is_at_least_11px_at_every_width(browser, default_site, width):
    """Every text of every chart, as drawn on the page (its size in the SVG times the
    scale the page shows the SVG at), is 11 CSS px or more, down to a phone's width."""
    url = f"{default_site}/trilateral-alliance/us-congress-full.html"
    with visit(browser, url, width) as seen:
        sizes = seen.page.evaluate("""() => [...document.querySelectorAll("svg.chart-svg")]
            .map(svg => {
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll("text")]
                .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
            })""")
    assert len(sizes) >= 6 and all(sizes)
    smallest = min(min(chart) for chart in sizes)
    assert smallest >= 11, f"chart text of {smallest:.1f}px at {width}px"
