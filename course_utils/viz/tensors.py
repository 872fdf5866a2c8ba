"""Pictures of tensor layouts (notebook 00): the axes of an image batch, the windows of a 1-D
convolution, and the order in which a tensor's numbers lie in memory.

Every position and size in these pictures is computed by PyTorch: the windows of a
convolution by autograd through ``F.conv1d`` (which inputs does output ``j`` depend on?),
the memory order from the tensor's own ``stride()``. So a picture cannot disagree with
what PyTorch does.

- :func:`draw_image_batch`: one image with its H and W axes and a pixel marked, next to
  the batch it belongs to, drawn as a stack of N images.
- :func:`conv1d_windows` / :func:`draw_conv1d_windows`: which input positions each output
  of a 1-D convolution reads, for several settings of stride, padding and dilation.
- :func:`memory_order` / :func:`draw_memory_order`: the elements of a 4-D tensor in the
  order of their addresses, for ``torch.contiguous_format`` and ``torch.channels_last``.

The ``draw_*`` functions return a :class:`matplotlib.figure.Figure` and never call
``plt.show()``: end the notebook cell with ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import FancyArrowPatch, Rectangle

from course_utils import _validate as check

from .conv import COLORS, _figsize
from .plots import _labels

__all__ = ["draw_image_batch", "conv1d_windows", "draw_conv1d_windows", "memory_order", "draw_memory_order",
           "MAX_MEMORY_CELLS"]

#: The largest tensor :func:`draw_memory_order` draws: one labelled cell per element.
MAX_MEMORY_CELLS = 48
# one colour per channel (R, G, B first, then more)
_CHANNEL_COLORS = ["#f4a6a6", "#a8d8a0", "#9dc3e6", "#f6d58e", "#c9b3e6", "#f2b8d8"]
_CHANNEL_NAMES = "RGB"


# --------------------------------------------------------------------------- an image batch


def _image_batch(images) -> torch.Tensor:
    images = check.array("images", images, "(N, C, H, W)")
    check.tensor("images", images, ndim=4, dtype="real", layout="(N, C, H, W)", nonempty=True)
    if images.shape[1] not in (1, 3):
        raise ValueError(f"images must have 1 (grey) or 3 (RGB) channels in dimension 1, got shape "
                         f"{tuple(images.shape)}; channels last? use images.permute(0, 3, 1, 2)")
    return images.float()


def _picture(image: torch.Tensor) -> np.ndarray:
    """One ``(C, H, W)`` image as something ``imshow`` draws: ``(H, W)`` grey or ``(H, W, 3)`` scaled to [0, 1]."""
    if image.shape[0] == 1:
        return image[0].numpy()
    low, high = image.min(), image.max()
    return ((image - low) / (high - low if high > low else 1)).permute(1, 2, 0).numpy()


def _arrow(ax, start, end, text, text_at, **text_style):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#b3001b", lw=1.8,
                                 clip_on=False))
    ax.text(*text_at, text, color="#b3001b", fontsize=12, clip_on=False, **text_style)


def _draw_one_image(ax, images: torch.Tensor, pixel: tuple[int, int]) -> None:
    _, c, h, w = images.shape
    ax.imshow(_picture(images[0]), cmap="gray", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
    row, col = pixel
    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="#e8740c", lw=2.5))
    value = images[0, 0, row, col].item()
    ax.annotate(f"images[0, 0, {row}, {col}]\n= {value:.4g}", xy=(col + 0.5, row), xytext=(w + 1.5, row),
                fontsize=11, color="#e8740c", va="center", annotation_clip=False,
                arrowprops={"arrowstyle": "-", "color": "#e8740c", "lw": 1.5})
    _arrow(ax, (-2.5, -0.5), (-2.5, h - 0.5), f"H = {h}\n(dim 2,\nrows)", (-3.3, h / 2), ha="right", va="center")
    _arrow(ax, (-0.5, -2.5), (w - 0.5, -2.5), f"W = {w} (dim 3, columns)", (w / 2, -3.3), ha="center")
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_axis_off()
    ax.set_title(f"one image: (C, H, W) = ({c}, {h}, {w})", fontsize=13, pad=40)


def _draw_stack(ax, images: torch.Tensor, max_shown: int, labels) -> None:
    n, c, h, w = images.shape
    shown = min(n, max_shown)
    step = 0.22 * w  # each card is shifted right and up by this much
    for k in reversed(range(shown)):  # the first image in front
        x0, y0 = k * step, k * step
        ax.imshow(_picture(images[k]), cmap="gray", extent=(x0, x0 + w, y0, y0 + h), zorder=shown - k)
        ax.add_patch(Rectangle((x0, y0), w, h, fill=False, edgecolor="#1f4e79", lw=1.2, zorder=shown - k))
        if labels is not None:
            ax.text(x0 + w - 1, y0 + h - 1, str(int(labels[k])), color="#e8740c", fontsize=11, ha="right",
                    va="top", zorder=shown - k, fontweight="bold")
    last = (shown - 1) * step
    _arrow(ax, (w + 1, -1), (w + last + 1, last - 1), f"N = {n} images (dim 0)", (w - 1, -2.5), ha="left",
           va="top")
    ax.text(-1.5, h / 2, f"C = {c}\nchannel{'s' if c > 1 else ''}\n(dim 1)", fontsize=12, ha="right",
            va="center", color="#1f4e79")
    ax.set_xlim(-1, w + last + 2)
    ax.set_ylim(-1, h + last + 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    more = f", first {shown} drawn" if shown < n else ""
    ax.set_title(f"a batch: (N, C, H, W) = {tuple(images.shape)}\n(first image in front{more})", fontsize=13)


def draw_image_batch(images, pixel: tuple[int, int] = (14, 10), labels=None, max_shown: int = 6,
                     figsize: tuple[float, float] = (10.5, 3.6)):
    """Draw the four axes of an image batch: the first image with H and W, and the batch as a stack.

    Left: ``images[0]`` with arrows along its height (dim 2, rows, top to bottom) and width
    (dim 3, columns, left to right), and the pixel ``images[0, 0, row, col]`` marked with its
    value. Right: the first ``max_shown`` images as a stack of cards along N (dim 0),
    each with its label if ``labels`` is given.

    Args:
        images: a batch of images (a tensor, NumPy array or nested list).
        pixel: ``(row, col)`` of the pixel to mark; row first, as in ``images[0, 0, row, col]``.
        labels: optional class index per image, written on each card.
        max_shown: draw at most this many cards.
        figsize: the figure's size in inches.

    Returns:
        The matplotlib ``Figure``.

    Shape:
        - images: :math:`(N, C, H, W)` with :math:`C = 1` (grey) or :math:`C = 3` (RGB)
        - labels: :math:`(N)`
    """
    images = _image_batch(images)
    _, _, h, w = images.shape
    row, col = check.sizes("pixel", pixel, 2)
    if row >= h or col >= w:
        raise ValueError(f"pixel must be (row, col) inside the {h}×{w} image, got {(row, col)}; rows run "
                         f"from 0 to {h - 1}, columns from 0 to {w - 1}")
    max_shown = check.positive_int("max_shown", max_shown)
    if labels is not None:
        labels = _labels("labels", labels)
        if len(labels) != len(images):
            raise ValueError(f"labels must have one entry per image: got {len(labels)} labels for "
                             f"{len(images)} images")
    if figsize is not None:
        figsize = _figsize(figsize)
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.25, 1]})
    _draw_one_image(left, images, (row, col))
    _draw_stack(right, images, max_shown, labels)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.8, bottom=0.1, wspace=0.5)
    return fig


# --------------------------------------------------------------------------- 1-D convolution windows


def conv1d_windows(length: int, kernel_size: int, stride: int = 1, padding: int = 0,
                   dilation: int = 1) -> list[list[int]]:
    """The input positions each output of ``nn.Conv1d`` reads, computed by autograd through ``F.conv1d``.

    Position ``-1`` is the first padded zero on the left, ``length`` the first one on the right.

    Args:
        length: the input length :math:`L_{in}`.
        kernel_size, stride, padding, dilation: as for ``nn.Conv1d``.

    Returns:
        One list per output position (:math:`L_{out}` of them), each with the ``kernel_size``
        input positions it reads, left to right.

    Raises:
        ValueError: when the (padded) input is shorter than the (dilated) kernel.

    Shape:
        - input: :math:`(L_{in})`; the result has :math:`L_{out}` rows of ``kernel_size`` positions.
    """
    length = check.positive_int("length", length)
    kernel_size = check.positive_int("kernel_size", kernel_size)
    stride = check.positive_int("stride", stride)
    padding = check.non_negative_int("padding", padding)
    dilation = check.positive_int("dilation", dilation)
    span = dilation * (kernel_size - 1) + 1
    if span > length + 2 * padding:  # checked before allocating: a huge kernel_size would not fit in memory
        raise ValueError(f"kernel_size={kernel_size} with dilation={dilation} spans {span} positions, more than "
                         f"the {length + 2 * padding} of the padded input (length={length}, padding={padding}); "
                         f"use a smaller kernel_size or dilation, or more padding")
    check.fits_in_memory("length", length, length, "the input", element_size=8)
    check.fits_in_memory("padding", padding, length + 2 * padding, "the padded input", element_size=8)
    padded = torch.zeros(1, 1, length + 2 * padding, dtype=torch.float64, requires_grad=True)
    out = F.conv1d(padded, torch.ones(1, 1, kernel_size, dtype=torch.float64), stride=stride, dilation=dilation)
    windows = []
    for j in range(out.shape[-1]):
        (grad,) = torch.autograd.grad(out[0, 0, j], padded, retain_graph=True)
        windows.append([int(i) - padding for i in torch.nonzero(grad[0, 0]).flatten()])
    return windows


def _settings(settings) -> list[dict]:
    if settings is None:
        return [{}, {"stride": 2}, {"padding": 1}, {"dilation": 2}]
    check.non_empty_list("settings", settings, "dicts such as {'stride': 2}",
                         "leave it out for the four default panels")
    for i, setting in enumerate(settings):
        check.instance(f"settings[{i}]", setting, dict, "a dict such as {'stride': 2}")
        if set(setting) - {"stride", "padding", "dilation"}:
            raise ValueError(f"settings[{i}] must be a dict with keys from 'stride', 'padding', 'dilation', "
                             f"got {check.describe(setting)}")
        for key, value in setting.items():
            (check.non_negative_int if key == "padding" else check.positive_int)(f"settings[{i}]['{key}']", value)
    return list(settings)


_ROW = 0.55  # vertical distance between two outputs' rows of dots


def _window_panel(ax, length: int, kernel_size: int, setting: dict, limits: tuple[float, float, float]) -> None:
    windows = conv1d_windows(length, kernel_size, **setting)
    padding = setting.get("padding", 0)
    for i in range(-padding, length + padding):
        pad = i < 0 or i >= length
        ax.add_patch(Rectangle((i, 0), 1, 1, facecolor=COLORS["padding" if pad else "input"],
                               edgecolor=COLORS["padding_edge" if pad else "input_edge"],
                               linestyle="--" if pad else "-"))
        ax.text(i + 0.5, 0.5, "0" if pad else str(i), ha="center", va="center", fontsize=11,
                color="#555555" if pad else COLORS["text"])
    for j, taps in enumerate(windows):
        y = -0.6 - _ROW * j
        centres = [t + 0.5 for t in taps]
        ax.plot([centres[0], centres[-1]], [y, y], color=COLORS["output_edge"], lw=1.5)
        ax.plot(centres, [y] * len(centres), "o", color=COLORS["current"], markersize=7)
        ax.text(-padding - 0.3, y, f"out {j}", ha="right", va="center", fontsize=11, color=COLORS["output_edge"])
    text = ", ".join(f"{k}={v}" for k, v in setting.items()) or "stride=1, padding=0, dilation=1"
    ax.set_title(f"{text}  →  L_out = {len(windows)}", fontsize=12)
    left, right, bottom = limits
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, 1.1)
    ax.set_aspect("equal")
    ax.set_axis_off()


def draw_conv1d_windows(length: int = 8, kernel_size: int = 3, settings=None, figsize=(11, 5)):
    """Draw which input positions each output of a 1-D convolution reads, one panel per setting.

    Each panel shows the input (blue, with its index; padded zeros grey and dashed) and, below
    it, one row per output: dots on the positions that output reads (from :func:`conv1d_windows`).

    Args:
        length: the input length :math:`L_{in}`.
        kernel_size: the kernel size, the same for every panel.
        settings: a list of dicts with keys ``stride``, ``padding``, ``dilation``; by default four
            panels: the plain case, ``stride=2``, ``padding=1`` and ``dilation=2``.
        figsize: the figure's size in inches.

    Returns:
        The matplotlib ``Figure``.

    Shape:
        - input: :math:`(L_{in})`, one channel; each panel has :math:`L_{out}` rows of dots.
    """
    length = check.positive_int("length", length)
    kernel_size = check.positive_int("kernel_size", kernel_size)
    settings = _settings(settings)
    if figsize is not None:
        figsize = _figsize(figsize)
    # one scale for every panel, so that a cell is as wide in each
    widest = max(setting.get("padding", 0) for setting in settings)
    most = max(len(conv1d_windows(length, kernel_size, **setting)) for setting in settings)
    limits = (-widest - 2.6, length + widest + 0.2, -0.6 - _ROW * most)
    columns = min(len(settings), 2)
    rows = (len(settings) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=figsize, squeeze=False)
    for ax, setting in zip(axes.flat, settings):
        _window_panel(ax, length, kernel_size, setting, limits)
    for ax in list(axes.flat)[len(settings):]:
        ax.set_axis_off()
    fig.suptitle(f"nn.Conv1d, L_in = {length}, kernel_size = {kernel_size}: the inputs each output reads",
                 fontsize=13)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- memory order


def memory_order(x: torch.Tensor) -> list[tuple[int, ...]]:
    """The indices of ``x``'s elements in the order they lie in memory (by their offset ``Σ index·stride``).

    For a ``(1, 3, 2, 2)`` tensor in ``torch.contiguous_format`` the order is channel by
    channel, ``(0, 0, 0, 0), (0, 0, 0, 1), …``; in ``torch.channels_last`` it is pixel by
    pixel, ``(0, 0, 0, 0), (0, 1, 0, 0), (0, 2, 0, 0), (0, 0, 0, 1), …``.

    Args:
        x: any tensor whose elements fill a block of memory without gaps or overlaps
            (a contiguous tensor, a channels-last tensor, a permuted view of one).

    Returns:
        ``x.numel()`` index tuples, lowest address first.

    Raises:
        ValueError: for a view with gaps (e.g. ``x[:, ::2]``) or overlaps (``expand``).

    Shape:
        - x: any, e.g. :math:`(N, C, H, W)`.
    """
    x = check.tensor("x", x, nonempty=True)
    if not _dense(x):  # checked from the strides first: listing an expand()ed view could take forever
        raise ValueError(f"x (shape {tuple(x.shape)}, stride {x.stride()}) does not fill its memory without gaps "
                         f"or overlaps, so its elements have no simple order; use x.contiguous() or "
                         f"x.contiguous(memory_format=torch.channels_last)")
    indices = list(np.ndindex(*x.shape))
    offsets = [sum(i * s for i, s in zip(index, x.stride())) for index in indices]
    return [index for _, index in sorted(zip(offsets, indices))]


def _dense(x: torch.Tensor) -> bool:
    """True if ``x``'s elements fill a block of memory without gaps or overlaps.

    Its dimensions of size > 1, sorted by stride, must step like a contiguous tensor's:
    the smallest stride is 1 and each next stride is the previous one times its size.
    """
    step = 1
    for stride, size in sorted((s, n) for n, s in zip(x.shape, x.stride()) if n > 1):
        if stride != step:
            return False
        step *= size
    return True


def _cell_label(index: tuple[int, ...]) -> str:
    _, c, h, w = index
    name = _CHANNEL_NAMES[c] if c < len(_CHANNEL_NAMES) else f"c{c}"
    return f"{name}\n{h},{w}"


def _logical_view(ax, shape: tuple[int, ...]) -> None:
    _, channels, h, w = shape
    for c in range(channels):
        x0 = c * (w + 1)
        for r in range(h):
            for col in range(w):
                ax.add_patch(Rectangle((x0 + col, -r), 1, 1, facecolor=_CHANNEL_COLORS[c % 6], edgecolor="#444444"))
                ax.text(x0 + col + 0.5, -r + 0.5, f"{r},{col}", ha="center", va="center", fontsize=10)
        name = _CHANNEL_NAMES[c] if c < len(_CHANNEL_NAMES) else f"c{c}"
        ax.text(x0 + w / 2, 1.25, f"channel {c} ({name})", ha="center", fontsize=11)
    ax.text(-0.4, 1 - h / 2, f"x.shape =\n{shape}", ha="right", va="center", fontsize=11)
    ax.set_xlim(-0.2, channels * (w + 1))
    ax.set_ylim(-h + 0.8, 1.9)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _memory_strip(ax, x: torch.Tensor, title: str) -> None:
    order = memory_order(x)
    for address, index in enumerate(order):
        ax.add_patch(Rectangle((address, 0), 1, 1, facecolor=_CHANNEL_COLORS[index[1] % 6], edgecolor="#444444"))
        ax.text(address + 0.5, 0.5, _cell_label(index), ha="center", va="center", fontsize=9, linespacing=1.1)
    ax.text(0, 1.25, title, fontsize=12, ha="left")
    ax.text(-0.3, 0.5, "address →", fontsize=10, ha="right", va="center", color="#555555")
    ax.set_xlim(-3.2, len(order) + 0.2)
    ax.set_ylim(-0.1, 1.9)
    ax.set_aspect("equal")
    ax.set_axis_off()


def draw_memory_order(*tensors: torch.Tensor, titles=None, figsize=None):
    """Draw the channel planes of a 4-D tensor, then, for each tensor given, its elements in memory order.

    Each memory cell is coloured by its channel and labelled with its channel and (row, column),
    so ``torch.contiguous_format`` shows as RRRR GGGG BBBB and ``torch.channels_last`` as RGB RGB …

    Args:
        *tensors: one or more 4-D tensors of the same shape, at most :data:`MAX_MEMORY_CELLS` elements
            each, whose memory has no gaps (see :func:`memory_order`).
        titles: one title per tensor; by default its ``stride()``.
        figsize: the figure's size in inches; by default it grows with the number of tensors.

    Returns:
        The matplotlib ``Figure``.

    Shape:
        - each tensor: :math:`(N, C, H, W)`, all the same shape.
    """
    if not tensors:
        raise TypeError("draw_memory_order needs at least one tensor, e.g. draw_memory_order(x, "
                        "x.to(memory_format=torch.channels_last))")
    for k, x in enumerate(tensors):
        check.tensor(f"tensors[{k}]", x, ndim=4, layout="(N, C, H, W)", nonempty=True)
        if x.numel() > MAX_MEMORY_CELLS:
            raise ValueError(f"tensors[{k}] has {x.numel()} elements, more than the {MAX_MEMORY_CELLS} one picture "
                             f"can label; draw a small one such as torch.zeros(1, 3, 2, 2)")
        if x.shape != tensors[0].shape:
            raise ValueError(f"tensors[{k}] has shape {tuple(x.shape)} but tensors[0] has "
                             f"{tuple(tensors[0].shape)}; draw tensors of one shape together")
    if titles is None:
        titles = [f"stride {x.stride()}" for x in tensors]
    else:
        check.instance("titles", titles, (list, tuple), "a list with one title (a str) per tensor")
        for i, title in enumerate(titles):
            check.instance(f"titles[{i}]", title, str, "a str")
        if len(titles) != len(tensors):
            raise ValueError(f"titles must be a list with one title per tensor ({len(tensors)}), got "
                             f"{check.describe(titles)}")
    if figsize is None:
        figsize = (11, 1.5 + 1.25 * len(tensors))
    else:
        figsize = _figsize(figsize)
    fig, axes = plt.subplots(1 + len(tensors), 1, figsize=figsize,
                             gridspec_kw={"height_ratios": [1.6] + [1] * len(tensors)})
    _logical_view(axes[0], tuple(tensors[0].shape))
    for ax, x, title in zip(axes[1:], tensors, titles):
        _memory_strip(ax, x, str(title))
    fig.tight_layout()
    return fig
