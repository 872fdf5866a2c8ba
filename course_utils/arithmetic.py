"""Output sizes of convolution, transposed convolution and pooling.

Each function takes the sizes of one spatial dimension as ints, or of several
dimensions as tuples (an int, or a one-element tuple, is used for every
dimension, as PyTorch does with ``kernel_size=3`` or ``stride=(2,)``), and
returns what PyTorch computes: an int if every argument was an int, else a
tuple. Impossible settings raise a ``ValueError`` that says what is wrong and
how to fix it, instead of PyTorch's ``RuntimeError`` deep inside a forward
pass; a float or a bool where a size belongs raises a ``TypeError``.

:func:`receptive_field` says how many input pixels one output unit of a stack
of convolutions and poolings sees.

Notation (Dumoulin & Visin, *A guide to convolution arithmetic*):
``i`` input size, ``k`` kernel size, ``s`` stride, ``p`` zero padding on each
side, ``d`` dilation, ``o`` output size.

Example::

    >>> conv_output_size(28, 3, p=1)
    28
    >>> conv_output_size((32, 20), 3, s=2, p=1)
    (16, 10)
    >>> conv_transpose_output_size(7, 4, s=2, p=1)
    14
    >>> pool_output_size(5, 3, s=2, p=1, ceil_mode=True)
    3
    >>> receptive_field([3, 3, 3])
    7
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import _validate

__all__ = ["conv_output_size", "conv_transpose_output_size", "pool_output_size", "receptive_field"]

Size = int | tuple[int, ...]

# Argument names as the learner typed them, with what they mean, for the messages.
_NAMES = {"i": "i (input size)", "k": "k (kernel size)", "s": "s (stride)", "p": "p (padding)",
          "d": "d (dilation)", "output_padding": "output_padding"}
_MINIMUM = {"i": 1, "k": 1, "s": 1, "p": 0, "d": 1, "output_padding": 0}


def _per_dimension(**arguments) -> tuple[int | None, list[dict[str, int]]]:
    """Check int-or-tuple arguments and split them into one dict of ints per dimension.

    Returns ``(n, per_dim)``: ``n`` is ``None`` when every argument was an int (the
    caller then returns an int), else the number of dimensions.
    """
    n, values = _validate.spatial_sizes(
        [(_NAMES[key], value, _MINIMUM[key]) for key, value in arguments.items()])
    return n, [dict(zip(arguments, column)) for column in zip(*values)]


def _where(n: int | None, dim: int) -> str:
    return "" if n is None else f" in dimension {dim}"


def _pack(n: int | None, sizes: Sequence[int]) -> Size:
    return sizes[0] if n is None else tuple(sizes)


def conv_output_size(i: Size, k: Size, s: Size = 1, p: Size | str = 0, d: Size = 1) -> Size:
    r"""Output size of ``nn.Conv1d/2d/3d`` along each spatial dimension.

    .. math::
        o = \left\lfloor \frac{i + 2p - d(k-1) - 1}{s} \right\rfloor + 1

    which is Dumoulin & Visin's Relationship 15; with ``d=1`` it is the familiar
    :math:`\lfloor (i + 2p - k)/s \rfloor + 1`.

    Args:
        i: input size (``H`` or ``W``), int or tuple.
        k: kernel size.
        s: stride. Default: 1.
        p: zero padding added to both sides, or ``'valid'`` (no padding) or
            ``'same'`` (output size equals input size; only with stride 1, as in PyTorch).
            Default: 0.
        d: dilation (spacing between kernel elements). Default: 1.

    Returns:
        The output size: an int if all arguments are ints, otherwise a tuple.

    Raises:
        TypeError: if a size is not a whole number (a float, a bool, a string).
        ValueError: if a size is out of range, if tuples have different lengths, if the
            dilated kernel :math:`d(k-1)+1` is larger than the padded input :math:`i+2p`,
            or if ``p='same'`` is combined with a stride other than 1.

    Shape:
        Conv2d maps ``(N, C_in, H, W)`` to ``(N, C_out, H_out, W_out)`` with
        ``(H_out, W_out) = conv_output_size((H, W), k, s, p, d)``.
    """
    if isinstance(p, str):
        _validate.one_of("p (padding)", p, ("same", "valid"))
        if p == "same":
            n, dims = _per_dimension(i=i, k=k, s=s, d=d)
            for dim, a in enumerate(dims):
                if a["s"] != 1:
                    raise ValueError(
                        f"p='same' needs stride 1 (PyTorch does not support it for strided convolutions), "
                        f"got s={a['s']}{_where(n, dim)}; pad explicitly, e.g. p=(k-1)//2")
            return _pack(n, [a["i"] for a in dims])
        p = 0
    n, dims = _per_dimension(i=i, k=k, s=s, p=p, d=d)
    sizes = []
    for dim, a in enumerate(dims):
        span = a["d"] * (a["k"] - 1) + 1  # pixels covered by the dilated kernel
        padded = a["i"] + 2 * a["p"]
        if span > padded:
            raise ValueError(
                f"k (kernel size) = {a['k']} with dilation d = {a['d']} spans d(k-1)+1 = {span} pixels but "
                f"the padded input is only i+2p = {a['i']}+2*{a['p']} = {padded}{_where(n, dim)}; "
                f"use a smaller kernel or dilation, or more padding")
        sizes.append((padded - span) // a["s"] + 1)
    return _pack(n, sizes)


def conv_transpose_output_size(i: Size, k: Size, s: Size = 1, p: Size = 0,
                               output_padding: Size = 0, d: Size = 1) -> Size:
    r"""Output size of ``nn.ConvTranspose1d/2d/3d`` along each spatial dimension.

    .. math::
        o = (i-1)s - 2p + d(k-1) + \text{output\_padding} + 1

    ``s`` and ``p`` are those of the *forward* convolution that this layer
    undoes, so ``conv_transpose_output_size(conv_output_size(x, k, s, p), k, s, p, a)``
    gives back ``x`` for the right ``a`` (Dumoulin & Visin, Relationship 14).

    Args:
        i: input size, int or tuple.
        k: kernel size.
        s: stride. Default: 1.
        p: padding of the forward convolution (removed from each side of the output). Default: 0.
        output_padding: extra rows/columns added at the bottom/right, to pick one of the
            ``s`` input sizes a strided convolution maps to the same output. Must be
            smaller than ``max(s, d)``. Default: 0.
        d: dilation. Default: 1.

    Returns:
        The output size: an int if all arguments are ints, otherwise a tuple.

    Raises:
        TypeError: if a size is not a whole number.
        ValueError: for arguments out of range, ``output_padding >= max(s, d)``, or an
            output smaller than 1 (padding larger than what the layer produces).

    Shape:
        ConvTranspose2d maps ``(N, C_in, H, W)`` to ``(N, C_out, H_out, W_out)`` with
        ``(H_out, W_out) = conv_transpose_output_size((H, W), k, s, p, output_padding, d)``.
    """
    n, dims = _per_dimension(i=i, k=k, s=s, p=p, output_padding=output_padding, d=d)
    sizes = []
    for dim, a in enumerate(dims):
        limit = max(a["s"], a["d"])
        if a["output_padding"] >= limit:
            raise ValueError(
                f"output_padding must be smaller than max(stride, dilation) = {limit}, got "
                f"output_padding={a['output_padding']}{_where(n, dim)}; it only chooses among the sizes "
                f"a strided convolution rounds down to the same output")
        o = (a["i"] - 1) * a["s"] - 2 * a["p"] + a["d"] * (a["k"] - 1) + a["output_padding"] + 1
        if o < 1:
            raise ValueError(
                f"p (padding) = {a['p']} removes more than the layer produces{_where(n, dim)}, so the output "
                f"size would be (i-1)s - 2p + d(k-1) + output_padding + 1 = {o}; use a smaller padding")
        sizes.append(o)
    return _pack(n, sizes)


def pool_output_size(i: Size, k: Size, s: Size | None = None, p: Size = 0, d: Size = 1,
                     ceil_mode: bool = False) -> Size:
    r"""Output size of ``nn.MaxPool1d/2d/3d`` and ``nn.AvgPool1d/2d/3d``.

    .. math::
        o = \left\lfloor \frac{i + 2p - d(k-1) - 1 + c\,(s-1)}{s} \right\rfloor + 1

    with :math:`c = 1` if ``ceil_mode`` else 0 (rounding up instead of down).
    With ``ceil_mode=True`` PyTorch drops the last window if it would start in the
    right padding, i.e. if :math:`(o-1)s \ge i + p`, then :math:`o \leftarrow o-1`.
    Average pooling has no dilation: use ``d=1`` for it.

    Args:
        i: input size, int or tuple.
        k: kernel (window) size.
        s: stride. Default: ``None``, which means ``s = k`` (non-overlapping windows),
            as in PyTorch's pooling layers.
        p: implicit padding on both sides (``-inf`` for max, zeros for average pooling);
            PyTorch requires ``p <= k // 2``. Default: 0.
        d: dilation (max pooling only). Default: 1.
        ceil_mode: round up instead of down, keeping a partial last window. Default: ``False``.

    Returns:
        The output size: an int if all arguments are ints, otherwise a tuple.

    Raises:
        TypeError: if a size is not a whole number, or ``ceil_mode`` is not a bool.
        ValueError: for arguments out of range, padding larger than half the kernel,
            or an output smaller than 1 (window larger than the padded input).

    Shape:
        MaxPool2d maps ``(N, C, H, W)`` to ``(N, C, H_out, W_out)`` with
        ``(H_out, W_out) = pool_output_size((H, W), k, s, p, d, ceil_mode)``.
    """
    _validate.boolean("ceil_mode", ceil_mode)
    n, dims = _per_dimension(i=i, k=k, s=k if s is None else s, p=p, d=d)
    sizes = []
    for dim, a in enumerate(dims):
        if a["p"] > a["k"] // 2:
            raise ValueError(
                f"p (padding) = {a['p']}{_where(n, dim)} is too large, as padding must be at most half the "
                f"kernel size, k//2 = {a['k'] // 2}, as in PyTorch's pooling layers; a window would see "
                f"only padding")
        span = a["d"] * (a["k"] - 1) + 1
        rounding = a["s"] - 1 if ceil_mode else 0
        o = (a["i"] + 2 * a["p"] - span + rounding) // a["s"] + 1  # // floors, as div_rtn does
        if ceil_mode and (o - 1) * a["s"] >= a["i"] + a["p"]:
            o -= 1  # the last window would start inside the right padding
        if o < 1:
            raise ValueError(
                f"k (kernel size) = {a['k']} with dilation d = {a['d']} gives a window that spans {span} pixels but "
                f"the padded input is only i+2p = {a['i'] + 2 * a['p']}{_where(n, dim)}, so the output "
                f"would be {o}; use a smaller kernel or a larger input")
        sizes.append(o)
    return _pack(n, sizes)


def receptive_field(kernel_sizes: Sequence[int], strides: int | Sequence[int] = 1,
                    dilations: int | Sequence[int] = 1) -> int:
    r"""Receptive field of one output unit after a stack of convolutions or poolings.

    The number of input pixels along one side (height or width) that can influence
    one unit of the last layer's output. For layers :math:`l = 1, \dots, L` with
    kernel size :math:`k_l`, stride :math:`s_l` and dilation :math:`d_l`:

    .. math::
        r = 1 + \sum_{l=1}^{L} d_l (k_l - 1) \prod_{j<l} s_j

    Each layer widens the field by its dilated kernel minus one, :math:`d_l(k_l-1)`,
    counted in units of the layers below: a pixel of layer :math:`l`'s input is
    :math:`\prod_{j<l} s_j` pixels apart from its neighbour in the network's input.
    Padding does not change :math:`r` (it only moves where the field lies, and
    near the border part of it falls on padding). Pooling layers count like
    convolutions with their window as kernel. :math:`r` is the distance from the
    first to the last input pixel that reaches the unit, plus one: with dilation,
    or a stride larger than the next kernel, some pixels in between do not.

    Reference: Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional
    Neural Networks", *Distill*, 2019, https://distill.pub/2019/computing-receptive-fields/
    (section "Single-path networks"; a dilated kernel counts with its effective size
    :math:`d(k-1)+1`).

    Args:
        kernel_sizes: one kernel (or pooling window) size per layer, first layer first.
        strides: one stride per layer, or an int used for every layer. Default: 1.
        dilations: one dilation per layer, or an int used for every layer. Default: 1.

    Returns:
        :math:`r`, the side of the square of input pixels one output unit sees
        (for square kernels; apply it to heights and widths separately otherwise).

    Raises:
        TypeError: if ``kernel_sizes`` is not a list or tuple, or an entry is not an int.
        ValueError: for sizes below 1 or lists whose length differs from ``kernel_sizes``.

    Shape:
        A stack mapping ``(N, C, H, W)`` to ``(N, C', H', W')``: output unit
        ``[:, :, y, x]`` depends on an ``r × r`` window of every input channel.

    Example::

        >>> receptive_field([3, 3, 3])                   # three 3x3 convolutions
        7
        >>> receptive_field([3, 3], strides=[2, 1])      # a stride-2 conv, then a 3x3 conv
        7
        >>> receptive_field([7, 3, 3, 3], strides=[2, 2, 1, 1])  # ResNet18's stem and first block
        27
    """
    kernels = _validate.per_layer("kernel_sizes", kernel_sizes)
    strides = _validate.per_layer("strides", strides, layers=len(kernels))
    dilations = _validate.per_layer("dilations", dilations, layers=len(kernels))
    jumps = [math.prod(strides[:layer]) for layer in range(len(kernels))]  # input pixels per step of layer l
    return 1 + sum(d * (k - 1) * jump for k, d, jump in zip(kernels, dilations, jumps))
