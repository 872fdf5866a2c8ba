"""conv2d_loops and conv2d_unfold compute what F.conv2d computes, and refuse what it refuses."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.conv import conv2d_loops, conv2d_unfold

IMPLEMENTATIONS = [conv2d_loops, conv2d_unfold]
small = st.integers


def int_or_pair(lo, hi):
    return st.one_of(small(lo, hi), st.tuples(small(lo, hi), small(lo, hi)))


@st.composite
def conv_settings(draw, max_batch=2, max_size=9):
    groups = draw(small(1, 3))
    kernel = (draw(small(1, 4)), draw(small(1, 4)))
    return dict(
        batch=draw(small(1, max_batch)),
        groups=groups,
        c_in=groups * draw(small(1, 3)),
        c_out=groups * draw(small(1, 3)),
        size=(draw(small(1, max_size)), draw(small(1, max_size))),
        kernel=kernel,
        stride=draw(int_or_pair(1, 3)),
        padding=draw(st.one_of(int_or_pair(0, 2), st.sampled_from(["same", "valid"]))),
        dilation=draw(int_or_pair(1, 2)),
        bias=draw(st.booleans()),
        seed=draw(small(0, 2**31 - 1)),
    )


def make_tensors(s, dtype):
    generator = torch.Generator().manual_seed(s["seed"])

    def uniform(*shape):  # values in [-1, 1) keep float32 rounding far below the tolerance
        return (torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1).to(dtype)

    x = uniform(s["batch"], s["c_in"], *s["size"])
    w = uniform(s["c_out"], s["c_in"] // s["groups"], *s["kernel"])
    b = uniform(s["c_out"]) if s["bias"] else None
    return x, w, b


def arguments(s):
    return dict(stride=s["stride"], padding=s["padding"], dilation=s["dilation"], groups=s["groups"])


def reference(x, w, b, kwargs):
    """F.conv2d's output, or None if it refuses the arguments."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'same' with even kernels warns about a padded copy
            return F.conv2d(x, w, b, **kwargs)
    except RuntimeError:
        return None


def check_against_torch(function, s, dtype, atol):
    x, w, b = make_tensors(s, dtype)
    kwargs = arguments(s)
    expected = reference(x, w, b, kwargs)
    if expected is None:
        with pytest.raises((ValueError, TypeError)):
            function(x, w, b, **kwargs)
        return
    actual = function(x, w, b, **kwargs)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    assert torch.allclose(actual, expected, atol=atol, rtol=0), (actual - expected).abs().max()


@settings(max_examples=150, deadline=None)
@given(s=conv_settings())
def test_unfold_equals_conv2d_float32(s):
    check_against_torch(conv2d_unfold, s, torch.float32, 1e-5)


@settings(max_examples=150, deadline=None)
@given(s=conv_settings())
def test_unfold_equals_conv2d_float64(s):
    check_against_torch(conv2d_unfold, s, torch.float64, 1e-10)


@settings(max_examples=100, deadline=None)
@given(s=conv_settings(max_batch=2, max_size=7))
def test_loops_equal_conv2d_float32(s):
    check_against_torch(conv2d_loops, s, torch.float32, 1e-5)


@settings(max_examples=100, deadline=None)
@given(s=conv_settings(max_batch=2, max_size=7))
def test_loops_equal_conv2d_float64(s):
    check_against_torch(conv2d_loops, s, torch.float64, 1e-10)


@settings(max_examples=50, deadline=None)
@given(channels=small(1, 6), multiplier=small(1, 2), kernel=small(1, 5), stride=small(1, 2),
       size=small(5, 9), bias=st.booleans(), seed=small(0, 1000))
@pytest.mark.parametrize("function", IMPLEMENTATIONS)
def test_depthwise(function, channels, multiplier, kernel, stride, size, bias, seed):
    torch.manual_seed(seed)
    x = torch.randn(2, channels, size, size, dtype=torch.float64)
    w = torch.randn(channels * multiplier, 1, kernel, kernel, dtype=torch.float64)
    b = torch.randn(channels * multiplier, dtype=torch.float64) if bias else None
    kwargs = dict(stride=stride, padding=kernel // 2, groups=channels)
    assert torch.allclose(function(x, w, b, **kwargs), F.conv2d(x, w, b, **kwargs), atol=1e-10, rtol=0)


# --- the worked example of reference.md §2, in int64 as the tutorial wrote it -------------------

EXAMPLE_INPUT = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]])
EXAMPLE_KERNEL = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]])


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("kwargs, expected", [
    (dict(stride=1), [[10, 12, 12], [18, 16, 16], [13, 9, 3]]),
    (dict(stride=2), [[10, 12], [13, 3]]),
    (dict(stride=1, padding=1), [[1, 3, 4, 10, 8], [5, 10, 12, 12, 6], [7, 18, 16, 16, 8], [11, 13, 9, 3, 4],
                                 [14, 13, 9, 7, 4]]),
    (dict(stride=2, padding=1), [[1, 4, 8], [7, 16, 8], [14, 9, 4]]),
])
def test_worked_example(function, kwargs, expected):
    x, w = EXAMPLE_INPUT.reshape(1, 1, 5, 5), EXAMPLE_KERNEL.reshape(1, 1, 3, 3)
    out = function(x, w, **kwargs)
    assert out.dtype == torch.int64
    assert out[0, 0].tolist() == expected
    assert torch.equal(out, F.conv2d(x, w, **kwargs))
    assert torch.equal(function(x.float(), w.float(), **kwargs), F.conv2d(x.float(), w.float(), **kwargs))


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
def test_integer_tensors_with_groups_and_dilation(function, dtype):
    torch.manual_seed(0)
    x = torch.randint(-5, 6, (2, 4, 7, 8), dtype=dtype)
    w = torch.randint(-3, 4, (6, 2, 3, 2), dtype=dtype)
    b = torch.randint(-3, 4, (6,), dtype=dtype)
    # PyTorch has no dilated int32 kernel on CPU ("slow_conv_dilated" not implemented for 'Int')
    dilation = (2, 1) if dtype == torch.int64 else 1
    kwargs = dict(stride=(1, 2), padding=(2, 1), dilation=dilation, groups=2)
    assert torch.equal(function(x, w, b, **kwargs), F.conv2d(x, w, b, **kwargs))


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
def test_unbatched_input(function):
    x, w, b = torch.randn(3, 6, 5), torch.randn(2, 3, 3, 3), torch.randn(2)
    out = function(x, w, b, padding="same")
    assert out.shape == (2, 6, 5)
    assert torch.allclose(out, F.conv2d(x, w, b, padding="same"), atol=1e-5)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("kernel, dilation", [(2, 1), (4, 1), (4, 3), (3, 2), ((2, 5), (1, 2))])
