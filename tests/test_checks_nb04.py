"""The checkers of notebook 04's exercises 4.2, 4.4 and 4.5: every correct answer passes, each classic
mistake gets the hint that names it, and a GRU step that lets PyTorch (or the course) do the work is refused.
(Exercises 4.1 and 4.3 are tested in test_rnn.py.)"""

import contextlib
import io

import pytest
import torch
from torch import nn

from course_utils.checks import nb04
from course_utils.rnn import gru_cell, run_rnn


def printed(check, *answers):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        check(*answers)
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def todo(*args):
    raise NotImplementedError


# --------------------------------------------------------------------------- 4.2


def features_from_h_n(output, h_n):
    return torch.cat([h_n[-2], h_n[-1]], dim=1)


def features_from_output(output, h_n):
    H = output.shape[-1] // 2
    return torch.cat([output[:, -1, :H], output[:, 0, H:]], dim=1)


def features_from_view(output, h_n):
    layers, N, H = h_n.shape[0] // 2, h_n.shape[1], h_n.shape[2]
    return h_n.view(layers, 2, N, H)[-1].permute(1, 0, 2).reshape(N, 2 * H)


@pytest.mark.parametrize("answer", [features_from_h_n, features_from_output, features_from_view])
def test_4_2_accepts_every_correct_form(answer):
    assert printed(nb04.exercise_4_2, answer) == "✅ 4.2 passed"


@pytest.mark.parametrize("answer, start, hint", [
    (lambda output, h_n: output[:, -1, :], "❌ 4.2: the features differ from the top layer's final states for "
     "nn.GRU(5, 4, num_layers=1, bidirectional=True, batch_first=True)", "it has read the whole sentence at t = 0"),
    (lambda output, h_n: output[:, 0, :], "❌ 4.2: the features differ", "forward direction after only the first"),
    (lambda output, h_n: torch.cat([h_n[0], h_n[1]], dim=1), "❌ 4.2: the features differ from the top layer's "
     "final states for nn.LSTM(5, 3, num_layers=3", "h_n[0] and h_n[1] belong to layer 0"),
    (lambda output, h_n: torch.cat([h_n[-1], h_n[-2]], dim=1), "❌ 4.2: the features differ", "forward first"),
    (lambda output, h_n: h_n[-2:].reshape(h_n.shape[1], -1), "❌ 4.2: the features differ", "mixes sentences"),
    (lambda output, h_n: h_n[-1], "❌ 4.2: expected shape (N, 2·H) = (3, 8) for nn.GRU(5, 4, num_layers=1, "
     "bidirectional=True, batch_first=True), got (3, 4): one direction only", "h_n[-2] (forward)"),
    (lambda output, h_n: output[-1], "❌ 4.2: expected shape (N, 2·H) = (3, 8)", "output is batch-first"),
    (lambda output, h_n: features_from_h_n(output, h_n) + 1, "❌ 4.2: the features differ", "output[:, 0, H:]"),
    (lambda output, h_n: "features", "❌ 4.2: sentence_features returned str, expected a tensor", None),
])
def test_4_2_names_each_mistake(answer, start, hint):
    line = printed(nb04.exercise_4_2, answer)
    assert line.startswith(start), line
    assert hint is None or hint in line.split(" — hint: ")[1]


def test_4_2_not_attempted():
    assert printed(nb04.exercise_4_2, todo) == "⏳ 4.2 not attempted yet"


# --------------------------------------------------------------------------- 4.4


