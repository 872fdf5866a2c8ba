"""Tests of course_utils.rnn (run_rnn and the single-step cells), the cell
diagrams in course_utils.viz.rnn and the exercise checks of notebook 04."""

import contextlib
import io
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_sequence

from course_utils.checks import nb04
from course_utils.rnn import GATES, gru_cell, lstm_cell, rnn_cell, run_rnn

TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # The tensors here are tiny: a second thread only adds synchronisation cost,
    # which on a busy 2-core machine makes the RNN kernels 50x slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def flat(result):
    """(output, h_n) or (output, (h_n, c_n)) -> list of tensors."""
    output, state = result
    return [output, *state] if isinstance(state, tuple) else [output, state]


def assert_same_result(expected, actual, atol):
    assert type(actual) is type(expected)
    assert type(actual[1]) is type(expected[1])
    for e, a in zip(flat(expected), flat(actual), strict=True):
        assert a.shape == e.shape
        assert a.dtype == e.dtype
        torch.testing.assert_close(a, e, atol=atol, rtol=0)


KINDS = ["rnn_tanh", "rnn_relu", "gru", "lstm", "lstm_proj"]


def build(kind, input_size, hidden_size, proj_size=0, **options):
    if kind == "rnn_tanh":
        return nn.RNN(input_size, hidden_size, nonlinearity="tanh", **options)
    if kind == "rnn_relu":
        return nn.RNN(input_size, hidden_size, nonlinearity="relu", **options)
    if kind == "gru":
        return nn.GRU(input_size, hidden_size, **options)
    return nn.LSTM(input_size, hidden_size, proj_size=proj_size, **options)


@st.composite
def rnn_cases(draw):
    kind = draw(st.sampled_from(KINDS))
    hidden_size = draw(st.integers(2 if kind == "lstm_proj" else 1, 5))
    return dict(
        kind=kind,
        input_size=draw(st.integers(1, 4)),
        hidden_size=hidden_size,
        proj_size=draw(st.integers(1, hidden_size - 1)) if kind == "lstm_proj" else 0,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        bias=draw(st.booleans()),
        batched=draw(st.booleans()),
        given_state=draw(st.booleans()),
        length=draw(st.integers(1, 5)),
        batch=draw(st.integers(1, 3)),
        seed=draw(st.integers(0, 2**31 - 1)),
    )


def make_case(case, dtype):
    torch.manual_seed(case["seed"])
    module = build(
        case["kind"], case["input_size"], case["hidden_size"], case["proj_size"],
        num_layers=case["num_layers"], bidirectional=case["bidirectional"],
        batch_first=case["batch_first"], bias=case["bias"],
    ).to(dtype)
    L, N, I = case["length"], case["batch"], case["input_size"]  # noqa: E741 (the docs' names)
    if not case["batched"]:
        x = torch.randn(L, I, dtype=dtype)
    elif case["batch_first"]:
        x = torch.randn(N, L, I, dtype=dtype)
    else:
        x = torch.randn(L, N, I, dtype=dtype)
    hx = None
    if case["given_state"]:
        D = 2 if case["bidirectional"] else 1
        batch = (N,) if case["batched"] else ()
        h_out = case["proj_size"] or case["hidden_size"]
        h0 = torch.randn(D * case["num_layers"], *batch, h_out, dtype=dtype)
        if case["kind"].startswith("lstm"):
            hx = (h0, torch.randn(D * case["num_layers"], *batch, case["hidden_size"], dtype=dtype))
        else:
            hx = h0
    return module, x, hx


# ---------------------------------------------------------------- run_rnn

