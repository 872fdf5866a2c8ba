r"""Pictures of recurrent layers, as PyTorch computes them (notebook 04).

- The cells (:func:`draw_rnn_cell`, :func:`draw_gru_cell`, :func:`draw_lstm_cell`): one
  time step each, in the usual "unrolled cell" style: yellow boxes are learned layers (a
  matrix product plus bias, then the activation written in the box), pink circles are
  element-wise operations, lines carry vectors. The GRU diagram shows PyTorch's variant,
  where the reset gate multiplies :math:`W_{hn} h + b_{hn}` *after* the matrix product.
- A layer over time (:func:`draw_rnn_unrolled`) and the layers × directions grid that says
  which time step each ``h_n[layer * D + direction]`` comes from (:func:`draw_rnn_grid`).
- Why gates help: :func:`input_gradient_by_gap` measures
  :math:`\lVert \partial h_{L-1} / \partial x_t \rVert` with autograd and
  :func:`plot_gradient_by_gap` draws it against the gap on a log scale.
- :func:`plot_row_reading`: an image read row by row, next to the hidden states.

Formulas use column vectors, as PyTorch's documentation does: :math:`W x` is ``x @ W.T``
for a batch of row vectors.

    >>> from course_utils.viz import draw_lstm_cell
    >>> ax = draw_lstm_cell()
"""

from __future__ import annotations

from course_utils import _validate as check

__all__ = [
    "draw_rnn_cell",
    "draw_gru_cell",
    "draw_lstm_cell",
    "draw_rnn_cells",
    "draw_rnn_unrolled",
    "draw_rnn_grid",
    "input_gradient_by_gap",
    "plot_gradient_by_gap",
    "plot_row_reading",
]

_LAYER = "#f6d365"   # learned layer: affine map + activation
_OP = "#f7b2bd"      # element-wise operation
_LINEAR = "#dbe9f6"  # learned affine map without activation
_CELL = "#eef2f7"    # the cell's background
_LINE = "#333333"
_STATE = "#1f4e79"   # colour of the state names written at the edges


def _axes(ax, width, height, title, bottom=-0.7):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(width * 0.8, height * 0.8))
    check.instance("ax", ax, plt.Axes, "a matplotlib Axes (e.g. from plt.subplots()) or None")
    ax.set_xlim(-0.2, width)
    ax.set_ylim(bottom, height)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=13)
    return ax


def _cell(ax, x0, y0, x1, y1):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.05,rounding_size=0.3",
                                facecolor=_CELL, edgecolor="#9aa7b5", linewidth=1.2, zorder=0))


def _layer(ax, x, y, text, width=0.9, colour=_LAYER, fontsize=12):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.3), width, 0.6,
                                boxstyle="round,pad=0.02,rounding_size=0.1",
                                facecolor=colour, edgecolor=_LINE, linewidth=1.0, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _op(ax, x, y, text, radius=0.27, fontsize=12):
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), radius, facecolor=_OP, edgecolor=_LINE, linewidth=1.0, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _wire(ax, *points, arrow=True):
    """A polyline through ``points``; the last segment ends in an arrowhead."""
    xs, ys = zip(*points)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=_LINE, linewidth=1.6, zorder=1, solid_capstyle="round")
    style = "-|>" if arrow else "-"
    ax.annotate("", xy=points[-1], xytext=points[-2], zorder=2,
                arrowprops=dict(arrowstyle=style, color=_LINE, linewidth=1.6, mutation_scale=14,
                                shrinkA=0, shrinkB=0))


def _dot(ax, x, y):
    ax.plot([x], [y], marker="o", markersize=4.5, color=_LINE, zorder=2)


def _name(ax, x, y, text, ha="center", va="center", colour=_STATE, fontsize=13):
    ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=colour, zorder=5)


def _gate_label(ax, x, y, text):
    ax.text(x, y, text, ha="left", va="center", fontsize=11, style="italic", color="#7a3b00", zorder=5)


