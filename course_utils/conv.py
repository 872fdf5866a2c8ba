"""2-D convolution written from scratch, twice, to see what ``F.conv2d`` does.

- :func:`conv2d_loops` slides the kernel over the input one output pixel at a
  time: slow, but every line says what a convolution is.
- :func:`conv2d_unfold` copies every window into a column ("im2col", with
  ``F.unfold``) and does all the multiply-adds as one matrix product, the trick
  that made convolutions fast on CPUs and GPUs.

Both take exactly the arguments of :func:`torch.nn.functional.conv2d`, give the
same result (up to float rounding) and refuse what it refuses, with an error
that names the argument and says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F

__all__ = ["conv2d_loops", "conv2d_unfold"]

IntOrPair = Union[int, Tuple[int, int]]


@dataclass
class _Conv2dPlan:
    """Checked arguments of one conv2d call, with padding turned into explicit zeros."""

    padded: torch.Tensor  # (N, C_in, H + top + bottom, W + left + right)
    weight: torch.Tensor  # (C_out, C_in / groups, kH, kW)
    bias: Optional[torch.Tensor]  # (C_out,) or None
    stride: Tuple[int, int]
    dilation: Tuple[int, int]
    groups: int
    out_size: Tuple[int, int]  # (H_out, W_out)
    unbatched: bool  # the input was (C_in, H, W): drop the batch axis again at the end


def _pair(function: str, name: str, value, minimum: int) -> Tuple[int, int]:
    if isinstance(value, (tuple, list, torch.Size)):
        values = tuple(value)
        if len(values) == 1:
            values = values * 2
    else:
        values = (value, value)
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise TypeError(f"{function}: {name} must be an int or a pair of ints (height, width), got {value!r}")
    if min(values) < minimum:
        bound = "positive" if minimum == 1 else "0 or more"
        raise ValueError(f"{function}: {name} must be {bound} in both dimensions, got {value!r}")
    return values


def _same_padding(kernel: Tuple[int, int], dilation: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """(left, right, top, bottom) zeros that keep the size at stride 1, as PyTorch pads.

    The dilated kernel needs d(k-1) extra pixels; an odd total is split with the
    extra pixel at the right/bottom (PyTorch's choice for even kernels).
    """
    (kh, kw), (dh, dw) = kernel, dilation
    total_h, total_w = dh * (kh - 1), dw * (kw - 1)
    return (total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2)


def _plan(function, input, weight, bias, stride, padding, dilation, groups) -> _Conv2dPlan:
    """Check every argument the way F.conv2d does, but with errors that explain themselves."""
    for name, tensor in (("input", input), ("weight", weight)):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{function}: {name} must be a torch.Tensor, got {type(tensor).__name__}")
    if input.dim() not in (3, 4):
        raise ValueError(
            f"{function}: input must be 4-D (N, C_in, H, W) or 3-D (C_in, H, W), got shape "
            f"{tuple(input.shape)}; add a batch axis with input.unsqueeze(0) or check the layer order")
    if weight.dim() != 4:
        raise ValueError(f"{function}: weight must be 4-D (C_out, C_in/groups, kH, kW), got shape "
                         f"{tuple(weight.shape)}")
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"{function}: groups must be an int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{function}: groups must be 1 or more, got {groups}")
    if input.dtype == torch.bool or weight.dtype == torch.bool:
        raise TypeError(f"{function}: boolean tensors cannot be convolved; convert with .float()")
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    c_in, c_out, c_in_per_group = x.shape[1], weight.shape[0], weight.shape[1]
    if c_out % groups != 0:
        raise ValueError(f"{function}: weight.shape[0] = C_out = {c_out} must be divisible by groups={groups}, "
                         f"since each group has C_out/groups filters of its own")
    if c_in != c_in_per_group * groups:
        raise ValueError(
            f"{function}: weight of shape {tuple(weight.shape)} with groups={groups} expects input with "
            f"weight.shape[1] * groups = {c_in_per_group * groups} channels, but input of shape "
            f"{tuple(input.shape)} has {c_in}; channels come second in (N, C_in, H, W)")
    if weight.dtype != x.dtype:
        raise TypeError(f"{function}: input is {x.dtype} but weight is {weight.dtype}; make them the same, "
                        f"e.g. input.to(weight.dtype)")
    if bias is not None:
        if not isinstance(bias, torch.Tensor):
            raise TypeError(f"{function}: bias must be a torch.Tensor or None, got {type(bias).__name__}")
        if bias.shape != (c_out,):
            raise ValueError(f"{function}: bias must have shape (C_out,) = ({c_out},), one number per filter, "
                             f"got {tuple(bias.shape)}")
        if bias.dtype != x.dtype:
            raise TypeError(f"{function}: bias is {bias.dtype} but input is {x.dtype}; make them the same")
    devices = {t.device for t in (x, weight, bias) if t is not None}
    if len(devices) > 1:
        raise ValueError(f"{function}: input, weight and bias are on different devices {sorted(map(str, devices))}; "
                         f"move them with .to(device)")

    kernel = (weight.shape[2], weight.shape[3])
    if min(kernel) < 1:
        raise ValueError(f"{function}: kernel size must be positive, got weight of shape {tuple(weight.shape)}")
    stride = _pair(function, "stride", stride, 1)
    dilation = _pair(function, "dilation", dilation, 1)
    if isinstance(padding, str):
        if padding == "valid":
            sides = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{function}: padding='same' is not supported for strided convolutions "
                                 f"(stride={stride}), as in PyTorch; pad explicitly, e.g. padding=k//2")
            sides = _same_padding(kernel, dilation)
        else:
            raise ValueError(f"{function}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    else:
        ph, pw = _pair(function, "padding", padding, 0)
        sides = (pw, pw, ph, ph)

    left, right, top, bottom = sides
    padded_size = (x.shape[2] + top + bottom, x.shape[3] + left + right)
    out_size = []
    for axis, size, k, d, s in zip(("height", "width"), padded_size, kernel, dilation, stride):
        span = d * (k - 1) + 1  # pixels covered by the dilated kernel
        if span > size:
            raise ValueError(
                f"{function}: the kernel (size {kernel}, dilation {dilation}) spans {span} pixels in {axis} but the "
                f"padded input has only {size}; use a smaller kernel or more padding")
        out_size.append((size - span) // s + 1)
    padded = F.pad(x, (left, right, top, bottom)) if any(sides) else x
    return _Conv2dPlan(padded, weight, bias, stride, dilation, groups, tuple(out_size), unbatched)


def conv2d_loops(input: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
                 stride: IntOrPair = 1, padding: Union[IntOrPair, str] = 0, dilation: IntOrPair = 1,
                 groups: int = 1) -> torch.Tensor:
    r"""2-D convolution (cross-correlation) with explicit loops over the output.

    Each output pixel is the sum over one window of the input times the filter,
    plus the filter's bias:

    .. math::
        \text{out}[n, c, y, x] = \text{bias}[c] + \sum_{j, u, v}
        \text{input}[n, g C' + j,\; y s_h + u d_h,\; x s_w + v d_w]\;\text{weight}[c, j, u, v]

    where :math:`g` is the group of filter :math:`c` and :math:`C' = C_{in}/\text{groups}`.
    Same arguments and result as :func:`torch.nn.functional.conv2d`.

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or ``None``. Default: ``None``.
        stride: step between windows, int or ``(sH, sW)``. Default: 1.
        padding: zeros on each side, int or ``(pH, pW)``, or ``'valid'`` (none) or
            ``'same'`` (output as large as the input; stride 1 only). Default: 0.
        dilation: spacing between kernel elements, int or ``(dH, dW)``. Default: 1.
        groups: split the channels into this many independent groups. Default: 1.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)` or :math:`(C_{in}, H, W)`
        - Output: :math:`(N, C_{out}, H_{out}, W_{out})` or :math:`(C_{out}, H_{out}, W_{out})`, with
          :math:`H_{out} = \lfloor (H + 2p_h - d_h(k_h - 1) - 1)/s_h \rfloor + 1` (likewise for W).

    Raises:
        ValueError, TypeError: for the arguments ``F.conv2d`` refuses, naming the argument.

    Example::

        >>> x = torch.arange(25.).reshape(1, 1, 5, 5)
        >>> conv2d_loops(x, torch.ones(1, 1, 3, 3), stride=2).shape
        torch.Size([1, 1, 2, 2])
    """
    plan = _plan("conv2d_loops", input, weight, bias, stride, padding, dilation, groups)
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


def conv2d_unfold(input: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None,
                  stride: IntOrPair = 1, padding: Union[IntOrPair, str] = 0, dilation: IntOrPair = 1,
                  groups: int = 1) -> torch.Tensor:
    r"""2-D convolution as one matrix product ("im2col").

    ``F.unfold`` copies every window of the padded input into a column of a matrix
    of shape :math:`(N, C_{in} k_h k_w, L)`, one column per output pixel
    (:math:`L = H_{out} W_{out}`). Flattening each filter into a row gives a
    :math:`(C_{out}, C_{in} k_h k_w)` matrix, and their product is the output, with
    every window times every filter computed at once. With groups, each group of
    filters multiplies only its own block of rows.

    Same arguments and result as :func:`torch.nn.functional.conv2d`; see
    :func:`conv2d_loops` for the arguments.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)` or :math:`(C_{in}, H, W)`
        - Columns: :math:`(N, C_{in} k_h k_w, H_{out} W_{out})`
        - Output: :math:`(N, C_{out}, H_{out}, W_{out})` or :math:`(C_{out}, H_{out}, W_{out})`

    Example::

        >>> x = torch.randn(2, 3, 8, 8)
        >>> w = torch.randn(4, 3, 3, 3)
        >>> torch.allclose(conv2d_unfold(x, w, padding=1), F.conv2d(x, w, padding=1), atol=1e-5)
        True
    """
    plan = _plan("conv2d_unfold", input, weight, bias, stride, padding, dilation, groups)
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