def gru_step(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    return (1 - z) * torch.tanh(x_n + r * h_n) + z * h


def gru_step_with_slices(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    H = h.shape[1]
    gi, gh = torch.addmm(bias_ih, x, weight_ih.t()), torch.addmm(bias_hh, h, weight_hh.t())
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return h + (1 - z) * (n - h)


def gru_step_float32(x, h, *weights):
    return gru_step(x.float(), h.float(), *(w.float() for w in weights))


@pytest.mark.parametrize("answer", [gru_step, gru_step_with_slices, gru_step_float32])
def test_4_4_accepts_every_correct_form(answer):
    assert printed(nb04.exercise_4_4, answer) == "✅ 4.4 passed"


def through_the_module(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    cell = nn.GRUCell(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(cell, name).copy_(value)
        return cell(x, h)


def through_nn_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    gru = nn.GRU(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                               (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(gru, name).copy_(value)
        return gru(x.unsqueeze(0), h.unsqueeze(0))[1][0]


def through_run_rnn(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    gru = nn.GRU(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                               (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(gru, name).copy_(value)
    return run_rnn(gru, x.unsqueeze(0), h.unsqueeze(0))[1][0]


@pytest.mark.parametrize("answer, used", [
    (lambda x, h, *w: torch.gru_cell(x, h, *w), "PyTorch's GRU kernel gru_cell"),
    (lambda x, h, *w: torch._VF.gru_cell(x, h, *w), "PyTorch's GRU kernel gru_cell"),
    (lambda x, h, *w: torch.ops.aten.gru_cell(x, h, *w), "PyTorch's GRU kernel"),
    (through_the_module, "PyTorch's GRU kernel gru_cell"),
    (through_nn_gru, "PyTorch's GRU kernel gru"),
    (lambda x, h, *w: gru_cell(x, h, *w), "course_utils.rnn.gru_cell"),
    (through_run_rnn, "course_utils.rnn.run_rnn"),
])
def test_4_4_refuses_a_step_that_lets_pytorch_or_the_course_compute_it(answer, used):
    line = printed(nb04.exercise_4_4, answer)
    assert line.startswith(f"❌ 4.4: gru_step calls {used}"), line
    assert line.endswith("— hint: write the step from matrix products, torch.sigmoid and torch.tanh")


def the_papers_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh, reset_after=False)


def gates_z_r_n(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    x_z, x_r, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
    h_z, h_r, h_n = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    return (1 - z) * torch.tanh(x_n + r * h_n) + z * h


def z_on_the_candidate(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    return z * torch.tanh(x_n + r * h_n) + (1 - z) * h


def reset_without_bias(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
    h_r, h_z, _ = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * (h @ weight_hh.chunk(3)[2].T) + bias_hh.chunk(3)[2])
    return (1 - z) * n + z * h


def test_4_4_names_each_classic_mistake():
    assert printed(nb04.exercise_4_4, todo) == "⏳ 4.4 not attempted yet"
    # the course's gru_cell is refused even in its paper variant: the refusal comes first
    assert printed(nb04.exercise_4_4, the_papers_gru).startswith("❌ 4.4: gru_step calls course_utils.rnn.gru_cell")
    for answer, hint in ((gates_z_r_n, "the rows are stacked r, z, n"),
                         (z_on_the_candidate, "z keeps the old state: h' = (1 − z) ⊙ n + z ⊙ h"),
                         (reset_without_bias, "r multiplies b_hn too")):
        line = printed(nb04.exercise_4_4, answer)
        assert line.startswith("❌ 4.4: h_next differs from nn.GRUCell's — hint: " + hint), line
    line = printed(nb04.exercise_4_4, lambda x, h, *w: gru_step(x, h, *w) * 1.01)
    assert line.startswith("❌ 4.4: h_next differs from nn.GRUCell's by up to")
    line = printed(nb04.exercise_4_4, lambda x, h, *w: h.T)
    assert line.startswith("❌ 4.4: expected h_next of shape (N, H) = (2, 4), got (4, 2)")


def test_4_4_recognises_the_papers_variant_written_by_hand():
    def before_the_matrix(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
        x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
        (w_hr, w_hz, w_hn), (b_hr, b_hz, b_hn) = weight_hh.chunk(3), bias_hh.chunk(3)
        r = torch.sigmoid(x_r + h @ w_hr.T + b_hr)
        z = torch.sigmoid(x_z + h @ w_hz.T + b_hz)
        return (1 - z) * torch.tanh(x_n + (r * h) @ w_hn.T + b_hn) + z * h

    line = printed(nb04.exercise_4_4, before_the_matrix)
    assert "PyTorch applies r after the matrix" in line


def test_4_4_restores_the_profiler_and_torch_functions():
    import sys

    marker = []

    def profiler(frame, event, arg):
        marker.append(event)

    sys.setprofile(profiler)
    try:
        nb04.exercise_4_4.verdict(gru_step)
        assert sys.getprofile() is profiler
    finally:
        sys.setprofile(None)
    assert torch.gru_cell is torch._C._VariableFunctions.gru_cell


# --------------------------------------------------------------------------- 4.5


def open_forget_gate(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("bias_hh"):
                parameter[H:2 * H] += value
    return lstm


def open_both_halves(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("bias"):
                parameter[H:2 * H] += value / 2
    return lstm


@pytest.mark.parametrize("answer", [open_forget_gate, open_both_halves])
def test_4_5_accepts_every_correct_form(answer):
    assert printed(nb04.exercise_4_5, answer) == "✅ 4.5 passed"


def changing_rows(start):
    def answer(lstm, value):
        H = lstm.hidden_size
        with torch.no_grad():
            for name, parameter in lstm.named_parameters():
                if name.startswith("bias_ih"):
                    parameter[start * H:(start + 1) * H] += value
        return lstm
    return answer


def first_layer_only(lstm, value):
    with torch.no_grad():
        lstm.bias_hh_l0[lstm.hidden_size:2 * lstm.hidden_size] += value
    return lstm


def both_biases(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("bias"):
                parameter[H:2 * H] += value
    return lstm


def without_no_grad(lstm, value):
    lstm.bias_ih_l0[lstm.hidden_size:2 * lstm.hidden_size] += value
    return lstm


def on_a_copy(lstm, value):
    import copy
    return open_forget_gate(copy.deepcopy(lstm), value)


def touches_weights(lstm, value):
    with torch.no_grad():
        lstm.weight_hh_l0.mul_(2)
    return open_forget_gate(lstm, value)


def no_return(lstm, value):
    open_forget_gate(lstm, value)


@pytest.mark.parametrize("answer, start, hint", [
    (changing_rows(0), "❌ 4.5: the rows of gate i (the input gate) changed in bias_ih_l0/bias_hh_l0",
     "f is rows H:2·H = 4:8"),
    (changing_rows(3), "❌ 4.5: the rows of gate o (the output gate) changed", "stacked i, f, g, o"),
    (first_layer_only, "❌ 4.5: the forget gate's rows of bias_ih_l0_reverse/bias_hh_l0_reverse are unchanged",
     "every layer and direction has its own biases"),
    (both_biases, "❌ 4.5: the forget gate's bias in bias_ih_l0/bias_hh_l0 grew by 2.0, not 1.0",
     "changing both adds value twice"),
    (without_no_grad, "❌ 4.5: your function raised RuntimeError: a view of a leaf Variable", "torch.no_grad()"),
    (on_a_copy, "❌ 4.5: open_forget_gate returned an LSTM module, not the LSTM it was given",
     "return lstm"),
    (touches_weights, "❌ 4.5: open_forget_gate changed weight_hh_l0", "leave the weights alone"),
    (no_return, "❌ 4.5: no_return returned None", "return statement"),
])
def test_4_5_names_each_mistake(answer, start, hint):
    line = printed(nb04.exercise_4_5, answer)
    assert line.startswith(start), line
    assert hint in line.split(" — hint: ")[1], line


def test_4_5_not_attempted():
    assert printed(nb04.exercise_4_5, todo) == "⏳ 4.5 not attempted yet"


# --------------------------------------------------------------------------- all of them


def test_the_checkers_leave_the_learners_random_numbers_alone():
    state = torch.random.get_rng_state()
    for check, answer in ((nb04.exercise_4_1, todo), (nb04.exercise_4_2, features_from_h_n),
                          (nb04.exercise_4_3, todo), (nb04.exercise_4_4, gru_step),
                          (nb04.exercise_4_5, open_forget_gate)):
        check.verdict(answer)
    assert torch.equal(torch.random.get_rng_state(), state)
