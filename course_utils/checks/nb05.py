"""Checks for the exercises of notebook 05 (dynamic inputs).

Each ``check_5_x`` takes the learner's function, compares it with PyTorch on a
few cases computed here, and prints one line (✅ / ❌ … — hint: … / ⏳).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from . import CheckFailed, call, expect, expect_close, expect_shape, run_check

__all__ = ["check_5_1", "check_5_2", "check_5_3"]


def check_5_1(adaptive_avg_pool2d_by_bins) -> None:
    """5.1: ``adaptive_avg_pool2d_by_bins(x, output_size)`` equals ``F.adaptive_avg_pool2d``."""

    def test():
        generator = torch.Generator().manual_seed(51)
        # overlapping bins (10 → 4), exact division (12 → 4), identity, global mean, more outputs than inputs
        cases = [((10, 7), (4, 3)), ((12, 8), (4, 4)), ((5, 5), (5, 5)), ((9, 6), (1, 1)), ((3, 2), (5, 4)),
                 ((13, 11), (6, 3))]
        for size_in, size_out in cases:
            x = torch.randn(2, 3, *size_in, generator=generator, dtype=torch.float64)
            got = call(adaptive_avg_pool2d_by_bins, x, size_out)
            expected = nn.functional.adaptive_avg_pool2d(x, size_out)
            where = f"for an input of {size_in[0]}×{size_in[1]} and output_size={size_out}"
            expect_shape(got, expected.shape, what=f"shape {where}:",
                         hint="one mean per (row bin, column bin) pair: shape (N, C, out_h, out_w)")
            expect_close(got, expected, what=f"values {where}", atol=1e-6,
                         hint="row bin i covers floor(i*H/out_h) to ceil((i+1)*H/out_h), columns likewise")

    run_check("5.1", test)


def check_5_2(batch_sizes_for) -> None:
    """5.2: ``batch_sizes_for(lengths)`` equals ``pack_padded_sequence(...).batch_sizes``."""

    def test():
        for lengths in ([2, 5, 3], [4, 4, 1], [1], [3, 1, 6, 6, 2]):
            padded = torch.zeros(len(lengths), max(lengths), 1)
            packed = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
            expected = packed.batch_sizes.tolist()
            got = call(batch_sizes_for, list(lengths))
            if isinstance(got, torch.Tensor):
                got = got.tolist()
            expect(isinstance(got, (list, tuple)), f"expected a list of ints, got {type(got).__name__}",
                   "return a Python list such as [3, 3, 2, 1, 1]")
            got = [int(value) for value in got]
            if got != expected:
                raise CheckFailed(
                    f"for lengths {lengths} expected {expected}, got {got}",
                    "entry t counts the sequences that are longer than t (still running at step t)",
                )

    run_check("5.2", test)


def check_5_3(last_valid_step) -> None:
    """5.3: ``last_valid_step(output, lengths)`` picks ``output[b, lengths[b] - 1]`` for every b."""

    def test():
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
            got = call(last_valid_step, output, torch.tensor(lengths))
        expect_shape(got, (len(lengths), 6), what="shape",
                     hint="one vector of hidden_size per sequence: (N, H)")
        expect(not torch.allclose(got, output[:, -1], atol=1e-6),
               "that is output[:, -1], the last padded step", "use each sequence's own length: step lengths[b] - 1")
        expect_close(got, expected, what="last valid outputs", atol=1e-5,
                     hint="for sequence b take output[b, lengths[b] - 1] (indexing with torch.arange(N) works)")

    run_check("5.3", test)
