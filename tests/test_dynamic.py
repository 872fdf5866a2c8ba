"""Tests for course_utils.models.dynamic: DynamicCNN, DynamicLSTM, lengths_tensor.

They back the claims notebook 05 makes: one CNN for every image size above a
minimum, adaptive pooling's bins, and that a packed batch gives each sequence
exactly the result it gets alone (while the padded batch's last step does not).
"""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from course_utils.models import DynamicCNN, DynamicLSTM
from course_utils.models.dynamic import lengths_tensor

SETTINGS = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------- DynamicCNN


@pytest.mark.parametrize("size", [(5, 5), (28, 28), (55, 64), (64, 64), (64, 55), (224, 224), (7, 300)])
def test_cnn_output_shape_for_any_size(size):
    torch.manual_seed(0)
    model = DynamicCNN()
    assert model(torch.randn(2, 3, *size)).shape == (2, 10)


def test_cnn_layer_shapes_follow_conv_arithmetic():
    from course_utils.shapes import trace_shapes

    table = trace_shapes(DynamicCNN(), torch.zeros(1, 3, 55, 64))
    assert table["conv1"].output_shapes == "(1, 16, 53, 62)"
    assert table["conv2"].output_shapes == "(1, 32, 51, 60)"
    assert table["pool"].output_shapes == "(1, 32, 1, 1)"
    assert table["fc"].output_shapes == "(1, 10)"
    assert table.total_params == 448 + 4640 + 330


@given(
    in_channels=st.integers(1, 3),
    num_classes=st.integers(1, 5),
    channels=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    kernel_size=st.integers(1, 4),
    extra_h=st.integers(0, 6),
    extra_w=st.integers(0, 6),
)
@SETTINGS
def test_cnn_configurations(in_channels, num_classes, channels, kernel_size, extra_h, extra_w):
    model = DynamicCNN(in_channels, num_classes, channels, kernel_size)
    assert model.min_input_size == 1 + len(channels) * (kernel_size - 1)
    height, width = model.min_input_size + extra_h, model.min_input_size + extra_w
    assert model(torch.randn(2, in_channels, height, width)).shape == (2, num_classes)
    if kernel_size > 1:
        with pytest.raises(ValueError, match=f"at least {model.min_input_size}×{model.min_input_size}"):
            model(torch.randn(1, in_channels, model.min_input_size - 1, width))


def test_cnn_pooling_is_the_global_mean():
    torch.manual_seed(0)
    model = DynamicCNN()
    x = torch.randn(2, 3, 20, 31)
    features = model.relu2(model.conv2(model.relu1(model.conv1(x))))
    expected = model.fc(features.mean(dim=(2, 3)))
    assert torch.allclose(model(x), expected, atol=1e-6)


def test_cnn_too_small_input_names_the_minimum():
    model = DynamicCNN()
    with pytest.raises(ValueError, match=r"at least 5×5 pixels.*got 4×64"):
        model(torch.randn(1, 3, 4, 64))
    with pytest.raises(ValueError, match=r"at least 5×5"):
        model(torch.randn(1, 3, 64, 3))
    assert DynamicCNN(kernel_size=5).min_input_size == 9
    assert DynamicCNN(channels=(8, 8, 8)).min_input_size == 7


def test_cnn_input_errors():
    model = DynamicCNN()
    with pytest.raises(ValueError, match="add a batch dimension"):
        model(torch.randn(3, 32, 32))
    with pytest.raises(ValueError, match=r"in_channels=3 but the input has 1 channels.*DynamicCNN\(in_channels=1\)"):
        model(torch.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match="channels come second"):
        model(torch.randn(2, 32, 32, 3))
    with pytest.raises(TypeError, match=r"DynamicCNN's input must be a torch.Tensor \(N, C, H, W\), got \[\[1.0\]\] "
                                        r"\(list\); convert it with torch.tensor"):
        model([[1.0]])
    with pytest.raises(ValueError, match=r"input is empty \(shape \(1, 3, 0, 7\)\)"):
        model(torch.zeros(1, 3, 0, 7))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"in_channels": 0}, ValueError, "in_channels must be a positive int, got 0"),
        ({"num_classes": 2.0}, TypeError, r"num_classes must be a positive int, got 2.0 \(float\); write 2"),
        ({"kernel_size": True}, TypeError, "kernel_size must be a positive int"),
        ({"channels": ()}, ValueError, r"channels must have at least one entry \(one per layer\), got \(\)"),
        ({"channels": 16}, TypeError, "channels must be a list or tuple of positive ints, one per layer, got 16"),
        ({"channels": "16"}, TypeError, "channels must be a list or tuple of positive ints, one per layer, got '16'"),
        ({"channels": (16, 2.0)}, TypeError, r"channels\[1\] must be a positive int, got 2.0"),
        ({"channels": (16, -1)}, ValueError, r"channels\[1\] must be a positive int, got -1"),
    ],
)
def test_cnn_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        DynamicCNN(**kwargs)


