"""Pictures: diagrams and animations of convolutions, and training plots.

- ``viz.conv``: one step of a convolution, pooling or transposed convolution,
  drawn from the real computation, and animations of all the steps (02, 03).
- ``viz.rnn``: diagrams of the RNN, GRU and LSTM cells (04).
- ``viz.paper_cases``: the configurations of Dumoulin & Visin's figures (03).
- ``viz.plots``: image grids, training history, confusion matrix and a gallery
  of mistakes (06, 07).
- ``viz.resnet``: ResNet18's two kinds of residual block and its stages, with
  shapes measured on the model (07).

Every public name of these modules is available here, e.g.
``from course_utils.viz import plot_history``.
"""

from .conv import (
    COLORS,
    MAX_CELLS,
    MAX_FRAMES,
    ConvScene,
    animate_conv,
    animate_conv_transpose,
    animate_pool,
    animate_scene,
    animation_html,
    conv_scene,
    conv_transpose_scene,
    draw_conv_step,
    draw_conv_transpose_step,
    draw_pool_step,
    draw_scene,
    pool_scene,
    save_gif,
)
from .paper_cases import CASES, SEED, FigureCase, case_by_name, case_call, make_scene, numerical_example
from .plots import (
    GRAPHVIZ_INSTALL_HINT,
    confusion_matrix,
    graphviz_available,
    model_graph,
    plot_confusion_matrix,
    plot_history,
    save_model_graph,
    show_images,
    show_mistakes,
)
from .resnet import draw_basic_blocks, draw_resnet18_stages, resnet18_stage_shapes
from .rnn import draw_gru_cell, draw_lstm_cell, draw_rnn_cell, draw_rnn_cells

__all__ = [
    "COLORS",
    "MAX_CELLS",
    "MAX_FRAMES",
    "ConvScene",
    "animate_conv",
    "animate_conv_transpose",
    "animate_pool",
    "animate_scene",
    "animation_html",
    "conv_scene",
    "conv_transpose_scene",
    "draw_conv_step",
    "draw_conv_transpose_step",
    "draw_pool_step",
    "draw_scene",
    "pool_scene",
    "save_gif",
    "GRAPHVIZ_INSTALL_HINT",
    "confusion_matrix",
    "graphviz_available",
    "model_graph",
    "plot_confusion_matrix",
    "plot_history",
    "save_model_graph",
    "show_images",
    "show_mistakes",
    "CASES",
    "SEED",
    "FigureCase",
    "case_by_name",
    "case_call",
    "make_scene",
    "numerical_example",
    "draw_gru_cell",
    "draw_lstm_cell",
    "draw_rnn_cell",
    "draw_rnn_cells",
    "draw_basic_blocks",
    "draw_resnet18_stages",
    "resnet18_stage_shapes",
]
