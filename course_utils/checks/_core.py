"""The ``@exercise`` decorator and the calls into the learner's code.

A checker is a function ``exercise_N_M(answer, …)`` whose body raises
:class:`CheckFailed` (through the ``expect`` helpers), :class:`NotAttempted` or
nothing; the decorator turns that into one printed line and never a traceback::

    @exercise("3.1", expects="(H_out, W_out) as two ints, e.g. (7, 7)")
    def exercise_3_1(answer):
        value = as_shape(answered(answer), msg("(H_out, W_out)"), length=2)
        expect_equal(value, (10, 10), msg("(H_out, W_out)"))

Who is to blame decides the frame: an exception of the learner's own function
(called through :func:`call`) is "your function raised …"; any other exception
escaping a checker means the checker could not handle the answer, so the line
says "the answer has the wrong form: expected <expects>" instead of blaming the
learner for the checker's failure.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course_utils._validate import exception_class, instance

from ._errors import CheckFailed, NotAttempted, WrongForm
from ._expect import shown
from ._i18n import (
    FAILED,
    FAILED_WITH_HINT,
    NOT_ATTEMPTED,
    PASSED,
    READ_THE_ERROR,
    WRONG_FORM,
    YOUR_FUNCTION_RAISED,
    Message,
    msg,
    template_fields,
)
from ._mistakes import diagnose, is_placeholder, module_mistake

__all__ = ["exercise", "exercises", "Verdict", "answered", "call", "expect_raises"]

_ID = re.compile(r"^(\d+)\.(\d+)$")
_EXERCISES: dict[str, Callable[..., None]] = {}


@dataclass(frozen=True)
class Verdict:
    """What a checker decided: ``status`` is ``"passed"``, ``"failed"`` or ``"not attempted"``."""

    exercise_id: str
    status: str
    message: Message | None = None
    hint: Message | None = None

    def line(self, language: str | None = None) -> str:
        """The one line the checker prints, in ``language`` (default: the current one)."""
        if self.status == "passed":
            frame = Message(PASSED, id=self.exercise_id)
        elif self.status == "not attempted":
            frame = Message(NOT_ATTEMPTED, id=self.exercise_id)
        elif self.hint is None:
            frame = Message(FAILED, id=self.exercise_id, message=self.message)
        else:
            frame = Message(FAILED_WITH_HINT, id=self.exercise_id, message=self.message, hint=self.hint)
        return frame.render(language)


def _judge(exercise_id: str, expects: str, test: Callable[[], None]) -> Verdict:
    try:
        test()
    except NotAttempted:
        return Verdict(exercise_id, "not attempted")
    except CheckFailed as failure:
        return Verdict(exercise_id, "failed", failure.message, failure.hint)
    except Exception:  # WrongForm, or the checker itself choked on the answer: not the learner's bug
        return Verdict(exercise_id, "failed", Message(WRONG_FORM, expects=Message(expects)))
    return Verdict(exercise_id, "passed")


def _check_declaration(exercise_id: Any, expects: Any) -> None:
    instance("exercise_id", exercise_id, str, "a str 'N.M' such as '3.1'")
    instance("expects", expects, str, "a str that describes the answer's form")
    if not _ID.match(exercise_id):
        raise ValueError(f"exercise_id must be 'N.M' such as '3.1', got {exercise_id!r}")
    if not expects.strip():
        raise ValueError(f"expects must describe the answer's form in words, got {expects!r}")
    if template_fields(expects):
        raise ValueError(f"expects must have no {{fields}}, got {expects!r}")


def exercise(exercise_id: str, *, expects: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare the checker of exercise ``exercise_id`` (``"N.M"``); the function must be ``exercise_N_M``.

    ``expects`` says in words what form the answer takes (a literal, translated like any
    message); it is printed when the answer is so far off that the checker cannot use it.
    Calling the checker prints one line; ``checker.verdict(...)`` returns the :class:`Verdict` instead.
    """
    _check_declaration(exercise_id, expects)

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        name = "exercise_" + exercise_id.replace(".", "_")
        if test.__name__ != name:
            raise ValueError(f"the checker of exercise {exercise_id} must be called {name}, not {test.__name__}")
        signature = inspect.signature(test)

        def verdict(*answers: Any, **named: Any) -> Verdict:
            signature.bind(*answers, **named)  # a wrong call in a notebook is a TypeError, not a verdict
            return _judge(exercise_id, expects, lambda: test(*answers, **named))

        @functools.wraps(test)
        def checker(*answers: Any, **named: Any) -> None:
            # one write, so a busy kernel cannot store the line and its newline as two outputs
            sys.stdout.write(verdict(*answers, **named).line() + "\n")

        checker.verdict = verdict
        checker.exercise_id = exercise_id
        checker.expects = expects
        _register(exercise_id, checker)
        return checker

    return decorate


