"""The table: one :class:`Spec` per public function or model of course_utils.

Each spec says how to make a valid call and what kind each argument is; the kinds bring
the families of bad values (see ``harness``). What a spec adds by hand is only what is
particular to it: bad values of its own domain (mismatched shapes between arguments, the
training-loop mistakes) and the families that are legitimately *valid* for an argument,
each with the reason (those calls must succeed).

Inputs are tiny so that the whole table runs in seconds: 5×5 images, 2 features, 8 items.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from tempfile import gettempdir

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import course_utils
from course_utils import arithmetic, conv, data, models, repro, rnn, shapes, train, viz
from course_utils.checks import _core, _errors, _expect, _i18n

from .harness import (
    DTYPES,
    HUGE,
    Arg,
    Bad,
    Kind,
    Spec,
    boolean,
    choice,
    const,
    drop,
    int_or_tuple,
    non_negative_int,
    per_layer_ints,
    positive_int,
    real,
    tensor,
    text,
    wrong_objects,
)

# --------------------------------------------------------------------------- shared inputs


def _randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@functools.cache
def _cached(factory, *args, **kwargs):
    """One instance per factory and arguments: building a ResNet18 takes 0.4 s, and a refused call
    does not change the model (tests that could change it build their own)."""
    torch.manual_seed(0)
    return factory(*args, **kwargs)


def module_kind() -> Kind:
    """An ``nn.Module`` instance: not the class, not a function, not a list of layers."""

    return Kind(lambda: wrong_objects() + [
        const("the class nn.Linear", nn.Linear, TypeError),
        const("a function", lambda x: x, TypeError),
        const("a list of layers", [nn.Linear(2, 2)], TypeError),
    ], "an nn.Module")


def axes_kind() -> Kind:
    """A matplotlib Axes, or None for a new figure."""

    def families():
        import matplotlib.pyplot as plt

        return wrong_objects() + [
            Bad("a Figure", lambda _v: plt.figure(), TypeError),
            Bad("an array of Axes", lambda _v: plt.subplots(1, 2)[1], TypeError),
        ]

    return Kind(families, "a matplotlib Axes")


def figsize_kind() -> Kind:
    """``(width, height)`` in inches, or None."""
    return Kind(lambda: drop(wrong_objects(), "list") + [
        const("one number", 4, TypeError),
        const("three numbers", (4, 3, 2), ValueError),
        const("one entry", (4,), ValueError),
        const("zero width", (0, 3), ValueError),
        const("negative height", (4, -3), ValueError),
        const("nan", (math.nan, 3), ValueError),
        const("str entry", (4, "3"), TypeError),
        const("bool entry", (4, True), TypeError),
        const("huge", (1e6, 1e6), ValueError),  # 10**8 pixels per side: an image of 40 PB
    ], "(width, height) in inches")


def callable_kind() -> Kind:
    """A function or callable object (a transform), not a class."""
    return Kind(lambda: drop(wrong_objects(), "class") + [
        const("a class", torch.nn.Identity, TypeError),
        const("int", 3, TypeError),
    ], "a callable")


def path_kind(suffix: str) -> Kind:
    return Kind(lambda: drop(wrong_objects(), "str") + [
        const("int", 3, TypeError),
        const("wrong suffix", str(Path(gettempdir()) / "bad_input_wrong.txt"), ValueError),
        const("no suffix", str(Path(gettempdir()) / "bad_input_nothing"), ValueError),
    ], f"a path ending in {suffix}")


def device_kind() -> Kind:
    """A device that exists here: 'cpu' (or the machine's GPU)."""

    def families():
        bads = drop(wrong_objects(), "str") + [
            const("int", 0, TypeError),
            const("unknown name", "gpu", ValueError),
            const("upper case", "CPU", ValueError),
            const("a CUDA device that does not exist", "cuda:7", ValueError),
            const("meta", torch.device("meta"), ValueError),
        ]
        if not torch.cuda.is_available():  # on a machine with a GPU, 'cuda' is valid
            bads.append(const("cuda without a GPU", "cuda", ValueError))
        if not torch.backends.mps.is_available():  # on a Mac with Apple silicon, 'mps' is valid
            bads.append(const("mps without Apple silicon", "mps", ValueError))
        return bads

    return Kind(families, "a device")


def labels_kind(n: int) -> Kind:
    """Class indices, one per item: a tensor, array or list of ``n`` ints ≥ 0."""

    def families():
        bads = wrong_objects(strings=True) + [
            const("float tensor", torch.zeros(n), TypeError),
            const("2-D", torch.zeros(n, 1, dtype=torch.long), ValueError),
            const("logits", torch.zeros(n, 3), TypeError),
            const("negative", torch.full((n,), -1), ValueError),
            const("too short", torch.zeros(n - 1, dtype=torch.long), ValueError),
            const("bool tensor", torch.zeros(n, dtype=torch.bool), TypeError),
            const("list of str", ["cat"] * n, TypeError),
            const("ragged", [[0], [1, 2]], ValueError),
        ]
        return drop(bads, "list")  # [1, 2] is a valid list of labels for two items

    return Kind(families, "class indices")


def class_names_kind() -> Kind:
    return Kind(lambda: drop(wrong_objects(), "list") + [
        const("one str", "0123456789", TypeError),
        const("int", 10, TypeError),
        const("too few names", ["zero"], ValueError),
    ], "a list of class names")


# --------------------------------------------------------------------------- course_utils.device, repro, shapes

SPECS: list[Spec] = []

#: Public callables that take no argument at all: a wrong call is Python's own TypeError.
NO_ARGUMENTS = {
    "course_utils.device": course_utils.device,
    "course_utils.viz.graphviz_available": viz.graphviz_available,
    "course_utils.viz.numerical_example": viz.numerical_example,
    "course_utils.checks.get_language": _i18n.get_language,
    "course_utils.checks.exercises": _core.exercises,
    "course_utils.checks.all_templates": _i18n.all_templates,
}

#: Public classes that learners never construct or call: the package builds them and returns them,
#: or raises them (checker code raises NotAttempted and WrongForm, which take any message, like
#: every Exception).
RESULTS = {
    "course_utils.checks.NotAttempted": "raised by checker code: 'not attempted yet'",
    "course_utils.checks.WrongForm": "raised by checker code: 'the answer has the wrong form'",
    "course_utils.shapes.ShapeRow": "a row of the table trace_shapes returns",
    "course_utils.shapes.ShapeTable": "what trace_shapes returns",
    "course_utils.shapes.ShapeTraceError": "the error trace_shapes raises",
    "course_utils.data.DataFileError": "the error the data functions raise",
    "course_utils.data.MNISTSubset": "what mnist_subset returns (its constructor takes the checked split)",
    "course_utils.data.MNISTLoaders": "the named tuple mnist_loaders returns",
    "course_utils.train.History": "what fit returns",
    "course_utils.viz.ConvScene": "what conv_scene, conv_transpose_scene and pool_scene return",
    "course_utils.viz.SourceCode": "what show_source returns",
    "course_utils.viz.ReceptiveFieldScene": "what receptive_field_scene returns",
    "course_utils.viz.ScatterScene": "what conv_transpose_scatter_scene returns",
    "course_utils.checks.Verdict": "what checker.verdict(...) returns",
}

SPECS.append(Spec(
    ("course_utils.repro.seed_everything",), repro.seed_everything, lambda: {"seed": 0},
    [Arg("seed", non_negative_int(), extra=[const("2**32, past NumPy's range", 2**32, ValueError)])],
    after=lambda: repro.seed_everything(0),
))


def _tiny_cnn():
    return _cached(models.DynamicCNN, in_channels=1, num_classes=2, channels=(2,))


SPECS.append(Spec(
    ("course_utils.shapes.trace_shapes",),
    lambda model, input, depth, train: shapes.trace_shapes(model, input, depth=depth, train=train),
    lambda: {"model": _tiny_cnn(), "input": torch.zeros(1, 1, 5, 5), "depth": None, "train": False},
    [
        Arg("model", module_kind()),
        # the model judges its input; trace_shapes reports the layer that failed (ShapeTraceError)
        Arg("input", tensor((4,)), ok={"NaN": "the model computes NaN, as it would outside trace_shapes"}),
        Arg("depth", positive_int(), ok={"None": "every leaf module (the default)",
                                         "huge": "deeper than the model: every leaf module"}),
        Arg("train", boolean()),
    ],
    raises=(shapes.ShapeTraceError,),
))

SPECS.append(Spec(
    ("course_utils.shapes.describe_shape",), shapes.describe_shape, lambda: {"value": torch.zeros(2)},
    [Arg("value", Kind(wrong_objects, "anything"),
         ok={label: "describe_shape describes any value, e.g. 'NoneType' or 'dict'"
             for label in ("None", "str", "list", "dict", "object", "class")})],
))

# --------------------------------------------------------------------------- arithmetic

_SIZE_OK = {"huge": "pure arithmetic on Python ints: a huge size has a huge (right) answer",
            "tuple too long": "a 3-tuple means 3 spatial dimensions (Conv3d); the ints apply to each"}


def _size_arg(name, says, minimum, ok=None):
    return Arg(name, int_or_tuple(minimum), says=(says,), ok={**_SIZE_OK, **(ok or {})})


SPECS.append(Spec(
    ("course_utils.arithmetic.conv_output_size",), arithmetic.conv_output_size,
    lambda: {"i": 28, "k": 3, "s": 1, "p": 1, "d": 1},
    [
        _size_arg("i", "i (input size)", 1),
        Arg("k", int_or_tuple(1), says=("k (kernel size)",), ok={"tuple too long": _SIZE_OK["tuple too long"]}),
        _size_arg("s", "s (stride)", 1),
        Arg("p", int_or_tuple(0, words=True), says=("p (padding)",), ok=_SIZE_OK),
        Arg("d", int_or_tuple(1), says=("d (dilation)", "dilation d"),
            ok={"tuple too long": _SIZE_OK["tuple too long"]}),
    ],
))

SPECS.append(Spec(
    ("course_utils.arithmetic.conv_transpose_output_size",), arithmetic.conv_transpose_output_size,
    lambda: {"i": 7, "k": 4, "s": 2, "p": 1, "output_padding": 0, "d": 1},
    [
        _size_arg("i", "i (input size)", 1),
        _size_arg("k", "k (kernel size)", 1),
        _size_arg("s", "s (stride)", 1),
        Arg("p", int_or_tuple(0), says=("p (padding)",), ok={"tuple too long": _SIZE_OK["tuple too long"]}),
        Arg("output_padding", int_or_tuple(0)),  # 3 is not below the stride 2: refused in every length
        _size_arg("d", "d (dilation)", 1),
    ],
))

SPECS.append(Spec(
    ("course_utils.arithmetic.pool_output_size",), arithmetic.pool_output_size,
    lambda: {"i": 28, "k": 2, "s": None, "p": 0, "d": 1, "ceil_mode": False},
    [
        _size_arg("i", "i (input size)", 1),
        Arg("k", int_or_tuple(1), says=("k (kernel size)",), ok={"tuple too long": _SIZE_OK["tuple too long"]}),
        _size_arg("s", "s (stride)", 1, ok={"None": "stride = kernel size (the default)"}),
        Arg("p", int_or_tuple(0), says=("p (padding)",)),  # 3 is more than k//2 = 1: refused in every length
        Arg("d", int_or_tuple(1), says=("d (dilation)", "dilation d"),
            ok={"tuple too long": _SIZE_OK["tuple too long"]}),
        Arg("ceil_mode", boolean()),
    ],
))

_ONE_INT_PER_LAYER = "one int is used for every layer"
SPECS.append(Spec(
    ("course_utils.arithmetic.receptive_field",), arithmetic.receptive_field,
    lambda: {"kernel_sizes": [3, 3], "strides": [2, 1], "dilations": 1},
    [
        Arg("kernel_sizes", per_layer_ints()),
        Arg("strides", per_layer_ints(), ok={"int instead of a list": _ONE_INT_PER_LAYER},
            extra=[const("one entry too many", [1, 1, 1], ValueError)]),
        Arg("dilations", per_layer_ints(), ok={"int instead of a list": _ONE_INT_PER_LAYER}),
    ],
))

# --------------------------------------------------------------------------- conv

_NAN_CONV = "a convolution of NaN is NaN, as with F.conv2d"


def _conv_valid():
    return {"input": _randn(1, 2, 5, 5), "weight": _randn(4, 2, 3, 3, seed=1), "bias": _randn(4, seed=2),
            "stride": 1, "padding": 0, "dilation": 1, "groups": 1, "padding_mode": "zeros"}


def _conv_args():
    return [
        Arg("input", tensor((3, 4)), ok={"NaN": _NAN_CONV, "empty": "an empty batch gives an empty batch, "
                                                                   "as with F.conv2d"},
            extra=[Bad("3 channels for weight's 2", lambda v: _randn(1, 3, 5, 5), ValueError),
                   Bad("channels last", lambda v: v.permute(0, 2, 3, 1).contiguous(), ValueError),
                   Bad("smaller than the kernel", lambda v: v[..., :2, :2], ValueError)]),
        Arg("weight", tensor((4,)), ok={"NaN": _NAN_CONV},
            extra=[Bad("2-D kernel", lambda v: v[0, 0], ValueError)]),
        Arg("bias", tensor((1,)), ok={"None": "no bias, as with F.conv2d", "NaN": _NAN_CONV},
            extra=[Bad("one entry too many", lambda v: torch.zeros(5), ValueError)]),
        Arg("stride", int_or_tuple(1), ok={"huge": "one window per side: a 1×1 output, as with F.conv2d"}),
        Arg("padding", int_or_tuple(0, words=True)),
        Arg("dilation", int_or_tuple(1)),
        Arg("groups", positive_int(), extra=[const("not a divisor of the channels", 3, ValueError)]),
        Arg("padding_mode", choice(conv.PADDING_MODES)),
    ]


def _all(dtype):
    return lambda kw: {**kw, "input": kw["input"].to(dtype), "weight": kw["weight"].to(dtype),
                       "bias": kw["bias"].to(dtype)}


for _name in ("conv2d_loops", "conv2d_unfold"):
    SPECS.append(Spec(
        (f"course_utils.conv.{_name}",), getattr(conv, _name), _conv_valid, _conv_args(),
        accepts=[("all float64", "input, weight and bias agree: computed in float64", _all(torch.float64)),
                 ("all int64", "integer tensors convolve exactly (F.conv2d has no CPU kernel for them)",
                  _all(torch.int64))],
    ))

# --------------------------------------------------------------------------- rnn

_NAN_RNN = "NaN in, NaN out, as with nn.RNNCell"


def _cell_valid(gates):
    h = 4
    return {"input": _randn(2, 3), "hx": _randn(2, h, seed=1), "weight_ih": _randn(gates * h, 3, seed=2),
            "weight_hh": _randn(gates * h, h, seed=3), "bias_ih": _randn(gates * h, seed=4),
            "bias_hh": _randn(gates * h, seed=5)}


def _cell_args(hx: Arg, gates: int):
    transposed = [Bad("transposed", lambda v: v.T.contiguous(), ValueError)] if gates > 1 else []  # (H, H) is square
    return [
        Arg("input", tensor((1, 2)), ok={"NaN": _NAN_RNN},
            extra=[Bad("one feature too many", lambda v: torch.zeros(2, 4), ValueError),
                   Bad("a sequence (L, N, I)", lambda v: v.unsqueeze(0).repeat(5, 1, 1), ValueError)]),
        hx,
        Arg("weight_ih", tensor((2,)), ok={"NaN": _NAN_RNN},
            extra=[Bad("rows not a multiple of the gates", lambda v: v[:-1], ValueError)]),
        Arg("weight_hh", tensor((2,)), ok={"NaN": _NAN_RNN}, extra=transposed),
        Arg("bias_ih", tensor((1,)), ok={"None": "no bias, as with bias=False", "NaN": _NAN_RNN},
            extra=[Bad("one entry short", lambda v: v[:-1], ValueError)]),
        Arg("bias_hh", tensor((1,)), ok={"None": "no bias, as with bias=False", "NaN": _NAN_RNN},
            extra=[Bad("one entry short", lambda v: v[:-1], ValueError)]),
    ]


def _hx_arg():
    return Arg("hx", tensor((1, 2)), ok={"NaN": _NAN_RNN},
               extra=[Bad("batch of 3 for input's 2", lambda v: torch.zeros(3, 4), ValueError),
                      Bad("one feature too many", lambda v: torch.zeros(2, 5), ValueError)])


SPECS.append(Spec(
    ("course_utils.rnn.rnn_cell",), rnn.rnn_cell, lambda: {**_cell_valid(1), "nonlinearity": "tanh"},
    _cell_args(_hx_arg(), 1) + [Arg("nonlinearity", choice(("tanh", "relu")))],
))
SPECS.append(Spec(
    ("course_utils.rnn.gru_cell",), rnn.gru_cell, lambda: {**_cell_valid(3), "reset_after": True},
    _cell_args(_hx_arg(), 3) + [Arg("reset_after", boolean())],
))


def _lstm_hx_kind():
    return Kind(lambda: drop(wrong_objects(), "list") + [
        Bad("one tensor", lambda v: v[0], TypeError),
        Bad("three tensors", lambda v: (v[0], v[1], v[1]), ValueError),
        Bad("h not a tensor", lambda v: (1.0, v[1]), TypeError),
        Bad("c of rank 1", lambda v: (v[0], v[1][0]), ValueError),
        Bad("c one feature short", lambda v: (v[0], v[1][:, :-1]), ValueError),
        Bad("c float64", lambda v: (v[0], v[1].double()), TypeError),
        Bad("h int64", lambda v: (v[0].long(), v[1]), TypeError),
    ], "a pair (h, c)")


def _projection_kind():
    """weight_hr: its valid value is None (no projection), so the bad ones are built outright."""
    return Kind(lambda: drop(wrong_objects(), "list") + [
        const("float", 3.0, TypeError),
        const("NumPy array", torch.zeros(4, 4).numpy(), TypeError),
        const("rank 1", torch.zeros(4), ValueError),
        const("float64", torch.zeros(4, 4, dtype=torch.float64), TypeError),
        const("int64", torch.zeros(4, 4, dtype=torch.int64), TypeError),
        const("projection of the wrong width", torch.zeros(3, 5), ValueError),
    ], "a projection (P, H) or None")


SPECS.append(Spec(
    ("course_utils.rnn.lstm_cell",), rnn.lstm_cell,
    lambda: {**_cell_valid(4), "hx": (_randn(2, 4, seed=1), _randn(2, 4, seed=6)), "weight_hr": None},
    _cell_args(Arg("hx", _lstm_hx_kind()), 4) + [
        Arg("weight_hr", _projection_kind(), ok={"None": "no projection (proj_size=0)"}),
    ],
))
def _gru_module():
    torch.manual_seed(0)
    return nn.GRU(3, 4)


def _lstm_module():
    torch.manual_seed(0)
    return nn.LSTM(3, 4)


def _run_rnn_module_kind():
    return Kind(lambda: module_kind().bads() + [
        const("the class nn.GRU", nn.GRU, TypeError),
        Bad("a GRUCell", lambda v: nn.GRUCell(3, 4), TypeError),
        Bad("dropout in training mode", lambda v: nn.GRU(3, 4, num_layers=2, dropout=0.5), ValueError),
        Bad("4 input features for 3", lambda v: nn.GRU(4, 4), ValueError),
        Bad("float64 weights", lambda v: nn.GRU(3, 4).double(), TypeError),
    ], "an nn.RNN, nn.GRU or nn.LSTM")


SPECS.append(Spec(
    ("course_utils.rnn.run_rnn",), rnn.run_rnn,
    lambda: {"module": _gru_module(), "input": _randn(5, 2, 3), "hx": torch.zeros(1, 2, 4)},
    [
        Arg("module", _run_rnn_module_kind()),
        Arg("input", tensor((2, 3)), ok={"NaN": _NAN_RNN},
            extra=[Bad("a PackedSequence", lambda v: nn.utils.rnn.pack_padded_sequence(v, [5, 4]), TypeError),
                   Bad("no time steps", lambda v: v[:0], ValueError)]),
        Arg("hx", tensor((2, 3)), ok={"None": "zeros, as with the module", "NaN": _NAN_RNN},
            extra=[Bad("batch first (N, layers, H)", lambda v: v.transpose(0, 1).contiguous(), ValueError),
                   Bad("a pair (h, c) for a GRU", lambda v: (v, v), TypeError)]),
    ],
))
SPECS.append(Spec(
    ("course_utils.rnn.run_rnn",), rnn.run_rnn,
    lambda: {"module": _lstm_module(), "input": _randn(5, 2, 3), "hx": (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4))},
    [Arg("hx", _lstm_hx_kind(), ok={"None": "zeros, as with the module"})],
))

