"""Export the course notebooks as reveal.js slide decks that work offline.

Usage::

    python -m course_utils.authoring.slides                     # every notebooks/*.ipynb -> build/slides/
    python -m course_utils.authoring.slides --out build/slides notebooks/02_conv2d_by_hand.ipynb
    python -m course_utils.authoring.slides --cdn               # small decks that load reveal.js from a CDN
    python -m course_utils.authoring.slides --language zh       # notebooks/zh/*.ipynb -> build/slides/zh/

Each notebook becomes ``<out>/<name>.slides.html`` (open it in a browser; arrow keys move,
``S`` opens the speaker notes, ``Esc`` the overview) and ``<out>/index.html`` links them all.

How a deck is made, step by step (each step has one home):

1. **JavaScript** (:mod:`.vendor`): the decks load reveal.js, RequireJS, jQuery and MathJax.
   ``package.json`` / ``package-lock.json`` at the repository root pin them; ``npm ci`` installs
   them into ``node_modules/`` (once; checksums checked by npm) and the files a deck loads are
   copied into ``<out>/_vendor/``. Without npm the decks point at the same versions on a CDN,
   and the command says so: such decks need a connection when shown.
2. **Slides** (:mod:`.slide_plan`): which cells make which slide is nbconvert's rule, driven by
   each cell's ``slideshow.slide_type``; :func:`~.slide_plan.slide_plan` computes it without a
   browser, and the browser tests compare it with what reveal.js counts.
3. **Preparing each notebook** (:mod:`.slide_preprocessors`): nbconvert ``Preprocessor`` classes,
   registered on the exporter below, embed the ``../figures`` images, point links to sibling
   notebooks at their decks and turn widget outputs into static HTML.
4. **Rendering** (:func:`export_deck` and ``slides_template/``): nbconvert's ``SlidesExporter``
   with the template in ``course_utils/authoring/slides_template``, which extends nbconvert's
   ``reveal`` template: it drops the CDN-only blocks (mermaid, widget loader), styles headings,
   code and tables, and exposes ``window.Reveal``. The exporter's settings below hide the
   ``In [n]:`` prompts, use the ``white`` theme (its fonts ship with reveal.js; the default
   ``simple`` theme imports Google Fonts) and size the slides as the notebooks' ``rise``
   metadata asks (1280×720 by default, the size RISE uses for them in JupyterLab).
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from course_utils.authoring import vendor
from course_utils.authoring.notebooks import (
    LANGUAGES,
    check_language,
    in_language,
    notebook_language,
    read_notebook,
)
from course_utils.authoring.slide_plan import SlidePlan, slide_plan
from course_utils.authoring.slide_preprocessors import PREPROCESSORS

__all__ = ["DEFAULT_OUT", "DEFAULT_SIZE", "export_deck", "build_decks", "default_notebooks", "main"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "slides_template"
DEFAULT_OUT = Path("build") / "slides"
DEFAULT_SIZE = (1280, 720)  # a projector's 16:9 screen; notebooks may say otherwise in metadata.rise
VENDOR_DIR_NAME = "_vendor"


def _deck_size(nb) -> tuple[int, int]:
    rise = nb.get("metadata", {}).get("rise", {}) or {}
    size = []
    for key, default in zip(("width", "height"), DEFAULT_SIZE, strict=True):
        value = rise.get(key, default)
        # RISE also accepts "100%"; a static deck needs pixels, so keep the default then
        size.append(int(value) if isinstance(value, (int, float)) or str(value).isdigit() else default)
    return size[0], size[1]


def _exporter(urls: dict, width: int, height: int, language: str = "en"):
    """nbconvert's ``SlidesExporter`` with the course template, settings and preprocessors."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    settings = config.SlidesExporter
    settings.extra_template_basedirs = [str(TEMPLATE_DIR.parent)]
    settings.template_name = TEMPLATE_DIR.name
    settings.reveal_url_prefix = urls["reveal.js"]
    settings.require_js_url = urls["requirejs"]
    settings.jquery_url = urls["jquery"]
    settings.mathjax_url = urls["mathjax"]
    # <html lang="zh">: a browser then draws the characters CJK fonts share with Japanese in their Chinese
    # forms. nbconvert accepts ISO 639-1 codes only (it replaces "zh-CN" by "en"), and "zh" is one.
    settings.language_code = language
    settings.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" imports Google fonts
    settings.reveal_transition = "slide"
    settings.reveal_number = "c/t"
    settings.reveal_width = str(width)
    settings.reveal_height = str(height)
    settings.reveal_scroll = False  # a slide that does not fit is a bug to fix, not to scroll
    settings.exclude_input_prompt = True  # "In [7]:" costs 110 px of every code line
    settings.exclude_output_prompt = True
    settings.embed_images = True  # images next to the notebook (../figures: EmbedLocalImages)
    settings.preprocessors = list(PREPROCESSORS)  # registered and enabled, after nbconvert's own
    return SlidesExporter(config=config)


def export_deck(notebook, out_dir, urls: dict) -> tuple[Path, dict]:
    """Write ``<out_dir>/<notebook name>.slides.html``; return its path and what the preprocessors did.

    Args:
        notebook: path of an ``.ipynb`` file.
        out_dir: folder for the deck (created if needed).
        urls: where the deck loads its libraries from, keyed by npm package name
            (``reveal.js``, ``requirejs``, ``jquery``, ``mathjax``), as made by :func:`.vendor.asset_urls`.

    Returns:
        ``(path, counts)``; ``counts`` says how many images were embedded, links pointed at
        decks and widgets made static.
    """
    path = Path(notebook)
    nb = read_notebook(path)
    missing = [p.name for p in vendor.VENDOR_FILES if p.name not in urls]
    if missing:
        raise ValueError(f"urls: no URL for {', '.join(missing)}; build them with vendor.asset_urls()")
    exporter = _exporter(urls, *_deck_size(nb), language=notebook_language(nb))
    resources = {"metadata": {"name": path.stem, "path": str(path.parent.resolve())}}
    body, resources = exporter.from_notebook_node(nb, resources=resources)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target, dict(resources.get("course_slides", {}))


