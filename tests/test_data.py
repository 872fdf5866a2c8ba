"""The bundled MNIST digits: split sizes, class counts, dtypes, value range, integrity checks."""

import gzip
import hashlib
import shutil

import pytest
import torch
from torch.utils.data import Dataset

from course_utils import data
from course_utils.authoring.build_mnist_subset import payload_sha256


def subsets():
    return {split: data.mnist_subset(split) for split in data.SPLITS}


def rows(subset):
    return {bytes(img.flatten().tolist()) for img in subset.images}


def test_split_sizes_and_types():
    splits = subsets()
    assert {name: len(s) for name, s in splits.items()} == {"train": 7000, "val": 1000, "test": 2000}
    train = splits["train"]
    assert isinstance(train, Dataset)
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert isinstance(label, int) and 0 <= label <= 9
    assert train.images.dtype == torch.uint8 and train.targets.dtype == torch.int64
    assert "split='test'" in repr(splits["test"]) and "split='val'" in repr(splits["val"])


def test_every_class_is_well_represented_in_every_split(capsys):
    counts = {name: torch.bincount(s.targets, minlength=10) for name, s in subsets().items()}
    total = sum(counts.values())
    # The npm package holds 863 (fives) to 1,127 (ones) digits per class, 10,000 in all.
    assert total.sum() == 10_000 and total.min() == 863 and total.max() == 1127
    assert counts["train"].min() >= 600 and counts["val"].min() >= 60 and counts["test"].min() >= 120
    with capsys.disabled():
        for name, count in counts.items():
            print(f"\n{name:5s} digits per class: {count.tolist()}", end="")


def test_values_are_real_digits_in_unit_range():
    train = data.mnist_subset()
    images = torch.stack([train[i][0] for i in range(200)])
    assert images.min() == 0.0 and images.max() == 1.0
    # Real MNIST: mostly background, mean near the well-known 0.1307.
    mean = train.images.float().div(255).mean().item()
    assert abs(mean - data.MNIST_MEAN) < 0.005


def test_splits_do_not_overlap_and_cover_the_file():
    splits = subsets()
    indices = data._split_indices()
    everything = torch.cat([indices[name] for name in data.SPLITS])
    assert torch.equal(everything.sort().values, torch.arange(10_000))
    train, val, test = (rows(splits[name]) for name in data.SPLITS)
    # (a digit image may occur twice in MNIST; the file positions above are disjoint, and so
    # are the images themselves here)
    assert not train & val and not train & test and not val & test


def test_test_split_is_the_files_held_out_part_and_val_comes_from_the_training_part():
    indices = data._split_indices()
    assert torch.equal(indices["test"], torch.arange(8000, 10_000))
    assert indices["val"].max() < 8000 and indices["train"].max() < 8000
    images, labels = data._load_arrays()
    assert torch.equal(data.mnist_subset("val").images, images[indices["val"]])


def test_the_validation_split_never_changes():
    # The SHA-256 of the validation positions when the split was introduced: a change to the
    # seed, the permutation or the file would silently change every validation number.
    val = data._split_indices()["val"].tolist()
    assert hashlib.sha256(str(val).encode()).hexdigest() == (
        "2ef589dc9ca88f3cc8200eba82468be3f574d2e75ec976f527d668bbe09d4be2")
    assert val[:5] == [4, 24, 27, 40, 44]
    data._split_indices.cache_clear()
    assert data._split_indices()["val"].tolist() == val  # recomputed, same


def test_transform_gets_the_float_tensor():
    seen = []

    def transform(image):
        seen.append(image.shape)
        return (image - data.MNIST_MEAN) / data.MNIST_STD

    image, _ = data.mnist_subset("test", transform=transform)[3]
    assert seen == [(1, 28, 28)] and image.min() < 0


def test_loaders_are_three_named_seeded_and_complete():
    loaders = data.mnist_loaders(batch_size=32, seed=1)
    assert isinstance(loaders, data.MNISTLoaders) and loaders._fields == ("train", "val", "test")
    first = next(iter(loaders.train))[1]
    again = next(iter(data.mnist_loaders(batch_size=32, seed=1).train))[1]
    other = next(iter(data.mnist_loaders(batch_size=32, seed=2).train))[1]
    assert torch.equal(first, again) and not torch.equal(first, other)
    train, val, test = data.mnist_loaders(eval_batch_size=700)
    assert sum(len(t) for _, t in test) == 2000 and sum(len(t) for _, t in val) == 1000
    assert sum(len(t) for _, t in train) == 7000
    # val and test keep the split's order: their targets are the subsets' targets
    assert torch.equal(torch.cat([t for _, t in val]), data.mnist_subset("val").targets)


def test_drop_last_drops_the_short_training_batch():
    train, _, _ = data.mnist_loaders(batch_size=3, drop_last=True)  # 7000 = 3 * 2333 + 1
    assert len(train) == 2333 and all(len(t) == 3 for _, t in train)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="^split must be one of 'train', 'val', 'test'; got 'yes'"):
        data.mnist_subset("yes")
    with pytest.raises(TypeError, match="^split must be one of .* got True"):  # a bool, not a str: the wrong kind
        data.mnist_subset(True)
    with pytest.raises(TypeError, match="^transform must be a callable"):
        data.mnist_subset(transform=3)
    with pytest.raises(TypeError, match=r"^transform .*got the class Normalize itself; create one first: "
                                        r"transform=Normalize\(\.\.\.\)"):
        from torchvision.transforms import Normalize

        data.mnist_subset(transform=Normalize)
    with pytest.raises(ValueError, match="^batch_size must be a positive int"):
        data.mnist_loaders(batch_size=0)
    with pytest.raises(TypeError, match="^drop_last must be True or False"):
        data.mnist_loaders(drop_last=1)


@pytest.mark.parametrize("seed, error, fix", [
    (None, TypeError, "got None"), ("0", TypeError, "write 0 without quotes"),
    (1.5, TypeError, "got 1.5"), (True, TypeError, "got True"), (-1, ValueError, "got -1"),
])
def test_a_seed_that_is_not_an_int_is_refused_clearly(seed, error, fix):
    with pytest.raises(error, match="^seed must be an int ≥ 0") as info:
        data.mnist_loaders(seed=seed)
    assert fix in str(info.value)


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