# --------------------------------------------------------------------------- models: constructors


def _constructor(name, cls, valid, args):
    SPECS.append(Spec((f"course_utils.models.{name}",), cls, valid, args))


_constructor("DynamicCNN", models.DynamicCNN,
             lambda: {"in_channels": 1, "num_classes": 2, "channels": (2,), "kernel_size": 3},
             [Arg("in_channels", positive_int()), Arg("num_classes", positive_int()),
              Arg("channels", per_layer_ints(), extra=[const("a huge layer", [HUGE], ValueError)]),
              Arg("kernel_size", positive_int())])
_constructor("DynamicLSTM", models.DynamicLSTM,
             lambda: {"input_size": 3, "hidden_size": 4, "output_size": 2, "num_layers": 1, "cell": "lstm",
                      "bidirectional": False, "vocab_size": None},
             [Arg("input_size", positive_int()), Arg("hidden_size", positive_int()),
              Arg("output_size", positive_int()), Arg("num_layers", positive_int()),
              Arg("cell", choice(("lstm", "gru"))), Arg("bidirectional", boolean()),
              Arg("vocab_size", positive_int(), ok={"None": "float features, no embedding (the default)"})])
_constructor("BasicBlock", models.BasicBlock, lambda: {"in_channels": 4, "out_channels": 4, "stride": 1},
             [Arg("in_channels", positive_int()), Arg("out_channels", positive_int()),
              Arg("stride", positive_int(), ok={"huge": "a stride larger than the image keeps one pixel, "
                                                        "as with nn.Conv2d"})])