def _features_without_the_check(model, x):
    """Run the convolutions and max-poolings of ``model`` directly, skipping its input check."""
    for name, layer in model.named_children():
        if name == "pool":
            return x
        x = layer(x)
    raise AssertionError("no adaptive pooling layer")


@given(
    channels=st.lists(st.integers(1, 3), min_size=1, max_size=4),
    kernel_size=st.integers(1, 5),
    downsample=st.booleans(),
)
@SETTINGS
def test_min_input_size_is_the_exact_minimum(channels, kernel_size, downsample):
    """The smallest side every layer accepts, found by trying sizes: the formula is neither too strict nor too lax."""
    model = DynamicCNN(1, 2, channels, kernel_size, downsample=downsample)
    smallest = None
    for side in range(1, model.min_input_size + 2):
        try:
            _features_without_the_check(model, torch.zeros(1, 1, side, side))
        except RuntimeError:
            continue
        smallest = side
        break
    assert smallest == model.min_input_size
    assert model(torch.zeros(1, 1, smallest, smallest + 3)).shape == (1, 2)
    if smallest > 1:
        with pytest.raises(ValueError, match=f"at least {smallest}×{smallest} pixels"):
            model(torch.zeros(1, 1, smallest - 1, smallest + 3))


def test_downsample_puts_a_max_pool_after_every_convolution_but_the_last():
    from course_utils.shapes import trace_shapes

    model = DynamicCNN(1, 10, channels=(16, 32, 64), downsample=True)
    assert [name for name, _ in model.named_children()] == [
        "conv1", "relu1", "maxpool1", "conv2", "relu2", "maxpool2", "conv3", "relu3", "pool", "flatten", "fc"]
    table = trace_shapes(model, torch.zeros(1, 1, 28, 28))
    assert table["maxpool1"].output_shapes == "(1, 16, 13, 13)"
    assert table["maxpool2"].output_shapes == "(1, 32, 5, 5)"
    assert table["conv3"].output_shapes == "(1, 64, 3, 3)"
    assert model.min_input_size == 18
    with pytest.raises(ValueError, match=r"at least 18×18 pixels \(its 3 unpadded 3×3 convolutions each remove 2 "
                                         r"and its 2 2×2 max-poolings halve the size\), got 17×28"):
        model(torch.zeros(1, 1, 17, 28))
    with pytest.raises(TypeError, match="downsample must be True or False, got 1"):
        DynamicCNN(downsample=1)


# --------------------------------------------------------------------------- adaptive pooling facts


def adaptive_bins(size_in, size_out):
    return [(math.floor(j * size_in / size_out), math.ceil((j + 1) * size_in / size_out)) for j in range(size_out)]


def test_adaptive_bins_reference_example():
    assert adaptive_bins(10, 4) == [(0, 3), (2, 5), (5, 8), (7, 10)]


@given(size_in=st.integers(1, 29), size_out=st.integers(1, 12), size_w=st.integers(1, 9), out_w=st.integers(1, 5))
@SETTINGS
def test_adaptive_pooling_uses_these_bins(size_in, size_out, size_w, out_w):
    x = torch.randn(1, 2, size_in, size_w, dtype=torch.float64)
    expected = torch.stack([
        torch.stack([x[..., a:b, c:d].mean(dim=(-2, -1)) for c, d in adaptive_bins(size_w, out_w)], dim=-1)
        for a, b in adaptive_bins(size_in, size_out)
    ], dim=-2)
    assert torch.allclose(nn.AdaptiveAvgPool2d((size_out, out_w))(x), expected, atol=1e-12)


