"""The exercise checkers: one line per check, the right frame, a hint that names the mistake.

Frames: ✅ passed, ❌ message — hint, ⏳ not attempted (only an untouched placeholder),
❌ your function raised …, ❌ the answer has the wrong form (the checker could not use the answer).
"""

import ast
import importlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import _i18n, msg, nb00, nb01, nb02, nb03

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "course_utils" / "checks"
MODULES = sorted(path.stem for path in CHECKS_DIR.glob("nb[0-9][0-9].py"))


@pytest.fixture(autouse=True)
def english():
    checks.set_language("en")
    yield
    checks.set_language("en")


def printed(capsys, checker, *answers):
    checker(*answers)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Traceback" not in out, out
    return out.strip()


# --------------------------------------------------------------------------- the frames


@checks.exercise("98.1", expects="two ints, e.g. (7, 7)")
def exercise_98_1(answer):
    value = checks.answered(answer)
    if value == "crash":
        return 1 / 0  # the checker's own bug, or an answer it cannot handle
    if value == "shape":
        checks.expect_shape(torch.zeros(1, 1, 5, 5), (1, 1, 3, 3), hint=msg("no padding"))
    checks.expect(value != "bare", msg("a failure without a hint"))
    checks.call(value, 1) if callable(value) else None


def test_passed_failed_and_not_attempted_lines(capsys):
    assert printed(capsys, exercise_98_1, (7, 7)) == "✅ 98.1 passed"
    assert printed(capsys, exercise_98_1, ...) == "⏳ 98.1 not attempted yet"
    assert printed(capsys, exercise_98_1, "shape") == \
        "❌ 98.1: expected shape (1, 1, 3, 3), got (1, 1, 5, 5) — hint: no padding"
    assert printed(capsys, exercise_98_1, "bare") == "❌ 98.1: a failure without a hint"


def test_an_error_of_the_checker_says_wrong_form_and_never_blames_the_learner(capsys):
    assert printed(capsys, exercise_98_1, "crash") == \
        "❌ 98.1: the answer has the wrong form: expected two ints, e.g. (7, 7)"
    assert printed(capsys, nb00.exercise_0_4, (5, 6)) == (
        "❌ 0.4: the answer has the wrong form: expected a pair of shapes (output_shape, h_n_shape), "
        "e.g. ((1, 2, 3), (4, 5, 6))")
    assert printed(capsys, nb00.exercise_0_2, 42).startswith(
        "❌ 0.2: the answer has the wrong form: expected a function")


def test_the_learners_own_exception_is_your_function_raised(capsys):
    def broken(x):
        return x.nope

    line = printed(capsys, exercise_98_1, broken)
    assert line == ("❌ 98.1: your function raised AttributeError: 'int' object has no attribute 'nope' "
                    "— hint: run it on the example above and read the error message")


def test_verdict_returns_instead_of_printing(capsys):
    verdict = exercise_98_1.verdict(...)
    assert (verdict.exercise_id, verdict.status) == ("98.1", "not attempted")
    assert exercise_98_1.verdict("bare").status == "failed"
    assert exercise_98_1.verdict((1, 2)).line() == "✅ 98.1 passed"
    assert capsys.readouterr().out == ""
    assert exercise_98_1.exercise_id == "98.1" and exercise_98_1.expects == "two ints, e.g. (7, 7)"


def test_a_wrong_call_in_a_notebook_is_a_type_error_not_a_verdict():
    with pytest.raises(TypeError):
        exercise_98_1(1, 2)


def test_the_decorator_checks_its_declaration():
    def exercise_98_2(answer):
        pass

    with pytest.raises(ValueError, match="must be called exercise_98_3"):
        checks.exercise("98.3", expects="an int")(exercise_98_2)
    with pytest.raises(ValueError, match="exercise_id must be 'N.M'"):
        checks.exercise("98", expects="an int")
    with pytest.raises(ValueError, match="expects must describe"):
        checks.exercise("98.2", expects=" ")
    with pytest.raises(ValueError, match="no {fields}"):
        checks.exercise("98.2", expects="a dict {name: value}")
    exercise_98_2.__name__ = "exercise_98_1"
    exercise_98_2.__module__ = "somewhere.else"
    with pytest.raises(ValueError, match="exercise 98.1 is declared twice"):
        checks.exercise("98.1", expects="an int")(exercise_98_2)


