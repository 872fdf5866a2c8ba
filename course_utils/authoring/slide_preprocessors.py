"""The nbconvert preprocessors that prepare a course notebook for a self-contained deck.

nbconvert runs every preprocessor registered on an exporter over a copy of the notebook
before its template renders it (https://nbconvert.readthedocs.io/en/latest/api/preprocessors.html);
the notebook file is never touched. :mod:`course_utils.authoring.slides` registers these three
on its ``SlidesExporter``, in this order:

* :class:`EmbedLocalImages`: figures the notebook shows from ``../figures`` become ``data:``
  URLs (nbconvert's own ``embed_images`` only embeds files below the notebook's folder);
* :class:`LinkSiblingDecks`: links to sibling notebooks (``02_x.ipynb``) point at their decks;
* :class:`StaticWidgets`: widget outputs (tqdm progress bars) become static HTML drawn from
  the widget state saved in the notebook, since a deck has no kernel and no widget manager.

Each counts what it changed in ``resources["course_slides"]`` (the exporter logs it).
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

from course_utils.authoring.notebooks import repository_folder

__all__ = ["EmbedLocalImages", "LinkSiblingDecks", "StaticWidgets", "PREPROCESSORS"]


def _notebook_dir(resources) -> Path:
    """The notebook's folder, which nbconvert passes as ``resources["metadata"]["path"]``."""
    path = (resources.get("metadata") or {}).get("path")
    if not path:
        raise ValueError("resources['metadata']['path'] is missing: export with "
                         "resources={'metadata': {'path': <the notebook's folder>}} so relative links resolve")
    return Path(path).resolve()


def _count(resources, what: str, n: int) -> None:
    counts = resources.setdefault("course_slides", {})
    counts[what] = counts.get(what, 0) + n


# Markdown images ![alt](path "title") and HTML <img src="path">, with a path relative to the notebook.
_MARKDOWN_IMAGE = re.compile(r'(!\[[^\]]*\]\(\s*<?)([^)\s>]+)(>?(?:\s+"[^"]*")?\s*\))')
_HTML_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=["\'])([^"\']+)(["\'])', re.IGNORECASE)
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class EmbedLocalImages(Preprocessor):
    """Replace relative image paths in markdown cells by ``data:`` URLs, so the deck carries its figures.

    Only files below :attr:`root` are embedded (by default the repository: the notebook folder's
    parent, or its grandparent for a translated edition in ``notebooks/<language>/``); URLs, absolute
    paths, anchors and missing files are left as they are.
    """

    root = Unicode("", help="Embed only files below this folder (default: the repository above notebooks/)."
                   ).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "markdown":
            return cell, resources
        notebook_dir = _notebook_dir(resources)
        root = Path(self.root).resolve() if self.root else repository_folder(notebook_dir)
        embedded = 0

        def data_url(match):
            nonlocal embedded
            src = match.group(2)
            if _URL_SCHEME.match(src) or src.startswith(("/", "#")):
                return match.group(0)  # a URL, an absolute path or an anchor: not ours to embed
            path = (notebook_dir / src.split("?")[0]).resolve()
            if not path.is_file() or not path.is_relative_to(root):
                return match.group(0)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            embedded += 1
            encoded = base64.b64encode(path.read_bytes()).decode("ascii")
            return f"{match.group(1)}data:{mime};base64,{encoded}{match.group(3)}"

        cell.source = _HTML_IMAGE.sub(data_url, _MARKDOWN_IMAGE.sub(data_url, cell.source))
        _count(resources, "embedded images", embedded)
        return cell, resources


# A markdown link to another notebook of the course: [text](NN_name.ipynb) or (NN_name.ipynb#anchor).
_NOTEBOOK_LINK = re.compile(r"(\]\(\s*)([\w.-]+)\.ipynb(#[^)\s]*)?(\s*\))")


class LinkSiblingDecks(Preprocessor):
    """Point markdown links to sibling notebooks at their decks (``02_x.ipynb`` → ``02_x.slides.html``).

    Links to notebooks that do not exist next to this one are left alone.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "markdown":
            return cell, resources
        notebook_dir = _notebook_dir(resources)
        linked = 0

        def deck_link(match):
            nonlocal linked
            if not (notebook_dir / f"{match.group(2)}.ipynb").is_file():
                return match.group(0)
            linked += 1
            return f"{match.group(1)}{match.group(2)}.slides.html{match.group(3) or ''}{match.group(4)}"

        cell.source = _NOTEBOOK_LINK.sub(deck_link, cell.source)
        _count(resources, "links to decks", linked)
        return cell, resources


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


class StaticWidgets(Preprocessor):
    """Turn widget outputs into static HTML from the widget state saved in the notebook.

    A tqdm progress bar, for example, stores the text of its *first* frame (``0%|``) as its
    plain-text fallback, while the saved widget state holds the last one. Widgets without
    saved state become a short note. The state itself is then dropped from the notebook's
    metadata: the deck has nothing left to render it with.
    """

    def preprocess(self, nb, resources):
        states = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
        replaced = 0
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                view = output.get("data", {}).get(_WIDGET_VIEW)
                if view is None:
                    continue
                rendered = _widget_html(view.get("model_id", ""), states)
                output["data"] = {"text/html": rendered or _NO_WIDGET_STATE}
                replaced += 1
        nb.metadata.pop("widgets", None)
        _count(resources, "static widgets", replaced)
        return nb, resources


#: What :mod:`course_utils.authoring.slides` registers on its exporter, in order.
PREPROCESSORS = (EmbedLocalImages, LinkSiblingDecks, StaticWidgets)
