"""Checks for the exercises of notebook 05 (dynamic inputs).

Each checker compares the learner's function with PyTorch on a few cases computed here.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from . import (
    CheckFailed,
    as_int,
    call,
    exercise,
    expect,
    expect_close,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_5_1", "exercise_5_2", "exercise_5_3", "set_language"]


@exercise("5.1", expects="a function adaptive_avg_pool2d_by_bins(x, output_size) that returns a tensor "
                         "(N, C, out_h, out_w)")
def exercise_5_1(adaptive_avg_pool2d_by_bins) -> None:
    """``adaptive_avg_pool2d_by_bins(x, output_size)`` equals ``F.adaptive_avg_pool2d``."""
    generator = torch.Generator().manual_seed(51)
    # overlapping bins (10 → 4), exact division (12 → 4), identity, global mean, more outputs than inputs
    cases = [((10, 7), (4, 3)), ((12, 8), (4, 4)), ((5, 5), (5, 5)), ((9, 6), (1, 1)), ((3, 2), (5, 4)),
             ((13, 11), (6, 3))]
    for size_in, size_out in cases:
        x = torch.randn(2, 3, *size_in, generator=generator, dtype=torch.float64)
        got = call(adaptive_avg_pool2d_by_bins, x.clone(), size_out)
        expected = nn.functional.adaptive_avg_pool2d(x, size_out)
        where = f"{size_in[0]}×{size_in[1]}"
        expect_shape(got, expected.shape,
                     msg("shape for an input of {where} and output_size={size_out}:", where=where, size_out=size_out),
                     msg("one mean per (row bin, column bin) pair: shape (N, C, out_h, out_w)"))
        expect_close(got, expected,
                     msg("values for an input of {where} and output_size={size_out}", where=where, size_out=size_out),
                     atol=1e-6, hint=msg("row bin i covers floor(i*H/out_h) to ceil((i+1)*H/out_h), columns likewise"))


@exercise("5.2", expects="a function batch_sizes_for(lengths) that returns a list of ints")
def exercise_5_2(batch_sizes_for) -> None:
    """``batch_sizes_for(lengths)`` equals ``pack_padded_sequence(...).batch_sizes``."""
    for lengths in ([2, 5, 3], [4, 4, 1], [1], [3, 1, 6, 6, 2]):
        padded = torch.zeros(len(lengths), max(lengths), 1)
        packed = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        expected = packed.batch_sizes.tolist()
        got = call(batch_sizes_for, list(lengths))
        if isinstance(got, torch.Tensor) and got.dim() == 1:  # a tensor of counts is a fine answer too
            got = got.tolist()
        expect(isinstance(got, (list, tuple)), msg("expected a list of ints, got {kind}", kind=type(got).__name__),
               msg("return a Python list such as [3, 3, 2, 1, 1]"))
        got = [as_int(value, msg("every entry")) for value in got]
        if got != expected:
            raise CheckFailed(msg("for lengths {lengths} expected {expected}, got {got}",
                                  lengths=lengths, expected=expected, got=got),
                              msg("entry t counts the sequences that are longer than t (still running at step t)"))


@exercise("5.3", expects="a function last_valid_step(output, lengths) that returns a tensor (N, H)")
def exercise_5_3(last_valid_step) -> None:
    """``last_valid_step(output, lengths)`` picks ``output[b, lengths[b] - 1]`` for every b."""
    generator = torch.Generator().manual_seed(53)
    lstm = nn.LSTM(4, 6, batch_first=True)
    with torch.no_grad():
        for parameter in lstm.parameters():
            parameter.copy_(torch.rand(parameter.shape, generator=generator) - 0.5)
        lengths = [2, 5, 3, 1]
        sequences = [torch.randn(n, 4, generator=generator) for n in lengths]
        output, _ = lstm(pad_sequence(sequences, batch_first=True))  # padded, no packing
        # each sequence run alone: its final hidden state is what the last valid step must give
        expected = torch.cat([lstm(seq.unsqueeze(0))[1][0][0] for seq in sequences])
        got = call(last_valid_step, output.clone(), torch.tensor(lengths))
    expect_shape(got, (len(lengths), 6), msg("shape"), msg("one vector of hidden_size per sequence: (N, H)"))
    expect(not torch.allclose(got, output[:, -1], atol=1e-6), msg("that is output[:, -1], the last padded step"),
           msg("use each sequence's own length: step lengths[b] - 1"))
    expect_close(got, expected, msg("last valid outputs"), atol=1e-5,
                 hint=msg("for sequence b take output[b, lengths[b] - 1] (indexing with torch.arange(N) works)"))
