"""ResNet18 and BasicBlock: torchvision compatibility, parity, shapes, parameter counts, errors."""

import contextlib
import functools
import io
import math

import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.checks import nb07
from course_utils.models import DOWNSAMPLING, BasicBlock, DeepMLP, LinearBlock, ResNet18


def torchvision_resnet18(num_classes=1000, in_channels=3, **kwargs):
    """torchvision's ResNet18 (random weights, nothing downloaded), with a new stem for other channel counts."""
    model = torchvision.models.resnet18(weights=None, num_classes=num_classes, **kwargs)
    if in_channels != 3:
        model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model


def count(module):
    return sum(p.numel() for p in module.parameters())


CONFIGS = [(1000, 3), (10, 3), (1000, 1), (10, 1)]


# ---------------------------------------------------------------- torchvision compatibility


@pytest.mark.parametrize("num_classes, in_channels", CONFIGS)
def test_state_dict_has_torchvision_keys_and_shapes(num_classes, in_channels):
    ours = ResNet18(num_classes, in_channels).state_dict()
    theirs = torchvision_resnet18(num_classes, in_channels).state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[key].shape == theirs[key].shape for key in theirs)


@pytest.mark.parametrize("num_classes, in_channels", CONFIGS)
def test_loads_torchvision_weights_strictly_and_gives_the_same_outputs(num_classes, in_channels):
    torch.manual_seed(1)
    theirs = torchvision_resnet18(num_classes, in_channels).eval()
    ours = ResNet18(num_classes=num_classes, in_channels=in_channels)
    result = ours.load_state_dict(theirs.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    ours.eval()
    generator = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for size in [(224, 224), (32, 32), (28, 28), (61, 97), (1, 1)]:
            x = torch.randn(2, in_channels, *size, generator=generator)
            expected, got = theirs(x), ours(x)
            assert got.shape == (2, num_classes)
            assert torch.allclose(got, expected, atol=1e-5, rtol=0), (size, (got - expected).abs().max())


def test_parity_in_training_mode_including_running_statistics():
    torch.manual_seed(3)
    theirs = torchvision_resnet18(10, 1).train()
    ours = ResNet18(10, 1)
    ours.load_state_dict(theirs.state_dict())
    ours.train()
    x = torch.randn(4, 1, 28, 28)
    assert torch.allclose(ours(x), theirs(x), atol=1e-5, rtol=0)
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert torch.allclose(a.double(), b.double(), atol=1e-6), name


def test_gradients_match_torchvision():
    torch.manual_seed(4)
    theirs = torchvision_resnet18(10)
    ours = ResNet18(10)
    ours.load_state_dict(theirs.state_dict())
    x, y = torch.randn(3, 3, 40, 40), torch.tensor([1, 5, 9])
    for model in (ours, theirs):
        nn.functional.cross_entropy(model(x), y).backward()
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert torch.allclose(a.grad, b.grad, atol=1e-5, rtol=1e-4), name


def test_module_names_follow_torchvision():
    ours, theirs = ResNet18(), torchvision.models.resnet18(weights=None)
    assert [name for name, _ in ours.named_children()] == [name for name, _ in theirs.named_children()]
    assert [name for name, _ in ours.layer2[0].named_children()] == [
        "conv1", "bn1", "relu", "conv2", "bn2", "downsample"]


@pytest.mark.parametrize("zero_init_residual", [False, True])
def test_same_seed_gives_torchvision_initial_weights_exactly(zero_init_residual):
    torch.manual_seed(0)
    ours = ResNet18(zero_init_residual=zero_init_residual).state_dict()
    torch.manual_seed(0)
    theirs = torchvision.models.resnet18(weights=None, zero_init_residual=zero_init_residual).state_dict()
    assert all(torch.equal(ours[key], theirs[key]) for key in theirs)


def test_initialisation_is_kaiming_fan_out_and_unit_batchnorm():
    torch.manual_seed(0)
    model = ResNet18()
    weight = model.layer3[1].conv1.weight  # 256·256·9 values: the sample std is close to the target
    fan_out = weight.shape[0] * weight.shape[2] * weight.shape[3]
    assert abs(weight.std().item() / math.sqrt(2 / fan_out) - 1) < 0.01
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            assert torch.all(module.weight == 1) and torch.all(module.bias == 0)


def test_zero_init_residual_makes_every_block_start_as_identity_plus_relu():
    model = ResNet18(zero_init_residual=True).eval()
    blocks = [block for block in model.modules() if isinstance(block, BasicBlock)]
    assert len(blocks) == 8 and all(torch.all(block.bn2.weight == 0) for block in blocks)
    x = torch.rand(2, 64, 9, 9)  # non-negative, as after a ReLU
    with torch.no_grad():
        assert torch.equal(model.layer1(x), x)


# ---------------------------------------------------------------- parameter counts


@pytest.mark.parametrize("num_classes, in_channels, expected", [
    (1000, 3, 11_689_512), (10, 3, 11_181_642), (10, 1, 11_175_370), (1000, 1, 11_683_240)])
def test_parameter_counts(num_classes, in_channels, expected):
    ours = ResNet18(num_classes=num_classes, in_channels=in_channels)
    assert count(ours) == expected == count(torchvision_resnet18(num_classes, in_channels))


def test_parameter_count_per_stage():
    model = ResNet18()
    per_stage = {name: count(child) for name, child in model.named_children()}
    assert per_stage == {"conv1": 9_408, "bn1": 128, "relu": 0, "maxpool": 0, "layer1": 147_968,
                         "layer2": 525_568, "layer3": 2_099_712, "layer4": 8_393_728, "avgpool": 0, "fc": 513_000}


def test_no_convolution_has_a_bias():
    assert all(m.bias is None for m in ResNet18().modules() if isinstance(m, nn.Conv2d))


# ---------------------------------------------------------------- BasicBlock


def test_identity_block_keeps_the_shape_and_has_no_downsample():
    block = BasicBlock(64, 64)
    assert block.downsample is None
    assert block(torch.randn(2, 64, 56, 56)).shape == (2, 64, 56, 56)
    assert count(block) == 2 * 9 * 64 * 64 + 2 * 2 * 64


@pytest.mark.parametrize("size, expected", [(56, 28), (7, 4), (28, 14), (1, 1), (9, 5)])
def test_downsampling_block_halves_rounding_up_and_has_a_1x1_shortcut(size, expected):
    block = BasicBlock(64, 128, stride=2)
    assert isinstance(block.downsample, nn.Sequential)
    assert isinstance(block.downsample[0], nn.Conv2d) and block.downsample[0].kernel_size == (1, 1)
    assert block.downsample[0].stride == (2, 2) and isinstance(block.downsample[1], nn.BatchNorm2d)
    assert block.conv1.stride == (2, 2) and block.conv2.stride == (1, 1)
    assert block(torch.randn(2, 64, size, size)).shape == (2, 128, expected, expected)


def test_channel_change_at_stride_1_also_gets_a_shortcut():
    block = BasicBlock(32, 48, stride=1)
    assert block.downsample is not None
    assert block(torch.randn(1, 32, 10, 10)).shape == (1, 48, 10, 10)


def test_block_computes_relu_of_residual_plus_shortcut():
    torch.manual_seed(5)
    block = BasicBlock(8, 8).eval()
    x = torch.randn(2, 8, 6, 6)
    with torch.no_grad():
        residual = block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(x)))))
        assert torch.allclose(block(x), torch.relu(x + residual))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(in_channels=0, out_channels=8), ValueError, "in_channels must be a positive int, got 0"),
    (dict(in_channels=8, out_channels=2.0), TypeError, r"out_channels must be a positive int, got 2.0 \(float\)"),
    (dict(in_channels=8, out_channels=8, stride=0), ValueError, "stride must be a positive int, got 0"),
    (dict(in_channels=True, out_channels=8), TypeError, r"in_channels must be a positive int, got True \(bool\)")])