_constructor("ResNet18", models.ResNet18, lambda: {"num_classes": 10, "in_channels": 1, "zero_init_residual": False},
             [Arg("num_classes", positive_int()), Arg("in_channels", positive_int()),
              Arg("zero_init_residual", boolean())])
_constructor("ResNet18", models.ResNet18, lambda: {"block": models.BasicBlock},
             [Arg("block", Kind(lambda: wrong_objects() + [
                 const("a block object", models.BasicBlock(4, 4), TypeError),
                 const("a class that is no nn.Module", int, TypeError)], "an nn.Module class"))])
_constructor("LinearBlock", models.LinearBlock, lambda: {"width": 4, "shortcut": True, "batch_norm": True},
             [Arg("width", positive_int()), Arg("shortcut", boolean()), Arg("batch_norm", boolean())])
_constructor("DeepMLP", models.DeepMLP,
             lambda: {"depth": 4, "width": 4, "shortcut": True, "batch_norm": True, "zero_init_residual": False,
                      "in_features": 6, "num_classes": 3},
             [Arg("depth", positive_int(), extra=[const("odd", 5, ValueError), const("one layer", 1, ValueError)]),
              Arg("width", positive_int()), Arg("shortcut", boolean()), Arg("batch_norm", boolean()),
              Arg("zero_init_residual", boolean()), Arg("in_features", positive_int()),
              Arg("num_classes", positive_int())])
for _name in ("CombinedModel", "RowRecurrentModel"):
    _constructor(_name, getattr(models, _name), lambda: {"num_classes": 10},
                 [Arg("num_classes", positive_int(), says=("num_classes",),
                      extra=[const("one class", 1, ValueError)])])

# --------------------------------------------------------------------------- models: forward


_NAN_MODEL = {"NaN": "the model computes NaN from NaN, as any nn.Module"}


def _forward(name, make_model, x, kind, *, extra=(), ok=None, says=None):
    """``model(x)`` for a bad ``x``; the message must name the model's input."""
    SPECS.append(Spec(
        (f"course_utils.models.{name}",), lambda model, x: model(x),
        lambda: {"model": make_model(), "x": x()},
        [Arg("x", kind, says=says or ("input", "images"),  # the docs' names: "Input: (N, C, H, W)", images
             extra=list(extra), ok=_NAN_MODEL if ok is None else ok)],
    ))


_forward("DynamicCNN", _tiny_cnn, lambda: torch.zeros(2, 1, 5, 5), tensor((4,)),
         extra=[const("too small", torch.zeros(2, 1, 2, 2), ValueError),
                const("channels last", torch.zeros(2, 5, 5, 1), ValueError)])
_forward("DynamicLSTM", lambda: _cached(models.DynamicLSTM, 3, 4, 2), lambda: _randn(2, 5, 3), tensor((3,)),
         extra=[const("one feature too many", torch.zeros(2, 5, 4), ValueError)])
_forward("DynamicLSTM", lambda: _cached(models.DynamicLSTM, 3, 4, 2, vocab_size=10),
         lambda: torch.tensor([[1, 2, 3], [4, 5, 0]]), tensor((2,), (torch.int64, torch.int32)),
         extra=[const("an id past the vocabulary", torch.tensor([[1, 10]]), ValueError),
                const("a negative id", torch.tensor([[1, -1]]), ValueError)],
         says=("input", "token ids"), ok={})
_forward("BasicBlock", lambda: _cached(models.BasicBlock, 4, 4), lambda: _randn(2, 4, 4, 4), tensor((4,)),
         extra=[const("5 channels for 4", torch.zeros(2, 5, 4, 4), ValueError),
                const("one 1×1 image in training mode", torch.zeros(1, 4, 1, 1), ValueError)])
_forward("ResNet18", lambda: _cached(models.ResNet18, num_classes=10, in_channels=1), lambda: _randn(2, 1, 32, 32),
         tensor((4,)),
         extra=[const("3 channels for 1", torch.zeros(2, 3, 32, 32), ValueError),
                const("one small image in training mode", torch.zeros(1, 1, 16, 16), ValueError)])
_forward("LinearBlock", lambda: _cached(models.LinearBlock, 4), lambda: _randn(3, 4), tensor((2,)),
         extra=[const("5 features for 4", torch.zeros(3, 5), ValueError),
                const("one sample in training mode", torch.zeros(1, 4), ValueError)])
_forward("DeepMLP", lambda: _cached(models.DeepMLP, 4, width=4, in_features=6, num_classes=3),
         lambda: _randn(3, 6), tensor((2,)),
         extra=[const("7 features for 6", torch.zeros(3, 7), ValueError),
                const("one sample in training mode", torch.zeros(1, 6), ValueError)])
for _name in ("CombinedModel", "RowRecurrentModel"):
    _forward(_name, lambda _n=_name: _cached(getattr(models, _n)), lambda: _randn(2, 1, 28, 28), tensor((4,)),
             extra=[const("32×32 images", torch.zeros(2, 1, 32, 32), ValueError),
                    const("channels last", torch.zeros(2, 28, 28, 1), ValueError),
                    const("flattened", torch.zeros(2, 784), ValueError)])

SPECS.append(Spec(
    ("course_utils.models.DynamicLSTM",), lambda model, x, lengths: model(x, lengths=lengths),
    lambda: {"model": _cached(models.DynamicLSTM, 3, 4, 2), "x": _randn(2, 5, 3), "lengths": [5, 3]},
    [Arg("lengths", Kind(lambda: drop(wrong_objects(), "list") + [
        const("a zero length", [5, 0], ValueError),
        const("longer than the batch", [6, 3], ValueError),
        const("one length short", [5], ValueError),
        const("float lengths", [5.0, 3.0], TypeError),
        const("float tensor", torch.tensor([5.0, 3.0]), TypeError),
        const("2-D tensor", torch.tensor([[5, 3]]), ValueError),
        const("bool entry", [5, True], TypeError),
    ], "one length per sequence"), ok={"None": "every sequence as long as the batch"})],
))

SPECS.append(Spec(
    ("course_utils.models.lengths_tensor",), models.lengths_tensor,
    lambda: {"lengths": [5, 3], "batch_size": 2, "max_length": 5},
    [
        Arg("lengths", Kind(lambda: drop(wrong_objects(), "list") + [
            const("a zero length", [5, 0], ValueError),
            const("float entry", [5, 3.0], TypeError),
            const("float tensor", torch.tensor([5.0, 3.0]), TypeError),
            const("2-D tensor", torch.tensor([[5, 3]]), ValueError),
        ], "lengths")),
        Arg("batch_size", non_negative_int(), ok_not_run={}),
        Arg("max_length", positive_int(), ok={"huge": "lengths up to a huge padded length are fine"}),
    ],
))
SPECS[-1].arg("batch_size").kind = Kind(lambda: drop(non_negative_int().bads(), "huge"),
                                        "an int ≥ 0")  # huge: the count differs, a ValueError naming lengths
