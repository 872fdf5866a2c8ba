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
    "non_empty_list",
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
    """``value`` if it is one of ``choices`` (compared with ``==``, strings case-sensitively).

    A value of another type than every choice (``None`` or ``1`` for a mode named by a
    string) is the wrong kind: a ``TypeError``; an unknown value of the right type a ``ValueError``.
    """
    try:
        ok = any(value == choice and type(value) is type(choice) for choice in choices)
    except Exception:  # e.g. a tensor compared with a string
        ok = False
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        error = ValueError if any(type(value) is type(choice) for choice in choices) else TypeError
        raise error(f"{name} must be one of {listed}; got {describe(value)}")
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


def non_empty_list(name: str, value: Any, what: str, empty_fix: str) -> list | tuple:
    """A non-empty list or tuple; ``what`` describes its entries (``"dicts such as {'stride': 2}"``) and
    ``empty_fix`` says what to do instead of passing ``[]``. The entries are the caller's to check."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a non-empty list of {what}, got {describe(value)}")
    if not value:
        raise ValueError(f"{name} must be a non-empty list of {what}, got []; {empty_fix}")
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
        raise ValueError(f"{who}'s input must have {channels} channel(s) in dimension 1 of {layout}, got shape "
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


# --------------------------------------------------------------------------- added for train, data and viz

from collections.abc import Iterator  # noqa: E402  (kept in this section: the header is shared)

__all__ += [
    "callable_object",
    "torch_device",
    "array",
    "class_names",
    "number_list",
    "fractions",
    "loader",
    "batch",
    "class_targets",
    "logits",
    "optimizer_for",
    "scheduler_for",
    "batchnorm_last_batch",
]


def _class_fix(name: str, cls: type) -> str:
    """``name=nn.CrossEntropyLoss()``: how to create an instance of ``cls`` (``(...)`` if it needs arguments)."""
    import inspect

    prefix = "nn." if cls.__module__.startswith("torch.nn") else ""
    try:
        required = [p for p in inspect.signature(cls).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        required = []
    return f"{name}={prefix}{cls.__name__}({'...' if required else ''})"


def callable_object(name: str, value: Any, expected: str) -> Any:
    """A function or a callable object such as ``nn.CrossEntropyLoss()`` — not the class itself.

    A class is callable too (calling it creates an instance), so ``loss_fn=nn.CrossEntropyLoss``
    would silently compute nothing useful; it is refused with the fix.
    """
    if isinstance(value, type):
        raise TypeError(f"{name} must be {expected}, got the class {value.__name__} itself; "
                        f"create one first: {_class_fix(name, value)}")
    if not callable(value):
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    return value


def _backend_available(kind: str) -> tuple[bool, str]:
    """Whether torch can use device type ``kind`` here, and the call that says so."""
    if kind == "cpu":
        return True, ""
    if kind == "mps":
        backend = getattr(torch.backends, "mps", None)
        return backend is not None and backend.is_available(), "torch.backends.mps.is_available()"
    backend = getattr(torch, kind, None)
    if backend is None or not hasattr(backend, "is_available"):
        return False, f"PyTorch cannot compute on {kind!r} tensors"
    return bool(backend.is_available()), f"torch.{kind}.is_available()"


def torch_device(name: str, value: Any) -> torch.device:
    """A ``torch.device`` (or its name) that exists on this machine: ``'cpu'``, ``'cuda'``, ``'mps'``…"""
    fix = "use course_utils.device(), which picks 'cuda', then 'mps', then 'cpu'"
    if isinstance(value, str):
        try:
            value = torch.device(value)
        except RuntimeError:
            raise ValueError(f"{name}={value!r} is not a device PyTorch knows; "
                             f"use 'cpu', 'cuda' or 'mps', or {fix}") from None
    elif not isinstance(value, torch.device):
        raise TypeError(f"{name} must be a device name such as 'cpu' or a torch.device, "
                        f"got {describe(value)}")
    available, call = _backend_available(value.type)
    if not available:
        reason = f"{call} is False" if call.endswith(")") else call
        raise ValueError(f"{name}={str(value)!r} is not available on this machine ({reason}); {fix}")
    if value.type == "cuda" and value.index is not None and value.index >= torch.cuda.device_count():
        raise ValueError(f"{name}={str(value)!r} does not exist: this machine has "
                         f"{torch.cuda.device_count()} CUDA device(s), numbered from 0")
    return value


def _ragged(value: Any) -> str | None:
    """A description of the first level at which the nested list ``value`` is ragged, if it is."""
    level = [value]
    while level and all(isinstance(v, (list, tuple)) for v in level):
        lengths = {len(v) for v in level}
        if len(lengths) > 1:
            return f"its rows have different lengths ({', '.join(str(n) for n in sorted(lengths))})"
        level = [item for v in level for item in v]
    if any(isinstance(v, (list, tuple)) for v in level):
        return "some entries are lists and others are numbers"
    return None


def array(name: str, value: Any, layout: str = "") -> Tensor:
    """A tensor from a tensor, a NumPy array or a (rectangular) nested list of numbers.

    Tensors are detached and copied to the CPU (for drawing); nothing else changes.
    ``None``, strings, ragged lists and lists holding anything but numbers are refused.
    """
    expected = f"a tensor, a NumPy array or a nested list of numbers{' ' + layout if layout else ''}"
    if isinstance(value, Tensor):
        return value.detach().cpu()
    if type(value).__module__ == "numpy" and hasattr(value, "dtype"):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got a NumPy array of dtype {value.dtype}")
        return torch.as_tensor(value)
    if not isinstance(value, (list, tuple)) or isinstance(value, str):
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    ragged = _ragged(value)
    if ragged:
        raise ValueError(f"{name} is a ragged list: {ragged}; every row needs the same number "
                         f"of entries")
    try:
        return torch.tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must hold only numbers, got {describe(value)}") from None


def class_names(name: str, value: Any, largest_index: int, source: str) -> list[str]:
    """One name per class: ``value[k]`` must exist for every class index ``k`` up to ``largest_index``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of class names (one per class index), "
                        f"got {describe(value)}")
    if largest_index >= len(value):
        raise ValueError(f"{name} has {len(value)} names (for indices 0 to {len(value) - 1}) but "
                         f"class index {largest_index} occurs in {source}; give one name per class, "
                         f"at least {largest_index + 1}")
    return [str(v) for v in value]


