"""Tests of course_utils.viz.plots: what each plot draws, confusion counts, graph rendering, argument errors."""


import matplotlib.pyplot as plt
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.train import History
from course_utils.viz import plots
from course_utils.viz.plots import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_history,
    save_model_graph,
    show_images,
    show_mistakes,
)


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def history(epochs=3, with_val=True):
    h = History()
    for e in range(epochs):
        h.train_loss.append(1.0 / (e + 1))
        h.train_accuracy.append(0.8 + 0.05 * e)
        if with_val:
            h.val_loss.append(1.2 / (e + 1))
            h.val_accuracy.append(0.75 + 0.05 * e)
        h.learning_rate.append(0.1)
        h.seconds.append(1.0)
    return h


def test_all_names_are_exported():
    for name in ("show_images", "plot_history", "plot_confusion_matrix", "show_mistakes", "save_model_graph"):
        assert name in plots.__all__
    from course_utils.viz import plot_history as via_package

    assert via_package is plot_history


# --------------------------------------------------------------------------- show_images

@pytest.mark.parametrize("shape", [(10, 28, 28), (10, 1, 28, 28), (10, 3, 8, 8)])
def test_show_images_draws_one_titled_panel_per_image(shape):
    images = torch.rand(shape)
    labels = torch.arange(10) % 4
    fig = show_images(images, labels, ncols=4)
    axes = image_axes(fig)
    assert len(axes) == 10
    assert [ax.get_title() for ax in axes] == [str(k) for k in labels.tolist()]


def test_show_images_respects_max_images_classes_and_no_labels():
    fig = show_images(torch.rand(40, 28, 28), max_images=12)
    assert len(image_axes(fig)) == 12 and all(ax.get_title() == "" for ax in image_axes(fig))
    fig = show_images(torch.rand(2, 5, 5), [0, 1], classes=["cat", "dog"])
    assert [ax.get_title() for ax in image_axes(fig)] == ["cat", "dog"]


def test_show_images_rejects_bad_arguments():
    with pytest.raises(ValueError, match="images must have shape"):
        show_images(torch.rand(28, 28))
    with pytest.raises(ValueError, match="empty"):
        show_images(torch.rand(0, 28, 28))
    with pytest.raises(ValueError, match="one entry per image"):
        show_images(torch.rand(3, 28, 28), [1, 2])
    with pytest.raises(TypeError, match="integer class indices"):
        show_images(torch.rand(2, 28, 28), torch.tensor([0.5, 1.0]))
    with pytest.raises(ValueError, match="ncols"):
        show_images(torch.rand(2, 28, 28), ncols=0)
    with pytest.raises(TypeError, match="images must be a tensor"):
        show_images(object())


# --------------------------------------------------------------------------- show_mistakes

def test_show_mistakes_shows_only_the_wrong_ones_as_predicted_true():
    targets = torch.tensor([0, 1, 2, 3, 4, 5])
    predictions = torch.tensor([0, 7, 2, 3, 9, 5])
    fig = show_mistakes(torch.rand(6, 1, 28, 28), targets, predictions)
    assert [ax.get_title() for ax in image_axes(fig)] == ["7 (1)", "9 (4)"]
    assert "2 mistakes" in fig._suptitle.get_text()


def test_show_mistakes_caps_the_number_shown_and_handles_no_mistakes(capsys):
    targets = torch.zeros(30, dtype=torch.long)
    fig = show_mistakes(torch.rand(30, 28, 28), targets, torch.ones(30, dtype=torch.long), max_images=5)
    assert len(image_axes(fig)) == 5 and "30 mistakes" in fig._suptitle.get_text()
    assert show_mistakes(torch.rand(3, 28, 28), [1, 2, 3], [1, 2, 3]) is None
    assert "no mistakes" in capsys.readouterr().out