def test_messages_must_be_translatable_messages():
    with pytest.raises(TypeError, match="Message made with msg"):
        checks.CheckFailed("a plain string")
    with pytest.raises(TypeError, match="Message made with msg"):
        checks.CheckFailed(msg("fine"), hint="a plain string")


def test_expectation_helpers():
    checks.expect_equal(3, 3)
    checks.expect_close(torch.ones(2), torch.ones(2) + 1e-7)
    with pytest.raises(checks.CheckFailed, match="expected answer 4, got 3"):
        checks.expect_equal(3, 4)
    with pytest.raises(checks.CheckFailed, match="differ from the expected ones by up to 0.5"):
        checks.expect_close(torch.ones(2), torch.tensor([1.0, 1.5]))
    with pytest.raises(checks.CheckFailed, match="differ from the expected ones by up to inf"):
        checks.expect_close(torch.tensor([float("nan")]), torch.ones(1))
    with pytest.raises(checks.CheckFailed, match="expected a tensor, got list"):
        checks.expect_shape([1, 2], (2,))
    with pytest.raises(checks.CheckFailed, match="plain"):
        checks.expect(False, msg("plain"))
    with pytest.raises(checks.NotAttempted):
        checks.call(..., 1)
    with pytest.raises(checks.WrongForm):
        checks.call("not a function", 1)


# --------------------------------------------------------------------------- "not attempted" means the placeholder only


def test_not_attempted_is_the_untouched_placeholder_only(capsys):
    def starter(x):
        raise NotImplementedError

    def unfinished(x):
        raise NotImplementedError("the padding part is missing")

    assert printed(capsys, nb00.exercise_0_2, starter) == "⏳ 0.2 not attempted yet"
    assert printed(capsys, nb00.exercise_0_1, ...) == "⏳ 0.1 not attempted yet"
    assert printed(capsys, nb00.exercise_0_2, unfinished) == (
        "❌ 0.2: your function raised NotImplementedError: the padding part is missing "
        "— hint: run it on the example above and read the error message")


class ScaleStarter(nn.Module):
    def __init__(self):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError


class ScaleWithoutForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(1.0))


class ScaleMisspelled(ScaleWithoutForward):
    def foward(self, x):
        return self.scale * x


class ScaleForwardNotWritten(ScaleWithoutForward):
    def forward(self, x):
        raise NotImplementedError


def test_a_missing_forward_is_a_mistake_not_a_placeholder(capsys):
    assert printed(capsys, nb01.exercise_1_2, ScaleStarter) == "⏳ 1.2 not attempted yet"
    assert printed(capsys, nb01.exercise_1_2, ScaleForwardNotWritten) == "⏳ 1.2 not attempted yet"
    assert printed(capsys, nb01.exercise_1_2, ScaleWithoutForward) == (
        "❌ 1.2: ScaleWithoutForward has no forward method "
        "— hint: define forward(self, x) inside the class, indented like __init__")
    assert printed(capsys, nb01.exercise_1_2, ScaleMisspelled) == (
        "❌ 1.2: ScaleMisspelled has no forward method "
        "— hint: rename foward to forward: nn.Module calls only a method spelled exactly forward")


def test_a_missing_forward_deep_inside_a_model_is_named(capsys):
    def build_mlp(sizes):
        return nn.Sequential(nn.Linear(sizes[0], sizes[-1]), ScaleWithoutForward())

    line = printed(capsys, nb01.exercise_1_3, build_mlp)
    assert line.startswith("❌ 1.3: ScaleWithoutForward has no forward method")
    error = NotImplementedError('Module [Hidden] is missing the required "forward" function')
    failure = checks._mistakes.diagnose(error)
    assert failure.message.render() == "Hidden has no forward method"


