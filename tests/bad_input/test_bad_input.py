"""Every public function and model of course_utils answers bad input with one clear error.

The table (``table.py``) says how to call each one and what kind each argument is; the
harness (``harness.py``) tries the same families of bad values on every argument. A call
fails the suite if it returns (a bad value silently accepted), hangs, raises outside
course_utils, raises the wrong type, or raises a message that does not name the argument.

The calls are grouped by argument (one test per argument of each spec, listing every
family that went wrong): a test per call would cost pytest ~10 ms each, twice the calls.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import pkgutil
from collections import defaultdict

import pytest
import torch
from torch import nn

import course_utils.checks

from .harness import Bad, Case, call_with_timeout, cases, judge
from .table import NO_ARGUMENTS, RESULTS, SPECS

#: The learner-facing modules whose ``__all__`` is the public API (not course_utils.authoring).
PUBLIC_MODULES = ("course_utils.repro", "course_utils.shapes", "course_utils.arithmetic", "course_utils.conv",
                  "course_utils.rnn", "course_utils.models", "course_utils.data", "course_utils.train",
                  "course_utils.viz", "course_utils.checks")


def _groups() -> dict[str, list[Case]]:
    groups = defaultdict(list)
    for case in cases(SPECS):
        groups[f"{case.spec.id}-{case.argument}"].append(case)
    return dict(groups)


GROUPS = _groups()


@pytest.mark.parametrize("key", list(GROUPS))
def test_every_bad_value_of_an_argument_gets_one_clear_error(key):
    from .harness import attempt

    problems = [f"{case.bad.label}: {problem}" for case in GROUPS[key] if (problem := attempt(case))]
    assert not problems, f"{len(problems)} of {len(GROUPS[key])} calls went wrong:\n" + "\n".join(problems)


ACCEPTS = [(spec, label, reason, change) for spec in SPECS for label, reason, change in spec.accepts]


@pytest.mark.parametrize("spec, label, reason, change", ACCEPTS,
                         ids=[f"{spec.id}-{label}".replace(" ", "_") for spec, label, _, _ in ACCEPTS])
def test_suspicious_but_valid_call_succeeds(spec, label, reason, change):
    kwargs = change(spec.valid())
    case = Case(spec, spec.args[0].name, Bad(label, lambda v: v, TypeError), must_succeed=True, reason=reason)
    problem = judge(case, lambda: spec.call(**kwargs))
    assert problem is None, problem


@pytest.mark.parametrize("spec", SPECS, ids=[spec.id for spec in SPECS])
def test_the_valid_call_of_each_spec_succeeds(spec):
    """A spec whose valid call failed would make every bad value look refused."""
    case = Case(spec, spec.args[0].name, Bad("valid", lambda v: v, TypeError), must_succeed=True,
                reason="the spec's valid call")
    kwargs = spec.valid()
    problem = judge(case, lambda: spec.call(**kwargs))
    if spec.raises and problem and any(f"with {error.__name__}:" in problem for error in spec.raises):
        return  # mnist_full offline answers DataFileError even when called right
    assert problem is None, problem


@pytest.mark.parametrize("name", sorted(NO_ARGUMENTS))
def test_functions_without_arguments_refuse_one(name):
    """Python itself refuses an argument to a function that takes none, naming the function."""
    function = NO_ARGUMENTS[name]
    with pytest.raises(TypeError, match=function.__name__):
        function("unexpected")


# --------------------------------------------------------------------------- the checkers of the notebooks


def checkers() -> dict[str, object]:
    """Every ``exercise_N_M`` of every ``course_utils.checks.nbNN`` module, found by walking the package."""
    found = {}
    for module_info in pkgutil.iter_modules(course_utils.checks.__path__):
        if module_info.name.startswith("nb"):
            module = importlib.import_module(f"course_utils.checks.{module_info.name}")
            found.update({f"{module.__name__}.{name}": getattr(module, name)
                          for name in module.__all__ if name.startswith("exercise_")})
    return found


def _raises_value_error(*args, **kwargs):
    raise ValueError("my bug")


#: Answers no exercise accepts. The starter's placeholders (``...``, a bare NotImplementedError)
#: are left out: they mean "not attempted", which is tested with the checkers themselves.
WRONG_ANSWERS = {
    "None": lambda: None,
    "str": lambda: "42",
    "int": lambda: -7,
    "float": lambda: 2.5,
    "bool": lambda: True,
    "list": lambda: [1, 2],
    "dict": lambda: {"a": 1},
    "tensor": lambda: torch.zeros(2, 3),
    "class": lambda: nn.Linear,
    "module": lambda: nn.Linear(2, 3),
    "function returning None": lambda: (lambda *args, **kwargs: None),
    "function returning a str": lambda: (lambda *args, **kwargs: "x"),
    "function raising ValueError": lambda: _raises_value_error,
    "function of no argument": lambda: (lambda: 1),
}

CHECKERS = checkers()


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_checkers_answer_every_wrong_answer_with_one_failed_line(name):
    """A checker never lets a traceback through: each wrong answer gets one ❌ line."""
    checker = CHECKERS[name]
    parameters = inspect.signature(checker).parameters
    problems = []
    for label, make in WRONG_ANSWERS.items():
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                call_with_timeout(lambda make=make: checker(*(make() for _ in parameters)))
        except BaseException as error:  # noqa: BLE001 - a traceback is what the checker must never let out
            problems.append(f"{label}: raised {type(error).__name__}: {error}")
            continue
        lines = printed.getvalue().splitlines()
        if len(lines) != 1 or not lines[0].startswith("❌"):
            problems.append(f"{label}: printed {lines!r}, expected one line starting with ❌")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- completeness


def public_callables() -> dict[str, object]:
    """Every public function and class of the learner-facing modules, by its dotted name."""
    found = {"course_utils.device": importlib.import_module("course_utils").device}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value) or inspect.isclass(value):
                found[f"{module_name}.{name}"] = value
    return found


def _covered() -> set[str]:
    return {name for spec in SPECS for name in spec.covers} | set(NO_ARGUMENTS) | set(RESULTS)


def test_every_public_function_and_class_has_bad_input_cases():
    missing = sorted(set(public_callables()) - _covered())
    assert not missing, f"no bad-input cases in tests/bad_input/table.py for: {', '.join(missing)}"


def test_every_model_class_has_cases_for_its_forward_too():
    """A model is called twice by a learner: built, then run on data; both need bad-input cases."""
    models = [name for name, value in public_callables().items()
              if inspect.isclass(value) and issubclass(value, nn.Module)]
    runs = {name for spec in SPECS for name in spec.covers if any(arg.name == "x" for arg in spec.args)}
    assert sorted(set(models) - runs) == []


def test_the_table_names_only_public_callables():
    unknown = sorted(_covered() - set(public_callables()))
    assert not unknown, f"the table covers names that are not public: {', '.join(unknown)}"


def test_every_spec_argument_is_an_argument_of_the_call():
    for spec in SPECS:
        valid = spec.valid()
        for arg in spec.args:
            assert arg.name in valid, f"{spec.id}: {arg.name} is not in the valid call"
            assert arg.bads(), f"{spec.id}: {arg.name} has no bad values"
            unknown = (set(arg.ok) | set(arg.ok_not_run)) - {bad.label for bad in arg.bads()}
            assert not unknown, f"{spec.id}: {arg.name} says {sorted(unknown)} are valid, but tries no such family"