@pytest.mark.parametrize("size_in, size_out", [(12, 4), (12, 3), (10, 5), (7, 7), (9, 1)])
def test_adaptive_pooling_is_avg_pooling_when_output_divides_input(size_in, size_out):
    x = torch.randn(2, 3, size_in, dtype=torch.float64)
    kernel = size_in // size_out
    assert torch.allclose(nn.AdaptiveAvgPool1d(size_out)(x), nn.AvgPool1d(kernel)(x))
    assert adaptive_bins(size_in, size_out) == [(j * kernel, (j + 1) * kernel) for j in range(size_out)]


def test_adaptive_pooling_can_enlarge():
    """Adaptive pooling to more bins than inputs repeats and averages: 3 → 5 on (0, 1, 2) gives (0, .5, 1, 1.5, 2)."""
    out = nn.AdaptiveAvgPool1d(5)(torch.tensor([[[0.0, 1.0, 2.0]]]))
    assert torch.allclose(out.flatten(), torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0]))


# --------------------------------------------------------------------------- DynamicLSTM


@pytest.mark.parametrize("length", [1, 15, 20, 37])
def test_lstm_any_length(length):
    model = DynamicLSTM(input_size=10, hidden_size=20, output_size=1)
    assert model(torch.randn(5, length, 10)).shape == (5, 1)


def _per_sequence(model, sequences):
    return torch.cat([model(seq.unsqueeze(0)) for seq in sequences])


@given(
    lengths=st.lists(st.integers(1, 9), min_size=1, max_size=6),
    cell=st.sampled_from(["lstm", "gru"]),
    num_layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    seed=st.integers(0, 1000),
)
@SETTINGS
def test_packed_batch_equals_each_sequence_alone(lengths, cell, num_layers, bidirectional, seed):
    torch.manual_seed(seed)
    model = DynamicLSTM(3, 5, 2, num_layers=num_layers, cell=cell, bidirectional=bidirectional).double()
    sequences = [torch.randn(n, 3, dtype=torch.float64) for n in lengths]
    padded = pad_sequence(sequences, batch_first=True, padding_value=7.0)  # padding value must not matter
    batched = model(padded, lengths=lengths)
    assert batched.shape == (len(lengths), 2)
    assert torch.allclose(batched, _per_sequence(model, sequences), atol=1e-10)
    # the same with lengths as a tensor
    assert torch.allclose(model(padded, lengths=torch.tensor(lengths)), batched, atol=1e-12)


def test_padded_last_step_is_wrong_for_short_sequences():
    torch.manual_seed(0)
    model = DynamicLSTM(4, 6, 1)
    lengths = [2, 5, 3]
    sequences = [torch.randn(n, 4) for n in lengths]
    padded = pad_sequence(sequences, batch_first=True)
    alone = _per_sequence(model, sequences)
    naive = model(padded)  # no lengths: reads the zero padding as data
    packed = model(padded, lengths=lengths)
    assert torch.allclose(packed, alone, atol=1e-6)
    same = [torch.allclose(naive[b], alone[b], atol=1e-6) for b in range(3)]
    assert same == [False, True, False]


def test_packing_reference_example():
    """Notebook 05's example: lengths [2, 5, 3] → batch_sizes [3, 3, 2, 1, 1], sorted_indices [1, 2, 0]."""
    torch.manual_seed(0)
    lengths = torch.tensor([2, 5, 3])
    padded = pad_sequence([torch.randn(n, 4) for n in lengths.tolist()], batch_first=True)
    packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
    assert packed.data.shape == (10, 4)
    assert packed.batch_sizes.tolist() == [3, 3, 2, 1, 1]
    assert packed.sorted_indices.tolist() == [1, 2, 0]
    lstm = nn.LSTM(4, 6, batch_first=True)
    out_packed, (h_n, _) = lstm(packed)
    out, out_lengths = pad_packed_sequence(out_packed, batch_first=True)
    assert out.shape == (3, 5, 6) and out_lengths.tolist() == [2, 5, 3]
    for b, n in enumerate(lengths.tolist()):
        assert torch.equal(out[b, n:], torch.zeros(5 - n, 6))
        assert torch.allclose(h_n[0, b], out[b, n - 1])
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=True)


