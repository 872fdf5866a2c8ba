"""Checks for the exercises of notebook 07 (ResNet18).

Each ``check_7_x`` takes the learner's function, compares it with what the real
modules do on cases computed here, and prints one line (✅ / ❌ … — hint: … / ⏳).
"""

from __future__ import annotations

import torch
from torch import nn

from . import CheckFailed, call, expect, expect_equal, expect_shape, run_check

__all__ = ["check_7_1", "check_7_2", "check_7_3"]


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def check_7_1(block_output_shape) -> None:
    """7.1: ``block_output_shape(input_shape, out_channels, stride)`` predicts a BasicBlock's output shape."""
    from course_utils.models import BasicBlock

    def test():
        # odd sizes catch "H // stride" (PyTorch rounds up here); channel changes at stride 1 too
        cases = [((1, 64, 56, 56), 64, 1), ((2, 64, 56, 56), 128, 2), ((1, 128, 7, 7), 256, 2),
                 ((3, 16, 9, 12), 16, 1), ((1, 32, 15, 10), 32, 2), ((2, 8, 5, 5), 24, 1)]
        for input_shape, out_channels, stride in cases:
            block = BasicBlock(input_shape[1], out_channels, stride).eval()
            with torch.no_grad():
                expected = tuple(block(torch.zeros(input_shape)).shape)
            got = call(block_output_shape, input_shape, out_channels, stride)
            expect(isinstance(got, (tuple, list, torch.Size)),
                   f"expected a tuple of 4 ints, got {type(got).__name__}", "return e.g. (1, 128, 28, 28)")
            got = tuple(int(size) for size in got)
            where = f"for input {input_shape}, out_channels={out_channels}, stride={stride}"
            if got != expected:
                raise CheckFailed(
                    f"{where} expected {expected}, got {got}",
                    "conv1 (3×3, padding 1) gets the stride: H_out = floor((H + 2 - 3) / s) + 1, i.e. H / s rounded up",
                )

    run_check("7.1", test)


def check_7_2(stage_parameters) -> None:
    """7.2: ``stage_parameters(c_in, c_out, stride)`` counts a stage's parameters by formula."""
    from course_utils.models import BasicBlock

    def test():
        cases = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2), (16, 16, 2), (8, 24, 1), (3, 5, 1)]
        for c_in, c_out, stride in cases:
            stage = nn.Sequential(BasicBlock(c_in, c_out, stride), BasicBlock(c_out, c_out))
            got = call(stage_parameters, c_in, c_out, stride)
            expect(isinstance(got, int) and not isinstance(got, bool),
                   f"expected an int, got {type(got).__name__}", "add up integers (no tensors needed)")
            if got != _count(stage):
                shortcut = stride != 1 or c_in != c_out
                hint = ("four 3×3 convs without bias (the first one C_in→C_out), four BNs with 2·C_out each"
                        + (", and a shortcut: 1×1 conv C_in·C_out plus a BN" if shortcut
                           else "; no shortcut conv when the shape does not change"))
                raise CheckFailed(f"for c_in={c_in}, c_out={c_out}, stride={stride} expected "
                                  f"{_count(stage):,}, got {got:,}", hint)

    run_check("7.2", test)


def check_7_3(make_small_image_resnet18) -> None:
    """7.3: ``make_small_image_resnet18(num_classes)``: a ResNet18 whose stem keeps 32×32 images large."""
    from course_utils.models import ResNet18

    def test():
        model = call(make_small_image_resnet18, 10)
        expect(isinstance(model, nn.Module), f"expected an nn.Module, got {type(model).__name__}",
               "return the modified model")
        expected_model = ResNet18(num_classes=10)
        expected_model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        expected_model.maxpool = nn.Identity()
        conv1 = getattr(model, "conv1", None)
        expect(isinstance(conv1, nn.Conv2d), "the model has no Conv2d called conv1",
               "start from ResNet18(num_classes=num_classes) and replace model.conv1")
        expect_equal((conv1.kernel_size, conv1.stride, conv1.padding), ((3, 3), (1, 1), (1, 1)),
                     what="conv1 (kernel_size, stride, padding)", hint="a 3×3 conv, stride 1, padding 1")
        expect(conv1.bias is None, "conv1 has a bias, but BatchNorm follows it", "pass bias=False")
        expect(not isinstance(getattr(model, "maxpool", None), nn.MaxPool2d), "model.maxpool still pools",
               "replace it with nn.Identity()")
        seen = {}
        handle = model.layer4.register_forward_hook(lambda module, args, output: seen.update(shape=output.shape))
        try:
            model.eval()
            with torch.no_grad():
                logits = model(torch.zeros(2, 3, 32, 32))
        finally:
            handle.remove()
        expect_shape(logits, (2, 10), what="output shape for a (2, 3, 32, 32) batch")
        expect_equal(tuple(seen.get("shape", ())), (2, 512, 4, 4), what="layer4's output shape",
                     hint="only layer2-4 should halve the size now: 32 → 32 → 16 → 8 → 4")
        expect_equal(_count(model), _count(expected_model), what="parameter count",
                     hint="conv1 now has 64·3·3·3 weights; nothing else changes")

    run_check("7.3", test)
