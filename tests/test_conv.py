"""conv2d_loops and conv2d_unfold compute what F.conv2d computes, and refuse what it refuses."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.arithmetic import conv_output_size, conv_transpose_output_size, pool_output_size
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


# --- the 5×5 worked example of notebook 02, in int64 as the tutorial wrote it -------------------

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
    ((torch.zeros(5, 5, 5, 5, 5), w4), {}, ValueError, ["input must be 4-D or 3-D", "(5, 5, 5, 5, 5)"]),
    ((torch.zeros(1, 1, 4, 5, 5), w4), {}, ValueError, ["input must be 4-D"]),
    ((x4, torch.zeros(2, 4, 3)), {}, ValueError, ["weight must be 4-D (C_out, C_in/groups, kH, kW)"]),
    ((torch.zeros(1, 5, 5, 4), w4), {}, ValueError, ["input of shape (1, 5, 5, 4) has 5 channels",
                                                     "expects input with", "4 channels", "channels come second"]),
    ((x4, torch.zeros(3, 2, 3, 3)), dict(groups=2), ValueError, ["weight.shape[0] = C_out = 3",
                                                                 "divisible by groups=2"]),
    ((x4, torch.zeros(2, 2, 3, 3)), dict(groups=3), ValueError, ["weight.shape[0] = C_out = 2",
                                                                 "divisible by groups=3"]),
    ((x4, torch.zeros(3, 1, 3, 3)), dict(groups=3), ValueError, ["input of shape (1, 4, 5, 5) has 4 channels",
                                                                 "expects input with", "3 channels"]),
    ((x4, w4), dict(groups=0), ValueError, ["groups must be a positive int, got 0"]),
    ((x4, w4), dict(groups=1.0), TypeError, ["groups must be a positive int, got 1.0 (float)"]),
    ((x4.double(), w4), {}, TypeError, ["weight, input must have the same dtype", "input is torch.float64",
                                        "weight is torch.float32", "input.to(weight.dtype)"]),
    ((x4, w4, torch.zeros(3)), {}, ValueError, ["bias must have shape (C_out,) = (2,), one number per filter"]),
    ((x4, w4, torch.zeros(2, dtype=torch.float64)), {}, TypeError, ["weight, input, bias must have the same",
                                                                    "bias is torch.float64",
                                                                    "bias.to(weight.dtype)"]),
    ((x4, w4, [0.0, 0.0]), {}, TypeError, ["bias must be a torch.Tensor", "convert it with torch.tensor"]),
    ((x4.tolist(), w4), {}, TypeError, ["input must be a torch.Tensor"]),
    ((x4.bool(), w4.bool()), {}, TypeError, ["input must have a real dtype", "torch.bool", ".float()"]),
    ((x4, w4), dict(stride=0), ValueError, ["stride must be a positive int, got 0"]),
    ((x4, w4), dict(stride=(1, 1, 1)), ValueError, ["stride must be a positive int or a tuple (height, width)",
                                                    "with 3 entries"]),
    ((x4, w4), dict(stride=1.5), TypeError, ["stride must be a positive int", "1.5 (float)"]),
    ((x4, w4), dict(padding=-1), ValueError, ["padding must be an int ≥ 0, got -1"]),
    ((x4, w4), dict(padding="full"), ValueError, ["padding must be one of 'same', 'valid'", "'full'"]),
    ((x4, w4), dict(padding="same", stride=2), ValueError, ["padding='same' is not supported for strided "
                                                            "convolutions"]),
    ((x4, w4), dict(dilation=0), ValueError, ["dilation must be a positive int, got 0"]),
    ((x4, w4), dict(dilation=3), ValueError, ["weight's kernel", "spans 7 pixels", "padded input has only 5"]),
    ((torch.zeros(1, 4, 2, 9), w4), {}, ValueError, ["weight's kernel", "in height"]),
    ((x4, torch.zeros(2, 4, 0, 3)), {}, ValueError, ["weight's kernel size must be positive"]),
])
def test_refuses_what_conv2d_refuses(function, args, kwargs, error, words):
    with pytest.raises(error) as raised:
        function(*args, **kwargs)
    message = str(raised.value)
    for word in words:
        assert word in message, message
    first = words[0].split()[0].split("'")[0].split(".")[0]
    assert message.startswith(first), message  # the argument's name comes first
    with pytest.raises((RuntimeError, TypeError, ValueError)):  # F.conv2d refuses these too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F.conv2d(*args, **kwargs)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
def test_a_2d_image_gets_the_unsqueeze_fix(function):
    with pytest.raises(ValueError, match=r"input must be 4-D or 3-D .*got shape \(5, 5\).*\.unsqueeze\(0\)"):
        function(torch.zeros(5, 5), torch.zeros(1, 1, 3, 3))


# --- padding_mode, as nn.Conv2d(..., padding_mode=m) --------------------------------------------

MODES = ["zeros", "reflect", "replicate", "circular"]


def module_reference(x, w, b, s, mode):
    """nn.Conv2d(..., padding_mode=mode) with weights w and bias b, or None if PyTorch refuses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            conv = torch.nn.Conv2d(s["c_in"], s["c_out"], s["kernel"], bias=s["bias"], padding_mode=mode,
                                   **arguments(s)).to(x.dtype)
            with torch.no_grad():
                conv.weight.copy_(w)
                if b is not None:
                    conv.bias.copy_(b)
                return conv(x)
    except (RuntimeError, ValueError):
        return None


