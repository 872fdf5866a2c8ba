"""Output sizes of convolution, transposed convolution and pooling.

Each function takes the sizes of one spatial dimension as ints, or of several
dimensions as tuples (an int is used for every dimension, as PyTorch does with
``kernel_size=3``), and returns what PyTorch computes: an int if every
argument was an int, else a tuple. Impossible settings raise a ``ValueError``
that says what is wrong and how to fix it, instead of PyTorch's
``RuntimeError`` deep inside a forward pass.

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
"""

from __future__ import annotations

from typing import Sequence, Tuple, Union

__all__ = ["conv_output_size", "conv_transpose_output_size", "pool_output_size"]

Size = Union[int, Tuple[int, ...]]


def _dims(function: str, **arguments) -> tuple[int | None, list[dict]]:
    """Split int-or-tuple arguments into one dict of ints per dimension.

    Returns ``(n, per_dim)`` where ``n`` is ``None`` when every argument was an
    int (so the caller returns an int) and the number of dimensions otherwise.
    """
    n = None
    for name, value in arguments.items():
        if isinstance(value, (tuple, list)):
            if len(value) == 0:
                raise ValueError(f"{function}: {name} is an empty {type(value).__name__}; "
                                 f"give an int or one int per spatial dimension")
            if n is not None and len(value) != n:
                raise ValueError(
                    f"{function}: {name}={tuple(value)} has {len(value)} dimensions but another "
                    f"argument has {n}; give every tuple the same length (or use an int for all)")
            n = len(value)
    per_dim = [dict() for _ in range(n or 1)]
    for name, value in arguments.items():
        values = list(value) if isinstance(value, (tuple, list)) else [value] * (n or 1)
        for dim, v in enumerate(values):
            # bool is a subclass of int, but padding=True is surely a mistake
            if isinstance(v, bool) or not isinstance(v, int):
                # torch.Size entries and numpy ints are fine; floats are not
                if hasattr(v, "__index__") and not isinstance(v, bool):
                    v = v.__index__()
                else:
                    raise ValueError(
                        f"{function}: {name} must be an int or a tuple of ints, got "
                        f"{value!r} ({type(v).__name__}); sizes are whole numbers of pixels")
            per_dim[dim][name] = v
    return n, per_dim


def _where(n: int | None, dim: int) -> str:
    return "" if n is None else f" in dimension {dim}"


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _check_common(function: str, n, dim: int, a: dict, positive=("i", "k", "s", "d"),
                  non_negative=("p",)) -> None:
    names = {"i": "input size i", "k": "kernel size k", "s": "stride s", "d": "dilation d",
             "p": "padding p", "output_padding": "output_padding"}
    for key in positive:
        _require(a[key] >= 1, f"{function}: {names[key]} must be at least 1, got {a[key]}"
                              f"{_where(n, dim)}")
    for key in non_negative:
        _require(a[key] >= 0, f"{function}: {names[key]} must be 0 or more, got {a[key]}"
                              f"{_where(n, dim)}; PyTorch has no negative (cropping) padding")


def _pack(n: int | None, sizes: Sequence[int]) -> Size:
    return sizes[0] if n is None else tuple(sizes)


