"""PDF handouts (course_utils/authoring/handouts.py), checked with poppler-utils as a reader would see them.

Every English deck and two Chinese ones (browser_helpers.SAMPLE_ZH) are printed once (offline, by the
Chromium of the other browser tests); then per deck: one
page per slide (slide_plan's count), no blank page, nothing cut off at a page's edge (measured in
reveal.js's print view before printing), the first page shows the deck's title. A deck with a slide
far too tall and an empty slide show that the cut-off and blank-page checks fail when they should.
"""

import shutil
import subprocess

import nbformat
import pytest

from course_utils.authoring import vendor
from course_utils.authoring.handouts import print_handout
from course_utils.authoring.notebooks import read_notebook, source
from course_utils.authoring.slide_plan import slide_plan
from course_utils.authoring.slides import VENDOR_DIR_NAME, export_deck

import browser_helpers as bh

NOTEBOOKS = bh.english_and_sample_zh()  # every English deck and two Chinese ones (bh.SAMPLE_ZH)
POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdftoppm"))


def run(*command) -> str:
    if not POPPLER:
        pytest.skip("poppler-utils is missing (pdfinfo, pdftotext, pdftoppm): apt-get install poppler-utils")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def page_count(pdf) -> int:
    return int(next(line.split()[1] for line in run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")))


def blank_pages(pdf, folder) -> list[int]:
    """Pages (1-based) that, rendered at 12 dpi, have no pixel darker than light grey outside the
    bottom-right corner (where reveal.js prints the slide number on every page, blank or not)."""
    from PIL import Image, ImageDraw

    run("pdftoppm", "-r", "12", "-gray", "-png", str(pdf), str(folder / "page"))
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    blank = []
    for number, png in enumerate(pages, start=1):
        image = Image.open(png).convert("L")
        width, height = image.size
        ImageDraw.Draw(image).rectangle((int(width * 0.85), int(height * 0.88), width, height), fill=255)
        if image.getextrema()[0] > 200:
            blank.append(number)
    return blank


@pytest.fixture(scope="module")
def handouts(browser, decks, tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    context = browser.new_context()
    # a folder per deck: the two editions' decks share their names (02_conv2d_by_hand.slides.html)
    printed = {name: print_handout(context, decks[name], out / name) for name in map(bh.label, NOTEBOOKS)}
    context.close()
    print("\nseconds per handout:", {name: round(h.seconds, 1) for name, h in printed.items()})
    return printed


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=bh.label)
def test_handout_has_one_full_uncut_page_per_slide(notebook, handouts, tmp_path):
    handout = handouts[bh.label(notebook)]
    plan = slide_plan(notebook)
    assert page_count(handout.pdf) == len(handout.pages) == plan.total
    assert blank_pages(handout.pdf, tmp_path) == []
    assert handout.cut == [], f"{notebook.name}: content cut off at the page edge:\n" + "\n".join(handout.cut)
    first_page = " ".join(run("pdftotext", "-f", "1", "-l", "1", str(handout.pdf), "-").split())
    # pdftotext may put a space between a Latin word and Chinese punctuation ("RNN 、GRU"): compare without spaces
    assert "".join(plan.subslides[0].title.split(" ", 2)[-1].split()) in "".join(first_page.split())


def notes_text(notebook) -> str:
    return next(source(c) for c in read_notebook(notebook).cells
                if c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes")


@pytest.mark.browser
def test_notes_add_a_page_after_each_slide_that_has_some(browser, decks, tmp_path):
    notebook = NOTEBOOKS[0]
    plan = slide_plan(notebook)
    nb = read_notebook(notebook)
    with_notes = sum(any(nb.cells[i].metadata.get("slideshow", {}).get("slide_type") == "notes" for i in sub.cells)
                     for sub in plan.subslides)
    assert with_notes > 0
    context = browser.new_context()
    try:
        handout = print_handout(context, decks[bh.label(notebook)], tmp_path, notes=True)
    finally:
        context.close()
    assert page_count(handout.pdf) == plan.total + with_notes
    words = notes_text(notebook).split()[:4]
    assert " ".join(words) in " ".join(run("pdftotext", str(handout.pdf), "-").split())


@pytest.mark.browser
def test_a_slide_too_tall_and_a_blank_page_are_reported(browser, decks, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Too tall", metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_code_cell("\n".join(f"line_{i} = {i}" for i in range(60)),
                                          metadata={"slideshow": {"slide_type": "-"}}),
                nbformat.v4.new_markdown_cell("&nbsp;", metadata={"slideshow": {"slide_type": "slide"}})]
    path = tmp_path / "99_too_tall.ipynb"
    nbformat.write(nb, path)
    (tmp_path / VENDOR_DIR_NAME).symlink_to(next(iter(decks.values())).parent / VENDOR_DIR_NAME)
    deck, _ = export_deck(path, tmp_path, vendor.asset_urls(VENDOR_DIR_NAME))
    context = browser.new_context()
    try:
        handout = print_handout(context, deck, tmp_path / "out")
    finally:
        context.close()
    assert page_count(handout.pdf) == 2
    assert len(handout.cut) == 1 and handout.cut[0].startswith("page 1 ") and "below the page" in handout.cut[0]
    assert blank_pages(handout.pdf, tmp_path) == [2]
