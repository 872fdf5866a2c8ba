"""Checks for the exercises of notebook 04 (RNN, GRU and LSTM).

Expected values are computed here from PyTorch's own modules, never typed in.
"""

from __future__ import annotations

import contextlib
import sys

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from . import (
    CheckFailed,
    as_int,
    call,
    exercise,
    expect,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
    shown,
)

__all__ = ["exercise_4_1", "exercise_4_2", "exercise_4_3", "exercise_4_4", "exercise_4_5", "set_language"]

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


@contextlib.contextmanager
def _own_seed(seed: int):
    """Seed torch's global generator for the block only: building modules here must not change the
    random numbers of the learner's next cells."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


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
        with _own_seed(41):
            module = getattr(nn, kind)(input_size, hidden_size, **kwargs)
        expected = sum(p.numel() for p in module.parameters())
        expect(got == expected, msg("{call} returned {got:,}, expected {expected:,}",
                                    call=described, got=got, expected=expected), hint)


# --------------------------------------------------------------------------- 4.2: a summary of each sentence


def _summary_cases(generator: torch.Generator):
    """(module, output, h_n) for a one-layer GRU and a three-layer LSTM, both bidirectional and batch-first."""
    cases = []
    for make, layers, hidden, batch, length in ((nn.GRU, 1, 4, 3, 6), (nn.LSTM, 3, 3, 2, 7)):
        with _own_seed(42):
            module = make(5, hidden, num_layers=layers, bidirectional=True, batch_first=True).double()
        with torch.no_grad():
            for p in module.parameters():
                p.uniform_(-0.8, 0.8, generator=generator)
            output, state = module(torch.randn(batch, length, 5, generator=generator, dtype=torch.double))
        cases.append((module, output, state[0] if isinstance(state, tuple) else state))
    return cases


def _summary_mistakes(output, h_n):
    """What the classic wrong answers return, each with the hint that names the mistake."""
    H = h_n.shape[-1]
    batch = h_n.shape[1]
    return [
        (output[:, -1], msg("output[:, -1, H:] is the reverse direction after reading only the last word; "
                            "it has read the whole sentence at t = 0: output[:, 0, H:]")),
        (output[:, 0], msg("output[:, 0, :H] is the forward direction after only the first word; "
                           "its summary of the whole sentence is at the last step: output[:, -1, :H]")),
        (torch.cat([h_n[-1], h_n[-2]], dim=1),
         msg("forward first, then reverse, as in output: h_n[-2] is the forward direction, h_n[-1] the reverse")),
        (torch.cat([h_n[0], h_n[1]], dim=1),
         msg("h_n[0] and h_n[1] belong to layer 0; the top layer's two directions are the last two, "
             "h_n[-2] and h_n[-1]")),
        (h_n[-2:].reshape(batch, 2 * H),
         msg("h_n[-2:] has shape (2, N, H): reshaping it to (N, 2·H) mixes sentences; "
             "concatenate h_n[-2] and h_n[-1] on dim 1 instead")),
    ]


@exercise("4.2", expects="a function sentence_features(output, h_n) that returns a tensor of shape (N, 2·H)")
def exercise_4_2(sentence_features) -> None:
    """``sentence_features(output, h_n)`` of a bidirectional, batch-first GRU/LSTM: the top layer's forward
    state after the last step, then its reverse state after the first step, shape ``(N, 2·H)``."""
    generator = torch.Generator().manual_seed(42)
    for module, output, h_n in _summary_cases(generator):
        described = msg("for nn.{kind}(5, {hidden}, num_layers={layers}, bidirectional=True, batch_first=True)",
                        kind=type(module).__name__, hidden=module.hidden_size, layers=module.num_layers)
        got = call(sentence_features, output.clone(), h_n.clone())
        expected = torch.cat([h_n[-2], h_n[-1]], dim=1)
        expect(isinstance(got, torch.Tensor), msg("sentence_features returned {kind}, expected a tensor",
                                                  kind=type(got).__name__))
        N, H = h_n.shape[1], h_n.shape[2]
        if tuple(got.shape) == (N, H):
            raise CheckFailed(msg("expected shape (N, 2·H) = {expected} {case}, got {got}: one direction only",
                                  expected=(N, 2 * H), case=described, got=tuple(got.shape)),
                              msg("the feature holds both directions of the top layer: h_n[-2] (forward) and "
                                  "h_n[-1] (reverse), concatenated on dim 1"))
        expect(tuple(got.shape) == (N, 2 * H),
               msg("expected shape (N, 2·H) = {expected} {case}, got {got}",
                   expected=(N, 2 * H), case=described, got=tuple(got.shape)),
               msg("output is batch-first, (N, L, 2·H); h_n is never batch-first, (D·num_layers, N, H)"))
        if torch.allclose(got.double(), expected, atol=1e-9, rtol=0):
            continue
        for wrong, hint in _summary_mistakes(output, h_n):
            if torch.allclose(got.double(), wrong, atol=1e-9, rtol=0):
                raise CheckFailed(msg("the features differ from the top layer's final states {case}",
                                      case=described), hint)
        raise CheckFailed(msg("the features differ from the top layer's final states {case}", case=described),
                          msg("forward: output[:, -1, :H] (= h_n[-2]); reverse: output[:, 0, H:] (= h_n[-1])"))


def _projected_lstm(generator: torch.Generator) -> nn.LSTM:
    with _own_seed(43):
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


# --------------------------------------------------------------------------- 4.4: one GRU step, by hand

# PyTorch's own GRU code, which the learner's step must not call: torch's kernels (torch.gru_cell,
# torch.gru, torch._VF.*, torch.ops.aten.*: every torch function whose name contains "gru", seen
# through a TorchFunctionMode) and the course's reference implementation (course_utils.rnn).
_FORBIDDEN_PYTHON = ("gru_cell", "_gru_step", "run_rnn")


class _RecordGruKernels(TorchFunctionMode):
    """Let every torch function run, and note the names of those that are GRU kernels."""

    def __init__(self):
        super().__init__()
        self.used: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "") or str(func)
        if "gru" in name.lower():
            self.used.append(f"PyTorch's GRU kernel {name}")
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def _no_gru_kernels():
    """Record calls to PyTorch's GRU kernels and to course_utils.rnn's GRU while the block runs."""
    from course_utils import rnn

    codes = {getattr(rnn, name).__code__: f"course_utils.rnn.{name}" for name in _FORBIDDEN_PYTHON}
    used: list[str] = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            used.append(codes[frame.f_code])

    previous = sys.getprofile()
    recorder = _RecordGruKernels()
    sys.setprofile(profile)
    try:
        with recorder:
            yield used
    finally:
        sys.setprofile(previous)
        used.extend(recorder.used)


def _gru_variant(x, h, w_ih, w_hh, b_ih, b_hh, order="rzn", reset_after=True, keep_old="z",
                 reset_scales_bias=True):
    """PyTorch's GRU step (the defaults) or one of the classic slips, to name the learner's mistake."""
    gi = dict(zip(order, (x @ w_ih.T + b_ih).chunk(3, dim=1)))
    gh = dict(zip(order, (h @ w_hh.T + b_hh).chunk(3, dim=1)))
    r = torch.sigmoid(gi["r"] + gh["r"])
    z = torch.sigmoid(gi["z"] + gh["z"])
    w_hn, b_hn = w_hh.chunk(3)[order.index("n")], b_hh.chunk(3)[order.index("n")]
    if not reset_after:
        n = torch.tanh(gi["n"] + (r * h) @ w_hn.T + b_hn)
    elif reset_scales_bias:
        n = torch.tanh(gi["n"] + r * gh["n"])
    else:
        n = torch.tanh(gi["n"] + r * (h @ w_hn.T) + b_hn)
    return (1 - z) * n + z * h if keep_old == "z" else z * n + (1 - z) * h


_GRU_SLIPS = [
    ({"order": "zrn"}, msg("the rows are stacked r, z, n: the first H rows of weight_ih are the reset gate r")),
    ({"reset_after": False}, msg("that is the GRU of Cho et al.'s final paper; PyTorch applies r after the "
                                 "matrix: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))")),
    ({"reset_scales_bias": False}, msg("r multiplies b_hn too: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))")),
    ({"keep_old": "1-z"}, msg("z keeps the old state: h' = (1 − z) ⊙ n + z ⊙ h")),
]


@exercise("4.4", expects="a function gru_step(x, h, weight_ih, weight_hh, bias_ih, bias_hh) that returns "
                         "the next hidden state, a tensor")
def exercise_4_4(gru_step) -> None:
    """``gru_step(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> h'`` equals ``nn.GRUCell``, written
    without PyTorch's GRU kernels or the course's ``gru_cell`` (calls to them are recorded and refused)."""
    generator = torch.Generator().manual_seed(44)
    for batch, inputs, hidden in ((2, 5, 4), (3, 2, 6)):
        with _own_seed(44):
            cell = nn.GRUCell(inputs, hidden).double()
        with torch.no_grad():
            for p in cell.parameters():
                p.uniform_(-0.8, 0.8, generator=generator)
            x = torch.randn(batch, inputs, generator=generator, dtype=torch.double)
            h = torch.randn(batch, hidden, generator=generator, dtype=torch.double)
            expected = cell(x, h)
            weights = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
            with _no_gru_kernels() as used:
                got = call(gru_step, x, h, *weights)
        if used:
            raise CheckFailed(msg("gru_step calls {name}, which computes the GRU step for you", name=used[0]),
                              msg("write the step from matrix products, torch.sigmoid and torch.tanh"))
        expect(isinstance(got, torch.Tensor), msg("gru_step returned {kind}, expected a tensor",
                                                  kind=type(got).__name__))
        expect(tuple(got.shape) == (batch, hidden),
               msg("expected h_next of shape (N, H) = {expected}, got {got}", expected=(batch, hidden),
                   got=tuple(got.shape)),
               msg("split the (N, 3·H) products into three (N, H) chunks along dim 1"))
        if torch.allclose(got.double(), expected, atol=1e-6, rtol=0):
            continue
        for slip, hint in _GRU_SLIPS:
            if torch.allclose(got.double(), _gru_variant(x, h, *weights, **slip), atol=1e-6, rtol=0):
                raise CheckFailed(msg("h_next differs from nn.GRUCell's"), hint)
        worst = (got.double() - expected).abs().max().item()
        raise CheckFailed(msg("h_next differs from nn.GRUCell's by up to {worst:.3g}", worst=worst),
                          msg("r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + "
                              "r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h; in code W x is x @ W.T"))


# --------------------------------------------------------------------------- 4.5: open the forget gate


def _bias_pairs(lstm: nn.LSTM):
    """``(suffix, bias_ih, bias_hh)`` of every layer and direction."""
    suffixes = [f"_l{layer}{reverse}" for layer in range(lstm.num_layers)
                for reverse in ([""] + (["_reverse"] if lstm.bidirectional else []))]
    return [(s, getattr(lstm, "bias_ih" + s), getattr(lstm, "bias_hh" + s)) for s in suffixes]


_GATE_ROWS = {0: "i (the input gate)", 2: "g (the candidate)", 3: "o (the output gate)"}


def _forget_gate_change(lstm: nn.LSTM, before: dict, value: float):
    """Raise CheckFailed naming what is wrong with the change from ``before`` to ``lstm``'s parameters."""
    H = lstm.hidden_size
    for name, p in lstm.named_parameters():
        if name.startswith("weight") and not torch.equal(p, before[name]):
            raise CheckFailed(msg("open_forget_gate changed {name}", name=name),
                              msg("only the biases decide where a gate starts; leave the weights alone"))
    for suffix, b_ih, b_hh in _bias_pairs(lstm):
        pair = msg("bias_ih{suffix}/bias_hh{suffix}", suffix=suffix)
        # per parameter, then summed: an untouched bias gives exact zeros
        change = ((b_ih - before["bias_ih" + suffix]) + (b_hh - before["bias_hh" + suffix])).chunk(4)
        for gate, label in _GATE_ROWS.items():
            if change[gate].abs().max() > 1e-6:
                raise CheckFailed(msg("the rows of gate {gate} changed in {pair}", gate=label, pair=pair),
                                  msg("the gates are stacked i, f, g, o: f is rows H:2·H = {start}:{stop}",
                                      start=H, stop=2 * H))
        added = change[1]
        if added.abs().max() <= 1e-6:
            raise CheckFailed(msg("the forget gate's rows of {pair} are unchanged", pair=pair),
                              msg("every layer and direction has its own biases: loop over all of them, "
                                  "e.g. over lstm.named_parameters()"))
        if (added - 2 * value).abs().max() <= 1e-5:
            raise CheckFailed(msg("the forget gate's bias in {pair} grew by {got}, not {value}",
                                  pair=pair, got=2 * value, value=value),
                              msg("the gate adds b_ih and b_hh, so changing both adds value twice: change one"))
        worst = (added - value).abs().max().item()
        if worst > 1e-5:
            raise CheckFailed(msg("the forget gate's bias in {pair} grew by amounts up to {worst:.3g} away "
                                  "from {value}", pair=pair, worst=worst, value=value),
                              msg("add the same value to each of the H forget-gate rows"))


@exercise("4.5", expects="a function open_forget_gate(lstm, value) that changes the LSTM in place and "
                         "returns it")
def exercise_4_5(open_forget_gate) -> None:
    """``open_forget_gate(lstm, value)`` adds ``value`` to the forget gate's bias, b_if + b_hf, of every
    layer and direction (weights and other gates unchanged) and returns the same module."""
    with _own_seed(45):
        cases = ((nn.LSTM(3, 4), 1.0), (nn.LSTM(3, 5, num_layers=2, bidirectional=True), 2.5),
                 (nn.LSTM(3, 4, proj_size=2), 4.0))
    for lstm, value in cases:
        before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
        try:
            result = call(open_forget_gate, lstm, value)
        except CheckFailed as failure:
            if "leaf Variable that requires grad" in str(failure.message.fields.get("error", "")):
                raise CheckFailed(failure.message, msg("change parameters inside with torch.no_grad(): — "
                                                       "autograd refuses in-place changes of a parameter")) from None
            raise
        expect(result is lstm, msg("open_forget_gate returned {got}, not the LSTM it was given", got=shown(result)),
               msg("change the module in place and return it: return lstm"))
        with torch.no_grad():
            _forget_gate_change(lstm, before, value)