def test_same_padding_with_even_kernels_pads_more_at_the_bottom_right(function, kernel, dilation):
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    x, w = torch.randn(1, 1, 6, 7, dtype=torch.float64), torch.randn(1, 1, kh, kw, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = F.conv2d(x, w, padding="same", dilation=dilation)
    assert expected.shape == x.shape
    assert torch.allclose(function(x, w, padding="same", dilation=dilation), expected, atol=1e-10, rtol=0)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
def test_empty_batch(function):
    out = function(torch.zeros(0, 4, 5, 5), torch.zeros(6, 2, 3, 3), torch.zeros(6), groups=2)
    assert out.shape == F.conv2d(torch.zeros(0, 4, 5, 5), torch.zeros(6, 2, 3, 3), groups=2).shape


def test_unfold_realistic_size():
    torch.manual_seed(0)
    x, w, b = torch.randn(8, 16, 32, 32), torch.randn(32, 16, 3, 3), torch.randn(32)
    assert torch.allclose(conv2d_unfold(x, w, b, padding=1), F.conv2d(x, w, b, padding=1), atol=1e-4)


# --- refusals ---------------------------------------------------------------------------------

x4, w4 = torch.zeros(1, 4, 5, 5), torch.zeros(2, 4, 3, 3)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("args, kwargs, error, words", [
    ((torch.zeros(5, 5), w4), {}, ValueError, ["input must be 4-D", "(5, 5)"]),
    ((torch.zeros(1, 1, 4, 5, 5), w4), {}, ValueError, ["input must be 4-D"]),
    ((x4, torch.zeros(2, 4, 3)), {}, ValueError, ["weight must be 4-D"]),
    ((torch.zeros(1, 5, 5, 4), w4), {}, ValueError, ["expects input with", "4 channels", "has 5"]),
    ((x4, torch.zeros(3, 2, 3, 3)), dict(groups=2), ValueError, ["C_out = 3", "divisible by groups=2"]),
    ((x4, torch.zeros(2, 2, 3, 3)), dict(groups=3), ValueError, ["divisible by groups=3"]),
    ((x4, torch.zeros(3, 1, 3, 3)), dict(groups=3), ValueError, ["expects input with", "3 channels"]),
    ((x4, w4), dict(groups=0), ValueError, ["groups must be 1 or more"]),
    ((x4, w4), dict(groups=1.0), TypeError, ["groups must be an int"]),
    ((x4.double(), w4), {}, TypeError, ["torch.float64", "torch.float32"]),
    ((x4, w4, torch.zeros(3)), {}, ValueError, ["bias must have shape (C_out,) = (2,)"]),
    ((x4, w4, torch.zeros(2, dtype=torch.float64)), {}, TypeError, ["bias is torch.float64"]),
    ((x4, w4, [0.0, 0.0]), {}, TypeError, ["bias must be a torch.Tensor"]),
    ((x4.tolist(), w4), {}, TypeError, ["input must be a torch.Tensor"]),
    ((x4.bool(), w4.bool()), {}, TypeError, ["boolean"]),
    ((x4, w4), dict(stride=0), ValueError, ["stride must be positive"]),
    ((x4, w4), dict(stride=(1, 1, 1)), TypeError, ["stride must be an int or a pair"]),
    ((x4, w4), dict(stride=1.5), TypeError, ["stride"]),
    ((x4, w4), dict(padding=-1), ValueError, ["padding must be 0 or more"]),
    ((x4, w4), dict(padding="full"), ValueError, ["'same' or 'valid'", "'full'"]),
    ((x4, w4), dict(padding="same", stride=2), ValueError, ["not supported for strided convolutions"]),
    ((x4, w4), dict(dilation=0), ValueError, ["dilation must be positive"]),
    ((x4, w4), dict(dilation=3), ValueError, ["spans 7 pixels", "padded input has only 5"]),
    ((torch.zeros(1, 4, 2, 9), w4), {}, ValueError, ["in height"]),
    ((x4, torch.zeros(2, 4, 0, 3)), {}, ValueError, ["kernel size must be positive"]),
])
def test_refuses_what_conv2d_refuses(function, args, kwargs, error, words):
    with pytest.raises(error) as raised:
        function(*args, **kwargs)
    message = str(raised.value)
    assert message.startswith(function.__name__ + ":")
    for word in words:
        assert word in message, message
    with pytest.raises((RuntimeError, TypeError, ValueError)):  # F.conv2d refuses these too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F.conv2d(*args, **kwargs)
