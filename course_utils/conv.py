"""2-D convolution written from scratch, twice, to see what ``F.conv2d`` does.

- :func:`conv2d_loops` slides the kernel over the input one output pixel at a
  time: slow, but every line says what a convolution is.
- :func:`conv2d_unfold` copies every window into a column ("im2col", with
  ``F.unfold``) and does all the multiply-adds as one matrix product, the trick
  that made convolutions fast on CPUs and GPUs.

Both take exactly the arguments of :func:`torch.nn.functional.conv2d` (and the
``padding_mode`` of :class:`torch.nn.Conv2d`), give the same result (up to float
rounding) and refuse what they refuse, with an error that names the argument
and says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from . import _validate

__all__ = ["conv2d_loops", "conv2d_unfold", "PADDING_MODES"]

IntOrPair = int | tuple[int, int]

#: The ``padding_mode`` values of ``nn.Conv2d``: what the border is filled with.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


@dataclass
class _Conv2dPlan:
    """Checked arguments of one conv2d call, with the padding already applied."""

    padded: torch.Tensor  # (N, C_in, H + top + bottom, W + left + right)
    weight: torch.Tensor  # (C_out, C_in / groups, kH, kW)
    bias: torch.Tensor | None  # (C_out,) or None
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    out_size: tuple[int, int]  # (H_out, W_out)
    unbatched: bool  # the input was (C_in, H, W): drop the batch axis again at the end


def _check_tensors(input, weight, bias, groups: int) -> None:
    """Types, ranks, dtypes and devices of the tensors, and how their channels fit together."""
    _validate.tensor("input", input, ndim=(4, 3), dtype="real", layout="(N, C_in, H, W) or (C_in, H, W)")
    _validate.tensor("weight", weight, ndim=4, dtype="real", layout="(C_out, C_in/groups, kH, kW)")
    if bias is not None:
        _validate.tensor("bias", bias, ndim=1, layout="(C_out,)")
    _validate.same_dtype(weight=weight, input=input, bias=bias)  # weight first: the fix converts the input
    _validate.same_device(weight=weight, input=input, bias=bias)
    c_in, (c_out, c_in_per_group) = input.shape[-3], weight.shape[:2]
    if c_out == 0:
        raise ValueError(f"weight of shape {tuple(weight.shape)} has no filters: C_out = weight.shape[0] must be "
                         f"at least 1")
    if c_out % groups != 0:
        raise ValueError(f"weight.shape[0] = C_out = {c_out} must be divisible by groups={groups}, "
                         f"since each group has C_out/groups filters of its own")
    if c_in != c_in_per_group * groups:
        raise ValueError(
            f"input of shape {tuple(input.shape)} has {c_in} channels, but weight of shape "
            f"{tuple(weight.shape)} with groups={groups} expects input with weight.shape[1] * groups = "
            f"{c_in_per_group * groups} channels; channels come second in (N, C_in, H, W)")
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"bias must have shape (C_out,) = ({c_out},), one number per filter, "
                         f"got {tuple(bias.shape)}")
    if min(weight.shape[2:]) < 1:
        raise ValueError(f"weight's kernel size must be positive, got shape {tuple(weight.shape)}")


def _same_padding(kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) pixels that keep the size at stride 1, as PyTorch pads.

    The dilated kernel needs d(k-1) extra pixels; an odd total is split with the
    extra pixel at the right/bottom (PyTorch's choice for even kernels).
    """
    (kh, kw), (dh, dw) = kernel, dilation
    total_h, total_w = dh * (kh - 1), dw * (kw - 1)
    return (total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2)


def _padding_sides(padding, kernel, stride, dilation) -> tuple[int, int, int, int]:
    """``padding`` (int, pair, 'valid' or 'same') as (left, right, top, bottom), F.pad's order."""
    if not isinstance(padding, str):
        ph, pw = _validate.sizes("padding", padding, 2, minimum=0)
        return (pw, pw, ph, ph)
    _validate.one_of("padding", padding, ("same", "valid"))
    if padding == "valid":
        return (0, 0, 0, 0)
    if stride != (1, 1):
        raise ValueError(f"padding='same' is not supported for strided convolutions (stride={stride}), "
                         f"as in PyTorch; pad explicitly, e.g. padding=k//2")
    return _same_padding(kernel, dilation)


def _check_padding_fits(mode: str, sides, size: tuple[int, int]) -> None:
    """Refuse what F.pad refuses: reflect needs p < size, circular p <= size, both a non-empty input."""
    height, width = size
    for pad, length, axis in zip(sides, (width, width, height, height), ("width",) * 2 + ("height",) * 2):
        if mode == "reflect" and pad >= length:
            raise ValueError(
                f"padding {pad} in {axis} is too large for padding_mode='reflect' on an input of {height}×{width}: "
                f"a reflection repeats no border pixel, so it needs padding < {axis} ({length}), as F.pad "
                f"does; use less padding, or padding_mode='replicate'")
        if mode == "circular" and pad > length:
            raise ValueError(
                f"padding {pad} in {axis} is too large for padding_mode='circular' on an input of {height}×{width}: "
                f"the input would wrap around more than once; use padding <= {axis} ({length})")
        if mode == "replicate" and pad > 0 and length == 0:
            raise ValueError(f"padding_mode='replicate' needs a non-empty input to copy from, got "
                             f"{height}×{width}")


