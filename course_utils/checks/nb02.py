"""Checks for the exercises of notebook 02 (conv2d by hand).

Expected values are computed here with PyTorch, never typed in.
"""

import ast
import inspect
import textwrap

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from course_utils.viz.conv_intuition import EXAMPLE_IMAGE, EXAMPLE_KERNEL

from . import (
    CheckFailed,
    answered,
    as_shape,
    call,
    exercise,
    expect,
    expect_close,
    expect_equal,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_2_1", "exercise_2_2", "exercise_2_3", "exercise_2_4", "exercise_2_5", "exercise_2_6",
           "set_language"]


@exercise("2.1", expects="a shape as a tuple of 4 ints, e.g. (1, 2, 3, 4)")
def exercise_2_1(answer) -> None:
    """Output shape of ``F.conv2d`` on ``(8, 3, 32, 32)`` with weight ``(16, 3, 5, 5)``, stride 2, padding 2."""
    value = as_shape(answered(answer), msg("the shape"))
    expected = tuple(F.conv2d(torch.zeros(8, 3, 32, 32), torch.zeros(16, 3, 5, 5), stride=2, padding=2).shape)
    expect(len(value) == 4, msg("expected 4 numbers (N, C_out, H_out, W_out), got {count}", count=len(value)),
           msg("a conv2d output is (N, C_out, H_out, W_out)"))
    expect(value[:2] == expected[:2], msg("expected (N, C_out) = {expected}, got {got}",
                                          expected=expected[:2], got=value[:2]),
           msg("N stays the same; C_out is weight.shape[0], the number of filters"))
    expect_equal(value, expected, msg("shape"), msg("H_out = (H + 2p - k) // s + 1 = (32 + 4 - 5) // 2 + 1"))


# What exercise 2.2 must do by itself: PyTorch's ready-made convolutions and window copies (caught when called)...
_TORCH_CONVOLUTIONS = frozenset({"conv1d", "conv2d", "conv3d", "convolution", "_convolution", "conv_tbc",
                                 "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold", "im2col"})
# ... and NumPy's and SciPy's (found in the source: np.convolve, signal.correlate2d, from scipy.signal import ...)
_LIBRARY_CONVOLUTIONS = frozenset({"convolve", "convolve2d", "correlate", "correlate2d", "fftconvolve",
                                   "oaconvolve", "sliding_window_view"})


class _ConvolutionSpy(TorchFunctionMode):
    """Records the PyTorch convolutions and unfolds called inside it, however they were imported.

    ``F.conv2d``, ``torch.conv2d``, ``nn.Conv2d``, ``F.unfold`` and ``Tensor.unfold`` all pass
    through ``__torch_function__`` with their own name; the call itself goes ahead unchanged.
    """

    def __init__(self):
        super().__init__()
        self.used: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in _TORCH_CONVOLUTIONS and name not in self.used:
            self.used.append(name)
        return func(*args, **(kwargs or {}))


