"""Diagrams of the RNN, GRU and LSTM cells, as PyTorch computes them.

One time step each, in the usual "unrolled cell" style: yellow boxes are
learned layers (a matrix product plus bias, then the activation written in the
box), pink circles are element-wise operations, lines carry vectors. The GRU
diagram shows PyTorch's variant, where the reset gate multiplies
:math:`W_{hn} h + b_{hn}` *after* the matrix product.

    >>> from course_utils.viz import draw_lstm_cell
    >>> ax = draw_lstm_cell()
"""

from __future__ import annotations

from course_utils import _validate as check

__all__ = ["draw_rnn_cell", "draw_gru_cell", "draw_lstm_cell", "draw_rnn_cells"]

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