def number_list(name: str, values: Any) -> list[float]:
    """A list of real numbers (Python or NumPy numbers, 0-d tensors), as floats; no strings, no bools."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of numbers, got {describe(values)}")
    result = []
    for position, value in enumerate(values):
        if isinstance(value, Tensor) and value.dim() == 0 and not value.is_complex():
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must hold numbers, got {describe(value)} at position {position}")
        result.append(float(value))
    return result


def fractions(name: str, values: Any) -> list[float]:
    """A list of numbers in ``[0, 1]``, such as accuracies; percentages are refused with the fix."""
    values = number_list(name, values)
    for position, value in enumerate(values):
        if not 0 <= value <= 1:
            fix = "; percentages? divide them by 100" if 1 < value <= 100 else ""
            raise ValueError(f"{name} must hold fractions between 0 and 1, got {value:g} at "
                             f"position {position}{fix}")
    return values


# --------------------------------------------------------------------------- training data and models


def loader(name: str, value: Any) -> Any:
    """Something ``fit`` can iterate over once per epoch: a ``DataLoader`` (or another re-iterable).

    Refused: a ``Dataset`` (it yields single items, not batches), a tensor, and a
    one-shot iterator such as ``iter(loader)`` or a generator (used up after one epoch).
    """
    from torch.utils.data import DataLoader, Dataset

    wrap = "DataLoader(dataset, batch_size=64, shuffle=True)"
    if isinstance(value, Dataset) and not isinstance(value, DataLoader):
        raise TypeError(f"{name} must yield batches, got a {type(value).__name__}, a Dataset, "
                        f"which yields one item at a time; wrap it: {wrap}")
    if isinstance(value, Tensor):
        raise TypeError(f"{name} must yield (inputs, targets) batches, got {describe(value)}; "
                        f"wrap inputs and targets: DataLoader(TensorDataset(inputs, targets), "
                        f"batch_size=64)")
    if isinstance(value, Iterator):
        raise TypeError(f"{name} is a one-shot iterator (a {type(value).__name__}), used up after one "
                        f"pass; give the DataLoader itself (not iter(loader)) or a list of batches")
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a DataLoader yielding (inputs, targets) batches, "
                        f"got {describe(value)}")
    return value


def batch(name: str, value: Any, model: nn.Module) -> tuple[Tensor, Tensor]:
    """One ``(inputs, targets)`` batch of loader ``name``, as ``model`` can train on it.

    Inputs must be a batch-first tensor with the model's floating-point dtype (integer
    inputs only for a model with an ``nn.Embedding``); targets are checked by
    :func:`class_targets`.
    """
    pairs = "build the loader from TensorDataset(inputs, targets)"
    if isinstance(value, Tensor):
        raise TypeError(f"{name} yields bare tensors ({describe(value)} per batch), not "
                        f"(inputs, targets) pairs; {pairs}")
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must yield (inputs, targets) pairs, got {describe(value)} per batch")
    if len(value) != 2:
        items = ", ".join(describe(v) for v in value[:3]) + (", ..." if len(value) > 3 else "")
        what = "inputs only" if len(value) == 1 else f"{len(value)} items"
        raise ValueError(f"{name} yields batches of {what} ({items}); training needs exactly two, "
                         f"(inputs, targets): {pairs}")
    inputs, targets = value
    tensor(f"{name}'s inputs", inputs, layout="(N, ...)")
    _model_dtype(name, inputs, model)
    targets = class_targets(f"{name}'s targets", targets)
    if inputs.dim() == 0 or len(inputs) != len(targets):
        raise ValueError(f"{name} yields {len(inputs) if inputs.dim() else 'no'} inputs but "
                         f"{len(targets)} targets per batch; they must match one to one")
    return inputs, targets


def _model_dtype(name: str, inputs: Tensor, model: nn.Module) -> None:
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    expected = weight.dtype if weight is not None else torch.get_default_dtype()
    if inputs.is_floating_point() and inputs.dtype != expected:
        raise TypeError(f"{name}'s inputs have dtype {inputs.dtype} but the model's weights are "
                        f"{expected}; convert the inputs once, e.g. TensorDataset(inputs.to("
                        f"{expected}), targets) (NumPy arrays are float64: torch.from_numpy(a)"
                        f".float())")
    embeds = any(isinstance(m, (nn.Embedding, nn.EmbeddingBag)) for m in model.modules())
    if not inputs.is_floating_point() and not embeds:
        raise TypeError(f"{name}'s inputs have dtype {inputs.dtype} but the model computes in "
                        f"{expected}; convert them with inputs.float() (and scale 0-255 pixels "
                        f"to [0, 1] first)")


def class_targets(name: str, targets: Any, num_classes: int | None = None) -> Tensor:
    """Class indices for ``nn.CrossEntropyLoss``: shape ``(N,)``, int64 (or uint8), in ``[0, num_classes)``."""
    targets = tensor(name, targets, layout="(N,)")
    if targets.is_floating_point() or targets.dtype not in (torch.int64, torch.uint8):
        raise TypeError(f"{name} must be class indices of dtype torch.int64, got {targets.dtype}; "
                        f"convert them with targets.long(), e.g. TensorDataset(inputs, "
                        f"targets.long())")
    if targets.dim() == 2 and targets.shape[1] == 1:
        raise ValueError(f"{name} have shape {tuple(targets.shape)} but must be one class index "
                         f"per item, shape ({targets.shape[0]},); use targets.squeeze(1) or "
                         f"targets.view(-1)")
    if targets.dim() != 1:
        raise ValueError(f"{name} must be 1-D (N,), one class index per item, got shape "
                         f"{tuple(targets.shape)}" + ("; one-hot rows? use targets.argmax(1)"
                                                       if targets.dim() == 2 else ""))
    if num_classes is not None and len(targets):
        low, high = int(targets.min()), int(targets.max())
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise ValueError(f"{name} hold class index {bad}, but the model outputs {num_classes} "
                             f"classes, so indices run from 0 to {num_classes - 1}; give the "
                             f"last layer one output per class, or renumber the labels from 0")
    return targets


def logits(name: str, output: Any, batch_size: int) -> int:
    """A model's output for ``batch_size`` items must be logits ``(N, num_classes)``; returns ``num_classes``."""
    if isinstance(output, (tuple, list)):
        raise TypeError(f"{name} returns a {type(output).__name__} of {len(output)} items; training "
                        f"needs one tensor of logits (N, num_classes): return only the logits "
                        f"from forward (an RNN returns (output, h_n): keep what the classifier makes)")
    output = tensor(name, output, layout="(N, num_classes)")
    if output.dim() != 2 or output.shape[0] != batch_size:
        raise ValueError(f"{name} returns shape {tuple(output.shape)} for a batch of {batch_size}; "
                         f"training needs logits of shape ({batch_size}, num_classes)")
    return int(output.shape[1])