def draw_rnn_cell(ax=None):
    r"""Draw one step of ``nn.RNN``: :math:`h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})`.

    Args:
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    ax = _axes(ax, 8.0, 5.4, "RNN cell (nn.RNN)", bottom=-1.6)
    _cell(ax, 1.0, 0.3, 6.6, 4.3)
    _name(ax, 0.35, 1.2, "$h_{t-1}$")
    _name(ax, 2.2, -0.45, "$x_t$")
    _wire(ax, (0.8, 1.2), (2.2, 1.2), arrow=False)
    _wire(ax, (2.2, -0.2), (2.2, 1.2), arrow=False)
    _dot(ax, 2.2, 1.2)
    _wire(ax, (2.2, 1.2), (3.8, 1.2), (3.8, 2.05))
    _layer(ax, 3.8, 2.35, "tanh")
    _wire(ax, (3.8, 2.65), (3.8, 3.5), (7.2, 3.5))
    _dot(ax, 5.6, 3.5)
    _wire(ax, (5.6, 3.5), (5.6, 4.9))
    _name(ax, 7.6, 3.5, "$h_t$")
    _name(ax, 5.6, 5.15, "output$[t]$", fontsize=11)
    ax.text(4.0, -1.1, r"$h_t = \tanh(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})$" + "\n"
            "(ReLU instead of tanh with nonlinearity='relu')", ha="center", va="center", fontsize=10,
            color="#555555")
    return ax


def draw_gru_cell(ax=None):
    r"""Draw one step of ``nn.GRU`` (PyTorch's variant: the reset gate acts after :math:`W_{hn}`).

    .. math::
        r = \sigma(\dots),\quad z = \sigma(\dots),\quad
        n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})),\quad
        h' = (1 - z) \odot n + z \odot h

    Args:
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    ax = _axes(ax, 10.6, 6.0, "GRU cell (nn.GRU)")
    _cell(ax, 1.0, 0.3, 9.4, 5.1)
    top, bus = 4.6, 1.0
    _gru_state_and_inputs(ax, top, bus)
    for x, name in ((2.6, "r"), (3.8, "z")):  # the gates r and z
        _dot(ax, x, bus)
        _wire(ax, (x, bus), (x, 1.9))
        _layer(ax, x, 2.2, "σ", width=0.7)
        _gate_label(ax, x + 0.38, 2.75, name)
    _gru_candidate(ax, bus)
    # h' = z ⊙ h + (1 − z) ⊙ n
    _wire(ax, (3.8, 2.5), (3.8, top - 0.27))
    _dot(ax, 3.8, 3.9)
    _wire(ax, (3.8, 3.9), (4.53, 3.9))
    _op(ax, 4.8, 3.9, "1−", fontsize=10)
    _wire(ax, (5.07, 3.9), (7.93, 3.9))
    _op(ax, 8.2, 3.9, "×")
    _wire(ax, (8.2, 3.54), (8.2, 3.63))
    _wire(ax, (8.2, 4.17), (8.2, top - 0.27))
    return ax


def _gru_state_and_inputs(ax, top: float, bus: float) -> None:
    """The hidden state along the top; ``x_t`` and ``h_{t-1}`` on the bus that feeds the gates."""
    _name(ax, 0.35, top, "$h_{t-1}$")
    _wire(ax, (0.8, top), (3.55, top), arrow=False)
    _op(ax, 3.8, top, "×")
    _wire(ax, (4.07, top), (8.6, top), arrow=False)
    _op(ax, 8.2, top, "+")
    _wire(ax, (8.47, top), (10.2, top))
    _name(ax, 10.5, top, "$h_t$")
    _dot(ax, 9.3, top)
    _wire(ax, (9.3, top), (9.3, 5.75))
    _name(ax, 9.3, 5.95, "output$[t]$", fontsize=11)
    _dot(ax, 1.5, top)
    _wire(ax, (1.5, top), (1.5, bus), arrow=False)
    _name(ax, 2.0, -0.45, "$x_t$")
    _wire(ax, (2.0, -0.2), (2.0, bus), arrow=False)
    _dot(ax, 2.0, bus)
    _wire(ax, (1.5, bus), (7.0, bus), arrow=False)


