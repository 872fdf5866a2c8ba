"""The combined MNIST model of notebook 06, and a variant whose recurrent layers recur.

``CombinedModel`` is the tutorial's network, kept layer for layer:
CNN → ConvTranspose → RNN → GRU → LSTM → Linear. It flattens the whole feature
map into *one* vector and hands the recurrent layers a sequence of length 1,
so they never pass a hidden state from one step to the next.

``RowRecurrentModel`` keeps the same kind of front end (with BatchNorm) but reads
the 14 rows of the ``(32, 14, 14)`` feature map as 14 time steps, top to bottom,
so the recurrent layers see a real sequence.
"""

from __future__ import annotations

import torch
from torch import nn

from course_utils import _validate

__all__ = ["CombinedModel", "RowRecurrentModel"]


def _check_digits(model: nn.Module, x) -> torch.Tensor:
    """A batch of MNIST digits: ``(N, 1, 28, 28)``, floats of the model's dtype."""
    x = _validate.model_input(model, x, "(N, 1, 28, 28)", ndim=4, channels=1)
    if tuple(x.shape[2:]) != (28, 28):
        raise ValueError(f"{type(model).__name__} expects images of shape (N, 1, 28, 28), got {tuple(x.shape)}; "
                         "its layers are sized for 28×28 MNIST digits, so resize the images to 28×28")
    return x


class CombinedModel(nn.Module):
    r"""The tutorial's CNN → ConvTranspose → RNN → GRU → LSTM → Linear classifier.

    The layers, with the shapes they really produce for a 28×28 digit:

    ======================================  ==================  ==========
    layer                                   output per image    parameters
    ======================================  ==================  ==========
    ``conv1`` Conv2d(1, 32, 3, padding=1)   (32, 28, 28)        320
    ``pool`` MaxPool2d(2)                   (32, 14, 14)        0
    ``conv2`` Conv2d(32, 64, 3, padding=1)  (64, 14, 14)        18,496
    ``pool`` MaxPool2d(2), again            (64, 7, 7)          0
    ``deconv`` ConvTranspose2d(64, 32, 2,   (32, 14, 14)        8,224
    stride=2)
    ``flatten`` then ``unsqueeze(1)``       (1, 6272)           0
    ``rnn`` RNN(6272, 128)                  (1, 128)            819,456
    ``gru`` GRU(128, 64)                    (1, 64)             37,248
    ``lstm`` LSTM(64, 32)                   (1, 32)             12,544
    ``fc`` Linear(32, 10), last time step   (10,)               330
    ======================================  ==================  ==========

    896,618 parameters in all. Every recurrent layer is ``batch_first=True``.
    The sequence has length 1, so the recurrent layers never use their
    hidden-to-hidden weights: see :class:`RowRecurrentModel` for a variant that
    reads rows as time steps.

    Args:
        num_classes: number of output logits (10 digits).

    Shape:
        - Input: :math:`(N, 1, 28, 28)`
        - Output: :math:`(N, \text{num\_classes})` logits
    """

    def __init__(self, num_classes: int = 10):
        super().__init__()
        num_classes = _validate.integer("num_classes (10 for MNIST digits)", num_classes, minimum=2)
        # 896,288 parameters besides the last Linear layer (see the table above)
        _validate.parameters_fit("CombinedModel", 896_288 + 33 * num_classes, dict(num_classes=num_classes))
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)
        # One pooling module used twice, as in the tutorial (it has no parameters).
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1)
        self.deconv = nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2)
        self.flatten = nn.Flatten()
        self.rnn_input_size = 32 * 14 * 14
        self.rnn = nn.RNN(self.rnn_input_size, 128, batch_first=True)
        self.gru = nn.GRU(128, 64, batch_first=True)
        self.lstm = nn.LSTM(64, 32, batch_first=True)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_digits(self, x)
        x = self.pool(torch.relu(self.conv1(x)))  # (N, 32, 14, 14)
        x = self.pool(torch.relu(self.conv2(x)))  # (N, 64, 7, 7)
        x = self.deconv(x)  # (N, 32, 14, 14)
        x = self.flatten(x).unsqueeze(1)  # (N, 1, 6272): a sequence of ONE step
        x, _ = self.rnn(x)  # (N, 1, 128)
        x, _ = self.gru(x)  # (N, 1, 64)
        x, _ = self.lstm(x)  # (N, 1, 32)
        return self.fc(x[:, -1, :])  # (N, num_classes)