SPECS[-1].arg("batch_size").says = ("batch_size", "the batch has")

# --------------------------------------------------------------------------- data

SPECS.append(Spec(
    ("course_utils.data.mnist_subset",), data.mnist_subset, lambda: {"split": "val", "transform": None},
    [Arg("split", choice(data.SPLITS), extra=[const("'validation'", "validation", ValueError)]),
     Arg("transform", callable_kind(), ok={"None": "no transform"})],
))
SPECS.append(Spec(
    ("course_utils.data.mnist_loaders",), data.mnist_loaders,
    lambda: {"batch_size": 64, "transform": None, "seed": 0, "eval_batch_size": 500, "drop_last": False},
    [
        Arg("batch_size", positive_int(), ok={"huge": "one batch holds every digit"}),
        Arg("transform", callable_kind(), ok={"None": "no transform"}),
        Arg("seed", non_negative_int(), ok={"huge": "any seed a torch.Generator takes (64 bits)"},
            extra=[const("past 64 bits", 2**64, ValueError)]),
        Arg("eval_batch_size", positive_int(), ok={"huge": "one batch holds every digit"}),
        Arg("drop_last", boolean()),
    ],
))
SPECS.append(Spec(
    ("course_utils.data.mnist_full",), data.mnist_full,
    lambda: {"root": str(Path(gettempdir()) / "bad_input_no_mnist_here"), "train": True, "transform": None,
             "download": False},
    [Arg("root", Kind(lambda: drop(wrong_objects(), "str") + [const("int", 3, TypeError)], "a folder")),
     Arg("train", boolean()), Arg("transform", callable_kind(), ok_not_run={"None": "no transform: the valid call"}),
     Arg("download", boolean())],
    raises=(data.DataFileError,),  # the valid call raises it too: no MNIST offline
))

# --------------------------------------------------------------------------- train


def _xy(n=8, features=2, seed=0):
    return _randn(n, features, seed=seed), torch.arange(n) % 2


def _loader(*tensors, batch_size=4):
    return DataLoader(TensorDataset(*tensors), batch_size=batch_size)


def _bn_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def loader_bads(*, training: bool) -> list[Bad]:
    """The training-loop mistakes a loader can hold; with ``training``, also those only fit minds."""
    x, y = _xy()
    bads = wrong_objects() + [
        const("a Dataset", TensorDataset(x, y), TypeError),
        const("a tensor", x, TypeError),
        Bad("iter(loader)", lambda v: iter(_loader(x, y)), TypeError),
        Bad("inputs only", lambda v: _loader(x), ValueError),
        Bad("3-tuples", lambda v: _loader(x, y, y), ValueError),
        Bad("bare tensors", lambda v: DataLoader(x, batch_size=4), TypeError),
        const("dict batches", [{"inputs": x, "targets": y}], TypeError),
        Bad("float targets", lambda v: _loader(x, y.float()), TypeError),
        Bad("(N, 1) targets", lambda v: _loader(x, y[:, None]), ValueError),
        Bad("one-hot targets", lambda v: _loader(x, nn.functional.one_hot(y)), ValueError),
        Bad("float64 inputs", lambda v: _loader(x.double(), y), TypeError),
        Bad("uint8 inputs", lambda v: _loader((x * 10).abs().to(torch.uint8), y), TypeError),
        Bad("targets past the classes", lambda v: _loader(x, y + 5), ValueError),
        Bad("negative targets", lambda v: _loader(x, y - 1), ValueError),
        Bad("empty", lambda v: _loader(x[:0], y[:0]), ValueError),
        const("more inputs than targets", [(x[:4], y[:3])], ValueError),
        Bad("3 features for 2", lambda v: _loader(_randn(8, 3), y), ValueError),
        Bad("NaN inputs", lambda v: _loader(torch.full((8, 2), math.nan), y), ValueError),
    ]
    if training:
        bads.append(Bad("a last batch of one through BatchNorm", lambda v: _loader(*_xy(9)), ValueError))
    return bads


def _optimizer_bads():
    return wrong_objects() + [
        const("the class torch.optim.SGD", torch.optim.SGD, TypeError),
        Bad("another model's optimizer", lambda v: torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1),
            ValueError),
    ]


def _fit_valid():
    model = _bn_model()
    return {"model": model, "train_loader": _loader(*_xy()), "epochs": 1,
            "optimizer": torch.optim.SGD(model.parameters(), lr=0.1), "loss_fn": None, "val_loader": None,
            "scheduler": None, "scheduler_step": "batch", "device": "cpu", "progress": False}


_DEFAULT_LOSS = {"None": "nn.CrossEntropyLoss(), the default"}


def _loss_kind():
    return Kind(lambda: drop(wrong_objects(), "class") + [
        const("the class nn.CrossEntropyLoss", nn.CrossEntropyLoss, TypeError),
        const("int", 3, TypeError),
        const("nn.MSELoss() for class indices", nn.MSELoss(), TypeError),
        const("reduction='none'", nn.CrossEntropyLoss(reduction="none"), ValueError),
    ], "a loss function")


def _scheduler_bads():
    def other(v):
        return torch.optim.lr_scheduler.StepLR(torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1), 1)

    return wrong_objects() + [
        const("the class StepLR", torch.optim.lr_scheduler.StepLR, TypeError),
        Bad("another optimizer's scheduler", other, ValueError),
    ]


SPECS.append(Spec(
    ("course_utils.train.fit",), train.fit, _fit_valid,
    [
        Arg("model", module_kind(), extra=[Bad("returns (N,) scores", lambda v: nn.Sequential(nn.Linear(2, 1),
                                                                                              nn.Flatten(0)),
                                               ValueError)]),
        Arg("train_loader", Kind(lambda: loader_bads(training=True), "a DataLoader")),
        Arg("epochs", positive_int(), ok_not_run={"huge": "a long training is legitimate (not run: it would "
                                                          "take forever)"}),
        Arg("optimizer", Kind(_optimizer_bads, "an optimizer")),
        Arg("loss_fn", _loss_kind(), ok=_DEFAULT_LOSS),
        Arg("val_loader", Kind(lambda: loader_bads(training=False), "a DataLoader"), ok={"None": "no validation"}),
        Arg("scheduler", Kind(_scheduler_bads, "a scheduler"), ok={"None": "a constant learning rate"}),
        Arg("scheduler_step", choice(("batch", "epoch"))),
        Arg("device", device_kind(), ok={"None": "course_utils.device(), the best one here"}),
        Arg("progress", boolean()),
    ],
    raises=(),
))
# a scheduler that cannot be stepped as often as fit would: a bad pair of epochs and scheduler


def _fit_with_short_one_cycle():
    kw = _fit_valid()
    kw["scheduler"] = torch.optim.lr_scheduler.OneCycleLR(kw["optimizer"], max_lr=0.1, total_steps=2)
    return kw


SPECS.append(Spec(
    ("course_utils.train.fit",), train.fit, _fit_with_short_one_cycle,
    [Arg("epochs", Kind(lambda: [const("2 epochs for a 2-step OneCycleLR", 2, ValueError)], "epochs"),
         says=("scheduler",))],
))

_NAN_EVAL = "the model's output for NaN inputs is NaN, as the model computes it"
for _name in ("evaluate", "predict"):
    _args = [
        Arg("model", module_kind()),
        Arg("loader", Kind(lambda: loader_bads(training=False), "a DataLoader"), ok={"NaN inputs": _NAN_EVAL}),
        Arg("device", device_kind(), ok={"None": "where the model is"}),
    ]
    if _name == "evaluate":
        _args.insert(2, Arg("loss_fn", _loss_kind(), ok=_DEFAULT_LOSS))
    SPECS.append(Spec(
        (f"course_utils.train.{_name}",), getattr(train, _name),
        (lambda _n=_name: {"model": _bn_model(), "loader": _loader(*_xy()), "device": "cpu",
                           **({"loss_fn": None} if _n == "evaluate" else {})}),
        _args,
    ))

# --------------------------------------------------------------------------- viz: scenes and drawings

_X = "the input of the diagram, as the docs name it"
_DTYPE_OK = {d: "any real dtype is drawn, converted to float64 (exact for small integers)"
             for d in ("float16", "float64", "bfloat16", "int8", "int32", "int64", "uint8")}


def _plane_arg(name, *, extra=(), scene=False):
    """``x`` or ``weight`` of a diagram; a scene computes any size, only drawing it is limited."""
    ok = {**_DTYPE_OK, "too large to draw": "a scene of any size is computed; drawing it is refused"} if scene \
        else _DTYPE_OK
    return Arg(name, tensor((2,), arrays=True), ok=ok, extra=[
        const("too large to draw", torch.zeros(40, 40), ValueError), *extra])


def _conv_scene_valid():
    return {"x": torch.arange(16.0).view(4, 4), "weight": torch.ones(2, 2), "stride": 1, "padding": 0,
            "dilation": 1}


def _conv_scene_args(scene=False):
    return [
        _plane_arg("x", scene=scene),
        _plane_arg("weight", extra=[const("larger than the input", torch.ones(5, 5), ValueError)]),
        Arg("stride", int_or_tuple(1), ok={"huge": "one window per side: a 1×1 output"}),
        Arg("padding", int_or_tuple(0, words=True)),
        Arg("dilation", int_or_tuple(1)),
    ]


def _conv_transpose_scene_valid():
    return {"x": torch.arange(4.0).view(2, 2), "weight": torch.ones(3, 3), "stride": 2, "padding": 1,
            "output_padding": 1, "dilation": 1}