# --------------------------------------------------------------------------- classic mistakes named


class ScaleWithoutSuper(nn.Module):
    def __init__(self):
        self.scale = nn.Parameter(torch.tensor(1.0))

    def forward(self, x):
        return self.scale * x


class ScaleNeverInitialised(nn.Module):
    def __init__(self):
        pass

    def forward(self, x):
        return x


class ScalePlainTensor(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.tensor(1.0)

    def forward(self, x):
        return self.scale * x


class ListMLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x) if i == len(self.layers) - 1 else torch.relu(layer(x))
        return x


def _layers(sizes):
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return layers[:-1]


def test_forgotten_super_init(capsys):
    line = printed(capsys, nb01.exercise_1_2, ScaleWithoutSuper)
    assert line.startswith("❌ 1.2: your module was used before nn.Module.__init__ ran")
    assert line.endswith("— hint: call super().__init__() as the first line of __init__")
    assert printed(capsys, nb01.exercise_1_2, ScaleNeverInitialised) == (
        "❌ 1.2: ScaleNeverInitialised was created without running nn.Module.__init__ "
        "— hint: call super().__init__() as the first line of __init__")


def test_a_plain_tensor_is_not_a_parameter(capsys):
    assert printed(capsys, nb01.exercise_1_2, ScalePlainTensor) == (
        "❌ 1.2: scale is a plain tensor, so it is not a parameter: the optimiser would never see it "
        "— hint: wrap it: self.scale = nn.Parameter(torch.tensor(1.0))")


def test_module_list_plain_list_and_unregistered_layers(capsys):
    assert printed(capsys, nb01.exercise_1_3, lambda sizes: nn.ModuleList(_layers(sizes))) == (
        "❌ 1.3: build_mlp([4, 8, 3]) is an nn.ModuleList: it holds layers but cannot be called on an input "
        "— hint: use nn.Sequential(*layers) to run the layers one after another")
    assert printed(capsys, nb01.exercise_1_3, _layers) == (
        "❌ 1.3: build_mlp([4, 8, 3]) is a plain Python list of layers, not a module "
        "— hint: wrap the layers: nn.Sequential(*layers)")
    assert printed(capsys, nb01.exercise_1_3, ListMLP) == (
        "❌ 1.3: ListMLP.layers is a plain Python list: the layers in it are not registered, so parameters() "
        "misses them and .to(device) does not move them "
        "— hint: store them in an nn.ModuleList(...) instead (or in nn.Sequential to run them in order)")
    assert printed(capsys, nb01.exercise_1_3, lambda sizes: nn.Sequential(*_layers(sizes))) == "✅ 1.3 passed"


def test_a_class_where_a_module_is_needed(capsys):
    line = printed(capsys, nb01.exercise_1_3, lambda sizes: nn.Sequential)
    assert line == ("❌ 1.3: build_mlp([4, 8, 3]) is the class Sequential itself, not a module "
                    "— hint: create one: Sequential(...)")


def test_a_forgotten_return(capsys):
    def to_channels_first(x):
        print(x.permute(0, 2, 1).shape)

    capsys.readouterr()
    nb00.exercise_0_2(to_channels_first)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "❌ 0.2: to_channels_first returned None "
        "— hint: end it with a return statement (print shows a value but does not return it)")


@pytest.mark.parametrize("answer", [(4, 7, 3), [4, 7, 3], torch.Size([4, 7, 3]),
                                    (np.int64(4), np.int32(7), np.int64(3)), (torch.tensor(4), 7, 3)])
def test_every_correct_form_of_a_shape_is_accepted(capsys, answer):
    assert printed(capsys, nb00.exercise_0_1, answer) == "✅ 0.1 passed"


