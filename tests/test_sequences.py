"""Notebook 05's sequence helpers: the toy task (course_utils.sequence_data), the pictures of
adaptive bins and packing (course_utils.viz.sequences) and the lengths check they share."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

from course_utils import _validate  # noqa: E402
from course_utils.sequence_data import PAD, ToySequences, seen_before, toy_sequences  # noqa: E402
from course_utils.viz import sequences as viz  # noqa: E402

SETTINGS = settings(max_examples=40, deadline=None)


# --------------------------------------------------------------------------- the lengths check


@pytest.mark.parametrize("value", [[2, 5, 3], (2, 5, 3), torch.tensor([2, 5, 3]),
                                   torch.tensor([2, 5, 3], dtype=torch.int32)])
def test_sequence_lengths_accepts_lists_tuples_and_integer_tensors(value):
    assert _validate.sequence_lengths("lengths", value) == [2, 5, 3]
    assert _validate.sequence_lengths("lengths", value, count=3, max_length=5) == [2, 5, 3]


@pytest.mark.parametrize("value, kwargs, error, message", [
    ("253", {}, TypeError, r"lengths must be a list of ints or a 1-D integer tensor, got '253' \(str\)"),
    ([2, 5.0], {}, TypeError, r"lengths\[1\] must be an int, got 5.0 \(float\); write 5"),
    (torch.tensor([2.0, 5.0]), {}, TypeError,
     r"lengths must hold integers, got dtype torch.float32; use lengths.long\(\)"),
    (torch.tensor([[2, 5]]), {}, ValueError,
     r"lengths must be 1-D \(N,\), one length per sequence, got shape \(1, 2\)"),
    ([], {}, ValueError, "lengths is empty; give at least one sequence length"),
    ([2, 0], {}, ValueError, r"every entry of lengths must be at least 1, got \[2, 0\]"),
    ([2, 5], {"count": 3}, ValueError,
     "lengths has 2 entries but the batch has 3 sequences; give one length per sequence"),
    ([2, 6], {"max_length": 5}, ValueError, r"every entry of lengths must be between 1 and the padded length 5, "
                                            r"got \[2, 6\]"),
])
def test_sequence_lengths_refusals(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        _validate.sequence_lengths("lengths", value, **kwargs)


# --------------------------------------------------------------------------- the toy task


def test_toy_sequences_are_reproducible_and_in_range():
    data = toy_sequences(50, vocab_size=6, min_length=2, max_length=7, seed=3)
    again = toy_sequences(50, vocab_size=6, min_length=2, max_length=7, seed=3)
    assert isinstance(data, ToySequences) and len(data.tokens) == len(data.labels) == 50
    for tokens, labels, tokens_again in zip(data.tokens, data.labels, again.tokens, strict=True):
        assert torch.equal(tokens, tokens_again)
        assert tokens.dtype == labels.dtype == torch.int64 and tokens.shape == labels.shape
        assert 2 <= len(tokens) <= 7
        assert int(tokens.min()) >= 1 and int(tokens.max()) <= 5  # PAD = 0 is never drawn
    assert {len(t) for t in data.tokens} == set(range(2, 8))
    other_seed = toy_sequences(50, vocab_size=6, min_length=2, max_length=7, seed=4)
    assert [t.tolist() for t in other_seed.tokens] != [t.tolist() for t in data.tokens]
    assert PAD == 0


@given(st.lists(st.integers(1, 5), min_size=1, max_size=12))
@SETTINGS
def test_seen_before_labels_each_repeat(tokens):
    labels = seen_before(torch.tensor(tokens)).tolist()
    assert labels == [int(token in tokens[:t]) for t, token in enumerate(tokens)]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"num_sequences": 0}, ValueError, "num_sequences must be a positive int, got 0"),
    ({"vocab_size": 1}, ValueError, "vocab_size must be an int of at least 2, got 1"),
    ({"min_length": 5, "max_length": 3}, ValueError, "min_length must be at most max_length, got min_length=5 "
                                                     "and max_length=3; swap them"),
    ({"max_length": 2.0}, TypeError, r"max_length must be a positive int, got 2.0 \(float\); write 2"),
    ({"seed": -1}, ValueError, "seed must be an int ≥ 0, got -1"),
])
def test_toy_sequences_refusals(kwargs, error, message):
    with pytest.raises(error, match=message):
        toy_sequences(**kwargs)


def test_seen_before_refuses_floats():
    with pytest.raises(TypeError, match="tokens must have an integer dtype"):
        seen_before(torch.tensor([1.0, 2.0]))


# --------------------------------------------------------------------------- adaptive bins


def _bins_by_formula(size_in, size_out):
    return [((j * size_in) // size_out, -(-((j + 1) * size_in) // size_out)) for j in range(size_out)]


@given(st.integers(1, 30), st.integers(1, 30))
@SETTINGS
def test_the_bins_read_off_pytorch_follow_the_floor_ceil_rule(size_in, size_out):
    assert viz.adaptive_bins_of_torch(size_in, size_out) == _bins_by_formula(size_in, size_out)


def test_draw_adaptive_bins_draws_one_bar_per_output_and_greys_shared_cells():
    ax = viz.draw_adaptive_bins(10, 4)
    labels = [text.get_text() for text in ax.texts]
    assert [label for label in labels if label.startswith("out")] == [
        "out 0: [0, 3)", "out 1: [2, 5)", "out 2: [5, 8)", "out 3: [7, 10)"]
    cells = ax.patches[:10]
    grey = [i for i, cell in enumerate(cells) if cell.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    assert grey == [2, 7]
    plt.close("all")
    with pytest.raises(ValueError, match="size_in must be a positive int of at most 16, got 40"):
        viz.draw_adaptive_bins(40, 4)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        viz.draw_adaptive_bins(10, 4, ax="left")


# --------------------------------------------------------------------------- an image at several sizes


def test_show_at_sizes_draws_one_titled_panel_per_image_with_a_kernel_square():
    images = [torch.rand(20, 20), torch.rand(1, 28, 28), torch.rand(56, 40)]
    fig = viz.show_at_sizes(images, kernel_size=3)
    assert [ax.get_title() for ax in fig.axes] == ["20×20", "28×28", "56×40"]
    for ax, image in zip(fig.axes, images, strict=True):
        square = ax.patches[0]
        assert (square.get_width(), square.get_height()) == (3, 3)
        assert ax.images[0].get_array().shape == image.shape[-2:]
    plt.close("all")


@pytest.mark.parametrize("images, kwargs, error, message", [
    (torch.rand(28, 28), {}, TypeError, r"images must be a list of \(H, W\) or \(1, H, W\) tensors"),
    ([], {}, ValueError, "images is empty; give at least one image"),
    ([torch.rand(3, 28, 28)], {}, ValueError, r"images\[0\] must be \(H, W\) or \(1, H, W\), one grey image, "
                                              r"got shape \(3, 28, 28\)"),
    ([torch.rand(28)], {}, ValueError, r"images\[0\] must be 2-D or 3-D"),
    ([torch.rand(4, 4)], {"kernel_size": 0}, ValueError, "kernel_size must be a positive int, got 0"),
])
def test_show_at_sizes_refusals(images, kwargs, error, message):
    with pytest.raises(error, match=message):
        viz.show_at_sizes(images, **kwargs)


# --------------------------------------------------------------------------- padded versus packed


@given(st.lists(st.integers(1, 9), min_size=1, max_size=6))
@SETTINGS
def test_packed_layout_is_pack_padded_sequences_own(lengths):
    columns, sorted_indices = viz.packed_layout(lengths)
    packed = pack_padded_sequence(torch.zeros(len(lengths), max(lengths), 1), torch.tensor(lengths),
                                  batch_first=True, enforce_sorted=False)
    assert [len(column) for column in columns] == packed.batch_sizes.tolist()
    assert sorted_indices == packed.sorted_indices.tolist()
    for t, column in enumerate(columns):
        assert [step for _, step in column] == [t] * len(column)
        assert [b for b, _ in column] == [b for b in sorted_indices if lengths[b] > t]


def test_packed_layout_of_the_notebooks_example():
    columns, sorted_indices = viz.packed_layout([2, 5, 3])
    assert sorted_indices == [1, 2, 0]
    assert [[b for b, _ in column] for column in columns] == [[1, 2, 0], [1, 2, 0], [1, 2], [1], [1]]


def test_draw_padded_vs_packed_labels_every_step_and_the_batch_sizes():
    fig = viz.draw_padded_vs_packed([2, 5, 3])
    left, right = fig.axes
    assert "5 of 15 cells are padding" in left.get_title(loc="left")
    assert "sorted_indices = [1, 2, 0]" in right.get_title(loc="left")
    right_texts = [text.get_text() for text in right.texts]
    assert [t for t in right_texts if t.startswith("#")] == [f"#{k}" for k in range(10)]
    assert [t for t in right_texts if t.isdigit()] == ["3", "3", "2", "1", "1"]
    assert sum(text.get_text() == "0" for text in left.texts) == 5  # the padding cells
    plt.close("all")


@pytest.mark.parametrize("lengths, error, message", [
    ([2, 0], ValueError, r"every entry of lengths must be at least 1, got \[2, 0\]"),
    ([2] * 9, ValueError, "readable for up to 8 sequences of at most 16 steps, got 9 sequences"),
    ([20], ValueError, "got 1 sequences up to 20 steps"),
    ("25", TypeError, "lengths must be a list of ints or a 1-D integer tensor"),
])
def test_draw_padded_vs_packed_refusals(lengths, error, message):
    with pytest.raises(error, match=message):
        viz.draw_padded_vs_packed(lengths)
