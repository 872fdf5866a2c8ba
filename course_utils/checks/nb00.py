"""Checks for the exercises of notebook 00 (shapes and notation)."""

import math

import torch
from torch import nn

from . import (
    CheckFailed,
    NotAttempted,
    WrongForm,
    answered,
    as_int,
    as_shape,
    call,
    exercise,
    expect,
    expect_equal,
    expect_module,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_0_1", "exercise_0_2", "exercise_0_3", "exercise_0_4", "exercise_0_5", "exercise_0_6",
           "set_language"]


@exercise("0.1", expects="a shape as a tuple of ints, e.g. (1, 2, 3)")
def exercise_0_1(answer) -> None:
    """Shape of ``nn.Linear(64, 3)`` applied to a ``(4, 7, 64)`` tensor."""
    value = as_shape(answered(answer), msg("the shape"))
    expected = tuple(nn.Linear(64, 3)(torch.zeros(4, 7, 64)).shape)
    expect_equal(value, expected, msg("shape"),
                 msg("nn.Linear keeps every dimension but the last, which goes from in_features to out_features"))


@exercise("0.2", expects="a function to_channels_first(x) that returns a tensor")
def exercise_0_2(to_channels_first) -> None:
    """A function turning ``(N, L, C)`` into ``(N, C, L)`` for ``nn.Conv1d``."""
    x = torch.arange(2 * 5 * 3).reshape(2, 5, 3)
    out = call(to_channels_first, x)
    expect_shape(out, (2, 3, 5), msg("shape"), msg("swap the last two dimensions, keep the batch first"))
    expect(torch.equal(out, x.transpose(1, 2)), msg("the shape is right but the values moved to wrong places"),
           msg("reshape and view only reinterpret the memory; permute or transpose move the axes"))


@exercise("0.3", expects="a function conv1d_length(L_in, kernel_size, stride=1, padding=0, dilation=1) "
                         "that returns an int")
def exercise_0_3(conv1d_length) -> None:
    """``conv1d_length(L_in, kernel_size, stride=1, padding=0, dilation=1)`` equal to what PyTorch computes."""
    cases = [(32, 2, 1, 0, 1), (28, 3, 1, 1, 1), (100, 5, 2, 0, 1), (50, 3, 3, 2, 2), (7, 7, 1, 0, 1)]
    for length, k, s, p, d in cases:
        setting = f"L_in={length}, kernel_size={k}, stride={s}, padding={p}, dilation={d}"
        got = as_int(call(conv1d_length, length, k, s, p, d), msg("the length for {setting}", setting=setting))
        expected = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, length)).shape[-1]
        expect(got == expected, msg("for {setting}: expected {expected}, got {got}",
                                    setting=setting, expected=expected, got=got),
               msg("use floor division: (L_in + 2p - d(k-1) - 1) // s + 1"))


@exercise("0.4", expects="a pair of shapes (output_shape, h_n_shape), e.g. ((1, 2, 3), (4, 5, 6))")
def exercise_0_4(answer) -> None:
    """``(output.shape, h_n.shape)`` of ``nn.GRU(8, 16, num_layers=2, batch_first=True)`` on ``(4, 9, 8)``."""
    value = answered(answer)
    shapes = (tuple, list, torch.Size)
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, shapes) for v in value)):
        raise WrongForm
    output_shape = as_shape(value[0], msg("the output shape"))
    h_n_shape = as_shape(value[1], msg("the h_n shape"))
    output, h_n = nn.GRU(8, 16, num_layers=2, batch_first=True)(torch.zeros(4, 9, 8))
    expect_equal(output_shape, tuple(output.shape), msg("output shape"),
                 msg("batch_first=True puts N first in the output too"))
    expect_equal(h_n_shape, tuple(h_n.shape), msg("h_n shape"),
                 msg("h_n is (num_layers * D, N, H_out) whatever batch_first says"))


# --------------------------------------------------------------------------- 0.5: debug a model


