"""Pictures: diagrams and animations of convolutions, and training plots.

- ``viz.conv``: one step of a convolution, pooling or transposed convolution,
  drawn from the real computation, and animations of all the steps (02, 03);
  receptive fields and the scatter view of a transposed convolution (03).
- ``viz.conv_intuition``: feature maps, a multi-channel convolution, padding
  modes and im2col, drawn from the real computation (02).
- ``viz.rnn``: diagrams of the RNN, GRU and LSTM cells, a layer unrolled in time, the
  layers × directions grid, and gradient norms against the time gap (04).
- ``viz.paper_cases``: the configurations of Dumoulin & Visin's figures (03).
- ``viz.plots``: image grids, training history, confusion matrix, a gallery
  of mistakes, autograd graphs, and ``show_source`` for a model's code (06, 07).
- ``viz.tensors``: the axes of an image batch, the windows of a 1-D convolution,
  memory order and ``channels_last`` (00).
- ``viz.modules``: histograms of a layer's initial weights (01).
- ``viz.sequences``: adaptive-pooling bins, an image at several sizes, and a
  padded batch next to its packed form (05).
- ``viz.resnet``: ResNet18's two kinds of residual block and its stages, with
  shapes measured on the model (07).

Every public name of these modules is available here, e.g.
``from course_utils.viz import plot_history``.
"""

from .conv import (
    COLORS,
    MAX_CELLS,
    MAX_FRAMES,
    MAX_STAMPS,
    ConvScene,
    ReceptiveFieldScene,
    ScatterScene,
    animate_conv,
    animate_conv_transpose,
    animate_pool,
    animate_scene,
    animation_html,
    conv_scene,
    conv_transpose_scatter_scene,
    conv_transpose_scene,
    draw_conv_step,
    draw_conv_transpose_scatter,
    draw_conv_transpose_step,
    draw_pool_step,
    draw_receptive_field,
    draw_scene,
    pool_scene,
    receptive_field_scene,
    save_gif,
)
from .conv_intuition import (
    EXAMPLE_IMAGE,
    EXAMPLE_KERNEL,
    MAX_VALUE_CELLS,
    draw_im2col,
    draw_maps,
    draw_multichannel_conv,
    draw_padding_modes,
)
from .modules import (
    plot_weight_histograms,
)
from .paper_cases import (
    CASES,
    SEED,
    FigureCase,
    case_by_name,
    case_call,
    make_scene,
    numerical_example,
)
from .plots import (
    GRAPHVIZ_INSTALL_HINT,
    SourceCode,
    confusion_matrix,
    graphviz_available,
    model_graph,
    plot_confusion_matrix,
    plot_history,
    save_model_graph,
    show_images,
    show_mistakes,
    show_source,
)
from .resnet import (
    draw_basic_blocks,
    draw_resnet18_stages,
    resnet18_stage_shapes,
)
from .rnn import (
    draw_gru_cell,
    draw_lstm_cell,
    draw_rnn_cell,
    draw_rnn_cells,
    draw_rnn_grid,
    draw_rnn_unrolled,
    input_gradient_by_gap,
    plot_gradient_by_gap,
    plot_row_reading,
)
from .sequences import (
    adaptive_bins_of_torch,
    draw_adaptive_bins,
    draw_padded_vs_packed,
    packed_layout,
    show_at_sizes,
)
from .tensors import (
    MAX_MEMORY_CELLS,
    conv1d_windows,
    draw_conv1d_windows,
    draw_image_batch,
    draw_memory_order,
    memory_order,
)

__all__ = [
    "COLORS",
    "MAX_CELLS",
    "MAX_FRAMES",
    "MAX_STAMPS",
    "ConvScene",
    "ReceptiveFieldScene",
    "ScatterScene",
    "animate_conv",
    "animate_conv_transpose",
    "animate_pool",
    "animate_scene",
    "animation_html",
    "conv_scene",
    "conv_transpose_scatter_scene",
    "conv_transpose_scene",
    "draw_conv_step",
    "draw_conv_transpose_scatter",
    "draw_conv_transpose_step",
    "draw_pool_step",
    "draw_receptive_field",
    "draw_scene",
    "pool_scene",
    "receptive_field_scene",
    "save_gif",
    "EXAMPLE_IMAGE",
    "EXAMPLE_KERNEL",
    "MAX_VALUE_CELLS",
    "draw_im2col",
    "draw_maps",
    "draw_multichannel_conv",
    "draw_padding_modes",
    "plot_weight_histograms",
    "CASES",
    "SEED",
    "FigureCase",
    "case_by_name",
    "case_call",
    "make_scene",
    "numerical_example",
    "GRAPHVIZ_INSTALL_HINT",
    "SourceCode",
    "confusion_matrix",
    "graphviz_available",
    "model_graph",
    "plot_confusion_matrix",
    "plot_history",
    "save_model_graph",
    "show_images",
    "show_mistakes",
    "show_source",
    "draw_basic_blocks",
    "draw_resnet18_stages",
    "resnet18_stage_shapes",
    "draw_gru_cell",
    "draw_lstm_cell",
    "draw_rnn_cell",
    "draw_rnn_cells",
    "draw_rnn_grid",
    "draw_rnn_unrolled",
    "input_gradient_by_gap",
    "plot_gradient_by_gap",
    "plot_row_reading",
    "adaptive_bins_of_torch",
    "draw_adaptive_bins",
    "draw_padded_vs_packed",
    "packed_layout",
    "show_at_sizes",
    "MAX_MEMORY_CELLS",
    "conv1d_windows",
    "draw_conv1d_windows",
    "draw_image_batch",
    "draw_memory_order",
    "memory_order",
]