def _conv_transpose_scene_args(scene=False):
    return [
        _plane_arg("x", scene=scene), _plane_arg("weight", scene=scene),
        Arg("stride", int_or_tuple(1), extra=[const("output_padding not below the stride", 1, ValueError)]),
        Arg("padding", int_or_tuple(0)),
        Arg("output_padding", int_or_tuple(0)),
        Arg("dilation", int_or_tuple(1)),
    ]


def _pool_scene_valid():
    return {"x": torch.arange(16.0).view(4, 4), "kernel_size": 2, "stride": None, "padding": 0, "dilation": 1,
            "ceil_mode": False, "mode": "max", "count_include_pad": True}


def _pool_scene_args(scene=False):
    return [
        _plane_arg("x", scene=scene),
        Arg("kernel_size", int_or_tuple(1)),
        Arg("stride", int_or_tuple(1), ok={"None": "stride = kernel_size, as in PyTorch"}),
        Arg("padding", int_or_tuple(0), extra=[const("more than half the kernel", 2, ValueError)]),
        Arg("dilation", int_or_tuple(1)),
        Arg("ceil_mode", boolean()),
        Arg("mode", choice(("max", "avg"))),
        Arg("count_include_pad", boolean()),
    ]


SCENES = {"conv": (_conv_scene_valid, _conv_scene_args), "conv_transpose": (_conv_transpose_scene_valid,
                                                                            _conv_transpose_scene_args),
          "pool": (_pool_scene_valid, _pool_scene_args)}

for _op, (_valid, _args) in SCENES.items():
    SPECS.append(Spec((f"course_utils.viz.{_op}_scene",), getattr(viz, f"{_op}_scene"), _valid, _args(scene=True)))


def _step_kind():
    return Kind(lambda: drop(wrong_objects(), "list") + [
        const("outside the output", (9, 9), ValueError),
        const("negative", (-1, 0), ValueError),
        const("flat index past the end", 99, ValueError),
        const("one entry", (0,), TypeError),
        const("float entries", (0.0, 0.0), TypeError),
        const("bool", True, TypeError),
    ], "(row, col) or a flat index")


_NEW_FIGURE = {"None": "a new figure"}
_SIZE_CHOSEN = {"None": "a size chosen from the grids"}


def _drawing_args():
    return [Arg("step", _step_kind()), Arg("show_values", boolean()), Arg("ax", axes_kind(), ok=_NEW_FIGURE),
            Arg("figsize", figsize_kind(), ok=_SIZE_CHOSEN), Arg("progressive", boolean())]


def _drawing_valid():
    return {"step": (0, 0), "show_values": True, "ax": None, "figsize": None, "progressive": False}


def _animation_args():
    return [Arg("show_values", boolean()),
            Arg("interval", positive_int(), says=("interval",), ok={"huge": "a slow animation is legitimate"}),
            Arg("figsize", figsize_kind(), ok=_SIZE_CHOSEN)]


def _animation_valid():
    return {"show_values": True, "interval": 700, "figsize": None}


_SMALL = {"conv": lambda: {**_conv_scene_valid(), "x": torch.arange(9.0).view(3, 3)},
          "conv_transpose": lambda: {**_conv_transpose_scene_valid(), "x": torch.ones(1, 1)},
          "pool": lambda: {**_pool_scene_valid(), "x": torch.arange(9.0).view(3, 3), "kernel_size": 2,
                           "stride": 1}}

for _op, (_valid, _args) in SCENES.items():
    SPECS.append(Spec((f"course_utils.viz.draw_{_op}_step",), getattr(viz, f"draw_{_op}_step"),
                      lambda _v=_valid: {**_v(), **_drawing_valid()}, _args() + _drawing_args()))
    SPECS.append(Spec((f"course_utils.viz.animate_{_op}",), getattr(viz, f"animate_{_op}"),
                      lambda _s=_SMALL[_op]: {**_s(), **_animation_valid()}, _args() + _animation_args()))


def _scene():
    return viz.conv_scene(torch.arange(9.0).view(3, 3), torch.ones(2, 2))


def _scene_kind():
    return Kind(lambda: wrong_objects() + [Bad("a Figure", lambda v: __import__("matplotlib.pyplot").pyplot.figure(),
                                               TypeError),
                                           const("a FigureCase", viz.CASES[0], TypeError)], "a ConvScene")


SPECS.append(Spec(("course_utils.viz.draw_scene",), viz.draw_scene, lambda: {"scene": _scene(), **_drawing_valid()},
                  [Arg("scene", _scene_kind())] + _drawing_args()))
SPECS.append(Spec(("course_utils.viz.animate_scene",), viz.animate_scene,
                  lambda: {"scene": _scene(), **_animation_valid()},
                  [Arg("scene", _scene_kind())] + _animation_args()))


@functools.cache
def _animation():
    return viz.animate_scene(viz.conv_scene(torch.ones(2, 2), torch.ones(2, 2)))


def _animation_kind():
    return Kind(lambda: wrong_objects() + [const("a scene", _scene(), TypeError)], "an Animation")


def _dpi_arg():
    return Arg("dpi", positive_int())


SPECS.append(Spec(
    ("course_utils.viz.save_gif",), viz.save_gif,
    lambda: {"animation": _animation(), "path": str(Path(gettempdir()) / "bad_input.gif"), "dpi": 20, "fps": None},
    [Arg("animation", _animation_kind()), Arg("path", path_kind(".gif")), _dpi_arg(),
     Arg("fps", real(0, exclusive=True), ok={"None": "1000 / the animation's interval"})],
))
SPECS.append(Spec(
    ("course_utils.viz.animation_html",), viz.animation_html,
    lambda: {"animation": _animation(), "default_mode": "loop", "dpi": 20},
    [Arg("animation", _animation_kind()), Arg("default_mode", choice(("once", "loop", "reflect"))), _dpi_arg()],
))

# --------------------------------------------------------------------------- viz: paper cases

SPECS.append(Spec(("course_utils.viz.case_by_name",), viz.case_by_name, lambda: {"name": "padding_strides"},
                  [Arg("name", choice([case.name for case in viz.CASES]))]))


def _case_kind():
    return Kind(lambda: wrong_objects() + [
        const("a case's name", "padding_strides", TypeError),
    ], "a FigureCase")


for _name in ("case_call", "make_scene"):
    SPECS.append(Spec((f"course_utils.viz.{_name}",), getattr(viz, _name), lambda: {"case": viz.CASES[0]},
                      [Arg("case", _case_kind())]))

SPECS.append(Spec(
    ("course_utils.viz.FigureCase",), viz.FigureCase,
    lambda: {"name": "mine", "operation": "conv", "i": 5, "k": 3, "s": 1, "p": 0, "d": 1, "relationship": 1,
             "numerical": False, "note": ""},
    [Arg("name", text()), Arg("operation", choice(("conv", "conv_transpose", "max_pool", "avg_pool"))),
     Arg("i", positive_int(), ok={"huge": "a large input is a valid case (drawing it is refused later)"}),
     Arg("k", positive_int()), Arg("s", positive_int()), Arg("p", non_negative_int()), Arg("d", positive_int()),
     Arg("relationship", non_negative_int(), ok={"huge": "only a label"}), Arg("numerical", boolean()),
     Arg("note", text())],
))
for _field in ("k", "s", "d"):  # a huge kernel, stride or dilation is a valid case too: refused when drawn
    SPECS[-1].arg(_field).ok["huge"] = "a valid case; drawing it is refused by the scene"
SPECS[-1].arg("p").ok["huge"] = "a valid case; drawing it is refused by the scene"

# --------------------------------------------------------------------------- viz: plots


def _images():
    return _randn(2, 1, 4, 4)


_IMAGES_OK = {**{d: "any real dtype is shown" for d in ("float16", "float64", "bfloat16", "int8", "int32", "int64",
                                                         "uint8")},
              "NaN": "imshow draws NaN pixels in its 'bad' colour, visibly"}


def _images_arg():
    return Arg("images", tensor((3, 4), arrays=True), ok=_IMAGES_OK,
               extra=[const("2 channels", torch.zeros(2, 2, 4, 4), ValueError),
                      const("channels last", torch.zeros(2, 4, 4, 3), ValueError)])


SPECS.append(Spec(
    ("course_utils.viz.show_images",), viz.show_images,
    lambda: {"images": _images(), "labels": [0, 1], "ncols": 2, "max_images": 2, "classes": None, "title": None},
    [_images_arg(), Arg("labels", labels_kind(2), ok={"None": "untitled images"}),
     Arg("ncols", positive_int(), ok={"huge": "one row"}),
     Arg("max_images", positive_int(), ok={"huge": "every image"}),
     Arg("classes", class_names_kind(), ok={"None": "the indices themselves"}),
     Arg("title", text(), ok={"None": "no title"})],
))
SPECS.append(Spec(
    ("course_utils.viz.show_mistakes",), viz.show_mistakes,
    lambda: {"images": _images(), "targets": [0, 1], "predictions": [1, 1], "ncols": 2, "max_images": 2,
             "classes": None},
    [_images_arg(), Arg("targets", labels_kind(2)), Arg("predictions", labels_kind(2)),
     Arg("ncols", positive_int(), ok={"huge": "one row"}),
     Arg("max_images", positive_int(), ok={"huge": "every mistake"}),
     Arg("classes", class_names_kind(), ok={"None": "the indices themselves"})],
))


def _history(**changes):
    history = train.History(train_loss=[1.0, 0.5], train_accuracy=[0.5, 0.75], val_loss=[1.1, 0.6],
                            val_accuracy=[0.4, 0.7])
    for name, value in changes.items():
        setattr(history, name, value)
    return history


