"""ResNet18 from its residual blocks, interchangeable with ``torchvision.models.resnet18``.

The module names match torchvision's, so weights move between the two::

    ours = ResNet18()
    ours.load_state_dict(torchvision.models.resnet18(weights=None).state_dict())  # strict

and, built after the same ``torch.manual_seed``, both start from the same
random weights: modules are created and initialised in torchvision's order.
"""

from __future__ import annotations

import contextlib
import math

import torch
from torch import nn

from course_utils import _validate

__all__ = ["BasicBlock", "ResNet18", "DOWNSAMPLING", "LinearBlock", "DeepMLP"]

# The stem's conv and max-pool and the first blocks of layer2-4 each halve
# the height and width (rounding up): five halvings, 2**5 = 32.
DOWNSAMPLING = 32


class BasicBlock(nn.Module):
    r"""The residual block of ResNet18/34: :math:`\mathrm{ReLU}(F(x) + \mathrm{shortcut}(x))`.

    :math:`F` is conv3x3(stride) → BN → ReLU → conv3x3 → BN. Only the *first* conv
    gets ``stride``. The shortcut is the identity when the shape is unchanged,
    otherwise ``downsample`` = 1×1 conv(stride) → BN, so both sides can be added.
    No conv has a bias: the BatchNorm after it subtracts the mean anyway.

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output (and of both 3×3 convs).
        stride: 2 halves height and width (first block of layer2-4), 1 keeps them.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)`
        - Output: :math:`(N, C_{out}, \lceil H/s \rceil, \lceil W/s \rceil)`
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        in_channels = _validate.positive_int("in_channels", in_channels)
        out_channels = _validate.positive_int("out_channels", out_channels)
        stride = _validate.positive_int("stride", stride)
        _validate.parameters_fit("BasicBlock", 9 * in_channels * out_channels + 9 * out_channels**2
                                 + in_channels * out_channels + 4 * out_channels,
                                 dict(in_channels=in_channels, out_channels=out_channels))
        # Built first but registered last, as torchvision does, so that a seeded
        # ResNet18 draws its random weights in exactly torchvision's order.
        shortcut = None
        if stride != 1 or in_channels != out_channels:
            shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = shortcut  # None means identity

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_images(self, x)
        with _explaining_block_batchnorm(x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet18(nn.Module):
    r"""ResNet18 (He et al., 2015, arXiv:1512.03385), module for module as in torchvision.

    =========  ========================================  =============  ==========
    stage      layers                                    output at 224  parameters
    =========  ========================================  =============  ==========
    conv1      7×7 conv, 64, stride 2, padding 3         64×112×112          9,408
    bn1, relu  BatchNorm, ReLU                           64×112×112            128
    maxpool    3×3 max-pool, stride 2, padding 1         64×56×56                0
    layer1     BasicBlock(64→64) ×2                      64×56×56          147,968
    layer2     BasicBlock(64→128, stride 2), (128→128)   128×28×28         525,568
    layer3     BasicBlock(128→256, stride 2), (256→256)  256×14×14       2,099,712
    layer4     BasicBlock(256→512, stride 2), (512→512)  512×7×7         8,393,728
    avgpool    global average pool, then flatten         512                     0
    fc         Linear(512, num_classes)                  num_classes     513,000 ¹
    =========  ========================================  =============  ==========

    ¹ for 1,000 classes: 11,689,512 parameters in all (11,181,642 for 10 classes).
    With ``in_channels=1`` the stem has 3,136 weights instead of 9,408.

    Args:
        num_classes: size of the output (the last Linear layer).
        in_channels: channels of the input images (3 for RGB, 1 for grey digits).
        zero_init_residual: start every block's last BN at weight 0, so each block
            begins as the identity (Goyal et al., 2017, arXiv:1706.02677).
        block: the class of the residual blocks, called as ``block(in_channels,
            out_channels, stride)``; it must have torchvision's module names for the
            weights to load (``BasicBlock`` has). Use it to try your own block.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)`, any :math:`H, W \ge 1`. In training mode
          BatchNorm needs more than one value per channel after ``layer4``, whose map
          is :math:`\lceil H/32 \rceil \times \lceil W/32 \rceil`: a batch of one image
          must be at least 33 pixels high or wide.
        - Output: :math:`(N, \text{num\_classes})` logits.
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, zero_init_residual: bool = False,
                 block: type[nn.Module] = BasicBlock):
        super().__init__()
        num_classes = _validate.positive_int("num_classes", num_classes)
        in_channels = _validate.positive_int("in_channels", in_channels)
        zero_init_residual = _validate.boolean("zero_init_residual", zero_init_residual)
        block = _validate.module_class("block", block, "BasicBlock")
        # 11,167,104 parameters besides the stem's convolution and the last Linear layer
        _validate.parameters_fit("ResNet18", 11_167_104 + 64 * 49 * in_channels + 513 * num_classes,
                                 dict(num_classes=num_classes, in_channels=in_channels))
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = _stage(block, 64, 64, stride=1)
        self.layer2 = _stage(block, 64, 128, stride=2)
        self.layer3 = _stage(block, 128, 256, stride=2)
        self.layer4 = _stage(block, 256, 512, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)
        _init_like_torchvision(self, block, zero_init_residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_images(self, x)
        with _explaining_batchnorm_errors(x):
            out = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        return self.fc(torch.flatten(self.avgpool(out), 1))


def _stage(block: type[nn.Module], in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    """Two blocks; only the first one may change the shape (torchvision's ``_make_layer``)."""
    return nn.Sequential(block(in_channels, out_channels, stride), block(out_channels, out_channels, 1))


def _init_like_torchvision(model: nn.Module, block: type[nn.Module], zero_init_residual: bool) -> None:
    # Kaiming (He) normal init keeps activations' variance steady through ReLUs;
    # the Linear layer keeps PyTorch's default init, as in torchvision.
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
    if zero_init_residual:
        for module in model.modules():
            if isinstance(module, block):
                _zero_last_batchnorm(module)


def _zero_last_batchnorm(block: nn.Module) -> None:
    """γ = 0 in the block's last BatchNorm: its residual branch outputs 0 and the block starts as ReLU(x)."""
    last = getattr(block, "bn2", None)
    if not isinstance(last, nn.BatchNorm2d):
        raise ValueError(f"zero_init_residual=True needs a BatchNorm2d called bn2 at the end of every "
                         f"block's residual branch, but {type(block).__name__}.bn2 is "
                         f"{_validate.describe(last)}; name it bn2, or pass zero_init_residual=False")
    nn.init.zeros_(last.weight)


def _check_images(model: nn.Module, x) -> torch.Tensor:
    """A batch ``(N, C, H, W)`` of ``model.conv1.in_channels`` channels in the model's dtype."""
    x = _validate.model_input(model, x, "(N, C, H, W)", ndim=4, min_size=1)
    in_channels = getattr(model.conv1, "in_channels", None)  # conv1 may have been replaced by anything
    return x if in_channels is None else _validate.input_channels(model, x, in_channels)


@contextlib.contextmanager
def _explaining_batchnorm_errors(x: torch.Tensor):
    """BatchNorm's "more than 1 value per channel" does not say what to do: say it.

    Checked by running rather than in advance, so that it stays right for a replaced stem.
    """
    try:
        yield
    except ValueError as error:
        if "more than 1 value per channel" not in str(error):
            raise
        raise ValueError(_too_small_to_train(x)) from error


@contextlib.contextmanager
def _explaining_block_batchnorm(x: torch.Tensor):
    """BatchNorm's error in a block on its own; the text "more than 1 value per channel" stays, so that
    ResNet18 (which explains it for the whole network) still recognises it."""
    try:
        yield
    except ValueError as error:
        if "more than 1 value per channel" not in str(error):
            raise
        raise ValueError(f"BasicBlock's input {tuple(x.shape)} leaves its BatchNorm layers 1 value per channel, "
                         f"and in training mode BatchNorm needs more than 1 value per channel; use a batch of 2 or "
                         f"more, a larger image, or call block.eval() for inference") from error


def _too_small_to_train(x: torch.Tensor) -> str:
    n, _, height, width = x.shape
    last_h, last_w = math.ceil(height / DOWNSAMPLING), math.ceil(width / DOWNSAMPLING)
    return (
        f"input too small to train on: with a batch of {n} image(s) of {height}×{width}, a BatchNorm layer "
        f"sees only 1 value per channel (with the standard stem layer4's map is {last_h}×{last_w}), and in "
        f"training mode it needs at least 2. With the standard stem a single image must be at least "
        f"{DOWNSAMPLING + 1} pixels high or wide. Use a batch of 2 or more, a larger image, or call "
        f"model.eval() for inference"
    )


# --------------------------------------------------------------------------- a small residual network for experiments


class LinearBlock(nn.Module):
    r"""``BasicBlock`` with ``Linear`` layers instead of 3×3 convs: cheap enough to train 34 layers in a second.

    :math:`\mathrm{ReLU}(F(x) + x)` with :math:`F` = Linear → BN → ReLU → Linear → BN, the
    same pattern as ``BasicBlock``. Switches let an experiment change one thing at a time:

    Args:
        width: features in and out.
        shortcut: ``True`` adds the input back (a residual block); ``False`` gives the
            *plain* block :math:`\mathrm{ReLU}(F(x))`.
        batch_norm: ``False`` replaces both BatchNorms by the identity (the Linear
            layers then get a bias, since no BatchNorm removes it).

    Shape:
        - Input: :math:`(N, \text{width})`
        - Output: :math:`(N, \text{width})`
    """

    def __init__(self, width: int, shortcut: bool = True, batch_norm: bool = True):
        super().__init__()
        width = _validate.positive_int("width", width)
        self.shortcut = _validate.boolean("shortcut", shortcut)
        batch_norm = _validate.boolean("batch_norm", batch_norm)
        _validate.parameters_fit("LinearBlock", 2 * width * (width + 2), dict(width=width))
        self.fc1 = nn.Linear(width, width, bias=not batch_norm)
        self.bn1 = nn.BatchNorm1d(width) if batch_norm else nn.Identity()
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(width, width, bias=not batch_norm)
        self.bn2 = nn.BatchNorm1d(width) if batch_norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_features(self, x)
        out = self.relu(self.bn1(self.fc1(x)))
        out = self.bn2(self.fc2(out))
        return self.relu(out + x if self.shortcut else out)

    def extra_repr(self) -> str:
        return f"shortcut={self.shortcut}"


class DeepMLP(nn.Module):
    r"""A stack of :class:`LinearBlock` s between a Linear stem and a Linear head, ``depth`` weight layers deep.

    Counted like ResNet18 (He et al., 2015, arXiv:1512.03385): 1 stem layer + 2 per block
    + 1 head, so ``depth=34`` has 16 blocks. Linear weights get Kaiming-normal
    initialisation (``fan_in``, ReLU gain) and zero biases; BatchNorms start at
    :math:`\gamma = 1, \beta = 0`, as in ``ResNet18``.

    Args:
        depth: number of Linear layers, an even number ≥ 2.
        width: features of every hidden layer.
        shortcut: residual blocks (``True``) or plain ones (``False``).
        batch_norm: BatchNorm after every hidden Linear layer.
        zero_init_residual: start every block's last BatchNorm at :math:`\gamma = 0`
            (needs ``batch_norm=True``), so each residual block begins as ReLU(x).
        in_features: values per input sample (784 for a 28×28 digit).
        num_classes: size of the output.

    Shape:
        - Input: :math:`(N, *)` with ``in_features`` values per sample, e.g. :math:`(N, 1, 28, 28)`
        - Output: :math:`(N, \text{num\_classes})` logits
    """

    def __init__(self, depth: int, width: int = 64, shortcut: bool = True, batch_norm: bool = True,
                 zero_init_residual: bool = False, in_features: int = 784, num_classes: int = 10):
        super().__init__()
        depth = _validate.integer("depth", depth, minimum=2, what="an even int")
        if depth % 2:
            raise ValueError(f"depth must be even (1 stem layer + 2 per block + 1 head), got {depth}; "
                             f"use {depth - 1} or {depth + 1}")
        width = _validate.positive_int("width", width)
        batch_norm = _validate.boolean("batch_norm", batch_norm)
        if _validate.boolean("zero_init_residual", zero_init_residual) and not batch_norm:
            raise ValueError("zero_init_residual=True zeroes each block's last BatchNorm, but batch_norm=False "
                             "leaves none; pass batch_norm=True, or zero_init_residual=False")
        self.in_features = _validate.positive_int("in_features", in_features)
        num_classes = _validate.positive_int("num_classes", num_classes)
        # stem + head + (depth - 2) / 2 blocks of two width × width layers (BatchNorm and biases: ~2 per unit)
        _validate.parameters_fit("DeepMLP", (self.in_features + num_classes + 2) * width
                                 + (depth - 2) * width * (width + 2) + num_classes,
                                 dict(depth=depth, width=width, in_features=self.in_features,
                                      num_classes=num_classes))
        self.stem = nn.Sequential(nn.Flatten(), nn.Linear(self.in_features, width, bias=not batch_norm),
                                  nn.BatchNorm1d(width) if batch_norm else nn.Identity(), nn.ReLU())
        self.blocks = nn.Sequential(*[LinearBlock(width, shortcut, batch_norm) for _ in range((depth - 2) // 2)])
        self.head = nn.Linear(width, num_classes)
        _init_kaiming(self, zero_init_residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_features(self, x)
        return self.head(self.blocks(self.stem(x)))


def _check_features(model: nn.Module, x) -> torch.Tensor:
    """``x`` for a LinearBlock ``(N, width)`` or a DeepMLP ``(N, *)``: the model's dtype, its number of
    features per sample, and two samples or more in training mode when the model has BatchNorm."""
    name = type(model).__name__
    if isinstance(model, LinearBlock):
        x = _validate.model_input(model, x, "(N, width)", ndim=2)
        argument, expected, build = "width", model.fc1.in_features, f"LinearBlock({x[0].numel()})"
    else:
        x = _validate.model_input(model, x, "(N, *)", ndim=range(2, 6))
        argument, expected, build = "in_features", model.in_features, f"DeepMLP(..., in_features={x[0].numel()})"
    if x[0].numel() != expected:
        raise ValueError(f"{name} was built with {argument}={expected} but each sample of the input (shape "
                         f"{tuple(x.shape)}) has {x[0].numel()} values; build it with {build}")
    # BatchNorm1d in training mode needs two samples; torch's own message does not say what to do
    if model.training and len(x) == 1 and any(isinstance(m, nn.BatchNorm1d) for m in model.modules()):
        raise ValueError(f"{name}'s input holds one sample, and in training mode its BatchNorm needs more than "
                         f"1 value per feature; use a batch of 2 or more, or call .eval() for inference")
    return x


def _init_kaiming(model: nn.Module, zero_init_residual: bool) -> None:
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    if zero_init_residual:
        for block in model.modules():
            if isinstance(block, LinearBlock):
                nn.init.zeros_(block.bn2.weight)
