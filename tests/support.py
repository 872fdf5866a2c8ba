"""Small helpers several test modules share (pytest puts this folder on ``sys.path``)."""

import contextlib
import io
from pathlib import Path

from course_utils.authoring.notebooks import SOURCE_LANGUAGE

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def printed(checker, *answers) -> str:
    """The one line a checker prints for these answers; a checker never lets a traceback through."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        checker(*answers)
    out = buffer.getvalue()
    assert out.count("\n") == 1 and out.endswith("\n") and "Traceback" not in out, out
    return out.strip()


def texts(ax) -> list[str]:
    """The strings drawn on a matplotlib Axes, in drawing order."""
    return [text.get_text() for text in ax.texts]


def edition_language(notebook) -> str:
    """The edition a notebook file belongs to, read from its folder: ``en`` for notebooks/NN_name.ipynb,
    ``zh`` for notebooks/zh/NN_name.ipynb."""
    folder = Path(notebook).resolve().parent
    return SOURCE_LANGUAGE if folder == NOTEBOOK_DIR else folder.name


def label(notebook) -> str:
    """A short name for a notebook in test ids and file names: ``02`` or, in the Chinese edition, ``zh-02``."""
    number = Path(notebook).name[:2]
    language = edition_language(notebook)
    return number if language == SOURCE_LANGUAGE else f"{language}-{number}"
