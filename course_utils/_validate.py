"""One home for the argument checks of ``course_utils``' public functions and models.

Every check either returns the value (normalised: an ``int``, a tuple of ints, a tensor)
or raises at once, before any work is done, with one message that says

* which argument is wrong (its name comes first),
* what was given (its value or its shape and dtype),
* what is expected,
* and, where the fix is obvious, how to fix it (``targets.long()``, ``x.unsqueeze(0)``, …).

Nothing is ever converted silently: a float where an int is expected is refused,
not rounded; a float64 tensor fed to a float32 model is refused, not cast.

Types of errors follow Python's and PyTorch's convention: ``TypeError`` when the
argument is of the wrong kind (a string for a size, a float tensor for class
indices), ``ValueError`` when it is of the right kind but out of range or of the
wrong shape.

The functions are private to the package (the module name starts with ``_``):
learners meet their messages, not their code.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from torch import Tensor, nn

__all__ = [
    "describe",
    "integer",
    "positive_int",
    "non_negative_int",
    "boolean",
    "number",
    "one_of",
    "sizes",
    "instance",
    "module",
    "tensor",
    "same_dtype",
    "same_device",
    "model_input",
]


# --------------------------------------------------------------------------- describing values


def describe(value: Any) -> str:
    """A short description of ``value`` for an error message: its repr, or its shape and dtype."""
    if isinstance(value, Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 0) > 0:  # an array, not a NumPy scalar
        return f"a NumPy array of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _is_int(value: Any) -> bool:
    """True for Python and NumPy integers, and 0-d integer tensors; never for bools."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    if isinstance(value, Tensor):
        return value.dim() == 0 and not value.is_floating_point() and not value.is_complex() \
            and value.dtype != torch.bool
    return isinstance(value, numbers.Integral)


# --------------------------------------------------------------------------- Python scalars


def integer(name: str, value: Any, minimum: int | None = None, maximum: int | None = None,
            what: str = "an int") -> int:
    """Return ``value`` as an ``int`` if it is a whole number in ``[minimum, maximum]``.

    ``bool`` is refused (``padding=True`` is surely a mistake) and so is a float,
    even ``2.0``: sizes and counts are whole numbers, and rounding silently could hide a bug.
    """
    if not _is_int(value):
        fix = ""
        if isinstance(value, float) and value.is_integer():
            fix = f"; write {int(value)} (no decimal point)"
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            fix = f"; write {value.strip()} without quotes"
        raise TypeError(f"{name} must be {what}, got {describe(value)}{fix}")
    number_ = int(value)
    if minimum is not None and number_ < minimum:
        bound = "" if what in ("a positive int", "an int ≥ 0") else f" of at least {minimum}"
        raise ValueError(f"{name} must be {what}{bound}, got {number_}")
    if maximum is not None and number_ > maximum:
        raise ValueError(f"{name} must be {what} of at most {maximum}, got {number_}")
    return number_


def positive_int(name: str, value: Any, maximum: int | None = None) -> int:
    """An int of at least 1 (a size, a count, a stride)."""
    return integer(name, value, minimum=1, maximum=maximum, what="a positive int")


def non_negative_int(name: str, value: Any, maximum: int | None = None) -> int:
    """An int of at least 0 (a padding, an index)."""
    return integer(name, value, minimum=0, maximum=maximum, what="an int ≥ 0")


def boolean(name: str, value: Any) -> bool:
    """``True`` or ``False`` — not 0/1, not a string such as ``'False'`` (which is truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return value


def number(name: str, value: Any, minimum: float | None = None, maximum: float | None = None,
           exclusive_minimum: bool = False) -> float:
    """A finite real number (int or float, not bool) in the given range, returned as ``float``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if minimum is not None and (value < minimum or (exclusive_minimum and value == minimum)):
        bound = f"greater than {minimum}" if exclusive_minimum else f"at least {minimum}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def one_of(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices`` (compared with ``==``, strings case-sensitively)."""
    try:
        ok = any(value == choice and type(value) is type(choice) for choice in choices)
    except Exception:  # e.g. a tensor compared with a string
        ok = False
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {describe(value)}")
    return value