def check_padding_mode(function, s, mode, dtype, atol):
    x, w, b = make_tensors(s, dtype)
    expected = module_reference(x, w, b, s, mode)
    if expected is None:
        with pytest.raises((ValueError, TypeError)):
            function(x, w, b, padding_mode=mode, **arguments(s))
        return
    actual = function(x, w, b, padding_mode=mode, **arguments(s))
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    assert torch.allclose(actual, expected, atol=atol, rtol=0), (actual - expected).abs().max()


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("dtype, atol", [(torch.float32, 1e-5), (torch.float64, 1e-10)], ids=["float32", "float64"])
@settings(max_examples=60, deadline=None)
@given(s=conv_settings(max_batch=2, max_size=6), mode=st.sampled_from(MODES[1:]))
def test_padding_mode_equals_nn_conv2d(function, dtype, atol, s, mode):
    check_padding_mode(function, s, mode, dtype, atol)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("mode", MODES)
def test_padding_mode_with_same_padding_and_an_even_kernel(function, mode):
    # 'same' pads 0 rows on top, 1 at the bottom, 1 column on the left and 2 on the right here
    s = dict(batch=1, groups=1, c_in=2, c_out=3, size=(5, 6), kernel=(2, 4), stride=1, padding="same",
             dilation=1, bias=True, seed=7)
    check_padding_mode(function, s, mode, torch.float64, 1e-10)
    assert module_reference(*make_tensors(s, torch.float64), s, mode).shape == (1, 3, 5, 6)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
@pytest.mark.parametrize("mode, padding, size, refused", [
    ("reflect", 2, (3, 4), False), ("reflect", 3, (3, 4), True), ("reflect", (0, 3), (3, 4), False),
    ("reflect", (0, 4), (3, 4), True),
    ("circular", 3, (3, 4), False), ("circular", 4, (3, 4), True), ("circular", (0, 4), (3, 4), False),
    ("circular", (0, 5), (3, 4), True),
    ("replicate", 5, (3, 4), False),
])
def test_padding_limits_are_pytorchs(function, mode, padding, size, refused):
    x, w = torch.randn(1, 1, *size), torch.randn(1, 1, 1, 1)
    conv = torch.nn.Conv2d(1, 1, 1, padding=padding, padding_mode=mode, bias=False)
    with torch.no_grad():
        conv.weight.copy_(w)
    if not refused:
        assert torch.allclose(function(x, w, padding=padding, padding_mode=mode), conv(x), atol=1e-6)
        return
    with pytest.raises(RuntimeError):
        conv(x)
    limit = "padding < " if mode == "reflect" else "padding <= "
    with pytest.raises(ValueError, match=rf"^padding \d in (height|width) is too large for padding_mode='{mode}'"
                                         rf".*{limit}"):
        function(x, w, padding=padding, padding_mode=mode)


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
def test_padding_mode_works_for_integer_and_unbatched_input(function):
    x, w = EXAMPLE_INPUT.reshape(1, 5, 5), EXAMPLE_KERNEL.reshape(1, 1, 3, 3)
    for mode in MODES[1:]:
        conv = torch.nn.Conv2d(1, 1, 3, padding=1, padding_mode=mode, bias=False)
        with torch.no_grad():
            conv.weight.copy_(w.float())
        out = function(x, w, padding=1, padding_mode=mode)
        assert out.dtype == torch.int64 and out.shape == (1, 5, 5)
        assert torch.equal(out.float(), conv(x.float()))


