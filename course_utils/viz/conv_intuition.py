"""Pictures that build intuition for convolution (notebook 02).

- :func:`draw_maps`: images, feature maps and kernels side by side. A map with
  negative values gets a diverging colour map (red positive, blue negative,
  white zero); small maps show their numbers.
- :func:`draw_multichannel_conv`: one filter on a multi-channel input. Each input
  channel is convolved with its own slice of the filter; the slices' results
  are summed and the bias is added.
- :func:`draw_padding_modes`: what ``nn.Conv2d``'s ``padding_mode`` puts around an
  input: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
- :func:`draw_im2col`: the column matrix of ``F.unfold`` next to the flattened kernel.

``figures/padding_modes.png`` is drawn with :func:`draw_padding_modes` by
``course_utils.authoring.figures.padding_modes_figure``.

Every number drawn is computed by PyTorch (``F.conv2d``, ``F.pad``), so a picture
cannot disagree with it. Each function returns a :class:`matplotlib.figure.Figure`
and never calls ``plt.show()``; end a notebook cell with ``plt.show()``. The
numbers drawn are kept on the figure (``fig.maps``, ``fig.partials``, ``fig.grids``)
for tests.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from course_utils import _validate as check
from course_utils.conv import PADDING_MODES

from .conv import COLORS

__all__ = [
    "EXAMPLE_IMAGE",
    "EXAMPLE_KERNEL",
    "MAX_VALUE_CELLS",
    "draw_maps",
    "draw_multichannel_conv",
    "draw_padding_modes",
    "draw_im2col",
]

#: The 5×5 example of notebook 02 (from the tutorial it grew from), and its 3×3 kernel.
EXAMPLE_IMAGE = ((1, 2, 0, 3, 1), (0, 1, 2, 3, 1), (1, 2, 1, 0, 0), (5, 2, 3, 1, 1), (2, 1, 0, 1, 1))
EXAMPLE_KERNEL = ((1, 2, 1), (0, 1, 0), (2, 1, 0))

#: Maps with at most this many cells per side show their numbers by default.
MAX_VALUE_CELLS = 8

_KERNEL_FACE = "#f6d5d5"  # kernel cells: the kernel's numbers are red in viz.conv's diagrams
_PARTIAL_FACE = COLORS["output_todo"]
_MODE_NOTES = {
    "zeros": "the default",
    "reflect": "mirror image; the border\npixel is not repeated",
    "replicate": "copies of the\nborder pixel",
    "circular": "wraps around: the\nopposite side",
}


# --------------------------------------------------------------------------- shared helpers


def _number(value: float, decimals: int = 2) -> str:
    """A cell's text: whole numbers without decimals, others rounded; never "-0"."""
    if np.isnan(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _plane(name: str, value) -> torch.Tensor:
    """A 2-D real tensor (from a tensor, array or nested list), as float64 on the CPU."""
    tensor = check.array(name, value, "(height, width)")
    if tensor.dim() != 2:
        fix = f"; pick one, e.g. {name}[{', '.join(['0'] * (tensor.dim() - 2))}]" if tensor.dim() > 2 else ""
        raise ValueError(f"{name} must be 2-D (height, width), got shape {tuple(tensor.shape)}{fix}")
    check.tensor(name, tensor, dtype="real", nonempty=True, finite=True)  # NaN would be drawn as a blank cell
    return tensor.to(torch.float64)


def _draw_cells(ax, values: np.ndarray, left: float, top: float, face, edge: str, fontsize: float,
                text_color: str = COLORS["text"], linestyle: str = "-") -> None:
    """A grid of cells at (left, top) in cell units, one number per cell.

    ``face`` is one colour or a ``(rows, cols)`` array of colours.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rows, cols = values.shape
    faces = np.broadcast_to(np.asarray(face, dtype=object), (rows, cols)) if isinstance(face, str) else face
    cells = [Rectangle((left + c, top + r), 1, 1, facecolor=faces[r][c], edgecolor=edge, linewidth=0.8,
                       linestyle=linestyle) for r in range(rows) for c in range(cols)]
    ax.add_collection(PatchCollection(cells, match_original=True), autolim=False)
    for r in range(rows):
        for c in range(cols):
            ax.text(left + c + 0.5, top + r + 0.5, _number(values[r, c]), ha="center", va="center",
                    fontsize=fontsize, color=text_color)


def _cell_axes(width: float, height: float, max_inches: tuple[float, float], cell: float = 0.42):
    """A figure whose single axes is ``width`` × ``height`` cells, y growing downwards."""
    import matplotlib.pyplot as plt

    size = min(cell, max_inches[0] / width, max_inches[1] / height)
    fig = plt.figure(figsize=(round(width * size, 2), round(height * size, 2)))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax, size * 72  # points per cell


# --------------------------------------------------------------------------- draw_maps


def _maps(value) -> list[torch.Tensor]:
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float)):
        if isinstance(value[0], (list, tuple)) and value[0] and isinstance(value[0][0], (int, float)):
            return [_plane("maps", value)]  # a single nested list of numbers
        return [_plane(f"maps[{i}]", m) for i, m in enumerate(value)]
    tensor = check.array("maps", value, "(N, H, W) or a list of 2-D maps")
    if tensor.dim() == 2:
        return [_plane("maps", tensor)]
    if tensor.dim() != 3:
        raise ValueError(f"maps must be (N, H, W) or a list of 2-D maps, got shape {tuple(tensor.shape)}; "
                         f"for a batch (N, 1, H, W) pass maps[:, 0]")
    return [_plane(f"maps[{i}]", m) for i, m in enumerate(tensor)]


def _titles(titles, count: int) -> list[str]:
    if titles is None:
        return [""] * count
    if isinstance(titles, str) or not isinstance(titles, (list, tuple)):
        raise TypeError(f"titles must be a list of strings, one per map, got {check.describe(titles)}")
    for i, title in enumerate(titles):
        check.instance(f"titles[{i}]", title, str, "a string")
    if len(titles) != count:
        raise ValueError(f"titles must have one entry per map: got {len(titles)} titles for {count} maps")
    return list(titles)


def _show_map(ax, values: np.ndarray, title: str, show_values: bool, colorbar: bool) -> None:
    """One map: grey for non-negative values (0 black, like MNIST), red/blue around 0 for signed ones."""
    signed = bool((values < 0).any())
    largest = float(np.abs(values).max()) or 1.0
    if signed:
        image = ax.imshow(values, cmap="RdBu_r", vmin=-largest, vmax=largest)
    else:
        image = ax.imshow(values, cmap="gray", vmin=0, vmax=largest)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    if show_values:
        for (r, c), value in np.ndenumerate(values):
            dark = abs(value) > 0.6 * largest if signed else value < 0.5 * largest
            ax.text(c, r, _number(value), ha="center", va="center", fontsize=9,
                    color="white" if dark else COLORS["text"])
    elif colorbar and signed:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=8)


def draw_maps(maps, titles=None, *, show_values: bool | None = None, ncols: int | None = None,
              panel_size: float = 2.0, colorbar: bool = True):
    """Draw 2-D maps side by side: an image, its feature maps, kernels.

    A map with negative values (an edge filter's response, a kernel) is drawn with a
    diverging colour map symmetric around 0: red positive, blue negative, white 0.
    A map without negative values (an image) is drawn in grey, 0 black (as MNIST
    digits are shown). Each map has its own scale.

    Args:
        maps: a tensor ``(N, H, W)``, one 2-D map, or a list of 2-D maps (tensors,
            arrays or nested lists; sizes may differ).
        titles: one string per map, or ``None``.
        show_values: write each value in its cell; default: for maps of at most
            :data:`MAX_VALUE_CELLS` cells per side.
        ncols: maps per row; default: all in one row.
        panel_size: the size of one map in inches.
        colorbar: add a colour bar to signed maps drawn without their values.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.maps`` holds the arrays drawn.

    Shape:
        - maps: :math:`(N, H, W)`, or N maps :math:`(H_i, W_i)`

    Example::

        >>> fig = draw_maps([digit, edges], ["digit", "Sobel x"])
    """
    import matplotlib.pyplot as plt

    planes = [m.numpy() for m in _maps(maps)]
    if not planes:
        raise ValueError("maps is empty; give at least one 2-D map")
    names = _titles(titles, len(planes))
    if show_values is not None:
        check.boolean("show_values", show_values)
    check.boolean("colorbar", colorbar)
    ncols = len(planes) if ncols is None else check.positive_int("ncols", ncols)
    panel_size = check.number("panel_size", panel_size, minimum=0.5, maximum=6)
    ncols = min(ncols, len(planes))
    nrows = math.ceil(len(planes) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols * 1.12, panel_size * nrows + 0.35),
                             squeeze=False)
    for ax in axes.flat[len(planes):]:
        ax.set_axis_off()
    for ax, values, title in zip(axes.flat, planes, names):
        values_shown = max(values.shape) <= MAX_VALUE_CELLS if show_values is None else show_values
        _show_map(ax, values, title, values_shown, colorbar)
    fig.tight_layout()
    fig.maps = planes
    return fig


# --------------------------------------------------------------------------- multi-channel convolution


def _multichannel_inputs(x, weight, bias):
    x = check.array("x", x, "(C_in, H, W)")
    weight = check.array("weight", weight, "(C_in, kH, kW)")
    check.tensor("x", x, ndim=3, dtype="real", layout="(C_in, H, W)", nonempty=True, finite=True)
    if weight.dim() == 4:
        raise ValueError(f"weight must be ONE filter (C_in, kH, kW), got shape {tuple(weight.shape)}; "
                         f"pick filter c of a conv weight: weight[c]")
    check.tensor("weight", weight, ndim=3, dtype="real", layout="(C_in, kH, kW)", nonempty=True, finite=True)
    bias = check.number("bias", bias)
    if weight.shape[0] != x.shape[0]:
        raise ValueError(f"weight has {weight.shape[0]} channel slices but x has {x.shape[0]} channels; "
                         f"a filter needs one kH×kW slice per input channel: weight (C_in, kH, kW)")
    if x.shape[0] > 4 or max(x.shape[1:]) > 8:
        raise ValueError(f"x of shape {tuple(x.shape)} is too large to draw with its numbers: at most "
                         f"4 channels of at most 8×8; draw a corner, e.g. x[:3, :5, :5]")
    if weight.shape[1] > x.shape[1] or weight.shape[2] > x.shape[2]:
        raise ValueError(f"weight's kernel {tuple(weight.shape[1:])} is larger than the input "
                         f"{tuple(x.shape[1:])} of x: no window fits")
    return x.to(torch.float64), weight.to(torch.float64), bias


def draw_multichannel_conv(x, weight, bias: float = 0.0):
    """Draw how ONE filter convolves a multi-channel input (stride 1, no padding).

    Each row is one input channel ``c``: ``x[c]`` convolved with the filter's slice
    ``weight[c]`` gives a partial map. The output channel is the sum of the partial
    maps plus the bias, one number per filter. A layer with ``C_out`` filters does
    this ``C_out`` times, which is why its weight is ``(C_out, C_in, kH, kW)``.

    Args:
        x: the input, ``(C_in, H, W)``, at most 4 channels of at most 8×8.
        weight: one filter, ``(C_in, kH, kW)`` (``conv.weight[c]``).
        bias: the filter's bias, a number.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.partials`` holds the partial
        maps ``(C_in, H_out, W_out)`` and ``fig.output`` the output channel, both
        computed with ``F.conv2d``.

    Shape:
        - x: :math:`(C_{in}, H, W)`, weight: :math:`(C_{in}, k_H, k_W)`
        - fig.output: :math:`(H - k_H + 1, W - k_W + 1)`
    """
    x, weight, bias = _multichannel_inputs(x, weight, bias)
    with torch.no_grad():
        partials = torch.stack([F.conv2d(x[c][None, None], weight[c][None, None])[0, 0] for c in range(len(x))])
        output = F.conv2d(x[None], weight[None], torch.tensor([bias], dtype=torch.float64))[0, 0]
    if not torch.allclose(partials.sum(0) + bias, output):
        raise RuntimeError("the partial maps do not add up to F.conv2d's output; please report this")
    fig = _multichannel_figure(x.numpy(), weight.numpy(), partials.numpy(), output.numpy(), bias)
    fig.partials, fig.output = partials.numpy(), output.numpy()
    return fig


def _multichannel_figure(x, weight, partials, output, bias):
    channels, h, w = x.shape
    _, kh, kw = weight.shape
    ho, wo = output.shape
    captions, gap_rows = 0.9, 0.5  # room for the captions above the first row; space between rows
    row = max(h, kh) + gap_rows
    label, gap, sum_gap = 2.3, 1.3, 2.6
    width = label + w + gap + kw + gap + wo + sum_gap + wo + 0.3
    height = captions + channels * row - gap_rows + 0.3
    fig, ax, points = _cell_axes(width, height, (9.0, 3.2))
    big = max(6.0, min(11.0, points * 0.42))
    kernel_x = label + w + gap
    partial_x = kernel_x + kw + gap
    for c in range(channels):
        top = captions + c * row
        middle = top + max(h, kh) / 2
        ax.text(0.1, middle, f"channel {c}", ha="left", va="center", fontsize=big)
        _draw_cells(ax, x[c], label, top, COLORS["input"], COLORS["input_edge"], big)
        ax.text(label + w + gap / 2, middle, "⋆", ha="center", va="center", fontsize=big * 2.4)
        _draw_cells(ax, weight[c], kernel_x, top + (max(h, kh) - kh) / 2, _KERNEL_FACE,
                    COLORS["kernel_text"], big, text_color=COLORS["kernel_text"])
        ax.text(kernel_x + kw + gap / 2, middle, "=", ha="center", va="center", fontsize=big * 1.4)
        _draw_cells(ax, partials[c], partial_x, top + (max(h, kh) - ho) / 2, _PARTIAL_FACE,
                    COLORS["output_edge"], big)
        if c == 0:
            for left, size, caption in ((label, w, "input"), (kernel_x, kw, "filter slice"),
                                        (partial_x, wo, "partial map")):
                ax.text(left + size / 2, top - 0.2, caption, ha="center", va="bottom", fontsize=big * 0.9)
    out_x = partial_x + wo + sum_gap
    out_top = (height - ho) / 2
    ax.text(partial_x + wo + sum_gap / 2, height / 2, f"Σ\n+ {_number(bias)}", ha="center", va="center",
            fontsize=big * 1.3, linespacing=1.2)
    ax.text(out_x + wo / 2, out_top - 0.2, "output\nchannel", ha="center", va="bottom", fontsize=big * 0.9)
    _draw_cells(ax, output, out_x, out_top, COLORS["output"], COLORS["output_edge"], big)
    return fig


# --------------------------------------------------------------------------- padding modes


def _padding_inputs(x, padding, modes):
    x = _plane("x", x)
    pad_h, pad_w = check.sizes("padding", padding, 2, minimum=0)
    if modes is None:
        modes = PADDING_MODES
    check.non_empty_list("modes", modes, "padding modes such as ['zeros', 'reflect']", "leave it out to draw all four")
    for i, mode in enumerate(modes):
        check.one_of(f"modes[{i}]", mode, PADDING_MODES)
    height, width = x.shape
    if "reflect" in modes and (pad_h >= height or pad_w >= width):
        raise ValueError(f"padding ({pad_h}, {pad_w}) is too large for 'reflect' on a {height}×{width} input: "
                         f"a reflection needs padding smaller than the size; pad less or drop 'reflect'")
    if "circular" in modes and (pad_h > height or pad_w > width):
        raise ValueError(f"padding ({pad_h}, {pad_w}) is too large for 'circular' on a {height}×{width} "
                         f"input: it would wrap around more than once; use padding <= the input's size")
    if max(height + 2 * pad_h, width + 2 * pad_w) > 12:
        raise ValueError(f"x ({height}×{width}) with padding ({pad_h}, {pad_w}) would draw more than 12 cells "
                         f"per side; draw a corner, e.g. x[:5, :5], or pad less")
    return x, (pad_h, pad_w), list(modes)


def draw_padding_modes(x, padding=1, modes=None):
    """Draw the input as each ``padding_mode`` of ``nn.Conv2d`` pads it, side by side.

    ``nn.Conv2d(..., padding=p, padding_mode=m)`` pads like ``F.pad(x, (p, p, p, p), mode)``
    (``'zeros'`` is F.pad's ``'constant'``) and then convolves without padding. The
    input cells are blue; the added cells grey (dashed), holding what the mode puts there.

    Args:
        x: the input, ``(H, W)``.
        padding: int or ``(pH, pW)``, as in ``nn.Conv2d``.
        modes: which modes to draw; default all four, ``('zeros', 'reflect', 'replicate', 'circular')``.

    Returns:
        The :class:`~matplotlib.figure.Figure`; ``fig.grids`` maps each mode to its padded
        array, computed with ``F.pad``.

    Raises:
        ValueError: for a mode that does not exist, or a padding the mode cannot do
            (``'reflect'`` needs padding < size, ``'circular'`` padding <= size).

    Shape:
        - x: :math:`(H, W)`; each grid :math:`(H + 2p_H, W + 2p_W)`
    """
    x, (pad_h, pad_w), modes = _padding_inputs(x, padding, modes)
    grids = {}
    with torch.no_grad():
        for mode in modes:
            grids[mode] = F.pad(x[None, None], (pad_w, pad_w, pad_h, pad_h),
                                mode="constant" if mode == "zeros" else mode)[0, 0].numpy()
    fig = _padding_figure(x.shape, (pad_h, pad_w), grids)
    fig.grids = grids
    return fig


def _padding_figure(shape, pads, grids):
    (height, width), (pad_h, pad_w) = shape, pads
    rows, cols = height + 2 * pad_h, width + 2 * pad_w
    gap, caption = 1.0, 2.2
    total_width = len(grids) * (cols + gap) - gap + 0.2
    fig, ax, points = _cell_axes(total_width, rows + caption + 0.2, (12.0, 3.9))
    big = max(6.0, min(11.0, points * 0.42))
    inside = np.zeros((rows, cols), dtype=bool)
    inside[pad_h:pad_h + height, pad_w:pad_w + width] = True
    faces = np.where(inside, COLORS["input"], COLORS["padding"]).astype(object)
    for n, (mode, grid) in enumerate(grids.items()):
        left = 0.1 + n * (cols + gap)
        _draw_cells(ax, np.where(inside, np.nan, grid), left, caption, faces, COLORS["padding_edge"], big,
                    linestyle="--")
        _draw_cells(ax, grid[pad_h:pad_h + height, pad_w:pad_w + width], left + pad_w, caption + pad_h,
                    COLORS["input"], COLORS["input_edge"], big)
        ax.text(left + cols / 2, caption - 0.15, f"'{mode}'\n{_MODE_NOTES[mode]}", ha="center", va="bottom",
                fontsize=big, linespacing=1.15)
    return fig


# --------------------------------------------------------------------------- im2col


def _im2col_inputs(columns, kernel, output_size):
    columns = _plane("columns", columns)
    kernel = check.array("kernel", kernel, "(kH, kW) or (C_in * kH * kW,)")
    check.tensor("kernel", kernel, dtype="real", nonempty=True, finite=True)
    kernel = kernel.reshape(-1).to(torch.float64)
    rows, windows = columns.shape
    if kernel.numel() != rows:
        raise ValueError(f"kernel has {kernel.numel()} numbers but columns has {rows} rows; a column holds one "
                         f"window, C_in * kH * kW numbers, so both must match")
    if output_size is None:
        side = math.isqrt(windows)
        if side * side != windows:
            raise ValueError(f"columns has {windows} windows, not a square number: pass "
                             f"output_size=(H_out, W_out)")
        output_size = (side, side)
    out_h, out_w = check.sizes("output_size", output_size, 2, minimum=1)
    if out_h * out_w != windows:
        raise ValueError(f"output_size {(out_h, out_w)} has {out_h * out_w} positions but columns has "
                         f"{windows} windows (one column per output position)")
    if rows > 27 or windows > 36:
        raise ValueError(f"columns of shape {tuple(columns.shape)} is too large to draw with its numbers "
                         f"(at most 27 rows and 36 columns)")
    return columns, kernel, out_w


def draw_im2col(columns, kernel, output_size=None):
    """Draw the column matrix of ``F.unfold`` (one column per window) and the flattened kernel.

    Output position ``j`` (row-major) is the dot product of the kernel with column ``j``;
    column 0 (window ``(0, 0)``) is outlined.

    Args:
        columns: ``(C_in * kH * kW, L)``, e.g. ``F.unfold(x, k)[0]`` for one image.
        kernel: the filter, any shape with ``C_in * kH * kW`` numbers (it is flattened
            the way ``weight.reshape(C_out, -1)`` flattens it).
        output_size: ``(H_out, W_out)`` to label the windows; default: a square.

    Returns:
        The :class:`~matplotlib.figure.Figure`.

    Shape:
        - columns: :math:`(C_{in} k_H k_W, L)` with :math:`L = H_{out} W_{out}`
        - kernel: :math:`C_{in} k_H k_W` numbers
    """
    import matplotlib.pyplot as plt

    columns, kernel, out_w = _im2col_inputs(columns, kernel, output_size)
    rows, windows = columns.shape
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3.1), gridspec_kw={"width_ratios": [windows, 1]})
    panels = [(left, columns.numpy(), "F.unfold: one column per window"),
              (right, kernel.numpy()[:, None], "kernel")]
    for ax, values, title in panels:
        ax.imshow(values, cmap="Blues", vmin=values.min() - 1, vmax=values.max() + 2)
        for (r, c), value in np.ndenumerate(values):
            ax.text(c, r, _number(value), ha="center", va="center", fontsize=10)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    left.set_xticks(range(windows), [f"{c // out_w},{c % out_w}" for c in range(windows)], fontsize=8)
    left.set_xlabel("window (row, col) = output position")
    left.add_patch(plt.Rectangle((-0.5, -0.5), 1, rows, fill=False, lw=2.5, color=COLORS["kernel_text"]))
    right.set_xlabel("flattened")
    fig.tight_layout()
    return fig
