"""Pictures: diagrams and animations of convolutions, and training plots.

- ``viz.conv``: one step of a convolution, pooling or transposed convolution,
  drawn from the real computation, and animations of all the steps (02, 03).
- ``viz.rnn``: diagrams of the RNN, GRU and LSTM cells (04).
- ``viz.plots``: image grids, training history, confusion matrix and a gallery
  of mistakes (06, 07).

``from course_utils.viz import plot_history`` works for every name in a
submodule's ``__all__``; matplotlib is imported only when first needed.
"""

import importlib

_SUBMODULES = ("conv", "rnn", "plots")


def _exported():
    for sub in _SUBMODULES:
        try:
            module = importlib.import_module(f"{__name__}.{sub}")
        except ModuleNotFoundError as error:
            if error.name == f"{__name__}.{sub}":  # not written yet; anything else is a real error
                continue
            raise
        yield module, getattr(module, "__all__", ())


def __getattr__(name):
    if not name.startswith("_"):
        for module, names in _exported():
            if name in names:
                return getattr(module, name)
    raise AttributeError(f"module 'course_utils.viz' has no attribute {name!r}")


def __dir__():
    return sorted({n for _, names in _exported() for n in names} | set(_SUBMODULES))
