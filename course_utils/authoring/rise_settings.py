"""Make RISE (JupyterLab's live slideshow, Alt+R) show each slide as the exported deck does.

Usage::

    python -m course_utils.authoring.rise_settings            # write the settings into notebooks/*.ipynb
    python -m course_utils.authoring.rise_settings --check    # exit 1 and list the notebooks that lack them

RISE lays a notebook out with JupyterLab's own sizes (prose 14 px, code 13 px) and, unlike the
decks of :mod:`.slides`, scrolls a slide that is taller than 95 % of the window. Two things, both
read by the installed ``jupyterlab_rise``, make it match the decks:

1. ``notebooks/rise.css``: RISE loads ``rise.css`` from the notebook's folder (then
   ``<notebook name>.css``), https://rise.readthedocs.io/en/latest/customize.html. It gives the
   slides the decks' font sizes and layout and, against RISE's own ``width: 100% !important``,
   the slide box the size reveal.js computes its scale for: without it a screen larger than
   1280×720 scaled a window-wide box up and the slide ran off the right edge.
2. each notebook's ``metadata.rise`` (:data:`RISE_SETTINGS`, written by this command): the
   reveal.js settings RISE passes on, equal to the decks' — a 1280×720 slide, reveal.js's default
   margin (0.04) and minimum scale (0.2, so a small screen shrinks the slide instead of cutting
   it) — and no scrolling, since a slide that does not fit is a bug the fit tests report.

The command changes nothing else in a notebook (nbformat writes it back byte for byte otherwise).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from course_utils.authoring.notebooks import read_notebook
from course_utils.authoring.slides import DEFAULT_SIZE, default_notebooks

__all__ = ["RISE_SETTINGS", "RISE_CSS_NAME", "settings_problems", "apply_settings", "css_box_size", "main"]

#: What every notebook's ``metadata.rise`` must hold (other keys are left as they are).
RISE_SETTINGS = {
    "width": DEFAULT_SIZE[0],
    "height": DEFAULT_SIZE[1],
    "margin": 0.04,  # reveal.js's default, which the exported decks use
    "minScale": 0.2,  # reveal.js's default; RISE's own 1.0 never shrinks a slide on a small screen
    "scroll": False,  # as the decks (slides.py: reveal_scroll = False)
    "theme": "white",  # RISE's default "simple" imports Google Fonts: not offline
}
#: The stylesheet RISE loads from the notebooks' folder.
RISE_CSS_NAME = "rise.css"

_BOX_RULE = re.compile(r"\.jp-Notebook\.slides\s*\{[^}]*?width:\s*(\d+)px[^}]*?height:\s*(\d+)px", re.DOTALL)


def settings_problems(notebook) -> list[str]:
    """What differs from :data:`RISE_SETTINGS` in ``notebook``'s ``metadata.rise`` (empty when nothing)."""
    rise = read_notebook(notebook).get("metadata", {}).get("rise") or {}
    return [f"metadata.rise.{key} is {rise.get(key, '<missing>')!r}, expected {value!r}"
            for key, value in RISE_SETTINGS.items() if rise.get(key, object()) != value]


def apply_settings(path) -> bool:
    """Write :data:`RISE_SETTINGS` into the notebook file ``path``; return whether it changed."""
    import nbformat

    path = Path(path)
    nb = read_notebook(path)
    if not settings_problems(nb):
        return False
    nb.metadata.setdefault("rise", {}).update(RISE_SETTINGS)
    nbformat.write(nb, path)
    return True


def css_box_size(css_path) -> tuple[int, int]:
    """The slide box (width, height) in pixels that ``rise.css`` gives RISE's ``.jp-Notebook.slides``.

    Raises:
        ValueError: if the file has no such rule.
    """
    match = _BOX_RULE.search(Path(css_path).read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"css_path: {css_path} has no `.jp-Notebook.slides {{ width: …px; height: …px }}` rule; "
                         "RISE then stretches the slide box to the window and scales it past the screen")
    return int(match.group(1)), int(match.group(2))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.authoring.rise_settings",
                                     description="Give every notebook the RISE settings that match the decks.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook lacks them")
    args = parser.parse_args(argv)
    paths = args.notebooks or default_notebooks()
    if not paths:
        print("error: notebooks: none given and no notebooks/*.ipynb found; run from the repository root",
              file=sys.stderr)
        return 2
    stale = {path: settings_problems(path) for path in paths}
    stale = {path: problems for path, problems in stale.items() if problems}
    if args.check:
        for path, problems in stale.items():
            print(f"{path}: " + "; ".join(problems))
        if stale:
            print("run: python -m course_utils.authoring.rise_settings", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        apply_settings(path)
        print(f"{path}: RISE settings written")
    print(f"{len(stale)} of {len(paths)} notebooks changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
