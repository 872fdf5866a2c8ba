"""Every exported deck works in a real browser, offline, and every slide fits a 1280×720 screen.

The decks are built by ``course_utils.slides`` into build/slides; each is opened from disk in
headless Chromium with every non-file request aborted. A screenshot of each deck's first slide
is saved as build/screenshots/NN.png.
"""

import json

import pytest

import browser_helpers as bh
from course_utils.slides import slide_plan

NOTEBOOKS = bh.notebooks()
pytestmark = pytest.mark.browser


def load(notebook):
    return json.loads(notebook.read_text(encoding="utf-8"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_deck_renders_offline_with_the_slides_the_metadata_asks_for(notebook, deck_results, screenshot_dir):
    result = deck_results(notebook)
    opened, facts = result["opened"], result["facts"]
    plan = slide_plan(notebook)

    assert opened.external_requests == [], "the deck tried to load files from the internet"
    assert opened.failed_requests == [], "the deck refers to files that are not there"
    assert opened.console_errors == []
    assert (facts["total"], facts["horizontal"]) == (plan.total, plan.horizontal), \
        "reveal.js counts other slides than the slideshow metadata gives (see course_utils.slides.slide_plan)"
    assert facts["fragments"] == plan.fragments
    assert facts["notes"] == plan.notes
    assert (facts["width"], facts["height"]) == (1280, 720)
    assert facts["mathjax"], "MathJax did not load"
    assert facts["math_errors"] == 0, "MathJax could not typeset some formulas"
    markdown = "".join("".join(c["source"]) for c in load(notebook)["cells"] if c["cell_type"] == "markdown")
    if "$" in markdown:
        assert facts["math_rendered"] > 0, "the notebook has $…$ maths but nothing was typeset"
    assert (screenshot_dir / f"{notebook.name[:2]}.png").stat().st_size > 5_000


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_no_slide_overflows_a_1280x720_screen(notebook, deck_results):
    result = deck_results(notebook)
    plan = slide_plan(notebook)
    problems = bh.overflow_report(result["measure"], plan, load(notebook))
    assert not problems, (
        f"{notebook.name}: {len(problems)} of {plan.total} slides do not fit "
        f"{result['measure']['width']}×{result['measure']['height']} "
        "(split them with subslide/fragment cells, shorten code or outputs):\n" + "\n".join(problems)
    )
