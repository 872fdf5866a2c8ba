"""Pictures for notebook 05 (dynamic inputs): lengths cut into bins, sequences padded and packed.

- :func:`draw_adaptive_bins`: which input cells each output of adaptive average
  pooling averages, along one axis (the bins may overlap).
- :func:`show_at_sizes`: one image at several sizes, with the square one
  convolution kernel covers at each size.
- :func:`draw_padded_vs_packed`: a padded batch of sequences of different
  lengths next to the ``PackedSequence`` that ``pack_padded_sequence`` makes of it.

The diagrams draw what PyTorch computes, not a formula: the bins are read off
``F.adaptive_avg_pool1d`` applied to one-hot inputs, the packed layout off
``pack_padded_sequence`` applied to a batch whose every step holds its own
(sequence, step) number.

    >>> from course_utils.viz import draw_padded_vs_packed
    >>> fig = draw_padded_vs_packed([2, 5, 3])
"""

from __future__ import annotations

import string

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence

from course_utils import _validate as check

__all__ = ["adaptive_bins_of_torch", "draw_adaptive_bins", "show_at_sizes", "packed_layout", "draw_padded_vs_packed"]

_SHARED = "0.82"     # an input cell that belongs to two bins
_PAD = "#e6e6e6"     # a padding cell
_EDGE = "#333333"
_MAX_SIDE = 16       # cells per axis that still make a readable picture
_MAX_SEQUENCES = 8
_MIN_WIDTH = 6       # cells of room per panel, so that the titles fit even for short sequences


def adaptive_bins_of_torch(size_in: int, size_out: int) -> list[tuple[int, int]]:
    """The bins of ``F.adaptive_avg_pool1d`` from ``size_in`` to ``size_out``, as PyTorch computes them.

    Output ``j`` averages input cells ``start_j ≤ i < end_j``; the bins are found by
    pooling one-hot inputs (input ``i`` is in bin ``j`` exactly when its one-hot
    vector gives output ``j`` a non-zero weight).

    Returns:
        ``[(start_0, end_0), …]``, one ``(start, end)`` pair per output, ``end`` exclusive.
    """
    size_in = check.positive_int("size_in", size_in)
    size_out = check.positive_int("size_out", size_out)
    # row i: input i one-hot; column j: output j. A bin is a contiguous run of inputs.
    reached = F.adaptive_avg_pool1d(torch.eye(size_in, dtype=torch.float64).unsqueeze(1), size_out)[:, 0] != 0
    starts = reached.int().argmax(dim=0)                               # the first input reaching output j
    ends = size_in - reached.flip(0).int().argmax(dim=0)               # one past the last
    return list(zip(starts.tolist(), ends.tolist()))