def test_lstm_with_embedding():
    torch.manual_seed(0)
    model = DynamicLSTM(input_size=8, hidden_size=6, output_size=3, vocab_size=20, cell="gru")
    sequences = [torch.tensor([4, 5, 6]), torch.tensor([7]), torch.tensor([1, 2, 3, 9, 19])]
    padded = pad_sequence(sequences, batch_first=True)  # pads with id 0
    batched = model(padded, lengths=[3, 1, 5])
    assert batched.shape == (3, 3)
    assert torch.allclose(batched, _per_sequence(model, sequences), atol=1e-6)
    with pytest.raises(ValueError, match=r"token ids must be in 0..19"):
        model(torch.tensor([[3, 20]]))
    with pytest.raises(ValueError, match=r"DynamicLSTM's input must be 2-D \(N, L\) of token ids"):
        model(torch.randn(2, 3, 8))
    with pytest.raises(TypeError, match=r"token ids of dtype torch.int64 .*got torch.float32; .*x.long\(\)"):
        model(torch.rand(2, 3) * 10)
    with pytest.raises(ValueError, match=r"at least one sequence of at least one step, got shape \(2, 0\)"):
        model(torch.zeros(2, 0, dtype=torch.int64))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_per_step_outputs_equal_each_sequence_alone(cell, bidirectional):
    torch.manual_seed(0)
    model = DynamicLSTM(3, 5, 2, num_layers=2, cell=cell, bidirectional=bidirectional, per_step=True).double()
    lengths = [2, 6, 3, 1]
    sequences = [torch.randn(n, 3, dtype=torch.float64) for n in lengths]
    padded = pad_sequence(sequences, batch_first=True, padding_value=5.0)
    out = model(padded, lengths=lengths)
    assert out.shape == (4, 6, 2)
    for b, sequence in enumerate(sequences):
        assert torch.allclose(out[b, :lengths[b]], model(sequence.unsqueeze(0))[0], atol=1e-10)
        # after its end a row holds fc(0) = the bias: not a prediction, a loss must skip it
        assert torch.allclose(out[b, lengths[b]:], model.fc.bias.expand(6 - lengths[b], 2))


def test_per_step_keeps_the_padded_length_when_every_sequence_is_shorter():
    model = DynamicLSTM(4, 6, 3, per_step=True, vocab_size=9)
    tokens = torch.tensor([[1, 2, 0, 0, 0], [3, 0, 0, 0, 0]])
    assert model(tokens, lengths=[2, 1]).shape == (2, 5, 3)  # total_length: L stays 5, not max(lengths) = 2
    assert model(tokens).shape == (2, 5, 3)
    with pytest.raises(TypeError, match="per_step must be True or False"):
        DynamicLSTM(per_step="yes")


def test_lstm_state_layout():
    """The last layer's final state feeds fc: check against the module's own h_n."""
    torch.manual_seed(0)
    model = DynamicLSTM(3, 4, 2, num_layers=2, bidirectional=True)
    x = torch.randn(2, 6, 3)
    _, (h_n, _) = model.rnn(x)
    expected = model.fc(torch.cat([h_n[2], h_n[3]], dim=-1))
    assert torch.allclose(model(x), expected)
    assert model.fc.in_features == 8


def test_lengths_on_other_device_like_tensor_are_moved_to_cpu():
    values = lengths_tensor(torch.tensor([3, 1], dtype=torch.int32), batch_size=2, max_length=3)
    assert values.dtype == torch.int64 and values.device.type == "cpu" and values.tolist() == [3, 1]


@pytest.mark.parametrize(
    "lengths, error, message",
    [
        ([2, 5], ValueError, "lengths has 2 entries but the batch has 3 sequences"),
        ([2, 6, 3], ValueError, r"between 1 and the padded length 5, got \[2, 6, 3\]"),
        ([0, 5, 3], ValueError, "between 1 and the padded length 5"),
        ([2.0, 5, 3], TypeError, r"lengths\[0\] must be an int, got 2.0 \(float\); write 2"),
        (torch.tensor([2.0, 5.0, 3.0]), TypeError, "must hold integers, got dtype torch.float32"),
        (torch.tensor([[2, 5, 3]]), ValueError, "lengths must be 1-D"),
        ("253", TypeError, r"lengths must be a list of ints or a 1-D integer tensor, got '253' \(str\)"),
    ],
)
def test_lstm_lengths_errors(lengths, error, message):
    model = DynamicLSTM(4, 6, 1)
    with pytest.raises(error, match=message):
        model(torch.randn(3, 5, 4), lengths=lengths)