def optimizer_for(name: str, value: Any, model: nn.Module) -> torch.optim.Optimizer:
    """An optimizer that updates at least one trainable parameter of ``model``."""
    build = f"{name}=torch.optim.Adam(model.parameters(), lr=1e-3)"
    if isinstance(value, type):
        raise TypeError(f"{name} must be an optimizer, got the class {value.__name__} itself; "
                        f"build one on the model's parameters, e.g. {build}")
    instance(name, value, torch.optim.Optimizer, "a torch.optim.Optimizer", fix=f"e.g. {build}")
    own = {id(p): p for p in model.parameters()}
    updated = [own[id(p)] for group in value.param_groups for p in group["params"] if id(p) in own]
    if not updated:
        raise ValueError(f"{name} updates none of this model's parameters: it was built on another "
                         f"model's (an earlier instance, or before copy.deepcopy), so training "
                         f"would change nothing; build it on this one: {build}")
    if not any(p.requires_grad for p in updated):
        raise ValueError(f"{name} updates only frozen parameters (requires_grad=False), so training "
                         f"would change nothing; unfreeze some with p.requires_grad_(True)")
    return value


def scheduler_for(name: str, value: Any, optimizer: torch.optim.Optimizer, steps: int | None,
                  steps_text: str) -> Any:
    """A learning-rate scheduler of ``optimizer`` that can be stepped ``steps`` more times."""
    if isinstance(value, type):
        raise TypeError(f"{name} must be a learning-rate scheduler, got the class {value.__name__} "
                        f"itself; build one on the optimizer, e.g. {name}=torch.optim.lr_scheduler."
                        f"{value.__name__}(optimizer, ...)")
    if not callable(getattr(value, "step", None)):
        raise TypeError(f"{name} must be a learning-rate scheduler (with a .step() method), "
                        f"got {describe(value)}")
    if getattr(value, "optimizer", optimizer) is not optimizer:
        raise ValueError(f"{name} was built on another optimizer, so it would change a learning "
                         f"rate nobody uses; build it on the one given: {name}=torch.optim."
                         f"lr_scheduler.{type(value).__name__}(optimizer, ...)")
    total = getattr(value, "total_steps", None)  # OneCycleLR refuses to step past it
    if total is not None and steps is not None and total - value.last_epoch < steps:
        raise ValueError(f"{name} ({type(value).__name__}) can be stepped "
                         f"{total - value.last_epoch} more times but training steps it {steps} "
                         f"times ({steps_text}); build it with the same epochs and "
                         f"steps_per_epoch=len(train_loader)")
    return value


