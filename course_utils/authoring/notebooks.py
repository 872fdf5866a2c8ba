"""Reading notebooks, for the authoring tools and the tests: one loader and one ``source``.

Everything that reads a course notebook (the slide exporter, ``tests/notebook_lint.py``,
the browser tests, the benchmark) goes through :func:`read_notebook`, which uses
``nbformat``: the same reader JupyterLab and nbconvert use, so a notebook they cannot
read fails here too, with nbformat's message.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_notebook", "source", "LANGUAGES", "SOURCE_LANGUAGE", "check_language",
           "notebook_language", "in_language", "repository_folder"]


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


# --------------------------------------------------------------------------- the course's languages
#
# The English notebooks in notebooks/ are the source; a translated edition is generated into
# notebooks/<language>/ (course_utils/authoring/translate.py), and every output the authoring
# tools write for it goes into a <language>/ folder beside the English one (build/slides/zh/, …).

#: The editions of the course: language code → its name. "en" is the source.
LANGUAGES = {"en": "English", "zh": "简体中文"}
SOURCE_LANGUAGE = "en"


def notebook_language(nb) -> str:
    """The language a course notebook is written in: its ``metadata.language``, set by the translation
    generator, or English (the source notebooks carry no such key)."""
    return check_language(nb.get("metadata", {}).get("language", SOURCE_LANGUAGE))


def check_language(language) -> str:
    """``language`` if it is one of :data:`LANGUAGES`, else a ``ValueError`` that lists them."""
    if language not in LANGUAGES:
        raise ValueError(f"language: expected one of {', '.join(map(repr, LANGUAGES))}, got {language!r}; "
                         "the English notebooks are 'en', the Chinese edition 'zh'")
    return language


def in_language(folder, language) -> Path:
    """Where ``language``'s edition of ``folder`` lives: ``folder`` itself for English, else ``folder/<language>``.

    ``in_language("notebooks", "zh")`` is ``notebooks/zh``; ``in_language("build/slides", "zh")`` is
    ``build/slides/zh``.
    """
    folder = Path(folder)
    return folder if check_language(language) == SOURCE_LANGUAGE else folder / language


def repository_folder(notebook_dir) -> Path:
    """The folder a notebook's relative links may reach: the repository above ``notebooks/``.

    That is the notebook folder's parent for the English notebooks (``notebooks/``) and its
    grandparent for a translated edition (``notebooks/zh/``), whose figures are ``../../figures``.
    """
    notebook_dir = Path(notebook_dir).resolve()
    if notebook_dir.name in LANGUAGES and notebook_dir.parent.name == "notebooks":
        return notebook_dir.parent.parent
    return notebook_dir.parent
