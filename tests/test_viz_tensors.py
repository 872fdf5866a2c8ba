"""Tests of course_utils.viz.tensors: the pictures of tensor layouts draw what PyTorch does."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.viz import tensors
from course_utils.viz.tensors import (
    conv1d_windows,
    draw_conv1d_windows,
    draw_image_batch,
    draw_memory_order,
    memory_order,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


# --------------------------------------------------------------------------- conv1d_windows


def windows_by_unfold(length, k, s, p, d):
    """The same windows, independently: unfold the padded positions, keep every d-th one."""
    positions = torch.arange(-p, length + p)
    return positions.unfold(0, d * (k - 1) + 1, s)[:, ::d].tolist()


@settings(max_examples=60, deadline=None)
@given(length=st.integers(1, 12), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 2),
       d=st.integers(1, 3))
def test_conv1d_windows_are_the_inputs_each_output_reads(length, k, s, p, d):
    if length + 2 * p < d * (k - 1) + 1:
        with pytest.raises(ValueError, match="spans"):
            conv1d_windows(length, k, s, p, d)
        return
    windows = conv1d_windows(length, k, stride=s, padding=p, dilation=d)
    out = F.conv1d(torch.zeros(1, 1, length), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
    assert len(windows) == out.shape[-1]
    assert windows == windows_by_unfold(length, k, s, p, d)


def test_conv1d_windows_of_the_notebook_pictures():
    assert conv1d_windows(8, 3, stride=2) == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert conv1d_windows(8, 3, padding=1)[0] == [-1, 0, 1] and conv1d_windows(8, 3, padding=1)[-1] == [6, 7, 8]
    assert conv1d_windows(8, 3, dilation=2) == [[0, 2, 4], [1, 3, 5], [2, 4, 6], [3, 5, 7]]


def test_conv1d_windows_checks_its_arguments():
    with pytest.raises(TypeError, match=r"length must be a positive int, got 8.0 \(float\); write 8"):
        conv1d_windows(8.0, 3)
    with pytest.raises(ValueError, match="stride must be a positive int, got 0"):
        conv1d_windows(8, 3, stride=0)
    with pytest.raises(ValueError, match="padding must be an int ≥ 0, got -1"):
        conv1d_windows(8, 3, padding=-1)
    with pytest.raises(ValueError, match="kernel_size=5 with dilation=2 spans 9 positions, more than the 8"):
        conv1d_windows(8, 5, dilation=2)


# --------------------------------------------------------------------------- memory_order


def test_memory_order_of_contiguous_and_channels_last_tensors():
    x = torch.zeros(1, 3, 2, 2)
    assert memory_order(x) == list(np.ndindex(1, 3, 2, 2))
    channels_last = memory_order(x.to(memory_format=torch.channels_last))
    assert channels_last[:4] == [(0, 0, 0, 0), (0, 1, 0, 0), (0, 2, 0, 0), (0, 0, 0, 1)]
    # pixel by pixel: exactly the order of the (N, H, W, C) permutation
    assert channels_last == [(n, c, h, w) for n, h, w, c in np.ndindex(1, 2, 2, 3)]


def test_memory_order_of_a_permuted_view_follows_its_strides():
    x = torch.zeros(2, 3, 4)
    view = x.permute(2, 0, 1)  # (4, 2, 3), the memory order is unchanged
    assert memory_order(view) == [(k, i, j) for i, j, k in np.ndindex(2, 3, 4)]


def test_memory_order_refuses_views_with_gaps_or_overlaps():
    with pytest.raises(ValueError, match=r"does not fill its memory without gaps or overlaps.*x.contiguous\(\)"):
        memory_order(torch.zeros(4, 6)[:, ::2])
    with pytest.raises(ValueError, match="without gaps or overlaps"):
        memory_order(torch.zeros(1, 3).expand(4, 3))
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got"):
        memory_order([[1, 2]])


# --------------------------------------------------------------------------- draw_image_batch


def digits(n=8):
    torch.manual_seed(0)
    return torch.rand(n, 1, 28, 28)


def test_draw_image_batch_shows_the_first_image_its_pixel_and_the_stack():
    batch = digits()
    fig = draw_image_batch(batch, pixel=(14, 10), labels=torch.arange(8), max_shown=5)
    left, right = fig.axes
    assert np.array_equal(left.images[0].get_array(), batch[0, 0].numpy())
    assert any(f"images[0, 0, 14, 10]\n= {batch[0, 0, 14, 10].item():.4g}" == t for t in texts(left))
    assert "(C, H, W) = (1, 28, 28)" in left.get_title()
    assert len(right.images) == 5 and "(N, C, H, W) = (8, 1, 28, 28)" in right.get_title()
    assert "first 5 drawn" in right.get_title()
    assert [t for t in texts(right) if t.isdigit()] == ["4", "3", "2", "1", "0"]  # drawn back to front


def test_draw_image_batch_draws_rgb_images_as_colour():
    fig = draw_image_batch(torch.rand(2, 3, 8, 6), pixel=(0, 0))
    assert fig.axes[0].images[0].get_array().shape == (8, 6, 3)


def test_draw_image_batch_checks_its_arguments():
    with pytest.raises(ValueError, match=r"images must be 4-D \(N, C, H, W\), got shape \(1, 28, 28\); one sample\? "
                                         r"add a batch dimension with .unsqueeze\(0\)"):
        draw_image_batch(torch.zeros(1, 28, 28))
    with pytest.raises(ValueError, match=r"1 \(grey\) or 3 \(RGB\) channels.*got shape \(2, 28, 28, 3\); "
                                         r"channels last\? use images.permute\(0, 3, 1, 2\)"):
        draw_image_batch(torch.zeros(2, 28, 28, 3))
    with pytest.raises(ValueError, match=r"pixel must be \(row, col\) inside the 28×28 image, got \(28, 3\)"):
        draw_image_batch(digits(), pixel=(28, 3))
    with pytest.raises(ValueError, match="labels must have one entry per image: got 3 labels for 8 images"):
        draw_image_batch(digits(), labels=[1, 2, 3])
    with pytest.raises(ValueError, match="max_shown must be a positive int, got 0"):
        draw_image_batch(digits(), max_shown=0)


# --------------------------------------------------------------------------- draw_conv1d_windows


def dot_rows(ax):
    return [line for line in ax.lines if line.get_marker() == "o"]


def test_draw_conv1d_windows_draws_one_row_of_dots_per_output():
    fig = draw_conv1d_windows(length=8, kernel_size=3)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().split("L_out = ")[1] for ax in panels] == ["6", "3", "8", "4"]
    for ax, setting in zip(panels, [{}, {"stride": 2}, {"padding": 1}, {"dilation": 2}], strict=True):
        rows = dot_rows(ax)
        assert [[x - 0.5 for x in row.get_xdata()] for row in rows] == conv1d_windows(8, 3, **setting)


def test_draw_conv1d_windows_uses_one_scale_for_every_panel():
    fig = draw_conv1d_windows(length=6, kernel_size=2, settings=[{"padding": 2}, {"stride": 3}])
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim()
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()


def test_draw_conv1d_windows_checks_its_settings():
    with pytest.raises(ValueError, match="keys from 'stride', 'padding', 'dilation', got {'strides': 2}"):
        draw_conv1d_windows(settings=[{"strides": 2}])
    with pytest.raises(TypeError, match="settings must be a non-empty list of dicts"):
        draw_conv1d_windows(settings={"stride": 2})
    with pytest.raises(ValueError, match="spans 9 positions"):
        draw_conv1d_windows(length=8, kernel_size=5, settings=[{"dilation": 2}])


# --------------------------------------------------------------------------- draw_memory_order


def strip_labels(ax):
    return [t for t in texts(ax) if "\n" in t]


def test_draw_memory_order_labels_each_cell_with_its_channel_and_pixel():
    x = torch.zeros(1, 3, 2, 2)
    fig = draw_memory_order(x, x.to(memory_format=torch.channels_last), titles=["a", "b"])
    planes, contiguous, channels_last = fig.axes
    assert strip_labels(contiguous)[:5] == ["R\n0,0", "R\n0,1", "R\n1,0", "R\n1,1", "G\n0,0"]
    assert strip_labels(channels_last)[:4] == ["R\n0,0", "G\n0,0", "B\n0,0", "R\n0,1"]
    assert "a" in texts(contiguous) and "b" in texts(channels_last)
    assert "channel 2 (B)" in texts(planes)


def test_draw_memory_order_titles_default_to_the_strides():
    fig = draw_memory_order(torch.zeros(1, 2, 2, 3))
    assert "stride (12, 6, 3, 1)" in texts(fig.axes[1])


def test_draw_memory_order_checks_its_arguments():
    with pytest.raises(TypeError, match="needs at least one tensor"):
        draw_memory_order()
    with pytest.raises(ValueError, match=r"tensors\[0\] has 3072 elements, more than the 48"):
        draw_memory_order(torch.zeros(1, 3, 32, 32))
    with pytest.raises(ValueError, match=r"tensors\[1\] has shape \(1, 3, 2, 1\) but tensors\[0\] has \(1, 3, 2, 2\)"):
        draw_memory_order(torch.zeros(1, 3, 2, 2), torch.zeros(1, 3, 2, 1))
    with pytest.raises(ValueError, match=r"tensors\[0\] must be 4-D"):
        draw_memory_order(torch.zeros(3, 2, 2))
    with pytest.raises(ValueError, match="titles must be a list with one title per tensor"):
        draw_memory_order(torch.zeros(1, 3, 2, 2), titles=["a", "b"])
    assert tensors.MAX_MEMORY_CELLS == 48