def draw_adaptive_bins(size_in: int, size_out: int, ax=None):
    """Draw the input cells ``0 … size_in-1`` and, under them, one bar per output bin.

    Cells that belong to two bins are grey; each bar is labelled ``out j: [start, end)``.

    Args:
        size_in: input length :math:`I` (at most 16, to stay readable).
        size_out: output length :math:`O` (at most 16).
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    import matplotlib.pyplot as plt

    check.positive_int("size_in", size_in, maximum=_MAX_SIDE)
    check.positive_int("size_out", size_out, maximum=_MAX_SIDE)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * size_in + 2.2, 0.32 * size_out + 1.2))
    check.instance("ax", ax, plt.Axes, "a matplotlib Axes (e.g. from plt.subplots()) or None")
    bins = adaptive_bins_of_torch(size_in, size_out)
    for i in range(size_in):
        shared = sum(start <= i < end for start, end in bins) > 1
        ax.add_patch(plt.Rectangle((i, 0), 1, 1, facecolor=_SHARED if shared else "white", edgecolor=_EDGE))
        ax.text(i + 0.5, 0.5, str(i), ha="center", va="center", fontsize=11)
    for j, (start, end) in enumerate(bins):
        y = -0.7 * (j + 1)
        ax.add_patch(plt.Rectangle((start, y), end - start, 0.5, color=f"C{j % 10}", alpha=0.6))
        ax.text(end + 0.1, y + 0.25, f"out {j}: [{start}, {end})", va="center", fontsize=10)
    ax.set_xlim(-0.2, size_in + 3.6)
    ax.set_ylim(-0.7 * size_out - 0.3, 1.1)
    ax.set_title(f"I = {size_in}, O = {size_out}", loc="left", fontsize=12)
    ax.axis("off")
    return ax


def _image_2d(name: str, image) -> torch.Tensor:
    image = check.tensor(name, image, ndim=(2, 3), dtype="real", layout="(H, W) or (1, H, W)")
    if image.dim() == 3:
        if image.shape[0] != 1:
            raise ValueError(f"{name} must be (H, W) or (1, H, W), one grey image, got shape {tuple(image.shape)}")
        image = image[0]
    if image.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(image.shape)}); there is nothing to show")
    return image.detach().float().cpu()


def show_at_sizes(images, kernel_size: int = 3, panel_inches: float = 2.4):
    """Show one picture at several sizes, each panel equally wide, with a kernel-sized square in its corner.

    The red square is ``kernel_size``×``kernel_size`` pixels *of that panel's image*:
    the larger the image, the smaller the part of the picture one convolution
    kernel covers. Each panel is titled with its size.

    Args:
        images: a list of grey images, each ``(H, W)`` or ``(1, H, W)`` (e.g. one digit resized
            with ``F.interpolate`` to several sizes).
        kernel_size: side of the square drawn, in pixels. Default: 3.
        panel_inches: the width of each panel. Default: 2.4.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    check.instance("images", images, (list, tuple), "a list of (H, W) or (1, H, W) tensors")
    if not images:
        raise ValueError("images is empty; give at least one image")
    pictures = [_image_2d(f"images[{i}]", image) for i, image in enumerate(images)]
    kernel_size = check.positive_int("kernel_size", kernel_size)
    panel_inches = check.number("panel_inches", panel_inches, minimum=0.5, maximum=10)
    fig, axes = plt.subplots(1, len(pictures), figsize=(panel_inches * len(pictures), panel_inches + 0.4),
                             squeeze=False)
    for ax, picture in zip(axes[0], pictures):
        height, width = picture.shape
        ax.imshow(picture.numpy(), cmap="gray", extent=(0, width, height, 0))
        ax.add_patch(plt.Rectangle((1, 1), kernel_size, kernel_size, fill=False, edgecolor="red", linewidth=2))
        ax.set_title(f"{height}×{width}", fontsize=13)
        ax.axis("off")
    return fig


