"""Models that accept inputs of any size: images of any height and width, sequences of any length.

``DynamicCNN`` ends its convolutions with ``AdaptiveAvgPool2d((1, 1))``, so the
classifier always sees one number per channel, whatever the image size.
``DynamicLSTM`` reads sequences of any length; for a padded batch of sequences
with different lengths it packs them, so each sequence's prediction is exactly
what the model gives for that sequence alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_utils import _validate

__all__ = ["DynamicCNN", "DynamicLSTM", "lengths_tensor"]


class DynamicCNN(nn.Module):
    r"""A small image classifier that accepts any image size from a minimum upwards.

    Unpadded ``kernel_size``×``kernel_size`` convolutions (each followed by ReLU)
    extract features; ``AdaptiveAvgPool2d((1, 1))`` averages each channel's whole
    feature map to one number, so the final ``Linear`` always receives
    ``channels[-1]`` features, whatever the height and width of the input were.

    With ``downsample=True`` a 2×2 max-pooling follows every convolution but the
    last one. It halves the feature map, so the later convolutions cost 4× less
    and each of their outputs sees a larger part of the image (a larger receptive
    field): the model can then recognise whole digits, not only strokes.

    Each unpadded convolution removes ``kernel_size - 1`` pixels from the height
    and the width, each max-pooling halves them (rounding down), and the last
    convolution needs at least a ``kernel_size``×``kernel_size`` input, so
    ``min_input_size`` is 5 for the default two 3×3 convolutions and 18 for three
    3×3 convolutions with ``downsample=True``. Smaller inputs raise a
    ``ValueError`` naming that minimum.

    The layers are named ``conv1, relu1, [maxpool1,] conv2, relu2, …, pool, flatten, fc``
    so that :func:`course_utils.shapes.trace_shapes` shows a readable table.

    Args:
        in_channels: channels of the input images (3 for RGB, 1 for grey). Default: 3.
        num_classes: number of outputs (class scores). Default: 10.
        channels: output channels of each convolution, in order. Default: ``(16, 32)``.
        kernel_size: side of every convolution's square kernel. Default: 3.
        downsample: put ``MaxPool2d(2)`` after every convolution but the last. Default: ``False``.

    Shape:
        - Input: :math:`(N, C_{in}, H, W)` with :math:`H, W \ge` ``min_input_size``.
        - Output: :math:`(N, \text{num\_classes})`.

    Examples::

        >>> model = DynamicCNN()
        >>> model(torch.randn(2, 3, 55, 64)).shape
        torch.Size([2, 10])
        >>> model(torch.randn(1, 3, 224, 224)).shape
        torch.Size([1, 10])
        >>> DynamicCNN(1, 10, channels=(16, 32, 64), downsample=True).min_input_size
        18
    """

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        channels: Sequence[int] = (16, 32),
        kernel_size: int = 3,
        downsample: bool = False,
    ):
        super().__init__()
        self.in_channels = _validate.positive_int("in_channels", in_channels)
        self.num_classes = _validate.positive_int("num_classes", num_classes)
        self.channels = _validate.per_layer("channels", channels)  # one output width per convolution
        self.kernel_size = _validate.positive_int("kernel_size", kernel_size)
        widths = (self.in_channels, *self.channels)
        _validate.parameters_fit("DynamicCNN", sum(a * b * self.kernel_size**2 + b for a, b in zip(widths, widths[1:]))
                                 + (widths[-1] + 1) * self.num_classes,
                                 dict(in_channels=in_channels, num_classes=num_classes, channels=channels,
                                      kernel_size=kernel_size))
        self.downsample = _validate.boolean("downsample", downsample)
        previous = in_channels
        for i, width in enumerate(self.channels, start=1):
            self.add_module(f"conv{i}", nn.Conv2d(previous, width, kernel_size))
            self.add_module(f"relu{i}", nn.ReLU())
            if downsample and i < len(self.channels):
                self.add_module(f"maxpool{i}", nn.MaxPool2d(2))
            previous = width
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(previous, num_classes)

    @property
    def min_input_size(self) -> int:
        """The smallest height and width accepted: every layer must leave at least 1×1."""
        needed = 1  # at the output of the last convolution
        for i in reversed(range(len(self.channels))):
            if self.downsample and i < len(self.channels) - 1:
                needed *= 2  # MaxPool2d(2) gives floor(side / 2) ≥ needed only from 2 · needed on
            needed += self.kernel_size - 1
        return needed

    def _layers_text(self) -> str:
        convs = (f"its {len(self.channels)} unpadded {self.kernel_size}×{self.kernel_size} convolutions "
                 f"each remove {self.kernel_size - 1}")
        if self.downsample and len(self.channels) > 1:
            convs += f" and its {len(self.channels) - 1} 2×2 max-poolings halve the size"
        return convs

    def _check_input(self, x) -> torch.Tensor:
        x = _validate.model_input(self, x, "(N, C, H, W)", ndim=4)
        _validate.input_channels(self, x, self.in_channels)
        height, width = x.shape[-2:]
        if min(height, width) < self.min_input_size:
            raise ValueError(
                f"DynamicCNN needs images of at least {self.min_input_size}×{self.min_input_size} pixels "
                f"({self._layers_text()}), got {height}×{width}; resize or pad the image"
            )
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._check_input(x)
        for i in range(1, len(self.channels) + 1):
            x = getattr(self, f"relu{i}")(getattr(self, f"conv{i}")(x))
            if hasattr(self, f"maxpool{i}"):
                x = getattr(self, f"maxpool{i}")(x)
        return self.fc(self.flatten(self.pool(x)))


def lengths_tensor(lengths, batch_size: int, max_length: int) -> torch.Tensor:
    """Check ``lengths`` of a padded batch and return them as a 1-D CPU int64 tensor.

    ``pack_padded_sequence`` needs the lengths on the CPU (it uses them to plan
    the computation, they are never part of it), as a list or an int64 tensor.

    Args:
        lengths: a list/tuple of ints or a 1-D integer tensor (on any device),
            one length per sequence.
        batch_size: the number of sequences N in the padded batch.
        max_length: the padded length L; every length must be in ``1..L``.

    Shape:
        - Output: :math:`(N,)`, dtype ``torch.int64``, on the CPU.
    """
    batch_size = _validate.non_negative_int("batch_size", batch_size)
    max_length = _validate.positive_int("max_length", max_length)
    values = _validate.sequence_lengths("lengths", lengths, count=batch_size, max_length=max_length)
    return torch.tensor(values, dtype=torch.int64)


class DynamicLSTM(nn.Module):
    r"""A sequence model for sequences of any length, with correct handling of padded batches.

    An LSTM (or GRU) reads the sequence; a ``Linear`` layer maps the last layer's
    final hidden state to ``output_size`` numbers. With ``per_step=True`` the
    ``Linear`` layer is applied to the output of *every* step instead (sequence
    labelling: one prediction per step). With ``vocab_size`` set, the inputs are
    token ids and an ``nn.Embedding`` (``padding_idx=0``) turns them into vectors first.

    Sequences of different lengths are batched by padding them to the longest
    one and passing their ``lengths``. The model then packs the batch with
    ``pack_padded_sequence(..., enforce_sorted=False)``, so the recurrent layer
    stops at each sequence's true end: every row of the result equals what the
    model returns for that sequence alone (up to float rounding). Without
    ``lengths`` every sequence is taken to be as long as the batch. With
    ``per_step=True`` the padded steps of the result hold ``fc`` applied to a zero
    vector (its bias): they are not predictions, and a loss must skip them.

    Args:
        input_size: features per time step (the embedding size if ``vocab_size``
            is given). Default: 10.
        hidden_size: features of the hidden state. Default: 20.
        output_size: outputs per sequence. Default: 1.
        num_layers: stacked recurrent layers. Default: 1.
        cell: ``"lstm"`` or ``"gru"``. Default: ``"lstm"``.
        bidirectional: also read each sequence backwards; the final states of both
            directions are concatenated. Default: ``False``.
        vocab_size: if given, inputs are int64 token ids in ``0..vocab_size-1`` and
            id 0 is the padding token. Default: ``None`` (inputs are float features).
        per_step: one output per step, :math:`(N, L, \text{output\_size})`, instead of one
            per sequence. Default: ``False``.

    Shape:
        - Input ``x``: :math:`(N, L, H_{in})` floats, or :math:`(N, L)` token ids
          when ``vocab_size`` is set. Batch first; any :math:`L \ge 1`.
        - Input ``lengths`` (optional): :math:`(N,)` ints in :math:`1..L`, a list or a
          tensor (moved to the CPU for packing).
        - Output: :math:`(N, \text{output\_size})`, or :math:`(N, L, \text{output\_size})`
          with ``per_step=True``.

    Examples::

        >>> model = DynamicLSTM(input_size=10, hidden_size=20, output_size=1)
        >>> model(torch.randn(5, 15, 10)).shape, model(torch.randn(5, 20, 10)).shape
        (torch.Size([5, 1]), torch.Size([5, 1]))
        >>> padded = torch.randn(3, 5, 10)             # true lengths 2, 5 and 3
        >>> model(padded, lengths=[2, 5, 3]).shape
        torch.Size([3, 1])
    """

    def __init__(
        self,
        input_size: int = 10,
        hidden_size: int = 20,
        output_size: int = 1,
        num_layers: int = 1,
        cell: str = "lstm",
        bidirectional: bool = False,
        vocab_size: int | None = None,
        per_step: bool = False,
    ):
        super().__init__()
        self.input_size = _validate.positive_int("input_size", input_size)
        self.hidden_size = _validate.positive_int("hidden_size", hidden_size)
        self.output_size = _validate.positive_int("output_size", output_size)
        num_layers = _validate.positive_int("num_layers", num_layers)
        self.cell = _validate.one_of("cell", cell, ("lstm", "gru"))
        self.bidirectional = _validate.boolean("bidirectional", bidirectional)
        self.vocab_size = None if vocab_size is None else _validate.positive_int("vocab_size", vocab_size)
        _validate.parameters_fit("DynamicLSTM", _lstm_parameters(self, num_layers),
                                 dict(input_size=input_size, hidden_size=hidden_size, output_size=output_size,
                                      num_layers=num_layers, vocab_size=vocab_size))
        self.per_step = _validate.boolean("per_step", per_step)
        self.embedding = nn.Embedding(vocab_size, input_size, padding_idx=0) if vocab_size else None
        recurrent = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = recurrent(
            input_size, hidden_size, num_layers=num_layers, batch_first=True, bidirectional=bidirectional
        )
        directions = 2 if bidirectional else 1
        self.fc = nn.Linear(directions * hidden_size, output_size)

    def _check_inputs(self, x, lengths) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``x`` and ``lengths`` checked; ``lengths`` as a CPU int64 tensor, ready for packing."""
        x = self._check_features(x) if self.vocab_size is None else self._check_token_ids(x)
        if lengths is not None:
            lengths = lengths_tensor(lengths, batch_size=x.shape[0], max_length=x.shape[1])
        return x, lengths

    def _check_features(self, x) -> torch.Tensor:
        x = _validate.model_input(self, x, f"(N, L, {self.input_size}), batch first", ndim=3)
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"DynamicLSTM was built with input_size={self.input_size} but the input has "
                f"{x.shape[-1]} features per step (shape {tuple(x.shape)}); "
                f"the features come last: (N, L, input_size)"
            )
        return x

    def _check_token_ids(self, x) -> torch.Tensor:
        x = _validate.tensor("DynamicLSTM's input", x, ndim=2, layout="(N, L) of token ids (vocab_size is set)")
        if x.dtype not in (torch.int64, torch.int32):
            raise TypeError(f"DynamicLSTM's input must hold token ids of dtype torch.int64 (or int32), as "
                            f"vocab_size is set, got {x.dtype}; convert them with x.long()")
        if x.numel() == 0:
            raise ValueError(f"DynamicLSTM's input needs at least one sequence of at least one step, got shape "
                             f"{tuple(x.shape)}")
        if x.min() < 0 or x.max() >= self.vocab_size:
            raise ValueError(
                f"token ids must be in 0..{self.vocab_size - 1} (vocab_size={self.vocab_size}), "
                f"got ids from {x.min().item()} to {x.max().item()}"
            )
        return x

    def forward(self, x: torch.Tensor, lengths=None) -> torch.Tensor:
        x, lengths = self._check_inputs(x, lengths)
        padded_length = x.shape[1]
        if self.embedding is not None:
            x = self.embedding(x)
        if lengths is not None:
            # enforce_sorted=False: PyTorch sorts by length internally and puts
            # h_n back into the batch's own order, so callers need not sort.
            x = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        output, state = self.rnn(x)
        if self.per_step:
            if lengths is not None:  # back to (N, L, D·H), zeros after each end; L as given
                output, _ = pad_packed_sequence(output, batch_first=True, total_length=padded_length)
            return self.fc(output)
        h_n = state[0] if self.cell == "lstm" else state
        # h_n is (num_layers * directions, N, H) even with batch_first=True; the
        # last layer's directions are its final entries (forward, then backward).
        directions = 2 if self.bidirectional else 1
        final = torch.cat(list(h_n[-directions:]), dim=-1)
        return self.fc(final)


def _lstm_parameters(model: DynamicLSTM, num_layers: int) -> int:
    """How many parameters ``model``'s layers will have (checked before they are built)."""
    gates, directions, hidden = (4 if model.cell == "lstm" else 3), (2 if model.bidirectional else 1), model.hidden_size
    layer = lambda features: directions * gates * hidden * (features + hidden + 2)  # noqa: E731
    return ((model.vocab_size or 0) * model.input_size + layer(model.input_size)
            + (num_layers - 1) * layer(directions * hidden) + (directions * hidden + 1) * model.output_size)