def sizes(name: str, value: Any, dims: int, minimum: int = 0) -> tuple[int, ...]:
    """An int, or a tuple/list of ``dims`` ints (one per spatial dimension), as a tuple.

    The rule is PyTorch's: an int, or a one-element tuple, is used for every
    dimension (``stride=2`` and ``stride=(2,)`` both mean ``(2, 2)`` in 2-D).
    """
    what = _size_kind(minimum)
    layout = "(height, width)" if dims == 2 else f"of {dims}"
    is_sequence = isinstance(value, (tuple, list, torch.Size))
    if is_sequence:
        values = tuple(value)
        if len(values) == 1:
            values = values * dims
        if len(values) != dims:
            raise ValueError(f"{name} must be {what} or a tuple {layout} of them, got {describe(value)} "
                             f"with {len(values)} entries")
    else:
        values = (value,) * dims
    if not all(_is_int(v) for v in values):
        raise TypeError(f"{name} must be {what} or a tuple {layout} of them, got {describe(value)}")
    values = tuple(int(v) for v in values)
    if min(values) < minimum:
        where = " in every dimension" if is_sequence else ""
        raise ValueError(f"{name} must be {what}{where}, got {value!r}")
    return values


# --------------------------------------------------------------------------- objects


def instance(name: str, value: Any, types: type | tuple[type, ...], expected: str,
             fix: str = "") -> Any:
    """``value`` if it is an instance of ``types``; ``expected`` names them for the learner."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {expected}, got {describe(value)}{'; ' + fix if fix else ''}")
    return value


def module(name: str, value: Any, types: type | tuple[type, ...] = nn.Module,
           expected: str = "an nn.Module") -> nn.Module:
    """An ``nn.Module`` instance; says "call it" when given the class instead of an instance."""
    if isinstance(value, type) and issubclass(value, nn.Module):
        raise TypeError(f"{name} must be {expected} instance, got the class {value.__name__} itself; "
                        f"create one first: {name}={value.__name__}()")
    return instance(name, value, types, expected)


# --------------------------------------------------------------------------- tensors

_DTYPE_KINDS = {
    "floating": ("a floating-point dtype (e.g. torch.float32)", lambda t: t.is_floating_point()),
    "integer": ("an integer dtype (e.g. torch.int64)",
                lambda t: not t.is_floating_point() and not t.is_complex() and t.dtype != torch.bool),
    "real": ("a real dtype (not bool or complex)", lambda t: not t.is_complex() and t.dtype != torch.bool),
}


def _dtype_fix(t: Tensor, dtype: Any) -> str:
    if dtype == "integer" and t.is_floating_point():
        return "; class indices are whole numbers: use .long()"
    if dtype in ("floating", "real") and t.dtype == torch.bool:
        return "; convert with .float()"
    if dtype == "floating" and not t.is_floating_point():
        return "; convert with .float() (and scale 0-255 pixels to [0, 1] first)"
    if isinstance(dtype, torch.dtype):
        return f"; convert with .to({dtype})"
    return ""


def tensor(name: str, value: Any, ndim: int | Iterable[int] | None = None, dtype: Any = None,
           layout: str = "", nonempty: bool = False, finite: bool = False) -> Tensor:
    """``value`` if it is a tensor of the given rank and kind of dtype.

    Args:
        ndim: the allowed number of dimensions (an int or several).
        dtype: ``"floating"``, ``"integer"``, ``"real"`` or an exact ``torch.dtype``.
        layout: how the dimensions are named, e.g. ``"(N, C, H, W)"``, for the message.
        nonempty: refuse a tensor with no elements.
        finite: refuse NaN and infinite values.
    """
    if not isinstance(value, Tensor):
        fix = ""
        if type(value).__module__ == "numpy":
            fix = "; convert a NumPy array with torch.from_numpy(a).float()"
        elif isinstance(value, (list, tuple)):
            fix = "; convert it with torch.tensor(...)"
        raise TypeError(f"{name} must be a torch.Tensor{' ' + layout if layout else ''}, "
                        f"got {describe(value)}{fix}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.dim() not in allowed:
            ranks = " or ".join(f"{n}-D" for n in allowed)
            # one dimension short is nearly always a single sample without its batch axis
            fix = "; one sample? add a batch dimension with .unsqueeze(0)" if value.dim() + 1 in allowed else ""
            raise ValueError(f"{name} must be {ranks}{' ' + layout if layout else ''}, "
                             f"got shape {tuple(value.shape)}{fix}")
    if dtype is not None:
        if isinstance(dtype, torch.dtype):
            ok, expected = value.dtype == dtype, f"dtype {dtype}"
        else:
            expected, test = _DTYPE_KINDS[dtype]
            ok = test(value)
        if not ok:
            raise TypeError(f"{name} must have {expected}, got {value.dtype}{_dtype_fix(value, dtype)}")
    if nonempty and value.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(value.shape)}); there is nothing to compute")
    if finite and value.is_floating_point() and not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values; check how it was computed")
    return value


def same_dtype(**tensors: Tensor | None) -> torch.dtype:
    """Refuse tensors (given by name) whose dtypes differ; ``None`` entries are skipped."""
    present = {name: t for name, t in tensors.items() if t is not None}
    dtypes = {t.dtype for t in present.values()}
    if len(dtypes) > 1:
        listed = ", ".join(f"{name} is {t.dtype}" for name, t in present.items())
        counts = Counter(t.dtype for t in present.values())
        common = max(counts, key=counts.get)  # the most frequent; on a tie, the first argument's
        reference = next(name for name, t in present.items() if t.dtype == common)
        odd = next(name for name, t in present.items() if t.dtype != common)
        raise TypeError(f"{', '.join(present)} must have the same dtype, but {listed}; "
                        f"convert them, e.g. {odd}.to({reference}.dtype)")
    return dtypes.pop()


def same_device(**tensors: Tensor | None) -> torch.device:
    """Refuse tensors (given by name) that live on different devices."""
    present = {name: t for name, t in tensors.items() if t is not None}
    devices = {t.device for t in present.values()}
    if len(devices) > 1:
        listed = ", ".join(f"{name} is on {t.device}" for name, t in present.items())
        raise ValueError(f"{', '.join(present)} must be on the same device, but {listed}; "
                         f"move them with .to(device)")
    return devices.pop()


def model_input(model: nn.Module, x: Any, layout: str, ndim: int | Iterable[int] = 4,
                channels: int | None = None, min_size: int | None = None) -> Tensor:
    """The one-line check at the top of a model's ``forward``.

    ``x`` must be a tensor of rank ``ndim`` with the model's own floating-point
    dtype (float64 input to a float32 model is refused with the fix, not cast),
    ``channels`` in dimension 1 if given, and spatial sides of at least ``min_size``.
    """
    who = type(model).__name__
    x = tensor(f"{who}'s input", x, ndim=ndim, layout=layout)
    weight = next(model.parameters(), None)
    expected = weight.dtype if weight is not None else torch.get_default_dtype()
    if x.dtype != expected and not _autocast_allows(x):
        if x.is_floating_point():
            fix = f"convert the input with x.to({expected}) (NumPy arrays are float64: " \
                  f"torch.from_numpy(a).float()), or the model with model.to({x.dtype})"
        else:
            fix = "convert with x.float() (and scale 0-255 pixels to [0, 1] first)"
        raise TypeError(f"{who}'s input has dtype {x.dtype} but the model's weights are {expected}; {fix}")
    if channels is not None and x.dim() >= 3 and x.shape[1] != channels:
        raise ValueError(f"{who} expects {channels} channel(s) in dimension 1 of {layout}, got shape "
                         f"{tuple(x.shape)}; channels come second (use x.permute(0, 3, 1, 2) for "
                         f"(N, H, W, C) images)")
    if min_size is not None and x.dim() >= 3 and min(x.shape[-2:]) < min_size:
        height, width = x.shape[-2:]
        raise ValueError(f"{who} needs images of at least {min_size}×{min_size} pixels, "
                         f"got {height}×{width}; resize or pad the image")
    if x.numel() == 0:
        raise ValueError(f"{who}'s input is empty (shape {tuple(x.shape)}); every dimension of {layout} "
                         f"needs at least one entry")
    return x


# --------------------------------------------------------------------------- added for core modules and models


def _autocast_allows(x: Tensor) -> bool:
    """True if autocast is on for ``x``'s device and ``x`` has its dtype.

    Inside ``torch.autocast`` the activations between layers are float16/bfloat16 while
    the weights stay float32; that is intended, not a mistake to refuse.
    """
    device = x.device.type
    return torch.is_autocast_enabled(device) and x.dtype == torch.get_autocast_dtype(device)


def _size_kind(minimum: int) -> str:
    """How :func:`sizes` and friends name what they expect: "a positive int", "an int ≥ 0"."""
    return "a positive int" if minimum == 1 else ("an int ≥ 0" if minimum == 0 else "an int")


def spatial_sizes(arguments: Sequence[tuple[str, Any, int]]) -> tuple[int | None, list[tuple[int, ...]]]:
    """Several int-or-tuple size arguments of one call, each ``(name, value, minimum)``.

    The number of spatial dimensions is the length of the first tuple with more than
    one entry; every argument is then checked by :func:`sizes` for that many
    dimensions (so an int or a one-element tuple is used for every dimension, and a
    tuple of another length is refused with the same message as everywhere else).

    Returns ``(dims, values)``: ``dims`` is ``None`` if every argument was an int
    (the caller then answers with an int), and ``values`` holds one tuple of
    ``dims or 1`` ints per argument, in order.
    """
    sequences = [value for _, value, _ in arguments if isinstance(value, (tuple, list, torch.Size))]
    if not sequences:
        return None, [(integer(name, value, minimum, what=_size_kind(minimum)),)
                      for name, value, minimum in arguments]
    dims = next((len(value) for value in sequences if len(value) > 1), 1)
    return dims, [sizes(name, value, dims, minimum) for name, value, minimum in arguments]


def per_layer(name: str, value: Any, layers: int | None = None, minimum: int = 1) -> tuple[int, ...]:
    """One int per layer, as a tuple: a non-empty list or tuple of ints of at least ``minimum``.

    With ``layers`` given, the list must have that many entries, and a single int (or a
    one-element list) is used for every layer.
    """
    what = _size_kind(minimum)
    if isinstance(value, (tuple, list)):
        values = tuple(value) * layers if layers is not None and len(value) == 1 else tuple(value)
        if layers is not None and len(values) != layers:
            raise ValueError(f"{name} must be {what} or a list of {layers} of them (one per layer), "
                             f"got {describe(value)} with {len(values)} entries")
        if not values:
            raise ValueError(f"{name} must have at least one entry (one per layer), got {describe(value)}")
        return tuple(integer(f"{name}[{i}]", v, minimum, what=what) for i, v in enumerate(values))
    if layers is None:
        plural = {1: "positive ints", 0: "ints ≥ 0"}.get(minimum, "ints")
        raise TypeError(f"{name} must be a list or tuple of {plural}, one per layer, got {describe(value)}")
    return (integer(name, value, minimum, what=what),) * layers


def input_channels(model: nn.Module, x: Tensor, expected: int, argument: str = "in_channels") -> Tensor:
    """``x`` if dimension 1 (channels) of ``x`` is ``expected``, the model's ``argument``.

    The message names the constructor argument, so the learner can fix either side:
    the layout of the images or the way the model was built.
    """
    got = x.shape[1]
    if got != expected:
        who = type(model).__name__
        raise ValueError(f"{who} was built with {argument}={expected} but the input has {got} channels "
                         f"(shape {tuple(x.shape)}); channels come second in (N, C, H, W) (for (N, H, W, C) "
                         f"images use x.permute(0, 3, 1, 2)), or build it with {who}({argument}={got})")
    return x
