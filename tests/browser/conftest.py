"""Fixtures for the browser tests: Chromium through Playwright, the exported decks, a JupyterLab server.

Tests that need a browser are skipped (with the reason) only when no Chromium binary or no
Playwright package is found. Everything else that goes wrong (npm cannot fetch reveal.js, the
server does not start) fails, because then the slides or the lab really are broken.

These tests run after the rest of the suite (see ``pytest_collection_modifyitems``), so a plain
``pytest`` reports the unit tests and nbval first.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import browser_helpers as bh

HERE = Path(__file__).resolve().parent
# Two kernels at a time, one thread each: the CI machine has two cores.
KERNEL_WORKERS = max(1, min(2, os.cpu_count() or 1))


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: needs Chromium (Debian's `chromium`) and the playwright package")
    config.addinivalue_line("markers", "jupyterlab: starts a JupyterLab server on localhost")


def pytest_collection_modifyitems(session, config, items):
    """Run the browser tests last, after the unit tests and the nbval run of the notebooks."""
    def is_browser_test(item):
        return Path(str(item.fspath)).resolve().is_relative_to(HERE)

    items.sort(key=is_browser_test)  # stable: keeps the order within each group


# --------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="session")
def chromium_path():
    path = bh.find_chromium()
    if path is None:
        pytest.skip("no Chromium found: install Debian's `chromium` (apt-get install chromium) "
                    "or set $CHROMIUM to a Chromium/Chrome binary")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install playwright "
                    "(its own browser download is not needed; the system Chromium is used)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=bh.CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    folder = bh.BUILD_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- decks


@pytest.fixture(scope="session")
def decks(browser):
    """Export every notebook of both editions to build/slides and build/slides/zh (offline; libraries
    fetched once with npm), keyed by :func:`browser_helpers.label` (``02``, ``zh-02``)."""
    from course_utils.authoring.notebooks import in_language
    from course_utils.authoring.slides import build_decks

    found = {}
    for language in ("en", "zh"):
        notebooks = bh.notebooks(language)
        if notebooks:
            out = in_language(bh.BUILD_DIR / "slides", language)
            paths = build_decks(notebooks, out, require_offline=True, log=lambda *_: None)
            found.update({bh.label(notebook): path for notebook, path in zip(notebooks, paths, strict=True)})
    return found


@pytest.fixture(scope="session")
def deck_results(browser, decks, screenshot_dir):
    """Open each deck once, offline, and keep what the tests look at.

    Two decks are in flight at a time: while one deck measures its slides (single-threaded JavaScript
    in its own renderer process), the next one loads and typesets, so both cores work. Each deck has a
    browser context of its own: a second page in the same context is drawn in the background, where
    Chromium stops the animation frames the measurement waits for. Each page measures only itself, so
    the results are the ones of one deck at a time.
    """
    order = [bh.label(notebook) for notebook in bh.both_editions()]
    measuring, cache = {}, {}

    def start(name: str) -> None:
        opened = bh.open_deck_offline(browser.new_context(viewport=bh.SCREEN), decks[name])
        page = opened.page
        page.evaluate("async () => { if (window.MathJax && MathJax.Hub) "
                      "await new Promise(resolve => MathJax.Hub.Queue(resolve)); }")
        facts = page.evaluate(bh.DECK_FACTS_JS)
        page.screenshot(path=str(screenshot_dir / f"{name}.png"))
        fonts = bh.fonts_of_first_heading(page)
        bh.start_measuring_deck(page)
        measuring[name] = {"opened": opened, "facts": facts, "fonts": fonts}

    def result(notebook: Path) -> dict:
        name = bh.label(notebook)
        if name not in cache:
            if name not in measuring:
                start(name)
            later = order[order.index(name) + 1:] if name in order else []
            following = next((n for n in later if n not in cache and n not in measuring), None)
            if following is not None:
                start(following)  # loads while `name` is still measuring
            found = measuring.pop(name)
            page = found["opened"].page
            found["measure"] = bh.finish_measuring_deck(page)
            page.context.close()
            cache[name] = found
        return cache[name]

    yield result
    for found in measuring.values():  # a deck started for a test that was deselected
        found["opened"].page.context.close()


@pytest.fixture(scope="session")
def fit_report_file():
    """Collects every deck's slide-fit report; written to build/slide_fit_report.txt at the end."""
    reports = {}
    yield reports
    if reports:
        bh.BUILD_DIR.mkdir(exist_ok=True)
        lines = [line for deck in sorted(reports) for line in reports[deck]]
        (bh.BUILD_DIR / "slide_fit_report.txt").write_text(
            f"{len(lines)} slides do not fit {bh.SCREEN['width']}×{bh.SCREEN['height']} or show text under "
            f"{bh.MIN_TEXT_PX} px (code {bh.MIN_CODE_PX} px):\n" + "\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- JupyterLab


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    state = tmp_path_factory.mktemp("jupyterlab")
    # No "get notified about Jupyter news?" toast over the notebook.
    settings = state / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    server = bh.start_lab(state, threads=1)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lab_context(browser, lab_server):
    """A browser context that may only talk to the lab server: JupyterLab must work offline."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external = []

    def only_local(route):
        if route.request.url.startswith(lab_server.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_local)
    context.external_requests = external
    yield context
    context.close()


@pytest.fixture(scope="session")
def kernel_runs(lab_server):
    """Run all notebooks on server kernels, KERNEL_WORKERS at a time, started on first use."""
    pool = ThreadPoolExecutor(max_workers=KERNEL_WORKERS)
    futures = {}

    def run(notebook: Path):
        if not futures:
            for path in bh.notebooks():
                futures[path.stem] = pool.submit(bh.run_notebook_on_server, lab_server, path)
        if notebook.stem not in futures:
            futures[notebook.stem] = pool.submit(bh.run_notebook_on_server, lab_server, notebook)
        return futures[notebook.stem].result()

    yield run
    pool.shutdown(wait=True, cancel_futures=True)
    times = {name: round(f.result()["seconds"], 1) for name, f in futures.items() if f.done() and not f.exception()}
    bh.BUILD_DIR.mkdir(exist_ok=True)
    (bh.BUILD_DIR / "kernel_seconds.json").write_text(json.dumps(times, indent=1) + "\n")
