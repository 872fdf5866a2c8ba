"""Shared test configuration.

matplotlib draws off screen (the ``Agg`` backend) in every test, chosen here once, before any test
module imports pyplot. The notebooks are not affected: nbval runs them in their own kernels.

Hypothesis runs derandomized by default, so CI sees the same examples on every run and a red
build always means a change broke something. To search new examples locally:
``HYPOTHESIS_PROFILE=explore pytest tests``.
"""

import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