def _library_convolutions(function) -> list[str]:
    """NumPy/SciPy convolutions the function's source uses (none if the source cannot be read).

    Only attribute access (``np.convolve``, ``signal.correlate2d``) and imports from numpy or scipy
    count, so a helper of the learner's own that happens to be called ``convolve`` is not blamed.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return []
    found = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    found |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              and (node.module or "").split(".")[0] in ("numpy", "scipy") for alias in node.names}
    return sorted(found & _LIBRARY_CONVOLUTIONS)


# how a learner would have written what the spy or the source check found
_SPELLED = {"conv1d": "F.conv1d / nn.Conv1d", "conv2d": "F.conv2d / nn.Conv2d", "conv3d": "F.conv3d / nn.Conv3d",
            "unfold": "F.unfold / Tensor.unfold", "im2col": "F.unfold"}


def _refuse_ready_made_convolutions(used: list[str]) -> None:
    if used:
        names = ", ".join(dict.fromkeys(_SPELLED.get(name, name) for name in used))
        raise CheckFailed(msg("conv2d_single uses {names}, which computes the windows for you; this exercise is "
                              "to compute every window yourself", names=names),
                          msg("loop over the output: window = x[i*stride : i*stride + kH, j*stride : j*stride + kW], "
                              "then (window * w).sum()"))


def _conv2d_single_cases() -> list:
    example, kernel = torch.tensor(EXAMPLE_IMAGE), torch.tensor(EXAMPLE_KERNEL)
    generator = torch.Generator().manual_seed(2)
    return [(example.float(), kernel.float(), 1, 0), (example.float(), kernel.float(), 2, 0),
            (example.float(), kernel.float(), 1, 1), (example.float(), kernel.float(), 2, 1),
            (torch.randn(6, 7, generator=generator), torch.randn(2, 3, generator=generator), 1, 0),
            (torch.randn(7, 6, generator=generator), torch.randn(3, 2, generator=generator), 3, 2)]


@exercise("2.2", expects="a function conv2d_single(x, w, stride=1, padding=0) that returns a 2-D tensor")
def exercise_2_2(conv2d_single) -> None:
    """``conv2d_single(x, w, stride=1, padding=0)`` on 2-D tensors, equal to ``F.conv2d``, computed without
    any ready-made convolution or unfold (``F.conv2d``, ``nn.Conv2d``, ``F.unfold``, ``Tensor.unfold``, …).
    """
    for x, w, stride, padding in _conv2d_single_cases():
        expected = F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]
        with _ConvolutionSpy() as spy:
            got = call(conv2d_single, x.clone(), w.clone(), stride=stride, padding=padding)
        _refuse_ready_made_convolutions(spy.used)
        setting = f"x {tuple(x.shape)}, w {tuple(w.shape)}, stride={stride}, padding={padding}"
        if not isinstance(got, torch.Tensor):
            raise CheckFailed(msg("expected a tensor for {setting}, got {kind}", setting=setting,
                                  kind=type(got).__name__),
                              msg("build the output with torch.zeros(H_out, W_out) and fill it"))
        expect(tuple(got.shape) == tuple(expected.shape),
               msg("for {setting}: expected shape {expected}, got {got}", setting=setting,
                   expected=tuple(expected.shape), got=tuple(got.shape)),
               msg("H_out = (H + 2*padding - kH) // stride + 1, likewise W_out"))
        expect_close(got.to(expected.dtype), expected, msg("the values for {setting}", setting=setting), atol=1e-4,
                     hint=msg("pad first, then each output[i, j] = (window * w).sum() "
                              "with the window starting at (i*stride, j*stride)"))
    _refuse_ready_made_convolutions(_library_convolutions(conv2d_single))


@exercise("2.3", expects="a shape as a tuple of 4 ints, e.g. (1, 2, 3, 4)")
def exercise_2_3(answer) -> None:
    """Shape of ``nn.Conv2d(12, 24, 3, groups=4).weight``."""
    value = as_shape(answered(answer), msg("the weight shape"))
    expected = tuple(nn.Conv2d(12, 24, 3, groups=4).weight.shape)
    if value == (24, 12, 3, 3):
        raise CheckFailed(msg("expected {expected}, got {value}", expected=expected, value=value),
                          msg("with groups=4 each filter sees only 12 / 4 input channels"))
    expect_equal(value, expected, msg("weight shape"), msg("(C_out, C_in / groups, kH, kW)"))


@exercise("2.4", expects="a function conv_via_unfold(x, w) that returns a 4-D tensor")
def exercise_2_4(conv_via_unfold) -> None:
    """``conv_via_unfold(x, w)``: stride 1, no padding, no bias, groups 1, via ``F.unfold`` and a matrix product."""
    generator = torch.Generator().manual_seed(4)
    for n, c_in, c_out, h, w_, kh, kw in [(1, 1, 1, 5, 5, 3, 3), (2, 3, 4, 6, 7, 3, 2), (3, 2, 5, 4, 4, 1, 1)]:
        x = torch.randn(n, c_in, h, w_, generator=generator)
        weight = torch.randn(c_out, c_in, kh, kw, generator=generator)
        setting = f"x {tuple(x.shape)}, w {tuple(weight.shape)}"
        got = call(conv_via_unfold, x.clone(), weight.clone())
        expected = F.conv2d(x, weight)
        if isinstance(got, torch.Tensor) and got.numel() == expected.numel() and got.shape != expected.shape:
            raise CheckFailed(msg("for {setting}: expected shape {expected}, got {got}", setting=setting,
                                  expected=tuple(expected.shape), got=tuple(got.shape)),
                              msg("reshape the (N, C_out, L) product to (N, C_out, H_out, W_out)"))
        expect_close(got, expected, msg("the values for {setting}", setting=setting), atol=1e-4,
                     hint=msg("columns = F.unfold(x, (kH, kW)); w.reshape(C_out, -1) @ columns; then reshape"))


# --------------------------------------------------------------------------- 2.5: design an edge detector

_EDGE_SIZE = 16  # test images are 16×16; only the interior (3 pixels from the border) is judged
_INTERIOR = slice(3, _EDGE_SIZE - 3)


def _edge_images() -> dict:
    """Test images (1, 1, 16, 16): flat, a vertical edge, and horizontal edges both ways round."""
    flat = torch.full((_EDGE_SIZE, _EDGE_SIZE), 0.7)
    step = (torch.arange(_EDGE_SIZE) >= _EDGE_SIZE // 2).float()
    return {"flat": flat, "vertical": step.expand(_EDGE_SIZE, -1).clone(),
            "dark above bright": step[:, None].expand(-1, _EDGE_SIZE).clone(),
            "bright above dark": 1 - step[:, None].expand(-1, _EDGE_SIZE)}


def _edge_responses(horizontal_edges) -> dict:
    images = _edge_images()
    batch = torch.stack(list(images.values()))[:, None]  # (4, 1, 16, 16)
    got = call(horizontal_edges, batch.clone())
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(msg("horizontal_edges returned {kind}, not a tensor", kind=type(got).__name__),
                          msg("return the response map, e.g. F.conv2d(images, kernel, padding=1)"))
    expect(tuple(got.shape) == tuple(batch.shape),
           msg("for images of shape {expected} horizontal_edges returned shape {got}",
               expected=tuple(batch.shape), got=tuple(got.shape)),
           msg("keep the size: a 3×3 kernel needs padding=1; the kernel's shape is (1, 1, kH, kW)"))
    got = got.detach().double()
    scale = float(got.abs().max()) or 1.0
    return {name: got[i, 0, _INTERIOR, _INTERIOR] / scale for i, name in enumerate(images)}


@exercise("2.5", expects="a function horizontal_edges(images) that returns a tensor of the images' shape")
def exercise_2_5(horizontal_edges) -> None:
    """``horizontal_edges(images)``: ``(N, 1, H, W)`` -> ``(N, 1, H, W)``, positive where a dark region lies
    above a bright one, negative the other way round, zero on flat regions and on vertical edges.
    """
    response = _edge_responses(horizontal_edges)
    tolerance = 1e-4
    expect(bool(response["flat"].abs().max() < tolerance),
           msg("on a flat grey image the response is not 0"),
           msg("make the kernel's weights add up to 0, so a flat region gives 0"))
    expect(bool(response["vertical"].abs().max() < tolerance),
           msg("a vertical edge (dark left, bright right) also gives a response"),
           msg("make every column of the kernel add up to 0: then only changes from top to bottom count"))
    edge = response["dark above bright"]
    highest, lowest = float(edge.max()), float(edge.min())
    expect(highest > tolerance or lowest < -tolerance, msg("a horizontal edge gives no response at all"),
           msg("give the top row negative weights and the bottom row positive ones, e.g. -1, -2, -1 and 1, 2, 1"))
    expect(highest > tolerance, msg("dark above bright gives a negative response; it should be positive"),
           msg("turn the kernel upside down: negative weights on top, positive at the bottom"))
    expect(lowest > -tolerance,
           msg("one dark-above-bright edge gives both positive and negative responses: that finds lines, "
               "not edges"),
           msg("use two rows of opposite sign, e.g. -1, -2, -1 on top and 1, 2, 1 at the bottom"))
    expect(float(response["bright above dark"].min()) < -tolerance,
           msg("bright above dark should give a negative response (an edge detector keeps the direction)"),
           msg("return the convolution itself, without abs() or a ReLU"))


# --------------------------------------------------------------------------- 2.6: debug a blur


def _blur_reference(images: torch.Tensor) -> torch.Tensor:
    box = torch.full((3, 1, 3, 3), 1 / 9, dtype=images.dtype)
    return F.conv2d(images, box, padding=1, groups=3)


def _call_blur(blur_each_channel, images: torch.Tensor):
    """Call the learner's blur; PyTorch's "Given groups=…" error gets a hint about the weight's shape."""
    try:
        return call(blur_each_channel, images.clone())
    except CheckFailed as failure:
        if "Given groups=" in str(failure.message.fields.get("error", "")):
            raise CheckFailed(failure.message,
                              msg("with groups=3 each filter sees 3 / 3 = 1 input channel, so the weight must be "
                                  "(C_out, C_in / groups, kH, kW) = (3, 1, 3, 3)")) from None
        raise


