"""Diagrams of ResNet18 (07): its two kinds of residual block, and its stages with their shapes.

Every shape and parameter count written in a diagram is measured while drawing, by
running ``course_utils.models.ResNet18`` / ``BasicBlock`` on a batch of zeros
(:func:`course_utils.shapes.trace_shapes`), so a picture cannot disagree with the model.

    >>> from course_utils.viz import draw_resnet18_stages
    >>> fig = draw_resnet18_stages(image_size=224)
"""

from __future__ import annotations

import ast

from course_utils import _validate as check

__all__ = ["resnet18_stage_shapes", "draw_resnet18_stages", "draw_basic_blocks"]

_LINE = "#333333"
_CONV = "#f6d365"      # a learned conv layer
_NORM = "#dbe9f6"      # BatchNorm
_ACT = "#f7b2bd"       # ReLU and the addition
_STEM = "#c9ced6"
_HEAD = "#f4b183"
_STAGES = ["#b9d7ea", "#8fbfe0", "#5f9fd0", "#3a78b5"]  # layer1-4: darker as channels grow
_TEXT = "#1f2d3d"

# the children of ResNet18 the stage diagram draws, with their labels
_STAGE_LABELS = {"conv1": "conv1\nbn1, relu", "maxpool": "maxpool", "layer1": "layer1", "layer2": "layer2",
                 "layer3": "layer3", "layer4": "layer4", "avgpool": "avgpool\nflatten", "fc": "fc"}


def _shape(text: str) -> tuple[int, ...]:
    """``"(1, 64, 56, 56)"`` → ``(64, 56, 56)``: one sample's shape from a trace_shapes cell."""
    return tuple(ast.literal_eval(text))[1:]


def resnet18_stage_shapes(image_size: int = 224, in_channels: int = 3, num_classes: int = 1000) -> list[dict]:
    """Run ``ResNet18`` on one blank image and return what each stage outputs.

    Args:
        image_size: height and width of the (square) input image.
        in_channels: channels of the input (3 for RGB, 1 for grey digits).
        num_classes: outputs of the last layer.

    Returns:
        One dict per stage, in order, with keys ``name`` (the child's name, e.g. ``"layer2"``;
        the stem's ``bn1`` and ``relu`` are folded into ``"conv1"``), ``shape`` (one sample's
        output shape, e.g. ``(128, 28, 28)``) and ``params`` (its parameter count, the stem's
        including ``bn1``). The first entry is the input, named ``"input"``, with 0 parameters.

    Shape:
        - the image traced: :math:`(1, C_{in}, \\text{image\\_size}, \\text{image\\_size})`
    """
    import torch

    from course_utils.models import ResNet18
    from course_utils.shapes import trace_shapes

    image_size = check.positive_int("image_size", image_size)
    in_channels = check.positive_int("in_channels", in_channels)
    num_classes = check.positive_int("num_classes", num_classes)
    # the largest tensors: the stem's 64 maps (at half the image's size, 64 · size² / 4 numbers), and the image
    check.fits_in_memory("image_size", image_size, 16 * image_size**2, "the stem's feature maps")
    check.fits_in_memory("in_channels", in_channels, in_channels * image_size**2, "the image")
    model = ResNet18(num_classes=num_classes, in_channels=in_channels).eval()
    table = trace_shapes(model, torch.zeros(1, in_channels, image_size, image_size), depth=1)
    stages = [{"name": "input", "shape": (in_channels, image_size, image_size), "params": 0}]
    for name in _STAGE_LABELS:
        params = table[name].params + (table["bn1"].params if name == "conv1" else 0)
        shape = _shape(table["relu"].output_shapes if name == "conv1" else table[name].output_shapes)
        stages.append({"name": name, "shape": shape, "params": params})
    return stages


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _fmt_params(n: int) -> str:
    if n == 0:
        return "no weights"
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} M params"
    return f"{n / 1e3:.1f} k params" if n >= 1_000 else f"{n} params"


def _box(ax, x, y, width, height, colour, text="", fontsize=12, zorder=3, text_colour=_TEXT):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=colour, edgecolor=_LINE, linewidth=1.0, zorder=zorder))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_colour, zorder=zorder + 1)


def _arrow(ax, start, end, text="", fontsize=11):
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=_LINE, linewidth=1.5, mutation_scale=13,
                                shrinkA=0, shrinkB=0))
    if text:
        ax.text((start[0] + end[0]) / 2, start[1] + 0.12, text, ha="center", va="bottom",
                fontsize=fontsize, color="#7a3b00", zorder=5)


def _stage_colour(name: str) -> str:
    if name.startswith("layer"):
        return _STAGES[int(name[-1]) - 1]
    return {"input": "#ffffff", "fc": _HEAD, "avgpool": _HEAD}.get(name, _STEM)


def _figure(ax, figsize, xlim, ylim):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    check.instance("ax", ax, plt.Axes, "a matplotlib Axes (e.g. from plt.subplots()) or None")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.axis("off")
    return ax.figure, ax