def _history_kind():
    return Kind(lambda: wrong_objects() + [
        const("a dict of lists", {"train_loss": [1.0], "train_accuracy": [0.5]}, TypeError),
        Bad("empty", lambda v: train.History(), ValueError),
        Bad("percentages", lambda v: _history(train_accuracy=[50.0, 75.0]), ValueError),
        Bad("one accuracy short", lambda v: _history(val_accuracy=[0.4]), ValueError),
        Bad("str entries", lambda v: _history(train_loss=["1.0", "0.5"]), TypeError),
        Bad("None entries", lambda v: _history(val_loss=[None, None]), TypeError),
    ], "a History")


def _axes_pair_kind():
    def families():
        import matplotlib.pyplot as plt

        return drop(wrong_objects(), "list") + [
            Bad("one Axes", lambda v: plt.subplots()[1], TypeError),
            Bad("three Axes", lambda v: plt.subplots(1, 3)[1], ValueError),
            Bad("an Axes and a str", lambda v: (plt.subplots()[1], "acc"), TypeError),
            const("two ints", [1, 2], TypeError),
        ]

    return Kind(families, "a pair of Axes")


SPECS.append(Spec(
    ("course_utils.viz.plot_history",), viz.plot_history, lambda: {"history": _history(), "ax": None, "label": None},
    [Arg("history", _history_kind()), Arg("ax", _axes_pair_kind(), ok={"None": "a new figure"}),
     Arg("label", text(), ok={"None": "no label"})],
))
SPECS.append(Spec(
    ("course_utils.viz.confusion_matrix",), viz.confusion_matrix,
    lambda: {"targets": [0, 1, 2], "predictions": [0, 2, 2], "num_classes": None},
    [Arg("targets", labels_kind(3)), Arg("predictions", labels_kind(3)),
     Arg("num_classes", positive_int(), ok={"None": "the largest index plus one"},
         extra=[const("smaller than the indices", 2, ValueError)])],
))
SPECS.append(Spec(
    ("course_utils.viz.plot_confusion_matrix",), viz.plot_confusion_matrix,
    lambda: {"targets": [0, 1, 2], "predictions": [0, 2, 2], "classes": None, "ax": None},
    [Arg("targets", labels_kind(3)), Arg("predictions", labels_kind(3)),
     Arg("classes", class_names_kind(), ok={"None": "0..K-1"}), Arg("ax", axes_kind(), ok={"None": "a new figure"})],
))


def _graph_valid():
    torch.manual_seed(0)
    return {"model": nn.Linear(2, 2), "input": torch.zeros(1, 2)}


def _graph_args():
    return [Arg("model", module_kind()),
            Arg("input", tensor((1, 2)), says=("inputs",),  # model_graph(model, *inputs)
                ok={"NaN": "the graph of a NaN computation is the same graph",
                    "empty": "the graph of an empty batch is the same graph",
                    "rank 3": "nn.Linear takes any number of leading dimensions"})]


SPECS.append(Spec(("course_utils.viz.model_graph",), lambda model, input: viz.model_graph(model, input),
                  _graph_valid, _graph_args()))
SPECS.append(Spec(
    ("course_utils.viz.save_model_graph",),
    lambda model, input, path, formats: viz.save_model_graph(model, input, path=path, formats=formats),
    lambda: {**_graph_valid(), "path": str(Path(gettempdir()) / "bad_input_graph.svg"), "formats": None},
    _graph_args() + [
        Arg("path", path_kind(".png or .svg")),
        Arg("formats", Kind(lambda: drop(wrong_objects(), "str", "list") + [
            const("int", 3, TypeError), const("jpg", "jpg", ValueError), const("with a dot", ".png", ValueError),
            const("a list with an int", ["png", 3], TypeError)], "formats"), ok={"None": "the path's suffix"}),
    ],
    raises=(RuntimeError,) if not viz.graphviz_available() else (),
))

SPECS.append(Spec(
    ("course_utils.viz.show_source",), viz.show_source, lambda: {"obj": nn.Linear.forward, "docstring": True},
    [Arg("obj", Kind(lambda: wrong_objects() + [
        const("a model object", nn.Linear(2, 2), TypeError),
        const("a function built in C++", torch.relu, TypeError),
        const("a Python built-in", len, TypeError)], "a function, method or class"),
        ok={"class": "a class written in Python has source to show"}),
     Arg("docstring", boolean())],
))

SPECS.append(Spec(("course_utils.viz.resnet18_stage_shapes",), viz.resnet18_stage_shapes,
                  lambda: {"image_size": 32, "in_channels": 1, "num_classes": 10},
                  [Arg("image_size", positive_int()), Arg("in_channels", positive_int()),
                   Arg("num_classes", positive_int())]))
SPECS.append(Spec(("course_utils.viz.draw_resnet18_stages",), viz.draw_resnet18_stages,
                  lambda: {"image_size": 32, "in_channels": 1, "num_classes": 10, "ax": None},
                  [Arg("image_size", positive_int()), Arg("in_channels", positive_int()),
                   Arg("num_classes", positive_int()), Arg("ax", axes_kind(), ok={"None": "a new figure"})]))
SPECS.append(Spec(("course_utils.viz.draw_basic_blocks",), viz.draw_basic_blocks, lambda: {"ax": None},
                  [Arg("ax", axes_kind(), ok={"None": "a new figure"})]))

for _name in ("draw_rnn_cell", "draw_gru_cell"):
    SPECS.append(Spec((f"course_utils.viz.{_name}",), getattr(viz, _name), lambda: {"ax": None},
                      [Arg("ax", axes_kind(), ok={"None": "a new figure"})]))
SPECS.append(Spec(("course_utils.viz.draw_lstm_cell",), viz.draw_lstm_cell, lambda: {"ax": None, "proj": False},
                  [Arg("ax", axes_kind(), ok={"None": "a new figure"}), Arg("proj", boolean())]))
SPECS.append(Spec(("course_utils.viz.draw_rnn_cells",), viz.draw_rnn_cells, lambda: {"figsize": (15, 4.2)},
                  [Arg("figsize", figsize_kind(), ok={"None": "matplotlib's default size"})]))

# --------------------------------------------------------------------------- viz: the lessons' other pictures

_ANY_DTYPE = {str(d).removeprefix("torch."): "any dtype: only the layout is read" for d in DTYPES
              if d != torch.float32}


def _dict_of_tensors_kind(what):
    """``{title: tensor}``: the titles must be strings, the tensors floating-point, finite, non-empty."""
    return Kind(lambda: wrong_objects() + [
        const("empty dict", {}, ValueError),
        const("an int title", {1: torch.ones(3)}, TypeError),
        const("int values", {"a": torch.arange(3)}, TypeError),
        const("NaN values", {"a": torch.tensor([1.0, math.nan])}, ValueError),
        const("empty values", {"a": torch.zeros(0)}, ValueError),
        const("a list for a tensor", {"a": [1.0, 2.0]}, TypeError),
    ], what)


def _lengths_kind():
    return Kind(lambda: drop(wrong_objects(), "list") + [
        const("a zero length", [5, 0], ValueError),
        const("float entry", [5, 3.0], TypeError),
        const("float tensor", torch.tensor([5.0, 3.0]), TypeError),
        const("2-D tensor", torch.tensor([[5, 3]]), ValueError),
        const("empty", [], ValueError),
        const("a huge length", [HUGE], ValueError),
    ], "lengths")


def _titles_kind():
    return Kind(lambda: wrong_objects() + [const("a tuple of ints", (1,), TypeError),
                                           const("one title too many", ["a", "b", "c"], ValueError)],
                "one title per picture")


SPECS.append(Spec(("course_utils.viz.adaptive_bins_of_torch",), viz.adaptive_bins_of_torch,
                  lambda: {"size_in": 5, "size_out": 3},
                  [Arg("size_in", positive_int()), Arg("size_out", positive_int())]))
SPECS.append(Spec(("course_utils.viz.draw_adaptive_bins",), viz.draw_adaptive_bins,
                  lambda: {"size_in": 5, "size_out": 3, "ax": None},
                  [Arg("size_in", positive_int()), Arg("size_out", positive_int()),
                   Arg("ax", axes_kind(), ok=_NEW_FIGURE)]))
SPECS.append(Spec(
    ("course_utils.viz.show_at_sizes",), viz.show_at_sizes,
    lambda: {"images": [torch.rand(6, 6), torch.rand(1, 9, 9)], "kernel_size": 3, "panel_inches": 2.0},
    [Arg("images", Kind(lambda: drop(wrong_objects(), "list") + [
        const("one tensor, not a list", torch.rand(6, 6), TypeError),
        const("a list of ints", [1, 2], TypeError),
        const("empty list", [], ValueError),
        const("a 1-D image", [torch.rand(6)], ValueError),
        const("an RGB image", [torch.rand(3, 6, 6)], ValueError),
        const("an empty image", [torch.rand(0, 6)], ValueError),
        const("a bool image", [torch.ones(6, 6, dtype=torch.bool)], TypeError),
    ], "a list of grey images")),
     Arg("kernel_size", positive_int(), extra=[const("larger than an image", 7, ValueError)]),
     Arg("panel_inches", real(0.5))],
))
SPECS.append(Spec(("course_utils.viz.packed_layout",), viz.packed_layout, lambda: {"lengths": [2, 5, 3]},
                  [Arg("lengths", _lengths_kind())]))
SPECS.append(Spec(("course_utils.viz.draw_padded_vs_packed",), viz.draw_padded_vs_packed,
                  lambda: {"lengths": [2, 5, 3], "figsize": None},
                  [Arg("lengths", _lengths_kind(), extra=[const("9 sequences", [1] * 9, ValueError)]),
                   Arg("figsize", figsize_kind(), ok={"None": "a size that grows with the batch"})]))

