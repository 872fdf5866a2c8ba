"""Diagrams and animations of convolution, transposed convolution and pooling.

Every number and every size in these pictures comes from the PyTorch call the
picture illustrates (``F.conv2d``, ``F.conv_transpose2d``, ``F.max_pool2d``,
``F.avg_pool2d``), so a diagram cannot disagree with PyTorch. The style
follows Dumoulin & Visin's *convolution arithmetic* figures: the input is
blue, padding grey with dashed edges, the output cyan; the kernel window is
shaded and outlined, and the output cell it produces is dark cyan.

A transposed convolution is drawn as the direct convolution it equals: the
input is stretched (``stride - 1`` zeros inserted between its pixels), padded
by ``p' = dilation*(k-1) - padding`` (plus ``output_padding`` at the bottom
and right), and convolved with stride 1 and the kernel flipped by 180°.

Functions (``x`` is one channel of one image, shape ``(H, W)``)::

    draw_conv_step(x, weight, stride, padding, dilation, step=(0, 0))
    draw_conv_transpose_step(x, weight, stride, padding, output_padding, dilation, step)
    draw_pool_step(x, kernel_size, stride, padding, dilation, ceil_mode, mode="max", step)
    animate_conv(...), animate_conv_transpose(...), animate_pool(...)   # every step
    save_gif(animation, path)

The ``draw_*`` functions return a :class:`matplotlib.figure.Figure` and never
call ``plt.show()``: in a notebook, end the cell with ``plt.show()``; in a
script, ``fig.savefig(...)`` then ``plt.close(fig)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

from .. import arithmetic

__all__ = [
    "draw_conv_step",
    "draw_conv_transpose_step",
    "draw_pool_step",
    "animate_conv",
    "animate_conv_transpose",
    "animate_pool",
    "save_gif",
    "animation_html",
    "conv_scene",
    "conv_transpose_scene",
    "pool_scene",
    "ConvScene",
    "COLORS",
]

IntPair = Union[int, Tuple[int, int]]

#: Colours of the diagrams (Dumoulin & Visin: inputs blue, outputs cyan).
COLORS = {
    "input": "#9dc3e6",  # input pixels
    "input_edge": "#1f4e79",
    "padding": "#e7e7e7",  # zero (or -inf) padding
    "padding_edge": "#8c8c8c",
    "stretch": "#ffffff",  # zeros inserted between pixels (transposed convolution)
    "outside": "#ffffff",  # beyond the padded input (pooling with ceil_mode)
    "window": "#1f4e79",  # the kernel window, drawn over the cells it covers
    "window_edge": "#0b2545",
    "kernel_text": "#b3001b",  # kernel weights, small, in the window's cells
    "output": "#8fdcdc",  # output cells already computed
    "output_todo": "#eefafa",  # output cells not computed yet (animations)
    "output_edge": "#167d7d",
    "current": "#1aa3a3",  # the output cell of this step
    "argmax": "#e8740c",
    "unused": "#b05050",  # hatching of cells no window ever reaches  # the pixel max pooling picked
    "text": "#111111",
}

# Kinds of cells in the drawn input grid.
INPUT, PADDING, STRETCH, OUTSIDE = 0, 1, 2, 3


@dataclass
class ConvScene:
    """Everything one diagram shows, computed by PyTorch.

    Attributes:
        operation: ``"conv"``, ``"conv_transpose"``, ``"max_pool"`` or ``"avg_pool"``.
        grid_kind: ``(GH, GW)`` int array: what each drawn input cell is
            (``INPUT``, ``PADDING``, ``STRETCH`` for zeros inserted by a transposed
            convolution, ``OUTSIDE`` for cells past the padding that a ``ceil_mode``
            window overhangs).
        grid_values: ``(GH, GW)`` float array, the values the window sees
            (``-inf`` for max-pool padding, ``nan`` outside).
        kernel_size, stride, dilation: of the *drawn* (direct) operation, as pairs.
        kernel_values: ``(kH, kW)`` array of the weights the window multiplies by
            (flipped for a transposed convolution), or ``None`` for pooling.
        output: ``(OH, OW)`` float array, the result of the PyTorch call.
        argmax: ``(OH, OW, 2)`` grid coordinates of the pixel max pooling picked, or ``None``.
        input_shape: shape of the original input ``x``.
        title: one line describing the call.
        input_label: the caption above the input grid.
    """

    operation: str
    grid_kind: np.ndarray
    grid_values: np.ndarray
    kernel_size: Tuple[int, int]
    stride: Tuple[int, int]
    dilation: Tuple[int, int]
    kernel_values: Optional[np.ndarray]
    output: np.ndarray
    input_shape: Tuple[int, int]
    title: str
    input_label: str
    argmax: Optional[np.ndarray] = None
    extra: dict = field(default_factory=dict)

    @property
    def output_shape(self) -> Tuple[int, int]:
        return tuple(int(n) for n in self.output.shape)

    @property
    def steps(self) -> list:
        """Output positions ``(row, col)`` in the order an animation visits them."""
        rows, cols = self.output_shape
        return [(r, c) for r in range(rows) for c in range(cols)]

    @property
    def unused(self) -> np.ndarray:
        """``(GH, GW)`` bool array: input or padding cells that no window ever covers."""
        covered = np.zeros(self.grid_kind.shape, dtype=bool)
        for step in self.steps:
            for r, c in self.window(step):
                covered[r, c] = True
        return ~covered & (self.grid_kind != OUTSIDE)

    def window(self, step: Tuple[int, int]) -> list:
        """Grid cells ``(row, col)`` the kernel covers to produce output ``step``."""
        (r, c), (sh, sw), (dh, dw) = step, self.stride, self.dilation
        kh, kw = self.kernel_size
        return [(r * sh + a * dh, c * sw + b * dw) for a in range(kh) for b in range(kw)]


# ----------------------------------------------------------------------------
# Argument checking
# ----------------------------------------------------------------------------


def _pair(name: str, value, function: str, minimum: int) -> Tuple[int, int]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                               for v in values):
        raise TypeError(f"{function}: {name} must be an int or a pair of ints (height, width), "
                        f"got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{function}: {name} must be at least {minimum}, got {value!r}")
    return int(values[0]), int(values[1])


def _as_2d(name: str, value, function: str) -> torch.Tensor:
    tensor = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
    if tensor.dim() != 2:
        raise ValueError(
            f"{function}: {name} must be 2-D (height, width), got shape {tuple(tensor.shape)}; "
            f"draw one channel of one image, e.g. {name}[0, 0]")
    if tensor.numel() == 0:
        raise ValueError(f"{function}: {name} is empty (shape {tuple(tensor.shape)})")
    if tensor.is_complex() or tensor.dtype == torch.bool:
        raise TypeError(f"{function}: {name} must hold real numbers, got dtype {tensor.dtype}")
    # float64 keeps the small integer examples exact
    return tensor.detach().to("cpu", torch.float64)


def _arithmetic(function: str, compute, *args, **kwargs):
    """Call a ``course_utils.arithmetic`` function, re-labelling its ValueError."""
    try:
        return compute(*args, **kwargs)
    except ValueError as error:
        message = str(error).split(": ", 1)[-1]
        raise ValueError(f"{function}: {message}") from None


def _check_step(step, shape: Tuple[int, int], function: str) -> Tuple[int, int]:
    rows, cols = shape
    if isinstance(step, (int, np.integer)) and not isinstance(step, bool):
        if not 0 <= step < rows * cols:
            raise ValueError(f"{function}: step {step} is outside the {rows}×{cols} output; "
                             f"a flat step runs from 0 to {rows * cols - 1}")
        return int(step) // cols, int(step) % cols
    if (not isinstance(step, (tuple, list)) or len(step) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in step)):
        raise TypeError(f"{function}: step must be (row, col) of an output cell, got {step!r}")
    r, c = int(step[0]), int(step[1])
    if not (0 <= r < rows and 0 <= c < cols):
        raise ValueError(f"{function}: step {tuple(step)} is outside the {rows}×{cols} output; "
                         f"rows run from 0 to {rows - 1} and columns from 0 to {cols - 1}")
    return r, c


def _fmt(pair: Tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ----------------------------------------------------------------------------
# Scenes: what to draw, computed by PyTorch
# ----------------------------------------------------------------------------


def _pad_grid(x: torch.Tensor, pads: Tuple[int, int, int, int], fill: float):
    """Pad ``x`` by (top, bottom, left, right); return values and cell kinds."""
    top, bottom, left, right = pads
    values = F.pad(x[None, None], (left, right, top, bottom), value=fill)[0, 0]
    kind = F.pad(torch.zeros_like(x)[None, None], (left, right, top, bottom), value=1.0)[0, 0]
    return values.numpy(), kind.numpy().astype(int)  # 0 → INPUT, 1 → PADDING


def conv_scene(x, weight, stride: IntPair = 1, padding: Union[IntPair, str] = 0,
               dilation: IntPair = 1, *, function: str = "conv_scene") -> ConvScene:
    """Compute what :func:`draw_conv_step` draws, with ``F.conv2d``.

    Args:
        x: input of shape ``(H, W)``.
        weight: kernel of shape ``(kH, kW)``.
        stride, dilation: ints or pairs.
        padding: int, pair, ``'valid'`` or ``'same'`` (PyTorch pads an even kernel
            asymmetrically: the extra row/column goes to the bottom/right).

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`
        - scene.output: :math:`(H_{out}, W_{out})`, as ``F.conv2d`` returns
    """
    x = _as_2d("x", x, function)
    weight = _as_2d("weight", weight, function)
    stride = _pair("stride", stride, function, 1)
    dilation = _pair("dilation", dilation, function, 1)
    kernel = tuple(weight.shape)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"{function}: padding must be an int, a pair, 'valid' or 'same', "
                             f"got {padding!r}")
        _arithmetic(function, arithmetic.conv_output_size, tuple(x.shape), kernel, stride,
                    padding, dilation)
        if padding == "valid":
            pads = (0, 0, 0, 0)
        else:  # as torch does it: the left/top gets the smaller half
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            pads = (total[0] // 2, total[0] - total[0] // 2,
                    total[1] // 2, total[1] - total[1] // 2)
        torch_padding = padding
        padding_label = f"padding='{padding}'"
        if padding == "same" and (pads[0] != pads[1] or pads[2] != pads[3]):
            padding_label += f" (top {pads[0]}, bottom {pads[1]}, left {pads[2]}, right {pads[3]})"
    else:
        padding = _pair("padding", padding, function, 0)
        _arithmetic(function, arithmetic.conv_output_size, tuple(x.shape), kernel, stride,
                    padding, dilation)
        pads = (padding[0], padding[0], padding[1], padding[1])
        torch_padding = padding
        padding_label = f"padding {_fmt(padding)}"
    with torch.no_grad(), _quiet_same_padding_warning():
        output = F.conv2d(x[None, None], weight[None, None], stride=stride, padding=torch_padding,
                          dilation=dilation)[0, 0]
    values, kind = _pad_grid(x, pads, 0.0)
    h, w = x.shape
    title = (f"conv2d: input {h}×{w}, kernel {kernel[0]}×{kernel[1]}, stride {_fmt(stride)}, "
             f"{padding_label}, dilation {_fmt(dilation)}")
    short = f"padding='{padding}'" if isinstance(padding, str) else padding_label
    return ConvScene("conv", kind, values, kernel, stride, dilation, weight.numpy(),
                     output.numpy(), (h, w), title,
                     f"input {h}×{w}" + (f", {short}" if any(pads) else ""))


class _quiet_same_padding_warning:
    """padding='same' with an even kernel warns once; the diagram shows why instead."""

    def __enter__(self):
        import warnings

        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.filterwarnings("ignore", message=".*padding='same'.*")
        warnings.filterwarnings("ignore", message=".*even kernel lengths.*")

    def __exit__(self, *exc):
        return self._catcher.__exit__(*exc)


def conv_transpose_scene(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                         output_padding: IntPair = 0, dilation: IntPair = 1, *,
                         function: str = "conv_transpose_scene") -> ConvScene:
    """Compute what :func:`draw_conv_transpose_step` draws.

    The output is ``F.conv_transpose2d(x, weight, stride, padding, output_padding,
    dilation=dilation)``. The drawn grid is ``x`` stretched (computed as
    ``F.conv_transpose2d`` with a 1×1 kernel of ones) and padded by
    ``p' = dilation*(k-1) - padding`` on every side plus ``output_padding`` at the
    bottom/right; the function checks that ``F.conv2d`` of that grid with the
    flipped kernel gives exactly the transposed convolution's output.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`
        - scene.output: :math:`(H_{out}, W_{out})` with
          :math:`H_{out} = (H-1)s - 2p + d(k-1) + \\text{output\\_padding} + 1`
    """
    x = _as_2d("x", x, function)
    weight = _as_2d("weight", weight, function)
    stride = _pair("stride", stride, function, 1)
    padding = _pair("padding", padding, function, 0)
    output_padding = _pair("output_padding", output_padding, function, 0)
    dilation = _pair("dilation", dilation, function, 1)
    kernel = tuple(weight.shape)
    _arithmetic(function, arithmetic.conv_transpose_output_size, tuple(x.shape), kernel, stride,
                padding, output_padding, dilation)
    equivalent = tuple(d * (k - 1) - p for d, k, p in zip(dilation, kernel, padding))
    if min(equivalent) < 0:
        raise ValueError(
            f"{function}: padding {_fmt(padding)} is larger than dilation*(kernel_size-1) = "
            f"{_fmt(tuple(d * (k - 1) for d, k in zip(dilation, kernel)))}, so the equivalent "
            f"direct convolution would crop its input (p' = d(k-1) - p < 0), which this diagram "
            f"cannot draw; use padding <= dilation*(kernel_size-1)")
    with torch.no_grad():
        output = F.conv_transpose2d(x[None, None], weight[None, None], stride=stride,
                                    padding=padding, output_padding=output_padding,
                                    dilation=dilation)[0, 0]
        one = torch.ones(1, 1, 1, 1, dtype=x.dtype)
        stretched = F.conv_transpose2d(x[None, None], one, stride=stride)[0, 0]
        is_pixel = F.conv_transpose2d(torch.ones_like(x)[None, None], one, stride=stride)[0, 0]
        pads = (equivalent[0], equivalent[0] + output_padding[0],
                equivalent[1], equivalent[1] + output_padding[1])
        values, kind = _pad_grid(stretched, pads, 0.0)
        pixel, _ = _pad_grid(is_pixel, pads, 0.0)
        kind[(kind == INPUT) & (pixel == 0)] = STRETCH
        flipped = weight.flip(0, 1)
        direct = F.conv2d(torch.from_numpy(values)[None, None], flipped[None, None],
                          dilation=dilation)[0, 0]
    if direct.shape != output.shape or not torch.allclose(direct, output, atol=1e-9):
        raise RuntimeError(f"{function}: the equivalent direct convolution disagrees with "
                           f"F.conv_transpose2d; please report this")
    h, w = x.shape
    title = (f"conv_transpose2d: input {h}×{w}, kernel {kernel[0]}×{kernel[1]}, stride "
             f"{_fmt(stride)}, padding {_fmt(padding)}, output_padding {_fmt(output_padding)}"
             + (f", dilation {_fmt(dilation)}" if dilation != (1, 1) else ""))
    label = f"input {h}×{w}" + (f", stretched by {_fmt(stride)}" if stride != (1, 1) else "")
    label += f"\npadded p′={_fmt(equivalent)}"
    if output_padding != (0, 0):
        label += f", +{_fmt(output_padding)} bottom/right"
    return ConvScene("conv_transpose", kind, values, kernel, (1, 1), dilation, flipped.numpy(),
                     output.numpy(), (h, w), title, label,
                     extra={"equivalent_padding": equivalent, "stride": stride,
                            "padding": padding, "output_padding": output_padding})


def pool_scene(x, kernel_size: IntPair, stride: Optional[IntPair] = None, padding: IntPair = 0,
               dilation: IntPair = 1, ceil_mode: bool = False, mode: str = "max",
               count_include_pad: bool = True, *, function: str = "pool_scene") -> ConvScene:
    """Compute what :func:`draw_pool_step` draws, with ``F.max_pool2d`` or ``F.avg_pool2d``.

    ``stride=None`` means ``stride = kernel_size``, as in PyTorch. Max pooling pads
    with ``-inf`` and reports which pixel won (``return_indices=True``); average
    pooling pads with zeros and has no dilation.

    Shape:
        - x: :math:`(H, W)`
        - scene.output: :math:`(H_{out}, W_{out})`
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"{function}: mode must be 'max' or 'avg', got {mode!r}")
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"{function}: ceil_mode must be True or False, got {ceil_mode!r}")
    x = _as_2d("x", x, function)
    kernel = _pair("kernel_size", kernel_size, function, 1)
    stride = kernel if stride is None else _pair("stride", stride, function, 1)
    padding = _pair("padding", padding, function, 0)
    dilation = _pair("dilation", dilation, function, 1)
    if mode == "avg" and dilation != (1, 1):
        raise ValueError(f"{function}: average pooling has no dilation, got dilation "
                         f"{_fmt(dilation)}; use mode='max' or dilation=1")
    _arithmetic(function, arithmetic.pool_output_size, tuple(x.shape), kernel, stride, padding,
                dilation, ceil_mode)
    argmax = None
    with torch.no_grad():
        if mode == "max":
            output, index = F.max_pool2d(x[None, None], kernel, stride, padding, dilation,
                                         ceil_mode=ceil_mode, return_indices=True)
            output, index = output[0, 0], index[0, 0].numpy()
            width = x.shape[1]
            argmax = np.stack([index // width + padding[0], index % width + padding[1]], axis=-1)
        else:
            output = F.avg_pool2d(x[None, None], kernel, stride, padding, ceil_mode=ceil_mode,
                                  count_include_pad=count_include_pad)[0, 0]
    fill = -math.inf if mode == "max" else 0.0
    values, kind = _pad_grid(x, (padding[0], padding[0], padding[1], padding[1]), fill)
    # ceil_mode can let the last window hang past the padding: draw those cells too
    need = [(o - 1) * s + d * (k - 1) + 1
            for o, s, d, k in zip(output.shape, stride, dilation, kernel)]
    extra = [max(0, n - g) for n, g in zip(need, values.shape)]
    if any(extra):
        values = np.pad(values, ((0, extra[0]), (0, extra[1])), constant_values=np.nan)
        kind = np.pad(kind, ((0, extra[0]), (0, extra[1])), constant_values=OUTSIDE)
    h, w = x.shape
    name = "max_pool2d" if mode == "max" else "avg_pool2d"
    title = (f"{name}: input {h}×{w}, kernel {_fmt(kernel)}, stride {_fmt(stride)}, "
             f"padding {_fmt(padding)}"
             + (f", dilation {_fmt(dilation)}" if dilation != (1, 1) else "")
             + (", ceil_mode" if ceil_mode else "")
             + (", count_include_pad=False" if mode == "avg" and not count_include_pad else ""))
    label = f"input {h}×{w}" + (f", padding {_fmt(padding)}" if padding != (0, 0) else "")
    return ConvScene(f"{mode}_pool", kind, values, kernel, stride, dilation, None,
                     output.numpy(), (h, w), title, label, argmax=argmax)


# ----------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------

_GAP = 1.6  # cells between the input and the output grid
_LABEL_PT = 8.5
_TITLE_PT = 9.5  # the call, above everything
_EQUATION_PT = 9.0  # this step's result, below everything
_MAX_SIZE = (8.0, 3.6)  # inches: the largest figure, small enough for a 1280×720 slide
_MIN_WIDTH = 4.8  # inches: room for the title


def _number(value: float) -> str:
    if np.isnan(value):
        return ""
    if np.isinf(value):
        return "−∞" if value < 0 else "∞"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def _input_label(scene: ConvScene, unused: np.ndarray) -> str:
    return scene.input_label + ("\n(hatched: never used)" if unused.any() else "")


def _label_cells(label: str) -> float:
    """Room above the grids for their captions, in cells."""
    return 0.45 + 0.5 * (label.count("\n") + 1)


def _cells(scene: ConvScene, label: Optional[str] = None) -> Tuple[float, float]:
    """Width and height of the drawing in cells."""
    gh, gw = scene.grid_kind.shape
    oh, ow = scene.output_shape
    label = _input_label(scene, scene.unused) if label is None else label
    return gw + _GAP + ow + 0.2, max(gh, oh) + _label_cells(label) + 0.1


def _title_lines(scene: ConvScene, width_in: float) -> int:
    return _wrap_title(scene.title, width_in).count("\n") + 1


def _text_height(lines: int, points: float) -> float:
    return (lines * points * 1.35 + 6) / 72  # inches


def _wrap_title(title: str, width_in: float) -> str:
    """Break a long title at the comma nearest its middle (a character is ~0.6 em wide)."""
    if len(title) * 0.6 * _TITLE_PT / 72 <= width_in - 0.2:
        return title
    commas = [n for n, ch in enumerate(title) if ch == ","]
    if not commas:
        return title
    cut = min(commas, key=lambda n: abs(n - len(title) / 2))
    return title[:cut + 1] + "\n" + title[cut + 2:]


def _figure_size(scene: ConvScene) -> Tuple[float, float]:
    width, height = _cells(scene)
    text = _text_height(2, _TITLE_PT) + _text_height(1, _EQUATION_PT)
    cell = min(0.42, (_MAX_SIZE[0] - 0.2) / width, (_MAX_SIZE[1] - text) / height)
    fig_width = round(max(_MIN_WIDTH, width * cell + 0.2), 2)
    text = (_text_height(_title_lines(scene, fig_width), _TITLE_PT)
            + _text_height(1, _EQUATION_PT))
    return fig_width, round(height * cell + text, 2)


def _draw_scene(ax, scene: ConvScene, step: Tuple[int, int], show_values: bool,
                progressive: bool = False) -> None:
    """Draw ``scene`` at output position ``step`` into ``ax`` (which is cleared first).

    Cells are drawn as a few ``PatchCollection``s (gids ``"input-cells"``,
    ``"window"``, ``"output-cells"``), which keeps an animation frame cheap.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    ax.clear()
    ax.set_axis_off()
    gh, gw = scene.grid_kind.shape
    oh, ow = scene.output_shape
    rows = max(gh, oh)
    unused = scene.unused
    input_label = _input_label(scene, unused)
    top = _label_cells(input_label)
    ix, iy = 0.1, top + (rows - gh) / 2
    ox, oy = 0.1 + gw + _GAP, top + (rows - oh) / 2
    width, height = _cells(scene, input_label)
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # rows grow downwards, like a matrix
    ax.set_aspect("equal", anchor="C")

    # font sizes follow the size of a cell on the page
    fig = ax.figure
    box = ax.get_position()
    cell_points = 72 * min(box.width * fig.get_figwidth() / width,
                           box.height * fig.get_figheight() / height)
    big = max(5.0, min(11.0, cell_points * 0.42))
    small = max(4.0, big * 0.62)
    label = _LABEL_PT

    def add(patches, gid):
        ax.add_collection(PatchCollection(patches, match_original=True, gid=gid), autolim=False)

    styles = {
        INPUT: dict(facecolor=COLORS["input"], edgecolor=COLORS["input_edge"], linestyle="-"),
        PADDING: dict(facecolor=COLORS["padding"], edgecolor=COLORS["padding_edge"],
                      linestyle="--"),
        STRETCH: dict(facecolor=COLORS["stretch"], edgecolor=COLORS["input_edge"],
                      linestyle=":"),
        OUTSIDE: dict(facecolor=COLORS["outside"], edgecolor=COLORS["padding_edge"],
                      linestyle=":"),
    }
    cells = []
    for r in range(gh):
        for c in range(gw):
            kind = int(scene.grid_kind[r, c])
            cells.append(Rectangle((ix + c, iy + r), 1, 1, linewidth=0.8, **styles[kind]))
            if show_values and kind != OUTSIDE:
                ax.text(ix + c + 0.5, iy + r + 0.5, _number(scene.grid_values[r, c]),
                        ha="center", va="center", fontsize=big,
                        color=COLORS["text"] if kind == INPUT else COLORS["padding_edge"])
    add(cells, "input-cells")
    if unused.any():  # e.g. the last row of an odd input with stride 2
        ax.add_collection(PatchCollection(
            [Rectangle((ix + c, iy + r), 1, 1) for r, c in zip(*np.nonzero(unused))],
            facecolor="none", edgecolor=COLORS["unused"], hatch="////", linewidth=0,
            gid="unused"), autolim=False)
    # the window: shaded cells with a dark outline, kernel weights in small print
    shade = to_rgba(COLORS["window"], 0.35)
    window = []
    for n, (r, c) in enumerate(scene.window(step)):
        window.append(Rectangle((ix + c, iy + r), 1, 1, facecolor=shade, linewidth=1.8,
                                edgecolor=COLORS["window_edge"]))
        if show_values and scene.kernel_values is not None:
            a, b = divmod(n, scene.kernel_size[1])
            ax.text(ix + c + 0.94, iy + r + 0.94, _number(scene.kernel_values[a, b]),
                    ha="right", va="bottom", fontsize=small, color=COLORS["kernel_text"],
                    fontweight="bold")
    if scene.argmax is not None:
        r, c = scene.argmax[step]
        window.append(Rectangle((ix + c + 0.07, iy + r + 0.07), 0.86, 0.86, facecolor="none",
                                edgecolor=COLORS["argmax"], linewidth=2.2))
    add(window, "window")
    # the output
    flat_step = step[0] * ow + step[1]
    cells = []
    for r in range(oh):
        for c in range(ow):
            done = not progressive or r * ow + c <= flat_step
            current = (r, c) == tuple(step)
            face = COLORS["current"] if current else COLORS["output" if done else "output_todo"]
            edge = COLORS["window_edge"] if current else COLORS["output_edge"]
            cells.append(Rectangle((ox + c, oy + r), 1, 1, facecolor=face, edgecolor=edge,
                                   linewidth=2.0 if current else 0.8))
            if show_values and done:
                ax.text(ox + c + 0.5, oy + r + 0.5, _number(scene.output[r, c]), ha="center",
                        va="center", fontsize=big, color="white" if current else COLORS["text"],
                        fontweight="bold" if current else "normal")
    # the current cell last, so its thick edge is not hidden by its neighbours'
    cells.append(cells.pop(flat_step))
    add(cells, "output-cells")
    # captions
    ax.text(ix + gw / 2, iy - 0.25, input_label, ha="center", va="bottom", fontsize=label,
            linespacing=1.1)
    ax.text(ox + ow / 2, oy - 0.25, f"output {oh}×{ow}", ha="center", va="bottom",
            fontsize=label)
    ax.text(0.5, 1.0, _wrap_title(scene.title, fig.get_figwidth()), transform=ax.transAxes,
            ha="center", va="bottom", fontsize=_TITLE_PT, fontweight="bold", linespacing=1.15)
    ax.text(0.5, 0.0, _equation(scene, step, show_values), transform=ax.transAxes,
            ha="center", va="top",
            fontsize=_EQUATION_PT)


def _equation(scene: ConvScene, step: Tuple[int, int], show_values: bool = True) -> str:
    value = _number(scene.output[step])
    where = f"output[{step[0]}, {step[1]}]"
    if not show_values:
        rows, cols = scene.output_shape
        return f"step {step[0] * cols + step[1] + 1} of {rows * cols}: {where}"
    if scene.operation == "conv":
        return f"{where} = Σ window × kernel = {value}"
    if scene.operation == "conv_transpose":
        return f"{where} = Σ window × flipped kernel = {value}"
    if scene.operation == "max_pool":
        return f"{where} = max(window) = {value}"
    return f"{where} = mean(window) = {value}"


def _new_figure(scene: ConvScene, figsize):
    import matplotlib.pyplot as plt

    width, height = figsize or _figure_size(scene)
    fig = plt.figure(figsize=(width, height))
    bottom = _text_height(1, _EQUATION_PT) / height
    top = _text_height(_title_lines(scene, width), _TITLE_PT) / height
    return fig, fig.add_axes([0.01, bottom, 0.98, 1 - bottom - top])


def _new_axes(scene: ConvScene, ax, figsize):
    if ax is not None:
        return ax.figure, ax
    return _new_figure(scene, figsize)


def _draw(scene: ConvScene, step, show_values: bool, ax, figsize, function: str, progressive=False):
    step = _check_step(step, scene.output_shape, function)
    if not isinstance(show_values, bool):
        raise TypeError(f"{function}: show_values must be True or False, got {show_values!r}")
    fig, ax = _new_axes(scene, ax, figsize)
    _draw_scene(ax, scene, step, show_values, progressive)
    fig.conv_scene = scene  # lets tests and notebooks read what was drawn
    return fig


def draw_conv_step(x, weight, stride: IntPair = 1, padding: Union[IntPair, str] = 0,
                   dilation: IntPair = 1, step=(0, 0), show_values: bool = True, ax=None, *,
                   figsize=None, progressive: bool = False):
    r"""Draw one step of the 2-D convolution ``F.conv2d(x, weight, stride, padding, dilation)``.

    The input grid shows the padding (grey, dashed) around ``x`` (blue); the kernel
    window that produces output cell ``step`` is shaded, with the kernel's weights in
    small red print; the output grid (cyan) highlights that cell. All values and the
    output size come from ``F.conv2d``.

    Args:
        x: the input, shape ``(H, W)`` (a tensor, array or nested list).
        weight: the kernel, shape ``(kH, kW)``.
        stride: int or ``(sH, sW)``. Default: 1.
        padding: int, ``(pH, pW)``, ``'valid'`` or ``'same'``. Default: 0.
        dilation: int or ``(dH, dW)``. Default: 1.
        step: the output cell ``(row, col)`` (or its flat index) to draw. Default: ``(0, 0)``.
        show_values: write the numbers in the cells. Default: ``True``.
        ax: draw into this Axes instead of a new figure.
        figsize: size of a new figure in inches; chosen from the grid sizes if ``None``.
        progressive: leave output cells after ``step`` empty, as an animation does.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.conv_scene`` holds the numbers drawn.

    Raises:
        ValueError: if a shape or setting is impossible (kernel larger than the padded
            input, stride 0, negative padding, ``padding='same'`` with a stride, a
            ``step`` outside the output).
        TypeError: if an argument has the wrong type.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`
        - drawn output: :math:`(H_{out}, W_{out})`, exactly ``F.conv2d``'s

    Example::

        >>> fig = draw_conv_step(torch.arange(25.).view(5, 5), torch.ones(3, 3),
        ...                      stride=2, padding=1, step=(1, 2))
        >>> fig.conv_scene.output_shape
        (3, 3)
    """
    scene = conv_scene(x, weight, stride, padding, dilation, function="draw_conv_step")
    return _draw(scene, step, show_values, ax, figsize, "draw_conv_step", progressive)


def draw_conv_transpose_step(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                             output_padding: IntPair = 0, dilation: IntPair = 1, step=(0, 0),
                             show_values: bool = True, ax=None, *, figsize=None,
                             progressive: bool = False):
    r"""Draw one step of ``F.conv_transpose2d`` as the direct convolution it equals.

    The input ``x`` is stretched (``stride-1`` zeros, white with dotted edges, between
    its pixels), padded by ``p' = dilation*(k-1) - padding`` (plus ``output_padding``
    at the bottom and right) and convolved with stride 1 and the kernel flipped by 180°
    (the small red numbers). ``stride`` and ``padding`` are PyTorch's, i.e. those of the
    forward convolution this one undoes.

    Args:
        x: the input, shape ``(H, W)``.
        weight: the kernel, shape ``(kH, kW)``, as passed to ``F.conv_transpose2d``.
        stride, padding, output_padding, dilation: as in ``F.conv_transpose2d``.
        step, show_values, ax, figsize, progressive: as in :func:`draw_conv_step`.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.conv_scene`` holds the numbers drawn.

    Raises:
        ValueError: for impossible settings (``output_padding >= max(stride, dilation)``,
            an empty output) and for ``padding > dilation*(k-1)``, which would make the
            equivalent convolution crop its input.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`
        - drawn output: :math:`((H-1)s - 2p + d(k-1) + \text{output\_padding} + 1, \dots)`
    """
    scene = conv_transpose_scene(x, weight, stride, padding, output_padding, dilation,
                                 function="draw_conv_transpose_step")
    return _draw(scene, step, show_values, ax, figsize, "draw_conv_transpose_step", progressive)


def draw_pool_step(x, kernel_size: IntPair, stride: Optional[IntPair] = None, padding: IntPair = 0,
                   dilation: IntPair = 1, ceil_mode: bool = False, mode: str = "max",
                   count_include_pad: bool = True, step=(0, 0), show_values: bool = True, ax=None,
                   *, figsize=None, progressive: bool = False):
    r"""Draw one step of max pooling (``mode='max'``) or average pooling (``mode='avg'``).

    Padding is shown as ``−∞`` for max pooling and 0 for average pooling; max pooling
    outlines the pixel it picked (orange), from ``return_indices=True``. With
    ``ceil_mode=True`` a last window may hang past the padding; those cells are drawn
    white with dotted edges and are ignored by PyTorch.

    Args:
        x: the input, shape ``(H, W)``.
        kernel_size, stride, padding, dilation, ceil_mode: as in ``F.max_pool2d``;
            ``stride=None`` means ``stride = kernel_size``.
        mode: ``'max'`` or ``'avg'``. Default: ``'max'``.
        count_include_pad: average pooling only, as in ``F.avg_pool2d``.
        step, show_values, ax, figsize, progressive: as in :func:`draw_conv_step`.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.conv_scene`` holds the numbers drawn.

    Raises:
        ValueError: for impossible settings (padding > kernel_size // 2, window larger
            than the padded input, dilation with average pooling, ...).

    Shape:
        - x: :math:`(H, W)`; drawn output :math:`(H_{out}, W_{out})` as PyTorch computes it.
    """
    scene = pool_scene(x, kernel_size, stride, padding, dilation, ceil_mode, mode,
                       count_include_pad, function="draw_pool_step")
    return _draw(scene, step, show_values, ax, figsize, "draw_pool_step", progressive)


# ----------------------------------------------------------------------------
# Animations
# ----------------------------------------------------------------------------


def _animate(scene: ConvScene, show_values: bool, interval: int, figsize, function: str):
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    if not isinstance(show_values, bool):
        raise TypeError(f"{function}: show_values must be True or False, got {show_values!r}")
    if isinstance(interval, bool) or not isinstance(interval, (int, np.integer)) or interval < 1:
        raise ValueError(f"{function}: interval must be a positive number of milliseconds, "
                         f"got {interval!r}")
    steps = scene.steps
    fig, ax = _new_figure(scene, figsize)
    fig.conv_scene = scene

    def frame(n):
        _draw_scene(ax, scene, steps[n], show_values, progressive=True)
        return []

    frame(0)
    animation = FuncAnimation(fig, frame, frames=len(steps), interval=int(interval),
                              blit=False, repeat=True)
    animation.conv_scene = scene
    # the first frame is drawn; no "Animation was deleted without rendering" warning
    animation._draw_was_started = True
    # pyplot would otherwise also show the last frame as a still image in a notebook
    plt.close(fig)
    return animation


def animate_conv(x, weight, stride: IntPair = 1, padding: Union[IntPair, str] = 0,
                 dilation: IntPair = 1, show_values: bool = True, interval: int = 700, *,
                 figsize=None):
    """Animate every step of ``F.conv2d(x, weight, stride, padding, dilation)``.

    One frame per output cell, row by row; output cells fill in as they are computed.
    Arguments are those of :func:`draw_conv_step`; ``interval`` is the time per frame
    in milliseconds.

    Returns:
        A :class:`matplotlib.animation.FuncAnimation` (its figure is already closed, so
        nothing is shown twice). In a notebook: ``HTML(anim.to_jshtml())``; as a file:
        :func:`save_gif`. ``anim.conv_scene`` holds the numbers drawn.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`; :math:`H_{out} W_{out}` frames.
    """
    scene = conv_scene(x, weight, stride, padding, dilation, function="animate_conv")
    return _animate(scene, show_values, interval, figsize, "animate_conv")


def animate_conv_transpose(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                           output_padding: IntPair = 0, dilation: IntPair = 1,
                           show_values: bool = True, interval: int = 700, *, figsize=None):
    """Animate every step of ``F.conv_transpose2d`` drawn as a direct convolution.

    Arguments as in :func:`draw_conv_transpose_step`; one frame per output cell.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`; :math:`H_{out} W_{out}` frames.
    """
    scene = conv_transpose_scene(x, weight, stride, padding, output_padding, dilation,
                                 function="animate_conv_transpose")
    return _animate(scene, show_values, interval, figsize, "animate_conv_transpose")


def animate_pool(x, kernel_size: IntPair, stride: Optional[IntPair] = None, padding: IntPair = 0,
                 dilation: IntPair = 1, ceil_mode: bool = False, mode: str = "max",
                 count_include_pad: bool = True, show_values: bool = True, interval: int = 700,
                 *, figsize=None):
    """Animate every step of max or average pooling (arguments as in :func:`draw_pool_step`).

    Shape:
        - x: :math:`(H, W)`; :math:`H_{out} W_{out}` frames.
    """
    scene = pool_scene(x, kernel_size, stride, padding, dilation, ceil_mode, mode,
                       count_include_pad, function="animate_pool")
    return _animate(scene, show_values, interval, figsize, "animate_pool")


def save_gif(animation, path, dpi: int = 72, fps: Optional[float] = None) -> None:
    """Write ``animation`` to ``path`` as a looping GIF, with Pillow.

    The file depends only on the frames (no timestamps), so regenerating it gives the
    same bytes with the same matplotlib and Pillow versions.

    Args:
        animation: a :class:`~matplotlib.animation.FuncAnimation` from ``animate_*``.
        path: where to write; should end in ``.gif``.
        dpi: resolution of the frames. Default: 72.
        fps: frames per second; by default ``1000 / interval`` of the animation.
    """
    from matplotlib.animation import PillowWriter

    if not str(path).endswith(".gif"):
        raise ValueError(f"save_gif: path must end in '.gif', got {str(path)!r}")
    if fps is None:
        fps = 1000.0 / animation._interval
    animation.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)


_ICONS = {  # font-awesome icons of matplotlib's player, as characters every font has
    "fa fa-minus": "−", "fa fa-fast-backward": "«", "fa fa-step-backward": "‹",
    "fa fa-play fa-flip-horizontal": "◀", "fa fa-pause": "||", "fa fa-play": "▶",
    "fa fa-step-forward": "›", "fa fa-fast-forward": "»", "fa fa-plus": "+",
}


def animation_html(animation, default_mode: str = "loop", dpi: int = 72):
    """An inline HTML/JavaScript player for ``animation`` (``anim.to_jshtml()``), offline.

    matplotlib's player loads its button icons from a CDN; here they are replaced by
    plain characters so the player also works without internet.

    Its output holds random element ids, so a notebook cell showing it needs
    ``# NBVAL_IGNORE_OUTPUT``. The frames are PNGs embedded in the notebook: keep
    animations short and ``dpi`` low.

    Returns:
        An :class:`IPython.display.HTML` object.
    """
    from IPython.display import HTML

    from matplotlib.animation import Animation

    if not isinstance(animation, Animation):
        raise TypeError(f"animation_html: animation must be a matplotlib Animation (from animate_conv, "
                        f"animate_conv_transpose or animate_pool), got {type(animation).__name__}")
    if default_mode not in ("once", "loop", "reflect"):
        raise ValueError(f"animation_html: default_mode must be 'once', 'loop' or 'reflect', "
                         f"got {default_mode!r}")
    import matplotlib

    with matplotlib.rc_context({"savefig.dpi": dpi}):
        html = animation.to_jshtml(default_mode=default_mode)
    start = html.find("<link rel=\"stylesheet\"")
    if start != -1:
        html = html[:start] + html[html.index(">", start) + 1:]
    for icon, char in _ICONS.items():
        html = html.replace(f'<i class="{icon}"></i>', char)
    return HTML(html)