def test_show_mistakes_rejects_mismatched_lengths_and_logits():
    with pytest.raises(ValueError, match="same length"):
        show_mistakes(torch.rand(3, 28, 28), [1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="1-D"):
        show_mistakes(torch.rand(3, 28, 28), [1, 2, 3], torch.zeros(3, 10, dtype=torch.long))
    with pytest.raises(TypeError, match="argmax"):
        show_mistakes(torch.rand(3, 28, 28), [1, 2, 3], torch.rand(3))


# --------------------------------------------------------------------------- confusion matrix

def test_confusion_matrix_counts_by_hand():
    targets = [0, 0, 1, 2, 2, 2]
    predictions = [0, 1, 1, 2, 0, 2]
    expected = torch.tensor([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert torch.equal(confusion_matrix(targets, predictions), expected)
    assert confusion_matrix(targets, predictions, num_classes=5).shape == (5, 5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=200))
def test_confusion_matrix_rows_and_columns_count_targets_and_predictions(pairs):
    targets = torch.tensor([t for t, _ in pairs])
    predictions = torch.tensor([p for _, p in pairs])
    matrix = confusion_matrix(targets, predictions, num_classes=10)
    assert matrix.sum() == len(pairs)
    assert matrix.trace() == (targets == predictions).sum()
    assert torch.equal(matrix.sum(1), torch.bincount(targets, minlength=10))
    assert torch.equal(matrix.sum(0), torch.bincount(predictions, minlength=10))


def test_confusion_matrix_rejects_bad_arguments():
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="too small"):
        confusion_matrix([0, 5], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="non-negative"):
        confusion_matrix([0, -1], [0, 1])
    with pytest.raises(ValueError, match="num_classes"):
        confusion_matrix([0], [0], num_classes=0)


def test_plot_confusion_matrix_titles_the_correct_count_and_labels_every_nonzero_cell():
    targets = torch.tensor([0, 0, 1, 2, 2, 2])
    predictions = torch.tensor([0, 1, 1, 2, 0, 2])
    ax = plot_confusion_matrix(targets, predictions, classes=["a", "b", "c"])
    assert ax.get_title() == "4 of 6 correct"
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "1", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    _, given_ax = plt.subplots()
    assert plot_confusion_matrix(targets, predictions, ax=given_ax) is given_ax


# --------------------------------------------------------------------------- history

def test_plot_history_draws_train_and_validation_curves_in_percent():
    loss_ax, acc_ax = plot_history(history())
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 2
    assert list(acc_ax.lines[0].get_ydata()) == pytest.approx([80.0, 85.0, 90.0])
    assert list(loss_ax.lines[1].get_xdata()) == [1, 2, 3]
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == ["train", "held out"]


def test_plot_history_without_validation_and_into_given_axes_with_a_label():
    _, axes = plt.subplots(1, 2)
    plot_history(history(with_val=False), ax=axes, label="A")
    returned = plot_history(history(), ax=axes, label="B")
    assert tuple(returned) == tuple(axes)
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["A train", "B train", "B held out"]


def test_plot_history_rejects_bad_arguments():
    with pytest.raises(TypeError, match="History"):
        plot_history({"loss": [1.0]})
    with pytest.raises(ValueError, match="empty"):
        plot_history(History())
    _, single_ax = plt.subplots()
    with pytest.raises(TypeError, match="pair of Axes"):
        plot_history(history(), ax=single_ax)


# --------------------------------------------------------------------------- autograd graph

class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.fc = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def test_model_graph_names_the_parameters():
    graph = plots.model_graph(Tiny(), torch.zeros(1, 1, 6, 6))
    for name in ("conv.weight", "conv.bias", "fc.weight", "fc.bias"):
        assert name in graph.source


def test_model_graph_works_inside_no_grad_and_rejects_bad_arguments():
    with torch.no_grad():
        graph = plots.model_graph(Tiny(), torch.zeros(1, 1, 6, 6))
    assert "fc.weight" in graph.source
    with pytest.raises(ValueError, match="example input"):
        plots.model_graph(Tiny())
    with pytest.raises(TypeError, match="nn.Module"):
        plots.model_graph(lambda x: x, torch.zeros(1))
    with pytest.raises(ValueError, match="no autograd graph"):
        plots.model_graph(nn.Identity(), torch.zeros(1))


@pytest.mark.skipif(not plots.graphviz_available(), reason="Graphviz's dot is not installed")
def test_save_model_graph_writes_png_and_svg(tmp_path):
    written = save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "sub" / "g.png",
                               formats=("png", "svg"))
    assert [p.name for p in written] == ["g.png", "g.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in written[1].read_text()
    (only,) = save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=str(tmp_path / "h.svg"))
    assert only.name == "h.svg" and only.exists()


