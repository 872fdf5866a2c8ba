"""Checks for the exercises of notebook 04 (RNN, GRU and LSTM).

Expected values are computed here from PyTorch's own modules, never typed in.
"""

from __future__ import annotations

import torch
from torch import nn

from . import (
    CheckFailed,
    NotAttempted,
    as_int,
    as_shape,
    call,
    exercise,
    expect,
    expect_equal,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_4_1", "exercise_4_2", "exercise_4_3", "set_language"]

# From easy to hard, each with the hint that fits the first thing it adds.
_PARAMETER_CASES = [
    (("RNN", 10, 20), {}, msg("one layer has G·H·(I + H) weights and 2·G·H biases, with G = 1 for an RNN")),
    (("GRU", 10, 20), {}, msg("G = 3 for a GRU (gates r, z, n) and 4 for an LSTM (i, f, g, o)")),
    (("LSTM", 10, 20), {}, msg("G = 4 for an LSTM: four gates stacked in weight_ih and weight_hh")),
    (("LSTM", 7, 5), {"bias": False}, msg("bias=False removes both bias vectors, b_ih and b_hh")),
    (("GRU", 10, 20), {"num_layers": 3},
     msg("layers after the first read the previous layer's output, so their input size is H, not I")),
    (("RNN", 4, 6), {"bidirectional": True}, msg("bidirectional: each direction has its own full set of weights")),
    (("LSTM", 10, 20), {"num_layers": 2, "bidirectional": True},
     msg("with bidirectional=True, layers after the first read D·H features (both directions concatenated)")),
    (("LSTM", 10, 20), {"proj_size": 7},
     msg("proj_size=P adds weight_hr (P×H) per layer and direction, and weight_hh becomes 4H×P")),
    (("LSTM", 10, 20), {"num_layers": 2, "bidirectional": True, "proj_size": 7},
     msg("with a projection, layers after the first read D·P features")),
    (("GRU", 3, 8), {"num_layers": 3, "bidirectional": True, "bias": False},
     msg("combine the rules: G, D, layers, bias")),
]


def _describe(args, kwargs) -> str:
    parts = [repr(args[0]), *map(str, args[1:])] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"count_rnn_parameters({', '.join(parts)})"


@exercise("4.1", expects="a function count_rnn_parameters(kind, input_size, hidden_size, num_layers=1, "
                         "bidirectional=False, bias=True, proj_size=0) that returns an int")
def exercise_4_1(count_rnn_parameters) -> None:
    """``count_rnn_parameters(kind, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True,
    proj_size=0)`` equals ``sum(p.numel() for p in module.parameters())``."""
    for args, kwargs, hint in _PARAMETER_CASES:
        described = _describe(args, kwargs)
        got = as_int(call(count_rnn_parameters, *args, **kwargs), msg("the result of {call}", call=described))
        kind, input_size, hidden_size = args
        expected = sum(p.numel() for p in getattr(nn, kind)(input_size, hidden_size, **kwargs).parameters())
        expect(got == expected, msg("{call} returned {got:,}, expected {expected:,}",
                                    call=described, got=got, expected=expected), hint)


@exercise("4.2", expects="two shapes, output_shape and h_n_shape, each a tuple of ints such as (4, 9, 32)")
def exercise_4_2(output_shape, h_n_shape) -> None:
    """The shapes of ``output`` and ``h_n`` of the GRU in the notebook."""
    if output_shape is Ellipsis and h_n_shape is Ellipsis:
        raise NotAttempted
    for name, value in (("output_shape", output_shape), ("h_n_shape", h_n_shape)):
        expect(value is not Ellipsis, msg("{name} is still ...", name=name), msg("fill in both shapes"))
    out = as_shape(output_shape, msg("output_shape"))
    h = as_shape(h_n_shape, msg("h_n_shape"))
    gru = nn.GRU(input_size=8, hidden_size=16, num_layers=3, bidirectional=True, batch_first=True)
    with torch.no_grad():
        expected_out, expected_h = gru(torch.zeros(4, 9, 8))
    expect_equal(out, tuple(expected_out.shape), msg("output_shape"),
                 msg("batch_first=True gives (N, L, D·H): both directions are concatenated on the last dim"))
    expect_equal(h, tuple(expected_h.shape), msg("h_n_shape"), msg("h_n is never batch-first: (D·num_layers, N, H)"))


def _projected_lstm(generator: torch.Generator) -> nn.LSTM:
    lstm = nn.LSTM(5, 6, proj_size=3).double()
    with torch.no_grad():
        for p in lstm.parameters():
            p.uniform_(-0.6, 0.6, generator=generator)
    return lstm


@exercise("4.3", expects="a function lstm_proj_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) "
                         "that returns a pair (h_next, c_next) of tensors")
def exercise_4_3(lstm_proj_step) -> None:
    """One LSTM step with a projection, ``lstm_proj_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh,
    weight_hr) -> (h', c')``."""
    generator = torch.Generator().manual_seed(43)
    lstm = _projected_lstm(generator)
    x = torch.randn(2, 5, generator=generator, dtype=torch.double)
    h = torch.randn(2, 3, generator=generator, dtype=torch.double)
    c = torch.randn(2, 6, generator=generator, dtype=torch.double)
    with torch.no_grad():
        _, (h_exp, c_exp) = lstm(x.unsqueeze(0), (h.unsqueeze(0), c.unsqueeze(0)))
        result = call(lstm_proj_step, x, h, c, lstm.weight_ih_l0, lstm.weight_hh_l0,
                      lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_hr_l0)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise CheckFailed(msg("expected a pair (h_next, c_next), got {kind}", kind=type(result).__name__),
                          msg("end with: return h_next, c_next"))
    h_new, c_new = result
    for name, value in (("h_next", h_new), ("c_next", c_new)):
        expect(isinstance(value, torch.Tensor), msg("{name} should be a tensor, got {kind}",
                                                     name=name, kind=type(value).__name__))
    expect(tuple(c_new.shape) == (2, 6), msg("expected c_next of shape (2, 6), got {shape}", shape=tuple(c_new.shape)),
           msg("the cell state keeps H = 6 features; only h is projected"))
    if not torch.allclose(c_new.double(), c_exp[0], atol=1e-6, rtol=0):
        raise CheckFailed(msg("c_next differs from nn.LSTM's cell state"),
                          msg("gates are stacked i, f, g, o; g uses tanh, the others sigmoid; c' = f⊙c + i⊙g"))
    expect(tuple(h_new.shape) == (2, 3), msg("expected h_next of shape (2, 3), got {shape}", shape=tuple(h_new.shape)),
           msg("project o ⊙ tanh(c') with weight_hr: (o * tanh(c')) @ weight_hr.T has P = 3 features"))
    if not torch.allclose(h_new.double(), h_exp[0], atol=1e-6, rtol=0):
        raise CheckFailed(msg("h_next differs from nn.LSTM's hidden state"),
                          msg("h' = (o ⊙ tanh(c')) @ weight_hr.T, with o = sigmoid of the 4th chunk"))