@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@settings(max_examples=150, deadline=None)
@given(case=rnn_cases())
def test_run_rnn_equals_module(case, dtype):
    module, x, hx = make_case(case, dtype)
    with torch.no_grad():
        expected = module(x, hx)
        actual = run_rnn(module, x, hx)
    assert_same_result(expected, actual, TOLERANCE[dtype])


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@settings(max_examples=40, deadline=None)
@given(case=rnn_cases())
def test_run_rnn_gradients_equal_module(case):
    module, x, hx = make_case(case, torch.float64)
    inputs = [x] + ([] if hx is None else list(hx) if isinstance(hx, tuple) else [hx])
    for t in inputs:
        t.requires_grad_(True)
    weights = torch.randn_like(flat(module(x, hx))[0])

    def grads(fn):
        out = fn(module, x, hx)
        loss = (flat(out)[0] * weights).sum() + sum(s.sum() for s in flat(out)[1:])
        return torch.autograd.grad(loss, inputs + list(module.parameters()))

    for e, a in zip(grads(lambda m, x, hx: m(x, hx)), grads(run_rnn), strict=True):
        torch.testing.assert_close(a, e, atol=1e-10, rtol=0)


def test_run_rnn_example_from_the_docstring():
    lstm = nn.LSTM(10, 20, num_layers=2, bidirectional=True, batch_first=True)
    out, (h_n, c_n) = run_rnn(lstm, torch.randn(3, 7, 10))
    assert (out.shape, h_n.shape, c_n.shape) == ((3, 7, 40), (4, 3, 20), (4, 3, 20))


def test_run_rnn_seed_example_shapes():
    """The (35, 2, 32) sequence-first example of the tutorial (seed 001)."""
    rnn = nn.RNN(input_size=32, hidden_size=2)
    x = torch.rand(35, 2, 32)
    out, h_n = run_rnn(rnn, x)
    assert out.shape == (35, 2, 2) and h_n.shape == (1, 2, 2)
    torch.testing.assert_close(out[-1], h_n[0], atol=0, rtol=0)


def test_run_rnn_empty_batch_matches_module():
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    x = torch.randn(5, 0, 3)
    assert_same_result(gru(x), run_rnn(gru, x), 0)


@pytest.mark.parametrize("num_layers", [1, 3])
def test_dropout_in_eval_mode_matches(num_layers):
    lstm = nn.LSTM(3, 4, num_layers=num_layers, dropout=0.5 if num_layers > 1 else 0.0).eval()
    x = torch.randn(6, 2, 3)
    assert_same_result(lstm(x), run_rnn(lstm, x), 1e-5)


def test_dropout_with_one_layer_has_no_effect_even_in_training():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        rnn = nn.RNN(3, 4, num_layers=1, dropout=0.5)
    x = torch.randn(6, 2, 3)
    assert_same_result(rnn(x), run_rnn(rnn, x), 1e-5)


def test_dropout_in_training_mode_raises():
    gru = nn.GRU(3, 4, num_layers=2, dropout=0.3)
    with pytest.raises(ValueError, match=r"dropout=0\.3.*module\.eval\(\)"):
        run_rnn(gru, torch.randn(5, 2, 3))


# ---------------------------------------------------------------- run_rnn errors

@pytest.mark.parametrize("module, name", [
    (nn.RNNCell(3, 4), "RNNCell"), (nn.GRUCell(3, 4), "GRUCell"), (nn.LSTMCell(3, 4), "LSTMCell"),
    (nn.Linear(3, 4), "Linear"), (nn.Sequential(nn.LSTM(3, 4)), "Sequential"),
])
def test_run_rnn_rejects_other_modules(module, name):
    with pytest.raises(TypeError, match=rf"module must be an nn\.RNN, nn\.GRU or nn\.LSTM, got .*{name}"):
        run_rnn(module, torch.randn(5, 2, 3))


def test_run_rnn_rejects_packed_sequence():
    packed = pack_sequence([torch.randn(4, 3), torch.randn(2, 3)])
    with pytest.raises(TypeError, match="PackedSequence.*pad_packed_sequence"):
        run_rnn(nn.LSTM(3, 4), packed)


def test_run_rnn_rejects_non_tensor_input():
    with pytest.raises(TypeError, match=r"input must be a torch.Tensor .*got \[\[1.0, 2.0, 3.0\]\] \(list\); "
                                        r"convert it with torch.tensor"):
        run_rnn(nn.RNN(3, 4), [[1.0, 2.0, 3.0]])


