"""The ``expect`` helpers a checker body is written with.

Each raises :class:`CheckFailed` with a translatable message when its expectation
fails. The ``as_*`` helpers accept every correct *form* of an answer (a list or a
tuple or a ``torch.Size``; Python, NumPy or 0-d tensor integers) and return it
normalised, so a checker compares values, never spellings.
"""

from __future__ import annotations

from typing import Any

import torch

from course_utils._validate import _is_int, instance, number, positive_int

from ._errors import CheckFailed, WrongForm
from ._i18n import Message, msg
from ._mistakes import module_mistake

__all__ = ["shown", "expect", "expect_equal", "expect_shape", "expect_close", "expect_module", "as_int", "as_shape"]


def shown(value: Any) -> str:
    """A short, machine-independent description of an answer for a message (no memory addresses)."""
    if isinstance(value, torch.Tensor) and value.dim() > 0:
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, torch.nn.Module):
        return f"an {type(value).__name__} module"
    if callable(value) and hasattr(value, "__name__"):
        return f"the {'class' if isinstance(value, type) else 'function'} {value.__name__}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def expect(condition: bool, message: Message, hint: Message | None = None) -> None:
    """Fail with ``message`` (and ``hint``) unless ``condition`` holds."""
    _messages(message=message, hint=hint)
    if not condition:
        raise CheckFailed(message, hint)


def _messages(**messages: Any) -> None:
    """Refuse a plain string where a :class:`Message` belongs (it could not be translated)."""
    for name, value in messages.items():
        if value is not None or name == "message":
            instance(name, value, Message, "a Message made with msg('…')")


def expect_equal(actual: Any, expected: Any, what: Message | None = None, hint: Message | None = None) -> None:
    """Fail unless ``actual == expected`` (plain Python values); an answer that cannot be compared is
    of the wrong form (a tensor of several numbers, whose ``!=`` has no single truth value)."""
    try:
        different = bool(actual != expected)
    except (RuntimeError, TypeError, ValueError):
        raise WrongForm from None
    if different:
        raise CheckFailed(msg("expected {what} {expected!r}, got {actual!r}",
                              what=what or msg("answer"), expected=expected, actual=actual), hint)


def _shape_of(value: Any) -> tuple:
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(msg("expected a tensor, got {kind}", kind=type(value).__name__),
                          msg("return a torch.Tensor"))
    return tuple(value.shape)


def expect_shape(actual: Any, expected: tuple, what: Message | None = None, hint: Message | None = None) -> None:
    """Fail unless the tensor ``actual`` has shape ``expected``."""
    instance("expected", expected, (tuple, list, torch.Size), "a shape such as (2, 3)")
    got = _shape_of(actual)
    if got != tuple(expected):
        raise CheckFailed(msg("expected {what} {expected}, got {got}",
                              what=what or msg("shape"), expected=tuple(expected), got=got), hint)


def expect_close(actual: Any, expected: torch.Tensor, what: Message | None = None, atol: float = 1e-5,
                 hint: Message | None = None) -> None:
    """Fail unless tensor ``actual`` has ``expected``'s shape and values (within ``atol``)."""
    atol = number("atol", atol, minimum=0)
    what = what or msg("values")
    expect_shape(actual, tuple(expected.shape), msg("{what} of shape", what=what), hint)
    difference = (actual.detach().double() - expected.detach().double()).abs()
    if not bool((difference <= atol).all()):
        worst = difference.nan_to_num(float("inf")).max().item()
        raise CheckFailed(msg("{what} differ from the expected ones by up to {worst:.3g}", what=what, worst=worst),
                          hint)


def expect_module(value: Any, name: str, runnable: bool = True) -> torch.nn.Module:
    """Fail unless ``value`` is a working ``nn.Module`` called ``name``; name the classic mistake if not."""
    instance("name", name, str, "a str, the module's name in the exercise")
    mistake = module_mistake(value, name, runnable)
    if mistake is not None:
        raise mistake
    return value


def as_int(value: Any, what: Message) -> int:
    """``value`` as an ``int``: Python, NumPy and 0-d integer tensors are all fine; floats and bools are not."""
    if _is_int(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        raise CheckFailed(msg("expected {what} as a whole number, got the float {value}",
                              what=what, value=shown(value)),
                          msg("use // for division, or int(...)"))
    raise CheckFailed(msg("expected {what} as a whole number, got {value}", what=what, value=shown(value)),
                      msg("write an int such as 42"))


def as_shape(value: Any, what: Message, length: int | None = None) -> tuple[int, ...]:
    """``value`` as a tuple of ints: a tuple, a list or a ``torch.Size`` of integers is fine.

    With ``length``, a shape of another length fails and says how many numbers are expected.
    """
    if length is not None:
        length = positive_int("length", length)
    if isinstance(value, torch.Tensor) and value.dim() > 0:
        raise CheckFailed(msg("expected {what} as a tuple of ints, got a tensor of shape {shape}",
                              what=what, shape=tuple(value.shape)),
                          msg("write the shape itself, e.g. tuple(t.shape), not the tensor"))
    if not isinstance(value, (tuple, list, torch.Size)) or not all(_is_int(v) for v in value):
        raise CheckFailed(msg("expected {what} as a tuple of ints such as (1, 2, 3), got {value}",
                              what=what, value=shown(value)),
                          msg("write the shape as a tuple of whole numbers"))
    shape = tuple(int(v) for v in value)
    if length is not None and len(shape) != length:
        raise CheckFailed(msg("expected {what} with {length} numbers, got {count}: {shape}",
                              what=what, length=length, count=len(shape), shape=shape))
    return shape
