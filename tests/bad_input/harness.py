"""The machinery of the bad-input suite: kinds of arguments, families of bad values, and one call.

A :class:`Spec` says how to make a valid call of one public function or model of
``course_utils`` and what *kind* each argument is. Every kind brings the same
families of bad values (``None``, wrong Python types, bools and floats for ints,
zero/negative/huge sizes, wrong ranks, every dtype, empty and NaN tensors, ...);
:func:`attempt` replaces one argument of the valid call by one bad value, calls,
and says what went wrong, if anything. The promise checked:

* the call raises, it does not return (a silently accepted bad value);
* it raises ``TypeError`` for the wrong kind, ``ValueError`` for the right kind out of
  range or of the wrong shape (each family says which), or an error class the spec
  documents;
* the exception is raised by ``course_utils`` itself: the traceback's last frame is a
  file of the package (not torch, NumPy or matplotlib, not ``course_utils.authoring``);
* its message names the argument (the name the docs use);
* it does not hang: each call gets :data:`TIMEOUT` seconds.

Families that are legitimately valid for one argument are listed in its ``ok`` with the
reason; they are then called and must *succeed* (or, in ``ok_not_run``, are not called
because a valid call would be too slow, e.g. a billion epochs).

Why ``signal.setitimer`` for the timeout: it needs no subprocess (a subprocess per call
would cost ~1 s of imports each, far over the suite's budget) and, unlike a watchdog
thread, it can stop the call: the handler raises :class:`CallTimedOut` in the main thread
at the next Python bytecode, and every loop in ``course_utils`` is a Python loop. A hang
inside one C call (which a signal cannot interrupt) is caught by
``faulthandler.dump_traceback_later``, which dumps every thread's stack and ends the run,
so CI fails loudly instead of waiting for its own limit. Both are POSIX-only; the course
tests on Linux.
"""

from __future__ import annotations

import faulthandler
import math
import re
import signal
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

import course_utils

#: Seconds one call may take before it counts as a hang.
TIMEOUT = 10
#: Seconds after which a call stuck inside C code ends the whole run (with a stack dump).
HARD_TIMEOUT = 60

PACKAGE = Path(course_utils.__file__).resolve().parent
AUTHORING = PACKAGE / "authoring"

HUGE = 2**40  # a size no machine can hold: 1 099 511 627 776


class CallTimedOut(BaseException):
    """Raised in the main thread when a call took longer than :data:`TIMEOUT` (BaseException: not caught by
    an ``except Exception`` inside the code under test)."""


# --------------------------------------------------------------------------- bad values


@dataclass(frozen=True)
class Bad:
    """One bad value: ``make(valid)`` builds it from the argument's valid value (fresh on every call).

    ``error`` is the type the promise asks for: ``TypeError`` for the wrong kind, ``ValueError``
    for the right kind out of range or of the wrong shape.
    """

    label: str
    make: Callable[[Any], Any]
    error: type[Exception] | tuple[type[Exception], ...]


def const(label: str, value: Any, error) -> Bad:
    """A bad value that does not depend on the valid one (built afresh: lists are mutable)."""
    return Bad(label, lambda _valid, _v=value: _copy(_v), error)


def _copy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value


class _Thing:
    """An arbitrary object of no kind the package knows."""

    def __repr__(self) -> str:
        return "<a Thing>"


def wrong_objects(*, strings: bool = True) -> list[Bad]:
    """Values of no sensible kind for any argument: the first family of every kind."""
    bads = [
        const("None", None, TypeError),
        const("list", [1, 2], TypeError),
        const("dict", {"a": 1}, TypeError),
        const("object", _Thing(), TypeError),
        const("class", _Thing, TypeError),
    ]
    if strings:
        bads.insert(1, const("str", "3", TypeError))
    return bads


def drop(bads: list[Bad], *labels: str) -> list[Bad]:
    return [bad for bad in bads if bad.label not in labels]


# --------------------------------------------------------------------------- kinds


@dataclass
class Kind:
    """What an argument is; ``bads()`` lists the families of bad values tried on it."""

    families: Callable[[], list[Bad]]
    description: str

    def bads(self) -> list[Bad]:
        return self.families()