@pytest.mark.parametrize("shape", [(3,), (1, 5, 2, 3)])
def test_run_rnn_rejects_wrong_rank(shape):
    with pytest.raises(ValueError, match=r"input must be 3-D or 2-D \(L, N, I\) or unbatched \(L, I\), "
                                         rf"got shape {re.escape(str(shape))}"):
        run_rnn(nn.GRU(3, 4), torch.randn(shape))


def test_run_rnn_names_batch_first_layout_in_rank_error():
    with pytest.raises(ValueError, match=r"3-D or 2-D \(N, L, I\)"):
        run_rnn(nn.GRU(3, 4, batch_first=True), torch.randn(3))


def test_run_rnn_rejects_wrong_feature_size():
    with pytest.raises(ValueError, match=r"input_size=3 .* got shape \(5, 2, 4\)"):
        run_rnn(nn.RNN(3, 4), torch.randn(5, 2, 4))


def test_run_rnn_rejects_empty_sequence():
    with pytest.raises(ValueError, match="at least one time step"):
        run_rnn(nn.RNN(3, 4), torch.randn(0, 2, 3))


def test_run_rnn_rejects_dtype_mismatch():
    with pytest.raises(TypeError, match=r"module.weight_ih_l0 is torch.float32, input is torch.float64; "
                                        r"convert them, e.g. input.to\(module.weight_ih_l0.dtype\)"):
        run_rnn(nn.RNN(3, 4), torch.randn(5, 2, 3, dtype=torch.float64))


def test_run_rnn_rejects_batch_first_hidden_state():
    gru = nn.GRU(3, 4, num_layers=2, batch_first=True)
    x = torch.randn(6, 5, 3)  # N=6, L=5
    with pytest.raises(ValueError, match=r"hx must have shape .* = \(2, 6, 4\), got \(6, 2, 4\).*never batch-first"):
        run_rnn(gru, x, torch.zeros(6, 2, 4))


def test_run_rnn_rejects_batched_state_for_unbatched_input():
    with pytest.raises(ValueError, match=r"unbatched 2-D input = \(1, 4\), got \(1, 1, 4\)"):
        run_rnn(nn.RNN(3, 4), torch.randn(5, 3), torch.zeros(1, 1, 4))


def test_run_rnn_rejects_wrong_cell_state_shape():
    lstm = nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"hx\[1\] \(c_0\) must have shape .* = \(1, 2, 4\), got \(1, 2, 2\)"):
        run_rnn(lstm, torch.randn(5, 2, 3), (torch.zeros(1, 2, 2), torch.zeros(1, 2, 2)))


def test_run_rnn_rejects_state_of_the_wrong_kind():
    with pytest.raises(TypeError, match=r"hx of nn.LSTM must be a pair \(h_0, c_0\), got Tensor"):
        run_rnn(nn.LSTM(3, 4), torch.randn(5, 2, 3), torch.zeros(1, 2, 4))
    with pytest.raises(TypeError, match=r"hx of nn.GRU must be a tensor h_0, not a tuple \(only nn.LSTM"):
        run_rnn(nn.GRU(3, 4), torch.randn(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))
    with pytest.raises(TypeError, match=r"hx must be a torch.Tensor, got 'zeros' \(str\)"):
        run_rnn(nn.RNN(3, 4), torch.randn(5, 2, 3), "zeros")


def test_run_rnn_rejects_state_dtype_mismatch():
    with pytest.raises(TypeError, match=r"hx is torch.float64.*hx.to\(module.weight_ih_l0.dtype\)"):
        run_rnn(nn.RNN(3, 4), torch.randn(5, 2, 3), torch.zeros(1, 2, 4, dtype=torch.float64))
    lstm, x = nn.LSTM(3, 4), torch.randn(5, 2, 3)
    with pytest.raises(TypeError, match=r"hx\[1\] is torch.float64.*hx\[1\].to\(module.weight_ih_l0.dtype\)"):
        run_rnn(lstm, x, (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4, dtype=torch.float64)))


