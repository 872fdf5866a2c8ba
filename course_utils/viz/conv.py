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
    save_gif(animation, path), animation_html(animation)

The same in two stages: ``conv_scene``, ``conv_transpose_scene`` and
``pool_scene`` compute a :class:`ConvScene` (every number drawn), and
``draw_scene`` / ``animate_scene`` draw it.

Two more pictures, each also computed by PyTorch before it is drawn::

    draw_receptive_field(kernel_sizes, strides, dilations)   # what one output unit sees (autograd)
    draw_conv_transpose_scatter(x, weight, stride, padding)  # each input pixel stamps pixel × kernel

A diagram has one text per cell, so it stays small: at most :data:`MAX_CELLS`
cells per side, and an animation at most :data:`MAX_FRAMES` frames. Larger
inputs are refused (draw a corner, e.g. ``x[:8, :8]``).

The ``draw_*`` functions return a :class:`matplotlib.figure.Figure` and never
call ``plt.show()``: in a notebook, end the cell with ``plt.show()``; in a
script, ``fig.savefig(...)`` then ``plt.close(fig)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from course_utils import _validate as check

from .. import arithmetic

__all__ = [
    "draw_conv_step",
    "draw_conv_transpose_step",
    "draw_pool_step",
    "draw_scene",
    "animate_conv",
    "animate_conv_transpose",
    "animate_pool",
    "animate_scene",
    "save_gif",
    "animation_html",
    "conv_scene",
    "conv_transpose_scene",
    "pool_scene",
    "ConvScene",
    "COLORS",
    "MAX_CELLS",
    "MAX_FRAMES",
    "draw_receptive_field",
    "receptive_field_scene",
    "ReceptiveFieldScene",
    "draw_conv_transpose_scatter",
    "conv_transpose_scatter_scene",
    "ScatterScene",
    "MAX_STAMPS",
]

IntPair = int | tuple[int, int]

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
    "argmax": "#e8740c",  # the pixel max pooling picked
    "stamp": "#fbd3a5",  # one input pixel's scaled copy of the kernel (transposed convolution)
    "overlap": "#4fb9b9",  # output cells where several stamps add up
    "unused": "#b05050",  # hatching of cells no window ever reaches
    "text": "#111111",
}

# Kinds of cells in the drawn input grid.
INPUT, PADDING, STRETCH, OUTSIDE = 0, 1, 2, 3

#: The largest grid a diagram draws, in cells per side (input with its padding, or output):
#: one text per cell, so 32×32 draws in about a second and 224×224 would take minutes.
MAX_CELLS = 32
#: The most frames an animation renders (one per output cell): 64 frames take about 10 s
#: and 2 MB in a notebook.
MAX_FRAMES = 64


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
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    kernel_values: np.ndarray | None
    output: np.ndarray
    input_shape: tuple[int, int]
    title: str
    input_label: str
    argmax: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def output_shape(self) -> tuple[int, int]:
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

    def window(self, step: tuple[int, int]) -> list:
        """Grid cells ``(row, col)`` the kernel covers to produce output ``step``."""
        (r, c), (sh, sw), (dh, dw) = step, self.stride, self.dilation
        kh, kw = self.kernel_size
        return [(r * sh + a * dh, c * sw + b * dw) for a in range(kh) for b in range(kw)]


# ----------------------------------------------------------------------------
# Argument checking
# ----------------------------------------------------------------------------


def _plane(name: str, value) -> torch.Tensor:
    """One channel of one image, ``(H, W)``, as a float64 tensor (exact for small integers)."""
    tensor = check.array(name, value, "(height, width)")
    if tensor.dim() != 2:
        fix = ""
        if tensor.dim() > 2:
            fix = f"; draw one channel of one image, e.g. {name}[{', '.join(['0'] * (tensor.dim() - 2))}]"
        raise ValueError(f"{name} must be 2-D (height, width), got shape {tuple(tensor.shape)}{fix}")
    check.tensor(name, tensor, dtype="real", nonempty=True, finite=True)  # a NaN would be drawn as a blank cell
    return tensor.to(torch.float64)


def _pair(name: str, value, minimum: int) -> tuple[int, int]:
    return check.sizes(name, value, dims=2, minimum=minimum)


def _check_step(step, shape: tuple[int, int]) -> tuple[int, int]:
    """``step`` as ``(row, col)``: an output cell, or its flat index in row-major order."""
    rows, cols = shape
    if isinstance(step, (int, np.integer)) and not isinstance(step, bool):
        if not 0 <= step < rows * cols:
            raise ValueError(f"step {step} is outside the {rows}×{cols} output; "
                             f"a flat step runs from 0 to {rows * cols - 1}")
        return int(step) // cols, int(step) % cols
    if (not isinstance(step, (tuple, list)) or len(step) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in step)):
        raise TypeError(f"step must be (row, col) of an output cell, or its flat index, "
                        f"got {check.describe(step)}")
    r, c = int(step[0]), int(step[1])
    if not (0 <= r < rows and 0 <= c < cols):
        raise ValueError(f"step {tuple(step)} is outside the {rows}×{cols} output; "
                         f"rows run from 0 to {rows - 1} and columns from 0 to {cols - 1}")
    return r, c


def _check_size(scene: ConvScene, name: str, animated: bool) -> None:
    """Refuse scenes too large to draw (or animate) in reasonable time, before drawing anything."""
    (h, w), (gh, gw), (oh, ow) = scene.input_shape, scene.grid_kind.shape, scene.output_shape
    crop = f"draw a corner instead, e.g. {name}[:8, :8]"
    sizes = f"{name} is {h}×{w}"
    if scene.kernel_values is not None and max(h, w) <= MAX_CELLS:  # a small x: the weight makes it large
        sizes += f" and weight {scene.kernel_size[0]}×{scene.kernel_size[1]}"
    if max(gh, gw, oh, ow) > MAX_CELLS:
        raise ValueError(f"{sizes}, too large to draw: the diagram would have a {gh}×{gw} "
                         f"input grid (padding included) and a {oh}×{ow} output, with one number "
                         f"per cell, and it draws at most {MAX_CELLS} cells per side; {crop}")
    if animated and oh * ow > MAX_FRAMES:
        raise ValueError(f"{name} is {h}×{w}, too large to animate: its {oh}×{ow} output needs "
                         f"{oh * ow} frames, and an animation renders at most {MAX_FRAMES} "
                         f"(an 8×8 output); {crop}, or draw single steps with draw_scene")


def _below_int32(x: torch.Tensor, **pairs: tuple[int, int]) -> None:
    """PyTorch's pooling and transposed convolution take sizes below 2**31 (32-bit ints) only."""
    for name, pair in pairs.items():
        if max(pair) >= 2**31:
            raise ValueError(f"{name}={_fmt(pair)} is beyond what PyTorch takes here (below 2**31); the input "
                             f"is only {x.shape[0]}×{x.shape[1]}")


class _naming:
    """Prefix the ValueError of an output-size formula with the call it is about: the learner passed
    ``x`` and ``weight``, while :mod:`course_utils.arithmetic` speaks of ``i`` and ``k``."""

    def __init__(self, call: str):
        self.call = call

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is ValueError:
            raise ValueError(f"{self.call}: {error}") from None
        return False


