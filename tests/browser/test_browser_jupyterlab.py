"""The course as a learner and a teacher meet it: JupyterLab on localhost, in headless Chromium.

One server (token, free port) serves all tests: each notebook opens in /lab and renders, the
RISE slideshow view opens and a sample of its slides is measured like the exported decks, and
every notebook runs top to bottom on a server kernel through the REST + websocket API, the way
JupyterLab itself runs cells.
"""

import re

import pytest

from course_utils.authoring.notebooks import read_notebook, source
from course_utils.authoring.slide_plan import slide_plan

import browser_helpers as bh

NOTEBOOKS = bh.notebooks()
LOAD_TIMEOUT_MS = 90_000


def close_sessions(server, notebook):
    """Shut down the kernel that opening ``notebook`` started (other tests' kernels keep running)."""
    where = notebook.resolve().relative_to(server.root.resolve()).as_posix()
    for session in server.api("GET", "/api/sessions"):
        if session["path"] == where:
            server.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.mark.browser
@pytest.mark.jupyterlab
@pytest.mark.parametrize("notebook", bh.english_and_sample_zh(), ids=bh.label)
def test_notebook_opens_and_renders_in_jupyterlab(notebook, lab_server, lab_context, screenshot_dir):
    page = lab_context.new_page()
    already_blocked = len(lab_context.external_requests)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        # ?reset: a fresh workspace, so only this notebook is open
        where = notebook.relative_to(bh.ROOT).as_posix()
        page.goto(f"{lab_server.url}/lab/tree/{where}?reset&token={lab_server.token}")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        title = panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").first
        title.wait_for(timeout=LOAD_TIMEOUT_MS)
        assert title.inner_text().startswith(notebook.name[:2])
        # the stored outputs are shown, and the maths is typeset by JupyterLab's MathJax
        panel.locator(".jp-OutputArea-output").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        first_cells = "".join(source(c) for c in read_notebook(notebook).cells[:4])
        if re.search(r"\$[^$]+\$", first_cells):
            panel.locator("mjx-container").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").first.inner_text()
        # jupyterlab_rise's "Render as Reveal Slideshow" button is in the notebook toolbar
        assert panel.locator('[data-command="RISE:preview"]').count() == 1
        page.screenshot(path=str(screenshot_dir / f"lab_{bh.label(notebook)}.png"))
        assert errors == [], "JupyterLab logged errors in the browser console"
        assert lab_context.external_requests[already_blocked:] == [], "JupyterLab tried to reach the internet"
    finally:
        page.close()
        close_sessions(lab_server, notebook)  # opening a notebook starts a kernel


@pytest.mark.browser
@pytest.mark.jupyterlab
def test_rise_slideshow_view_opens(lab_server, lab_context, screenshot_dir):
    notebook = NOTEBOOKS[0]
    plan = slide_plan(notebook)
    page = lab_context.new_page()
    already_blocked = len(lab_context.external_requests)
    try:
        page.goto(f"{lab_server.url}/rise/notebooks/{notebook.name}?token={lab_server.token}")
        page.locator(".reveal.ready").wait_for(state="attached", timeout=LOAD_TIMEOUT_MS)
        counts = page.evaluate("""() => ({
            horizontal: document.querySelectorAll('.reveal .slides > section').length,
            total: document.querySelectorAll('.reveal .slides > section > section').length,
            title: (document.querySelector('.reveal .slides section.present h1') || {}).innerText,
        })""")
        assert (counts["horizontal"], counts["total"]) == (plan.horizontal, plan.total)
        assert counts["title"].startswith(notebook.name[:2])
        page.screenshot(path=str(screenshot_dir / f"rise_{notebook.name[:2]}.png"))
        assert lab_context.external_requests[already_blocked:] == [], (
            "the RISE view tried to reach the internet; RISE's default theme 'simple' imports Google Fonts: "
            "give every notebook the metadata \"rise\": {\"theme\": \"white\", …}")
    finally:
        page.close()
        close_sessions(lab_server, notebook)


# The RISE sample: notebook 03's first nine columns (18 slides: code cells under animations, the
# tallest of the course) and notebook 06's first three (a long output, an ASCII diagram).
RISE_SAMPLE = {"03": 9, "06": 3}


@pytest.mark.browser
@pytest.mark.jupyterlab
@pytest.mark.parametrize("number", sorted(RISE_SAMPLE))
def test_rise_slides_fit_the_screen(number, lab_server, browser):
    """The rules of test_browser_decks, in RISE at 1280×720: every fragment shown, nothing moving,
    nothing below the screen, no text under 16 px (code 14 px). ``python tests/browser/measure_rise.py
    --with-settings notebooks/NN_x.ipynb`` measures every slide of a notebook the same way."""
    original = next(p for p in NOTEBOOKS if p.name.startswith(number))
    # A copy with the RISE settings (python -m course_utils.authoring.rise_settings) next to rise.css:
    # the notebooks get the settings when the lessons are merged; the copy is what RISE shows then.
    notebook = bh.rise_copies([original], bh.BUILD_DIR / "rise_check")[0]
    plan = slide_plan(notebook)
    positions = [(s.h, s.v) for s in plan.subslides if s.h < RISE_SAMPLE[number]]
    context = browser.new_context(viewport=bh.SCREEN)
    try:
        page = bh.open_rise(context, lab_server, notebook)
        measured = bh.measure_rise(page, plan, positions)
    finally:
        context.close()
        close_sessions(lab_server, notebook)
    print(f"RISE {number}: " + bh.fit_summary(measured))
    assert [(m["h"], m["v"]) for m in measured] == positions
    problems = bh.fit_report(f"RISE {number}", measured, plan, read_notebook(notebook))
    assert not problems, (f"{notebook.name} in RISE: {len(problems)} of the {len(positions)} slides measured "
                          "do not fit 1280×720 or show text too small to read:\n" + "\n".join(problems))


# tqdm's plain-text fallback of a progress bar is its first frame ("  0%|          | 0/3"):
# JupyterLab shows it when the bar's widget state is not in the notebook.
STALE_PROGRESS = re.compile(r"\b0/\d+")


@pytest.mark.browser
@pytest.mark.jupyterlab
@pytest.mark.parametrize("number", ["06", "07"])
def test_stored_training_output_shows_no_stalled_progress_bar(number, lab_server, lab_context):
    """Opened without running, the training notebooks must not show a progress bar stuck at 0/n.

    The committed outputs must show the finished run: the final bars and `fit`'s table per epoch.
    """
    notebook = next(p for p in NOTEBOOKS if p.name.startswith(number))
    page = lab_context.new_page()
    try:
        where = notebook.relative_to(bh.ROOT).as_posix()
        page.goto(f"{lab_server.url}/lab/tree/{where}?reset&token={lab_server.token}")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.locator(".jp-OutputArea-output").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # widget views render after the page settles
        outputs = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')).map(o => o.textContent)""")
    finally:
        page.close()
        close_sessions(lab_server, notebook)
    stalled = [re.sub(r"\s+", " ", text).strip()[:100] for text in outputs if STALE_PROGRESS.search(text)]
    assert outputs and not stalled, (f"{notebook.name} shows {len(stalled)} progress output(s) stuck at 0/n "
                                     "when opened in JupyterLab:\n" + "\n".join(stalled))


@pytest.mark.jupyterlab
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notebook_runs_on_a_server_kernel(notebook, kernel_runs, record_property):
    result = kernel_runs(notebook)
    record_property("kernel_seconds", round(result["seconds"], 1))
    assert result["cells"] > 0
    assert result["errors"] == [], f"{notebook.name}:\n" + "\n".join(result["errors"])