def test_block_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        BasicBlock(**kwargs)


def test_block_checks_its_input():
    # Before, BasicBlock.forward checked nothing and these got torch's errors (or, for the rank, a 3-D result).
    block = BasicBlock(8, 16, stride=2)
    with pytest.raises(ValueError, match=r"BasicBlock's input must be 4-D \(N, C, H, W\), got shape \(8, 6, 6\); "
                                         r"one sample\? add a batch dimension with .unsqueeze\(0\)"):
        block(torch.randn(8, 6, 6))
    with pytest.raises(ValueError, match=r"BasicBlock was built with in_channels=8 but the input has 3 channels "
                                         r"\(shape \(2, 3, 6, 6\)\).*BasicBlock\(in_channels=3\)"):
        block(torch.randn(2, 3, 6, 6))
    with pytest.raises(TypeError, match=r"BasicBlock's input has dtype torch.float64 but the model's weights are "
                                        r"torch.float32; .*torch.from_numpy\(a\).float\(\)"):
        block(torch.randn(2, 8, 6, 6, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"BasicBlock's input must be a torch.Tensor"):
        block([[0.0]])


def test_blocks_accept_autocast_activations():
    # Inside torch.autocast the activations between blocks are bfloat16 while the weights stay float32.
    model = ResNet18(num_classes=10).eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


# ---------------------------------------------------------------- shapes and errors


@functools.lru_cache(maxsize=1)
def small_model():
    return ResNet18(num_classes=7, in_channels=2).eval()


@settings(max_examples=40, deadline=None)
@given(height=st.integers(1, 80), width=st.integers(1, 80), batch=st.integers(1, 2))
def test_layer4_map_is_input_size_over_32_rounded_up(height, width, batch):
    model, seen = small_model(), {}
    handle = model.layer4.register_forward_hook(lambda module, args, output: seen.update(shape=tuple(output.shape)))
    try:
        with torch.no_grad():
            assert model(torch.zeros(batch, 2, height, width)).shape == (batch, 7)
    finally:
        handle.remove()
    assert seen["shape"] == (batch, 512, math.ceil(height / DOWNSAMPLING), math.ceil(width / DOWNSAMPLING))


@pytest.mark.parametrize("size, expected", [
    (224, {"maxpool": (64, 56, 56), "layer2": (128, 28, 28), "layer4": (512, 7, 7)}),
    (32, {"maxpool": (64, 8, 8), "layer2": (128, 4, 4), "layer4": (512, 1, 1)}),
    (28, {"maxpool": (64, 7, 7), "layer2": (128, 4, 4), "layer4": (512, 1, 1)})])
def test_stage_shapes_match_the_reference_table(size, expected):
    model = ResNet18().eval()
    seen = {}
    for name in expected:
        getattr(model, name).register_forward_hook(
            lambda module, args, output, name=name: seen.update({name: tuple(output.shape[1:])}))
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    assert seen == expected


def test_too_small_to_train_names_the_minimum():
    model = ResNet18(num_classes=10, in_channels=1).train()
    with pytest.raises(ValueError, match=r"too small to train.*at least 33 pixels"):
        model(torch.randn(1, 1, 28, 28))
    with pytest.raises(ValueError, match="at least 33 pixels"):
        model(torch.randn(1, 1, 32, 32))
    # The same image is fine for inference, in a batch of two, or one pixel larger.
    assert model(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    assert model(torch.randn(1, 1, 33, 28)).shape == (1, 10)
    assert model.eval()(torch.randn(1, 1, 28, 28)).shape == (1, 10)


def test_too_small_error_keeps_the_batchnorm_error_as_its_cause():
    model = ResNet18().train()
    assert model(torch.randn(1, 3, 20, 40)).shape == (1, 1000)  # layer4 is 1×2: two values, enough
    with pytest.raises(ValueError, match="layer4's map is 1×1") as caught:
        model(torch.randn(1, 3, 20, 20))
    assert "more than 1 value per channel" in str(caught.value.__cause__)


def test_replaced_stem_is_respected_by_the_checks():
    # Surgery as on torchvision's model: the checks follow the new conv1 and the real map sizes.
    model = ResNet18(num_classes=10)
    model.conv1 = nn.Conv2d(1, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    assert model.train()(torch.randn(1, 1, 32, 32)).shape == (1, 10)  # layer4 is 4×4 now
    with pytest.raises(ValueError, match="in_channels=1 but the input has 3 channels"):
        model(torch.randn(2, 3, 32, 32))


def test_empty_image_names_the_minimum():
    with pytest.raises(ValueError, match=r"at least 1×1 pixels, got 0×5"):
        ResNet18().eval()(torch.zeros(1, 3, 0, 5))


def test_wrong_channel_count_says_how_to_fix_it():
    with pytest.raises(ValueError, match=r"in_channels=3 but the input has 1 channels.*ResNet18\(in_channels=1\)"):
        ResNet18().eval()(torch.zeros(2, 1, 32, 32))


def test_unbatched_image_and_non_tensor_inputs():
    with pytest.raises(ValueError, match=r"ResNet18's input must be 4-D \(N, C, H, W\), got shape \(3, 32, 32\).*"
                                         r"unsqueeze\(0\)"):
        ResNet18().eval()(torch.zeros(3, 32, 32))
    with pytest.raises(TypeError, match=r"ResNet18's input must be a torch.Tensor \(N, C, H, W\), got \[\[0.0\]\] "
                                        r"\(list\)"):
        ResNet18().eval()([[0.0]])


@pytest.mark.parametrize("kwargs, error", [(dict(num_classes=0), ValueError), (dict(num_classes=10.0), TypeError),
                                           (dict(in_channels=-1), ValueError), (dict(in_channels=False), TypeError)])
def test_model_rejects_bad_arguments(kwargs, error):
    (name, value), = kwargs.items()
    with pytest.raises(error, match=rf"{name} must be a positive int, got {value}"):
        ResNet18(**kwargs)
    with pytest.raises(TypeError, match="zero_init_residual must be True or False"):
        ResNet18(zero_init_residual="yes")


# ---------------------------------------------------------------- exercise checks


def printed(check, answer):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        check(answer)
    return buffer.getvalue()


def not_yet(*args):
    raise NotImplementedError


def right_7_1(input_shape, out_channels, stride):
    n, _, h, w = input_shape
    return (n, out_channels, (h - 1) // stride + 1, (w - 1) // stride + 1)


def right_7_2(c_in, c_out, stride):
    convs = 9 * c_in * c_out + 3 * 9 * c_out * c_out
    shortcut = c_in * c_out + 2 * c_out if (stride != 1 or c_in != c_out) else 0
    return convs + 4 * 2 * c_out + shortcut


def right_7_4(num_classes):
    model = ResNet18(num_classes=num_classes)
    model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    return model


def biased_7_4(num_classes):
    model = right_7_4(num_classes)
    model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1)
    return model


class RightBlock(nn.Module):
    """A learner's correct answer to 7.3, written from nn.Module."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                            nn.BatchNorm2d(out_channels))

    def shortcut(self, x):
        return x if self.downsample is None else self.downsample(x)

    def forward(self, x):
        out = torch.nn.functional.relu(self.bn1(self.conv1(x)))
        return torch.nn.functional.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class BiasedBlock(RightBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1)


class StarterBlock(nn.Module):
    """The starter cell of 7.3, untouched."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        raise NotImplementedError


@pytest.mark.parametrize("check, starter, right, wrong, wrong_message", [
    (nb07.exercise_7_1, not_yet, right_7_1, lambda s, c, k: (s[0], c, s[2] // k, s[3] // k),
     "expected (1, 256, 4, 4)"),
    (nb07.exercise_7_2, not_yet, right_7_2, lambda i, o, s: 9 * i * o + 3 * 9 * o * o + 8 * o, "expected 525,568"),
    (nb07.exercise_7_3, StarterBlock, RightBlock, BiasedBlock, "unexpected conv1.bias"),
    (nb07.exercise_7_4, not_yet, right_7_4, biased_7_4, "conv1 has a bias"),
])
def test_exercise_checks(check, starter, right, wrong, wrong_message):
    number = check.__name__[-3:].replace("_", ".")
    assert printed(check, starter) == f"⏳ {number} not attempted yet\n"
    assert printed(check, ...) == f"⏳ {number} not attempted yet\n"
    assert printed(check, right) == f"✅ {number} passed\n"
    message = printed(check, wrong)
    assert message.startswith(f"❌ {number}: ") and wrong_message in message and message.count("\n") == 1


def test_check_7_4_catches_a_model_that_still_pools():
    def still_pools(num_classes):
        model = right_7_4(num_classes)
        model.maxpool = nn.MaxPool2d(3, 2, 1)
        return model

    assert "model.maxpool still pools" in printed(nb07.exercise_7_4, still_pools)


@pytest.mark.parametrize("dtype, fix", [
    (torch.float64, r"convert the input with x.to\(torch.float32\) \(NumPy arrays are float64: "
                    r"torch.from_numpy\(a\).float\(\)\)"),
    (torch.uint8, r"convert with x.float\(\) \(and scale 0-255 pixels to \[0, 1\] first\)"),
    (torch.bool, r"convert with x.float\(\)"),
])
def test_wrong_dtypes_get_a_type_error_with_the_fix_not_a_silent_cast(dtype, fix):
    with pytest.raises(TypeError, match=rf"ResNet18's input has dtype {dtype} but the model's weights are "
                                        rf"torch.float32; {fix}"):
        small_model()(torch.zeros(1, 2, 32, 32, dtype=dtype))


class NoFinalRelu(RightBlock):
    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out)) + self.shortcut(x)


class ReluBeforeTheSum(RightBlock):
    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out))) + self.shortcut(x)