SPECS.append(Spec(
    ("course_utils.viz.draw_image_batch",), viz.draw_image_batch,
    lambda: {"images": _images(), "pixel": (1, 2), "labels": [0, 1], "max_shown": 2, "figsize": (6, 2)},
    [Arg("images", tensor((4,), arrays=True), ok=_IMAGES_OK,
         extra=[const("2 channels", torch.zeros(2, 2, 4, 4), ValueError),
                const("channels last", torch.zeros(2, 4, 4, 3), ValueError)]),
     Arg("pixel", int_or_tuple(0), extra=[const("outside the image", (4, 0), ValueError)]),
     Arg("labels", labels_kind(2), ok={"None": "no labels"}),
     Arg("max_shown", positive_int(), ok={"huge": "every image"}),
     Arg("figsize", figsize_kind(), ok={"None": "matplotlib's default size"})],
))
SPECS.append(Spec(("course_utils.viz.conv1d_windows",), viz.conv1d_windows,
                  lambda: {"length": 6, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1},
                  [Arg("length", positive_int()),
                   Arg("kernel_size", positive_int(), extra=[const("longer than the input", 7, ValueError)]),
                   Arg("stride", positive_int(), ok={"huge": "one window: a single output"}),
                   Arg("padding", non_negative_int()), Arg("dilation", positive_int())]))
SPECS.append(Spec(
    ("course_utils.viz.draw_conv1d_windows",), viz.draw_conv1d_windows,
    lambda: {"length": 6, "kernel_size": 3, "settings": [{"stride": 2}], "figsize": (6, 2)},
    [Arg("length", positive_int()), Arg("kernel_size", positive_int()),
     Arg("settings", Kind(lambda: drop(wrong_objects(), "list") + [
         const("a list of ints", [1, 2], TypeError),
         const("one dict, not a list", {"stride": 2}, TypeError),
         const("empty list", [], ValueError),
         const("an unknown key", [{"kernel_size": 2}], ValueError),
         const("a zero stride", [{"stride": 0}], ValueError),
         const("a float padding", [{"padding": 1.0}], TypeError),
         const("a negative dilation", [{"dilation": -1}], ValueError),
     ], "a list of settings"), ok={"None": "the four default panels"}),
     Arg("figsize", figsize_kind(), ok={"None": "matplotlib's default size"})],
))
SPECS.append(Spec(
    ("course_utils.viz.memory_order",), viz.memory_order, lambda: {"x": torch.zeros(1, 3, 2, 2)},
    [Arg("x", tensor((4,)), ok={**_ANY_DTYPE, "NaN": "only the layout is read", "rank 3": "any rank",
                                "rank 5": "any rank", "rank 0": "a 0-d tensor has one element"},
         extra=[Bad("a view with gaps", lambda v: v[:, :, ::2], ValueError),  # const would clone: no gaps
                Bad("expanded to 2**40 elements", lambda v: torch.zeros(1).expand(HUGE), ValueError)])],
))
SPECS.append(Spec(
    ("course_utils.viz.draw_memory_order",),
    lambda x, titles, figsize: viz.draw_memory_order(x, titles=titles, figsize=figsize),
    lambda: {"x": torch.arange(12.0).view(1, 3, 2, 2), "titles": None, "figsize": None},
    [Arg("x", tensor((4,)), says=("tensors",), ok={**_ANY_DTYPE, "NaN": "only the layout is read"},
         extra=[const("too many elements", torch.zeros(1, 3, 5, 5), ValueError)]),
     Arg("titles", Kind(lambda: wrong_objects() + [const("two titles for one tensor", ["a", "b"], ValueError)],
                        "one title per tensor"), ok={"None": "each tensor's stride()"}),
     Arg("figsize", figsize_kind(), ok={"None": "a size that grows with the number of tensors"})],
))
SPECS.append(Spec(
    ("course_utils.viz.plot_weight_histograms",), viz.plot_weight_histograms,
    lambda: {"weights": {"a": _randn(20), "b": _randn(20, seed=1)}, "bound": 0.5, "bins": 10, "figsize": None},
    [Arg("weights", _dict_of_tensors_kind("{title: weight tensor}")),
     Arg("bound", real(0, exclusive=True), ok={"None": "no dashed lines"}),
     Arg("bins", positive_int()),
     Arg("figsize", figsize_kind(), ok={"None": "4.5 inches wide per panel"})],
))

SPECS.append(Spec(
    ("course_utils.viz.draw_maps",), viz.draw_maps,
    lambda: {"maps": _randn(2, 3, 3), "titles": ["a", "b"], "show_values": None, "ncols": None,
             "panel_size": 2.0, "colorbar": True},
    [Arg("maps", tensor((2, 3), arrays=True), ok=_DTYPE_OK),
     Arg("titles", _titles_kind(), ok={"None": "untitled maps"}),
     Arg("show_values", boolean(), ok={"None": "values of small maps are shown"}),
     Arg("ncols", positive_int(), ok={"None": "one row", "huge": "one row"}),
     Arg("panel_size", real(0.5)), Arg("colorbar", boolean())],
))
SPECS.append(Spec(
    ("course_utils.viz.draw_multichannel_conv",), viz.draw_multichannel_conv,
    lambda: {"x": _randn(2, 4, 4), "weight": _randn(2, 2, 2, seed=1), "bias": 0.5},
    [Arg("x", tensor((3,), arrays=True), ok=_DTYPE_OK,
         extra=[const("3 channels for weight's 2", torch.zeros(3, 4, 4), ValueError),
                const("too large to draw", torch.zeros(2, 9, 9), ValueError)]),
     Arg("weight", tensor((3,), arrays=True), ok=_DTYPE_OK,
         extra=[const("a conv's whole weight", torch.zeros(4, 2, 2, 2), ValueError),
                const("larger than the input", torch.zeros(2, 5, 5), ValueError)]),
     Arg("bias", real())],
))
SPECS.append(Spec(
    ("course_utils.viz.draw_padding_modes",), viz.draw_padding_modes,
    lambda: {"x": torch.arange(9.0).view(3, 3), "padding": 1, "modes": None},
    [Arg("x", tensor((2,), arrays=True), ok=_DTYPE_OK),
     Arg("padding", int_or_tuple(0), extra=[const("too large for 'reflect'", 3, ValueError)]),
     Arg("modes", Kind(lambda: drop(wrong_objects(), "list") + [
         const("a list of ints", [1, 2], TypeError),
         const("empty list", [], ValueError),
         const("an unknown mode", ["zeros", "same"], ValueError),
     ], "padding modes"), ok={"None": "all four modes"})],
))
SPECS.append(Spec(
    ("course_utils.viz.draw_im2col",), viz.draw_im2col,
    lambda: {"columns": nn.functional.unfold(torch.arange(16.0).view(1, 1, 4, 4), 3)[0],
             "kernel": torch.ones(3, 3), "output_size": None},
    [Arg("columns", tensor((2,), arrays=True), ok=_DTYPE_OK,
         extra=[const("too large to draw", torch.zeros(9, 49), ValueError)]),
     Arg("kernel", tensor((2,), arrays=True), ok={**_DTYPE_OK, "rank 3": "any shape with C_in·kH·kW numbers"},
         extra=[const("one number too many", torch.ones(10), ValueError)]),
     Arg("output_size", int_or_tuple(1), ok={"None": "a square"},
         extra=[const("3 × 1 positions for 4 windows", (3, 1), ValueError)])],
    accepts=[("output_size=(4, 1)", "4 windows labelled as a 4×1 output", lambda kw: {**kw, "output_size": (4, 1)})],
))


def _field_args():
    return [Arg("kernel_sizes", per_layer_ints(), extra=[const("a huge kernel", [HUGE, 3], ValueError)]),
            Arg("strides", per_layer_ints(), ok={"int instead of a list": _ONE_INT_PER_LAYER},
                extra=[const("one entry too many", [1, 1, 1], ValueError)]),
            Arg("dilations", per_layer_ints(), ok={"int instead of a list": _ONE_INT_PER_LAYER}),
            Arg("size", positive_int(), ok={"None": "the smallest input that holds the whole field"})]


def _field_valid():
    return {"kernel_sizes": [3, 3], "strides": [1, 1], "dilations": 1, "size": None}


SPECS.append(Spec(("course_utils.viz.receptive_field_scene",), viz.receptive_field_scene, _field_valid,
                  _field_args()))
SPECS.append(Spec(("course_utils.viz.draw_receptive_field",), viz.draw_receptive_field,
                  lambda: {**_field_valid(), "show_counts": False, "ax": None, "figsize": None},
                  _field_args() + [Arg("show_counts", boolean()), Arg("ax", axes_kind(), ok=_NEW_FIGURE),
                                   Arg("figsize", figsize_kind(), ok={"None": "a size chosen from the maps"})]))
SPECS.append(Spec(("course_utils.viz.conv_transpose_scatter_scene",), viz.conv_transpose_scatter_scene,
                  _conv_transpose_scene_valid, _conv_transpose_scene_args(scene=True)))
SPECS[-1].arg("x").ok.pop("too large to draw")  # one stamp per input pixel: at most MAX_STAMPS of them
SPECS.append(Spec(("course_utils.viz.draw_conv_transpose_scatter",), viz.draw_conv_transpose_scatter,
                  lambda: {**_conv_transpose_scene_valid(), "ax": None, "figsize": None},
                  _conv_transpose_scene_args() + [Arg("ax", axes_kind(), ok=_NEW_FIGURE),
                                                   Arg("figsize", figsize_kind(), ok=_SIZE_CHOSEN)]))

SPECS.append(Spec(("course_utils.viz.draw_rnn_unrolled",), viz.draw_rnn_unrolled, lambda: {"steps": 3, "ax": None},
                  [Arg("steps", positive_int(), extra=[const("one step", 1, ValueError)]),
                   Arg("ax", axes_kind(), ok=_NEW_FIGURE)]))