def _gru_candidate(ax, bus: float) -> None:
    """The candidate ``n``: ``r`` multiplies ``W_hn h + b_hn``, i.e. after the matrix product."""
    _dot(ax, 5.3, bus)
    _wire(ax, (5.3, bus), (5.3, 1.9))
    _layer(ax, 5.3, 2.2, "$W_{hn}h+b_{hn}$", width=1.5, colour=_LINEAR, fontsize=9.5)
    _wire(ax, (5.3, 2.5), (5.3, 2.93))
    _wire(ax, (2.6, 2.5), (2.6, 3.2), (5.03, 3.2))
    _op(ax, 5.3, 3.2, "×")
    _dot(ax, 7.0, bus)
    _wire(ax, (7.0, bus), (7.0, 1.9))
    _layer(ax, 7.0, 2.2, "$W_{in}x+b_{in}$", width=1.5, colour=_LINEAR, fontsize=9.5)
    _wire(ax, (7.0, 2.5), (7.0, 2.93))
    _wire(ax, (5.57, 3.2), (6.73, 3.2))
    _op(ax, 7.0, 3.2, "+")
    _wire(ax, (7.27, 3.2), (7.86, 3.2))
    _op(ax, 8.2, 3.2, "tanh", radius=0.34, fontsize=9)
    _gate_label(ax, 8.5, 2.75, "n")


def draw_lstm_cell(ax=None, proj=False):
    r"""Draw one step of ``nn.LSTM``: gates :math:`i, f, g, o`, cell state :math:`c`, hidden state :math:`h`.

    .. math::
        c' = f \odot c + i \odot g,\qquad h' = o \odot \tanh(c')

    Args:
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.
        proj: also draw the projection :math:`h' \leftarrow W_{hr} h'` of
            ``nn.LSTM(..., proj_size=P)``.

    Returns:
        The ``Axes``.
    """
    check.boolean("proj", proj)
    title = "LSTM cell (nn.LSTM" + (", proj_size=P)" if proj else ")")
    ax = _axes(ax, 10.6, 6.0, title)
    _cell(ax, 1.0, 0.3, 9.4, 5.1)
    top, bus = 4.6, 1.0
    _lstm_state_and_gates(ax, top, bus)
    # h_t = o ⊙ tanh(c_t)
    _dot(ax, 7.8, top)
    _wire(ax, (7.8, top), (7.8, 3.84))
    _op(ax, 7.8, 3.5, "tanh", radius=0.34, fontsize=9)
    _wire(ax, (7.8, 3.16), (7.8, 2.47))
    _wire(ax, (6.6, 2.5), (6.6, 2.2 + 0.0), arrow=False)
    _wire(ax, (6.95, 2.2), (7.53, 2.2))
    _op(ax, 7.8, 2.2, "×")
    out_y = 0.65
    if proj:
        _wire(ax, (7.8, 1.93), (7.8, 1.6))
        _layer(ax, 7.8, 1.3, "$W_{hr}$", width=0.8, colour=_LINEAR, fontsize=10)
        _wire(ax, (7.8, 1.0), (7.8, 0.65), (10.2, 0.65))
        ax.text(8.3, 1.3, "H → P", va="center", fontsize=9, color="#555555")
    else:
        _wire(ax, (7.8, 1.93), (7.8, 0.65), (10.2, 0.65))
    _name(ax, 10.5, out_y, "$h_t$")
    _dot(ax, 9.0, out_y)
    _wire(ax, (9.0, out_y), (9.0, 5.75))
    _name(ax, 9.0, 5.95, "output$[t]$", fontsize=11)
    return ax