class NoShortcut(RightBlock):
    def forward(self, x):
        return torch.relu(self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class NoMiddleRelu(RightBlock):
    def forward(self, x):
        return torch.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))) + self.shortcut(x))


class StrideOnBothConvs(RightBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride, padding=1, bias=False)


class ShortcutNamedShortcut(RightBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.projection, self.downsample = self.downsample, None

    def shortcut(self, x):
        return x if self.projection is None else self.projection(x)


class ShortcutOnlyWhenStrided(RightBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if stride == 1:
            self.downsample = None


class DownsampleInEveryBlock(RightBlock):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                        nn.BatchNorm2d(out_channels))


class ScaledSum(RightBlock):
    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + 2 * self.shortcut(x))


class SubclassOfOurs(BasicBlock):
    pass


@pytest.mark.parametrize("answer, expected", [
    (StarterBlock, "⏳ 7.3 not attempted yet"),
    (NoFinalRelu, "hint: apply the ReLU after adding the shortcut"),
    (ReluBeforeTheSum, "hint: the last ReLU comes after the addition, not before it"),
    (NoShortcut, "hint: add the shortcut before the last ReLU"),
    (NoMiddleRelu, "hint: apply a ReLU between bn1 and conv2"),
    (StrideOnBothConvs, "StrideOnBothConvs(8, 16, stride=2) raised RuntimeError"),
    (ShortcutNamedShortcut, "unexpected projection.0.weight"),
    (ShortcutOnlyWhenStrided, "ShortcutOnlyWhenStrided(8, 16, stride=1) does not have torchvision's parameter names"),
    (DownsampleInEveryBlock, "hint: a block that keeps the shape adds x itself: set self.downsample = None"),
    (ScaledSum, "outputs differ from the expected ones by up to"),
    (SubclassOfOurs, "SubclassOfOurs subclasses course_utils' BasicBlock"),
    (RightBlock(8, 8), "expected the class itself"),
])
def test_check_7_3_names_each_mistake(answer, expected):
    line = printed(nb07.exercise_7_3, answer)
    assert expected in line and line.count("\n") == 1, line


