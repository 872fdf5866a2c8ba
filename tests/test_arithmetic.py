"""course_utils.arithmetic agrees with the shapes PyTorch produces, and explains impossible settings."""

import itertools
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.arithmetic import conv_output_size, conv_transpose_output_size, pool_output_size

PROPERTY = settings(max_examples=200, deadline=None)


def torch_shape(function, *args, **kwargs):
    """Spatial output shape of ``function(*args, **kwargs)`` (a torch op), or None if PyTorch refuses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tuple(function(*args, **kwargs).shape[2:])
    except RuntimeError:
        return None


def ours(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValueError:
        return None


pair = st.tuples
small = st.integers


# --- exhaustive sweeps over one dimension ---------------------------------------------------

def test_conv_sweep_matches_conv1d():
    checked = 0
    for i, k, s, p, d in itertools.product(range(1, 13), range(1, 6), range(1, 4), range(0, 4), range(1, 4)):
        expected = torch_shape(F.conv1d, torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p,
                               dilation=d)
        assert ours(conv_output_size, i, k, s, p, d) == (None if expected is None else expected[0]), (i, k, s, p, d)
        checked += 1
    assert checked == 2160


def test_conv_transpose_sweep_matches_conv_transpose1d():
    checked = 0
    ranges = (range(1, 8), range(1, 5), range(1, 4), range(0, 4), range(0, 3), range(1, 3))
    for i, k, s, p, a, d in itertools.product(*ranges):
        expected = torch_shape(F.conv_transpose1d, torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s,
                               padding=p, output_padding=a, dilation=d)
        assert ours(conv_transpose_output_size, i, k, s, p, a, d) == (None if expected is None else expected[0]), \
            (i, k, s, p, a, d)
        checked += 1
    assert checked == 2016


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool_sweep_matches_max_pool1d(ceil_mode):
    checked = 0
    for i, k, s, p, d in itertools.product(range(1, 11), range(1, 6), range(1, 5), range(0, 3), range(1, 3)):
        expected = torch_shape(F.max_pool1d, torch.zeros(1, 1, i), k, s, p, d, ceil_mode=ceil_mode)
        assert ours(pool_output_size, i, k, s, p, d, ceil_mode) == (None if expected is None else expected[0]), \
            (i, k, s, p, d, ceil_mode)
        checked += 1
    assert checked == 1200


# --- random 2-D settings, ints and pairs mixed ------------------------------------------------

int_or_pair = lambda lo, hi: st.one_of(small(lo, hi), pair(small(lo, hi), small(lo, hi)))  # noqa: E731


def spatial(value):
    return value if isinstance(value, tuple) else (value, value)


@PROPERTY
@given(h=small(1, 20), w=small(1, 20), k=int_or_pair(1, 7), s=int_or_pair(1, 4), p=int_or_pair(0, 4),
       d=int_or_pair(1, 3))
def test_conv2d_shapes(h, w, k, s, p, d):
    kh, kw = spatial(k)
    expected = torch_shape(F.conv2d, torch.zeros(1, 1, h, w), torch.zeros(1, 1, kh, kw), stride=s, padding=p,
                           dilation=d)
    assert ours(conv_output_size, (h, w), k, s, p, d) == expected


@PROPERTY
@given(h=small(1, 20), w=small(1, 20), k=int_or_pair(1, 7), d=int_or_pair(1, 3),
       padding=st.sampled_from(["same", "valid"]), s=small(1, 3))
def test_conv2d_string_padding(h, w, k, d, padding, s):
    kh, kw = spatial(k)
    expected = torch_shape(F.conv2d, torch.zeros(1, 1, h, w), torch.zeros(1, 1, kh, kw), stride=s,
                           padding=padding, dilation=d)
    assert ours(conv_output_size, (h, w), k, s, padding, d) == expected


@PROPERTY
@given(h=small(1, 12), w=small(1, 12), k=int_or_pair(1, 6), s=int_or_pair(1, 4), p=int_or_pair(0, 4),
       a=int_or_pair(0, 3), d=int_or_pair(1, 3))
def test_conv_transpose2d_shapes(h, w, k, s, p, a, d):
    kh, kw = spatial(k)
    expected = torch_shape(F.conv_transpose2d, torch.zeros(1, 1, h, w), torch.zeros(1, 1, kh, kw), stride=s,
                           padding=p, output_padding=a, dilation=d)
    if expected is not None and 0 in expected:
        # PyTorch is not consistent about a computed size of 0: some settings raise "Output size
        # is too small", others (e.g. h=2, k=4, s=3, p=4, output_padding=1) return an empty
        # tensor. conv_transpose_output_size always refuses, as the docstring says.
        expected = None
    assert ours(conv_transpose_output_size, (h, w), k, s, p, a, d) == expected


@PROPERTY
@given(h=small(1, 20), w=small(1, 20), k=int_or_pair(1, 6), s=st.one_of(st.none(), int_or_pair(1, 4)),
       p=int_or_pair(0, 3), d=int_or_pair(1, 3), ceil_mode=st.booleans())
def test_max_pool2d_shapes(h, w, k, s, p, d, ceil_mode):
    expected = torch_shape(F.max_pool2d, torch.zeros(1, 1, h, w), k, s, p, d, ceil_mode=ceil_mode)
    assert ours(pool_output_size, (h, w), k, s, p, d, ceil_mode) == expected


@PROPERTY
@given(h=small(1, 20), w=small(1, 20), k=int_or_pair(1, 6), s=st.one_of(st.none(), int_or_pair(1, 4)),
       p=int_or_pair(0, 3), ceil_mode=st.booleans())
def test_avg_pool2d_shapes(h, w, k, s, p, ceil_mode):
    expected = torch_shape(F.avg_pool2d, torch.zeros(1, 1, h, w), k, s, p, ceil_mode=ceil_mode)
    assert ours(pool_output_size, (h, w), k, s, p, 1, ceil_mode) == expected


@PROPERTY
@given(i=small(1, 30), k=small(1, 7), s=small(1, 4), p=small(0, 4), d=small(1, 3))
def test_transpose_undoes_conv(i, k, s, p, d):
    """Relationship 14: the transposed conv with output_padding a = (i+2p-dk') mod s maps o back to i."""
    o = ours(conv_output_size, i, k, s, p, d)
    if o is None:
        return
    a = (i + 2 * p - d * (k - 1) - 1) % s
    if a < max(s, d):
        assert conv_transpose_output_size(o, k, s, p, a, d) == i


# --- return types ---------------------------------------------------------------------------

def test_ints_give_int_tuples_give_tuple():
    assert conv_output_size(28, 3, p=1) == 28
    assert isinstance(conv_output_size(28, 3), int)
    assert conv_output_size((32, 20), 3, s=2, p=1) == (16, 10)
    assert conv_output_size(torch.Size([5, 5]), (3, 1)) == (3, 5)
    assert conv_output_size([5, 6], 3) == (3, 4)
    assert conv_output_size(5, 3, p="valid") == 3
    assert conv_output_size((5, 7), (2, 4), p="same") == (5, 7)
    assert conv_transpose_output_size(7, 4, s=2, p=1) == 14
    assert conv_transpose_output_size((3, 3), 3, 2, 1, (0, 1)) == (5, 6)
    assert pool_output_size(28, 2) == 14
    assert pool_output_size((28, 9), 2) == (14, 4)
    assert pool_output_size(5, 3, 2, 1, ceil_mode=True) == 3


def test_reference_examples():
    # the animations of Dumoulin & Visin (github.com/vdumoulin/conv_arithmetic, arXiv:1603.07285)
    for i, k, s, p, d, o in [(4, 3, 1, 0, 1, 2), (5, 4, 1, 2, 1, 6), (5, 3, 1, 1, 1, 5), (5, 3, 1, 2, 1, 7),
                             (5, 3, 2, 0, 1, 2), (5, 3, 2, 1, 1, 3), (6, 3, 2, 1, 1, 3), (7, 3, 1, 0, 2, 3)]:
        assert conv_output_size(i, k, s, p, d) == o
    assert [conv_transpose_output_size(3, 3, 2, 1, a) for a in (0, 1)] == [5, 6]
    # the MyNet bug: 7x7 -> ConvTranspose2d(128, 64, 4, 2, padding=1) -> 14x14
    assert conv_transpose_output_size(7, 4, 2, 1) == 14


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, words", [
    (lambda: conv_output_size(2, 3), ValueError, ["k (kernel size) = 3", "spans", "padded input", "2"]),
    (lambda: conv_output_size(5, 3, d=3), ValueError, ["k (kernel size) = 3 with dilation d = 3",
                                                       "d(k-1)+1 = 7", "i+2p = 5+2*0 = 5"]),
    (lambda: conv_output_size(5, 3, s=0), ValueError, ["s (stride) must be a positive int, got 0"]),
    (lambda: conv_output_size(5, 3, s=-2), ValueError, ["s (stride) must be a positive int, got -2"]),
    (lambda: conv_output_size(5, 0), ValueError, ["k (kernel size) must be a positive int, got 0"]),
    (lambda: conv_output_size(0, 1), ValueError, ["i (input size) must be a positive int, got 0"]),
    (lambda: conv_output_size(5, 3, p=-1), ValueError, ["p (padding) must be an int ≥ 0, got -1"]),
    (lambda: conv_output_size(5, 3, d=0), ValueError, ["d (dilation) must be a positive int, got 0"]),
    (lambda: conv_output_size((5, 5), 3, s=(1, 0)), ValueError, ["s (stride) must be a positive int in every "
                                                                 "dimension, got (1, 0)"]),
    (lambda: conv_output_size(5.0, 3), TypeError, ["i (input size) must be a positive int", "5.0 (float)",
                                                   "write 5 (no decimal point)"]),
    (lambda: conv_output_size(5, 3, p=True), TypeError, ["p (padding) must be an int ≥ 0", "True (bool)"]),
    (lambda: conv_output_size("5", 3), TypeError, ["i (input size) must be a positive int", "write 5 without quotes"]),
    (lambda: conv_output_size((5, 5), (3, 2.0)), TypeError, ["k (kernel size) must be a positive int or a tuple "
                                                             "(height, width) of them, got (3, 2.0)"]),
    (lambda: conv_output_size((5, 5), (3, 3, 3)), ValueError, ["k (kernel size) must be a positive int or a tuple "
                                                               "(height, width) of them", "with 3 entries"]),
    (lambda: conv_output_size((5, 5, 5), (3, 3)), ValueError, ["k (kernel size) must be a positive int or a tuple "
                                                               "of 3 of them", "(3, 3) (tuple) with 2 entries"]),
    (lambda: conv_output_size((), 3), ValueError, ["i (input size)", "() (tuple) with 0 entries"]),
    (lambda: conv_output_size((8, 2), 3), ValueError, ["i+2p = 2+2*0 = 2 in dimension 1"]),
    (lambda: conv_output_size(5, 3, s=2, p="same"), ValueError, ["p='same' needs stride 1", "got s=2",
                                                                 "p=(k-1)//2"]),
    (lambda: conv_output_size((5, 5), 3, s=(1, 2), p="same"), ValueError, ["got s=2 in dimension 1"]),
    (lambda: conv_output_size(5, 3, p="full"), ValueError, ["p (padding) must be one of 'same', 'valid'; "
                                                            "got 'full'"]),
    (lambda: conv_transpose_output_size(3, 3, s=2, output_padding=2), ValueError,
     ["output_padding must be smaller than max(stride, dilation) = 2, got output_padding=2"]),
    (lambda: conv_transpose_output_size(3, 3, output_padding=1), ValueError, ["output_padding must be smaller"]),
    (lambda: conv_transpose_output_size(2, 1, p=1), ValueError, ["p (padding) = 1 removes more than the layer "
                                                                 "produces", "output size would be", "= 0"]),
    (lambda: conv_transpose_output_size(2, 1, output_padding=-1), ValueError,
     ["output_padding must be an int ≥ 0, got -1"]),
    (lambda: pool_output_size(9, 3, p=2), ValueError, ["p (padding) = 2 is too large",
                                                       "padding must be at most half the kernel size", "k//2 = 1"]),
    (lambda: pool_output_size((9, 9), (3, 5), p=2), ValueError, ["p (padding) = 2 in dimension 0 is too large"]),
    (lambda: pool_output_size(2, 3), ValueError, ["k (kernel size) = 3", "window that spans 3 pixels",
                                                  "padded input is only", "output would be 0"]),
    (lambda: pool_output_size(5, 2, s=0), ValueError, ["s (stride) must be a positive int, got 0"]),
    (lambda: pool_output_size(5, 2, ceil_mode=1), TypeError, ["ceil_mode must be True or False, got 1 (int)"]),
])
def test_impossible_settings_explain_themselves(call, error, words):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    for word in words:
        assert word in message, message
    # the argument's name comes first (no "conv_output_size: " prefix any more)
    assert message.split()[0] in ("i", "k", "s", "p", "d", "output_padding", "ceil_mode", "p='same'"), message


def test_messages_contain_no_colon_space_that_would_split_them():
    """viz.conv prefixes these messages with the drawing function's name and splits on the first ': '."""
    calls = [lambda: conv_output_size(5, 3, d=3), lambda: pool_output_size(9, 3, p=2),
             lambda: pool_output_size(2, 3), lambda: conv_transpose_output_size(2, 1, p=1),
             lambda: conv_transpose_output_size(3, 3, s=2, output_padding=2),
             lambda: conv_output_size(5, 3, s=2, p="same")]
    for call in calls:
        with pytest.raises(ValueError) as raised:
            call()
        assert ": " not in str(raised.value), str(raised.value)


def test_numpy_ints_accepted():
    np = pytest.importorskip("numpy")
    assert conv_output_size(np.int64(5), np.int32(3)) == 3