def _lstm_state_and_gates(ax, top: float, bus: float) -> None:
    """The cell state along the top (touched only by ``× f`` and ``+ i⊙g``) and the four gates."""
    _name(ax, 0.35, top, "$c_{t-1}$")
    _wire(ax, (0.8, top), (2.53, top), arrow=False)
    _op(ax, 2.8, top, "×")
    _wire(ax, (3.07, top), (4.93, top), arrow=False)
    _op(ax, 5.2, top, "+")
    _wire(ax, (5.47, top), (10.2, top))
    _name(ax, 10.5, top, "$c_t$")
    # x_t and h_{t-1} feed the four gates
    _name(ax, 0.35, bus, "$h_{t-1}$")
    _wire(ax, (0.8, bus), (6.6, bus), arrow=False)
    _name(ax, 1.8, -0.45, "$x_t$")
    _wire(ax, (1.8, -0.2), (1.8, bus), arrow=False)
    _dot(ax, 1.8, bus)
    for x, act, name in ((2.8, "σ", "f"), (4.0, "σ", "i"), (5.2, "tanh", "g"), (6.6, "σ", "o")):
        _dot(ax, x, bus)
        _wire(ax, (x, bus), (x, 1.9))
        _layer(ax, x, 2.2, act, width=0.7 if act == "σ" else 0.9)
        _gate_label(ax, x + (0.4 if act == "σ" else 0.5), 2.75, name)
    _wire(ax, (2.8, 2.5), (2.8, top - 0.27))
    _wire(ax, (4.0, 2.5), (4.0, 3.5), (4.93, 3.5))
    _op(ax, 5.2, 3.5, "×")
    _wire(ax, (5.2, 2.5), (5.2, 3.23))
    _wire(ax, (5.2, 3.77), (5.2, top - 0.27))


def draw_rnn_cells(figsize=(15, 4.2)):
    """Draw the RNN, GRU and LSTM cells side by side; returns the ``Figure``."""
    import matplotlib
    import matplotlib.pyplot as plt

    if figsize is not None:  # None: matplotlib's default size
        figsize = check.figure_size("figsize", figsize, matplotlib.rcParams["figure.dpi"])
    fig, axes = plt.subplots(1, 3, figsize=figsize, gridspec_kw={"width_ratios": [8.2, 10.8, 10.8]})
    draw_rnn_cell(axes[0])
    draw_gru_cell(axes[1])
    draw_lstm_cell(axes[2])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- a layer unrolled in time

_FORWARD = "#2b6cb0"   # forward direction
_REVERSE = "#c05621"   # reverse direction
_BOX = "#dbe9f6"


def _box(ax, x, y, width, height, text, colour=_BOX, edge=_LINE, fontsize=12):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=colour, edgecolor=edge, linewidth=1.3, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax, start, end, colour=_LINE, label=None, label_offset=(0.0, 0.22), fontsize=12):
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=colour, linewidth=1.6, mutation_scale=14,
                                shrinkA=0, shrinkB=0))
    if label is not None:
        x = (start[0] + end[0]) / 2 + label_offset[0]
        y = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, color=colour, zorder=5)