def test_check_7_3_hints_for_names_and_strides():
    assert "name the shortcut self.downsample" in printed(nb07.exercise_7_3, ShortcutNamedShortcut)
    assert "a block that changes the shape needs a shortcut" in printed(nb07.exercise_7_3, ShortcutOnlyWhenStrided)
    assert "only conv1 gets the stride" in printed(nb07.exercise_7_3, StrideOnBothConvs)
    assert "pass bias=False" in printed(nb07.exercise_7_3, BiasedBlock)


# ---------------------------------------------------------------- ResNet18(block=...)


def test_resnet18_builds_every_stage_from_the_given_block():
    model = ResNet18(num_classes=10, block=RightBlock)
    blocks = [m for m in model.modules() if isinstance(m, RightBlock)]
    assert len(blocks) == 8 and not any(isinstance(m, BasicBlock) for m in model.modules())
    assert [b.downsample is not None for b in blocks] == [False, False, True, False, True, False, True, False]
    theirs = torchvision_resnet18(10).eval()
    model.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(2, 3, 40, 40)
    with torch.no_grad():
        assert torch.allclose(model.eval()(x), theirs(x), atol=1e-5)


def test_resnet18_with_the_default_block_keeps_torchvisions_initial_weights():
    torch.manual_seed(0)
    ours = ResNet18(block=BasicBlock, zero_init_residual=True).state_dict()
    torch.manual_seed(0)
    theirs = torchvision.models.resnet18(weights=None, zero_init_residual=True).state_dict()
    assert all(torch.equal(ours[key], theirs[key]) for key in theirs)