def batchnorm_last_batch(name: str, value: Any, model: nn.Module) -> None:
    """Refuse a training loader whose last batch holds one item when ``model`` has BatchNorm.

    In training mode BatchNorm needs more than one value per channel; a last batch of one
    image fails as soon as a feature map is 1×1 (ResNet18 on MNIST), after a whole epoch's work.
    """
    from torch.nn.modules.batchnorm import _BatchNorm
    from torch.utils.data import DataLoader

    if not isinstance(value, DataLoader) or value.batch_size is None or value.drop_last:
        return
    if not any(isinstance(m, _BatchNorm) for m in model.modules()):
        return
    try:
        size = len(value.dataset)
    except TypeError:  # an IterableDataset without a length
        return
    if size % value.batch_size == 1:
        raise ValueError(f"{name}'s last batch holds 1 item ({size} items in batches of "
                         f"{value.batch_size}), and the model's BatchNorm cannot train on a batch "
                         f"of one; pass drop_last=True to the DataLoader (or choose another "
                         f"batch_size)")


# --------------------------------------------------------------------------- added for resnet (07)


def module_class(name: str, value: Any, example: str) -> type[nn.Module]:
    """A subclass of ``nn.Module`` itself (to be instantiated later), not an instance of one.

    ``example`` names a class that fits, for the message (``block=BasicBlock``).
    """
    if isinstance(value, type) and issubclass(value, nn.Module):
        return value
    if isinstance(value, nn.Module):
        raise TypeError(f"{name} must be an nn.Module class, got an instance of {type(value).__name__}; "
                        f"pass the class itself, without calling it: {name}={type(value).__name__}")
    raise TypeError(f"{name} must be an nn.Module class such as {example}, got {describe(value)}; "
                    f"pass a class that subclasses nn.Module: {name}={example}")