def _fmt(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ----------------------------------------------------------------------------
# Scenes: what to draw, computed by PyTorch
# ----------------------------------------------------------------------------


def _pad_grid(x: torch.Tensor, pads: tuple[int, int, int, int], fill: float):
    """Pad ``x`` by (top, bottom, left, right); return values and cell kinds."""
    top, bottom, left, right = pads
    values = F.pad(x[None, None], (left, right, top, bottom), value=fill)[0, 0]
    kind = F.pad(torch.zeros_like(x)[None, None], (left, right, top, bottom), value=1.0)[0, 0]
    return values.numpy(), kind.numpy().astype(int)  # 0 → INPUT, 1 → PADDING


def _conv_padding(padding, kernel, dilation):
    """``(pads, padding for torch, label for the title, short label)`` of a convolution's padding.

    ``pads`` is (top, bottom, left, right); ``'same'`` pads as torch does, the
    smaller half at the top/left.
    """
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
        if padding == "valid":
            pads = (0, 0, 0, 0)
        else:
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            pads = (total[0] // 2, total[0] - total[0] // 2, total[1] // 2, total[1] - total[1] // 2)
        label = f"padding='{padding}'"
        if padding == "same" and (pads[0] != pads[1] or pads[2] != pads[3]):
            label += f" (top {pads[0]}, bottom {pads[1]}, left {pads[2]}, right {pads[3]})"
        return pads, padding, label, f"padding='{padding}'"
    padding = _pair("padding", padding, 0)
    label = f"padding {_fmt(padding)}"
    return (padding[0], padding[0], padding[1], padding[1]), padding, label, label


def conv_scene(x, weight, stride: IntPair = 1, padding: IntPair | str = 0,
               dilation: IntPair = 1) -> ConvScene:
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
    x, weight = _plane("x", x), _plane("weight", weight)
    stride, dilation = _pair("stride", stride, 1), _pair("dilation", dilation, 1)
    kernel = tuple(weight.shape)
    pads, torch_padding, label, short = _conv_padding(padding, kernel, dilation)
    with _naming(f"x {tuple(x.shape)} with weight {kernel}"):
        arithmetic.conv_output_size(tuple(x.shape), kernel, stride, torch_padding, dilation)
    check.fits_in_memory("padding", padding, (x.shape[0] + pads[0] + pads[1]) * (x.shape[1] + pads[2] + pads[3]),
                         "the padded input", 8)
    with torch.no_grad(), _quiet_same_padding_warning():
        output = F.conv2d(x[None, None], weight[None, None], stride=stride, padding=torch_padding,
                          dilation=dilation)[0, 0]
    values, kind = _pad_grid(x, pads, 0.0)
    h, w = x.shape
    title = (f"conv2d: input {h}×{w}, kernel {kernel[0]}×{kernel[1]}, stride {_fmt(stride)}, "
             f"{label}, dilation {_fmt(dilation)}")
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


def _stretched_grid(x, weight, stride, output_padding, dilation, equivalent):
    """The input a transposed convolution is the direct convolution of: stretched, then padded.

    Returns the grid's values and cell kinds, the flipped kernel, and ``F.conv2d`` of the
    grid with it (which must equal the transposed convolution's output).
    """
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
    return values, kind, flipped, direct


def _transposed_labels(shape, kernel, stride, padding, output_padding, dilation, equivalent):
    h, w = shape
    title = (f"conv_transpose2d: input {h}×{w}, kernel {kernel[0]}×{kernel[1]}, stride "
             f"{_fmt(stride)}, padding {_fmt(padding)}, output_padding {_fmt(output_padding)}"
             + (f", dilation {_fmt(dilation)}" if dilation != (1, 1) else ""))
    label = f"input {h}×{w}" + (f", stretched by {_fmt(stride)}" if stride != (1, 1) else "")
    label += f"\npadded p′={_fmt(equivalent)}"
    if output_padding != (0, 0):
        label += f", +{_fmt(output_padding)} bottom/right"
    return title, label


def conv_transpose_scene(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                         output_padding: IntPair = 0, dilation: IntPair = 1) -> ConvScene:
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
    x, weight = _plane("x", x), _plane("weight", weight)
    stride, padding = _pair("stride", stride, 1), _pair("padding", padding, 0)
    output_padding = _pair("output_padding", output_padding, 0)
    dilation = _pair("dilation", dilation, 1)
    kernel = tuple(weight.shape)
    with _naming(f"x {tuple(x.shape)} with weight {kernel}"):
        arithmetic.conv_transpose_output_size(tuple(x.shape), kernel, stride, padding, output_padding,
                                              dilation)
    _below_int32(x, stride=stride, dilation=dilation)
    stretched = [(n - 1) * s + 1 for n, s in zip(x.shape, stride)]
    check.fits_in_memory("stride", stride, math.prod(stretched), "the stretched input", 8)
    grid = [n + 2 * (d * (k - 1) - p) + a for n, d, k, p, a in zip(stretched, dilation, kernel, padding,
                                                                   output_padding)]
    check.fits_in_memory("dilation", dilation, math.prod(grid), "the padded input", 8)
    equivalent = tuple(d * (k - 1) - p for d, k, p in zip(dilation, kernel, padding))
    if min(equivalent) < 0:
        raise ValueError(
            f"padding {_fmt(padding)} is larger than dilation*(kernel_size-1) = "
            f"{_fmt(tuple(d * (k - 1) for d, k in zip(dilation, kernel)))}, so the equivalent "
            f"direct convolution would crop its input (p' = d(k-1) - p < 0), which this diagram "
            f"cannot draw; use padding <= dilation*(kernel_size-1)")
    with torch.no_grad():
        output = F.conv_transpose2d(x[None, None], weight[None, None], stride=stride,
                                    padding=padding, output_padding=output_padding,
                                    dilation=dilation)[0, 0]
        values, kind, flipped, direct = _stretched_grid(x, weight, stride, output_padding,
                                                        dilation, equivalent)
    if direct.shape != output.shape or not torch.allclose(direct, output, atol=1e-9):
        raise RuntimeError("the equivalent direct convolution disagrees with F.conv_transpose2d; "
                           "please report this")
    title, label = _transposed_labels(tuple(x.shape), kernel, stride, padding, output_padding,
                                      dilation, equivalent)
    return ConvScene("conv_transpose", kind, values, kernel, (1, 1), dilation, flipped.numpy(),
                     output.numpy(), tuple(x.shape), title, label,
                     extra={"equivalent_padding": equivalent, "stride": stride,
                            "padding": padding, "output_padding": output_padding})


def _pool(x, mode, kernel, stride, padding, dilation, ceil_mode, count_include_pad):
    """PyTorch's pooling of ``x``, and for max pooling the grid cell each output picked."""
    with torch.no_grad():
        if mode == "avg":
            return F.avg_pool2d(x[None, None], kernel, stride, padding, ceil_mode=ceil_mode,
                                count_include_pad=count_include_pad)[0, 0], None
        output, index = F.max_pool2d(x[None, None], kernel, stride, padding, dilation,
                                     ceil_mode=ceil_mode, return_indices=True)
    index, width = index[0, 0].numpy(), x.shape[1]
    return output[0, 0], np.stack([index // width + padding[0], index % width + padding[1]], axis=-1)


def _pool_grid(x, output_shape, mode, kernel, stride, padding, dilation):
    """The padded input; with ``ceil_mode`` the last window may hang past it: those cells too."""
    fill = -math.inf if mode == "max" else 0.0
    values, kind = _pad_grid(x, (padding[0], padding[0], padding[1], padding[1]), fill)
    need = [(o - 1) * s + d * (k - 1) + 1
            for o, s, d, k in zip(output_shape, stride, dilation, kernel)]
    extra = [max(0, n - g) for n, g in zip(need, values.shape)]
    if any(extra):
        values = np.pad(values, ((0, extra[0]), (0, extra[1])), constant_values=np.nan)
        kind = np.pad(kind, ((0, extra[0]), (0, extra[1])), constant_values=OUTSIDE)
    return values, kind


def pool_scene(x, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
               dilation: IntPair = 1, ceil_mode: bool = False, mode: str = "max",
               count_include_pad: bool = True) -> ConvScene:
    """Compute what :func:`draw_pool_step` draws, with ``F.max_pool2d`` or ``F.avg_pool2d``.

    ``stride=None`` means ``stride = kernel_size``, as in PyTorch. Max pooling pads
    with ``-inf`` and reports which pixel won (``return_indices=True``); average
    pooling pads with zeros and has no dilation.

    Shape:
        - x: :math:`(H, W)`
        - scene.output: :math:`(H_{out}, W_{out})`
    """
    check.one_of("mode", mode, ("max", "avg"))
    check.boolean("ceil_mode", ceil_mode)
    check.boolean("count_include_pad", count_include_pad)
    x = _plane("x", x)
    kernel = _pair("kernel_size", kernel_size, 1)
    stride = kernel if stride is None else _pair("stride", stride, 1)
    padding, dilation = _pair("padding", padding, 0), _pair("dilation", dilation, 1)
    if mode == "avg" and dilation != (1, 1):
        raise ValueError(f"dilation must be 1: average pooling has no dilation (F.avg_pool2d), "
                         f"got {_fmt(dilation)}; use mode='max' or dilation=1")
    with _naming(f"x {tuple(x.shape)} with kernel_size {_fmt(kernel)}"):
        arithmetic.pool_output_size(tuple(x.shape), kernel, stride, padding, dilation, ceil_mode)
    _below_int32(x, stride=stride)
    output, argmax = _pool(x, mode, kernel, stride, padding, dilation, ceil_mode, count_include_pad)
    values, kind = _pool_grid(x, output.shape, mode, kernel, stride, padding, dilation)
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


def _cells(scene: ConvScene, label: str | None = None) -> tuple[float, float]:
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


def _figure_size(scene: ConvScene) -> tuple[float, float]:
    width, height = _cells(scene)
    text = _text_height(2, _TITLE_PT) + _text_height(1, _EQUATION_PT)
    cell = min(0.42, (_MAX_SIZE[0] - 0.2) / width, (_MAX_SIZE[1] - text) / height)
    fig_width = round(max(_MIN_WIDTH, width * cell + 0.2), 2)
    text = (_text_height(_title_lines(scene, fig_width), _TITLE_PT)
            + _text_height(1, _EQUATION_PT))
    return fig_width, round(height * cell + text, 2)


@dataclass
class _Layout:
    """Where the grids of one diagram go (in cells) and how large its numbers are (in points)."""

    input_x: float
    input_y: float
    output_x: float
    output_y: float
    big: float  # the numbers in the cells
    small: float  # the kernel's weights
    input_label: str
    unused: np.ndarray


def _layout(ax, scene: ConvScene) -> _Layout:
    """Clear ``ax``, set its limits in cells, and place the input and output grids."""
    ax.clear()
    ax.set_axis_off()
    (gh, gw), (oh, _ow) = scene.grid_kind.shape, scene.output_shape
    rows = max(gh, oh)
    unused = scene.unused
    input_label = _input_label(scene, unused)
    top = _label_cells(input_label)
    width, height = _cells(scene, input_label)
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # rows grow downwards, like a matrix
    ax.set_aspect("equal", anchor="C")
    # font sizes follow the size of a cell on the page
    fig, box = ax.figure, ax.get_position()
    cell_points = 72 * min(box.width * fig.get_figwidth() / width,
                           box.height * fig.get_figheight() / height)
    big = max(5.0, min(11.0, cell_points * 0.42))
    return _Layout(0.1, top + (rows - gh) / 2, 0.1 + gw + _GAP, top + (rows - oh) / 2,
                   big, max(4.0, big * 0.62), input_label, unused)


def _add(ax, patches, gid: str) -> None:
    from matplotlib.collections import PatchCollection

    ax.add_collection(PatchCollection(patches, match_original=True, gid=gid), autolim=False)


_STYLES = {
    INPUT: dict(facecolor=COLORS["input"], edgecolor=COLORS["input_edge"], linestyle="-"),
    PADDING: dict(facecolor=COLORS["padding"], edgecolor=COLORS["padding_edge"], linestyle="--"),
    STRETCH: dict(facecolor=COLORS["stretch"], edgecolor=COLORS["input_edge"], linestyle=":"),
    OUTSIDE: dict(facecolor=COLORS["outside"], edgecolor=COLORS["padding_edge"], linestyle=":"),
}


def _draw_grid(ax, scene: ConvScene, at: _Layout, show_values: bool) -> None:
    """The input grid (gid ``"input-cells"``), cells no window reaches hatched (``"unused"``)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    cells = []
    gh, gw = scene.grid_kind.shape
    for r in range(gh):
        for c in range(gw):
            kind = int(scene.grid_kind[r, c])
            cells.append(Rectangle((at.input_x + c, at.input_y + r), 1, 1, linewidth=0.8,
                                   **_STYLES[kind]))
            if show_values and kind != OUTSIDE:
                ax.text(at.input_x + c + 0.5, at.input_y + r + 0.5,
                        _number(scene.grid_values[r, c]), ha="center", va="center",
                        fontsize=at.big,
                        color=COLORS["text"] if kind == INPUT else COLORS["padding_edge"])
    _add(ax, cells, "input-cells")
    if at.unused.any():  # e.g. the last row of an odd input with stride 2
        ax.add_collection(PatchCollection(
            [Rectangle((at.input_x + c, at.input_y + r), 1, 1) for r, c in zip(*np.nonzero(at.unused))],
            facecolor="none", edgecolor=COLORS["unused"], hatch="////", linewidth=0,
            gid="unused"), autolim=False)


def _draw_window(ax, scene: ConvScene, at: _Layout, step, show_values: bool) -> None:
    """The window of ``step`` (gid ``"window"``): shaded cells, kernel weights in small print."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    shade = to_rgba(COLORS["window"], 0.35)
    window = []
    for n, (r, c) in enumerate(scene.window(step)):
        x, y = at.input_x + c, at.input_y + r
        window.append(Rectangle((x, y), 1, 1, facecolor=shade, linewidth=1.8,
                                edgecolor=COLORS["window_edge"]))
        if show_values and scene.kernel_values is not None:
            a, b = divmod(n, scene.kernel_size[1])
            ax.text(x + 0.94, y + 0.94, _number(scene.kernel_values[a, b]), ha="right",
                    va="bottom", fontsize=at.small, color=COLORS["kernel_text"], fontweight="bold")
    if scene.argmax is not None:
        r, c = scene.argmax[step]
        window.append(Rectangle((at.input_x + c + 0.07, at.input_y + r + 0.07), 0.86, 0.86,
                                facecolor="none", edgecolor=COLORS["argmax"], linewidth=2.2))
    _add(ax, window, "window")


def _draw_output(ax, scene: ConvScene, at: _Layout, step, show_values: bool,
                 progressive: bool) -> None:
    """The output grid (gid ``"output-cells"``), the cell of ``step`` highlighted."""
    from matplotlib.patches import Rectangle

    oh, ow = scene.output_shape
    flat_step = step[0] * ow + step[1]
    cells = []
    for r in range(oh):
        for c in range(ow):
            done = not progressive or r * ow + c <= flat_step
            current = (r, c) == tuple(step)
            face = COLORS["current"] if current else COLORS["output" if done else "output_todo"]
            edge = COLORS["window_edge"] if current else COLORS["output_edge"]
            cells.append(Rectangle((at.output_x + c, at.output_y + r), 1, 1, facecolor=face,
                                   edgecolor=edge, linewidth=2.0 if current else 0.8))
            if show_values and done:
                ax.text(at.output_x + c + 0.5, at.output_y + r + 0.5, _number(scene.output[r, c]),
                        ha="center", va="center", fontsize=at.big,
                        color="white" if current else COLORS["text"],
                        fontweight="bold" if current else "normal")
    # the current cell last, so its thick edge is not hidden by its neighbours'
    cells.append(cells.pop(flat_step))
    _add(ax, cells, "output-cells")


def _draw_captions(ax, scene: ConvScene, at: _Layout, step, show_values: bool) -> None:
    """The grids' captions, the call as a title above, this step's result below."""
    (_gh, gw), (oh, ow) = scene.grid_kind.shape, scene.output_shape
    ax.text(at.input_x + gw / 2, at.input_y - 0.25, at.input_label, ha="center", va="bottom",
            fontsize=_LABEL_PT, linespacing=1.1)
    ax.text(at.output_x + ow / 2, at.output_y - 0.25, f"output {oh}×{ow}", ha="center",
            va="bottom", fontsize=_LABEL_PT)
    ax.text(0.5, 1.0, _wrap_title(scene.title, ax.figure.get_figwidth()), transform=ax.transAxes,
            ha="center", va="bottom", fontsize=_TITLE_PT, fontweight="bold", linespacing=1.15)
    ax.text(0.5, 0.0, _equation(scene, step, show_values), transform=ax.transAxes,
            ha="center", va="top", fontsize=_EQUATION_PT)


def _draw_scene(ax, scene: ConvScene, step: tuple[int, int], show_values: bool,
                progressive: bool = False) -> None:
    """Draw ``scene`` at output position ``step`` into ``ax`` (which is cleared first).

    Cells are drawn as a few ``PatchCollection``s (gids ``"input-cells"``,
    ``"window"``, ``"output-cells"``), which keeps an animation frame cheap.
    """
    at = _layout(ax, scene)
    _draw_grid(ax, scene, at, show_values)
    _draw_window(ax, scene, at, step, show_values)
    _draw_output(ax, scene, at, step, show_values, progressive)
    _draw_captions(ax, scene, at, step, show_values)


def _equation(scene: ConvScene, step: tuple[int, int], show_values: bool = True) -> str:
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


def _figsize(figsize) -> tuple[float, float]:
    """A figure size given by the caller: ``(width, height)`` in inches, both positive, drawable."""
    import matplotlib

    return check.figure_size("figsize", figsize, matplotlib.rcParams["figure.dpi"])


def _new_figure(scene: ConvScene, figsize):
    import matplotlib.pyplot as plt

    if figsize is None:
        width, height = _figure_size(scene)
    else:
        width, height = _figsize(figsize)
    fig = plt.figure(figsize=(width, height))
    bottom = _text_height(1, _EQUATION_PT) / height
    top = _text_height(_title_lines(scene, width), _TITLE_PT) / height
    return fig, fig.add_axes([0.01, bottom, 0.98, 1 - bottom - top])


def _draw_step(scene: ConvScene, step, show_values, ax, figsize, progressive, name: str):
    """Check the drawing's arguments, then draw one step into ``ax`` or a new figure."""
    step = _check_step(step, scene.output_shape)
    check.boolean("show_values", show_values)
    check.boolean("progressive", progressive)
    _check_size(scene, name, animated=False)
    if ax is None:
        fig, ax = _new_figure(scene, figsize)
    else:
        from matplotlib.axes import Axes

        fig = check.instance("ax", ax, Axes, "a matplotlib Axes or None").figure
    _draw_scene(ax, scene, step, show_values, progressive)
    fig.conv_scene = scene  # lets tests and notebooks read what was drawn
    return fig


_SCENE = "a ConvScene (from conv_scene, conv_transpose_scene or pool_scene)"


def draw_scene(scene: ConvScene, step=(0, 0), show_values: bool = True, ax=None, *,
               figsize=None, progressive: bool = False):
    """Draw one step of a scene computed by :func:`conv_scene`, :func:`conv_transpose_scene`
    or :func:`pool_scene` (what every ``draw_*_step`` does after computing its scene).

    Args:
        scene: the :class:`ConvScene` to draw.
        step, show_values, ax, figsize, progressive: as in :func:`draw_conv_step`.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.conv_scene`` is ``scene``.

    Raises:
        ValueError: if ``step`` is outside the output, or the scene has more than
            :data:`MAX_CELLS` cells per side.
    """
    check.instance("scene", scene, ConvScene, _SCENE)
    return _draw_step(scene, step, show_values, ax, figsize, progressive, name="the scene's input")


def draw_conv_step(x, weight, stride: IntPair = 1, padding: IntPair | str = 0,
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
    scene = conv_scene(x, weight, stride, padding, dilation)
    return _draw_step(scene, step, show_values, ax, figsize, progressive, name="x")


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
    scene = conv_transpose_scene(x, weight, stride, padding, output_padding, dilation)
    return _draw_step(scene, step, show_values, ax, figsize, progressive, name="x")


def draw_pool_step(x, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
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
                       count_include_pad)
    return _draw_step(scene, step, show_values, ax, figsize, progressive, name="x")


# ----------------------------------------------------------------------------
# Animations
# ----------------------------------------------------------------------------


def _animation(scene: ConvScene, show_values, interval, figsize, name: str):
    """Check the animation's arguments, then make one frame per output cell."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    check.boolean("show_values", show_values)
    interval = check.integer("interval", interval, minimum=1, what="a whole number of milliseconds")
    _check_size(scene, name, animated=True)
    steps = scene.steps
    fig, ax = _new_figure(scene, figsize)
    fig.conv_scene = scene

    def frame(n):
        _draw_scene(ax, scene, steps[n], show_values, progressive=True)
        return []

    frame(0)
    animation = FuncAnimation(fig, frame, frames=len(steps), interval=interval,
                              blit=False, repeat=True)
    animation.conv_scene = scene
    animation.frame_interval = interval  # milliseconds, read by save_gif
    # the first frame is drawn; no "Animation was deleted without rendering" warning
    animation._draw_was_started = True
    # pyplot would otherwise also show the last frame as a still image in a notebook; so the
    # figure is already closed when the animation is returned: no plt.close needed afterwards
    plt.close(fig)
    return animation


def animate_scene(scene: ConvScene, show_values: bool = True, interval: int = 700, *,
                  figsize=None):
    """Animate every step of a scene from :func:`conv_scene`, :func:`conv_transpose_scene`
    or :func:`pool_scene` (what every ``animate_*`` does after computing its scene).

    Args:
        scene: the :class:`ConvScene` to animate; one frame per output cell, row by row.
        show_values: write the numbers in the cells.
        interval: milliseconds per frame.
        figsize: as in :func:`draw_conv_step`.

    Returns:
        A :class:`matplotlib.animation.FuncAnimation` whose figure is already closed
        (nothing is shown twice, nothing to close); ``anim.conv_scene`` is ``scene``.

    Raises:
        ValueError: if the output has more than :data:`MAX_FRAMES` cells or the scene
            more than :data:`MAX_CELLS` cells per side.
    """
    check.instance("scene", scene, ConvScene, _SCENE)
    return _animation(scene, show_values, interval, figsize, name="the scene's input")


def animate_conv(x, weight, stride: IntPair = 1, padding: IntPair | str = 0,
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
    scene = conv_scene(x, weight, stride, padding, dilation)
    return _animation(scene, show_values, interval, figsize, name="x")


def animate_conv_transpose(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                           output_padding: IntPair = 0, dilation: IntPair = 1,
                           show_values: bool = True, interval: int = 700, *, figsize=None):
    """Animate every step of ``F.conv_transpose2d`` drawn as a direct convolution.

    Arguments as in :func:`draw_conv_transpose_step`; one frame per output cell.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`; :math:`H_{out} W_{out}` frames.
    """
    scene = conv_transpose_scene(x, weight, stride, padding, output_padding, dilation)
    return _animation(scene, show_values, interval, figsize, name="x")


def animate_pool(x, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
                 dilation: IntPair = 1, ceil_mode: bool = False, mode: str = "max",
                 count_include_pad: bool = True, show_values: bool = True, interval: int = 700,
                 *, figsize=None):
    """Animate every step of max or average pooling (arguments as in :func:`draw_pool_step`).

    Shape:
        - x: :math:`(H, W)`; :math:`H_{out} W_{out}` frames.
    """
    scene = pool_scene(x, kernel_size, stride, padding, dilation, ceil_mode, mode,
                       count_include_pad)
    return _animation(scene, show_values, interval, figsize, name="x")


def save_gif(animation, path, dpi: int = 72, fps: float | None = None) -> None:
    """Write ``animation`` to ``path`` as a looping GIF, with Pillow.

    The file depends only on the frames (no timestamps), so regenerating it gives the
    same bytes with the same matplotlib and Pillow versions.

    Args:
        animation: a :class:`~matplotlib.animation.FuncAnimation` from ``animate_*``.
        path: where to write; should end in ``.gif``.
        dpi: resolution of the frames. Default: 72.
        fps: frames per second; by default ``1000 / interval`` of the animation.
    """
    from matplotlib.animation import Animation, PillowWriter

    check.instance("animation", animation, Animation, _ANIMATION)
    check.instance("path", path, (str, Path), "a file path (str or Path) ending in '.gif'")
    if not str(path).endswith(".gif"):
        raise ValueError(f"path must end in '.gif', got {check.describe(path)}")
    dpi = check.image_dpi("dpi", dpi, animation._fig.get_size_inches())
    if fps is None:
        interval = getattr(animation, "frame_interval", None) or animation.event_source.interval
        fps = 1000.0 / interval
    fps = check.number("fps", fps, minimum=0, exclusive_minimum=True)
    animation.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)


_ANIMATION = "a matplotlib Animation (from animate_conv, animate_conv_transpose or animate_pool)"

_ICONS = {  # font-awesome icons of matplotlib's player, as characters every font has
    "fa fa-minus": "−", "fa fa-fast-backward": "«", "fa fa-step-backward": "‹",
    "fa fa-play fa-flip-horizontal": "◀", "fa fa-pause": "||", "fa fa-play": "▶",
    "fa fa-step-forward": "›", "fa fa-fast-forward": "»", "fa fa-plus": "+",
}


def animation_html(animation, default_mode: str = "loop", dpi: int = 72):
    """An inline HTML/JavaScript player for ``animation`` (``anim.to_jshtml()``), offline.

    matplotlib's player loads its button icons from a CDN; here they are replaced by
    plain characters so the player also works without internet, and drawn at 18 px so
    they can be read on a slide.

    Its output holds random element ids, so a notebook cell showing it needs
    ``# NBVAL_IGNORE_OUTPUT``. The frames are PNGs embedded in the notebook: keep
    animations short and ``dpi`` low.

    Returns:
        An :class:`IPython.display.HTML` object.
    """
    from IPython.display import HTML
    from matplotlib.animation import Animation

    check.instance("animation", animation, Animation, _ANIMATION)
    check.one_of("default_mode", default_mode, ("once", "loop", "reflect"))
    dpi = check.image_dpi("dpi", dpi, animation._fig.get_size_inches())
    import matplotlib

    with matplotlib.rc_context({"savefig.dpi": dpi}):
        html = animation.to_jshtml(default_mode=default_mode)
    start = html.find("<link rel=\"stylesheet\"")
    if start != -1:
        html = html[:start] + html[html.index(">", start) + 1:]
    for icon, char in _ICONS.items():
        html = html.replace(f'<i class="{icon}"></i>', char)
    # a browser draws button labels at ~13 px by default: too small to read on a slide
    html = html.replace(".anim-buttons button {", ".anim-buttons button {\n    font-size: 18px;", 1)
    return HTML(html)


# ----------------------------------------------------------------------------
# Receptive fields: what one output unit of a stack of convolutions sees
# ----------------------------------------------------------------------------


@dataclass
class ReceptiveFieldScene:
    """One output unit's receptive field in every map of a stack of convolutions.

    Measured with autograd: every convolution has one channel, all weights 1 and no
    bias, so ``maps[l][r, c]``, the gradient of the output unit with respect to position
    ``(r, c)`` of map ``l``, counts the paths from that position to the unit. It is
    nonzero exactly on the unit's receptive field in that map.

    Attributes:
        kernel_sizes, strides, dilations, paddings: one int per layer; each layer pads
            ``dilation*(kernel_size-1)//2`` so that stride-1 layers keep the size.
        maps: ``L+1`` float arrays, ``maps[0]`` the input and ``maps[L]`` the output
            (one-hot at ``unit``).
        unit: ``(row, col)`` of the output unit, the centre of the last map.
    """

    kernel_sizes: tuple[int, ...]
    strides: tuple[int, ...]
    dilations: tuple[int, ...]
    paddings: tuple[int, ...]
    maps: list
    unit: tuple[int, int]

    @property
    def fields(self) -> list:
        """``(height, width)`` of the receptive field in each map: first to last nonzero row/column, plus one."""
        sides = []
        for m in self.maps:
            rows, cols = np.nonzero(m.any(axis=1))[0], np.nonzero(m.any(axis=0))[0]
            sides.append((int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)))
        return sides

    @property
    def input_field(self) -> int:
        """The side of the receptive field in the network's input (its height)."""
        return self.fields[0][0]


def _stack_sizes(size: int, kernels, strides, dilations, paddings) -> list:
    sizes = [size]
    for k, s, d, p in zip(kernels, strides, dilations, paddings):
        sizes.append(arithmetic.conv_output_size(sizes[-1], k, s, p, d))
    return sizes


def receptive_field_scene(kernel_sizes, strides=1, dilations=1, size: int | None = None
                          ) -> ReceptiveFieldScene:
    """Measure, with autograd, which positions of every map reach the centre output unit.

    Args:
        kernel_sizes: one kernel size per layer, first layer first (e.g. ``[3, 3, 3]``).
        strides: one stride per layer, or an int for every layer. Default: 1.
        dilations: one dilation per layer, or an int for every layer. Default: 1.
        size: side of the square input. Default: the smallest input, at least the
            receptive field of :func:`course_utils.arithmetic.receptive_field` plus one
            pixel on each side, in which the field lies whole (not cut by padding).

    Raises:
        ValueError: if a layer's kernel does not fit its input, or the input would need
            more than :data:`MAX_CELLS` cells per side.

    Shape:
        - ``maps[l]``: :math:`(H_l, H_l)`, the size of layer ``l``'s input
          (``maps[0]`` is :math:`(size, size)`)
    """
    kernels = check.per_layer("kernel_sizes", kernel_sizes)
    strides = check.per_layer("strides", strides, layers=len(kernels))
    dilations = check.per_layer("dilations", dilations, layers=len(kernels))
    paddings = tuple(d * (k - 1) // 2 for k, d in zip(kernels, dilations))
    layers = (kernels, strides, dilations, paddings)
    if size is not None:
        size = check.positive_int("size", size, maximum=MAX_CELLS)
        _stack_sizes(size, *layers)  # a kernel that does not fit: ValueError
        return _measure_field(size, *layers)
    r = arithmetic.receptive_field(kernels, strides, dilations)
    for size in range(r + 2, MAX_CELLS + 1):  # the smallest input where the field is not cut by padding
        try:
            scene = _measure_field(size, *layers)
        except ValueError:  # a kernel does not fit yet
            continue
        if scene.input_field == r and min(_field_box(scene.maps[0])) > 0 and \
                max(_field_box(scene.maps[0])) < size:
            return scene
    raise ValueError(f"kernel_sizes {list(kernels)} with strides {list(strides)} and dilations "
                     f"{list(dilations)} see {r}×{r} input pixels, too many to draw with at most "
                     f"{MAX_CELLS} cells per side; draw fewer or smaller layers")


def _measure_field(size: int, kernels, strides, dilations, paddings) -> ReceptiveFieldScene:
    """The gradient of the centre output unit with respect to every map, all weights 1."""
    _stack_sizes(size, kernels, strides, dilations, paddings)
    x = torch.zeros(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    maps = [x]
    for k, s, d, p in zip(kernels, strides, dilations, paddings):
        ones = torch.ones(1, 1, k, k, dtype=torch.float64)
        maps.append(F.conv2d(maps[-1], ones, stride=s, padding=p, dilation=d))
    out = maps[-1][0, 0]
    unit = (out.shape[0] // 2, out.shape[1] // 2)
    grads = torch.autograd.grad(out[unit], maps[:-1])
    onehot = np.zeros(tuple(out.shape))
    onehot[unit] = 1.0
    arrays = [g[0, 0].numpy() for g in grads] + [onehot]
    return ReceptiveFieldScene(kernels, strides, dilations, paddings, arrays, unit)


def _shade(fraction: float, base: str) -> tuple:
    """``base`` mixed with white: 0 gives white, 1 gives ``base``."""
    from matplotlib.colors import to_rgb

    return tuple(1 - fraction * (1 - c) for c in to_rgb(base))


def _field_box(m: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(m.any(axis=1))[0], np.nonzero(m.any(axis=0))[0]
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _layer_label(scene: ReceptiveFieldScene, layer: int) -> str:
    if layer == 0:
        return "input"
    k, s, d = (scene.kernel_sizes[layer - 1], scene.strides[layer - 1], scene.dilations[layer - 1])
    extra = (f", stride {s}" if s != 1 else "") + (f", dilation {d}" if d != 1 else "")
    return f"after conv {layer}\n({k}×{k}{extra})"


def _draw_map(ax, m: np.ndarray, x0: float, y0: float, output: bool, show_counts: bool,
              fontsize: float) -> None:
    """One map: cells shaded by their path count, the field outlined."""
    from matplotlib.patches import Rectangle

    top = m.max()
    cells = []
    for (r, c), value in np.ndenumerate(m):
        face = COLORS["current"] if output and value else _shade(0.15 + 0.85 * value / top, COLORS["input"]) \
            if value else "white"
        cells.append(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=face, linewidth=0.6,
                               edgecolor=COLORS["input_edge"] if value else "#c8c8c8"))
        if show_counts and value:
            ax.text(x0 + c + 0.5, y0 + r + 0.5, _number(value), ha="center", va="center",
                    fontsize=fontsize, color="white" if output else COLORS["text"])
    _add(ax, cells, "map-cells")
    r0, r1, c0, c1 = _field_box(m)
    _add(ax, [Rectangle((x0 + c0, y0 + r0), c1 - c0, r1 - r0, facecolor="none", linewidth=2.0,
                        edgecolor=COLORS["window_edge"])], "field")


_MAP_GAP = 2.5  # cells between two maps of a receptive-field figure


def _map_positions(scene: ReceptiveFieldScene) -> tuple[list, float, float]:
    """Left edge and top of each map (in cells), and the drawing's width and height."""
    sides = [m.shape[0] for m in scene.maps]
    tallest, top = max(sides), 1.4  # room for two lines of caption above
    lefts, x = [], 0.1
    for side in sides:
        lefts.append((x, top + (tallest - side) / 2))
        x += side + _MAP_GAP
    return lefts, x - _MAP_GAP + 0.1, top + tallest + 0.9


def _draw_cone(ax, scene: ReceptiveFieldScene, positions: list) -> None:
    """Thin lines from each map's field to the field it feeds in the next map."""
    for layer in range(len(scene.maps) - 1):
        (xa, ya), (xb, yb) = positions[layer], positions[layer + 1]
        ra0, ra1, _, ca1 = _field_box(scene.maps[layer])
        rb0, rb1, cb0, _ = _field_box(scene.maps[layer + 1])
        for ra, rb in ((ra0, rb0), (ra1, rb1)):
            ax.plot([xa + ca1, xb + cb0], [ya + ra, yb + rb], color=COLORS["window_edge"],
                    linewidth=0.8, linestyle="--")


def draw_receptive_field(kernel_sizes, strides=1, dilations=1, size: int | None = None,
                         show_counts: bool = False, ax=None, *, figsize=None):
    r"""Draw the receptive field of one output unit in every map of a stack of convolutions.

    Maps go from the input (left) to the output (right); the unit is dark cyan; in each
    map the cells that reach it are blue, darker where more paths lead to the unit, and
    outlined. Everything is measured with autograd (:func:`receptive_field_scene`).

    Args:
        kernel_sizes, strides, dilations, size: as in :func:`receptive_field_scene`.
        show_counts: write each cell's number of paths to the unit.
        ax: draw into this Axes instead of a new figure.
        figsize: size of a new figure in inches; chosen from the map sizes if ``None``.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.receptive_field_scene`` holds the maps drawn.

    Shape:
        - the input map: :math:`(size, size)`; the field there is
          :math:`r \times r` with :math:`r` = ``arithmetic.receptive_field(kernel_sizes, strides, dilations)``
    """
    scene = receptive_field_scene(kernel_sizes, strides, dilations, size)
    check.boolean("show_counts", show_counts)
    positions, width, height = _map_positions(scene)
    fig, ax = _plain_axes(ax, figsize, width, height, max_size=(8.0, 3.4))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    cell_points = 72 * ax.get_position().width * fig.get_figwidth() / width
    fontsize = max(5.0, min(10.0, cell_points * 0.4))
    last = len(scene.maps) - 1
    for layer, (m, (x0, y0)) in enumerate(zip(scene.maps, positions)):
        _draw_map(ax, m, x0, y0, layer == last, show_counts, fontsize)
        side = m.shape[0]
        ax.text(x0 + side / 2, y0 - 0.2, _layer_label(scene, layer) if layer else f"input {side}×{side}",
                ha="center", va="bottom", fontsize=_LABEL_PT, linespacing=1.1)
        h, w = scene.fields[layer]
        ax.text(x0 + side / 2, y0 + side + 0.2, "1 unit" if layer == last else f"field {h}×{w}",
                ha="center", va="top", fontsize=_LABEL_PT, fontweight="bold")
    _draw_cone(ax, scene, positions)
    r = scene.input_field
    ax.set_title(f"one output unit sees {r}×{r} input pixels", fontsize=_TITLE_PT, fontweight="bold")
    fig.receptive_field_scene = scene
    return fig


def _plain_axes(ax, figsize, width: float, height: float, max_size: tuple[float, float],
                title_lines: int = 1):
    """``ax`` (checked), or a new figure sized for a ``width`` × ``height`` cell drawing,
    with room for a title of ``title_lines`` lines above the axes."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is not None:
        ax = check.instance("ax", ax, Axes, "a matplotlib Axes or None")
        fig = ax.figure
    else:
        room = _text_height(title_lines, _TITLE_PT) + 0.06
        if figsize is None:
            cell = min(0.4, max_size[0] / width, (max_size[1] - room) / height)
            figsize = (round(width * cell, 2), round(height * cell + room, 2))
        else:
            figsize = _figsize(figsize)
        fig = plt.figure(figsize=figsize)
        ax = fig.add_axes([0.0, 0.0, 1.0, 1 - room / figsize[1]])
    ax.set_axis_off()
    ax.set_aspect("equal", anchor="C")
    return fig, ax


# ----------------------------------------------------------------------------
# Transposed convolution as scatter: each input pixel stamps a scaled kernel
# ----------------------------------------------------------------------------

#: The most input pixels a scatter diagram draws a stamp for (a 3×3 input).
MAX_STAMPS = 9


@dataclass
class ScatterScene:
    """A transposed convolution computed the scatter way, every number from PyTorch.

    Input pixel ``x[r, c]`` adds ``x[r, c] * weight`` into the output, its top-left
    corner at ``(r*stride, c*stride)`` (with a dilated kernel, its taps ``dilation`` apart);
    where stamps overlap they add up. ``padding`` then crops that many rows and columns
    from each side of the sum (and ``output_padding`` first adds rows and columns of zeros at
    the bottom and right).

    Attributes:
        x, weight: the input ``(H, W)`` and kernel ``(kH, kW)``.
        stride, padding, output_padding, dilation: as given to ``F.conv_transpose2d``, as pairs.
        stamps: ``(H, W, FH, FW)``: ``stamps[r, c]`` is pixel ``(r, c)``'s stamp on the
            uncropped grid, ``F.conv_transpose2d`` of ``x`` with every other pixel zeroed.
        coverage: ``(FH, FW)`` ints: how many stamps reach each cell of that grid.
        full: ``(FH, FW)``, the sum of the stamps.
        output: ``(OH, OW)``, ``F.conv_transpose2d(x, weight, stride, padding, output_padding,
            dilation=dilation)``: ``full`` with ``padding`` cropped from every side.
    """

    x: np.ndarray
    weight: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    stamps: np.ndarray
    coverage: np.ndarray
    full: np.ndarray
    output: np.ndarray

    @property
    def output_shape(self) -> tuple[int, int]:
        return tuple(int(n) for n in self.output.shape)

    @property
    def cropped(self) -> np.ndarray:
        """``(FH, FW)`` bool array: cells of the sum that ``padding`` crops away."""
        keep = np.zeros(self.full.shape, dtype=bool)
        (ph, pw), (fh, fw) = self.padding, self.full.shape
        keep[ph:fh - ph, pw:fw - pw] = True
        return ~keep


def conv_transpose_scatter_scene(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                                 output_padding: IntPair = 0, dilation: IntPair = 1) -> ScatterScene:
    r"""Compute every stamp of ``F.conv_transpose2d(x, weight, ...)`` and check that they add up to it.

    Raises:
        ValueError: for impossible settings (as ``arithmetic.conv_transpose_output_size``
            explains them) and for inputs of more than :data:`MAX_STAMPS` pixels.
        RuntimeError: if the cropped sum of the stamps differs from ``F.conv_transpose2d``
            (which would be a bug here).

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`
        - stamps: :math:`(H, W, F_H, F_W)` with :math:`F_H = (H-1)s + d(k_H-1) + 1 + \text{output\_padding}`
        - output: :math:`(F_H - 2p, F_W - 2p)`
    """
    x, weight = _plane("x", x), _plane("weight", weight)
    stride, padding = _pair("stride", stride, 1), _pair("padding", padding, 0)
    output_padding, dilation = _pair("output_padding", output_padding, 0), _pair("dilation", dilation, 1)
    arithmetic.conv_transpose_output_size(tuple(x.shape), tuple(weight.shape), stride, padding,
                                          output_padding, dilation)
    if x.numel() > MAX_STAMPS:
        raise ValueError(f"x is {x.shape[0]}×{x.shape[1]}: a scatter diagram draws one stamp per input "
                         f"pixel, at most {MAX_STAMPS}; draw a corner instead, e.g. x[:3, :3]")
    with torch.no_grad():
        def transposed(inputs, kernel, pad):
            return F.conv_transpose2d(inputs[None, None], kernel[None, None], stride=stride,
                                      padding=pad, output_padding=output_padding, dilation=dilation)[0, 0]

        stamps = torch.stack([torch.stack([transposed(x * _one_hot(x.shape, r, c), weight, 0)
                                           for c in range(x.shape[1])]) for r in range(x.shape[0])])
        coverage = transposed(torch.ones_like(x), torch.ones_like(weight), 0).round().int()
        output = transposed(x, weight, padding)
    full = stamps.sum(dim=(0, 1))
    (ph, pw), (fh, fw) = padding, full.shape
    if not torch.allclose(full[ph:fh - ph, pw:fw - pw], output, atol=1e-9):
        raise RuntimeError("the stamps do not add up to F.conv_transpose2d; please report this")
    return ScatterScene(x.numpy(), weight.numpy(), stride, padding, output_padding, dilation,
                        stamps.numpy(), coverage.numpy(), full.numpy(), output.numpy())


def _one_hot(shape, r: int, c: int) -> torch.Tensor:
    mask = torch.zeros(shape, dtype=torch.float64)
    mask[r, c] = 1.0
    return mask


def _stamp_support(scene: ScatterScene, r: int, c: int) -> set:
    """Grid cells that pixel ``(r, c)``'s stamp covers (the kernel's taps, whatever their values)."""
    (sh, sw), (dh, dw) = scene.stride, scene.dilation
    kh, kw = scene.weight.shape
    return {(r * sh + a * dh, c * sw + b * dw) for a in range(kh) for b in range(kw)}


def _value_grid(ax, values: np.ndarray, x0: float, y0: float, faces, fontsize: float, gid: str,
                edges=None, styles=None, text_colors=None) -> None:
    """A grid of cells at ``(x0, y0)``; ``faces[r][c]`` is a colour, or ``None`` for an empty cell."""
    from matplotlib.patches import Rectangle

    cells = []
    for (r, c), value in np.ndenumerate(values):
        face = faces[r][c]
        edge = edges[r][c] if edges is not None else COLORS["input_edge"]
        style = styles[r][c] if styles is not None else "-"
        cells.append(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=face or "white", linewidth=0.7,
                               edgecolor=edge if face else "#d0d0d0", linestyle=style))
        if face:
            color = text_colors[r][c] if text_colors is not None else COLORS["text"]
            ax.text(x0 + c + 0.5, y0 + r + 0.5, _number(value), ha="center", va="center",
                    fontsize=fontsize, color=color)
    _add(ax, cells, gid)


_PANEL_GAP, _PANEL_LABEL = 1.0, 1.0  # cells between stamp panels; room for a panel's caption


def _scatter_legend(scene: ScatterScene) -> str:
    legend = "darker: stamps\noverlap and add"
    if scene.cropped.any():
        legend += f"\ngrey: cropped by\npadding={_fmt(scene.padding)}"
    return legend


def _scatter_layout(scene: ScatterScene) -> dict:
    """Where the parts of a scatter diagram go, in cells (grids are placed by their top-left corner)."""
    (h, w), (kh, kw), (fh, fw) = scene.x.shape, scene.weight.shape, scene.full.shape
    column = max(w, kw, 4.5)  # wide enough for the captions "input x", "kernel W"
    panels_x = column + 1.2
    sum_x = panels_x + w * fw + (w - 1) * _PANEL_GAP + 2.0
    sum_width = max(fw, 6.0)
    top = _PANEL_LABEL
    panels = h * fh + (h - 1) * (_PANEL_LABEL + 0.3)
    left = h + 0.6 + _PANEL_LABEL + kh
    below_sum = fh + 0.3 + 0.55 * (_scatter_legend(scene).count("\n") + 1)
    return {"input": ((column - w) / 2 + 0.1, top), "kernel": ((column - kw) / 2 + 0.1, top + _PANEL_LABEL + h + 0.6),
            "panels": (panels_x, top), "sum": (sum_x + (sum_width - fw) / 2, top),
            "width": sum_x + sum_width + 0.2, "height": top + max(panels, left, below_sum) + 0.2}


def _draw_stamps(ax, scene: ScatterScene, at: dict, fontsize: float) -> None:
    """One panel per input pixel: its stamp on the uncropped output grid."""
    (h, w), (fh, fw) = scene.x.shape, scene.full.shape
    x0, y0 = at["panels"]
    for r in range(h):
        for c in range(w):
            support = _stamp_support(scene, r, c)
            faces = [[COLORS["stamp"] if (a, b) in support else None for b in range(fw)] for a in range(fh)]
            px, py = x0 + c * (fw + _PANEL_GAP), y0 + r * (fh + _PANEL_LABEL + 0.3)
            _value_grid(ax, scene.stamps[r, c], px, py, faces, fontsize, gid=f"stamp-{r}-{c}",
                        edges=[[COLORS["argmax"]] * fw] * fh)
            ax.text(px + fw / 2, py - 0.15, f"x[{r},{c}] = {_number(scene.x[r, c])}", ha="center",
                    va="bottom", fontsize=_LABEL_PT)


def _draw_scatter_sum(ax, scene: ScatterScene, at: dict, fontsize: float) -> None:
    """The sum of the stamps: overlaps darker, cells cropped by ``padding`` grey and dashed."""
    from matplotlib.patches import Rectangle

    (fh, fw), cropped = scene.full.shape, scene.cropped
    x0, y0 = at["sum"]
    faces = [[COLORS["padding"] if cropped[r, c] else COLORS["overlap"] if scene.coverage[r, c] > 1
              else COLORS["output"] for c in range(fw)] for r in range(fh)]
    edges = [[COLORS["padding_edge"] if cropped[r, c] else COLORS["output_edge"] for c in range(fw)]
             for r in range(fh)]
    styles = [["--" if cropped[r, c] else "-" for c in range(fw)] for r in range(fh)]
    texts = [[COLORS["padding_edge"] if cropped[r, c] else COLORS["text"] for c in range(fw)]
             for r in range(fh)]
    _value_grid(ax, scene.full, x0, y0, faces, fontsize, "sum-cells", edges, styles, texts)
    (ph, pw), (oh, ow) = scene.padding, scene.output_shape
    _add(ax, [Rectangle((x0 + pw, y0 + ph), ow, oh, facecolor="none", linewidth=2.0,
                        edgecolor=COLORS["window_edge"])], "output")
    caption = f"sum = output {oh}×{ow}" if not cropped.any() else f"sum → output {oh}×{ow}"
    ax.text(x0 + fw / 2, y0 - 0.15, caption, ha="center", va="bottom", fontsize=_LABEL_PT)
    ax.text(x0 + fw / 2, y0 + fh + 0.2, _scatter_legend(scene), ha="center", va="top",
            fontsize=_LABEL_PT, linespacing=1.1)


def draw_conv_transpose_scatter(x, weight, stride: IntPair = 1, padding: IntPair = 0,
                                output_padding: IntPair = 0, dilation: IntPair = 1,
                                ax=None, *, figsize=None):
    r"""Draw ``F.conv_transpose2d`` the scatter way: each input pixel stamps a scaled kernel.

    Left: the input ``x`` and the kernel ``W``. Middle: one panel per input pixel, its
    stamp ``x[r, c]·W`` (orange) placed ``stride`` apart on the uncropped output grid.
    Right: their sum, darker where stamps overlap; ``padding`` crops the grey cells.
    Every number comes from ``F.conv_transpose2d`` (:func:`conv_transpose_scatter_scene`).

    Args:
        x: the input, shape ``(H, W)`` with at most :data:`MAX_STAMPS` pixels.
        weight: the kernel, shape ``(kH, kW)``, as passed to ``F.conv_transpose2d``
            (not flipped: stamps are the kernel as stored).
        stride, padding, output_padding, dilation: as in ``F.conv_transpose2d``.
        ax: draw into this Axes instead of a new figure.
        figsize: size of a new figure in inches; chosen from the grid sizes if ``None``.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.scatter_scene`` holds the numbers drawn.

    Shape:
        - x: :math:`(H, W)`, weight: :math:`(kH, kW)`
        - drawn output: :math:`((H-1)s - 2p + d(k_H-1) + \text{output\_padding} + 1, \dots)`
    """
    scene = conv_transpose_scatter_scene(x, weight, stride, padding, output_padding, dilation)
    at = _scatter_layout(scene)
    fig, ax = _plain_axes(ax, figsize, at["width"], at["height"], max_size=(8.0, 4.0), title_lines=2)
    ax.set_xlim(0, at["width"])
    ax.set_ylim(at["height"], 0)
    cell_points = 72 * ax.get_position().width * fig.get_figwidth() / at["width"]
    fontsize = max(5.0, min(10.0, cell_points * 0.4))
    h, w = scene.x.shape
    kh, kw = scene.weight.shape
    _value_grid(ax, scene.x, *at["input"], [[COLORS["input"]] * w] * h, fontsize, "input-cells")
    ax.text(at["input"][0] + w / 2, at["input"][1] - 0.15, f"input x {h}×{w}", ha="center", va="bottom",
            fontsize=_LABEL_PT)
    _value_grid(ax, scene.weight, *at["kernel"], [[COLORS["stamp"]] * kw] * kh, fontsize, "kernel-cells",
                edges=[[COLORS["argmax"]] * kw] * kh)
    ax.text(at["kernel"][0] + kw / 2, at["kernel"][1] - 0.15, f"kernel W {kh}×{kw}", ha="center",
            va="bottom", fontsize=_LABEL_PT)
    _draw_stamps(ax, scene, at, fontsize)
    _draw_scatter_sum(ax, scene, at, fontsize)
    ax.text(at["sum"][0] - 0.9, at["sum"][1] + scene.full.shape[0] / 2, "=", ha="center", va="center",
            fontsize=_TITLE_PT * 1.6)
    ax.set_title(f"conv_transpose2d, stride {_fmt(scene.stride)}: each input pixel\n"
                 f"adds its value × W to the output", fontsize=_TITLE_PT, fontweight="bold",
                 linespacing=1.15)
    fig.scatter_scene = scene
    return fig
