"""Measure every slide of notebooks in RISE (JupyterLab's slideshow) at 1280×720, as the decks are measured.

    python tests/browser/measure_rise.py notebooks/03_padding_and_stride.ipynb [more notebooks]
    python tests/browser/measure_rise.py --with-settings notebooks/06_mnist_combined_model.ipynb

``--with-settings`` measures copies (in build/rise_check/) that carry the RISE settings
``python -m course_utils.authoring.rise_settings`` writes, for notebooks that do not have them yet.

Starts its own JupyterLab on a free localhost port, opens each notebook at /rise/notebooks/<name> in
headless Chromium (found as the browser tests find it), moves through the slides with the arrow keys
and prints one line per slide that reaches below the screen or shows text under 16 px (code 14 px),
with the numbers; exit status 1 when there is any. tests/browser/test_browser_jupyterlab.py runs
the same measurement on a sample of slides.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # browser_helpers, run as a script

from course_utils.authoring.notebooks import read_notebook  # noqa: E402
from course_utils.authoring.slide_plan import slide_plan  # noqa: E402

import browser_helpers as bh  # noqa: E402


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    with_settings = "--with-settings" in argv
    notebooks = [Path(a).resolve() for a in argv if a != "--with-settings"] or bh.notebooks()
    if with_settings:
        notebooks = bh.rise_copies(notebooks, bh.BUILD_DIR / "rise_check")
    chromium = bh.find_chromium()
    if chromium is None:
        print("no Chromium found: apt-get install chromium, or set $CHROMIUM", file=sys.stderr)
        return 2
    problems = []
    with tempfile.TemporaryDirectory(prefix="rise-") as state:
        server = bh.start_lab(Path(state), threads=1)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=bh.CHROMIUM_ARGS)
                for notebook in notebooks:
                    context = browser.new_context(viewport=bh.SCREEN)
                    plan = slide_plan(notebook)
                    measured = bh.measure_rise(bh.open_rise(context, server, notebook), plan)
                    context.close()
                    lines = bh.fit_report(f"RISE {notebook.name[:2]}", measured, plan, read_notebook(notebook))
                    print(f"{notebook.name}: {len(lines)} of {plan.total} slides do not fit; "
                          + bh.fit_summary(measured), flush=True)
                    print("\n".join(lines), flush=True)
                    problems += lines
                browser.close()
        finally:
            server.stop()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