class RowRecurrentModel(nn.Module):
    r"""A variant of :class:`CombinedModel` whose recurrent layers really recur.

    The front end is the tutorial's (two 3×3 convolutions with pooling, then the
    2×2 transposed convolution), with BatchNorm after each convolution so that
    it trains faster. The ``(32, 14, 14)`` feature map is then read as a
    sequence of its 14 rows, top to bottom: step :math:`t` sees row :math:`t`
    of all 32 channels, :math:`32 \times 14 = 448` features. A
    *bidirectional* GRU reads the rows downwards and upwards, an LSTM reads
    the GRU's 14 outputs, and the classifier looks at the LSTM's output at
    every step (not only the last one).

    ========================================  ==================  ==========
    layer                                     output per image    parameters
    ========================================  ==================  ==========
    ``features``: Conv2d(1, 32, 3) → pool     (64, 7, 7)          18,912
    → BN → ReLU → Conv2d(32, 64, 3) → pool
    → BN → ReLU
    ``deconv``: ConvTranspose2d(64, 32, 2,    (32, 14, 14)        8,256
    stride=2) → BN → ReLU
    rows as steps: ``permute``, ``flatten``   (14, 448)           0
    ``gru`` GRU(448, 64, bidirectional)       (14, 128)           197,376
    ``lstm`` LSTM(128, 32)                    (14, 32)            20,736
    ``fc`` Linear(14 · 32, 10)                (10,)               4,490
    ========================================  ==================  ==========

    249,770 parameters in all (3.6 times fewer than :class:`CombinedModel`).

    Args:
        num_classes: number of output logits (10 digits).

    Shape:
        - Input: :math:`(N, 1, 28, 28)`
        - Output: :math:`(N, \text{num\_classes})` logits
    """

    rows = 14
    row_features = 32 * 14

    def __init__(self, num_classes: int = 10):
        super().__init__()
        num_classes = _validate.integer("num_classes (10 for MNIST digits)", num_classes, minimum=2)
        # 245,280 parameters besides the last Linear layer (see the table above)
        _validate.parameters_fit("RowRecurrentModel", 245_280 + 449 * num_classes, dict(num_classes=num_classes))
        # bias=False: the BatchNorm right after subtracts the mean, which cancels any bias.
        # Pooling comes before BatchNorm and ReLU (max-pooling commutes with ReLU), so
        # they run on a map 4 times smaller.
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1, bias=False),
            nn.MaxPool2d(2),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=3, padding=1, bias=False),
            nn.MaxPool2d(2),
            nn.BatchNorm2d(64),
            nn.ReLU(),
        )
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
        )
        self.gru = nn.GRU(self.row_features, 64, batch_first=True, bidirectional=True)
        self.lstm = nn.LSTM(2 * 64, 32, batch_first=True)
        self.fc = nn.Linear(self.rows * 32, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_digits(self, x)
        x = self.deconv(self.features(x))  # (N, 32, 14, 14) = (N, C, H, W)
        # Rows become time steps: (N, C, H, W) -> (N, H, C, W) -> (N, H, C*W)
        x = x.permute(0, 2, 1, 3).flatten(2)  # (N, 14, 448)
        x, _ = self.gru(x)  # (N, 14, 2*64): both directions side by side
        x, _ = self.lstm(x)  # (N, 14, 32)
        return self.fc(x.flatten(1))  # (N, 14*32) -> (N, num_classes)