def test_every_correct_form_of_a_number_is_accepted(capsys):
    right = 8 * 3 * 3 * 3 + 8 + 8 * 6 * 6 * 10 + 10
    for answer in (right, np.int64(right), torch.tensor(right)):
        assert printed(capsys, nb01.exercise_1_1, answer) == "✅ 1.1 passed"
    assert printed(capsys, nb01.exercise_1_1, float(right)) == (
        f"❌ 1.1: expected the parameter count as a whole number, got the float {float(right)!r} "
        "— hint: use // for division, or int(...)")


def test_shape_answers_that_are_not_shapes(capsys):
    assert printed(capsys, nb02.exercise_2_1, torch.zeros(8, 16, 16, 16)) == (
        "❌ 2.1: expected the shape as a tuple of ints, got a tensor of shape (8, 16, 16, 16) "
        "— hint: write the shape itself, e.g. tuple(t.shape), not the tensor")
    assert printed(capsys, nb02.exercise_2_3, (24, 3, 3)) == (
        "❌ 2.3: expected weight shape (24, 3, 3, 3), got (24, 3, 3) — hint: (C_out, C_in / groups, kH, kW)")
    assert printed(capsys, nb00.exercise_0_1, (4, 7, "3")).startswith(
        "❌ 0.1: expected the shape as a tuple of ints such as (1, 2, 3), got (4, 7, '3')")


