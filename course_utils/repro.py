"""Reproducibility: one call at the top of every notebook."""

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything"]


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and PyTorch with ``seed``.

    Returns ``None`` on purpose: ``torch.manual_seed`` returns a ``Generator``
    whose repr contains a memory address, which would differ in every run of
    a notebook.

    Args:
        seed: a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} ({seed!r})")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be between 0 and 2**32 - 1, got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # Only affects Python processes started after this call (e.g. DataLoader
    # workers); the current interpreter's hash seed is fixed at start-up.
    os.environ["PYTHONHASHSEED"] = str(seed)
