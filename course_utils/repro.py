"""Reproducibility: one call at the top of every notebook."""

import os
import random

import numpy as np
import torch

from . import _validate

__all__ = ["seed_everything"]


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and PyTorch with ``seed``.

    Returns ``None`` on purpose: ``torch.manual_seed`` returns a ``Generator``
    whose repr contains a memory address, which would differ in every run of
    a notebook.

    Args:
        seed: an int from 0 to 2**32 - 1 (NumPy's range).
    """
    seed = _validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)  # NumPy's limits
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # Only affects Python processes started after this call (e.g. DataLoader
    # workers); the current interpreter's hash seed is fixed at start-up.
    os.environ["PYTHONHASHSEED"] = str(seed)