def _register(exercise_id: str, checker: Callable[..., None]) -> None:
    known = _EXERCISES.get(exercise_id)
    if known is not None and known.__module__ != checker.__module__:
        raise ValueError(f"exercise {exercise_id} is declared twice: in {known.__module__} and {checker.__module__}")
    _EXERCISES[exercise_id] = checker


def exercises() -> dict[str, Callable[..., None]]:
    """Every declared checker so far, by exercise id."""
    return dict(_EXERCISES)


# --------------------------------------------------------------------------- the learner's answer


def answered(value: Any) -> Any:
    """Return ``value``, or signal "not attempted" if it is still the placeholder ``...``."""
    if value is Ellipsis:
        raise NotAttempted
    return value


def _name_of(function: Any) -> str:
    if isinstance(function, type) or inspect.isroutine(function):
        return function.__name__
    return f"{type(function).__name__}.forward"


def _placeholder_or_failure(error: Exception, function: Any) -> Exception:
    if is_placeholder(error):
        return NotAttempted()
    known = diagnose(error, function)
    if known is not None:
        return known
    return CheckFailed(Message(YOUR_FUNCTION_RAISED, error_type=type(error).__name__, error=str(error)),
                       Message(READ_THE_ERROR))


def call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function, class or module; their mistakes become :class:`CheckFailed`.

    The starter's bare ``NotImplementedError`` (or a ``...`` left in place of the
    function) means "not attempted"; a module is first checked for classic structural
    mistakes; a result of ``None`` is a forgotten ``return``.
    """
    if function is Ellipsis:
        raise NotAttempted
    if not callable(function):
        raise WrongForm
    if not isinstance(function, type):
        mistake = module_mistake(function, type(function).__name__) if _is_module(function) else None
        if mistake is not None:
            raise mistake
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        raise _placeholder_or_failure(error, function) from None
    if result is None:
        raise CheckFailed(msg("{name} returned None", name=_name_of(function)),
                          msg("end it with a return statement (print shows a value but does not return it)"))
    return result


def _is_module(value: Any) -> bool:
    from torch import nn

    return isinstance(value, nn.Module)


def _describe_call(function: Any, args: tuple, kwargs: dict) -> str:
    arguments = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{_name_of(function)}({', '.join(arguments)})"


def expect_raises(function: Any, exception: type[Exception], *args: Any,
                  hint: Message | None = None, **kwargs: Any) -> Exception:
    """Fail unless ``function(*args, **kwargs)`` raises ``exception``; return the exception raised.

    For exercises that must refuse some inputs ("raise ValueError when …"). The
    starter's bare ``NotImplementedError`` still means "not attempted".
    """
    exception_class("exception", exception)
    if function is Ellipsis:
        raise NotAttempted
    if not callable(function):
        raise WrongForm
    described = _describe_call(function, args, kwargs)
    try:
        result = function(*args, **kwargs)
    except exception as error:
        return error
    except Exception as error:
        if is_placeholder(error):
            raise NotAttempted from None
        raise CheckFailed(msg("{call} raised {error_type} ({error}), but it should raise {expected}",
                              call=described, error_type=type(error).__name__, error=str(error),
                              expected=exception.__name__),
                          hint or msg("raise {expected}(...) with a message that says what is wrong",
                                      expected=exception.__name__)) from None
    raise CheckFailed(msg("{call} returned {result}, but it should raise {expected}",
                          call=described, result=shown(result), expected=exception.__name__),
                      hint or msg("raise {expected}(...) in this case instead of returning",
                                  expected=exception.__name__))
