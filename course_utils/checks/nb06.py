"""Checks for the exercises of notebook 06 (the MNIST combined model).

- 6.1 ``rows_as_sequence(feature_map)``: ``(N, C, H, W)`` → ``(N, H, C·W)``, step ``t`` = row ``t``.
- 6.2 ``one_step_gru(gru, x)``: what an ``nn.GRU`` returns for a length-1 sequence, without ``weight_hh``.
- 6.3 ``per_class_accuracy(targets, predictions, num_classes)``: the fraction right for each true class.
"""

from __future__ import annotations

import torch
from torch import nn

from . import (
    CheckFailed,
    call,
    exercise,
    expect,
    expect_close,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)

__all__ = ["exercise_6_1", "exercise_6_2", "exercise_6_3", "set_language"]


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- 6.1

@exercise("6.1", expects="a function rows_as_sequence(feature_map) that returns a tensor (N, H, C·W)")
def exercise_6_1(rows_as_sequence) -> None:
    """Turn a feature map into a sequence of its rows."""
    for shape in ((2, 3, 4, 5), (1, 32, 14, 14)):
        n, c, h, w = shape
        feature_map = torch.randn(shape, generator=_generator(61))
        got = call(rows_as_sequence, feature_map.clone())
        expect_shape(got, (n, h, c * w), msg("sequence shape"),
                     msg("one time step per row (H steps), each with the C·W values of that row"))
        expected = feature_map.permute(0, 2, 1, 3).reshape(n, h, c * w)
        if not torch.equal(got, expected):
            if torch.equal(got, feature_map.reshape(n, h, c * w)):
                raise CheckFailed(msg("the shape is right but the values are not the rows"),
                                  msg("reshape alone does not move the rows: permute(0, 2, 1, 3) first"))
            raise CheckFailed(msg("step t does not hold row t of every channel, channel after channel"),
                              msg("(N, C, H, W) -> permute -> (N, H, C, W) -> flatten the last two"))


# --------------------------------------------------------------------------- 6.2

class _DoNotCallGRU(nn.GRU):
    """A GRU that refuses to run itself: the exercise asks for the formula."""

    def forward(self, *args, **kwargs):
        raise RuntimeError("do not call the module; compute the step from gru.weight_ih_l0, "
                           "gru.bias_ih_l0 and gru.bias_hh_l0")


def _one_step_gru(gru: nn.GRU, x: torch.Tensor, reset_on_bias: bool = True, order=(0, 1, 2)):
    """The reference (and two typical mistakes): a GRU step from h_0 = 0."""
    i_r, i_z, i_n = (x[:, 0] @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)
    b_r, b_z, b_n = gru.bias_hh_l0.chunk(3)
    gates = [(i_r, b_r), (i_z, b_z)]
    (i_r, b_r), (i_z, b_z) = gates[order[0]], gates[order[1]]
    r = torch.sigmoid(i_r + b_r)
    z = torch.sigmoid(i_z + b_z)
    n = torch.tanh(i_n + (r * b_n if reset_on_bias else b_n))
    return ((1 - z) * n).unsqueeze(1)


@exercise("6.2", expects="a function one_step_gru(gru, x) that returns a tensor (N, 1, hidden_size)")
def exercise_6_2(one_step_gru) -> None:
    """A GRU over a length-1 sequence, without its hidden-to-hidden weights."""
    torch.manual_seed(62)
    for input_size, hidden_size, batch in ((5, 3, 4), (128, 64, 2)):
        gru = _DoNotCallGRU(input_size, hidden_size, batch_first=True)
        reference = nn.GRU(input_size, hidden_size, batch_first=True)
        reference.load_state_dict(gru.state_dict())
        x = torch.randn(batch, 1, input_size, generator=_generator(input_size))
        with torch.no_grad():
            expected, _ = reference(x)
            got = call(one_step_gru, gru, x.clone())
            expect_shape(got, (batch, 1, hidden_size), msg("output shape"),
                         msg("keep the length-1 time dimension: (N, 1, hidden_size)"))
            got = got.detach()
            if torch.allclose(got, _one_step_gru(gru, x, reset_on_bias=False), atol=1e-5):
                raise CheckFailed(msg("n uses b_hn without the reset gate"),
                                  msg("PyTorch computes n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), and h = 0"))
            if torch.allclose(got, _one_step_gru(gru, x, order=(1, 0, 2)), atol=1e-5):
                raise CheckFailed(msg("r and z are swapped"),
                                  msg("weight_ih_l0 stacks the gates as (r, z, n): chunk(3) gives r first"))
            expect_close(got, expected, msg("outputs"), atol=1e-5,
                         hint=msg("r, z, n from chunk(3) of x W_ihᵀ + b_ih and of b_hh; h_1 = (1 − z) ⊙ n"))


# --------------------------------------------------------------------------- 6.3

@exercise("6.3", expects="a function per_class_accuracy(targets, predictions, num_classes) that returns "
                         "a float tensor of num_classes values")
def exercise_6_3(per_class_accuracy) -> None:
    """Accuracy per true class."""
    targets = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 3])
    predictions = torch.tensor([0, 0, 1, 0, 1, 0, 2, 2, 2, 3, 2, 3])
    got = call(per_class_accuracy, targets.clone(), predictions.clone(), 4)
    expect_shape(got, (4,), msg("result shape"), msg("one number per class"))
    expect(got.is_floating_point(), msg("expected a float tensor, got dtype {dtype}", dtype=got.dtype),
           msg("divide with .float() (or /) so the fractions are not rounded to 0 or 1"))
    expected = torch.tensor([0.75, 0.5, 0.8, 1.0])
    if torch.allclose(got.double(), expected.double() * 100, atol=1e-4):
        raise CheckFailed(msg("the values are percentages"), msg("return fractions in [0, 1]"))
    precision = torch.tensor([3 / 4, 1 / 2, 4 / 4, 1 / 2])
    if torch.allclose(got.double(), precision.double(), atol=1e-4):
        raise CheckFailed(msg("you divided by how often each class was *predicted*"),
                          msg("divide by how often each class is the *true* class (the targets)"))
    expect_close(got, expected, msg("per-class accuracies"), atol=1e-6,
                 hint=msg("for class k: (predictions[targets == k] == k).float().mean()"))
    generator = _generator(63)
    targets = torch.randint(0, 10, (500,), generator=generator)
    predictions = torch.where(torch.rand(500, generator=generator) < 0.8, targets,
                              torch.randint(0, 10, (500,), generator=generator))
    got = call(per_class_accuracy, targets.clone(), predictions.clone(), 10)
    expected = torch.stack([(predictions[targets == k] == k).double().mean() for k in range(10)])
    expect_close(got, expected, msg("per-class accuracies on 500 random labels"), atol=1e-6)
