"""seed_everything makes runs repeatable (the exercise checkers are tested in test_checks.py)."""

import random

import numpy as np
import pytest
import torch

from course_utils.repro import seed_everything


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