def test_true_division_gives_a_hint(capsys):
    def conv1d_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
        return (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1

    assert printed(capsys, nb00.exercise_0_3, conv1d_length) == (
        "❌ 0.3: expected the length for L_in=32, kernel_size=2, stride=1, padding=0, dilation=1 as a whole "
        "number, got the float 31.0 — hint: use // for division, or int(...)")


# --------------------------------------------------------------------------- expect_raises


def _refuses_odd(n):
    if n % 2:
        raise ValueError("odd")
    return n // 2


def test_expect_raises():
    error = checks.expect_raises(_refuses_odd, ValueError, 3)
    assert isinstance(error, ValueError) and str(error) == "odd"
    with pytest.raises(checks.CheckFailed) as failure:
        checks.expect_raises(_refuses_odd, ValueError, 4)
    assert str(failure.value) == "_refuses_odd(4) returned 2, but it should raise ValueError"
    assert failure.value.hint.render() == "raise ValueError(...) in this case instead of returning"
    with pytest.raises(checks.CheckFailed) as failure:
        checks.expect_raises(lambda n: n.missing, ValueError, 3, hint=msg("check n first"))
    assert str(failure.value) == ("<lambda>(3) raised AttributeError ('int' object has no attribute 'missing'), "
                                  "but it should raise ValueError")
    assert failure.value.hint.render() == "check n first"


def test_expect_raises_knows_the_placeholder():
    def starter(n):
        raise NotImplementedError

    with pytest.raises(checks.NotAttempted):
        checks.expect_raises(starter, ValueError, 3)
    with pytest.raises(checks.NotAttempted):
        checks.expect_raises(..., ValueError, 3)
    with pytest.raises(checks.WrongForm):
        checks.expect_raises(5, ValueError, 3)


def test_must_raise_exercises(capsys):
    def same_padding(kernel_size, dilation=1):
        return dilation * (kernel_size - 1) // 2

    assert printed(capsys, nb03.exercise_3_2, same_padding) == (
        "❌ 3.2: same_padding(2) returned 0, but it should raise ValueError — hint: no symmetric padding keeps "
        "the size when dilation * (kernel_size - 1) is odd (1 here): raise ValueError")

    def output_padding_for(i, target, k, s, p):
        a = target - ((i - 1) * s - 2 * p + k)
        if not 0 <= a < s:
            raise RuntimeError("no")
        return a

    assert printed(capsys, nb03.exercise_3_3, output_padding_for).startswith(
        "❌ 3.3: output_padding_for(3, 7, 3, 2, 1) raised RuntimeError (no), but it should raise ValueError")


# --------------------------------------------------------------------------- every checker, absurd answers


def _checkers():
    found = []
    for name in MODULES:
        module = importlib.import_module(f"course_utils.checks.{name}")
        found += [pytest.param(getattr(module, attribute), id=attribute)
                  for attribute in sorted(vars(module)) if attribute.startswith("exercise_")]
    return found


ABSURD = [None, "abc", 5, (5, 6), [], {"a": 1}, torch.zeros(3), lambda *a, **k: "abc", lambda *a, **k: None,
          lambda *a, **k: torch.zeros(1), nn.Linear, nn.ModuleList()]
# exercises whose answer is a value, not a function
VALUE_EXERCISES = {"0.1", "0.4", "1.1", "2.1", "2.3", "3.1"}
KNOWN_TEMPLATES = set(checks.all_templates())


def _templates_of(message):
    if not isinstance(message, checks.Message):
        return set()
    found = {message.template}
    for value in message.fields.values():
        found |= _templates_of(value)
    return found


@pytest.mark.parametrize("checker", _checkers())
def test_absurd_answers_get_a_cross_from_known_templates(capsys, checker):
    arity = checker.__wrapped__.__code__.co_argcount
    for answer in ABSURD:
        verdict = checker.verdict(*[answer] * arity)
        assert verdict.status == "failed", (answer, verdict.line())
        assert _templates_of(verdict.message) | _templates_of(verdict.hint) <= KNOWN_TEMPLATES, verdict
    assert printed(capsys, checker, *[None] * arity).startswith(f"❌ {checker.exercise_id}: ")


@pytest.mark.parametrize("checker", _checkers())
def test_every_checker_starts_not_attempted(capsys, checker):
    arity = checker.__wrapped__.__code__.co_argcount

    def starter(*args, **kwargs):
        raise NotImplementedError

    assert printed(capsys, checker, *[...] * arity) == f"⏳ {checker.exercise_id} not attempted yet"
    if checker.exercise_id not in VALUE_EXERCISES:
        assert printed(capsys, checker, starter) == f"⏳ {checker.exercise_id} not attempted yet"
    else:
        assert printed(capsys, checker, *[starter] * arity).startswith(f"❌ {checker.exercise_id}: ")


# --------------------------------------------------------------------------- every checker declared and used


def _notebook(number: str) -> dict:
    path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", MODULES)
def test_every_checker_is_declared_exported_and_used_in_its_notebook(name):
    module = importlib.import_module(f"course_utils.checks.{name}")
    number = name[2:]
    declared = sorted(a for a in vars(module) if a.startswith("exercise_"))
    assert declared, f"{name} declares no exercise"
    assert sorted(module.__all__) == sorted(declared + ["set_language"])
    assert module.set_language is checks.set_language
    cells = _notebook(number)["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for attribute in declared:
        checker = getattr(module, attribute)
        exercise_id = checker.exercise_id  # only decorated checkers have it
        assert attribute == "exercise_" + exercise_id.replace(".", "_")
        assert int(exercise_id.split(".")[0]) == int(number)
        assert checks.exercises()[exercise_id] is checker
        assert f"checks.{attribute}(" in code, f"notebook {number} never calls {attribute}"
        assert re.search(rf"^#+ Exercise {re.escape(exercise_id)}\b", markdown, re.M), exercise_id
    in_notebook = set(re.findall(r"^#+ Exercise (\d+\.\d+)\b", markdown, re.M))
    assert in_notebook == {getattr(module, a).exercise_id for a in declared}, "an exercise has no checker"


# --------------------------------------------------------------------------- translation


def test_set_language_switches_the_frames(capsys):
    checks.set_language("zh")
    assert checks.get_language() == "zh"
    assert printed(capsys, exercise_98_1, (7, 7)) == "✅ 98.1 通过"
    assert printed(capsys, exercise_98_1, ...) == "⏳ 98.1 尚未作答"
    assert printed(capsys, exercise_98_1, "crash") == "❌ 98.1：答案的形式不对：应为 two ints, e.g. (7, 7)"
    assert printed(capsys, exercise_98_1, "shape") == \
        "❌ 98.1：expected shape (1, 1, 3, 3), got (1, 1, 5, 5) —— 提示：no padding"
    assert printed(capsys, exercise_98_1, lambda x: x.nope) == (
        "❌ 98.1：你的函数抛出了 AttributeError：'int' object has no attribute 'nope' "
        "—— 提示：先在上面的例子上运行它，仔细读一读报错信息")
    checks.set_language("en")
    assert printed(capsys, exercise_98_1, (7, 7)) == "✅ 98.1 passed"


def test_set_language_through_a_notebooks_module_and_its_errors(capsys):
    nb02.set_language("zh")
    assert printed(capsys, nb02.exercise_2_1, ...) == "⏳ 2.1 尚未作答"
    with pytest.raises(ValueError, match="language must be one of 'en', 'zh'; got 'fr'"):
        checks.set_language("fr")
    assert checks.get_language() == "zh"


def test_a_verdict_renders_in_any_language_after_the_fact():
    verdict = exercise_98_1.verdict((7, 7))
    assert verdict.line("zh") == "✅ 98.1 通过" and verdict.line("en") == "✅ 98.1 passed"


def test_nested_messages_are_translated_too():
    _i18n.CATALOGS["zh"]["shape"] = "形状"
    try:
        message = msg("expected {what} {expected}, got {got}", what=msg("shape"), expected=(1,), got=(2,))
        assert message.render("zh") == "expected 形状 (1,), got (2,)"
        assert message.render("en") == "expected shape (1,), got (2,)"
    finally:
        del _i18n.CATALOGS["zh"]["shape"]


def test_zh_translates_every_frame_with_the_same_fields():
    zh = _i18n.CATALOGS["zh"]
    assert set(_i18n.FRAMES) <= set(zh)
    for template, translation in zh.items():
        assert _i18n.template_fields(translation) == _i18n.template_fields(template), template
    assert _i18n.CATALOGS["en"] == {}


def test_all_templates_lists_what_the_checkers_can_print():
    templates = checks.all_templates()
    assert len(templates) == len(set(templates)) > 150
    assert set(_i18n.FRAMES) <= set(templates)
    for expected in ("expected {what} {expected!r}, got {actual!r}", "{name} has no forward method",
                     "(H_out, W_out) as two ints, e.g. (7, 7)", "return a torch.Tensor",
                     "G = 4 for an LSTM: four gates stacked in weight_ih and weight_hh"):
        assert expected in templates
    for template in templates:
        _i18n.template_fields(template)  # named fields only
    for catalog in _i18n.CATALOGS.values():
        assert set(catalog) <= set(templates), "a catalog translates a template no checker prints"


def test_templates_must_be_literals(tmp_path):
    bad = tmp_path / "nb99.py"
    bad.write_text('from . import msg\nname = "x"\nmessage = msg(f"hello {name}")\n', encoding="utf-8")
    with pytest.raises(ValueError, match="nb99.py, line 3: msg\\(\\) needs a literal template"):
        _i18n._templates_in(bad)


# the helpers whose message, hint and what arguments are printed, with the first such position
_PRINTED_ARGUMENTS = {"CheckFailed": 0, "expect": 1, "expect_equal": 2, "expect_shape": 2, "expect_close": 2,
                      "as_int": 1, "as_shape": 1, "expect_raises": 99}


def test_no_checker_prints_a_string_that_skips_the_catalog():
    problems = []
    for path in sorted(CHECKS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in _PRINTED_ARGUMENTS:
                continue
            printed_args = node.args[_PRINTED_ARGUMENTS[name]:] + \
                [k.value for k in node.keywords if k.arg in ("message", "hint", "what")]
            if name == "expect_close":
                printed_args = node.args[2:3] + [k.value for k in node.keywords if k.arg in ("hint", "what")]
            for argument in printed_args:
                if isinstance(argument, ast.JoinedStr) or (isinstance(argument, ast.Constant)
                                                           and isinstance(argument.value, str)):
                    problems.append(f"{path.name}:{node.lineno} passes a plain string to {name}")
    assert problems == []
