"""Checks for the exercises of notebook 07 (ResNet18).

Each checker compares the learner's function with what the real modules do on cases computed here.
"""

from __future__ import annotations

import torch
from torch import nn

from . import (
    CheckFailed,
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

__all__ = ["exercise_7_1", "exercise_7_2", "exercise_7_3", "set_language"]


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@exercise("7.1", expects="a function block_output_shape(input_shape, out_channels, stride) that returns "
                         "a tuple of 4 ints")
def exercise_7_1(block_output_shape) -> None:
    """``block_output_shape(input_shape, out_channels, stride)`` predicts a BasicBlock's output shape."""
    from course_utils.models import BasicBlock

    # odd sizes catch "H // stride" (PyTorch rounds up here); channel changes at stride 1 too
    cases = [((1, 64, 56, 56), 64, 1), ((2, 64, 56, 56), 128, 2), ((1, 128, 7, 7), 256, 2),
             ((3, 16, 9, 12), 16, 1), ((1, 32, 15, 10), 32, 2), ((2, 8, 5, 5), 24, 1)]
    for input_shape, out_channels, stride in cases:
        block = BasicBlock(input_shape[1], out_channels, stride).eval()
        with torch.no_grad():
            expected = tuple(block(torch.zeros(input_shape)).shape)
        got = as_shape(call(block_output_shape, input_shape, out_channels, stride), msg("the block's output shape"))
        if got != expected:
            raise CheckFailed(
                msg("for input {input_shape}, out_channels={out_channels}, stride={stride} expected {expected}, "
                    "got {got}", input_shape=input_shape, out_channels=out_channels, stride=stride,
                    expected=expected, got=got),
                msg("conv1 (3×3, padding 1) gets the stride: H_out = floor((H + 2 - 3) / s) + 1, "
                    "i.e. H / s rounded up"))


@exercise("7.2", expects="a function stage_parameters(c_in, c_out, stride) that returns an int")
def exercise_7_2(stage_parameters) -> None:
    """``stage_parameters(c_in, c_out, stride)`` counts a stage's parameters by formula."""
    from course_utils.models import BasicBlock

    cases = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2), (16, 16, 2), (8, 24, 1), (3, 5, 1)]
    for c_in, c_out, stride in cases:
        expected = _count(nn.Sequential(BasicBlock(c_in, c_out, stride), BasicBlock(c_out, c_out)))
        got = as_int(call(stage_parameters, c_in, c_out, stride), msg("the parameter count"))
        if got != expected:
            if stride != 1 or c_in != c_out:
                hint = msg("four 3×3 convs without bias (the first one C_in→C_out), four BNs with 2·C_out each, "
                           "and a shortcut: 1×1 conv C_in·C_out plus a BN")
            else:
                hint = msg("four 3×3 convs without bias (the first one C_in→C_out), four BNs with 2·C_out each; "
                           "no shortcut conv when the shape does not change")
            raise CheckFailed(msg("for c_in={c_in}, c_out={c_out}, stride={stride} expected {expected:,}, got {got:,}",
                                  c_in=c_in, c_out=c_out, stride=stride, expected=expected, got=got), hint)


def _layer4_shape(model: nn.Module) -> tuple[torch.Tensor, tuple]:
    """The logits for a (2, 3, 32, 32) batch, and the shape layer4 gave on the way."""
    seen = {}
    handle = model.layer4.register_forward_hook(lambda module, args, output: seen.update(shape=output.shape))
    try:
        model.eval()
        with torch.no_grad():
            logits = call(model, torch.zeros(2, 3, 32, 32))
    finally:
        handle.remove()
    return logits, tuple(seen.get("shape", ()))


@exercise("7.3", expects="a function make_small_image_resnet18(num_classes) that returns a ResNet18 module")
def exercise_7_3(make_small_image_resnet18) -> None:
    """``make_small_image_resnet18(num_classes)``: a ResNet18 whose stem keeps 32×32 images large."""
    from course_utils.models import ResNet18

    model = expect_module(call(make_small_image_resnet18, 10), "make_small_image_resnet18(10)")
    expected_model = ResNet18(num_classes=10)
    expected_model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
    expected_model.maxpool = nn.Identity()
    conv1 = getattr(model, "conv1", None)
    expect(isinstance(conv1, nn.Conv2d), msg("the model has no Conv2d called conv1"),
           msg("start from ResNet18(num_classes=num_classes) and replace model.conv1"))
    expect_equal((conv1.kernel_size, conv1.stride, conv1.padding), ((3, 3), (1, 1), (1, 1)),
                 msg("conv1 (kernel_size, stride, padding)"), msg("a 3×3 conv, stride 1, padding 1"))
    expect(conv1.bias is None, msg("conv1 has a bias, but BatchNorm follows it"), msg("pass bias=False"))
    expect(not isinstance(getattr(model, "maxpool", None), nn.MaxPool2d), msg("model.maxpool still pools"),
           msg("replace it with nn.Identity()"))
    expect(isinstance(getattr(model, "layer4", None), nn.Module), msg("the model has no layer4"),
           msg("start from ResNet18(num_classes=num_classes) and change only conv1 and maxpool"))
    logits, layer4_shape = _layer4_shape(model)
    expect_shape(logits, (2, 10), msg("output shape for a (2, 3, 32, 32) batch"))
    expect_equal(layer4_shape, (2, 512, 4, 4), msg("layer4's output shape"),
                 msg("only layer2-4 should halve the size now: 32 → 32 → 16 → 8 → 4"))
    expect_equal(_count(model), _count(expected_model), msg("parameter count"),
                 msg("conv1 now has 64·3·3·3 weights; nothing else changes"))
