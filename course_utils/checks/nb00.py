"""Checks for the exercises of notebook 00 (shapes and notation)."""

import torch
from torch import nn

from . import (
    WrongForm,
    answered,
    as_int,
    as_shape,
    call,
    exercise,
    expect,
    expect_equal,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_0_1", "exercise_0_2", "exercise_0_3", "exercise_0_4", "set_language"]


@exercise("0.1", expects="a shape as a tuple of ints, e.g. (1, 2, 3)")
def exercise_0_1(answer) -> None:
    """Shape of ``nn.Linear(64, 3)`` applied to a ``(4, 7, 64)`` tensor."""
    value = as_shape(answered(answer), msg("the shape"))
    expected = tuple(nn.Linear(64, 3)(torch.zeros(4, 7, 64)).shape)
    expect_equal(value, expected, msg("shape"),
                 msg("nn.Linear keeps every dimension but the last, which goes from in_features to out_features"))


@exercise("0.2", expects="a function to_channels_first(x) that returns a tensor")
def exercise_0_2(to_channels_first) -> None:
    """A function turning ``(N, L, C)`` into ``(N, C, L)`` for ``nn.Conv1d``."""
    x = torch.arange(2 * 5 * 3).reshape(2, 5, 3)
    out = call(to_channels_first, x)
    expect_shape(out, (2, 3, 5), msg("shape"), msg("swap the last two dimensions, keep the batch first"))
    expect(torch.equal(out, x.transpose(1, 2)), msg("the shape is right but the values moved to wrong places"),
           msg("reshape and view only reinterpret the memory; permute or transpose move the axes"))


@exercise("0.3", expects="a function conv1d_length(L_in, kernel_size, stride=1, padding=0, dilation=1) "
                         "that returns an int")
def exercise_0_3(conv1d_length) -> None:
    """``conv1d_length(L_in, kernel_size, stride=1, padding=0, dilation=1)`` equal to what PyTorch computes."""
    cases = [(32, 2, 1, 0, 1), (28, 3, 1, 1, 1), (100, 5, 2, 0, 1), (50, 3, 3, 2, 2), (7, 7, 1, 0, 1)]
    for length, k, s, p, d in cases:
        setting = f"L_in={length}, kernel_size={k}, stride={s}, padding={p}, dilation={d}"
        got = as_int(call(conv1d_length, length, k, s, p, d), msg("the length for {setting}", setting=setting))
        expected = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, length)).shape[-1]
        expect(got == expected, msg("for {setting}: expected {expected}, got {got}",
                                    setting=setting, expected=expected, got=got),
               msg("use floor division: (L_in + 2p - d(k-1) - 1) // s + 1"))


@exercise("0.4", expects="a pair of shapes (output_shape, h_n_shape), e.g. ((1, 2, 3), (4, 5, 6))")
def exercise_0_4(answer) -> None:
    """``(output.shape, h_n.shape)`` of ``nn.GRU(8, 16, num_layers=2, batch_first=True)`` on ``(4, 9, 8)``."""
    value = answered(answer)
    shapes = (tuple, list, torch.Size)
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, shapes) for v in value)):
        raise WrongForm
    output_shape = as_shape(value[0], msg("the output shape"))
    h_n_shape = as_shape(value[1], msg("the h_n shape"))
    output, h_n = nn.GRU(8, 16, num_layers=2, batch_first=True)(torch.zeros(4, 9, 8))
    expect_equal(output_shape, tuple(output.shape), msg("output shape"),
                 msg("batch_first=True puts N first in the output too"))
    expect_equal(h_n_shape, tuple(h_n.shape), msg("h_n shape"),
                 msg("h_n is (num_layers * D, N, H_out) whatever batch_first says"))
