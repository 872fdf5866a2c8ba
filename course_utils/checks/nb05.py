"""Checks for the exercises of notebook 05 (dynamic inputs).

Each checker compares the learner's code with PyTorch on a few cases computed
here: 5.1 with ``F.adaptive_avg_pool2d``, 5.2 with ``pack_padded_sequence``,
5.3 and 5.4 with every sequence run alone, so that an answer that lets the
padding leak in is caught, and named.
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
    expect_module,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_5_1", "exercise_5_2", "exercise_5_3", "exercise_5_4", "set_language"]


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


def _seeded_rnn(cell: type, generator: torch.Generator) -> tuple[nn.Module, nn.Linear]:
    """A 2-layer ``cell`` (4 → 6, batch first) and a ``Linear(6, 3)`` with weights drawn from ``generator``."""
    rnn, fc = cell(4, 6, num_layers=2, batch_first=True), nn.Linear(6, 3)
    with torch.no_grad():
        for parameter in [*rnn.parameters(), *fc.parameters()]:
            parameter.copy_(torch.rand(parameter.shape, generator=generator) - 0.5)
    return rnn, fc


def _h_n(rnn: nn.Module, x) -> torch.Tensor:
    """``h_n`` of ``rnn`` run on ``x``, whether ``rnn`` is an LSTM ``(h_n, c_n)`` or a GRU ``h_n``."""
    _, state = rnn(x)
    return state[0] if isinstance(state, tuple) else state


def _final_state(rnn: nn.Module, x) -> torch.Tensor:
    """The top layer's final hidden state: ``h_n[-1]``."""
    return _h_n(rnn, x)[-1]


def _run_packed_classifier(PackedClassifier, rnn, fc, padded, lengths) -> torch.Tensor:
    model = expect_module(call(PackedClassifier, rnn, fc), "PackedClassifier(rnn, fc)")
    try:
        return call(model, padded.clone(), torch.tensor(lengths))
    except CheckFailed as failure:
        if "enforce_sorted" in str(failure):
            raise CheckFailed(failure.message, msg("the lengths are not sorted: pack with enforce_sorted=False "
                                                   "and PyTorch sorts them for you")) from None
        raise


def _diagnose_packed_classifier(got, padded, lengths, rnn, fc) -> None:
    """Name the classic wrong answers: the padding read, the first layer's state, fc on every step."""
    if isinstance(got, torch.Tensor) and got.dim() == 3:
        raise CheckFailed(msg("expected one prediction per sequence, shape ({n}, {k}), got {got}: fc was "
                              "applied to every step", n=len(lengths), k=fc.out_features, got=tuple(got.shape)),
                          msg("a sequence's prediction comes from its final hidden state h_n[-1], shape (N, H)"))
    expect_shape(got, (len(lengths), fc.out_features), msg("output shape"),
                 msg("one row of output_size numbers per sequence: fc(h_n[-1])"))
    packed = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    with torch.no_grad():
        read_padding = [fc(_final_state(rnn, padded)), fc(rnn(padded)[0][:, -1])]
        first_layer = fc(_h_n(rnn, packed)[0])
    if any(torch.allclose(got, wrong, atol=1e-5) for wrong in read_padding):
        raise CheckFailed(msg("the rnn read the padding: short sequences do not match their result alone"),
                          msg("pack first: pack_padded_sequence(padded, lengths, batch_first=True, "
                              "enforce_sorted=False), run the rnn on that, then use h_n[-1]"))
    if torch.allclose(got, first_layer, atol=1e-5):
        raise CheckFailed(msg("that is fc applied to h_n[0], the first layer's final state"),
                          msg("h_n is (num_layers, N, H): the top layer's state is h_n[-1]"))


def _check_packed_classifier(PackedClassifier, cell: type) -> None:
    lengths = [2, 5, 3, 1]
    generator = torch.Generator().manual_seed(53)
    rnn, fc = _seeded_rnn(cell, generator)
    sequences = [torch.randn(n, 4, generator=generator) for n in lengths]
    padded = pad_sequence(sequences, batch_first=True)
    with torch.no_grad():
        expected = torch.cat([fc(_final_state(rnn, seq.unsqueeze(0))) for seq in sequences])
        got = _run_packed_classifier(PackedClassifier, rnn, fc, padded, lengths)
    _diagnose_packed_classifier(got, padded, lengths, rnn, fc)
    expect_close(got, expected, msg("predictions"), atol=1e-5,
                 hint=msg("each row must equal what the model gives for that sequence run alone"))


@exercise("5.3", expects="a class PackedClassifier(nn.Module) built as PackedClassifier(rnn, fc) whose "
                         "forward(padded, lengths) returns a tensor (N, output_size)")
def exercise_5_3(PackedClassifier) -> None:
    """``PackedClassifier(rnn, fc)(padded, lengths)`` equals ``fc`` of each sequence's final state, run alone.

    Checked with a 2-layer ``nn.LSTM`` first, then, once that passes, a 2-layer ``nn.GRU``.
    """
    _check_packed_classifier(PackedClassifier, nn.LSTM)
    try:
        _check_packed_classifier(PackedClassifier, nn.GRU)
    except CheckFailed as failure:
        raise CheckFailed(msg("it works with an nn.LSTM but not with an nn.GRU as rnn: {problem}",
                              problem=failure.message),
                          msg("an LSTM returns (output, (h_n, c_n)) but a GRU returns (output, h_n): "
                              "take h_n from the state in a way that works for both")) from None


@exercise("5.4", expects="a function masked_mean(output, lengths) that returns a tensor (N, H)")
def exercise_5_4(masked_mean) -> None:
    """``masked_mean(output, lengths)`` averages ``output[b, :lengths[b]]`` for every ``b``."""
    generator = torch.Generator().manual_seed(54)
    lstm = nn.LSTM(3, 5, batch_first=True)
    with torch.no_grad():
        for parameter in lstm.parameters():
            parameter.copy_(torch.rand(parameter.shape, generator=generator) - 0.5)
        for lengths in ([2, 5, 3, 1], [4, 4], [1, 6]):
            sequences = [torch.randn(n, 3, generator=generator) for n in lengths]
            # run WITHOUT packing: the padded steps of output hold real, non-zero numbers
            output, _ = lstm(pad_sequence(sequences, batch_first=True))
            expected = torch.stack([lstm(seq.unsqueeze(0))[0][0].mean(dim=0) for seq in sequences])
            got = call(masked_mean, output.clone(), torch.tensor(lengths))
            _check_masked_mean(got, expected, output, lengths)


def _check_masked_mean(got, expected, output, lengths) -> None:
    expect_shape(got, tuple(expected.shape), msg("shape for lengths {lengths}", lengths=lengths),
                 msg("one mean vector per sequence: average over the time dimension (dim=1)"))
    counts = torch.tensor(lengths, dtype=output.dtype)[:, None]
    if len(set(lengths)) > 1:
        wrong = [(output.mean(dim=1), msg("that is the mean over all L_max steps, padding included"),
                  msg("build a mask steps < lengths[:, None] and average the real steps only")),
                 (output.sum(dim=1) / counts,
                  msg("you divided by the lengths, but the sum also holds the padded steps"),
                  msg("the padded steps are not zero here (an LSTM run without packing): multiply by the mask "
                      "before summing"))]
        for value, message, hint in wrong:
            expect(not torch.allclose(got, value, atol=1e-6), message, hint)
    expect_close(got, expected, msg("means for lengths {lengths}", lengths=lengths), atol=1e-5,
                 hint=msg("sequence b: the mean of output[b, :lengths[b]], i.e. (output * mask).sum(1) / lengths"))