def _output_size(size, sides, kernel, stride, dilation) -> tuple[int, int]:
    left, right, top, bottom = sides
    padded_size = (size[0] + top + bottom, size[1] + left + right)
    out_size = []
    for axis, length, k, d, s in zip(("height", "width"), padded_size, kernel, dilation, stride):
        span = d * (k - 1) + 1  # pixels covered by the dilated kernel
        if span > length:
            raise ValueError(
                f"weight's kernel (size {kernel}, dilation {dilation}) spans {span} pixels in {axis} but the "
                f"padded input has only {length}; use a smaller kernel or more padding")
        out_size.append((length - span) // s + 1)
    return tuple(out_size)


def _plan(input, weight, bias, stride, padding, dilation, groups, padding_mode) -> _Conv2dPlan:
    """Check every argument the way F.conv2d and nn.Conv2d do, then pad the input.

    As ``nn.Conv2d`` does, every mode pads with ``F.pad(x, (left, right, top, bottom), mode)``
    (``'zeros'`` is F.pad's ``'constant'``) and the convolution itself then has no padding.
    """
    groups = _validate.positive_int("groups", groups)
    _check_tensors(input, weight, bias, groups)
    stride = _validate.sizes("stride", stride, 2, minimum=1)
    dilation = _validate.sizes("dilation", dilation, 2, minimum=1)
    _validate.one_of("padding_mode", padding_mode, PADDING_MODES)
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    sides = _padding_sides(padding, kernel, stride, dilation)
    _validate.fits_in_memory("padding", padding, x.shape[0] * x.shape[1] * (x.shape[2] + sides[2] + sides[3])
                             * (x.shape[3] + sides[0] + sides[1]), "the padded input", x.element_size())
    _check_padding_fits(padding_mode, sides, tuple(x.shape[2:]))
    out_size = _output_size(tuple(x.shape[2:]), sides, kernel, stride, dilation)
    if any(sides):
        x = F.pad(x, sides, mode="constant" if padding_mode == "zeros" else padding_mode)
    return _Conv2dPlan(x, weight, bias, stride, dilation, groups, out_size, unbatched)


def conv2d_loops(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                 stride: IntOrPair = 1, padding: IntOrPair | str = 0, dilation: IntOrPair = 1,
                 groups: int = 1, *, padding_mode: str = "zeros") -> torch.Tensor:
    r"""2-D convolution (cross-correlation) with explicit loops over the output.

    Each output pixel is the sum over one window of the input times the filter,
    plus the filter's bias:

    .. math::
        \text{out}[n, c, y, x] = \text{bias}[c] + \sum_{j, u, v}
        \text{input}[n, g C' + j,\; y s_h + u d_h,\; x s_w + v d_w]\;\text{weight}[c, j, u, v]

    where :math:`g` is the group of filter :math:`c` and :math:`C' = C_{in}/\text{groups}`.
    Same arguments and result as :func:`torch.nn.functional.conv2d`, plus the
    ``padding_mode`` of :class:`torch.nn.Conv2d`.

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or ``None``. Default: ``None``.
        stride: step between windows, int or ``(sH, sW)``. Default: 1.
        padding: pixels added on each side, int or ``(pH, pW)``, or ``'valid'`` (none) or
            ``'same'`` (output as large as the input; stride 1 only). Default: 0.
        dilation: spacing between kernel elements, int or ``(dH, dW)``. Default: 1.
        groups: split the channels into this many independent groups. Default: 1.
        padding_mode: what the added pixels hold, as in ``nn.Conv2d`` (keyword only):
            ``'zeros'``; ``'reflect'``, the input mirrored at its border without repeating
            the border pixel (needs padding smaller than the input); ``'replicate'``, copies
            of the border pixel; ``'circular'``, the opposite side of the input, as if it
            wrapped around (needs padding at most the input's size). Default: ``'zeros'``.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)` or :math:`(C_{in}, H, W)`
        - Output: :math:`(N, C_{out}, H_{out}, W_{out})` or :math:`(C_{out}, H_{out}, W_{out})`, with
          :math:`H_{out} = \lfloor (H + 2p_h - d_h(k_h - 1) - 1)/s_h \rfloor + 1` (likewise for W).

    Raises:
        ValueError, TypeError: for the arguments ``F.conv2d`` or ``nn.Conv2d`` refuse,
            naming the argument.

    Example::

        >>> x = torch.arange(25.).reshape(1, 1, 5, 5)
        >>> conv2d_loops(x, torch.ones(1, 1, 3, 3), stride=2).shape
        torch.Size([1, 1, 2, 2])
    """
    plan = _plan(input, weight, bias, stride, padding, dilation, groups, padding_mode)
    padded, w = plan.padded, plan.weight
    batch = padded.shape[0]
    c_out, c_in_per_group, kh, kw = w.shape
    out_per_group = c_out // plan.groups
    (h_out, w_out), (sh, sw), (dh, dw) = plan.out_size, plan.stride, plan.dilation
    out = torch.zeros(batch, c_out, h_out, w_out, dtype=padded.dtype, device=padded.device)
    for n in range(batch):
        for c in range(c_out):
            first = (c // out_per_group) * c_in_per_group  # filter c sees only its group's channels
            channels = slice(first, first + c_in_per_group)
            for row in range(h_out):
                for col in range(w_out):
                    top, left = row * sh, col * sw
                    window = padded[n, channels,
                                    top:top + dh * (kh - 1) + 1:dh,  # kH rows, d_h apart
                                    left:left + dw * (kw - 1) + 1:dw]  # kW columns, d_w apart
                    out[n, c, row, col] = (window * w[c]).sum()
    if plan.bias is not None:
        out += plan.bias.view(1, c_out, 1, 1)
    return out[0] if plan.unbatched else out


def _im2col(x: torch.Tensor, kernel, dilation, stride) -> torch.Tensor:
    """``F.unfold(x, kernel, dilation=..., stride=...)``, also for the dtypes and empty tensors it refuses.

    Shape: ``(N, C, H, W)`` -> ``(N, C * kH * kW, L)`` with ``L = H_out * W_out``.
    """
    if x.is_floating_point() and x.numel() > 0:
        return F.unfold(x, kernel, dilation=dilation, stride=stride)
    # F.unfold has no integer kernels on CPU: take the same windows with Tensor.unfold (a view).
    (kh, kw), (dh, dw), (sh, sw) = kernel, dilation, stride
    windows = x.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)[..., ::dh, ::dw]
    n, c, h_out, w_out = windows.shape[:4]  # windows: (N, C, H_out, W_out, kH, kW)
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, h_out * w_out)