def conv_output_size(i: Size, k: Size, s: Size = 1, p: Union[Size, str] = 0, d: Size = 1) -> Size:
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
        ValueError: if an argument is not a whole number in range, if the dilated
            kernel :math:`d(k-1)+1` is larger than the padded input :math:`i+2p`, or if
            ``p='same'`` is combined with a stride other than 1.

    Shape:
        Conv2d maps ``(N, C_in, H, W)`` to ``(N, C_out, H_out, W_out)`` with
        ``(H_out, W_out) = conv_output_size((H, W), k, s, p, d)``.
    """
    function = "conv_output_size"
    if isinstance(p, str):
        if p not in ("same", "valid"):
            raise ValueError(f"{function}: padding string must be 'same' or 'valid', got {p!r}")
        if p == "same":
            n, dims = _dims(function, i=i, k=k, s=s, d=d)
            for dim, a in enumerate(dims):
                _check_common(function, n, dim, dict(a, p=0))
                _require(a["s"] == 1,
                         f"{function}: padding='same' needs stride 1 (PyTorch: 'not supported for "
                         f"strided convolutions'), got s={a['s']}{_where(n, dim)}; "
                         f"pad explicitly, e.g. p=(k-1)//2")
            return _pack(n, [a["i"] for a in dims])
        p = 0
    n, dims = _dims(function, i=i, k=k, s=s, p=p, d=d)
    sizes = []
    for dim, a in enumerate(dims):
        _check_common(function, n, dim, a)
        span = a["d"] * (a["k"] - 1) + 1  # pixels covered by the dilated kernel
        padded = a["i"] + 2 * a["p"]
        _require(span <= padded,
                 f"{function}: the kernel (k={a['k']}, d={a['d']}) spans d(k-1)+1 = {span} pixels "
                 f"but the padded input is only i+2p = {a['i']}+2*{a['p']} = {padded}"
                 f"{_where(n, dim)}; use a smaller kernel or dilation, or more padding")
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
        ValueError: for arguments out of range, ``output_padding >= max(s, d)``, or an
            output smaller than 1 (padding larger than what the layer produces).

    Shape:
        ConvTranspose2d maps ``(N, C_in, H, W)`` to ``(N, C_out, H_out, W_out)`` with
        ``(H_out, W_out) = conv_transpose_output_size((H, W), k, s, p, output_padding, d)``.
    """
    function = "conv_transpose_output_size"
    n, dims = _dims(function, i=i, k=k, s=s, p=p, output_padding=output_padding, d=d)
    sizes = []
    for dim, a in enumerate(dims):
        _check_common(function, n, dim, a, non_negative=("p", "output_padding"))
        limit = max(a["s"], a["d"])
        _require(a["output_padding"] < limit,
                 f"{function}: output_padding must be smaller than max(stride, dilation) = "
                 f"{limit}, got output_padding={a['output_padding']}{_where(n, dim)}; it only "
                 f"chooses among the sizes a strided convolution rounds down to the same output")
        o = (a["i"] - 1) * a["s"] - 2 * a["p"] + a["d"] * (a["k"] - 1) + a["output_padding"] + 1
        _require(o >= 1,
                 f"{function}: the output size would be (i-1)s - 2p + d(k-1) + output_padding + 1"
                 f" = {o}{_where(n, dim)}; padding p={a['p']} removes more than the layer "
                 f"produces, use a smaller padding")
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
        ValueError: for arguments out of range, padding larger than half the kernel,
            or an output smaller than 1 (window larger than the padded input).

    Shape:
        MaxPool2d maps ``(N, C, H, W)`` to ``(N, C, H_out, W_out)`` with
        ``(H_out, W_out) = pool_output_size((H, W), k, s, p, d, ceil_mode)``.
    """
    function = "pool_output_size"
    if not isinstance(ceil_mode, bool):
        raise ValueError(f"{function}: ceil_mode must be True or False, got {ceil_mode!r}")
    if s is None:
        s = k
    n, dims = _dims(function, i=i, k=k, s=s, p=p, d=d)
    sizes = []
    for dim, a in enumerate(dims):
        _check_common(function, n, dim, a)
        _require(a["p"] <= a["k"] // 2,
                 f"{function}: padding must be at most half the kernel size, k//2 = "
                 f"{a['k'] // 2}, got p={a['p']}{_where(n, dim)} (PyTorch: 'pad should be "
                 f"smaller than or equal to half of kernel size'); a window would see only padding")
        span = a["d"] * (a["k"] - 1) + 1
        rounding = a["s"] - 1 if ceil_mode else 0
        o = (a["i"] + 2 * a["p"] - span + rounding) // a["s"] + 1  # // floors, as div_rtn does
        if ceil_mode and (o - 1) * a["s"] >= a["i"] + a["p"]:
            o -= 1  # the last window would start inside the right padding
        _require(o >= 1,
                 f"{function}: the window (k={a['k']}, d={a['d']}) spans {span} pixels but the "
                 f"padded input is only i+2p = {a['i'] + 2 * a['p']}{_where(n, dim)}, so the output "
                 f"would be {o}; use a smaller kernel or a larger input")
        sizes.append(o)
    return _pack(n, sizes)
