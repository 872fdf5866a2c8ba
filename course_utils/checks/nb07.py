"""Checks for the exercises of notebook 07 (ResNet18).

Each checker compares the learner's answer with what the real modules do on cases computed here:
``BasicBlock``, ``ResNet18`` and torchvision's ``resnet18`` (random weights, nothing downloaded).
"""

from __future__ import annotations

import torch
from torch import nn

from . import (
    CheckFailed,
    NotAttempted,
    as_int,
    as_shape,
    call,
    exercise,
    expect,
    expect_close,
    expect_equal,
    expect_module,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
    shown,
)
from ._mistakes import is_placeholder

__all__ = ["exercise_7_1", "exercise_7_2", "exercise_7_3", "exercise_7_4", "set_language"]


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


# --------------------------------------------------------------------------- 7.3: write BasicBlock


def _names_hint(missing: set[str], unexpected: set[str], changes_shape: bool):
    """The likeliest reason why the learner's block has other parameter names than torchvision's."""
    conv_bias = {key for key in unexpected if key.endswith(".bias") and key.split(".")[0] in ("conv1", "conv2")}
    if conv_bias or "downsample.0.bias" in unexpected:
        return msg("a conv followed by BatchNorm needs no bias (BatchNorm subtracts the mean): pass bias=False")
    shortcut_missing = any(key.startswith("downsample.") for key in missing)
    if shortcut_missing and unexpected:
        return msg("name the shortcut self.downsample = nn.Sequential(conv 1×1, BatchNorm2d): its weights load "
                   "as downsample.0.* and downsample.1.*")
    if shortcut_missing:
        return msg("a block that changes the shape needs a shortcut that changes it too: self.downsample = "
                   "nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), "
                   "nn.BatchNorm2d(out_channels))")
    if not changes_shape and any(key.startswith("downsample.") for key in unexpected):
        return msg("a block that keeps the shape adds x itself: set self.downsample = None")
    return msg("use torchvision's names: conv1, bn1, relu, conv2, bn2 and downsample")


def _some(keys: set[str], most: int = 4) -> str:
    keys = sorted(keys)
    return ", ".join(keys[:most]) + (f" (+{len(keys) - most} more)" if len(keys) > most else "") if keys else "-"


def _expect_torchvision_names(block: nn.Module, reference: nn.Module, described: str) -> None:
    """Same state_dict keys, and the same shape for each, as torchvision's block (our ``BasicBlock``)."""
    ours = {key: tuple(value.shape) for key, value in reference.state_dict().items()}
    theirs = {key: tuple(value.shape) for key, value in block.state_dict().items()}
    missing, unexpected = set(ours) - set(theirs), set(theirs) - set(ours)
    if missing or unexpected:
        changes_shape = reference.downsample is not None
        raise CheckFailed(msg("{block} does not have torchvision's parameter names: missing {missing}; "
                              "unexpected {unexpected}", block=described,
                              missing=_some(missing), unexpected=_some(unexpected)),
                          _names_hint(missing, unexpected, changes_shape))
    for key, shape in ours.items():
        if theirs[key] != shape:
            raise CheckFailed(msg("{block}: {key} has shape {got}, torchvision's has {expected}",
                                  block=described, key=key, got=theirs[key], expected=shape),
                              msg("conv1 = Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False), "
                                  "conv2 = Conv2d(out_channels, out_channels, 3, padding=1, bias=False)"))


def _randomise_batchnorm(block: nn.Module, generator: torch.Generator) -> None:
    """Give every BatchNorm non-trivial γ, β and running statistics, so that a misplaced one shows."""
    for module in block.modules():
        if isinstance(module, nn.BatchNorm2d):
            size = module.num_features
            module.weight.data = torch.rand(size, generator=generator) + 0.5
            module.bias.data = torch.randn(size, generator=generator) * 0.5
            module.running_mean = torch.randn(size, generator=generator) * 0.3
            module.running_var = torch.rand(size, generator=generator) + 0.5


def _wrong_forwards(reference: nn.Module, x: torch.Tensor) -> list[tuple[torch.Tensor, object]]:
    """What the classic wrong forwards compute, each with the hint that names the mistake."""
    r = reference
    branch = r.bn2(r.conv2(torch.relu(r.bn1(r.conv1(x)))))
    shortcut = x if r.downsample is None else r.downsample(x)
    return [
        (branch + shortcut, msg("apply the ReLU after adding the shortcut: return self.relu(out + shortcut)")),
        (torch.relu(branch) + shortcut, msg("the last ReLU comes after the addition, not before it")),
        (torch.relu(branch), msg("add the shortcut before the last ReLU: self.relu(out + shortcut)")),
        (torch.relu(r.bn2(r.conv2(r.bn1(r.conv1(x)))) + shortcut),
         msg("apply a ReLU between bn1 and conv2")),
    ]


