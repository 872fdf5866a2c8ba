"""Shared code for the *PyTorch Building Blocks* notebooks.

Import the part you need (``from course_utils.shapes import trace_shapes``);
``import course_utils`` alone stays fast and does not import torch.

========================  ==================================================
``device()``              the best device here: CUDA, else Apple's MPS, else CPU
``repro``                 ``seed_everything`` for reproducible notebooks
``shapes``                ``trace_shapes``: a layer-by-layer shape table
``arithmetic``            output sizes of convolution, transposed conv, pooling
``conv``                  ``conv2d_loops`` and ``conv2d_unfold``, from scratch
``rnn``                   ``run_rnn``: RNN/GRU/LSTM step by step
``models``                the models the notebooks build and train
``data``                  ``mnist_loaders``: bundled MNIST digits, train/val/test
``train``                 ``fit``, ``evaluate`` and ``predict``, with progress bars
``viz``                   diagrams, animations and plots
``checks``                automatic checks for the exercises
========================  ==================================================

``course_utils.authoring`` holds the tools for course authors (slide decks,
figures, benchmark, data rebuild); learners never need to open it.
"""

__version__ = "0.1.0"


def device():
    """The device to compute on: ``cuda`` if a GPU is usable, else ``mps`` (Apple silicon), else ``cpu``.

    ``course_utils.train.fit`` trains there when it is given no ``device``. torch is
    imported here, on the first call, so that ``import course_utils`` stays light.

    Returns:
        A ``torch.device``, e.g. ``device(type='cpu')``.

    Example::

        >>> model = model.to(course_utils.device())
    """
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