def test_save_model_graph_explains_how_to_install_graphviz(monkeypatch, tmp_path):
    monkeypatch.setattr(plots.shutil, "which", lambda name: None)
    assert not plots.graphviz_available()
    with pytest.raises(RuntimeError, match="apt-get install graphviz.*brew.*conda"):
        save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "g.png")


def test_save_model_graph_rejects_bad_paths_and_formats(tmp_path):
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "g.pdf")
    with pytest.raises(ValueError, match="formats"):
        save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "g.png", formats=("jpg",))
    with pytest.raises(TypeError, match="path"):
        save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=None)


# --------------------------------------------------------------------------- mistakes, refused clearly

@pytest.mark.parametrize("images, error, pattern", [
    (None, TypeError, r"^images must be a tensor, a NumPy array or a nested list of numbers .*got None"),
    ("digits", TypeError, r"^images must be a tensor, .*got 'digits' \(str\)"),
    ([[[0, 1], [1, 0]], [[0, 1]]], ValueError, r"^images is a ragged list: its rows have different lengths \(1, 2\)"),
    (torch.ones(2, 3, 3, dtype=torch.bool), TypeError, r"^images must have a real dtype"),
])
def test_images_that_are_not_numbers_are_refused(images, error, pattern):
    with pytest.raises(error, match=pattern):
        show_images(images)


def test_labels_that_are_not_numbers_or_negative_are_refused():
    with pytest.raises(TypeError, match=r"^labels must be a tensor, .*got 'abc' \(str\)"):
        show_images(torch.rand(3, 4, 4), "abc")
    with pytest.raises(ValueError, match="^labels must hold non-negative class indices, got -1"):
        show_images(torch.rand(2, 4, 4), [0, -1], classes=["a", "b"])


def test_too_few_class_names_are_refused_not_an_index_error():
    with pytest.raises(ValueError, match=r"^classes has 2 names \(for indices 0 to 1\) but class index 4 "
                                         r"occurs in labels; give one name per class, at least 5"):
        show_images(torch.rand(3, 4, 4), [0, 1, 4], classes=["a", "b"])
    with pytest.raises(ValueError, match="^classes has 3 names .* class index 7 occurs in targets or predictions"):
        show_mistakes(torch.rand(2, 4, 4), [0, 1], [7, 1], classes=["a", "b", "c"])
    with pytest.raises(TypeError, match="^classes must be a list of class names"):
        show_images(torch.rand(2, 4, 4), [0, 1], classes="ab")


def test_plot_confusion_matrix_names_its_own_argument_when_classes_are_too_few():
    targets, predictions = torch.arange(10), torch.arange(10)
    with pytest.raises(ValueError, match=r"^classes has 2 names .* class index 9 occurs in targets or "
                                         r"predictions; give one name per class, at least 10") as info:
        plot_confusion_matrix(targets, predictions, classes=["a", "b"])
    assert "num_classes" not in str(info.value)  # an argument plot_confusion_matrix does not have
    more = plot_confusion_matrix([0, 1], [1, 1], classes=["a", "b", "c"])  # more names than seen: fine
    assert [t.get_text() for t in more.get_xticklabels()] == ["a", "b", "c"]


def test_plot_history_refuses_percentages_with_the_fix():
    h = history()
    h.train_accuracy = [80.0, 85.0, 90.0]
    with pytest.raises(ValueError, match=r"^history.train_accuracy must hold fractions between 0 and 1, "
                                         r"got 80 at position 0; percentages\? divide them by 100"):
        plot_history(h)
    h = history()
    h.val_accuracy = [0.9, 5000.0, 0.9]
    with pytest.raises(ValueError, match="^history.val_accuracy must hold fractions between 0 and 1, got 5000"):
        plot_history(h)


