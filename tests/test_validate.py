"""course_utils._validate: what each check accepts, and each refusal's type and exact message."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import _validate as v


def refusal(call, error):
    """The message of the ``error`` that ``call`` raises."""
    with pytest.raises(error) as raised:
        call()
    assert type(raised.value) is error
    return str(raised.value)


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize("value, text", [
    (3, "3 (int)"),
    ("x" * 100, "'" + "x" * 56 + "... (str)"),
    (torch.zeros(2, 3, dtype=torch.int8), "a tensor of shape (2, 3) and dtype torch.int8"),
    (np.zeros((2, 2)), "a NumPy array of shape (2, 2) and dtype float64"),
    (np.float64(2.5), "np.float64(2.5) (float64)"),  # a NumPy scalar is not an array
    (None, "None (NoneType)"),
])
def test_describe(value, text):
    assert v.describe(value) == text


# --------------------------------------------------------------------------- Python scalars


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), torch.tensor(3), torch.tensor(3, dtype=torch.uint8)])
def test_integer_accepts_whole_numbers_and_returns_a_python_int(value):
    result = v.integer("n", value)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize("value, message", [
    (2.0, "n must be an int, got 2.0 (float); write 2 (no decimal point)"),
    (2.5, "n must be an int, got 2.5 (float)"),
    (" 3 ", "n must be an int, got ' 3 ' (str); write 3 without quotes"),
    ("-3", "n must be an int, got '-3' (str); write -3 without quotes"),
    (True, "n must be an int, got True (bool)"),
    (np.bool_(True), "n must be an int, got np.True_ (bool)"),
    (torch.tensor(2.0), "n must be an int, got a tensor of shape () and dtype torch.float32"),
    (torch.tensor([2]), "n must be an int, got a tensor of shape (1,) and dtype torch.int64"),
    (None, "n must be an int, got None (NoneType)"),
])
def test_integer_refuses_what_is_not_a_whole_number(value, message):
    assert refusal(lambda: v.integer("n", value), TypeError) == message


def test_integer_range():
    assert v.integer("n", 2, minimum=2, maximum=2) == 2
    assert refusal(lambda: v.integer("n", 1, minimum=2), ValueError) == "n must be an int of at least 2, got 1"
    assert refusal(lambda: v.integer("n", 9, maximum=5), ValueError) == "n must be an int of at most 5, got 9"
    assert refusal(lambda: v.positive_int("n", 0), ValueError) == "n must be a positive int, got 0"
    assert refusal(lambda: v.positive_int("n", 6, maximum=5), ValueError) == \
        "n must be a positive int of at most 5, got 6"
    assert refusal(lambda: v.positive_int("n", 1.0), TypeError) == \
        "n must be a positive int, got 1.0 (float); write 1 (no decimal point)"
    assert v.non_negative_int("n", 0) == 0
    assert refusal(lambda: v.non_negative_int("n", -1), ValueError) == "n must be an int ≥ 0, got -1"


def test_boolean():
    assert v.boolean("flag", True) is True and v.boolean("flag", False) is False
    assert refusal(lambda: v.boolean("flag", "False"), TypeError) == "flag must be True or False, got 'False' (str)"
    assert refusal(lambda: v.boolean("flag", 0), TypeError) == "flag must be True or False, got 0 (int)"


def test_number():
    assert v.number("lr", 1) == 1.0 and type(v.number("lr", 1)) is float
    assert v.number("lr", np.float32(0.5)) == 0.5
    assert v.number("lr", 0, minimum=0) == 0.0
    assert refusal(lambda: v.number("lr", "0.1"), TypeError) == "lr must be a number, got '0.1' (str)"
    assert refusal(lambda: v.number("lr", True), TypeError) == "lr must be a number, got True (bool)"
    assert refusal(lambda: v.number("lr", float("nan")), ValueError) == "lr must be a finite number, got nan"
    assert refusal(lambda: v.number("lr", float("inf")), ValueError) == "lr must be a finite number, got inf"
    assert refusal(lambda: v.number("lr", 0, minimum=0, exclusive_minimum=True), ValueError) == \
        "lr must be greater than 0, got 0.0"
    assert refusal(lambda: v.number("lr", -1, minimum=0), ValueError) == "lr must be at least 0, got -1.0"
    assert refusal(lambda: v.number("lr", 2, maximum=1), ValueError) == "lr must be at most 1, got 2.0"


def test_one_of():
    assert v.one_of("mode", "max", ("max", "avg")) == "max"
    assert refusal(lambda: v.one_of("mode", "Max", ("max", "avg")), ValueError) == \
        "mode must be one of 'max', 'avg'; got 'Max' (str)"
    assert refusal(lambda: v.one_of("x", 3, (1, 2)), ValueError) == "x must be one of 1, 2; got 3 (int)"
    # a value of no choice's type is the wrong kind: a TypeError with the same message
    assert refusal(lambda: v.one_of("x", True, (1, 2)), TypeError) == "x must be one of 1, 2; got True (bool)"
    assert refusal(lambda: v.one_of("mode", None, ("max",)), TypeError) == \
        "mode must be one of 'max'; got None (NoneType)"
    assert refusal(lambda: v.one_of("mode", torch.zeros(2), ("max",)), TypeError) == \
        "mode must be one of 'max'; got a tensor of shape (2,) and dtype torch.float32"


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize("value, expected", [
    (2, (2, 2)), ((2,), (2, 2)), ([2], (2, 2)), ((2, 3), (2, 3)), ([2, 3], (2, 3)), (torch.Size([2, 3]), (2, 3)),
    (np.int64(2), (2, 2)), ((np.int64(2), 3), (2, 3)),
])
def test_sizes_accepts_an_int_or_one_entry_per_dimension(value, expected):
    result = v.sizes("stride", value, 2, minimum=1)
    assert result == expected and all(type(entry) is int for entry in result)


@pytest.mark.parametrize("value, error, message", [
    ((1, 2, 3), ValueError, "stride must be a positive int or a tuple (height, width) of them, got (1, 2, 3) (tuple) "
                            "with 3 entries"),
    ((), ValueError, "stride must be a positive int or a tuple (height, width) of them, got () (tuple) with 0 entries"),
    ("2", TypeError, "stride must be a positive int or a tuple (height, width) of them, got '2' (str)"),
    (2.0, TypeError, "stride must be a positive int or a tuple (height, width) of them, got 2.0 (float)"),
    ((2, True), TypeError, "stride must be a positive int or a tuple (height, width) of them, got (2, True) (tuple)"),
    (0, ValueError, "stride must be a positive int, got 0"),
    ((1, 0), ValueError, "stride must be a positive int in every dimension, got (1, 0)"),
])
def test_sizes_refusals(value, error, message):
    assert refusal(lambda: v.sizes("stride", value, 2, minimum=1), error) == message


def test_sizes_in_other_dimensions_and_minimums():
    assert v.sizes("k", 3, 3, minimum=1) == (3, 3, 3)
    assert refusal(lambda: v.sizes("k", (1, 2), 3, minimum=1), ValueError) == \
        "k must be a positive int or a tuple of 3 of them, got (1, 2) (tuple) with 2 entries"
    assert refusal(lambda: v.sizes("padding", (0, -1), 2), ValueError) == \
        "padding must be an int ≥ 0 in every dimension, got (0, -1)"


def test_spatial_sizes_takes_the_dimensions_from_the_first_longer_tuple():
    assert v.spatial_sizes([("i", 8, 1), ("s", 2, 1), ("p", 0, 0)]) == (None, [(8,), (2,), (0,)])
    assert v.spatial_sizes([("i", (8, 9), 1), ("s", (2,), 1), ("p", 1, 0)]) == (2, [(8, 9), (2, 2), (1, 1)])
    assert v.spatial_sizes([("i", 8, 1), ("s", (2,), 1)]) == (1, [(8,), (2,)])
    assert v.spatial_sizes([("i", 8, 1), ("k", (3, 3, 3), 1)]) == (3, [(8, 8, 8), (3, 3, 3)])
    assert refusal(lambda: v.spatial_sizes([("i", (8, 8), 1), ("s", (1, 1, 1), 1)]), ValueError) == \
        "s must be a positive int or a tuple (height, width) of them, got (1, 1, 1) (tuple) with 3 entries"
    # with ints only, the message (and the fix) is integer's
    assert refusal(lambda: v.spatial_sizes([("i", 8, 1), ("s", 2.0, 1)]), TypeError) == \
        "s must be a positive int, got 2.0 (float); write 2 (no decimal point)"
    assert refusal(lambda: v.spatial_sizes([("i", 8, 1), ("p", -1, 0)]), ValueError) == "p must be an int ≥ 0, got -1"


def test_per_layer():
    assert v.per_layer("kernel_sizes", [3, 5]) == (3, 5)
    assert v.per_layer("strides", 2, layers=3) == (2, 2, 2)
    assert v.per_layer("strides", [2], layers=3) == (2, 2, 2)
    assert v.per_layer("strides", (1, 2, 1), layers=3) == (1, 2, 1)
    assert v.per_layer("paddings", [0, 1], minimum=0) == (0, 1)
    assert refusal(lambda: v.per_layer("kernel_sizes", 3), TypeError) == \
        "kernel_sizes must be a list or tuple of positive ints, one per layer, got 3 (int)"
    assert refusal(lambda: v.per_layer("paddings", "01", minimum=0), TypeError) == \
        "paddings must be a list or tuple of ints ≥ 0, one per layer, got '01' (str)"
    assert refusal(lambda: v.per_layer("kernel_sizes", []), ValueError) == \
        "kernel_sizes must have at least one entry (one per layer), got [] (list)"
    assert refusal(lambda: v.per_layer("kernel_sizes", [3, 0]), ValueError) == \
        "kernel_sizes[1] must be a positive int, got 0"
    assert refusal(lambda: v.per_layer("strides", [1, 2], layers=3), ValueError) == \
        "strides must be a positive int or a list of 3 of them (one per layer), got [1, 2] (list) with 2 entries"
    assert refusal(lambda: v.per_layer("strides", 1.5, layers=3), TypeError) == \
        "strides must be a positive int, got 1.5 (float)"


# --------------------------------------------------------------------------- objects


def test_instance_and_module():
    assert v.instance("loader", {}, dict, "a dict") == {}
    assert refusal(lambda: v.instance("loader", [1], dict, "a dict", fix="wrap it"), TypeError) == \
        "loader must be a dict, got [1] (list); wrap it"
    layer = nn.Linear(2, 2)
    assert v.module("model", layer) is layer
    assert refusal(lambda: v.module("model", nn.Linear), TypeError) == \
        "model must be an nn.Module instance, got the class Linear itself; create one first: model=Linear()"
    assert refusal(lambda: v.module("model", 3), TypeError) == "model must be an nn.Module, got 3 (int)"
    assert refusal(lambda: v.module("module", layer, (nn.RNN, nn.LSTM), "an nn.RNN or nn.LSTM"), TypeError) == \
        "module must be an nn.RNN or nn.LSTM, got Linear(in_features=2, out_features=2, bias=True) (Linear)"


# --------------------------------------------------------------------------- tensors


def test_tensor_accepts_and_returns_the_tensor():
    x = torch.zeros(2, 3)
    assert v.tensor("x", x, ndim=(2, 3), dtype="floating", layout="(N, C)", nonempty=True, finite=True) is x
    assert v.tensor("t", torch.zeros(2, dtype=torch.int32), dtype="integer") is not None
    assert v.tensor("x", torch.zeros(2, dtype=torch.float64), dtype=torch.float64) is not None


@pytest.mark.parametrize("call, error, message", [
    (lambda: v.tensor("x", np.zeros((2, 3))), TypeError,
     "x must be a torch.Tensor, got a NumPy array of shape (2, 3) and dtype float64; "
     "convert a NumPy array with torch.from_numpy(a).float()"),
    (lambda: v.tensor("x", [1, 2]), TypeError, "x must be a torch.Tensor, got [1, 2] (list); "
                                               "convert it with torch.tensor(...)"),
    (lambda: v.tensor("x", 3, layout="(N, C)"), TypeError, "x must be a torch.Tensor (N, C), got 3 (int)"),
    (lambda: v.tensor("x", torch.zeros(2), ndim=(3, 4), layout="(N, C, H, W) or (C, H, W)"), ValueError,
     "x must be 3-D or 4-D (N, C, H, W) or (C, H, W), got shape (2,)"),
    (lambda: v.tensor("x", torch.zeros(2, 3), ndim=3), ValueError,
     "x must be 3-D, got shape (2, 3); one sample? add a batch dimension with .unsqueeze(0)"),
    (lambda: v.tensor("targets", torch.zeros(2), dtype="integer"), TypeError,
     "targets must have an integer dtype (e.g. torch.int64), got torch.float32; "
     "class indices are whole numbers: use .long()"),
    (lambda: v.tensor("x", torch.zeros(2, dtype=torch.uint8), dtype="floating"), TypeError,
     "x must have a floating-point dtype (e.g. torch.float32), got torch.uint8; "
     "convert with .float() (and scale 0-255 pixels to [0, 1] first)"),
    (lambda: v.tensor("x", torch.zeros(2, dtype=torch.bool), dtype="real"), TypeError,
     "x must have a real dtype (not bool or complex), got torch.bool; convert with .float()"),
    (lambda: v.tensor("x", torch.zeros(2, dtype=torch.complex64), dtype="real"), TypeError,
     "x must have a real dtype (not bool or complex), got torch.complex64"),
    (lambda: v.tensor("x", torch.zeros(2), dtype=torch.float64), TypeError,
     "x must have dtype torch.float64, got torch.float32; convert with .to(torch.float64)"),
    (lambda: v.tensor("x", torch.zeros(0, 3), nonempty=True), ValueError,
     "x is empty (shape (0, 3)); there is nothing to compute"),
    (lambda: v.tensor("x", torch.tensor([1.0, float("inf")]), finite=True), ValueError,
     "x contains NaN or infinite values; check how it was computed"),
])
def test_tensor_refusals(call, error, message):
    assert refusal(call, error) == message


def test_same_dtype_and_device():
    a, b = torch.zeros(1), torch.zeros(1)
    assert v.same_dtype(a=a, b=b, c=None) == torch.float32
    assert v.same_device(a=a, b=b, c=None) == torch.device("cpu")
    assert refusal(lambda: v.same_dtype(a=a, b=None, c=torch.zeros(1, dtype=torch.float64)), TypeError) == \
        "a, c must have the same dtype, but a is torch.float32, c is torch.float64; convert them, e.g. c.to(a.dtype)"
    # the fix converts the odd one out to the dtype most arguments share
    assert refusal(lambda: v.same_dtype(w=b.double(), x=a, h=b), TypeError).endswith("e.g. w.to(x.dtype)")
    assert refusal(lambda: v.same_device(a=a, b=torch.zeros(1, device="meta")), ValueError) == \
        "a, b must be on the same device, but a is on cpu, b is on meta; move them with .to(device)"


# --------------------------------------------------------------------------- models


def conv():
    return nn.Conv2d(1, 2, 3)


def test_model_input_accepts_and_returns_the_input():
    x = torch.zeros(2, 1, 5, 5)
    assert v.model_input(conv(), x, "(N, 1, H, W)", channels=1, min_size=3) is x
    assert v.model_input(conv().double(), x.double(), "(N, 1, H, W)") is not None
    assert v.model_input(nn.ReLU(), x, "(N, C, H, W)") is x  # no parameters: the default dtype


def test_model_input_accepts_autocast_activations_but_not_other_dtypes():
    x = torch.zeros(2, 1, 5, 5, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert v.model_input(conv(), x, "(N, 1, H, W)") is x
        with pytest.raises(TypeError, match="torch.float64"):
            v.model_input(conv(), x.double(), "(N, 1, H, W)")
    with pytest.raises(TypeError, match="torch.bfloat16 but the model's weights are torch.float32"):
        v.model_input(conv(), x, "(N, 1, H, W)")


@pytest.mark.parametrize("x, kwargs, error, message", [
    (torch.zeros(3, 1, 5, 5, dtype=torch.float64), {}, TypeError,
     "Conv2d's input has dtype torch.float64 but the model's weights are torch.float32; convert the input with "
     "x.to(torch.float32) (NumPy arrays are float64: torch.from_numpy(a).float()), or the model with "
     "model.to(torch.float64)"),
    (torch.zeros(3, 1, 5, 5, dtype=torch.uint8), {}, TypeError,
     "Conv2d's input has dtype torch.uint8 but the model's weights are torch.float32; "
     "convert with x.float() (and scale 0-255 pixels to [0, 1] first)"),
    (torch.zeros(1, 3, 5, 5), dict(channels=1), ValueError,
     "Conv2d's input must have 1 channel(s) in dimension 1 of (N, 1, H, W), got shape (1, 3, 5, 5); channels "
     "come second "
     "(use x.permute(0, 3, 1, 2) for (N, H, W, C) images)"),
    (torch.zeros(1, 1, 2, 5), dict(min_size=3), ValueError,
     "Conv2d needs images of at least 3×3 pixels, got 2×5; resize or pad the image"),
    (torch.zeros(0, 1, 5, 5), {}, ValueError,
     "Conv2d's input is empty (shape (0, 1, 5, 5)); every dimension of (N, 1, H, W) needs at least one entry"),
    (torch.zeros(1, 5, 5), {}, ValueError,
     "Conv2d's input must be 4-D (N, 1, H, W), got shape (1, 5, 5); one sample? add a batch dimension with "
     ".unsqueeze(0)"),
    (np.zeros((1, 1, 5, 5)), {}, TypeError,
     "Conv2d's input must be a torch.Tensor (N, 1, H, W), got a NumPy array of shape (1, 1, 5, 5) and dtype "
     "float64; convert a NumPy array with torch.from_numpy(a).float()"),
])
def test_model_input_refusals(x, kwargs, error, message):
    assert refusal(lambda: v.model_input(conv(), x, "(N, 1, H, W)", **kwargs), error) == message


def test_input_channels():
    x = torch.zeros(1, 3, 5, 5)
    assert v.input_channels(conv(), x[:, :1], 1) is not None
    assert refusal(lambda: v.input_channels(conv(), x, 1), ValueError) == (
        "Conv2d was built with in_channels=1 but the input has 3 channels (shape (1, 3, 5, 5)); channels come "
        "second in (N, C, H, W) (for (N, H, W, C) images use x.permute(0, 3, 1, 2)), or build it with "
        "Conv2d(in_channels=3)")


# --------------------------------------------------------------------------- added for the bad-input suite


def test_fits_in_memory_refuses_before_allocating():
    v.fits_in_memory("padding", 3, 10**6, "the padded input")  # 4 MB: fine anywhere
    message = refusal(lambda: v.fits_in_memory("padding", 2**40, 2**84, "the padded input"), ValueError)
    assert message.startswith("padding=1099511627776 would make the padded input of ")
    assert "more than this computer's memory" in message and message.endswith("use a smaller padding")


def test_parameters_fit_names_every_argument():
    v.parameters_fit("Net", 1000, {"width": 10})
    message = refusal(lambda: v.parameters_fit("Net", 2**60, {"width": 2**30, "depth": 2}), ValueError)
    assert message.startswith("Net(width=1073741824, depth=2) would have 1,152,921,504,606,846,976 parameters")


@pytest.mark.parametrize("value, error, message", [
    ("big", TypeError, "figsize must be None or (width, height) in inches, got 'big' (str)"),
    ((4,), ValueError, "figsize must be (width, height) in inches, two numbers, got (4,) (tuple) with 1"),
    ((4, 0), ValueError, "figsize must be greater than 0, got 0.0"),
    ((4, True), TypeError, "figsize must be a number, got True (bool)"),
    ((1000, 3), ValueError, "figsize=(1000, 3) inches would be 100,000×300 pixels at 100 dpi; keep each side "
                            "under 65,536 pixels"),
])
def test_figure_size(value, error, message):
    assert v.figure_size("figsize", (4, 3), 100) == (4.0, 3.0)
    assert refusal(lambda: v.figure_size("figsize", value, 100), error) == message


def test_image_dpi():
    assert v.image_dpi("dpi", 72, (4, 3)) == 72
    assert refusal(lambda: v.image_dpi("dpi", 2**20, (4, 3)), ValueError).startswith(
        "dpi=1048576 would render the 4×3-inch figure at 4,194,304×3,145,728 pixels")


def test_model_output_names_the_data_a_foreign_error_came_from():
    linear = nn.Linear(2, 3)
    assert v.model_output("model", linear, (torch.zeros(1, 2),), "the batch").shape == (1, 3)
    with pytest.raises(ValueError, match=r"^model failed on the batch \(a tensor of shape \(1, 5\) and dtype "
                                         r"torch.float32\): RuntimeError: mat1 and mat2 shapes") as caught:
        v.model_output("model", linear, (torch.zeros(1, 5),), "the batch")
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert refusal(lambda: v.model_output("model", linear, (torch.zeros(1, 2, dtype=torch.float64),), "the batch"),
                   TypeError).startswith("the batch (a tensor of shape (1, 2) and dtype torch.float64) do not have "
                                         "the model's dtype torch.float32")


def test_exception_class():
    assert v.exception_class("exception", ValueError) is ValueError
    assert refusal(lambda: v.exception_class("exception", ValueError("x")), TypeError) == \
        "exception must be an exception class such as ValueError, got the instance ValueError('x') (ValueError); " \
        "pass the class itself: ValueError"
    assert refusal(lambda: v.exception_class("exception", int), TypeError) == \
        "exception must be an exception class such as ValueError, got <class 'int'> (type)"