@pytest.mark.parametrize("function", IMPLEMENTATIONS)
def test_padding_mode_refusals(function):
    with pytest.raises(ValueError, match="padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular'; "
                                         "got 'mirror'"):
        function(x4, w4, padding_mode="mirror")
    with pytest.raises(ValueError):
        torch.nn.Conv2d(4, 2, 3, padding_mode="mirror")
    with pytest.raises(TypeError):  # keyword only, so that F.conv2d's positional arguments keep their meaning
        function(x4, w4, None, 1, 1, 1, 1, "reflect")
    with pytest.raises(ValueError, match="padding_mode='replicate' needs a non-empty input"):
        function(torch.zeros(1, 4, 0, 5), w4, padding=1, padding_mode="replicate")


# --- the same bad argument gets the same answer from every function ---------------------------

def call_with(function, name, value):
    """Call ``function`` on a 2-D setting (8×8 input, 3×3 kernel) with argument ``name`` set to ``value``."""
    if function in IMPLEMENTATIONS:
        return function(torch.zeros(1, 1, 8, 8), torch.ones(1, 1, 3, 3), **{name: value})
    short = {"stride": "s", "padding": "p", "dilation": "d"}[name]
    return function((8, 8), 3, **{short: value})


SIZE_FUNCTIONS = IMPLEMENTATIONS + [conv_output_size, conv_transpose_output_size, pool_output_size]


def argument_name(function, name):
    """How the argument is named in the messages: conv2d's names, arithmetic's letters with their meaning."""
    if function in IMPLEMENTATIONS:
        return name
    return {"stride": "s (stride)", "padding": "p (padding)", "dilation": "d (dilation)"}[name]


def output(result):
    return tuple(result.shape) if isinstance(result, torch.Tensor) else result


@pytest.mark.parametrize("function", SIZE_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name, value", [("stride", 2), ("padding", 1), ("dilation", 2)])
def test_one_element_tuples_and_wrong_values_are_treated_alike_everywhere(function, name, value):
    # PyTorch's rule: an int or a one-element tuple is used for every spatial dimension
    assert output(call_with(function, name, (value,))) == output(call_with(function, name, value))
    assert output(call_with(function, name, [value])) == output(call_with(function, name, (value, value)))
    label = argument_name(function, name)
    kind = "a positive int" if name != "padding" else "an int ≥ 0"
    with pytest.raises(ValueError) as wrong_length:
        call_with(function, name, (1, 1, 1))
    assert str(wrong_length.value) == (f"{label} must be {kind} or a tuple (height, width) of them, "
                                       f"got (1, 1, 1) (tuple) with 3 entries")
    for bad in (True, 2.0, (1, 1.0), "2"):
        if bad == "2" and name == "padding" and function not in (conv_transpose_output_size, pool_output_size):
            with pytest.raises(ValueError) as wrong_string:  # a string can only be 'same' or 'valid'
                call_with(function, name, bad)
            assert str(wrong_string.value) == f"{label} must be one of 'same', 'valid'; got '2' (str)"
            continue
        with pytest.raises(TypeError) as wrong_type:
            call_with(function, name, bad)
        assert str(wrong_type.value) == (f"{label} must be {kind} or a tuple (height, width) of them, "
                                         f"got {bad!r} ({type(bad).__name__})")
