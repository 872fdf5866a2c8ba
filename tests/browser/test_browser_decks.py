"""Every exported deck works in a real browser, offline, and every slide fits a 1280×720 screen.

The decks are built by ``course_utils.authoring.slides`` into build/slides; each is opened from disk in
headless Chromium with every non-file request aborted. A screenshot of each deck's first slide
is saved as build/screenshots/NN.png, the list of slides that do not fit as build/slide_fit_report.txt.
"""

import re

import pytest

from course_utils.authoring.notebooks import read_notebook, source
from course_utils.authoring.slide_plan import slide_plan

import browser_helpers as bh

NOTEBOOKS = bh.both_editions()
CHINESE = bh.notebooks("zh")
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=bh.label)
def test_deck_renders_offline_with_the_slides_the_metadata_asks_for(notebook, deck_results, screenshot_dir):
    result = deck_results(notebook)
    opened, facts = result["opened"], result["facts"]
    plan = slide_plan(notebook)

    assert opened.external_requests == [], "the deck tried to load files from the internet"
    assert opened.failed_requests == [], "the deck refers to files that are not there"
    assert opened.console_errors == []
    assert (facts["total"], facts["horizontal"]) == (plan.total, plan.horizontal), \
        "reveal.js counts other slides than the slideshow metadata gives (see course_utils.authoring.slide_plan)"
    assert facts["fragments"] == plan.fragments
    assert facts["notes"] == plan.notes
    assert (facts["width"], facts["height"]) == (1280, 720)
    assert facts["mathjax"], "MathJax did not load"
    assert facts["math_errors"] == 0, "MathJax could not typeset some formulas"
    markdown = "".join(source(c) for c in read_notebook(notebook).cells if c.cell_type == "markdown")
    if "$" in markdown:
        assert facts["math_rendered"] > 0, "the notebook has $…$ maths but nothing was typeset"
    assert (screenshot_dir / f"{bh.label(notebook)}.png").stat().st_size > 5_000


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=bh.label)
def test_every_slide_fits_the_screen_with_readable_text(notebook, deck_results, fit_report_file):
    """With every fragment shown and nothing moving: nothing below the 720 px screen (text in a box
    that clips or scrolls counts where it would be drawn), no text under 16 px, no code under 14 px,
    nothing cut off on the right. Sizes are the ones on the screen (reveal.js scales the slide)."""
    result = deck_results(notebook)
    plan = slide_plan(notebook)
    assert len(result["measure"]["slides"]) == plan.total
    problems = bh.fit_report(bh.label(notebook), result["measure"]["slides"], plan, read_notebook(notebook))
    fit_report_file[bh.label(notebook)] = problems
    assert not problems, (
        f"{notebook.name}: {len(problems)} of {plan.total} slides do not fit {bh.SCREEN['width']}×"
        f"{bh.SCREEN['height']} or show text too small to read (split them with subslide/fragment cells, "
        "shorten code or outputs, print captions as text):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("notebook", CHINESE, ids=bh.label)
def test_chinese_decks_draw_their_characters_with_a_chinese_font(notebook, deck_results):
    """No tofu (□): every Chinese character of the title is drawn by a font that has Chinese glyphs
    (fontconfig's list; CI installs fonts-wqy-microhei), and the deck declares <html lang="zh">."""
    result = deck_results(notebook)
    title = source(read_notebook(notebook).cells[0]).splitlines()[0]
    characters = len(re.findall(r"[\u4e00-\u9fff]", title))
    chinese_fonts = bh.chinese_font_families()
    drawn = sum(count for family, count in result["fonts"].items() if family in chinese_fonts)
    assert characters > 0, f"the title {title!r} has no Chinese"
    assert drawn >= characters, f"{title!r}: fonts used {result['fonts']}; fonts with Chinese: {chinese_fonts}"
    assert result["facts"]["lang"] == "zh"


# --------------------------------------------------------------------------- the measurement itself


@pytest.fixture(scope="module")
def measured_test_deck(browser, tmp_path_factory):
    """A deck made for the measurement: one slide per case, measured like the course's decks."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from course_utils.authoring.slides import build_decks

    def html_cell(html):
        cell = new_code_cell("show()", execution_count=1,
                             outputs=[new_output("display_data", data={"text/html": html, "text/plain": "..."})])
        return cell

    slides = [
        new_markdown_cell("# 99 · A slide that fits\n\nOne short line."),
        new_markdown_cell("## Too long\n\n" + "\n".join(f"{i}. line {i}" for i in range(1, 31))),
        # 30 lines in a box 100 px high that scrolls: the box fits, its content does not
        html_cell('<div style="max-height: 100px; overflow-y: auto">'
                  + "<br>".join(f"row {i}" for i in range(1, 31)) + "</div>"),
        html_cell('<p>normal text <span style="font-size: 8px">and tiny text</span></p>'),
        html_cell('<pre style="font-size: 10px">tiny code</pre>'),
        new_markdown_cell("## Shown last\n\nStill fits."),
    ]
    kinds = ["slide", "slide", "slide", "slide", "slide", "slide"]
    fragment = new_markdown_cell("A fragment that only appears on the second click:\n\n"
                                 + "\n".join(f"* item {i}" for i in range(1, 25)))
    slides.insert(6, fragment)
    kinds.insert(6, "fragment")
    for cell, kind in zip(slides, kinds, strict=True):
        cell.metadata["slideshow"] = {"slide_type": kind}
    folder = tmp_path_factory.mktemp("fitcheck") / "notebooks"
    folder.mkdir()
    path = folder / "99_fit_check.ipynb"
    nbformat.write(new_notebook(cells=slides), path)
    deck = build_decks([path], folder.parent / "slides", require_offline=True, log=lambda *_: None)[0]
    context = browser.new_context(viewport=bh.SCREEN)
    opened = bh.open_deck_offline(context, deck)
    measure = bh.measure_deck(opened.page)
    context.close()
    return path, measure


def test_the_measurement_finds_each_kind_of_problem_and_nothing_else(measured_test_deck):
    path, measure = measured_test_deck
    lines = bh.fit_report("99", measure["slides"], slide_plan(path), read_notebook(path))
    by_slide = {int(line.split()[2].split("/")[0]): line for line in lines}
    assert sorted(by_slide) == [2, 3, 4, 5, 6], "\n".join(lines)
    assert "below the 720 px screen" in by_slide[2] and "line 30" in by_slide[2]
    assert "below the 720 px screen" in by_slide[3] and "row 30" in by_slide[3]  # inside the scrolled box
    assert "text at 7.7 px (< 16 px)" in by_slide[4] and "and tiny text" in by_slide[4]
    assert "code at 9.6 px (< 14 px)" in by_slide[5]
    assert "below the 720 px screen" in by_slide[6], "the fragment must be measured shown"
    assert "below" not in by_slide.get(1, "") and 1 not in by_slide


def test_the_measurement_reads_the_screen_not_the_slide_box(measured_test_deck):
    _, measure = measured_test_deck
    first = measure["slides"][0]
    assert first["viewport"] == bh.SCREEN
    assert 0 < first["top"] < first["bottom"] < bh.SCREEN["height"]
    assert first["min_text"]["px"] >= bh.MIN_TEXT_PX
