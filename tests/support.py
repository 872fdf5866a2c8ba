"""Small helpers several test modules share (pytest puts this folder on ``sys.path``)."""

import contextlib
import io


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