def draw_rnn_unrolled(steps=4, ax=None):
    r"""Draw one recurrent layer unrolled over ``steps`` time steps: the same cell, the same weights.

    Each box is one application of the cell, :math:`h_t = \text{cell}(x_t, h_{t-1})`; the state
    arrow from one box to the next is :math:`h_t`, which is also ``output[t]``. The first box starts
    from the initial state (the ``h_0`` argument, zeros by default) and the last state is ``h_n``.

    Args:
        steps: the sequence length :math:`L` to draw, 2 to 6.
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    steps = check.integer("steps", steps, minimum=2, maximum=6, what="a number of time steps")
    spacing = 2.3
    width = 2.2 + spacing * steps
    ax = _axes(ax, width + 0.6, 4.4, f"One layer unrolled over L = {steps} steps", bottom=-0.2)
    y = 2.0
    xs = [1.9 + spacing * t for t in range(steps)]
    ax.text(0.35, y, "initial\nstate\n(zeros)", ha="center", va="center", fontsize=11, color=_STATE)
    _arrow(ax, (0.9, y), (xs[0] - 0.6, y))
    for t, x in enumerate(xs):
        _box(ax, x, y, 1.2, 0.9, "cell")
        ax.text(x, 0.35, f"$x_{t}$", ha="center", va="center", fontsize=13)
        _arrow(ax, (x, 0.6), (x, y - 0.45))
        ax.text(x, 3.75, f"output[{t}]", ha="center", va="center", fontsize=11)
        _arrow(ax, (x, y + 0.45), (x, 3.5))
        end = xs[t + 1] - 0.6 if t + 1 < steps else x + 1.5
        _arrow(ax, (x + 0.6, y), (end, y), colour=_STATE, label=f"$h_{t}$")
    ax.text(xs[-1] + 1.85, y, "$h_n$", ha="left", va="center", fontsize=13, color=_STATE)
    ax.text(width / 2, -0.05, "every box: the same $W_{ih}$, $W_{hh}$, $b_{ih}$, $b_{hh}$", ha="center",
            va="center", fontsize=11, color="#555555")
    return ax


# --------------------------------------------------------------------------- layers × directions


def _grid_position(layer, direction, t, spacing, layer_height):
    """Centre of the box of (layer, direction, time step) in the grid."""
    return 2.4 + spacing * t, 1.55 + layer_height * layer + 0.75 * direction


def _frame(ax, x, y0, y1):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - 0.65, y0), 1.3, y1 - y0, boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=_CELL, edgecolor="#9aa7b5", linewidth=1.0, zorder=0.5))


def draw_rnn_grid(num_layers=2, bidirectional=True, steps=4, ax=None):
    r"""Draw where ``output`` and ``h_n`` come from in a stacked (and bidirectional) recurrent layer.

    One small box per layer, direction and time step; a grey frame holds the directions of one
    layer at one step, which read the same input and whose states are concatenated. The forward
    chain of a layer runs left to right and ends at :math:`t = L-1`; the reverse chain runs right
    to left and ends at :math:`t = 0`. Each chain's last state is ``h_n[layer * D + direction]``.
    Layer :math:`l > 0` reads, at each step, the frame of layer :math:`l-1` below it; ``output``
    is the top layer's frames.

    Args:
        num_layers: 1 to 3.
        bidirectional: draw the reverse direction too (:math:`D = 2`).
        steps: the sequence length :math:`L` to draw, 2 to 5.
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    num_layers = check.integer("num_layers", num_layers, minimum=1, maximum=3, what="a number of layers")
    bidirectional = check.boolean("bidirectional", bidirectional)
    steps = check.integer("steps", steps, minimum=2, maximum=5, what="a number of time steps")
    directions = 2 if bidirectional else 1
    spacing, layer_height = 2.0, 0.75 * directions + 1.0
    width = 4.8 + spacing * (steps - 1)
    top = 1.55 + layer_height * num_layers + 0.55
    ax = _axes(ax, width, top, f"num_layers={num_layers}, bidirectional={bidirectional}", bottom=-0.35)
    for t in range(steps):
        ax.text(_grid_position(0, 0, t, spacing, layer_height)[0], 0.4, f"$x_{t}$", ha="center",
                va="center", fontsize=13)
    for layer in range(num_layers):
        _grid_layer(ax, layer, directions, steps, spacing, layer_height)
    frame_top = _grid_position(num_layers - 1, directions - 1, 0, spacing, layer_height)[1] + 0.42
    for t in range(steps):
        x = _grid_position(0, 0, t, spacing, layer_height)[0]
        _arrow(ax, (x, frame_top), (x, top - 0.45))
        ax.text(x, top - 0.25, f"output[{t}]", ha="center", va="center", fontsize=11)
    ax.text(width / 2, -0.15, "each chain ends in h_n[layer·D + direction]" +
            ("; the reverse chains end at t = 0" if bidirectional else ""),
            ha="center", va="center", fontsize=11, color="#555555")
    return ax