def packed_layout(lengths) -> tuple[list[list[tuple[int, int]]], list[int]]:
    """Where each real step of a padded batch lands in ``pack_padded_sequence(...).data``.

    The batch is packed with ``batch_first=True, enforce_sorted=False``; every step
    ``(b, t)`` carries its own numbers, so the packed rows can be read back.

    Args:
        lengths: the length of each sequence (a list of ints ≥ 1, or a 1-D integer tensor).

    Returns:
        ``(columns, sorted_indices)``: ``columns[t]`` lists the ``(b, t)`` steps that
        ``data`` holds for time step ``t``, in the order of its rows
        (``len(columns[t])`` is ``batch_sizes[t]``); ``sorted_indices`` is the order
        PyTorch sorted the sequences in (longest first).
    """
    lengths = check.sequence_lengths("lengths", lengths)
    longest = max(lengths)
    steps = torch.arange(longest, dtype=torch.float64)
    numbers = torch.arange(len(lengths), dtype=torch.float64)[:, None] * (longest + 1) + steps  # b·(L+1) + t
    packed = pack_padded_sequence(numbers.unsqueeze(-1), torch.tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    codes = packed.data[:, 0].long().tolist()
    columns, row = [], 0
    for size in packed.batch_sizes.tolist():
        columns.append([divmod(code, longest + 1) for code in codes[row:row + size]])
        row += size
    return columns, packed.sorted_indices.tolist()


def _step_name(b: int, t: int) -> str:
    return f"{string.ascii_uppercase[b]}{t}"


def _draw_padded(ax, lengths: list[int]) -> None:
    import matplotlib.pyplot as plt

    longest = max(lengths)
    for b, length in enumerate(lengths):
        y = len(lengths) - 1 - b
        for t in range(longest):
            real = t < length
            ax.add_patch(plt.Rectangle((t, y), 1, 1, facecolor=f"C{b}" if real else _PAD,
                                       alpha=0.45 if real else 1.0, edgecolor=_EDGE))
            ax.text(t + 0.5, y + 0.5, _step_name(b, t) if real else "0", ha="center", va="center",
                    fontsize=12, color="black" if real else "0.45")
        ax.text(-0.15, y + 0.5, f"seq {b} (len {length})", ha="right", va="center", fontsize=12)
    for t in range(longest):
        ax.text(t + 0.5, len(lengths) + 0.3, f"t={t}", ha="center", va="center", fontsize=11)
    padding = len(lengths) * longest - sum(lengths)
    ax.set_title(f"padded: (N, L_max) = ({len(lengths)}, {longest})\n{padding} of "
                 f"{len(lengths) * longest} cells are padding", fontsize=12, loc="left")
    ax.set_xlim(-3.2, max(longest, _MIN_WIDTH) + 0.2)
    ax.set_ylim(-1.0, len(lengths) + 0.8)


def _draw_packed(ax, columns: list[list[tuple[int, int]]], sorted_indices: list[int], rows: int) -> None:
    import matplotlib.pyplot as plt

    row = 0
    for t, column in enumerate(columns):
        for k, (b, step) in enumerate(column):
            y = rows - 1 - k
            ax.add_patch(plt.Rectangle((t, y), 1, 1, facecolor=f"C{b}", alpha=0.45, edgecolor=_EDGE))
            ax.text(t + 0.5, y + 0.62, _step_name(b, step), ha="center", va="center", fontsize=12)
            ax.text(t + 0.5, y + 0.2, f"#{row}", ha="center", va="center", fontsize=9, color="0.3")
            row += 1
        ax.text(t + 0.5, -0.5, str(len(column)), ha="center", va="center", fontsize=12, fontweight="bold")
        ax.text(t + 0.5, rows + 0.3, f"t={t}", ha="center", va="center", fontsize=11)
    ax.text(-0.15, -0.5, "batch_sizes", ha="right", va="center", fontsize=12, fontweight="bold")
    ax.set_title(f"packed: data has {row} row{'' if row == 1 else 's'} (#), time-major\n"
                 f"sorted_indices = {sorted_indices}",
                 fontsize=12, loc="left")
    ax.set_xlim(-2.6, max(len(columns), _MIN_WIDTH) + 0.2)
    ax.set_ylim(-1.0, rows + 0.8)


def draw_padded_vs_packed(lengths=(2, 5, 3), figsize=None):
    """Draw a padded batch of sequences (left) next to its ``PackedSequence`` (right).

    Left: the padded ``(N, L_max)`` grid, one row per sequence, step ``t`` of
    sequence ``b`` written as a letter and a number (``A0``, ``A1``, … for sequence
    0), padding cells grey with ``0``. Right: ``packed.data`` as one column per
    time step; column ``t`` holds the ``batch_sizes[t]`` sequences still running at
    step ``t``, longest first, and the small numbers give each step's row in
    ``data`` (time-major). Everything is read from ``pack_padded_sequence``.

    Args:
        lengths: the length of each sequence: up to 8 sequences of 1 to 16 steps.
        figsize: the figure size in inches; by default it grows with the batch.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    values = check.sequence_lengths("lengths", lengths)
    if len(values) > _MAX_SEQUENCES or max(values) > _MAX_SIDE:
        raise ValueError(f"lengths: the picture stays readable for up to {_MAX_SEQUENCES} sequences of at most "
                         f"{_MAX_SIDE} steps, got {len(values)} sequences up to {max(values)} steps; draw a "
                         f"smaller batch")
    columns, sorted_indices = packed_layout(values)
    span = max(max(values), _MIN_WIDTH)
    if figsize is None:
        figsize = (0.55 * (2 * span + 6.2), 0.55 * (len(values) + 1.8) + 0.7)
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [span + 3.4,
                                                                                           span + 2.8]})
    _draw_padded(left, values)
    _draw_packed(right, columns, sorted_indices, rows=len(values))
    for ax in (left, right):
        ax.set_aspect("equal")
        ax.axis("off")
    return fig