SPECS.append(Spec(("course_utils.viz.draw_rnn_grid",), viz.draw_rnn_grid,
                  lambda: {"num_layers": 2, "bidirectional": True, "steps": 3, "ax": None},
                  [Arg("num_layers", positive_int()), Arg("bidirectional", boolean()),
                   Arg("steps", positive_int(), extra=[const("one step", 1, ValueError)]),
                   Arg("ax", axes_kind(), ok=_NEW_FIGURE)]))


def _rnn64():
    torch.manual_seed(0)
    return nn.RNN(3, 4).double()


SPECS.append(Spec(
    ("course_utils.viz.input_gradient_by_gap",), viz.input_gradient_by_gap,
    lambda: {"module": _rnn64(), "inputs": _randn(5, 2, 3).double()},
    [Arg("module", Kind(lambda: module_kind().bads() + [
        Bad("a GRUCell", lambda v: nn.GRUCell(3, 4).double(), TypeError),
        Bad("bidirectional", lambda v: nn.RNN(3, 4, bidirectional=True).double(), ValueError),
        Bad("float32 weights", lambda v: nn.RNN(3, 4), TypeError),
        Bad("4 input features for 3", lambda v: nn.RNN(4, 4).double(), ValueError),
    ], "an nn.RNN, nn.GRU or nn.LSTM")),
     Arg("inputs", tensor((3,), (torch.float64,)), ok={"NaN": "NaN in, NaN out, as with the module"},
         extra=[const("one feature too many", torch.zeros(5, 2, 4, dtype=torch.float64), ValueError)])],
))
SPECS.append(Spec(
    ("course_utils.viz.plot_gradient_by_gap",), viz.plot_gradient_by_gap,
    lambda: {"norms": {"RNN": torch.tensor([1.0, 0.5, 0.1])}, "ax": None},
    [Arg("norms", _dict_of_tensors_kind("{label: gradient norms}"),
         extra=[const("2-D norms", {"a": torch.ones(2, 3)}, ValueError),
                const("negative norms", {"a": torch.tensor([1.0, -0.5])}, ValueError)]),
     Arg("ax", axes_kind(), ok=_NEW_FIGURE)],
))
_FLOATS_OK = {d: "any floating-point dtype is drawn" for d in ("float16", "float64", "bfloat16")}
SPECS.append(Spec(
    ("course_utils.viz.plot_row_reading",), viz.plot_row_reading,
    lambda: {"image": torch.rand(5, 4), "states": _randn(5, 3)},
    [Arg("image", tensor((2, 3)), ok={**_FLOATS_OK, "NaN": "imshow draws NaN pixels in its 'bad' colour, visibly"},
         extra=[const("an RGB image", torch.rand(3, 5, 4), ValueError)]),
     Arg("states", tensor((2,)), ok={**_FLOATS_OK, "NaN": "imshow draws NaN cells in its 'bad' colour, visibly"},
         extra=[const("one row short", torch.zeros(4, 3), ValueError),
                const("with a batch dimension", torch.zeros(5, 1, 3), ValueError)])],
))

# --------------------------------------------------------------------------- checks: the helpers checkers use


def _message_kind():
    return Kind(lambda: wrong_objects(strings=True) + [const("int", 3, TypeError)], "a Message")


SPECS.append(Spec(("course_utils.checks.set_language",), _i18n.set_language, lambda: {"language": "en"},
                  [Arg("language", choice(tuple(_i18n.CATALOGS)), extra=[const("'cn'", "cn", ValueError)])],
                  after=lambda: _i18n.set_language("en")))
SPECS.append(Spec(("course_utils.checks.msg", "course_utils.checks.Message"), lambda template: _i18n.msg(template),
                  lambda: {"template": "expected {what}"},
                  [Arg("template", Kind(lambda: drop(wrong_objects(), "str") + [const("int", 3, TypeError),
                                                                               const("bytes", b"x", TypeError)],
                                        "a template"))]))
SPECS.append(Spec(("course_utils.checks.CheckFailed",), _errors.CheckFailed,
                  lambda: {"message": _i18n.msg("wrong"), "hint": None},
                  [Arg("message", _message_kind()),
                   Arg("hint", _message_kind(), ok={"None": "no hint"})]))
# course authors declare checkers with these; the messages name the argument like everywhere else
SPECS.append(Spec(
    ("course_utils.checks.exercise",), lambda exercise_id, expects: _core.exercise(exercise_id, expects=expects),
    lambda: {"exercise_id": "9.9", "expects": "an int"},
    [Arg("exercise_id", Kind(lambda: drop(wrong_objects(), "str") + [
        const("float", 9.9, TypeError), const("int", 9, TypeError), const("no dot", "99", ValueError),
        const("three parts", "9.9.9", ValueError)], "'N.M'")),
     Arg("expects", Kind(lambda: drop(wrong_objects(), "str") + [
         const("empty", "", ValueError), const("with a field", "a {shape}", ValueError)], "a description"))],
))

# The helpers a checker body is written with judge the *learner's* answer: a wrong answer
# is their documented outcome (CheckFailed, NotAttempted, WrongForm), which the checker
# prints as one line; only the author-facing arguments must raise TypeError/ValueError.
_VERDICTS = (_errors.CheckFailed, _errors.NotAttempted, _errors.WrongForm)
_ANSWER_OK = "any answer is judged: a wrong one raises CheckFailed, printed by the checker"


def _answers():
    """Wrong answers: each must end in a verdict (CheckFailed), never in another exception."""
    return Kind(lambda: wrong_objects() + [const("a tensor of another shape", torch.zeros(5, 5), TypeError)],
                "the learner's answer")


def _what():
    return _i18n.msg("the answer")


SPECS.append(Spec(("course_utils.checks.expect",), _expect.expect,
                  lambda: {"condition": True, "message": _i18n.msg("wrong"), "hint": None},
                  [Arg("message", _message_kind()), Arg("hint", _message_kind(), ok={"None": "no hint"})]))
for _name, _valid in (("expect_equal", lambda: {"actual": 1, "expected": 1}),
                      ("expect_shape", lambda: {"actual": torch.zeros(2), "expected": (2,)}),
                      ("expect_close", lambda: {"actual": torch.zeros(2), "expected": torch.zeros(2), "atol": 1e-5})):
    _args = [Arg("actual", _answers())]
    if _name == "expect_close":
        _args.append(Arg("atol", real(0)))
    if _name == "expect_shape":
        _args.append(Arg("expected", Kind(lambda: [const("an int", 2, TypeError), const("None", None, TypeError)],
                                          "a shape")))
    SPECS.append(Spec((f"course_utils.checks.{_name}",), getattr(_expect, _name), _valid, _args, raises=_VERDICTS,
                      names_argument=False))
SPECS.append(Spec(("course_utils.checks.expect_module",), _expect.expect_module,
                  lambda: {"value": nn.Linear(2, 2), "name": "layer"},
                  [Arg("value", Kind(lambda: module_kind().bads(), "a module"), says=("layer",)),
                   Arg("name", text())], raises=_VERDICTS))
SPECS.append(Spec(("course_utils.checks.as_int",), _expect.as_int, lambda: {"value": 3, "what": _what()},
                  [Arg("value", Kind(lambda: _int_answer_bads(), "an int"), says=("the answer",))],
                  raises=_VERDICTS))
SPECS.append(Spec(("course_utils.checks.as_shape",), _expect.as_shape,
                  lambda: {"value": (2, 3), "what": _what(), "length": 2},
                  [Arg("value", Kind(lambda: _int_answer_bads() + [const("a tensor", torch.zeros(2, 3), TypeError),
                                                                  const("too long", (2, 3, 4), ValueError)],
                                     "a shape"), says=("the answer",)),
                   # a huge length is valid: only compared with the answer's, which then fails as a verdict
                   Arg("length", Kind(lambda: drop(positive_int().bads(), "huge"), "a positive int"),
                       ok={"None": "any length"})],
                  raises=_VERDICTS))


def _int_answer_bads():
    return [const("None", None, TypeError), const("str", "3", TypeError), const("float", 3.0, TypeError),
            const("bool", True, TypeError)]


SPECS.append(Spec(("course_utils.checks.answered",), _core.answered, lambda: {"value": 3},
                  [Arg("value", Kind(wrong_objects, "anything"),
                       ok={label: _ANSWER_OK for label in ("None", "str", "list", "dict", "object", "class")})],
                  raises=_VERDICTS))
SPECS.append(Spec(("course_utils.checks.shown",), _expect.shown, lambda: {"value": 3},
                  [Arg("value", Kind(wrong_objects, "anything"),
                       ok={label: "shown describes any answer" for label in ("None", "str", "list", "dict",
                                                                              "object", "class")})]))
SPECS.append(Spec(("course_utils.checks.call",), lambda function: _core.call(function, 2),
                  lambda: {"function": lambda x: x},
                  [Arg("function", Kind(lambda: wrong_objects() + [const("a function that raises",
                                                                         lambda x: 1 / 0, ZeroDivisionError)],
                                        "the learner's function"), says=())],
                  raises=_VERDICTS, names_argument=False))
SPECS.append(Spec(("course_utils.checks.expect_raises",),
                  lambda function, exception: _expect_raises(function, exception),
                  lambda: {"function": lambda x: 1 / x, "exception": ZeroDivisionError},
                  [Arg("function", Kind(lambda: wrong_objects(), "the learner's function")),
                   Arg("exception", Kind(lambda: drop(wrong_objects(), "class") + [
                       const("an instance", ValueError("x"), TypeError), const("the class int", int, TypeError)],
                       "an exception class"))],
                  raises=_VERDICTS, names_argument=False))


def _expect_raises(function, exception):
    return _core.expect_raises(function, exception, 0)