def _sensor_failure(error: Exception, length: int) -> CheckFailed:
    """A hint for the error SensorNet raised on recordings of ``length`` steps, named after its cause."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    message = msg("SensorNet raised {error_type} on a batch of shape (N, {length}, 6): {error}",
                  error_type=type(error).__name__, length=length, error=text)
    if "channels, but got" in text:
        return CheckFailed(message, msg("the recordings are (N, L, C): permute them to (N, C, L) before the conv"))
    if "cannot be multiplied" in text:
        return CheckFailed(message, msg("after AdaptiveAvgPool1d(1) and Flatten each recording has 32 features, "
                                        "whatever its length: the Linear needs in_features=32"))
    return CheckFailed(message, msg("trace_shapes(SensorNet(), torch.randn(8, 50, 6)) names the layer that fails"))


def _run_sensor_net(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    try:
        out = module(x)
    except NotImplementedError as error:
        if not error.args:  # the starter's bare raise, still in place
            raise NotAttempted from None
        raise _sensor_failure(error, x.shape[1]) from None
    except Exception as error:
        raise _sensor_failure(error, x.shape[1]) from None
    expect_shape(out, (x.shape[0], 4), msg("output shape for a batch of shape {shape}", shape=tuple(x.shape)),
                 msg("one score per activity: (N, 4)"))
    return out


def _sensor_reference(module: nn.Module, x: torch.Tensor) -> torch.Tensor | None:
    """What the fixed SensorNet computes with the learner's own layers, or None if they were renamed."""
    layers = [getattr(module, name, None) for name in ("conv", "act", "pool", "flatten", "fc")]
    if not all(isinstance(layer, nn.Module) for layer in layers):
        return None
    conv, act, pool, flatten, fc = layers
    try:
        return fc(flatten(pool(act(conv(x.permute(0, 2, 1))))))
    except RuntimeError:  # the layers were rewired (e.g. no pooling): judge by the shapes alone
        return None


@exercise("0.5", expects="a class SensorNet(nn.Module) whose forward(x) returns a tensor")
def exercise_0_5(SensorNet) -> None:
    """The fixed ``SensorNet``: recordings ``(N, L, 6)`` of any length ``L >= 5`` to 4 scores ``(N, 4)``."""
    torch.manual_seed(0)
    module = expect_module(call(SensorNet), "SensorNet()")
    conv = getattr(module, "conv", None)
    if isinstance(conv, nn.Conv1d) and conv.in_channels != 6:
        raise CheckFailed(msg("SensorNet's conv reads {got} channels, but a recording has 6 sensors",
                              got=conv.in_channels),
                          msg("keep nn.Conv1d(6, 32, 5) and permute the data (N, L, C) to (N, C, L) instead"))
    module.eval()
    with torch.no_grad():
        for x in (torch.randn(8, 50, 6), torch.randn(3, 80, 6), torch.randn(2, 5, 6)):
            out = _run_sensor_net(module, x)
            reference = _sensor_reference(module, x)
            if reference is not None and not torch.allclose(out, reference, atol=1e-5):
                raise CheckFailed(msg("the shapes are right but the outputs are not the conv over time of each "
                                      "sensor's signal"),
                                  msg("reshape and view only reinterpret the memory; permute(0, 2, 1) moves the axes"))


# --------------------------------------------------------------------------- 0.6: any layout to channels second


def _channels_second_reference(x: torch.Tensor, layout: str) -> torch.Tensor:
    batch = [layout.index("N")] if "N" in layout else []
    return x.permute(*batch, layout.index("C"), *[i for i, letter in enumerate(layout) if letter not in "NC"])


def _target_layout(layout: str) -> str:
    return ("N" if "N" in layout else "") + "C" + "".join(letter for letter in layout if letter not in "NC")


@exercise("0.6", expects="a function channels_second(x, layout) that returns a tensor")
def exercise_0_6(channels_second) -> None:
    """``channels_second(x, layout)``: any layout such as ``"NHWC"`` to ``(N, C, *rest)`` with ``rest`` in order."""
    sizes = {"N": 2, "C": 3, "L": 7, "H": 4, "W": 5, "D": 6}
    for layout in ("NHWC", "NLC", "LNC", "HWC", "NDHWC", "NCHW", "CWH"):
        x = torch.arange(math.prod(sizes[letter] for letter in layout)).reshape([sizes[letter] for letter in layout])
        expected = _channels_second_reference(x, layout)
        target = _target_layout(layout)
        out = call(channels_second, x, layout)
        expect_shape(out, tuple(expected.shape),
                     msg("shape for layout {layout!r} (sizes {sizes})", layout=layout,
                         sizes=", ".join(f"{letter}={sizes[letter]}" for letter in layout)),
                     msg("the result's layout is {target!r}: N first if there is one, then C, then the other "
                         "letters in the order they come in {layout!r}", target=target, layout=layout))
        expect(torch.equal(out, expected),
               msg("for layout {layout!r} the shape is right but the values moved to wrong places", layout=layout),
               msg("reshape and view only reinterpret the memory; x.permute(...) with the positions of N, C, "
                   "then the others, moves the axes"))
