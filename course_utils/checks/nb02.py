"""Checks for the exercises of notebook 02 (conv2d by hand)."""

import torch
import torch.nn.functional as F
from torch import nn

from . import CheckFailed, answered, call, expect, expect_close, expect_equal, run_check

__all__ = ["exercise_2_1", "exercise_2_2", "exercise_2_3", "exercise_2_4"]


def _as_shape(value, what):
    expect(isinstance(value, (tuple, list, torch.Size)) and all(isinstance(v, int) for v in value),
           f"expected {what} as a tuple of ints such as (1, 2, 3, 4), got {value!r}", "write the shape as a tuple")
    return tuple(value)


def exercise_2_1(answer) -> None:
    """Output shape of ``F.conv2d`` on ``(8, 3, 32, 32)`` with weight ``(16, 3, 5, 5)``, stride 2, padding 2."""

    def test():
        value = _as_shape(answered(answer), "the shape")
        expected = tuple(F.conv2d(torch.zeros(8, 3, 32, 32), torch.zeros(16, 3, 5, 5), stride=2, padding=2).shape)
        expect(len(value) == 4, f"expected 4 numbers (N, C_out, H_out, W_out), got {len(value)}",
               "a conv2d output is (N, C_out, H_out, W_out)")
        expect(value[:2] == expected[:2], f"expected (N, C_out) = {expected[:2]}, got {value[:2]}",
               "N stays the same; C_out is weight.shape[0], the number of filters")
        expect_equal(value, expected, "shape", "H_out = (H + 2p - k) // s + 1 = (32 + 4 - 5) // 2 + 1")

    run_check("2.1", test)


def exercise_2_2(conv2d_single) -> None:
    """``conv2d_single(x, w, stride=1, padding=0)`` on 2-D tensors, equal to ``F.conv2d``."""

    def test():
        example = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]])
        kernel = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]])
        generator = torch.Generator().manual_seed(2)
        cases = [(example.float(), kernel.float(), 1, 0), (example.float(), kernel.float(), 2, 0),
                 (example.float(), kernel.float(), 1, 1), (example.float(), kernel.float(), 2, 1),
                 (torch.randn(6, 7, generator=generator), torch.randn(2, 3, generator=generator), 1, 0),
                 (torch.randn(7, 6, generator=generator), torch.randn(3, 2, generator=generator), 3, 2)]
        for x, w, stride, padding in cases:
            expected = F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]
            got = call(conv2d_single, x, w, stride=stride, padding=padding)
            setting = f"x {tuple(x.shape)}, w {tuple(w.shape)}, stride={stride}, padding={padding}"
            if not isinstance(got, torch.Tensor):
                raise CheckFailed(f"expected a tensor for {setting}, got {type(got).__name__}",
                                  "build the output with torch.zeros(H_out, W_out) and fill it")
            expect(tuple(got.shape) == tuple(expected.shape),
                   f"for {setting}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}",
                   "H_out = (H + 2*padding - kH) // stride + 1, likewise W_out")
            expect_close(got.to(expected.dtype), expected, f"the values for {setting}", atol=1e-4,
                         hint="pad first, then each output[i, j] = (window * w).sum() "
                              "with the window starting at (i*stride, j*stride)")

    run_check("2.2", test)


def exercise_2_3(answer) -> None:
    """Shape of ``nn.Conv2d(12, 24, 3, groups=4).weight``."""

    def test():
        value = _as_shape(answered(answer), "the weight shape")
        expected = tuple(nn.Conv2d(12, 24, 3, groups=4).weight.shape)
        if value == (24, 12, 3, 3):
            raise CheckFailed(f"expected {expected}, got {value}",
                              "with groups=4 each filter sees only 12 / 4 input channels")
        expect_equal(value, expected, "weight shape", "(C_out, C_in / groups, kH, kW)")

    run_check("2.3", test)


def exercise_2_4(conv_via_unfold) -> None:
    """``conv_via_unfold(x, w)``: stride 1, no padding, no bias, groups 1, via ``F.unfold`` and a matrix product."""

    def test():
        generator = torch.Generator().manual_seed(4)
        for n, c_in, c_out, h, w_, kh, kw in [(1, 1, 1, 5, 5, 3, 3), (2, 3, 4, 6, 7, 3, 2), (3, 2, 5, 4, 4, 1, 1)]:
            x = torch.randn(n, c_in, h, w_, generator=generator)
            weight = torch.randn(c_out, c_in, kh, kw, generator=generator)
            setting = f"x {tuple(x.shape)}, w {tuple(weight.shape)}"
            got = call(conv_via_unfold, x, weight)
            expected = F.conv2d(x, weight)
            if isinstance(got, torch.Tensor) and got.numel() == expected.numel() and got.shape != expected.shape:
                raise CheckFailed(f"for {setting}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}",
                                  "reshape the (N, C_out, L) product to (N, C_out, H_out, W_out)")
            expect_close(got, expected, f"the values for {setting}", atol=1e-4,
                         hint="columns = F.unfold(x, (kH, kW)); w.reshape(C_out, -1) @ columns; then reshape")

    run_check("2.4", test)