# --------------------------------------------------------------------------- added for the bad-input suite

__all__ += ["fits_in_memory", "parameters_fit", "figure_size", "image_dpi", "model_output", "exception_class"]


def _physical_memory() -> int:
    """Bytes of RAM of this computer (POSIX); 1 TiB where the OS does not say."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # e.g. Windows has no sysconf
        return 2**40


def _bytes(count: int) -> str:
    """``count`` bytes in the largest unit that keeps a number ≥ 1: ``'24 GB'``, ``'4.4 TB'``."""
    for unit, size in (("EB", 10**18), ("PB", 10**15), ("TB", 10**12), ("GB", 10**9), ("MB", 10**6)):
        if count >= size:
            return f"{count / size:.2g} {unit}" if count < 10 * size else f"{count // size:,} {unit}"
    return f"{count:,} bytes"


def fits_in_memory(name: str, value: Any, elements: int, what: str, element_size: int = 4) -> None:
    """Refuse ``name=value`` if it makes ``what`` hold more ``elements`` than this computer's memory.

    Checked before allocating, so a typo such as ``padding=10**9`` gets this message instead of
    PyTorch's allocator error (or a machine that swaps for minutes).
    """
    needed, available = elements * element_size, _physical_memory()
    if needed > available:
        raise ValueError(f"{name}={value!r} would make {what} of {elements:,} numbers ({_bytes(needed)}), "
                         f"more than this computer's memory ({_bytes(available)}); use a smaller {name}")


def parameters_fit(who: str, count: int, arguments: dict[str, Any]) -> None:
    """Refuse to build ``who(**arguments)`` if its ``count`` parameters do not fit in memory."""
    needed, available = count * torch.get_default_dtype().itemsize, _physical_memory()
    if needed > available:
        called = ", ".join(f"{name}={value!r}" for name, value in arguments.items())
        raise ValueError(f"{who}({called}) would have {count:,} parameters ({_bytes(needed)}), more than this "
                         f"computer's memory ({_bytes(available)}); use smaller sizes")


#: The most pixels per side a figure may have: an RGBA image of 65,536 × 65,536 pixels already
#: takes 17 GB to render.
MAX_PIXELS = 2**16


def figure_size(name: str, value: Any, dpi: float) -> tuple[float, float]:
    """``(width, height)`` in inches: two positive finite numbers, under :data:`MAX_PIXELS` at ``dpi``."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be None or (width, height) in inches, got {describe(value)}")
    if len(value) != 2:
        raise ValueError(f"{name} must be (width, height) in inches, two numbers, got {describe(value)} "
                         f"with {len(value)}")
    width, height = (number(name, v, minimum=0, exclusive_minimum=True) for v in value)
    pixels = (round(width * dpi), round(height * dpi))
    if max(pixels) >= MAX_PIXELS:
        raise ValueError(f"{name}={tuple(value)!r} inches would be {pixels[0]:,}×{pixels[1]:,} pixels at "
                         f"{dpi:g} dpi; keep each side under {MAX_PIXELS:,} pixels")
    return width, height


def image_dpi(name: str, value: Any, size_inches: Sequence[float]) -> int:
    """A dots-per-inch resolution that keeps a figure of ``size_inches`` under :data:`MAX_PIXELS` per side."""
    dpi = positive_int(name, value)
    pixels = [round(side * dpi) for side in size_inches]
    if max(pixels) >= MAX_PIXELS:
        raise ValueError(f"{name}={dpi} would render the {size_inches[0]:g}×{size_inches[1]:g}-inch figure "
                         f"at {pixels[0]:,}×{pixels[1]:,} pixels; keep each side under {MAX_PIXELS:,} pixels "
                         f"(72 to 150 dpi is plenty on a screen)")
    return dpi


