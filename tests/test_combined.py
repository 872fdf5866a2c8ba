"""Tests of course_utils.models.combined: shapes, parameter counts, the length-1 sequence, batch_first."""

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.models import CombinedModel, RowRecurrentModel
from course_utils.repro import seed_everything
from course_utils.shapes import trace_shapes


def n_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.fixture(scope="module")
def combined():
    seed_everything(0)
    return CombinedModel().eval()


@pytest.fixture(scope="module")
def row_model():
    seed_everything(0)
    return RowRecurrentModel().eval()


def images(n, seed=0):
    return torch.randn(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


# --------------------------------------------------------------------------- the tutorial's model

def test_combined_model_has_896_618_parameters_layer_by_layer(combined):
    counts = {name: n_params(child) for name, child in combined.named_children()}
    assert counts == {"conv1": 320, "pool": 0, "conv2": 18_496, "deconv": 8_224, "flatten": 0,
                      "rnn": 819_456, "gru": 37_248, "lstm": 12_544, "fc": 330}
    assert n_params(combined) == 896_618
    # The formulas: RNN 1 gate, GRU 3 gates, LSTM 4 gates, each G*H*(I + H) + 2*G*H
    assert counts["rnn"] == 1 * 128 * (6272 + 128) + 2 * 128
    assert counts["gru"] == 3 * 64 * (128 + 64) + 2 * 3 * 64
    assert counts["lstm"] == 4 * 32 * (64 + 32) + 2 * 4 * 32


def test_combined_model_true_shapes(combined):
    table = trace_shapes(combined, images(64))
    shapes = [(row.label, row.output_shapes) for row in table.rows]
    assert shapes == [
        ("conv1", "(64, 32, 28, 28)"),
        ("pool", "(64, 32, 14, 14)"),  # not (32, 28, 28) as the tutorial's comment says
        ("conv2", "(64, 64, 14, 14)"),
        ("pool (call 2)", "(64, 64, 7, 7)"),  # not (64, 14, 14)
        ("deconv", "(64, 32, 14, 14)"),  # from (64, 7, 7), not (64, 14, 14) -> (32, 28, 28)
        ("flatten", "(64, 6272)"),
        ("rnn", "(64, 1, 128), (1, 64, 128)"),  # a sequence of length 1
        ("gru", "(64, 1, 64), (1, 64, 64)"),
        ("lstm", "(64, 1, 32), [(1, 64, 32), (1, 64, 32)]"),
        ("fc", "(64, 10)"),
    ]
    assert table["deconv"].input_shapes == "(64, 64, 7, 7)"
    assert table["rnn"].input_shapes == "(64, 1, 6272)"


def test_all_recurrent_layers_are_batch_first(combined, row_model):
    for model in (combined, row_model):
        recurrent = [m for m in model.modules() if isinstance(m, nn.RNNBase)]
        assert recurrent and all(m.batch_first for m in recurrent)


@pytest.mark.parametrize("num_classes", [2, 10, 37])
@pytest.mark.parametrize("model_class", [CombinedModel, RowRecurrentModel])
def test_output_shape(model_class, num_classes):
    model = model_class(num_classes=num_classes).eval()
    with torch.no_grad():
        assert model(images(3)).shape == (3, num_classes)
        assert model(images(1)).shape == (1, num_classes)


# --------------------------------------------------------------------------- length-1 sequences

def test_length_one_rnn_is_tanh_of_a_linear_layer(combined):
    rnn = combined.rnn
    x = torch.randn(5, 1, 6272)
    with torch.no_grad():
        output, h_n = rnn(x)
        by_hand = torch.tanh(x[:, 0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0)
    assert torch.allclose(output[:, 0], by_hand, atol=1e-5)
    assert torch.allclose(h_n[0], by_hand, atol=1e-5)


def hidden_weights(model):
    return {name: p for name, p in model.named_parameters() if "weight_hh" in name}


def test_combined_model_never_uses_its_hidden_to_hidden_weights(combined):
    model = copy.deepcopy(combined)
    x = images(8)
    with torch.no_grad():
        before = model(x)
        for weight in hidden_weights(model).values():
            weight.zero_()
        after = model(x)
    assert torch.allclose(before, after, atol=1e-6)
    wasted = sum(w.numel() for w in hidden_weights(model).values())
    assert wasted == 128 * 128 + 3 * 64 * 64 + 4 * 32 * 32 == 32_768


def test_hidden_to_hidden_gradients_are_zero_for_length_one_only(combined, row_model):
    targets = torch.arange(8) % 10
    for model, expect_zero in ((copy.deepcopy(combined), True), (copy.deepcopy(row_model), False)):
        model.train()
        nn.functional.cross_entropy(model(images(8)), targets).backward()
        for name, weight in hidden_weights(model).items():
            assert (weight.grad.abs().max().item() == 0) is expect_zero, name


def test_row_model_reads_14_rows_and_its_hidden_weights_matter(row_model):
    table = trace_shapes(row_model, images(4))
    assert table["gru"].input_shapes == "(4, 14, 448)"
    assert table["lstm"].input_shapes == "(4, 14, 128)"
    assert table["fc"].input_shapes == "(4, 448)"
    model = copy.deepcopy(row_model)
    with torch.no_grad():
        before = model(images(4))
        for weight in hidden_weights(model).values():
            weight.zero_()
        assert not torch.allclose(before, model(images(4)), atol=1e-3)


def test_row_model_step_t_holds_row_t_of_every_channel(row_model):
    captured = {}
    handle = row_model.gru.register_forward_pre_hook(lambda m, args: captured.setdefault("seq", args[0]))
    x = images(2)
    with torch.no_grad():
        row_model(x)
        feature_map = row_model.deconv(row_model.features(x))
    handle.remove()
    seq = captured["seq"]
    for t in (0, 5, 13):
        for c in (0, 31):
            assert torch.equal(seq[:, t, c * 14:(c + 1) * 14], feature_map[:, c, t, :])


def test_row_model_parameter_count(row_model):
    counts = {name: n_params(child) for name, child in row_model.named_children()}
    assert counts == {"features": 18_912, "deconv": 8_256, "gru": 197_376, "lstm": 20_736, "fc": 4_490}
    assert n_params(row_model) == 249_770


# --------------------------------------------------------------------------- batches do not mix

@settings(max_examples=15, deadline=None)
@given(batch=st.integers(2, 6), seed=st.integers(0, 1000))
def test_each_image_is_classified_on_its_own(combined, row_model, batch, seed):
    x = images(batch, seed)
    with torch.no_grad():
        for model in (combined, row_model):
            together = model(x)
            alone = torch.cat([model(x[i:i + 1]) for i in range(batch)])
            assert torch.allclose(together, alone, atol=1e-4)


def test_batch_first_false_mixes_the_images_of_a_batch(combined):
    # The pitfall: GRU and LSTM default to batch_first=False and would read the batch as time.
    model = copy.deepcopy(combined)
    model.gru.batch_first = False
    model.lstm.batch_first = False
    x = images(16)
    with torch.no_grad():
        together = model(x)
        alone = torch.cat([model(x[i:i + 1]) for i in range(16)])
    assert torch.allclose(together[0], alone[0], atol=1e-5)  # the first image has no past
    assert (together - alone).abs().max() > 1e-3


# --------------------------------------------------------------------------- saving and loading

@pytest.mark.parametrize("model_class", [CombinedModel, RowRecurrentModel])
def test_state_dict_round_trip_with_weights_only(model_class, tmp_path):
    seed_everything(1)
    model = model_class().eval()
    path = tmp_path / "weights.pt"
    torch.save(model.state_dict(), path)
    seed_everything(2)
    restored = model_class()
    restored.load_state_dict(torch.load(path, weights_only=True))
    restored.eval()
    with torch.no_grad():
        assert torch.equal(model(images(4)), restored(images(4)))


# --------------------------------------------------------------------------- argument errors

@pytest.mark.parametrize("model_class", [CombinedModel, RowRecurrentModel])
def test_bad_arguments_are_explained(model_class):
    for bad in (1, 0):
        with pytest.raises(ValueError, match=rf"num_classes \(10 for MNIST digits\) must be an int of at least 2, "
                                             rf"got {bad}"):
            model_class(num_classes=bad)
    for bad in (2.5, True, "10"):
        with pytest.raises(TypeError, match=r"num_classes \(10 for MNIST digits\) must be an int, got"):
            model_class(num_classes=bad)
    model = model_class()
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\).*unsqueeze\(0\)"):
        model(torch.zeros(1, 28, 28))
    with pytest.raises(ValueError,
                       match=r"'s input must have 1 channel\(s\) .*got shape \(2, 3, 28, 28\); channels come second"):
        model(torch.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match=r"images of shape \(N, 1, 28, 28\), got \(2, 1, 32, 32\).*28×28"):
        model(torch.zeros(2, 1, 32, 32))
    with pytest.raises(TypeError, match="torch.Tensor"):
        model([[0.0]])


# --------------------------------------------------------------------------- exercise checks of notebook 06

def _not_done(*args):
    raise NotImplementedError


def _rows(feature_map):
    n, c, h, w = feature_map.shape
    return feature_map.permute(0, 2, 1, 3).reshape(n, h, c * w)


def _gru_step(gru, x):
    i_r, i_z, i_n = (x @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=-1)
    h_r, h_z, h_n = gru.bias_hh_l0.chunk(3)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    return (1 - z) * torch.tanh(i_n + r * h_n)


def _per_class(targets, predictions, num_classes):
    return torch.stack([(predictions[targets == k] == k).float().mean() for k in range(num_classes)])


@pytest.mark.parametrize("check, answer, expected", [
    ("exercise_6_1", _not_done, "⏳ 6.1 not attempted yet"),
    ("exercise_6_1", _rows, "✅ 6.1 passed"),
    ("exercise_6_1", lambda x: x.reshape(x.shape[0], x.shape[2], -1), "❌ 6.1: the shape is right but"),
    ("exercise_6_1", lambda x: x.flatten(2), "❌ 6.1: expected sequence shape"),
    ("exercise_6_2", _not_done, "⏳ 6.2 not attempted yet"),
    ("exercise_6_2", _gru_step, "✅ 6.2 passed"),
    ("exercise_6_2", lambda gru, x: gru(x)[0], "❌ 6.2: your function raised RuntimeError: do not call"),
    ("exercise_6_2", lambda gru, x: _gru_step(gru, x)[:, 0], "❌ 6.2: expected output shape"),
    ("exercise_6_3", _not_done, "⏳ 6.3 not attempted yet"),
    ("exercise_6_3", _per_class, "✅ 6.3 passed"),
    ("exercise_6_3", lambda t, p, k: 100 * _per_class(t, p, k), "❌ 6.3: the values are percentages"),
    ("exercise_6_3", lambda t, p, k: _per_class(p, t, k), "❌ 6.3: you divided by how often"),
])
def test_exercise_checks_print_one_line(check, answer, expected, capsys):
    from course_utils.checks import nb06

    assert getattr(nb06, check)(answer) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(expected), out


@pytest.mark.parametrize("model_class", [CombinedModel, RowRecurrentModel])
def test_integer_pixels_are_refused_with_the_conversion_to_use(model_class):
    pixels = torch.randint(0, 256, (2, 1, 28, 28), dtype=torch.uint8)
    with pytest.raises(TypeError, match=r"input has dtype torch.uint8 but the model's weights are torch.float32; "
                                        r"convert with x.float\(\) \(and scale 0-255 pixels"):
        model_class()(pixels)


@pytest.mark.parametrize("model_class", [CombinedModel, RowRecurrentModel])
@pytest.mark.parametrize("dtype, fix", [
    (torch.float64, r"convert the input with x.to\(torch.float32\) \(NumPy arrays are float64: "
                    r"torch.from_numpy\(a\).float\(\)\), or the model with model.to\(torch.float64\)"),
    (torch.int64, r"convert with x.float\(\)"),
    (torch.bool, r"convert with x.float\(\)"),
])
def test_wrong_dtypes_get_a_type_error_with_the_fix_not_a_silent_cast(model_class, dtype, fix):
    # Before: torch's "Input type (double) and bias type (float) should be the same" from inside conv1.
    images = torch.zeros(2, 1, 28, 28, dtype=dtype)
    with pytest.raises(TypeError, match=rf"{model_class.__name__}'s input has dtype {dtype} but the model's "
                                        rf"weights are torch.float32; {fix}"):
        model_class()(images)
    assert model_class().double()(images.double()).dtype == torch.float64  # a float64 model takes float64