def test_lstm_input_errors():
    model = DynamicLSTM(4, 6, 1)
    with pytest.raises(ValueError, match="add a batch dimension"):
        model(torch.randn(5, 4))
    with pytest.raises(ValueError, match="input_size=4 but the input has 10 features"):
        model(torch.randn(3, 5, 10))
    with pytest.raises(ValueError, match=r"input is empty \(shape \(3, 0, 4\)\); every dimension of \(N, L, 4\)"):
        model(torch.randn(3, 0, 4))
    with pytest.raises(TypeError, match="DynamicLSTM's input must be a torch.Tensor"):
        model([[0.0] * 4])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"input_size": 0}, ValueError, "input_size must be a positive int, got 0"),
        ({"hidden_size": 2.5}, TypeError, r"hidden_size must be a positive int, got 2.5 \(float\)"),
        ({"num_layers": -1}, ValueError, "num_layers must be a positive int"),
        ({"cell": "rnn"}, ValueError, "cell must be one of 'lstm', 'gru'; got 'rnn'"),
        ({"bidirectional": 1}, TypeError, "bidirectional must be True or False"),
        ({"vocab_size": 0}, ValueError, "vocab_size must be a positive int"),
    ],
)
def test_lstm_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        DynamicLSTM(**kwargs)


# --------------------------------------------------------------------------- exercise checks (notebook 05)


def _solution_5_1(x, output_size):
    rows, columns = adaptive_bins(x.shape[-2], output_size[0]), adaptive_bins(x.shape[-1], output_size[1])
    return torch.stack([
        torch.stack([x[..., a:b, c:d].mean(dim=(-2, -1)) for c, d in columns], dim=-1) for a, b in rows
    ], dim=-2)


def _not_attempted(*args):
    raise NotImplementedError


def _masked_mean(output, lengths):
    mask = torch.arange(output.shape[1])[None, :] < lengths[:, None]
    return (output * mask[..., None]).sum(dim=1) / lengths[:, None]


class _Packed(nn.Module):
    """Answers to exercise 5.3, right and wrong; ``final`` picks what goes into fc."""

    def __init__(self, rnn, fc):
        super().__init__()
        self.rnn, self.fc = rnn, fc

    def forward(self, padded, lengths):
        packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        h_n = state[0] if isinstance(state, tuple) else state
        return self.fc(self.final(h_n))

    def final(self, h_n):
        return h_n[-1]


class _FirstLayer(_Packed):
    def final(self, h_n):
        return h_n[0]


class _LstmOnly(_Packed):
    def forward(self, padded, lengths):
        packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _c_n) = self.rnn(packed)  # a GRU's h_n of 2 layers unpacks too, into its two layers
        return self.fc(h_n[-1])


class _Sorted(_Packed):
    def forward(self, padded, lengths):
        _, state = self.rnn(pack_padded_sequence(padded, lengths, batch_first=True))
        return self.fc((state[0] if isinstance(state, tuple) else state)[-1])


class _Naive(_Packed):
    def forward(self, padded, lengths):
        return self.fc(self.rnn(padded)[0][:, -1])  # the tutorial's x[:, -1, :]


class _EveryStep(_Packed):
    def forward(self, padded, lengths):
        return self.fc(self.rnn(padded)[0])


class _Starter(_Packed):
    def forward(self, padded, lengths):
        raise NotImplementedError


PACKED_CLASSIFIERS = {"Packed": _Packed, "FirstLayer": _FirstLayer, "LstmOnly": _LstmOnly, "Sorted": _Sorted,
                      "Naive": _Naive, "EveryStep": _EveryStep, "Starter": _Starter}