def test_zero_init_residual_zeroes_the_given_blocks_bn2():
    model = ResNet18(block=RightBlock, zero_init_residual=True)
    assert all(torch.all(m.bn2.weight == 0) for m in model.modules() if isinstance(m, RightBlock))
    assert torch.all(model.bn1.weight == 1)


def test_zero_init_residual_needs_a_bn2():
    class NoBn2(RightBlock):
        def __init__(self, in_channels, out_channels, stride=1):
            super().__init__(in_channels, out_channels, stride)
            self.last_bn, self.bn2 = self.bn2, None

    with pytest.raises(ValueError, match=r"zero_init_residual=True needs a BatchNorm2d called bn2 .* "
                                         r"NoBn2.bn2 is None \(NoneType\); name it bn2"):
        ResNet18(block=NoBn2, zero_init_residual=True)
    assert ResNet18(block=NoBn2).fc.out_features == 1000  # fine without zero_init_residual


@pytest.mark.parametrize("block, message", [
    (BasicBlock(8, 8), r"block must be an nn.Module class, got an instance of BasicBlock; pass the class itself, "
                       r"without calling it: block=BasicBlock"),
    ("BasicBlock", r"block must be an nn.Module class such as BasicBlock, got 'BasicBlock' \(str\); "
                   r"pass a class that subclasses nn.Module: block=BasicBlock"),
    (int, r"block must be an nn.Module class such as BasicBlock, got <class 'int'> \(type\)"),
])
def test_resnet18_rejects_a_block_that_is_not_a_module_class(block, message):
    with pytest.raises(TypeError, match=message):
        ResNet18(block=block)