def _run_block(block: nn.Module, x: torch.Tensor, described: str) -> torch.Tensor:
    try:
        return block(x)
    except Exception as error:
        if is_placeholder(error):
            raise NotAttempted from None
        hint = msg("run it on the example above and read the error message")
        if "must match the size of tensor" in str(error):
            hint = msg("only conv1 gets the stride; conv2 keeps the size (stride 1), and the shortcut must "
                       "change the shape exactly as conv1 does")
        raise CheckFailed(msg("{block} raised {error_type}: {error}", block=described,
                              error_type=type(error).__name__, error=str(error)), hint) from None


def _expect_same_block(block_class: type, in_channels: int, out_channels: int, stride: int) -> None:
    """The learner's block has torchvision's names and, given our block's weights, computes what ours does."""
    from course_utils.models import BasicBlock

    generator = torch.Generator().manual_seed(in_channels * 100 + out_channels + stride)
    torch.manual_seed(7)  # the blocks' own random initialisation, overwritten below
    reference = BasicBlock(in_channels, out_channels, stride)
    _randomise_batchnorm(reference, generator)
    described = f"{block_class.__name__}({in_channels}, {out_channels}, stride={stride})"
    block = expect_module(call(block_class, in_channels, out_channels, stride), described)
    _expect_torchvision_names(block, reference, described)
    block.load_state_dict(reference.state_dict())
    block.eval()
    reference.eval()
    x = torch.randn(2, in_channels, 7, 7, generator=generator)
    with torch.no_grad():
        got, expected = _run_block(block, x, described), reference(x)
        expect_shape(got, tuple(expected.shape), msg("{block}'s output shape", block=described),
                     msg("only conv1 gets the stride; conv2 keeps the size (stride 1)"))
        if torch.allclose(got, expected, atol=1e-5):
            return
        for wrong, hint in _wrong_forwards(reference, x):
            if torch.allclose(got, wrong, atol=1e-5):
                raise CheckFailed(msg("{block} computes something else than torchvision's block",
                                      block=described), hint)
    expect_close(got, expected, msg("{block}'s outputs", block=described),
                 hint=msg("conv1 → bn1 → ReLU → conv2 → bn2, add the shortcut (x, or downsample(x)), then ReLU"))


@exercise("7.3", expects="a class MyBasicBlock(in_channels, out_channels, stride=1) that subclasses nn.Module")
def exercise_7_3(block_class) -> None:
    """``block_class`` builds a ResNet18 that loads torchvision's weights (``strict=True``) and computes the same."""
    import torchvision

    from course_utils.models import BasicBlock, ResNet18

    if block_class is Ellipsis:
        raise NotAttempted
    if callable(block_class) and not isinstance(block_class, (type, nn.Module)):
        call(block_class, 8, 8, 1)  # a placeholder function that still raises NotImplementedError: not attempted
    expect(isinstance(block_class, type) and issubclass(block_class, nn.Module),
           msg("expected the class itself (a subclass of nn.Module), got {value}", value=shown(block_class)),
           msg("pass the class, not an instance: MyBasicBlock, not MyBasicBlock(64, 64)"))
    expect(not issubclass(block_class, BasicBlock), msg("{name} subclasses course_utils' BasicBlock",
                                                        name=block_class.__name__),
           msg("write it yourself: class {name}(nn.Module)", name=block_class.__name__))
    # same shape; downsampling (layer2-4); more channels at stride 1 (needs a 1×1 shortcut too)
    for in_channels, out_channels, stride in [(8, 8, 1), (8, 16, 2), (8, 16, 1)]:
        _expect_same_block(block_class, in_channels, out_channels, stride)
    torch.manual_seed(0)
    theirs = torchvision.models.resnet18(weights=None, num_classes=10).eval()
    model = call(ResNet18, num_classes=10, block=block_class)
    model.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 40, 40, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expect_close(model.eval()(x), theirs(x), msg("ResNet18(block={name})'s outputs", name=block_class.__name__),
                     atol=1e-4)


# --------------------------------------------------------------------------- 7.4: a stem for small images


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


@exercise("7.4", expects="a function make_small_image_resnet18(num_classes) that returns a ResNet18 module")
def exercise_7_4(make_small_image_resnet18) -> None:
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
