"""Checks for the exercises of notebook 04 (RNN, GRU and LSTM).

Each ``check_4_k`` prints one line (see :mod:`course_utils.checks`). Expected
values are computed here from PyTorch's own modules, never typed in.
"""

from __future__ import annotations

from . import CheckFailed, answered, call, expect, expect_equal, run_check

__all__ = ["check_4_1", "check_4_2", "check_4_3"]

_MODULES = {"RNN": "RNN", "GRU": "GRU", "LSTM": "LSTM"}

# From easy to hard, each with the hint that fits the first thing it adds.
_PARAMETER_CASES = [
    (("RNN", 10, 20), {}, "one layer has G·H·(I + H) weights and 2·G·H biases, with G = 1 for an RNN"),
    (("GRU", 10, 20), {}, "G = 3 for a GRU (gates r, z, n) and 4 for an LSTM (i, f, g, o)"),
    (("LSTM", 10, 20), {}, "G = 4 for an LSTM: four gates stacked in weight_ih and weight_hh"),
    (("LSTM", 7, 5), {"bias": False}, "bias=False removes both bias vectors, b_ih and b_hh"),
    (("GRU", 10, 20), {"num_layers": 3},
     "layers after the first read the previous layer's output, so their input size is H, not I"),
    (("RNN", 4, 6), {"bidirectional": True}, "bidirectional: each direction has its own full set of weights"),
    (("LSTM", 10, 20), {"num_layers": 2, "bidirectional": True},
     "with bidirectional=True, layers after the first read D·H features (both directions concatenated)"),
    (("LSTM", 10, 20), {"proj_size": 7},
     "proj_size=P adds weight_hr (P×H) per layer and direction, and weight_hh becomes 4H×P"),
    (("LSTM", 10, 20), {"num_layers": 2, "bidirectional": True, "proj_size": 7},
     "with a projection, layers after the first read D·P features"),
    (("GRU", 3, 8), {"num_layers": 3, "bidirectional": True, "bias": False},
     "combine the rules: G, D, layers, bias"),
]


def _describe(args, kwargs) -> str:
    parts = [repr(args[0]), *map(str, args[1:])] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"count_rnn_parameters({', '.join(parts)})"


def check_4_1(count_rnn_parameters) -> None:
    """Exercise 4.1: ``count_rnn_parameters(kind, input_size, hidden_size, num_layers=1,
    bidirectional=False, bias=True, proj_size=0)`` equals ``sum(p.numel())``."""

    def test():
        from torch import nn

        for args, kwargs, hint in _PARAMETER_CASES:
            got = call(count_rnn_parameters, *args, **kwargs)
            kind, input_size, hidden_size = args
            module = getattr(nn, _MODULES[kind])(input_size, hidden_size, **kwargs)
            expected = sum(p.numel() for p in module.parameters())
            expect(isinstance(got, int) and not isinstance(got, bool),
                   f"{_describe(args, kwargs)} returned a {type(got).__name__}, not an int",
                   "return a plain Python int (use int(...) if you computed a tensor)")
            expect(got == expected, f"{_describe(args, kwargs)} returned {got:,}, expected {expected:,}", hint)

    run_check("4.1", test)


def check_4_2(output_shape, h_n_shape) -> None:
    """Exercise 4.2: the shapes of ``output`` and ``h_n`` of the GRU in the notebook."""

    def test():
        import torch
        from torch import nn

        out, h = answered(output_shape), answered(h_n_shape)
        for name, value in (("output_shape", out), ("h_n_shape", h)):
            expect(isinstance(value, (tuple, list, torch.Size)),
                   f"{name} should be a tuple of ints, got {type(value).__name__}",
                   "write it like (4, 9, 32)")
        gru = nn.GRU(input_size=8, hidden_size=16, num_layers=3, bidirectional=True, batch_first=True)
        with torch.no_grad():
            expected_out, expected_h = gru(torch.zeros(4, 9, 8))
        expect_equal(tuple(out), tuple(expected_out.shape), "output_shape",
                     "batch_first=True gives (N, L, D·H): both directions are concatenated on the last dim")
        expect_equal(tuple(h), tuple(expected_h.shape), "h_n_shape",
                     "h_n is never batch-first: (D·num_layers, N, H)")

    run_check("4.2", test)


def check_4_3(lstm_proj_step) -> None:
    """Exercise 4.3: one LSTM step with a projection,
    ``lstm_proj_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) -> (h', c')``."""

    def test():
        import torch
        from torch import nn

        generator = torch.Generator().manual_seed(43)
        lstm = nn.LSTM(5, 6, proj_size=3).double()
        with torch.no_grad():
            for p in lstm.parameters():
                p.uniform_(-0.6, 0.6, generator=generator)
        x = torch.randn(2, 5, generator=generator, dtype=torch.double)
        h = torch.randn(2, 3, generator=generator, dtype=torch.double)
        c = torch.randn(2, 6, generator=generator, dtype=torch.double)
        with torch.no_grad():
            _, (h_exp, c_exp) = lstm(x.unsqueeze(0), (h.unsqueeze(0), c.unsqueeze(0)))
            result = call(lstm_proj_step, x, h, c, lstm.weight_ih_l0, lstm.weight_hh_l0,
                          lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_hr_l0)
        expect(isinstance(result, (tuple, list)) and len(result) == 2,
               f"expected a pair (h_next, c_next), got {type(result).__name__}",
               "end with: return h_next, c_next")
        h_new, c_new = result
        for name, value in (("h_next", h_new), ("c_next", c_new)):
            expect(isinstance(value, torch.Tensor), f"{name} should be a tensor, got {type(value).__name__}")
        expect(tuple(c_new.shape) == (2, 6), f"expected c_next of shape (2, 6), got {tuple(c_new.shape)}",
               "the cell state keeps H = 6 features; only h is projected")
        if not torch.allclose(c_new.double(), c_exp[0], atol=1e-6, rtol=0):
            raise CheckFailed("c_next differs from nn.LSTM's cell state",
                              "gates are stacked i, f, g, o; g uses tanh, the others sigmoid; c' = f⊙c + i⊙g")
        expect(tuple(h_new.shape) == (2, 3),
               f"expected h_next of shape (2, 3), got {tuple(h_new.shape)}",
               "project o ⊙ tanh(c') with weight_hr: (o * tanh(c')) @ weight_hr.T has P = 3 features")
        if not torch.allclose(h_new.double(), h_exp[0], atol=1e-6, rtol=0):
            raise CheckFailed("h_next differs from nn.LSTM's hidden state",
                              "h' = (o ⊙ tanh(c')) @ weight_hr.T, with o = sigmoid of the 4th chunk")

    run_check("4.3", test)