def _grid_layer(ax, layer, directions, steps, spacing, layer_height):
    """One layer: a frame per step, a chain per direction, ``h_n`` at each chain's end."""
    bottom = _grid_position(layer, 0, 0, spacing, layer_height)[1] - 0.42
    top = _grid_position(layer, directions - 1, 0, spacing, layer_height)[1] + 0.42
    below = 0.65 if layer == 0 else _grid_position(layer - 1, directions - 1, 0, spacing, layer_height)[1] + 0.42
    for t in range(steps):
        x = _grid_position(layer, 0, t, spacing, layer_height)[0]
        _frame(ax, x, bottom, top)
        _arrow(ax, (x, below), (x, bottom))
    for direction in range(directions):
        colour, index = (_FORWARD, _REVERSE)[direction], layer * directions + direction
        for t in range(steps):
            x, y = _grid_position(layer, direction, t, spacing, layer_height)
            _box(ax, x, y, 0.9, 0.5, "→" if direction == 0 else "←", colour="white", edge=colour, fontsize=12)
            if t + 1 < steps:
                nxt = x + spacing
                start, end = ((x + 0.45, y), (nxt - 0.45, y)) if direction == 0 else ((nxt - 0.45, y), (x + 0.45, y))
                _arrow(ax, start, end, colour=colour)
        y = _grid_position(layer, direction, 0, spacing, layer_height)[1]
        first_x = _grid_position(layer, direction, 0, spacing, layer_height)[0]
        end_x = first_x + spacing * (steps - 1) + 0.65 if direction == 0 else first_x - 0.65
        target = end_x + 0.45 if direction == 0 else end_x - 0.45
        _arrow(ax, (end_x, y), (target, y), colour=colour)
        ax.text(target + (0.08 if direction == 0 else -0.08), y, f"h_n[{index}]",
                ha="left" if direction == 0 else "right", va="center", fontsize=12, color=colour)
    x0 = _grid_position(layer, 0, 0, spacing, layer_height)[0]
    ax.text(x0 - 0.75, bottom + 0.05, f"layer {layer}", ha="right", va="bottom", fontsize=10, color="#555555")


# --------------------------------------------------------------------------- why gates help: gradients over time


def input_gradient_by_gap(module, inputs):
    r"""How much each input step moves the last hidden state: :math:`\lVert \partial h_{L-1} / \partial x_t \rVert`.

    For every sequence of the batch, the Jacobian of the top layer's last output
    :math:`h_{L-1}` with respect to the input :math:`x_t` at each step :math:`t`, measured with
    autograd (``torch.autograd.functional.jacobian``, one backward pass per hidden unit; the
    module's ``.grad`` fields are not touched). By the chain rule it is the product of the
    :math:`L-1-t` step Jacobians :math:`\partial h_{s} / \partial h_{s-1}` times
    :math:`\partial h_t / \partial x_t`, so it shows how a signal fades (or grows) with the gap.

    The sequences are run as one batch and the last outputs summed over the batch before
    differentiating: sequences in a batch do not interact, so the Jacobian of the sum holds each
    sequence's own Jacobian. Use float64 (``module.double()``) to keep tiny values exact.

    Args:
        module: a unidirectional ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``.
        inputs: a batch of sequences in the module's layout.

    Returns:
        A 1-D tensor of length :math:`L`: entry ``k`` is the Frobenius norm of
        :math:`\partial h_{L-1} / \partial x_{L-1-k}`, averaged over the batch — the gradient
        norm at a gap of ``k`` steps.

    Shape:
        - inputs: :math:`(L, N, H_{in})`, or :math:`(N, L, H_{in})` if ``module.batch_first``
        - Output: :math:`(L)`
    """
    import torch
    from torch import nn

    check.module("module", module, (nn.RNN, nn.GRU, nn.LSTM), "an nn.RNN, nn.GRU or nn.LSTM")
    if module.bidirectional:
        raise ValueError("module must be unidirectional: the reverse direction's output at the last step "
                         "has read only that step; build it with bidirectional=False")
    layout = "(N, L, H_in)" if module.batch_first else "(L, N, H_in)"
    check.tensor("inputs", inputs, ndim=3, dtype="floating", layout=layout, nonempty=True)
    check.same_dtype(**{"module.weight_ih_l0": module.weight_ih_l0, "inputs": inputs})
    time_dim = 1 if module.batch_first else 0

    def last_state_summed_over_batch(x):
        output = module(x)[0]
        return output.select(time_dim, -1).sum(0)  # (H_out,)

    jacobian = torch.autograd.functional.jacobian(last_state_summed_over_batch, inputs.detach())
    # (H_out, *inputs.shape): the norm over the hidden units and the input features
    norms = jacobian.pow(2).sum(dim=(0, 3)).sqrt()        # (L, N) or (N, L)
    per_step = norms.mean(dim=1 - time_dim)                # (L,)
    return per_step.flip(0)                                # entry k: gap k = L - 1 - t