# ---------------------------------------------------------------- LinearBlock and DeepMLP


@pytest.mark.parametrize("depth, blocks", [(2, 0), (4, 1), (10, 4), (18, 8), (34, 16)])
def test_deep_mlp_counts_depth_like_resnet(depth, blocks):
    model = DeepMLP(depth)
    assert len(model.blocks) == blocks
    assert sum(isinstance(m, nn.Linear) for m in model.modules()) == depth
    assert model(torch.randn(3, 1, 28, 28)).shape == (3, 10)


def test_linear_block_computes_relu_of_branch_plus_input():
    torch.manual_seed(0)
    block = LinearBlock(6).eval()
    x = torch.rand(4, 6)
    with torch.no_grad():
        branch = block.bn2(block.fc2(torch.relu(block.bn1(block.fc1(x)))))
        assert torch.allclose(block(x), torch.relu(x + branch))
        plain = LinearBlock(6, shortcut=False).eval()
        plain.load_state_dict(block.state_dict())
        assert torch.allclose(plain(x), torch.relu(branch))


def test_linear_block_without_batch_norm_has_biases_instead():
    with_bn, without = LinearBlock(5), LinearBlock(5, batch_norm=False)
    assert with_bn.fc1.bias is None and isinstance(with_bn.bn2, nn.BatchNorm1d)
    assert without.fc1.bias is not None and isinstance(without.bn2, nn.Identity)
    assert "shortcut=True" in repr(with_bn)


