"""Tests of course_utils.viz.rnn: the diagrams draw what they claim, the gradient measurement is
autograd's, and every public function refuses bad arguments with a message that names the argument."""

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from course_utils.viz import (
    draw_gru_cell,
    draw_lstm_cell,
    draw_rnn_cell,
    draw_rnn_cells,
    draw_rnn_grid,
    draw_rnn_unrolled,
    input_gradient_by_gap,
    plot_gradient_by_gap,
    plot_row_reading,
)
from course_utils.viz import rnn as viz_rnn


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


# --------------------------------------------------------------------------- diagrams


def test_cell_diagrams_draw_into_a_given_axes():
    _, ax = plt.subplots()
    for draw in (draw_rnn_cell, draw_gru_cell, draw_lstm_cell):
        assert draw(ax) is ax
    assert "$W_{hr}$" in texts(draw_lstm_cell(proj=True))
    assert len(draw_rnn_cells().axes) == 3


def test_unrolled_layer_shows_one_cell_per_step_and_the_last_state_as_h_n():
    ax = draw_rnn_unrolled(steps=5)
    labels = texts(ax)
    assert labels.count("cell") == 5
    assert [f"output[{t}]" in labels for t in range(5)] == [True] * 5
    assert "output[5]" not in labels
    assert "$h_n$" in labels and "$h_4$" in labels   # h_n is the state after the last step


@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True), (3, True), (2, False)])
def test_grid_labels_every_h_n_index_on_the_side_where_its_chain_ends(layers, bidirectional):
    D, steps = (2 if bidirectional else 1), 4
    ax = draw_rnn_grid(num_layers=layers, bidirectional=bidirectional, steps=steps)
    labels = {t.get_text(): t for t in ax.texts}
    indices = sorted(int(name[4:-1]) for name in labels if name.startswith("h_n["))
    assert indices == list(range(layers * D))          # h_n[layer * D + direction], each once
    first_x = draw_x = None
    for name, text in labels.items():
        if name == "$x_0$":
            first_x = text.get_position()[0]
        if name == f"$x_{steps - 1}$":
            draw_x = text.get_position()[0]
    for index in indices:
        x = labels[f"h_n[{index}]"].get_position()[0]
        if index % D == 1:   # reverse direction: ends at t = 0, on the left
            assert x < first_x
        else:                # forward direction: ends at t = L - 1, on the right
            assert x > draw_x
    assert sum(name.startswith("output[") for name in labels) == steps


@pytest.mark.parametrize("call, message", [
    (lambda: draw_rnn_unrolled(steps=1), "steps must be a number of time steps of at least 2, got 1"),
    (lambda: draw_rnn_unrolled(steps=2.0), "steps must be a number of time steps, got 2.0 (float); write 2"),
    (lambda: draw_rnn_grid(num_layers=4), "num_layers must be a number of layers of at most 3, got 4"),
    (lambda: draw_rnn_grid(bidirectional=1), "bidirectional must be True or False, got 1 (int)"),
    (lambda: draw_rnn_grid(steps=6), "steps must be a number of time steps of at most 5, got 6"),
    (lambda: draw_rnn_unrolled(ax="axes"), "ax must be a matplotlib Axes"),
])
def test_diagrams_refuse_bad_arguments(call, message):
    with pytest.raises((TypeError, ValueError)) as error:
        call()
    assert str(error.value).startswith(message)


# --------------------------------------------------------------------------- gradient against the gap


def jacobian_norms_by_hand(module, inputs):
    """‖∂h_{L-1}/∂x_t‖ for each sequence and step, one sequence at a time, with autograd.grad."""
    L, N, _ = inputs.shape
    norms = torch.zeros(L, N, dtype=inputs.dtype)
    for n in range(N):
        x = inputs[:, n:n + 1].clone().requires_grad_(True)
        last = module(x)[0][-1, 0]
        rows = [torch.autograd.grad(last[k], x, retain_graph=True)[0][:, 0] for k in range(last.numel())]
        jacobian = torch.stack(rows)                  # (H, L, H_in)
        norms[:, n] = jacobian.pow(2).sum(dim=(0, 2)).sqrt()
    return norms.mean(dim=1).flip(0)


@pytest.mark.parametrize("make", [nn.RNN, nn.GRU, nn.LSTM, lambda i, h: nn.LSTM(i, h, proj_size=2)])
def test_input_gradient_by_gap_is_the_jacobian_norm_per_sequence(make):
    torch.manual_seed(0)
    module = make(3, 5).double()
    inputs = torch.randn(6, 4, 3, dtype=torch.double)
    measured = input_gradient_by_gap(module, inputs)
    assert measured.shape == (6,)
    assert torch.allclose(measured, jacobian_norms_by_hand(module, inputs), atol=1e-12)
    assert all(p.grad is None for p in module.parameters())   # the module's .grad is not touched


def test_input_gradient_by_gap_follows_batch_first_and_layers():
    torch.manual_seed(1)
    seq_first = nn.GRU(3, 4, num_layers=2).double()
    batch_first = nn.GRU(3, 4, num_layers=2, batch_first=True).double()
    batch_first.load_state_dict(seq_first.state_dict())
    inputs = torch.randn(5, 2, 3, dtype=torch.double)
    assert torch.allclose(input_gradient_by_gap(batch_first, inputs.transpose(0, 1)),
                          input_gradient_by_gap(seq_first, inputs), atol=1e-12)


