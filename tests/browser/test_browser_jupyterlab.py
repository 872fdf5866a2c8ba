"""The course as a learner and a teacher meet it: JupyterLab on localhost, in headless Chromium.

One server (token, free port) serves all tests: each notebook opens in /lab and renders, the
RISE slideshow view opens, and every notebook runs top to bottom on a server kernel through the
REST + websocket API, the way JupyterLab itself runs cells.
"""

import json
import re

import pytest

import browser_helpers as bh
from course_utils.slides import slide_plan

NOTEBOOKS = bh.notebooks()
LOAD_TIMEOUT_MS = 90_000


def close_sessions(server, notebook):
    """Shut down the kernel that opening ``notebook`` started (other tests' kernels keep running)."""
    for session in server.api("GET", "/api/sessions"):
        if session["path"] == f"notebooks/{notebook.name}":
            server.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.mark.browser
@pytest.mark.jupyterlab
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notebook_opens_and_renders_in_jupyterlab(notebook, lab_server, lab_context, screenshot_dir):
    page = lab_context.new_page()
    already_blocked = len(lab_context.external_requests)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        # ?reset: a fresh workspace, so only this notebook is open
        page.goto(f"{lab_server.url}/lab/tree/notebooks/{notebook.name}?reset&token={lab_server.token}")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        title = panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").first
        title.wait_for(timeout=LOAD_TIMEOUT_MS)
        assert title.inner_text().startswith(notebook.name[:2])
        # the stored outputs are shown, and the maths is typeset by JupyterLab's MathJax
        panel.locator(".jp-OutputArea-output").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        first_cells = "".join("".join(c["source"]) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"][:4])
        if re.search(r"\$[^$]+\$", first_cells):
            panel.locator("mjx-container").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").first.inner_text()
        # jupyterlab_rise's "Render as Reveal Slideshow" button is in the notebook toolbar
        assert panel.locator('[data-command="RISE:preview"]').count() == 1
        page.screenshot(path=str(screenshot_dir / f"lab_{notebook.name[:2]}.png"))
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


@pytest.mark.jupyterlab
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notebook_runs_on_a_server_kernel(notebook, kernel_runs, record_property):
    result = kernel_runs(notebook)
    record_property("kernel_seconds", round(result["seconds"], 1))
    assert result["cells"] > 0
    assert result["errors"] == [], f"{notebook.name}:\n" + "\n".join(result["errors"])
