"""Pictures: diagrams and animations of convolutions, and training plots.

- ``viz.conv``: one step of a convolution, pooling or transposed convolution,
  drawn from the real computation, and animations of all the steps (02, 03).
- ``viz.rnn``: diagrams of the RNN, GRU and LSTM cells (04).
- ``viz.plots``: image grids, training history, confusion matrix and a gallery
  of mistakes (06, 07).

``from course_utils.viz import plot_history`` works for every name in a
submodule's ``__all__``; matplotlib is imported only when first needed.
"""

from course_utils._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, ("conv", "rnn", "plots"))