def _int_bads(minimum: int) -> list[Bad]:
    bads = wrong_objects() + [
        const("bool", True, TypeError),
        const("float", 3.0, TypeError),
        const("fraction", 2.5, TypeError),
        const("nan", math.nan, TypeError),
        const("1-element tensor", torch.tensor([3]), TypeError),
        const("float tensor", torch.tensor(3.0), TypeError),
        const("huge", HUGE, ValueError),
        const("negative", -1, ValueError),
    ]
    if minimum >= 1:
        bads.append(const("zero", 0, ValueError))
    return bads


def positive_int() -> Kind:
    return Kind(lambda: _int_bads(1), "a positive int")


def non_negative_int() -> Kind:
    return Kind(lambda: _int_bads(0), "an int ≥ 0")


def int_or_tuple(minimum: int, dims: int = 2, *, words: bool = False) -> Kind:
    """A size: an int, or a tuple of ``dims`` ints (one per spatial dimension).

    ``words``: the argument also takes some strings (``padding='same'``), so another string
    is the right kind with a wrong value: a ValueError.
    """

    def families():
        good = [3] * dims
        bads = _int_bads(minimum) + [
            const("tuple too long", tuple(good + [3]), ValueError),
            const("empty tuple", (), ValueError),
            const("tuple with a float", tuple(good[:-1] + [3.0]), TypeError),
            const("tuple with a str", tuple(good[:-1] + ["3"]), TypeError),
            const("tuple with a negative", tuple(good[:-1] + [-1]), ValueError),
        ]
        if minimum >= 1:
            bads.append(const("tuple with a zero", tuple(good[:-1] + [0]), ValueError))
        if words:
            bads = drop(bads, "str") + [const("unknown str", "full", ValueError),
                                        const("upper case", "SAME", ValueError)]
        return drop(bads, "list")  # [1, 2] is a valid pair of sizes

    return Kind(families, f"an int ≥ {minimum} or a tuple of {dims}")


def per_layer_ints(minimum: int = 1) -> Kind:
    """A non-empty list of ints, one per layer."""

    def families():
        return drop(wrong_objects(), "list") + [
            const("int instead of a list", 3, TypeError),
            const("empty list", [], ValueError),
            const("list with a float", [3, 3.0], TypeError),
            const("list with a bool", [3, True], TypeError),
            const("list with a str", [3, "3"], TypeError),
            const("list with a zero", [3, 0], ValueError) if minimum >= 1 else const("list with -1", [3, -1],
                                                                                      ValueError),
            const("list with a negative", [3, -2], ValueError),
        ]

    return Kind(families, "a list of ints, one per layer")


def boolean() -> Kind:
    return Kind(lambda: wrong_objects() + [
        const("str 'False'", "False", TypeError),
        const("int 0", 0, TypeError),
        const("int 1", 1, TypeError),
        const("float 1.0", 1.0, TypeError),
        const("numpy bool", np.bool_(True), TypeError),
        const("tensor bool", torch.tensor(True), TypeError),
    ], "True or False")


def choice(options: Sequence[str]) -> Kind:
    first = options[0]
    return Kind(lambda: drop(wrong_objects(), "str") + [
        const("int", 1, TypeError),
        const("bool", True, TypeError),
        const("unknown str", "nonsense", ValueError),
        const("upper case", first.upper() if first.upper() != first else first.lower(), ValueError),
        const("padded str", f" {first} ", ValueError),
        const("empty str", "", ValueError),
    ], f"one of {', '.join(map(repr, options))}")


def real(minimum: float | None = None, exclusive: bool = False) -> Kind:
    """A finite real number (int or float, not bool)."""

    def families():
        bads = wrong_objects() + [
            const("bool", True, TypeError),
            const("complex", 1j, TypeError),
            const("1-element tensor", torch.tensor([0.5]), TypeError),
            const("nan", math.nan, ValueError),
            const("inf", math.inf, ValueError),
        ]
        if minimum is not None:
            bads.append(const("below the minimum", minimum - 1, ValueError))
            if exclusive:
                bads.append(const("the excluded minimum", minimum, ValueError))
        return bads

    return Kind(families, "a number")


def text() -> Kind:
    """A string (a title, a label)."""
    return Kind(lambda: drop(wrong_objects(), "str") + [
        const("int", 3, TypeError),
        const("bytes", b"abc", TypeError),
    ], "a str")


def no_check() -> Kind:
    """An argument that takes any value by design (the spec's ``ok`` says why)."""
    return Kind(lambda: [], "anything")


# --------------------------------------------------------------------------- tensors