def draw_resnet18_stages(image_size: int = 224, in_channels: int = 3, num_classes: int = 1000, ax=None):
    """Draw ResNet18 stage by stage: each stage's output shape and parameter count, measured.

    A box's height grows with the side of the feature map it outputs (on a square-root
    scale), its colour darkens as the channels double; an arrow marked "/2" halves the
    height and width.

    Args:
        image_size, in_channels, num_classes: the input and output, as in
            :func:`resnet18_stage_shapes`.
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Figure``.
    """
    stages = resnet18_stage_shapes(image_size, in_channels, num_classes)
    fig, ax = _figure(ax, (13.0, 3.6), (-0.85, 2 * len(stages) - 1.15), (-1.65, 2.35))
    largest = max(s["shape"][-1] for s in stages if len(s["shape"]) == 3)
    for i, stage in enumerate(stages):
        x, shape = 2.0 * i, stage["shape"]
        side = shape[-1] if len(shape) == 3 else 1
        height = 0.5 + 1.8 * (side / largest) ** 0.5  # boxes stand on one line, taller for larger maps
        dark = stage["name"] in ("layer3", "layer4")
        _box(ax, x, -0.45 + height / 2, 1.45, height, _stage_colour(stage["name"]),
             _STAGE_LABELS.get(stage["name"], "input"), fontsize=12, text_colour="white" if dark else _TEXT)
        ax.text(x, -0.8, _fmt_shape(shape), ha="center", va="center", fontsize=12, color=_TEXT)
        ax.text(x, -1.3, _fmt_params(stage["params"]), ha="center", va="center", fontsize=11, color="#555555")
        if i:
            before = stages[i - 1]["shape"]
            halves = len(shape) == 3 and len(before) == 3 and shape[-1] < before[-1] and stage["name"] != "avgpool"
            _arrow(ax, (x - 2.0 + 0.74, -0.2), (x - 0.74, -0.2), "/2" if halves else "")
    total = sum(s["params"] for s in stages)
    ax.set_title(f"ResNet18 on a {in_channels}×{image_size}×{image_size} image: output shape (C×H×W) and "
                 f"parameters of each stage, {total:,} in all", fontsize=13)
    fig.tight_layout()
    return fig


def _block_row(ax, y, stride: int, in_shape, out_shape, label: str) -> None:
    """One BasicBlock drawn left to right at height ``y``, its shortcut below."""
    xs = [1.2, 2.6, 3.7, 4.8, 6.0, 7.1, 8.3]
    _box(ax, xs[0], y, 1.25, 0.6, _CONV, f"conv 3×3\nstride {stride}", fontsize=11)
    _box(ax, xs[1], y, 0.8, 0.6, _NORM, "BN", fontsize=12)
    _box(ax, xs[2], y, 0.85, 0.6, _ACT, "ReLU", fontsize=12)
    _box(ax, xs[3], y, 1.1, 0.6, _CONV, "conv 3×3", fontsize=11)
    _box(ax, xs[4], y, 0.8, 0.6, _NORM, "BN", fontsize=12)
    _box(ax, xs[5], y, 0.55, 0.55, _ACT, "+", fontsize=15)
    _box(ax, xs[6], y, 0.85, 0.6, _ACT, "ReLU", fontsize=12)
    ax.text(-0.5, y, "x\n" + _fmt_shape(in_shape), ha="center", va="center", fontsize=12, color=_TEXT)
    ax.text(9.6, y, "y\n" + _fmt_shape(out_shape), ha="center", va="center", fontsize=12, color=_TEXT)
    widths = [1.25, 0.8, 0.85, 1.1, 0.8, 0.55, 0.85]
    _arrow(ax, (0.2, y), (xs[0] - widths[0] / 2, y))
    for i in range(len(xs) - 1):
        _arrow(ax, (xs[i] + widths[i] / 2, y), (xs[i + 1] - widths[i + 1] / 2, y))
    _arrow(ax, (xs[-1] + widths[-1] / 2, y), (9.0, y))
    below = y - 1.0
    ax.plot([0.35, 0.35, xs[5]], [y, below, below], color=_LINE, linewidth=1.5, zorder=1)
    _arrow(ax, (xs[5], below), (xs[5], y - 0.28))
    if stride == 1 and in_shape == out_shape:
        ax.text(3.7, below + 0.1, "identity: x itself", ha="center", va="bottom", fontsize=12, color=_TEXT)
    else:
        _box(ax, 3.7, below, 3.9, 0.5, _CONV, f"downsample: conv 1×1, stride {stride} → BN", fontsize=11, zorder=4)
    ax.text(-0.9, y + 0.62, label, ha="left", va="bottom", fontsize=13, color=_TEXT, weight="bold")


def draw_basic_blocks(ax=None):
    """Draw ResNet18's two kinds of ``BasicBlock``: with the identity shortcut, and with ``downsample``.

    The shapes written at ``x`` and ``y`` are those of ``layer1.0`` and ``layer2.0`` on a
    224×224 image, measured by running ``BasicBlock(64, 64)`` and ``BasicBlock(64, 128, stride=2)``
    on a 64×56×56 input.

    Args:
        ax: a matplotlib ``Axes`` to draw into; a new figure if ``None``.

    Returns:
        The ``Figure``.
    """
    import torch

    from course_utils.models import BasicBlock

    fig, ax = _figure(ax, (11.0, 4.6), (-1.0, 10.3), (-2.75, 2.1))
    x = torch.zeros(1, 64, 56, 56)
    for y, (out_channels, stride, label) in zip(
            (1.1, -1.35), ((64, 1, "same shape (layer1, and the 2nd block of each stage)"),
                           (128, 2, "downsampling (1st block of layer2-4)"))):
        with torch.no_grad():
            out = BasicBlock(64, out_channels, stride).eval()(x)
        _block_row(ax, y, stride, tuple(x.shape[1:]), tuple(out.shape[1:]), label)
    fig.tight_layout()
    return fig
