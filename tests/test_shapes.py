"""trace_shapes: nested containers, RNN tuples, reused modules, keyword inputs, errors."""

import pytest
import torch
from torch import nn

from course_utils.shapes import ShapeTable, ShapeTraceError, describe_shape, trace_shapes


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.ReLU(),
        nn.Sequential(nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8)),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 10),
    )


class Recurrent(nn.Module):
    """An LSTM whose ReLU is called twice and whose forward takes a keyword."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
        self.act = nn.ReLU()
        self.fc = nn.Linear(20, 5)

    def forward(self, x, scale=1.0):
        output, (h_n, c_n) = self.lstm(x)
        return self.fc(self.act(self.act(output[:, -1]))) * scale


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.image = nn.Linear(4, 3)
        self.text = nn.Linear(6, 3)

    def forward(self, image, text, *, mask=None):
        out = self.image(image) + self.text(text)
        return out if mask is None else out * mask


def test_nested_containers_list_leaves_with_dotted_names():
    table = trace_shapes(small_cnn(), torch.zeros(2, 3, 16, 16))
    assert [row.name for row in table] == ["0", "1", "2.0", "2.1", "3", "4", "5"]
    assert table["2.0"].input_shapes == "(2, 8, 14, 14)"
    assert table["2.0"].output_shapes == "(2, 8, 12, 12)"
    assert table["5"].output_shapes == "(2, 10)"
    assert table["2.1"].params == 16
    assert table.total_params == sum(p.numel() for p in small_cnn().parameters())


def test_depth_one_lists_children_with_their_subtree_parameters():
    table = trace_shapes(small_cnn(), torch.zeros(1, 3, 16, 16), depth=1)
    assert [row.name for row in table] == ["0", "1", "2", "3", "4", "5"]
    assert table["2"].type == "Sequential"
    assert table["2"].params == 584 + 16


def test_rnn_tuple_outputs_are_shown_per_element():
    table = trace_shapes(Recurrent(), torch.zeros(3, 7, 10))
    assert table["lstm"].output_shapes == "(3, 7, 20), [(2, 3, 20), (2, 3, 20)]"


def test_reused_module_gets_one_row_per_call_and_parameters_count_once():
    table = trace_shapes(Recurrent(), torch.zeros(3, 7, 10))
    act_rows = [row for row in table if row.name == "act"]
    assert [row.call for row in act_rows] == [1, 2]
    assert "act (call 2)" in str(table)
    assert table.total_params == sum(p.numel() for p in Recurrent().parameters())

    shared = nn.Linear(4, 4)
    twice = nn.Sequential(shared, nn.ReLU(), shared)
    table = trace_shapes(twice, torch.zeros(1, 4))
    assert len(table) == 3 and table.total_params == 20


def test_several_inputs_and_keyword_inputs():
    table = trace_shapes(TwoInputs(), torch.zeros(2, 4), torch.zeros(2, 6), mask=torch.ones(2, 3))
    assert table["image"].input_shapes == "(2, 4)"
    assert table["text"].input_shapes == "(2, 6)"
    table = trace_shapes(Recurrent(), torch.zeros(1, 5, 10), scale=2.0)
    assert table["fc"].output_shapes == "(1, 5)"


def test_keyword_arguments_of_a_layer_are_recorded():
    class Attend(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x):
            return self.attn(x, x, x, need_weights=False)[0]

    table = trace_shapes(Attend(), torch.zeros(2, 5, 8), depth=1)
    assert table["attn"].input_shapes.startswith("(2, 5, 8), (2, 5, 8), (2, 5, 8)")


def test_model_is_left_as_it_was():
    model = small_cnn().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trace_shapes(model, torch.randn(4, 3, 16, 16))
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    model.eval()
    trace_shapes(model, torch.randn(4, 3, 16, 16), train=True)
    assert not model.training


def test_a_single_layer_traces_as_one_row():
    table = trace_shapes(nn.Linear(3, 4), torch.zeros(2, 3))
    assert len(table) == 1 and table[0].output_shapes == "(2, 4)"


def test_text_and_html_rendering():
    table = trace_shapes(small_cnn(), torch.zeros(1, 3, 16, 16))
    text = str(table)
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "type", "input", "output", "params"]
    assert len({len(line) for line in lines[2:-2]}) <= 2  # aligned columns
    assert "Sequential: 914 parameters" in text
    assert repr(table) == text
    html = table._repr_html_()
    assert html.count("<tr>") == len(table) + 1 and "(1, 8, 14, 14)" in html


def test_failure_names_the_layer_and_its_input_and_keeps_the_partial_table():
    model = nn.Sequential(nn.Flatten(), nn.Linear(10, 3))
    with pytest.raises(ShapeTraceError) as info:
        trace_shapes(model, torch.zeros(2, 3, 4))
    message = str(info.value)
    assert "layer '1' (Linear)" in message and "(2, 12)" in message and "2x12 and 10x3" in message
    assert info.value.layer == "1"
    assert [row.name for row in info.value.table] == ["0"]
    assert isinstance(info.value.__cause__, RuntimeError)
    assert all(not m._forward_hooks for m in model.modules())


def test_bad_arguments_are_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="nn.Module"):
        trace_shapes(lambda x: x, torch.zeros(1))
    with pytest.raises(ValueError, match="needs an input"):
        trace_shapes(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="depth must be a positive int, got 0"):
        trace_shapes(nn.Linear(2, 2), torch.zeros(1, 2), depth=0)
    with pytest.raises(TypeError, match=r"depth must be a positive int, got True \(bool\)"):
        trace_shapes(nn.Linear(2, 2), torch.zeros(1, 2), depth=True)
    with pytest.raises(TypeError, match=r"model must be an nn.Module \(a layer or a network\) instance, got the class "
                                        r"Linear itself"):
        trace_shapes(nn.Linear, torch.zeros(1, 2))
    with pytest.raises(KeyError, match="no layer named"):
        trace_shapes(nn.Linear(2, 2), torch.zeros(1, 2))["nope"]


def test_describe_shape_of_odd_values():
    packed = nn.utils.rnn.pack_sequence([torch.zeros(3, 2), torch.zeros(1, 2)])
    assert describe_shape(packed) == "packed(4, 2)"
    assert describe_shape(torch.tensor(1.0)) == "scalar"
    assert describe_shape(None) == "None"
    assert describe_shape({"a": torch.zeros(2)}) == "{a: (2)}"
    assert isinstance(trace_shapes(nn.ReLU(), torch.zeros(1)), ShapeTable)
