"""Shared test configuration.

matplotlib draws off screen (the ``Agg`` backend) in every test, chosen here once, before any test
module imports pyplot. The notebooks are not affected: nbval runs them in their own kernels.

Hypothesis runs derandomized by default, so CI sees the same examples on every run and a red
build always means a change broke something. To search new examples locally:
``HYPOTHESIS_PROFILE=explore pytest tests``.
"""

import os

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from course_utils import checks  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def english_checker_messages():
    """Every test starts and ends with the checkers speaking English (some tests switch to Chinese)."""
    checks.set_language("en")
    yield
    checks.set_language("en")


@pytest.fixture(autouse=True)
def close_figures():
    """No figure outlives its test: matplotlib keeps every open figure in memory and warns past 20."""
    yield
    plt.close("all")
