"""Checks for the exercises of notebook 00 (shapes and notation)."""

import torch
from torch import nn

from . import answered, call, expect, expect_equal, expect_shape, run_check


def exercise_0_1(answer) -> None:
    """Shape of ``nn.Linear(64, 3)`` applied to a ``(4, 7, 64)`` tensor, as a tuple."""

    def test():
        value = answered(answer)
        expected = tuple(nn.Linear(64, 3)(torch.zeros(4, 7, 64)).shape)
        expect(isinstance(value, tuple), f"expected a tuple such as (1, 2, 3), got {type(value).__name__}",
               "write the shape as a tuple of ints")
        expect_equal(value, expected, "shape", "nn.Linear only changes the last dimension")

    run_check("0.1", test)


def exercise_0_2(to_channels_first) -> None:
    """A function turning ``(N, L, C)`` into ``(N, C, L)`` for ``nn.Conv1d``."""

    def test():
        x = torch.arange(2 * 5 * 3).reshape(2, 5, 3)
        out = call(to_channels_first, x)
        expect_shape(out, (2, 3, 5), "shape", "swap the last two dimensions, keep the batch first")
        expect(torch.equal(out, x.transpose(1, 2)), "the shape is right but the values moved to wrong places",
               "reshape/view only reinterpret the memory; permute or transpose move the axes")

    run_check("0.2", test)


def exercise_0_3(conv1d_length) -> None:
    """``conv1d_length(L_in, kernel_size, stride=1, padding=0, dilation=1)`` equal to what PyTorch computes."""

    def test():
        cases = [(32, 2, 1, 0, 1), (28, 3, 1, 1, 1), (100, 5, 2, 0, 1), (50, 3, 3, 2, 2), (7, 7, 1, 0, 1)]
        for length, k, s, p, d in cases:
            got = call(conv1d_length, length, k, s, p, d)
            conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)
            expected = conv(torch.zeros(1, 1, length)).shape[-1]
            expect(got == expected,
                   f"for L_in={length}, kernel_size={k}, stride={s}, padding={p}, dilation={d}: expected {expected}, got {got}",
                   "use floor division: (L_in + 2p - d(k-1) - 1) // s + 1")

    run_check("0.3", test)


def exercise_0_4(answer) -> None:
    """``(output.shape, h_n.shape)`` of ``nn.GRU(8, 16, num_layers=2, batch_first=True)`` on ``(4, 9, 8)``."""

    def test():
        value = answered(answer)
        expect(isinstance(value, tuple) and len(value) == 2,
               "expected a pair (output_shape, h_n_shape)", "e.g. ((1, 2, 3), (4, 5, 6))")
        output, h_n = nn.GRU(8, 16, num_layers=2, batch_first=True)(torch.zeros(4, 9, 8))
        expect_equal(tuple(value[0]), tuple(output.shape), "output shape",
                     "batch_first=True puts N first in the output too")
        expect_equal(tuple(value[1]), tuple(h_n.shape), "h_n shape",
                     "h_n is (num_layers * D, N, H_out) whatever batch_first says")

    run_check("0.4", test)