def conv2d_unfold(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                  stride: IntOrPair = 1, padding: IntOrPair | str = 0, dilation: IntOrPair = 1,
                  groups: int = 1, *, padding_mode: str = "zeros") -> torch.Tensor:
    r"""2-D convolution as one matrix product ("im2col").

    ``F.unfold`` copies every window of the padded input into a column of a matrix
    of shape :math:`(N, C_{in} k_h k_w, L)`, one column per output pixel
    (:math:`L = H_{out} W_{out}`). Flattening each filter into a row gives a
    :math:`(C_{out}, C_{in} k_h k_w)` matrix, and their product is the output, with
    every window times every filter computed at once. With groups, each group of
    filters multiplies only its own block of rows.

    Same arguments and result as :func:`torch.nn.functional.conv2d`, plus the
    ``padding_mode`` of :class:`torch.nn.Conv2d`; see :func:`conv2d_loops` for the arguments.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)` or :math:`(C_{in}, H, W)`
        - Columns: :math:`(N, C_{in} k_h k_w, H_{out} W_{out})`
        - Output: :math:`(N, C_{out}, H_{out}, W_{out})` or :math:`(C_{out}, H_{out}, W_{out})`

    Example::

        >>> x = torch.randn(2, 3, 8, 8)
        >>> w = torch.randn(4, 3, 3, 3)
        >>> torch.allclose(conv2d_unfold(x, w, padding=1), F.conv2d(x, w, padding=1), atol=1e-5)
        True
        >>> conv = nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect")
        >>> torch.allclose(conv2d_unfold(x, conv.weight, conv.bias, padding=1, padding_mode="reflect"),
        ...                conv(x), atol=1e-5)
        True
    """
    plan = _plan(input, weight, bias, stride, padding, dilation, groups, padding_mode)
    x, w, g = plan.padded, plan.weight, plan.groups
    batch = x.shape[0]
    c_out, c_in_per_group, kh, kw = w.shape
    h_out, w_out = plan.out_size
    columns = _im2col(x, (kh, kw), plan.dilation, plan.stride)  # (N, C_in*kH*kW, L)
    # rows of one group are contiguous: channel-major, then kernel row, then kernel column
    columns = columns.reshape(batch, g, c_in_per_group * kh * kw, h_out * w_out)
    filters = w.reshape(g, c_out // g, c_in_per_group * kh * kw)  # one row per filter
    out = torch.matmul(filters, columns)  # (N, g, C_out/g, L): batched over samples and groups
    out = out.reshape(batch, c_out, h_out, w_out)
    if plan.bias is not None:
        out = out + plan.bias.view(1, c_out, 1, 1)
    return out[0] if plan.unbatched else out
