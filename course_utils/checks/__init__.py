"""Automatic checks for the exercises.

Every check prints exactly one line and never a traceback, because a learner's
honest mistake deserves a hint, not a stack dump::

    ✅ 2.1 passed
    ❌ 2.1: expected shape (1, 1, 3, 3), got (1, 1, 5, 5) — hint: …
    ⏳ 2.1 not attempted yet

An exercise is "not attempted" while its answer is still ``...`` or its
function still raises ``NotImplementedError``. The exercises of notebook NN
live in ``course_utils.checks.nbNN``; this module holds what they share.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = [
    "CheckFailed",
    "NotAttempted",
    "run_check",
    "answered",
    "call",
    "expect",
    "expect_equal",
    "expect_shape",
    "expect_close",
]


class CheckFailed(Exception):
    """The learner's answer is wrong; ``message`` says how, ``hint`` what to try."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotAttempted(Exception):
    """The learner has not filled in the exercise yet."""


def run_check(exercise_id: str, test: Callable[[], None]) -> None:
    """Run ``test`` and print one line saying whether exercise ``exercise_id`` passed."""
    try:
        test()
    except (NotAttempted, NotImplementedError):
        print(f"⏳ {exercise_id} not attempted yet")
    except CheckFailed as failure:
        hint = f" — hint: {failure.hint}" if failure.hint else ""
        print(f"❌ {exercise_id}: {failure.message}{hint}")
    except Exception as error:  # the learner's code raised: show it in one line
        print(f"❌ {exercise_id}: your code raised {type(error).__name__}: {error}")
    else:
        print(f"✅ {exercise_id} passed")


def answered(value: Any) -> Any:
    """Return ``value``, or signal "not attempted" if it is still ``...``."""
    if value is Ellipsis:
        raise NotAttempted
    return value


def call(function: Callable, *args, **kwargs) -> Any:
    """Call a learner's function; ``NotImplementedError`` means "not attempted"."""
    if function is Ellipsis or function is None:
        raise NotAttempted
    try:
        return function(*args, **kwargs)
    except (NotImplementedError, NotAttempted):
        raise NotAttempted from None
    except Exception as error:
        raise CheckFailed(
            f"your function raised {type(error).__name__}: {error}",
            "run it on the example above and read the error message",
        ) from None


def expect(condition: bool, message: str, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message, hint)


def expect_equal(actual: Any, expected: Any, what: str = "answer", hint: str | None = None) -> None:
    """Fail unless ``actual == expected`` (plain Python values)."""
    if actual != expected:
        raise CheckFailed(f"expected {what} {expected!r}, got {actual!r}", hint)


def _shape_of(value: Any) -> tuple:
    shape = getattr(value, "shape", None)
    if shape is None:
        raise CheckFailed(f"expected a tensor, got {type(value).__name__}", "return a torch.Tensor")
    return tuple(shape)


def expect_shape(actual: Any, expected: tuple, what: str = "shape", hint: str | None = None) -> None:
    """Fail unless the tensor ``actual`` has shape ``expected``."""
    got = _shape_of(actual)
    if got != tuple(expected):
        raise CheckFailed(f"expected {what} {tuple(expected)}, got {got}", hint)


def expect_close(
    actual: Any,
    expected: Any,
    what: str = "values",
    atol: float = 1e-5,
    hint: str | None = None,
) -> None:
    """Fail unless tensor ``actual`` has ``expected``'s shape and values (within ``atol``)."""
    import torch

    expect_shape(actual, tuple(expected.shape), what=f"{what} of shape", hint=hint)
    if not torch.allclose(actual.double(), expected.double(), atol=atol, rtol=0):
        worst = (actual.double() - expected.double()).abs().max().item()
        raise CheckFailed(f"{what} differ from the expected ones by up to {worst:.3g}", hint)
