"""Checks for the exercises of notebook 02 (conv2d by hand)."""

import torch
import torch.nn.functional as F
from torch import nn

from . import (
    CheckFailed,
    answered,
    as_shape,
    call,
    exercise,
    expect,
    expect_close,
    expect_equal,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_2_1", "exercise_2_2", "exercise_2_3", "exercise_2_4", "set_language"]


@exercise("2.1", expects="a shape as a tuple of 4 ints, e.g. (1, 2, 3, 4)")
def exercise_2_1(answer) -> None:
    """Output shape of ``F.conv2d`` on ``(8, 3, 32, 32)`` with weight ``(16, 3, 5, 5)``, stride 2, padding 2."""
    value = as_shape(answered(answer), msg("the shape"))
    expected = tuple(F.conv2d(torch.zeros(8, 3, 32, 32), torch.zeros(16, 3, 5, 5), stride=2, padding=2).shape)
    expect(len(value) == 4, msg("expected 4 numbers (N, C_out, H_out, W_out), got {count}", count=len(value)),
           msg("a conv2d output is (N, C_out, H_out, W_out)"))
    expect(value[:2] == expected[:2], msg("expected (N, C_out) = {expected}, got {got}",
                                          expected=expected[:2], got=value[:2]),
           msg("N stays the same; C_out is weight.shape[0], the number of filters"))
    expect_equal(value, expected, msg("shape"), msg("H_out = (H + 2p - k) // s + 1 = (32 + 4 - 5) // 2 + 1"))


def _conv2d_single_cases() -> list:
    example = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]])
    kernel = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]])
    generator = torch.Generator().manual_seed(2)
    return [(example.float(), kernel.float(), 1, 0), (example.float(), kernel.float(), 2, 0),
            (example.float(), kernel.float(), 1, 1), (example.float(), kernel.float(), 2, 1),
            (torch.randn(6, 7, generator=generator), torch.randn(2, 3, generator=generator), 1, 0),
            (torch.randn(7, 6, generator=generator), torch.randn(3, 2, generator=generator), 3, 2)]


@exercise("2.2", expects="a function conv2d_single(x, w, stride=1, padding=0) that returns a 2-D tensor")
def exercise_2_2(conv2d_single) -> None:
    """``conv2d_single(x, w, stride=1, padding=0)`` on 2-D tensors, equal to ``F.conv2d``."""
    for x, w, stride, padding in _conv2d_single_cases():
        expected = F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]
        got = call(conv2d_single, x.clone(), w.clone(), stride=stride, padding=padding)
        setting = f"x {tuple(x.shape)}, w {tuple(w.shape)}, stride={stride}, padding={padding}"
        if not isinstance(got, torch.Tensor):
            raise CheckFailed(msg("expected a tensor for {setting}, got {kind}", setting=setting,
                                  kind=type(got).__name__),
                              msg("build the output with torch.zeros(H_out, W_out) and fill it"))
        expect(tuple(got.shape) == tuple(expected.shape),
               msg("for {setting}: expected shape {expected}, got {got}", setting=setting,
                   expected=tuple(expected.shape), got=tuple(got.shape)),
               msg("H_out = (H + 2*padding - kH) // stride + 1, likewise W_out"))
        expect_close(got.to(expected.dtype), expected, msg("the values for {setting}", setting=setting), atol=1e-4,
                     hint=msg("pad first, then each output[i, j] = (window * w).sum() "
                              "with the window starting at (i*stride, j*stride)"))


@exercise("2.3", expects="a shape as a tuple of 4 ints, e.g. (1, 2, 3, 4)")
def exercise_2_3(answer) -> None:
    """Shape of ``nn.Conv2d(12, 24, 3, groups=4).weight``."""
    value = as_shape(answered(answer), msg("the weight shape"))
    expected = tuple(nn.Conv2d(12, 24, 3, groups=4).weight.shape)
    if value == (24, 12, 3, 3):
        raise CheckFailed(msg("expected {expected}, got {value}", expected=expected, value=value),
                          msg("with groups=4 each filter sees only 12 / 4 input channels"))
    expect_equal(value, expected, msg("weight shape"), msg("(C_out, C_in / groups, kH, kW)"))


@exercise("2.4", expects="a function conv_via_unfold(x, w) that returns a 4-D tensor")
def exercise_2_4(conv_via_unfold) -> None:
    """``conv_via_unfold(x, w)``: stride 1, no padding, no bias, groups 1, via ``F.unfold`` and a matrix product."""
    generator = torch.Generator().manual_seed(4)
    for n, c_in, c_out, h, w_, kh, kw in [(1, 1, 1, 5, 5, 3, 3), (2, 3, 4, 6, 7, 3, 2), (3, 2, 5, 4, 4, 1, 1)]:
        x = torch.randn(n, c_in, h, w_, generator=generator)
        weight = torch.randn(c_out, c_in, kh, kw, generator=generator)
        setting = f"x {tuple(x.shape)}, w {tuple(weight.shape)}"
        got = call(conv_via_unfold, x.clone(), weight.clone())
        expected = F.conv2d(x, weight)
        if isinstance(got, torch.Tensor) and got.numel() == expected.numel() and got.shape != expected.shape:
            raise CheckFailed(msg("for {setting}: expected shape {expected}, got {got}", setting=setting,
                                  expected=tuple(expected.shape), got=tuple(got.shape)),
                              msg("reshape the (N, C_out, L) product to (N, C_out, H_out, W_out)"))
        expect_close(got, expected, msg("the values for {setting}", setting=setting), atol=1e-4,
                     hint=msg("columns = F.unfold(x, (kH, kW)); w.reshape(C_out, -1) @ columns; then reshape"))