def test_a_linear_rnn_shrinks_the_gradient_by_its_recurrent_weight_at_every_step():
    # with tanh replaced by ReLU on positive values and W_hh = 0.5 I, ∂h_{L-1}/∂x_t = 0.5^gap W_ih
    rnn = nn.RNN(2, 3, nonlinearity="relu", bias=False).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        rnn.weight_hh_l0.copy_(0.5 * torch.eye(3))
    inputs = torch.ones(4, 1, 2, dtype=torch.double)        # every pre-activation stays positive
    expected = torch.tensor([0.5 ** gap * 2.0 for gap in range(4)], dtype=torch.double)   # ‖W_ih‖_F = 2
    assert torch.allclose(input_gradient_by_gap(rnn, inputs), expected, atol=1e-12)


@pytest.mark.parametrize("module, inputs, error, message", [
    (nn.Linear(3, 4), torch.zeros(5, 2, 3), TypeError, "module must be an nn.RNN, nn.GRU or nn.LSTM, got"),
    (nn.LSTM, torch.zeros(5, 2, 3), TypeError, "module must be an nn.RNN, nn.GRU or nn.LSTM instance, got the "
                                               "class LSTM itself"),
    (nn.GRU(3, 4, bidirectional=True), torch.zeros(5, 2, 3), ValueError, "module must be unidirectional"),
    (nn.GRU(3, 4), torch.zeros(5, 3), ValueError, "inputs must be 3-D (L, N, H_in), got shape (5, 3); one sample?"),
    (nn.GRU(3, 4, batch_first=True), torch.zeros(2, 5), ValueError, "inputs must be 3-D (N, L, H_in)"),
    (nn.GRU(3, 4), torch.zeros(5, 2, 3, dtype=torch.double), TypeError,
     "module.weight_ih_l0, inputs must have the same dtype, but module.weight_ih_l0 is torch.float32"),
    (nn.GRU(3, 4), torch.zeros(5, 2, 3, dtype=torch.long), TypeError, "inputs must have a floating-point dtype"),
])
def test_input_gradient_by_gap_refuses_bad_arguments(module, inputs, error, message):
    with pytest.raises(error) as raised:
        input_gradient_by_gap(module, inputs)
    assert str(raised.value).startswith(message)


def test_plot_gradient_by_gap_draws_one_log_line_per_model():
    norms = {"RNN": torch.tensor([1.0, 0.1, 0.01]), "LSTM": torch.tensor([1.0, 0.9, 0.8], dtype=torch.double)}
    ax = plot_gradient_by_gap(norms)
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["RNN", "LSTM"]
    assert list(ax.get_lines()[0].get_xdata()) == [0, 1, 2]


@pytest.mark.parametrize("norms, error, message", [
    ([1.0, 0.5], TypeError, "norms must be a dict {label: 1-D tensor of gradient norms}, got [1.0, 0.5] (list)"),
    ({}, ValueError, "norms is empty"),
    ({1: torch.ones(3)}, TypeError, "norms' labels must be strings"),
    ({"RNN": torch.ones(3, 2)}, ValueError, "norms['RNN'] must be 1-D, got shape (3, 2)"),
    ({"RNN": [1.0, 0.5]}, TypeError, "norms['RNN'] must be a torch.Tensor"),
    ({"RNN": torch.tensor([1.0, float("nan")])}, ValueError, "norms['RNN'] contains NaN or infinite values"),
])
def test_plot_gradient_by_gap_refuses_bad_arguments(norms, error, message):
    with pytest.raises(error) as raised:
        plot_gradient_by_gap(norms)
    assert str(raised.value).startswith(message)


# --------------------------------------------------------------------------- an image read row by row


def test_row_reading_shows_the_image_and_one_state_row_per_image_row():
    image, states = torch.rand(1, 28, 28), torch.rand(28, 16) * 2 - 1
    figure = plot_row_reading(image, states)
    left, right = figure.axes[:2]
    assert left.images[0].get_array().shape == (28, 28)
    assert right.images[0].get_array().shape == (28, 16)
    assert plot_row_reading(image[0], states).axes[0].images[0].get_array().shape == (28, 28)


@pytest.mark.parametrize("image, states, error, message", [
    (torch.rand(3, 28, 28), torch.rand(28, 4), ValueError, "image must have one channel, got shape (3, 28, 28)"),
    (torch.rand(28), torch.rand(28, 4), ValueError, "image must be 2-D or 3-D"),
    (torch.rand(28, 28), torch.rand(27, 4), ValueError, "states must have one row per image row (28), got shape "
                                                        "(27, 4)"),
    (torch.rand(28, 28), torch.rand(28, 1, 4), ValueError, "states must be 2-D (L, H), got shape (28, 1, 4)"),
    (torch.zeros(28, 28, dtype=torch.uint8), torch.rand(28, 4), TypeError,
     "image must have a floating-point dtype"),
])
def test_row_reading_refuses_bad_arguments(image, states, error, message):
    with pytest.raises(error) as raised:
        plot_row_reading(image, states)
    assert str(raised.value).startswith(message)


def test_public_names():
    assert {"draw_rnn_unrolled", "draw_rnn_grid", "input_gradient_by_gap", "plot_gradient_by_gap",
            "plot_row_reading"} <= set(viz_rnn.__all__)