def test_run_rnn_rejects_state_on_another_device():
    lstm, x = nn.LSTM(3, 4), torch.randn(5, 2, 3)
    with pytest.raises(ValueError, match=r"module.weight_ih_l0, hx\[0\], hx\[1\] must be on the same device, "
                                         r"but .*hx\[1\] is on meta"):
        run_rnn(lstm, x, (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4, device="meta")))
    with pytest.raises(ValueError, match="input is on meta"):
        run_rnn(lstm, torch.randn(5, 2, 3, device="meta"))


def test_run_rnn_names_the_cell_state_and_its_size():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"hx\[1\] \(c_0\) must have shape \(D·num_layers, N, H\) = \(1, 2, 4\)"):
        run_rnn(lstm, torch.randn(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 3)))


# ---------------------------------------------------------------- single-step cells

@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_equals_nn_rnncell(batched, bias, nonlinearity):
    cell = nn.RNNCell(3, 5, bias=bias, nonlinearity=nonlinearity).double()
    x, h = torch.randn(4, 3, dtype=torch.double), torch.randn(4, 5, dtype=torch.double)
    if not batched:
        x, h = x[0], h[0]
    mine = rnn_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh, nonlinearity)
    torch.testing.assert_close(mine, cell(x, h), atol=1e-12, rtol=0)


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_gru_cell_equals_nn_grucell(batched, bias):
    cell = nn.GRUCell(3, 5, bias=bias).double()
    x, h = torch.randn(4, 3, dtype=torch.double), torch.randn(4, 5, dtype=torch.double)
    if not batched:
        x, h = x[0], h[0]
    mine = gru_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    torch.testing.assert_close(mine, cell(x, h), atol=1e-12, rtol=0)


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell_equals_nn_lstmcell(batched, bias):
    cell = nn.LSTMCell(3, 5, bias=bias).double()
    x = torch.randn(4, 3, dtype=torch.double)
    h, c = torch.randn(4, 5, dtype=torch.double), torch.randn(4, 5, dtype=torch.double)
    if not batched:
        x, h, c = x[0], h[0], c[0]
    mine = lstm_cell(x, (h, c), cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    for a, e in zip(mine, cell(x, (h, c)), strict=True):
        torch.testing.assert_close(a, e, atol=1e-12, rtol=0)


def test_lstm_cell_with_projection_equals_one_step_of_nn_lstm():
    lstm = nn.LSTM(3, 5, proj_size=2).double()
    x = torch.randn(1, 4, 3, dtype=torch.double)
    h0, c0 = torch.randn(1, 4, 2, dtype=torch.double), torch.randn(1, 4, 5, dtype=torch.double)
    _, (h1, c1) = lstm(x, (h0, c0))
    h, c = lstm_cell(x[0], (h0[0], c0[0]), lstm.weight_ih_l0, lstm.weight_hh_l0,
                     lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_hr_l0)
    torch.testing.assert_close(h, h1[0], atol=1e-12, rtol=0)
    torch.testing.assert_close(c, c1[0], atol=1e-12, rtol=0)


def cho_gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """Cho et al. (2014), eqs. 5-8, written out independently of course_utils."""
    W_ir, W_iz, W_in = w_ih.chunk(3)
    W_hr, W_hz, W_hn = w_hh.chunk(3)
    b_ir, b_iz, b_in = b_ih.chunk(3)
    b_hr, b_hz, b_hn = b_hh.chunk(3)
    r = torch.sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
    z = torch.sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
    n = torch.tanh(x @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
    return (1 - z) * n + z * h


def test_gru_cell_reset_before_is_the_original_gru_and_differs_from_pytorch():
    torch.manual_seed(0)
    gru = nn.GRU(10, 16).double()
    weights = (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)
    x = torch.randn(7, 5, 10, dtype=torch.double)
    h_pt = h_cho = torch.zeros(5, 16, dtype=torch.double)
    h_ref = h_cho
    biggest = 0.0
    for t in range(7):
        h_pt = gru_cell(x[t], h_pt, *weights)
        h_cho = gru_cell(x[t], h_cho, *weights, reset_after=False)
        h_ref = cho_gru_step(x[t], h_ref, *weights)
        torch.testing.assert_close(h_cho, h_ref, atol=1e-12, rtol=0)
        biggest = max(biggest, (h_pt - h_cho).abs().max().item())
    torch.testing.assert_close(h_pt, gru(x)[1][0], atol=1e-12, rtol=0)
    assert biggest > 0.05  # same weights, visibly different hidden states


def test_gates_layout_matches_module_shapes():
    for cls, name in ((nn.RNN, "RNN"), (nn.GRU, "GRU"), (nn.LSTM, "LSTM")):
        module = cls(3, 5)
        assert module.weight_ih_l0.shape == (len(GATES[name]) * 5, 3)


def test_cell_errors():
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    w_ih, w_hh = torch.randn(4, 3), torch.randn(4, 4)
    with pytest.raises(ValueError, match="nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"):
        rnn_cell(x, h, w_ih, w_hh, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"a cell takes one time step"):
        rnn_cell(torch.randn(5, 2, 3), h, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"weight_ih must have shape \(3·H, I\) = \(12, 3\)"):
        gru_cell(x, h, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"hx must have the same batch layout"):
        rnn_cell(x, torch.randn(3, 4), w_ih, w_hh)
    with pytest.raises(ValueError, match=r"bias_hh must have shape \(4,\)"):
        rnn_cell(x, h, w_ih, w_hh, torch.randn(4), torch.randn(5))
    with pytest.raises(TypeError, match="weight_hh must be a torch.Tensor"):
        rnn_cell(x, h, w_ih, None)
    with pytest.raises(TypeError, match=r"hx must be a pair \(h, c\)"):
        lstm_cell(x, h, torch.randn(16, 3), torch.randn(16, 4))
    with pytest.raises(ValueError, match="pass weight_hr"):
        lstm_cell(x, (torch.randn(2, 2), h), torch.randn(16, 3), torch.randn(16, 2))
    with pytest.raises(ValueError, match=r"weight_hr must have shape \(P, H\) = \(2, 4\)"):
        lstm_cell(x, (torch.randn(2, 2), h), torch.randn(16, 3), torch.randn(16, 2),
                  weight_hr=torch.randn(4, 2))
    with pytest.raises(TypeError, match="reset_after must be True or False"):
        gru_cell(x, h, torch.randn(12, 3), torch.randn(12, 4), reset_after="yes")


def lstm_arguments(dtype=torch.float32):
    """A batch of 2, I=3, H=4: x, (h, c), weight_ih, weight_hh, bias_ih, bias_hh."""
    cell = nn.LSTMCell(3, 4).to(dtype)
    x, h, c = (torch.randn(2, n, dtype=dtype) for n in (3, 4, 4))
    return x, (h, c), cell.weight_ih.detach(), cell.weight_hh.detach(), cell.bias_ih.detach(), cell.bias_hh.detach()


@pytest.mark.parametrize("position, name", [(0, "input"), (4, "bias_ih"), (5, "bias_hh"), (2, "weight_ih")])
def test_cells_refuse_mixed_dtypes_naming_the_argument(position, name):
    # Before: a float64 bias silently turned the result into float64; a float64 input gave torch's matmul error.
    x, h, w_ih, w_hh = torch.randn(2, 3), torch.randn(2, 4), torch.randn(4, 3), torch.randn(4, 4)
    arguments = [x, h, w_ih, w_hh, torch.randn(4), torch.randn(4)]
    arguments[position] = arguments[position].double()
    reference = "weight_hh" if name == "weight_ih" else "weight_ih"  # the first of the majority's dtype
    with pytest.raises(TypeError, match=rf"must have the same dtype, but .*{name} is torch.float64.*; "
                                        rf"convert them, e.g. {name}\.to\({reference}.dtype\)"):
        rnn_cell(*arguments)
    gru_arguments = [x, h, torch.randn(12, 3), torch.randn(12, 4), torch.randn(12), torch.randn(12)]
    gru_arguments[position] = gru_arguments[position].double()
    with pytest.raises(TypeError, match=rf"{name} is torch.float64"):
        gru_cell(*gru_arguments)


def test_lstm_cell_refuses_a_float64_cell_state_naming_hx1():
    x, (h, c), *weights = lstm_arguments()
    with pytest.raises(TypeError, match=r"hx\[1\] is torch.float64; convert them, e.g. hx\[1\].to\(weight_ih.dtype\)"):
        lstm_cell(x, (h, c.double()), *weights)


def test_cells_refuse_tensors_on_different_devices():
    x, (h, c), *weights = lstm_arguments()
    with pytest.raises(ValueError, match=r"must be on the same device, but .*hx\[0\] is on meta.*\.to\(device\)"):
        lstm_cell(x, (h.to("meta"), c), *weights)
    with pytest.raises(ValueError, match="bias_hh is on meta"):
        rnn_cell(torch.randn(2, 3), torch.randn(2, 4), torch.randn(4, 3), torch.randn(4, 4), None,
                 torch.randn(4, device="meta"))


def test_lstm_cell_blames_a_wrong_cell_state_not_the_weights():
    x, (h, c), *weights = lstm_arguments()
    with pytest.raises(ValueError, match=r"hx\[1\] \(the cell state c\) must have H = 4 features .*got shape \(2, 3\)"):
        lstm_cell(x, (h, c[:, :3]), *weights)
    with pytest.raises(ValueError, match=r"hx\[0\] \(the hidden state h\) must have H = 4 features .*"
                                         r"got shape \(2, 5\)"):
        lstm_cell(x, (torch.randn(2, 5), c), *weights)
    with pytest.raises(ValueError, match=r"hx\[1\] \(the cell state c\) must have the same batch layout as input"):
        lstm_cell(x, (h, c[:1]), *weights)
    with pytest.raises(TypeError, match=r"hx\[1\] \(the cell state c\) must be a torch.Tensor"):
        lstm_cell(x, (h, c.tolist()), *weights)


def test_cells_blame_a_wrong_state_or_input_size_on_that_argument():
    x, h, w_ih, w_hh = torch.randn(2, 3), torch.randn(2, 4), torch.randn(4, 3), torch.randn(4, 4)
    with pytest.raises(ValueError, match=r"hx must have H = 4 features in its last dim.*got shape \(2, 5\)"):
        rnn_cell(x, torch.randn(2, 5), w_ih, w_hh)
    with pytest.raises(ValueError, match=r"input must have I = weight_ih.shape\[1\] = 3 features.*got shape \(2, 6\)"):
        rnn_cell(torch.randn(2, 6), h, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"weight_hh must have shape \(3·H, H_out\) = \(12, 4\)"):
        gru_cell(x, h, torch.randn(12, 3), torch.randn(12, 5))


def test_cells_still_return_the_dtype_of_their_arguments():
    x, (h, c), *weights = lstm_arguments(torch.float64)
    h_next, c_next = lstm_cell(x, (h, c), *weights)
    assert h_next.dtype == c_next.dtype == torch.float64


# ---------------------------------------------------------------- cell diagrams

@pytest.mark.parametrize("name", ["draw_rnn_cell", "draw_gru_cell", "draw_lstm_cell"])
def test_cell_diagrams_draw(name):
    import matplotlib.pyplot as plt

    from course_utils import viz

    ax = getattr(viz, name)()
    texts = {t.get_text() for t in ax.texts}
    assert "$x_t$" in texts and "$h_{t-1}$" in texts and "$h_t$" in texts
    if name == "draw_lstm_cell":
        assert {"$c_{t-1}$", "$c_t$", "f", "i", "g", "o"} <= texts
    if name == "draw_gru_cell":
        assert {"r", "z", "n", "$W_{hn}h+b_{hn}$"} <= texts
    plt.close("all")


def test_lstm_diagram_with_projection_and_all_three_side_by_side():
    import matplotlib.pyplot as plt

    from course_utils.viz import draw_lstm_cell, draw_rnn_cells

    assert "$W_{hr}$" in {t.get_text() for t in draw_lstm_cell(proj=True).texts}
    assert len(draw_rnn_cells().axes) == 3
    plt.close("all")


@pytest.mark.parametrize("name", ["draw_rnn_cell", "draw_gru_cell", "draw_lstm_cell"])
def test_cell_diagrams_refuse_something_that_is_not_an_axes(name):
    from course_utils import viz

    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        getattr(viz, name)(ax="left")


# ---------------------------------------------------------------- exercise checks



def printed(check, *answers):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        check(*answers)
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def count_parameters(kind, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True, proj_size=0):
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    D = 2 if bidirectional else 1
    H, P = hidden_size, proj_size
    H_out = P or H
    total = 0
    for layer in range(num_layers):
        inputs = input_size if layer == 0 else D * H_out
        total += D * (G * H * (inputs + H_out) + 2 * G * H * bias + P * H)
    return total


def test_check_4_1():
    def todo(*args, **kwargs):
        raise NotImplementedError

    def no_directions(kind, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True, proj_size=0):
        return count_parameters(kind, input_size, hidden_size, num_layers, False, bias, proj_size)

    assert printed(nb04.exercise_4_1, todo) == "⏳ 4.1 not attempted yet"
    assert printed(nb04.exercise_4_1, count_parameters) == "✅ 4.1 passed"
    line = printed(nb04.exercise_4_1, no_directions)
    assert line.startswith("❌ 4.1: count_rnn_parameters('RNN', 4, 6, bidirectional=True) returned 72, expected 144")
    assert "each direction has its own" in line
    line = printed(nb04.exercise_4_1, lambda *a, **k: 1.5)
    assert line.startswith("❌ 4.1: expected the result of count_rnn_parameters('RNN', 10, 20) "
                           "as a whole number, got 1.5")
    assert printed(nb04.exercise_4_1, lambda kind: 0).startswith("❌ 4.1: your function raised TypeError")


def lstm_proj_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr):
    i, f, g, o = (x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, dim=1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return (torch.sigmoid(o) * torch.tanh(c_next)) @ weight_hr.T, c_next


def test_check_4_3():
    def todo(*args):
        raise NotImplementedError

    def no_projection(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr):
        h_next, c_next = lstm_proj_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)
        i, f, g, o = (x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, dim=1)
        return torch.sigmoid(o) * torch.tanh(c_next), c_next

    def wrong_gate_order(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr):
        i, g, f, o = (x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return (torch.sigmoid(o) * torch.tanh(c_next)) @ weight_hr.T, c_next

    assert printed(nb04.exercise_4_3, todo) == "⏳ 4.3 not attempted yet"
    assert printed(nb04.exercise_4_3, lstm_proj_step) == "✅ 4.3 passed"
    assert printed(nb04.exercise_4_3, lstm_cell_adapter) == "✅ 4.3 passed"
    line = printed(nb04.exercise_4_3, no_projection)
    assert line.startswith("❌ 4.3: expected h_next of shape (2, 3), got (2, 6)") and "weight_hr" in line
    line = printed(nb04.exercise_4_3, wrong_gate_order)
    assert line.startswith("❌ 4.3: c_next differs") and "i, f, g, o" in line
    assert printed(nb04.exercise_4_3, lambda *a: a[1]).startswith("❌ 4.3: expected a pair")


def lstm_cell_adapter(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr):
    return lstm_cell(x, (h, c), weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)


# ---------------------------------------------------------------- facts notebook 04 states

def test_bidirectional_slices_of_output_and_h_n():
    gru = nn.GRU(10, 20, num_layers=2, bidirectional=True)
    out, h_n = run_rnn(gru, torch.randn(7, 3, 10))
    h_n4 = h_n.view(2, 2, 3, 20)
    assert torch.equal(out[-1, :, :20], h_n4[-1, 0])
    assert torch.equal(out[0, :, 20:], h_n4[-1, 1])
    assert not torch.allclose(out[-1, :, 20:], h_n4[-1, 1])


def test_batch_first_state_is_not_batch_first_and_default_layout_mixes_sentences():
    sentences = torch.randn(32, 10, 100)
    rnn = nn.RNN(100, 16)
    out, h_n = run_rnn(rnn, sentences)
    assert h_n.shape == (1, 10, 16)
    expected_5 = run_rnn(rnn, sentences[5].unsqueeze(1))[0][:, 0]
    assert not torch.allclose(out[5], expected_5, atol=1e-6)
    fixed = nn.RNN(100, 16, batch_first=True)
    fixed.load_state_dict(rnn.state_dict())
    out, h_n = run_rnn(fixed, sentences)
    assert h_n.shape == (1, 32, 16)
    torch.testing.assert_close(out[5], expected_5, atol=1e-6, rtol=0)


def test_length_one_sequences_leak_across_the_batch_without_batch_first():
    features = torch.randn(8, 1, 64)
    for batch_first, leaks in ((False, True), (True, False)):
        gru = nn.GRU(64, 32, batch_first=batch_first)
        together = gru(features)[0]
        one_by_one = torch.cat([gru(features[b:b + 1])[0] for b in range(8)])
        torch.testing.assert_close(together[0], one_by_one[0])
        assert (not torch.allclose(together[7], one_by_one[7], atol=1e-6)) is leaks


def test_parameter_formula_of_the_reference_sheet():
    cases = [((nn.RNN, 10, 20), {}, 640), ((nn.GRU, 10, 20), {}, 1920), ((nn.LSTM, 10, 20), {}, 2560),
             ((nn.LSTM, 10, 20), {"num_layers": 2, "bidirectional": True}, 15040),
             ((nn.LSTM, 10, 20), {"num_layers": 2, "bidirectional": True, "proj_size": 7}, 7280),
             ((nn.GRU, 10, 20), {"num_layers": 3, "bidirectional": True, "bias": False}, 18000)]
    for (cls, i, h), options, expected in cases:
        kind = cls.__name__
        assert sum(p.numel() for p in cls(i, h, **options).parameters()) == expected
        assert count_parameters(kind, i, h, **options) == expected


# The "why gates help" experiment of notebook 04, §8 (same code, same seed).

def remember_first(n, length=60, generator=None):
    labels = torch.randint(0, 2, (n,), generator=generator)
    x = torch.zeros(n, length, 6)
    x[torch.arange(n), 0, labels] = 1.0
    x[:, 1:, 2:] = torch.randn(n, length - 1, 4, generator=generator)
    return x, labels


class LastStep(nn.Module):
    def __init__(self, recurrent):
        super().__init__()
        self.recurrent, self.head = recurrent, nn.Linear(recurrent.hidden_size, 2)

    def forward(self, x):
        return self.head(self.recurrent(x)[0][:, -1])


def final_accuracy(model, steps=400, seed=0):
    data = torch.Generator().manual_seed(seed)
    test_x, test_y = remember_first(500, generator=torch.Generator().manual_seed(123))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    for _ in range(steps):
        x, y = remember_first(64, generator=data)
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (model(test_x).argmax(1) == test_y).float().mean().item()


def test_an_open_forget_gate_remembers_over_60_steps_and_a_plain_rnn_does_not():
    torch.manual_seed(0)
    rnn = LastStep(nn.RNN(6, 16, batch_first=True))
    torch.manual_seed(0)
    lstm = LastStep(nn.LSTM(6, 16, batch_first=True))
    with torch.no_grad():
        lstm.recurrent.bias_ih_l0[16:32] += 4.0
    assert final_accuracy(rnn) < 0.65
    assert final_accuracy(lstm) >= 0.95
