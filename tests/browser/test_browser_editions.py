"""The student edition as a learner opens it: JupyterLab serving only build/student's copy, offline.

The edition is written into a folder of its own, with no ``figures/`` next to it, so every picture
it shows must travel inside the notebook; the check cells must be empty ("[ ]:", no output) and no
solution may be on the page. A screenshot of each notebook goes to build/screenshots/student_NN.png.
Every English notebook is opened, and two of the Chinese edition (browser_helpers.SAMPLE_ZH; the
student edition of all eight is checked cell by cell in tests/test_editions.py).
"""

import json

import pytest

from course_utils.authoring.editions import EXERCISE_WORD, build_edition, exercises
from course_utils.authoring.notebooks import notebook_language, read_notebook

import browser_helpers as bh

NOTEBOOKS = bh.english_and_sample_zh()
LOAD_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("student_root")
    build_edition("student", bh.notebooks("en"), root, log=lambda *_: None)
    chinese = [p for p in NOTEBOOKS if p not in bh.notebooks("en")]
    if chinese:
        build_edition("student", chinese, root / "zh", log=lambda *_: None)
    state = tmp_path_factory.mktemp("student_lab")
    # Every cell in the page, so every figure and check cell is measured, not only those in view.
    settings = state / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = state / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    server = bh.start_lab(state, root_dir=root)
    yield server
    server.stop()


@pytest.mark.browser
@pytest.mark.jupyterlab
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=bh.label)
def test_student_edition_opens_with_its_figures_and_empty_checks(notebook, student_lab, browser, screenshot_dir):
    nb = read_notebook(notebook)
    exercise = EXERCISE_WORD[notebook_language(nb)]
    where = notebook.relative_to(bh.NOTEBOOK_DIR).as_posix()  # zh/02_….ipynb for the Chinese edition
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(student_lab.url)
                  else route.abort("internetdisconnected"))
    page = context.new_page()
    try:
        page.goto(f"{student_lab.url}/lab/tree/{where}?reset&token={student_lab.token}")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        facts = page.evaluate("""() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const images = Array.from(panel.querySelectorAll('.jp-RenderedMarkdown img'));
            return {
                brokenImages: images.filter(i => !(i.complete && i.naturalWidth > 0))
                                    .map(i => i.alt || i.src.slice(0, 60)),
                images: images.length,
                text: panel.innerText,
                outputs: Array.from(panel.querySelectorAll('.jp-OutputArea')).map(o => o.innerText).join(' | '),
            };
        }""")
        # what a learner sees at the first exercise: the task, the starter, the empty check cell
        panel.locator(".jp-RenderedMarkdown h2, .jp-RenderedMarkdown h3", has_text=f"{exercise} ").first \
            .scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"student_{bh.label(notebook)}.png"))
    finally:
        context.close()
    expected_images = sum(cell.source.count("../figures/") for cell in nb.cells if cell.cell_type == "markdown")
    assert facts["brokenImages"] == [], f"figures that did not load: {facts['brokenImages']}"
    assert facts["images"] >= expected_images
    assert "✅" not in facts["outputs"], "the student edition shows a ✅ nobody earned"
    ids = [exercise_id for exercise_id, _, _ in exercises(notebook)]
    assert all(f"{exercise} {exercise_id}" in facts["text"] for exercise_id in ids)
    assert not any(f"⏳ {exercise_id}" in facts["outputs"] for exercise_id in ids), "a check cell kept its output"
