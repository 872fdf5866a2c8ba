"""Tests of course_utils.viz.modules: histograms of a layer's weights."""

import math

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from course_utils.viz.modules import plot_weight_histograms


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_one_panel_per_tensor_counting_every_element_with_the_bounds_drawn():
    torch.manual_seed(0)
    layer = nn.Linear(100, 50)
    other = torch.randn(7, 3)
    fig = plot_weight_histograms({"default": layer.weight, "normal": other}, bound=1 / math.sqrt(100), bins=20)
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("default", "normal")
    assert sum(p.get_height() for p in left.patches) == 5000 and len(left.patches) == 20
    assert sum(p.get_height() for p in right.patches) == 21
    assert sorted(line.get_xdata()[0] for line in left.lines) == [-0.1, 0.1]
    assert "  ±0.1000" in [t.get_text() for t in left.texts]
    assert left.get_xlim() == right.get_xlim()  # one x axis for all panels


def test_without_a_bound_no_lines_are_drawn():
    fig = plot_weight_histograms({"w": torch.ones(3, 3)})
    assert len(fig.axes[0].lines) == 0


def test_arguments_are_checked():
    with pytest.raises(TypeError, match=r"weights must be a non-empty dict \{title: tensor\}"):
        plot_weight_histograms([torch.ones(2)])
    with pytest.raises(TypeError, match=r"weights\['w'\] must have a floating-point dtype \(e.g. torch.float32\), "
                                        r"got torch.int64"):
        plot_weight_histograms({"w": torch.ones(2, dtype=torch.long)})
    with pytest.raises(ValueError, match=r"weights\['w'\] contains NaN"):
        plot_weight_histograms({"w": torch.tensor([1.0, float("nan")])})
    with pytest.raises(TypeError, match="keys are the panels' titles and must be strings"):
        plot_weight_histograms({1: torch.ones(2)})
    with pytest.raises(ValueError, match="bound must be greater than 0"):
        plot_weight_histograms({"w": torch.ones(2)}, bound=0)
