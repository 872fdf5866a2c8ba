"""TEMPORARY alias, to be deleted: moved to ``course_utils.authoring.build_mnist_subset``.

``course_utils/data.py`` (its ``REBUILD`` hint) and ``tests/test_data.py`` still name this
module; delete this file once they name ``course_utils.authoring.build_mnist_subset``.
"""

from course_utils.authoring.build_mnist_subset import build, main, payload_sha256, read_digits

__all__ = ["build", "main", "payload_sha256", "read_digits"]

if __name__ == "__main__":
    main()
