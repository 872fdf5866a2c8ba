"""Tests of course_utils.viz.conv_intuition: the pictures show what PyTorch computes, and bad input is explained."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from course_utils.conv import PADDING_MODES, conv2d_loops
from course_utils.viz import conv_intuition as ci

IMAGE = torch.tensor(ci.EXAMPLE_IMAGE)
KERNEL = torch.tensor(ci.EXAMPLE_KERNEL)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_the_example_is_the_tutorials():
    assert F.conv2d(IMAGE[None, None], KERNEL[None, None])[0, 0].tolist() == [[10, 12, 12], [18, 16, 16],
                                                                              [13, 9, 3]]


# --------------------------------------------------------------------------- draw_maps


def test_draw_maps_colours_signed_maps_around_zero_and_shows_small_maps_values():
    digit = torch.rand(28, 28)
    kernel = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    fig = ci.draw_maps([digit, kernel], ["digit", "Sobel x"])
    assert [m.shape for m in fig.maps] == [(28, 28), (3, 3)]
    assert np.array_equal(fig.maps[1], kernel.numpy())
    image_ax, kernel_ax = fig.axes[:2]
    assert image_ax.images[0].get_cmap().name == "gray" and image_ax.images[0].get_clim() == (0, digit.max())
    assert kernel_ax.images[0].get_cmap().name == "RdBu_r" and kernel_ax.images[0].get_clim() == (-2, 2)
    assert list(image_ax.texts) == [] and [t.get_text() for t in kernel_ax.texts] == [
        "-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    assert [ax.get_title() for ax in fig.axes[:2]] == ["digit", "Sobel x"]


def test_draw_maps_takes_a_batch_one_map_or_nested_lists_and_never_prints_minus_zero():
    assert len(ci.draw_maps(torch.zeros(3, 5, 5)).maps) == 3
    assert len(ci.draw_maps([[1, 2], [3, 4]]).maps) == 1
    fig = ci.draw_maps(torch.tensor([[-0.001, 0.5], [1.0, -1.0]]))
    assert texts(fig)[:2] == ["0.00", "0.50"]
    fig = ci.draw_maps(torch.randn(2, 12, 12), ncols=1, show_values=True)
    assert len(texts(fig)) == 2 * 144


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), [
    ((torch.zeros(2, 1, 5, 5),), {}, ValueError, r"maps must be \(N, H, W\) or a list of 2-D maps, got shape "
                                                 r"\(2, 1, 5, 5\); for a batch \(N, 1, H, W\) pass maps\[:, 0\]"),
    ((torch.zeros(2, 5, 5), ["one"]), {}, ValueError, "titles must have one entry per map: got 1 titles for 2 maps"),
    ((torch.zeros(2, 5, 5), "ab"), {}, TypeError, "titles must be a list of strings"),
    (([torch.zeros(3), torch.zeros(2, 2)],), {}, ValueError, r"maps\[0\] must be 2-D \(height, width\)"),
    ((torch.zeros(5, 5),), {"show_values": 1}, TypeError, "show_values must be True or False"),
    ((torch.zeros(5, 5),), {"ncols": 0}, ValueError, "ncols must be a positive int"),
    ((torch.zeros(0, 5),), {}, ValueError, "is empty"),
])
def test_draw_maps_explains_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ci.draw_maps(*args, **kwargs)


# --------------------------------------------------------------------------- draw_multichannel_conv


def test_multichannel_partials_add_up_to_f_conv2d_plus_the_bias():
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 3, (3, 4, 5), generator=generator)
    weight = torch.randint(-1, 2, (3, 3, 2), generator=generator)
    fig = ci.draw_multichannel_conv(x, weight, bias=1.5)
    layer = nn.Conv2d(3, 1, (3, 2)).double()
    with torch.no_grad():
        layer.weight.copy_(weight[None].double())
        layer.bias.fill_(1.5)
    assert fig.output.shape == (2, 4)
    assert np.allclose(fig.output, layer(x[None].double())[0, 0].detach().numpy())
    for c in range(3):
        assert np.allclose(fig.partials[c], F.conv2d(x[c][None, None].double(), weight[c][None, None].double())[0, 0])
    assert "Σ\n+ 1.50" in texts(fig) and "channel 2" in texts(fig)


@pytest.mark.parametrize(("x", "weight", "match"), [
    (torch.zeros(3, 4, 4), torch.zeros(2, 3, 3, 3), r"weight must be ONE filter \(C_in, kH, kW\), got shape "
                                                    r"\(2, 3, 3, 3\); pick filter c of a conv weight: weight\[c\]"),
    (torch.zeros(3, 4, 4), torch.zeros(2, 3, 3), "weight has 2 channel slices but x has 3 channels"),
    (torch.zeros(3, 9, 9), torch.zeros(3, 3, 3), r"too large to draw .* draw a corner, e.g. x\[:3, :5, :5\]"),
    (torch.zeros(3, 2, 2), torch.zeros(3, 3, 3), "is larger than the input"),
    (torch.zeros(4, 4), torch.zeros(3, 3), r"x must be 3-D \(C_in, H, W\)"),
])
def test_multichannel_explains_bad_input(x, weight, match):
    with pytest.raises(ValueError, match=match):
        ci.draw_multichannel_conv(x, weight)


def test_multichannel_bias_must_be_a_number():
    with pytest.raises(TypeError, match="bias must be a number"):
        ci.draw_multichannel_conv(torch.zeros(1, 3, 3), torch.zeros(1, 2, 2), bias=torch.zeros(1))


# --------------------------------------------------------------------------- draw_padding_modes


def test_padding_modes_are_what_nn_conv2d_pads_with():
    fig = ci.draw_padding_modes(IMAGE, padding=2)
    assert list(fig.grids) == list(PADDING_MODES)
    weight = KERNEL[None, None].double()
    for mode, grid in fig.grids.items():
        assert grid.shape == (9, 9) and np.array_equal(grid[2:7, 2:7], IMAGE.numpy())
        layer = nn.Conv2d(1, 1, 3, padding=2, padding_mode=mode, bias=False).double()
        with torch.no_grad():
            layer.weight.copy_(weight)
        expected = layer(IMAGE[None, None].double())[0, 0]
        assert torch.equal(F.conv2d(torch.from_numpy(grid)[None, None], weight)[0, 0], expected), mode
        assert torch.equal(conv2d_loops(IMAGE[None, None].double(), weight, padding=2, padding_mode=mode)[0, 0],
                           expected)
    assert fig.grids["zeros"][0].tolist() == [0] * 9
    assert fig.grids["reflect"][1, 2:7].tolist() == IMAGE[1].tolist()  # row -1 mirrors row 1, not row 0
    assert fig.grids["replicate"][0, 2:7].tolist() == IMAGE[0].tolist()
    assert fig.grids["circular"][0, 2:7].tolist() == IMAGE[3].tolist()  # wraps: rows 3, 4 above row 0
    assert any("'circular'" in t for t in texts(fig))


def test_padding_modes_draws_a_subset_and_pairs():
    fig = ci.draw_padding_modes(IMAGE, padding=(1, 0), modes=["replicate"])
    assert list(fig.grids) == ["replicate"] and fig.grids["replicate"].shape == (7, 5)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"padding": 5}, ValueError, r"too large for 'reflect' on a 5×5 input"),
    ({"padding": 5, "modes": ["circular", "zeros"]}, ValueError, r"padding \(5, 5\) would draw more than 12 cells"),
    ({"padding": 6, "modes": ["circular"]}, ValueError, r"too large for 'circular' .* wrap around more than once"),
    ({"modes": ["mirror"]}, ValueError, r"modes\[0\] must be one of 'zeros', 'reflect', 'replicate', 'circular'"),
    ({"modes": "zeros"}, TypeError, "modes must be a non-empty list of padding modes"),
    ({"padding": -1}, ValueError, "padding must be"),
    ({"padding": 1.0}, TypeError, "padding must be"),
])
def test_padding_modes_explains_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        ci.draw_padding_modes(IMAGE, **kwargs)


def test_padding_modes_refuses_a_large_input():
    with pytest.raises(ValueError, match=r"more than 12 cells per side; draw a corner, e.g. x\[:5, :5\]"):
        ci.draw_padding_modes(torch.zeros(28, 28))


# --------------------------------------------------------------------------- draw_im2col


def test_im2col_labels_each_window_with_its_output_position():
    columns = F.unfold(IMAGE[None, None].float(), 3)[0]
    fig = ci.draw_im2col(columns, KERNEL)
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_xticklabels()] == ["0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0",
                                                              "2,1", "2,2"]
    wide = F.unfold(torch.zeros(1, 1, 3, 6), 3)[0]
    fig = ci.draw_im2col(wide, torch.zeros(3, 3), output_size=(1, 4))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0,0", "0,1", "0,2", "0,3"]


@pytest.mark.parametrize(("columns", "kernel", "kwargs", "match"), [
    (torch.zeros(9, 9), torch.zeros(2, 2), {}, "kernel has 4 numbers but columns has 9 rows"),
    (torch.zeros(9, 6), torch.zeros(3, 3), {}, r"not a square number: pass output_size=\(H_out, W_out\)"),
    (torch.zeros(9, 6), torch.zeros(3, 3), {"output_size": (2, 2)}, "has 4 positions but columns has 6 windows"),
    (torch.zeros(9, 49), torch.zeros(3, 3), {}, "too large to draw"),
])
def test_im2col_explains_bad_input(columns, kernel, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ci.draw_im2col(columns, kernel, **kwargs)


# --------------------------------------------------------------------------- the registered figure


def test_padding_modes_figure_writes_one_png(tmp_path):
    described = ci.padding_modes_figure(tmp_path)
    assert [name for name, _ in described] == ["padding_modes.png"]
    with Image.open(tmp_path / "padding_modes.png") as image:
        assert image.format == "PNG" and image.width > 2 * image.height
    with pytest.raises(TypeError, match="out_dir must be a folder path"):
        ci.padding_modes_figure(None)