def test_plot_history_refuses_strings_and_mismatched_lengths():
    h = history()
    h.train_loss = ["0.5", "0.4", "0.3"]
    with pytest.raises(TypeError, match=r"^history.train_loss must hold numbers, got '0.5' \(str\) at position 0"):
        plot_history(h)
    h = history()
    h.val_loss = h.val_loss[:2]
    with pytest.raises(ValueError, match=r"^history.val_loss and history.val_accuracy must have one entry per "
                                         r"epoch \(3, like history.train_loss\), got 2 and 3"):
        plot_history(h)
    with pytest.raises(TypeError, match="^label must be a string or None"):
        plot_history(history(), label=3)


def test_plot_history_accepts_tensor_numbers():
    h = history()
    h.train_loss = [torch.tensor(v) for v in h.train_loss]
    loss_ax, _ = plot_history(h)
    assert list(loss_ax.lines[0].get_ydata()) == pytest.approx([1.0, 0.5, 1 / 3])


@pytest.mark.skipif(not plots.graphviz_available(), reason="Graphviz's dot is not installed")
def test_save_model_graph_applies_graph_and_node_attributes(tmp_path):
    (plain,) = save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "plain.svg")
    (wide,) = save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "wide.svg",
                               graph_attr={"rankdir": "LR"}, node_attr={"fontsize": "17"})
    assert 'font-size="17.00"' in wide.read_text() and 'font-size="17.00"' not in plain.read_text()
    assert wide.read_text() != plain.read_text()


def test_save_model_graph_refuses_attributes_that_are_not_strings(tmp_path):
    with pytest.raises(TypeError, match=r"graph_attr must be a dict of Graphviz attributes"):
        save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "g.png", graph_attr=["LR"])
    with pytest.raises(TypeError, match=r"node_attr must map strings to strings, got 'fontsize': 13; .*\"13\""):
        save_model_graph(Tiny(), torch.zeros(1, 1, 6, 6), path=tmp_path / "g.png", node_attr={"fontsize": 13})


# --------------------------------------------------------------------------- show_source

class Documented(nn.Module):
    """A docstring
    on two lines."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        return self.fc(x)  # (N, 3)


def test_show_source_shows_a_method_dedented_as_text_and_highlighted_html():
    source = plots.show_source(Documented.forward)
    assert source.text == "def forward(self, x):\n    return self.fc(x)  # (N, 3)\n"
    assert repr(source) == source.text.rstrip("\n") and source.name == "Documented.forward"
    html = source._repr_html_()
    assert html.startswith("<div") and "style=" in html and "class=\"highlight\"" in html
    assert "<style" not in html  # inline colours only: no style sheet leaks into the page
    assert "forward" in html and "&lt;" not in source.text


def test_show_source_of_a_bound_method_and_a_class_with_and_without_docstring():
    model = Documented()
    assert plots.show_source(model.forward).text == plots.show_source(Documented.forward).text
    with_doc = plots.show_source(Documented).text
    without = plots.show_source(Documented, docstring=False).text
    assert '"""A docstring' in with_doc and "on two lines" in with_doc
    assert without.splitlines()[:2] == ["class Documented(nn.Module):", "    def __init__(self):"]
    assert with_doc.replace('    """A docstring\n    on two lines."""\n\n', "") == without
    assert plots.show_source(Documented.forward, docstring=False).text == plots.show_source(Documented.forward).text


def test_show_source_explains_what_it_cannot_show():
    with pytest.raises(TypeError, match=r"obj must be a function, method or class written in Python, got a "
                                        r"Documented object; show its class instead: show_source\(Documented\)"):
        plots.show_source(Documented())
    with pytest.raises(TypeError, match=r"got 3 \(int\); pass the definition itself"):
        plots.show_source(3)
    with pytest.raises(TypeError, match=r"written in Python, got <built-in"):
        plots.show_source(torch.relu)
    with pytest.raises(TypeError, match=r"docstring must be"):
        plots.show_source(Documented, docstring="no")