DTYPES = (torch.float16, torch.float32, torch.float64, torch.bfloat16, torch.int8, torch.int32, torch.int64,
          torch.uint8, torch.bool, torch.complex64)


def _short(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _with_rank(value: torch.Tensor, rank: int) -> torch.Tensor:
    """``value`` with dimensions dropped (first entries) or added (in front) until it has ``rank``."""
    while value.dim() > rank:
        value = value[0]
    while value.dim() < rank:
        value = value.unsqueeze(0)
    return value.clone()


def _to_dtype(value: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    if dtype == torch.bool:
        return value != 0
    if not dtype.is_floating_point and not dtype.is_complex:
        return value.abs().clamp(max=100).to(dtype)  # small non-negative ints: every int dtype holds them
    return value.to(dtype)


def _empty(value: torch.Tensor) -> torch.Tensor:
    return value.new_zeros((0, *value.shape[1:])) if value.dim() else value.new_zeros(0)


def _nan(value: torch.Tensor) -> torch.Tensor:
    bad = value.clone()
    bad.view(-1)[0] = math.nan
    return bad


def tensor(ranks: Sequence[int], dtypes: Sequence[torch.dtype] = (torch.float32,), *, arrays: bool = False,
           nan: bool = True, empty: bool = True) -> Kind:
    """A tensor of one of ``ranks`` and ``dtypes``; bad values are variants of the valid one.

    ``arrays``: NumPy arrays and nested lists are accepted (drawing functions), so only ragged
    lists and lists of strings are bad. ``nan``/``empty``: try NaN and empty tensors (when the
    argument's tensor is floating-point / has a first dimension to empty).
    """

    def families():
        bads = drop(wrong_objects(), "list") + [
            const("float", 3.0, TypeError),
            const("the class torch.Tensor", torch.Tensor, TypeError),
        ]
        if arrays:
            bads += [const("ragged list", [[1.0, 2.0], [3.0]], ValueError),
                     const("list of str", [["a", "b"], ["c", "d"]], TypeError)]
        else:
            bads += [Bad("NumPy array", lambda v: v.numpy(), TypeError),
                     Bad("nested list", lambda v: v.tolist(), TypeError)]
        wrong_ranks = sorted({r for r in (min(ranks) - 1, max(ranks) + 1, 0) if r >= 0} - set(ranks))
        bads += [Bad(f"rank {r}", lambda v, r=r: _with_rank(v, r), ValueError) for r in wrong_ranks]
        bads += [Bad(_short(d), lambda v, d=d: _to_dtype(v, d), TypeError) for d in DTYPES if d not in dtypes]
        if empty:
            bads.append(Bad("empty", _empty, ValueError))
        if nan and all(d.is_floating_point for d in dtypes):
            bads.append(Bad("NaN", _nan, ValueError))
        return bads

    return Kind(families, f"a tensor of rank {'/'.join(map(str, ranks))}")


# --------------------------------------------------------------------------- specs


@dataclass
class Arg:
    """One argument: its ``kind``, and which words of a message count as naming it.

    ``says``: the words that name the argument in a message (default: its name); a message
    must contain one of them. ``ok``: families legitimately valid here, with the reason;
    they are called and must succeed. ``ok_not_run``: valid too, but too slow to call.
    ``extra``: bad values only this argument has (mismatched shapes, mistakes of the domain).
    """

    name: str
    kind: Kind
    says: tuple[str, ...] = ()
    ok: dict[str, str] = field(default_factory=dict)
    ok_not_run: dict[str, str] = field(default_factory=dict)
    extra: list[Bad] = field(default_factory=list)

    def words(self) -> tuple[str, ...]:
        return self.says or (self.name,)

    def bads(self) -> list[Bad]:
        return self.kind.bads() + self.extra


@dataclass
class Spec:
    """A public function or model of course_utils and how to call it.

    ``covers``: the public names this spec tests (``"course_utils.train.fit"``). ``valid()``
    returns the keyword arguments of a valid call, fresh each time; ``call(**kwargs)`` makes
    the call (default: the covered function itself). ``raises``: error classes the function
    documents besides TypeError and ValueError. ``accepts``: whole valid calls that look
    suspicious (``(label, reason, change)`` with ``change(kwargs)`` returning new kwargs),
    called and required to succeed. ``names_argument=False``: the documented errors judge a
    learner's answer (the checkers' helpers) and need not name the argument; TypeError and
    ValueError still must.
    """

    covers: tuple[str, ...]
    call: Callable[..., Any]
    valid: Callable[[], dict]
    args: list[Arg]
    raises: tuple[type[BaseException], ...] = ()
    accepts: list[tuple[str, str, Callable[[dict], dict]]] = field(default_factory=list)
    after: Callable[[], None] | None = None
    names_argument: bool = True

    @property
    def id(self) -> str:
        return self.covers[0].replace("course_utils.", "")

    def arg(self, name: str) -> Arg:
        return next(a for a in self.args if a.name == name)


@dataclass(frozen=True)
class Case:
    """One call of the suite: ``spec`` with ``argument`` replaced by ``bad`` (or an ``ok`` value)."""

    spec: Spec
    argument: str
    bad: Bad
    must_succeed: bool = False
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.spec.id}-{self.argument}-{self.bad.label}".replace(" ", "_")


def cases(specs: Sequence[Spec]) -> list[Case]:
    """Every call the suite makes: each family of bad values on each argument of each spec."""
    result = []
    for spec in specs:
        for arg in spec.args:
            for bad in arg.bads():
                if bad.label in arg.ok_not_run:
                    continue
                if bad.label in arg.ok:
                    result.append(Case(spec, arg.name, bad, must_succeed=True, reason=arg.ok[bad.label]))
                else:
                    result.append(Case(spec, arg.name, bad))
    return result


# --------------------------------------------------------------------------- one call


def _on_alarm(signum, frame):
    raise CallTimedOut(f"no answer within {TIMEOUT} s")


def call_with_timeout(function: Callable[[], Any]) -> Any:
    """``function()``, interrupted after :data:`TIMEOUT` seconds with :class:`CallTimedOut`."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    faulthandler.dump_traceback_later(HARD_TIMEOUT, exit=True)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def _last_frame(error: BaseException) -> traceback.FrameSummary:
    return traceback.extract_tb(error.__traceback__)[-1]


def raised_by_the_package(error: BaseException) -> bool:
    """True if the traceback's last frame is a learner-facing file of course_utils."""
    path = Path(_last_frame(error).filename).resolve()
    return path.is_relative_to(PACKAGE) and not path.is_relative_to(AUTHORING)


def judge(case: Case, run: Callable[[], Any]) -> str | None:
    """Make the call; return what is wrong with its outcome, or ``None`` if the promise holds."""
    import matplotlib.pyplot as plt

    try:
        call_with_timeout(run)
    except CallTimedOut:
        return f"hung: no answer within {TIMEOUT} s"
    except Exception as error:  # noqa: BLE001 - every exception is judged
        return _judge_error(case, error)
    finally:
        plt.close("all")
    if case.must_succeed:
        return None
    return "returned: the bad value was silently accepted"


def _judge_error(case: Case, error: Exception) -> str | None:
    described = f"{type(error).__name__}: {error}"
    if case.must_succeed:
        return f"refused a valid value ({case.reason}) with {described}"
    if not raised_by_the_package(error):
        frame = _last_frame(error)
        return f"escaped from {frame.filename}:{frame.lineno} ({frame.name}) with {described}"
    documented = (TypeError, ValueError) + case.spec.raises
    if not isinstance(error, documented):
        return f"raised {described}; expected TypeError or ValueError"
    expected = case.bad.error
    if isinstance(error, (TypeError, ValueError)) and not isinstance(error, expected) and \
            not isinstance(error, case.spec.raises):
        names = expected.__name__ if isinstance(expected, type) else "/".join(e.__name__ for e in expected)
        return f"raised {described}; expected {names} for this family"
    if not case.spec.names_argument and isinstance(error, case.spec.raises):
        return None
    words = case.spec.arg(case.argument).words()
    if not any(mentions(word, str(error)) for word in words):
        return f"message does not name {' or '.join(map(repr, words))}: {described}"
    return None


def mentions(word: str, message: str) -> bool:
    """True if ``word`` occurs in ``message`` as a whole word: "train" is not named by "training"."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", message) is not None


def attempt(case: Case) -> str | None:
    """Call ``case.spec`` with ``case.argument`` replaced by the bad value; judge the outcome."""
    kwargs = case.spec.valid()
    kwargs[case.argument] = case.bad.make(kwargs.get(case.argument))
    problem = judge(case, lambda: case.spec.call(**kwargs))
    if case.spec.after is not None:
        case.spec.after()
    return problem
