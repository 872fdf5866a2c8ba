"""Reading notebooks, for the authoring tools and the tests: one loader and one ``source``.

Everything that reads a course notebook (the slide exporter, ``tests/notebook_lint.py``,
the browser tests, the benchmark) goes through :func:`read_notebook`, which uses
``nbformat``: the same reader JupyterLab and nbconvert use, so a notebook they cannot
read fails here too, with nbformat's message.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_notebook", "source"]


def read_notebook(notebook):
    """The notebook ``notebook`` as an ``nbformat.NotebookNode`` (format version 4).

    Args:
        notebook: the path of an ``.ipynb`` file (``str`` or ``Path``), or a notebook
            already in memory: a ``NotebookNode`` is returned as it is (not copied, not
            validated, so a test may hand in a deliberately broken one), a plain ``dict``
            (``json.load``) is wrapped with ``nbformat.from_dict``.

    Raises:
        ValueError: if the path is not an existing ``.ipynb`` file.
        TypeError: if ``notebook`` is neither a path nor a notebook.
    """
    import nbformat

    if isinstance(notebook, nbformat.NotebookNode):
        return notebook
    if isinstance(notebook, dict):
        return nbformat.from_dict(notebook)
    if isinstance(notebook, (str, Path)):
        path = Path(notebook)
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebook: expected an existing .ipynb file, got {str(path)!r}; "
                             "pass the path of a notebook, e.g. notebooks/00_shapes_and_notation.ipynb")
        return nbformat.read(path, as_version=4)
    raise TypeError(f"notebook: expected a path or a notebook dict, got {type(notebook).__name__}; "
                    "pass the path of an .ipynb file")


def source(cell) -> str:
    """A cell's source as one string.

    ``nbformat.read`` already joins the list of lines a file stores; a cell built by hand
    (a ``dict`` from ``json.load``, a test's fixture) may still hold the list.
    """
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text