@pytest.mark.parametrize(
    "check, answer, expected",
    [
        ("exercise_5_1", _solution_5_1, "✅ 5.1 passed\n"),
        ("exercise_5_1", _not_attempted, "⏳ 5.1 not attempted yet\n"),
        ("exercise_5_1", lambda x, size: nn.functional.adaptive_max_pool2d(x, size), "❌ 5.1: values for"),
        ("exercise_5_1", lambda x, size: x[..., : size[0], : size[1]], "❌ 5.1: values for"),
        ("exercise_5_1", lambda x, size: x.mean(dim=(-2, -1)), "❌ 5.1: expected shape for"),
        ("exercise_5_2", lambda lengths: [sum(n > t for n in lengths) for t in range(max(lengths))], "✅ 5.2 passed\n"),
        ("exercise_5_2", lambda lengths: torch.tensor([sum(n > t for n in lengths) for t in range(max(lengths))]),
         "✅ 5.2 passed\n"),
        ("exercise_5_2", _not_attempted, "⏳ 5.2 not attempted yet\n"),
        ("exercise_5_2", lambda lengths: sorted(lengths, reverse=True), "❌ 5.2: for lengths [2, 5, 3] expected"),
        ("exercise_5_2", lambda lengths: 3, "❌ 5.2: expected a list of ints, got int"),
        ("exercise_5_3", "Packed", "✅ 5.3 passed\n"),
        ("exercise_5_3", "Starter", "⏳ 5.3 not attempted yet\n"),
        ("exercise_5_3", "LstmOnly", "❌ 5.3: it works with an nn.LSTM but not with an nn.GRU as rnn: "),
        ("exercise_5_3", "Sorted", "❌ 5.3: your function raised RuntimeError: `lengths` array must be sorted"),
        ("exercise_5_3", "Naive", "❌ 5.3: the rnn read the padding"),
        ("exercise_5_3", "FirstLayer", "❌ 5.3: that is fc applied to h_n[0]"),
        ("exercise_5_3", "EveryStep", "❌ 5.3: expected one prediction per sequence, shape (4, 3), got (4, 5, 3)"),
        ("exercise_5_4", _masked_mean, "✅ 5.4 passed\n"),
        ("exercise_5_4", lambda out, lengths: torch.stack([out[b, :n].mean(0) for b, n in enumerate(lengths.tolist())]),
         "✅ 5.4 passed\n"),
        ("exercise_5_4", _not_attempted, "⏳ 5.4 not attempted yet\n"),
        ("exercise_5_4", lambda out, lengths: out.mean(1), "❌ 5.4: that is the mean over all L_max steps"),
        ("exercise_5_4", lambda out, lengths: out.sum(1) / lengths[:, None],
         "❌ 5.4: you divided by the lengths, but the sum also holds the padded steps"),
        ("exercise_5_4", lambda out, lengths: out.mean(2), "❌ 5.4: means for lengths [2, 5, 3, 1] differ"),
        ("exercise_5_4", lambda out, lengths: out[:, 0], "❌ 5.4: means for lengths [2, 5, 3, 1] differ"),
    ],
)
def test_nb05_checks_print_one_line(check, answer, expected, capsys):
    from course_utils.checks import nb05

    answer = PACKED_CLASSIFIERS[answer] if isinstance(answer, str) else answer
    assert getattr(nb05, check)(answer) is None
    printed = capsys.readouterr().out
    assert printed.startswith(expected)
    assert printed.count("\n") == 1


@pytest.mark.parametrize("make_model, shape", [(DynamicCNN, (2, 3, 8, 8)), (lambda: DynamicLSTM(4, 6, 1), (2, 5, 4))],
                         ids=["DynamicCNN", "DynamicLSTM"])
@pytest.mark.parametrize("dtype, fix", [
    (torch.float64, r"convert the input with x.to\(torch.float32\) \(NumPy arrays are float64: "
                    r"torch.from_numpy\(a\).float\(\)\)"),
    (torch.int64, r"convert with x.float\(\)"),
    (torch.bool, r"convert with x.float\(\)"),
])
def test_wrong_dtypes_get_a_type_error_with_the_fix_not_a_silent_cast(make_model, shape, dtype, fix):
    model = make_model()
    with pytest.raises(TypeError, match=rf"{type(model).__name__}'s input has dtype {dtype} but the model's "
                                        rf"weights are torch.float32; {fix}"):
        model(torch.zeros(shape, dtype=dtype))