def test_deep_mlp_initialisation_is_kaiming_with_zero_biases():
    torch.manual_seed(0)
    model = DeepMLP(4, width=256, batch_norm=False)
    weight = model.blocks[0].fc1.weight
    assert abs(weight.std().item() / math.sqrt(2 / 256) - 1) < 0.02
    assert all(torch.all(m.bias == 0) for m in model.modules() if isinstance(m, nn.Linear) and m.bias is not None)


def test_deep_mlp_zero_init_residual_makes_every_block_the_identity():
    model = DeepMLP(10, zero_init_residual=True)
    h = torch.rand(5, 64)  # non-negative, as after the stem's ReLU
    with torch.no_grad():
        assert torch.equal(model.blocks(h), h)
    assert all(torch.all(block.bn2.weight == 0) for block in model.blocks)
    assert all(torch.all(block.bn1.weight == 1) for block in model.blocks)


def test_deep_mlp_other_sizes():
    model = DeepMLP(6, width=8, in_features=12, num_classes=3)
    assert model(torch.randn(2, 12)).shape == (2, 3)
    assert model(torch.randn(2, 3, 4)).shape == (2, 3)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(depth=9), ValueError, r"depth must be even \(1 stem layer \+ 2 per block \+ 1 head\), got 9; use 8 or 10"),
    (dict(depth=0), ValueError, r"depth must be an even int of at least 2, got 0"),
    (dict(depth=10.0), TypeError, r"depth must be an even int, got 10.0 \(float\); write 10"),
    (dict(depth=10, width=0), ValueError, r"width must be a positive int, got 0"),
    (dict(depth=10, shortcut="no"), TypeError, r"shortcut must be True or False, got 'no'"),
    (dict(depth=10, batch_norm=False, zero_init_residual=True), ValueError,
     r"zero_init_residual=True zeroes each block's last BatchNorm, but batch_norm=False leaves none"),
])
def test_deep_mlp_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        DeepMLP(**kwargs)


def test_deep_mlp_checks_its_input():
    model = DeepMLP(4)
    with pytest.raises(ValueError, match=r"DeepMLP was built with in_features=784 but each sample of the input "
                                         r"\(shape \(2, 3, 32, 32\)\) has 3072 values; build it with "
                                         r"DeepMLP\(..., in_features=3072\)"):
        model(torch.randn(2, 3, 32, 32))
    with pytest.raises(TypeError, match=r"DeepMLP's input has dtype torch.float64"):
        model(torch.randn(2, 784, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"DeepMLP's input must be"):
        model(torch.randn(784))