def default_notebooks(language: str = "en") -> list[Path]:
    """``notebooks/*.ipynb`` (``notebooks/zh/*.ipynb`` for ``language="zh"``) of the repository this
    package lives in, else of the current folder."""
    for folder in (vendor.PROJECT_DIR / "notebooks", Path.cwd() / "notebooks"):
        found = sorted(in_language(folder, language).glob("*.ipynb"))
        if found:
            return found
    return []


def _write_index(out: Path, decks: list[tuple[Path, SlidePlan]]) -> Path:
    rows = "\n".join(
        f'<li><a href="{html.escape(deck.name)}">{html.escape(plan.subslides[0].title)}</a> '
        f"— {plan.total} slides</li>"
        for deck, plan in decks
    )
    index = out / "index.html"
    index.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>PyTorch Building Blocks — slides"
        "</title></head>\n<body style=\"font-family: sans-serif; max-width: 50em; margin: 2em auto\">\n"
        "<h1>PyTorch Building Blocks — slides</h1>\n<p>Arrow keys move, <kbd>S</kbd> opens the speaker notes, "
        f"<kbd>Esc</kbd> the overview, <kbd>F</kbd> full screen.</p>\n<ul>\n{rows}\n</ul>\n</body></html>\n",
        encoding="utf-8",
    )
    return index


def _library_prefix(out: Path, offline: bool, require_offline: bool, npm: str | None,
                    project_dir: Path, log) -> str | None:
    """``"_vendor"`` once the libraries are copied next to the decks, or None for the CDN."""
    if not offline:
        return None
    node_modules = vendor.installed_node_modules(project_dir, npm=npm, log=log)
    if node_modules is not None:
        vendor.vendor_files(node_modules, out / VENDOR_DIR_NAME, project_dir, log=log)
        return VENDOR_DIR_NAME
    if require_offline:
        raise RuntimeError(f"offline decks need npm to install reveal.js once, and {npm!r} was not found; "
                           "install Node.js/npm (e.g. apt-get install npm) and run again")
    print("WARNING: npm was not found, so reveal.js, RequireJS, jQuery and MathJax could not be installed. "
          "The decks load them from the unpkg CDN instead and NEED AN INTERNET CONNECTION when shown. "
          "Install Node.js/npm and run again for decks that work offline.", file=sys.stderr)
    return None


def build_decks(notebooks=None, out_dir=DEFAULT_OUT, offline: bool = True, npm: str | None = "npm",
                require_offline: bool = False, project_dir=vendor.PROJECT_DIR, language: str = "en",
                log=print) -> list[Path]:
    """Export one deck per notebook into ``out_dir`` and return the decks' paths.

    Args:
        notebooks: ``.ipynb`` paths; default every notebook of ``language``'s edition
            (:func:`default_notebooks`: ``notebooks/*.ipynb``, ``notebooks/zh/*.ipynb``).
        out_dir: output folder; ``<out_dir>/_vendor`` receives the libraries.
        offline: install the libraries with npm and copy them next to the decks (True), or point
            the decks at the CDN (False).
        npm: the npm executable to use.
        require_offline: raise ``RuntimeError`` instead of falling back to the CDN.
        project_dir: the folder with ``package.json`` and ``package-lock.json`` (the repository).
        language: the edition whose notebooks are the default (``"en"`` or ``"zh"``).
    """
    if require_offline and not offline:
        raise ValueError("offline=False contradicts require_offline=True")
    paths = default_notebooks(check_language(language)) if notebooks is None else [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks: none given and no notebooks/*.ipynb found; "
                         "pass notebook paths or run from the repository root")
    plans = [slide_plan(path) for path in paths]  # checks every notebook before any work
    out = Path(out_dir)
    prefix = _library_prefix(out, offline, require_offline, npm, Path(project_dir), log)
    urls = vendor.asset_urls(prefix, project_dir)
    decks = []
    for path, plan in zip(paths, plans, strict=True):
        deck, counts = export_deck(path, out, urls)
        decks.append((deck, plan))
        done = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        log(f"{deck}: {plan.total} slides ({plan.horizontal} across), {plan.fragments} fragments, "
            f"{plan.notes} speaker notes, {plan.skipped} cells skipped" + (f"; {done}" if done else ""))
    _write_index(out, decks)
    return [deck for deck, _ in decks]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.authoring.slides",
        description="Export notebooks as reveal.js slide decks (offline: libraries installed with npm ci).",
    )
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to export (default: every notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, help="output folder (default: build/slides, build/slides/zh for zh)")
    parser.add_argument("--language", choices=sorted(LANGUAGES), default="en",
                        help="the edition to export when no notebooks are given (default: en)")
    parser.add_argument("--cdn", action="store_true",
                        help="install nothing; the decks load reveal.js etc. from the CDN when shown")
    args = parser.parse_args(argv)
    try:
        out = args.out or in_language(DEFAULT_OUT, args.language)
        build_decks(args.notebooks or None, out, offline=not args.cdn, language=args.language)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
