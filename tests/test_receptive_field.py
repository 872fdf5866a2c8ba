"""receptive_field: the formula, hand cases, and a measurement with autograd."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.arithmetic import conv_output_size, receptive_field


@pytest.mark.parametrize("kernels, strides, dilations, expected", [
    ([3, 3, 3], 1, 1, 7),  # three 3x3 convolutions see as much as one 7x7
    ([3, 3], [2, 1], 1, 7),  # a stride-2 3x3 conv, then a 3x3 conv
    ([3], 1, 1, 3),
    ([1, 1], 1, 1, 1),
    ([3], 1, 2, 5),  # a dilated 3x3 spans 5 pixels
    ([2, 2, 2], [2, 2, 2], 1, 8),  # three 2x2 poolings: 2^3
    ([7, 3, 3, 3], [2, 2, 1, 1], 1, 27),  # ResNet18's stem (conv 7/2, max-pool 3/2) and layer1's first block
    ([3, 3, 3], [1, 1, 1], [1, 2, 4], 15),  # dilations doubling: 1 + 2 + 4 + 8
])
def test_hand_cases(kernels, strides, dilations, expected):
    assert receptive_field(kernels, strides, dilations) == expected


def test_tuples_lists_and_one_element_lists_are_the_same():
    assert receptive_field((3, 3), (2, 1)) == receptive_field([3, 3], [2, 1]) == 7
    # the last layer's stride never matters: 1 + 2·1 + 2·2 + 2·4
    assert receptive_field([3, 3, 3], strides=[2]) == receptive_field([3, 3, 3], strides=2) == 15


def measured_extent(kernels, strides, dilations, side):
    """Rows and columns of the input that reach the central output unit, measured with autograd.

    All-ones weights make every path from an input pixel to the unit count +1, so a pixel
    influences the unit exactly when its gradient is non-zero (no cancellation).
    """
    x = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = x
    for k, s, d in zip(kernels, strides, dilations):
        out = F.conv2d(out, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, dilation=d)
    rows, cols = out.shape[-2:]
    out[0, 0, rows // 2, cols // 2].backward()
    touched = x.grad[0, 0].nonzero()
    extent = [int(touched[:, axis].max() - touched[:, axis].min()) + 1 for axis in (0, 1)]
    return extent, touched


@settings(max_examples=80, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4))
def test_formula_equals_the_field_measured_with_autograd(layers):
    kernels, strides, dilations = (list(column) for column in zip(*layers))
    r = receptive_field(kernels, strides, dilations)
    side = r + 2 * math.prod(strides) + 1  # room for a central unit whose field lies inside the input
    size = side
    for k, s, d in zip(kernels, strides, dilations):
        size = conv_output_size(size, k, s, 0, d)
    assert size >= 1
    extent, touched = measured_extent(kernels, strides, dilations, side)
    assert extent == [r, r]
    assert len(touched) <= r * r  # holes are possible (dilation, strides larger than kernels), extra pixels not


def test_dilation_leaves_holes_inside_the_field():
    extent, touched = measured_extent([3], [1], [2], 9)
    assert extent == [5, 5] and len(touched) == 9  # a 5x5 field of which 3x3 pixels matter


@pytest.mark.parametrize("call, error, message", [
    (lambda: receptive_field(3), TypeError,
     "kernel_sizes must be a list or tuple of positive ints, one per layer, got 3 (int)"),
    (lambda: receptive_field([]), ValueError,
     "kernel_sizes must have at least one entry (one per layer), got [] (list)"),
    (lambda: receptive_field([3, 0]), ValueError, "kernel_sizes[1] must be a positive int, got 0"),
    (lambda: receptive_field([3, 2.0]), TypeError, "kernel_sizes[1] must be a positive int, got 2.0 (float); "
                                                   "write 2 (no decimal point)"),
    (lambda: receptive_field([3, 3], strides=[1, 2, 1]), ValueError,
     "strides must be a positive int or a list of 2 of them (one per layer), got [1, 2, 1] (list) with 3 entries"),
    (lambda: receptive_field([3, 3], strides=0), ValueError, "strides must be a positive int, got 0"),
    (lambda: receptive_field([3, 3], dilations=True), TypeError, "dilations must be a positive int, got True (bool)"),
    (lambda: receptive_field([3, 3], dilations=[1, "2"]), TypeError,
     "dilations[1] must be a positive int, got '2' (str); write 2 without quotes"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message
