"""The exercise-check core prints exactly one line; seed_everything makes runs repeatable."""

import random

import numpy as np
import pytest
import torch

from course_utils import checks
from course_utils.repro import seed_everything


def one_line(capsys, exercise_id, test):
    checks.run_check(exercise_id, test)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return out.strip()


def test_pass_fail_and_not_attempted_lines(capsys):
    assert one_line(capsys, "1.1", lambda: None) == "✅ 1.1 passed"

    def wrong():
        checks.expect_shape(torch.zeros(1, 1, 5, 5), (1, 1, 3, 3), hint="no padding")

    assert one_line(capsys, "2.1", wrong) == "❌ 2.1: expected shape (1, 1, 3, 3), got (1, 1, 5, 5) — hint: no padding"
    assert one_line(capsys, "2.2", lambda: checks.answered(...)) == "⏳ 2.2 not attempted yet"


def test_learner_functions_that_raise_give_one_line_not_a_traceback(capsys):
    def not_yet(x):
        raise NotImplementedError

    def broken(x):
        return x.nope

    assert one_line(capsys, "3.1", lambda: checks.call(not_yet, 1)) == "⏳ 3.1 not attempted yet"
    line = one_line(capsys, "3.2", lambda: checks.call(broken, 1))
    assert line.startswith("❌ 3.2: your function raised AttributeError") and "hint" in line
    line = one_line(capsys, "3.3", lambda: 1 / 0)
    assert line == "❌ 3.3: your code raised ZeroDivisionError: division by zero"


def test_expectation_helpers():
    checks.expect_equal(3, 3)
    checks.expect_close(torch.ones(2), torch.ones(2) + 1e-7)
    with pytest.raises(checks.CheckFailed, match="expected answer 4, got 3"):
        checks.expect_equal(3, 4)
    with pytest.raises(checks.CheckFailed, match="differ from the expected ones by up to 0.5"):
        checks.expect_close(torch.ones(2), torch.tensor([1.0, 1.5]))
    with pytest.raises(checks.CheckFailed, match="expected a tensor, got list"):
        checks.expect_shape([1, 2], (2,))
    with pytest.raises(checks.CheckFailed, match="hint"):
        checks.expect(False, "hint")
    with pytest.raises(checks.NotAttempted):
        checks.call(..., 1)


def test_seed_everything_repeats_every_generator_and_prints_nothing(capsys):
    assert seed_everything(7) is None
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(7)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError), ("0", TypeError),
                                        (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(bad, error):
    with pytest.raises(error, match="seed must be"):
        seed_everything(bad)