@exercise("2.6", expects="a function blur_each_channel(images) that returns a tensor of the images' shape")
def exercise_2_6(blur_each_channel) -> None:
    """``blur_each_channel(images)``: ``(N, 3, H, W)`` -> ``(N, 3, H, W)``, each channel averaged over its
    own 3×3 neighbourhood (zeros outside), channels never mixed.
    """
    generator = torch.Generator().manual_seed(6)
    for shape in [(2, 3, 8, 8), (1, 3, 5, 7)]:
        images = torch.rand(shape, generator=generator)
        expected = _blur_reference(images)
        got = _call_blur(blur_each_channel, images)
        if not isinstance(got, torch.Tensor):
            raise CheckFailed(msg("blur_each_channel returned {kind}, not a tensor", kind=type(got).__name__),
                              msg("return the result of F.conv2d"))
        expect(tuple(got.shape) == shape,
               msg("for images of shape {shape} blur_each_channel returned shape {got}", shape=shape,
                   got=tuple(got.shape)),
               msg("keep the size with padding=1"))
        if torch.allclose(got[:, 0], got[:, 1], atol=1e-5) and torch.allclose(got[:, 1], got[:, 2], atol=1e-5):
            raise CheckFailed(msg("all three output channels are the same: the colours were mixed"),
                              msg("without groups every filter adds up all 3 input channels; keep groups=3, "
                                  "whose filters see one channel each, and give the weight the shape "
                                  "(3, 1, 3, 3) = (C_out, C_in / groups, kH, kW)"))
        expect_close(got, expected, msg("the blurred values for images of shape {shape}", shape=shape),
                     atol=1e-5, hint=msg("each weight is 1/9: the mean of the 3×3 neighbourhood"))