def _raised_here(error: BaseException) -> bool:
    """True if ``error`` was raised by course_utils itself (its last traceback frame is in the package)."""
    import traceback
    from pathlib import Path

    frames = traceback.extract_tb(error.__traceback__)
    package = Path(__file__).resolve().parent
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(package)


def model_output(name: str, model: nn.Module, inputs: tuple, where: str) -> Any:
    """``model(*inputs)``; an error from inside torch becomes one that says which data it failed on.

    A model of course_utils checks its input itself, and its message is kept as it is; any
    other exception (``mat1 and mat2 shapes cannot be multiplied`` from a ``Linear``, a dtype
    mismatch) is re-raised as a ``TypeError`` (if it was one) or ``ValueError``, naming
    ``where`` and chained to the original.
    """
    for value in inputs:
        if isinstance(value, Tensor):
            _input_dtype(where, value, model)
    try:
        return model(*inputs)
    except Exception as error:
        if _raised_here(error) and isinstance(error, (TypeError, ValueError)):
            raise
        kind = TypeError if isinstance(error, TypeError) else ValueError
        shown = ", ".join(describe(value) for value in inputs)
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise kind(f"{name} failed on {where} ({shown}): {type(error).__name__}: {first_line}; if it is about "
                   f"shapes, check that the model's first layer fits the inputs (its in_features or "
                   f"in_channels)") from error


def _input_dtype(where: str, value: Tensor, model: nn.Module) -> None:
    """Refuse an input whose dtype the model cannot compute with (integers only for an ``nn.Embedding``)."""
    expected = _first_dtype(model)
    embeds = any(isinstance(m, (nn.Embedding, nn.EmbeddingBag)) for m in model.modules())
    if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool or not embeds:
        if value.dtype != expected and not _autocast_allows(value):
            raise TypeError(f"{where} ({describe(value)}) do not have the model's dtype {expected}; convert "
                            f"them with x.to({expected}) (NumPy arrays are float64: torch.from_numpy(a).float())")


def _first_dtype(model: nn.Module) -> torch.dtype:
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    return weight.dtype if weight is not None else torch.get_default_dtype()


def exception_class(name: str, value: Any) -> type[BaseException]:
    """An exception class such as ``ValueError`` (not an instance, not another class)."""
    if isinstance(value, BaseException):
        raise TypeError(f"{name} must be an exception class such as ValueError, got the instance "
                        f"{describe(value)}; pass the class itself: {type(value).__name__}")
    if not (isinstance(value, type) and issubclass(value, BaseException)):
        raise TypeError(f"{name} must be an exception class such as ValueError, got {describe(value)}")
    return value
# --------------------------------------------------------------------------- added for dynamic inputs (05)

__all__ += ["sequence_lengths"]


def sequence_lengths(name: str, value: Any, count: int | None = None, max_length: int | None = None) -> list[int]:
    """Lengths of the sequences of a batch: a non-empty list/tuple of ints or a 1-D integer tensor, each ≥ 1.

    With ``count``, there must be that many (one per sequence of the batch); with
    ``max_length``, none may exceed it (the padded length). Returned as a list of ints;
    a tensor may live on any device (it is read, never used for computing).
    """
    instance(name, value, (list, tuple, Tensor), "a list of ints or a 1-D integer tensor")
    if isinstance(value, Tensor):
        tensor(name, value, ndim=1, layout="(N,), one length per sequence")
        if value.dtype.is_floating_point or value.dtype.is_complex or value.dtype == torch.bool:
            raise TypeError(f"{name} must hold integers, got dtype {value.dtype}; use {name}.long()")
        values = [int(n) for n in value.detach().cpu().tolist()]
    else:
        values = [integer(f"{name}[{i}]", n) for i, n in enumerate(value)]
    if count is not None and len(values) != count:
        raise ValueError(f"{name} has {len(values)} entries but the batch has {count} sequences; "
                         "give one length per sequence")
    if not values:
        raise ValueError(f"{name} is empty; give at least one sequence length")
    upper = max_length if max_length is not None else max(values)
    if min(values) < 1 or max(values) > upper:
        where = f"between 1 and the padded length {max_length}" if max_length is not None else "at least 1"
        raise ValueError(f"every entry of {name} must be {where}, got {values}")
    return values