def plot_gradient_by_gap(norms, ax=None):
    """Plot gradient norms against the gap on a log scale, one line per model.

    Args:
        norms: a dict ``{label: 1-D tensor}``, e.g. from :func:`input_gradient_by_gap`.
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Axes``.

    Shape:
        - every value of ``norms``: :math:`(L)`, entry ``k`` at a gap of ``k`` steps
    """
    import matplotlib.pyplot as plt

    check.instance("norms", norms, dict, "a dict {label: 1-D tensor of gradient norms}")
    if not norms:
        raise ValueError("norms is empty; give at least one {label: tensor} entry")
    for label, values in norms.items():
        check.instance("norms' labels", label, str, "strings, e.g. 'RNN'")
        check.tensor(f"norms[{label!r}]", values, ndim=1, dtype="floating", nonempty=True, finite=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.6))
    check.instance("ax", ax, plt.Axes, "a matplotlib Axes (e.g. from plt.subplots()) or None")
    for label, values in norms.items():
        ax.semilogy(range(len(values)), values.detach().cpu().numpy(), label=label, linewidth=2)
    ax.set_xlabel("gap $L-1-t$ (steps between $x_t$ and the last state)")
    ax.set_ylabel(r"$\Vert\partial h_{L-1} / \partial x_t\Vert$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=10)
    return ax


# --------------------------------------------------------------------------- an image read as a sequence


def plot_row_reading(image, states):
    """Show a digit read row by row next to the hidden state after each row.

    Row ``t`` of the image is the input :math:`x_t`; row ``t`` of the right panel is the state
    :math:`h_t` after reading it, so the two panels line up step by step.

    Args:
        image: a grey-scale image, e.g. an MNIST digit.
        states: the hidden states, one row per time step (``output`` of the layer for this image).

    Returns:
        The ``Figure``.

    Shape:
        - image: :math:`(H_{img}, W_{img})` or :math:`(1, H_{img}, W_{img})`
        - states: :math:`(H_{img}, H)`: one state per image row
    """
    import matplotlib.pyplot as plt

    check.tensor("image", image, ndim=(2, 3), dtype="floating", layout="(rows, columns) or (1, rows, columns)")
    if image.dim() == 3 and image.shape[0] != 1:
        raise ValueError(f"image must have one channel, got shape {tuple(image.shape)}; pick one: image[0]")
    picture = image[0] if image.dim() == 3 else image
    check.tensor("states", states, ndim=2, dtype="floating", layout="(L, H)")
    if states.shape[0] != picture.shape[0]:
        raise ValueError(f"states must have one row per image row ({picture.shape[0]}), got shape "
                         f"{tuple(states.shape)}; pass the layer's output for this image, without the batch dim")
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.6), gridspec_kw={"width_ratios": [1, 1.3]})
    left.imshow(picture.detach().cpu().numpy(), cmap="gray_r")
    left.set_title("input: row $t$ is $x_t$", fontsize=12)
    left.set_ylabel("time step $t$")
    left.set_xlabel("pixel (feature)")
    shown = right.imshow(states.detach().cpu().numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    right.set_title("hidden state $h_t$ after row $t$", fontsize=12)
    right.set_xlabel("hidden unit")
    right.set_yticks([])
    fig.colorbar(shown, ax=right, fraction=0.05)
    fig.tight_layout()
    return fig
