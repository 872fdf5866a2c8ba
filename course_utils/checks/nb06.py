"""Checks for the exercises of notebook 06 (the MNIST combined model).

- 6.1 ``rows_as_sequence(feature_map)``: ``(N, C, H, W)`` → ``(N, H, C·W)``, step ``t`` = row ``t``.
- 6.2 ``one_step_gru(gru, x)``: what an ``nn.GRU`` returns for a length-1 sequence, without ``weight_hh``.
- 6.3 ``train_step(model, optimizer, loss_fn, images, labels)``: a buggy training step, fixed (debugging).
- 6.4 ``accuracy(model, loader)``: a buggy evaluation loop, fixed (debugging).
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
    shown,
)

__all__ = ["exercise_6_1", "exercise_6_2", "exercise_6_3", "exercise_6_4", "set_language"]


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

def _step(model: nn.Module, optimizer, images: torch.Tensor, labels: torch.Tensor, mistake: str = "") -> float:
    """A training step, right or with a classic mistake: "no zero_grad", "no step" or "step first"
    (``step()`` before ``backward()`` and no ``zero_grad()``: each step uses the previous batch's gradients)."""
    if mistake not in ("no zero_grad", "step first"):
        optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(images), labels)
    if mistake == "step first":
        optimizer.step()
    loss.backward()
    if not mistake:
        optimizer.step()
    elif mistake == "no zero_grad":
        optimizer.step()
    return loss.item()


class _OrderedLoss:
    """Cross-entropy that notices when it is given the labels first."""

    def __init__(self):
        self.swapped = False

    def __call__(self, logits, labels):
        if isinstance(logits, torch.Tensor) and not logits.is_floating_point():
            self.swapped = True
        return nn.functional.cross_entropy(logits, labels)


def _tiny_run(step, batches, mistake: str = ""):
    """Weights after each of ``step``'s updates of a small seeded classifier, and the losses it returned."""
    torch.manual_seed(63)
    model = nn.Linear(4, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    weights, losses = [], []
    for images, labels in batches:
        losses.append(step(model, optimizer, images, labels, mistake))
        weights.append(torch.cat([p.detach().flatten().clone() for p in model.parameters()]))
    return weights, losses


_STEP_MISTAKES = {
    "no zero_grad": (msg("the gradients of earlier batches are added to this one's"),
                     msg("call optimizer.zero_grad() before loss.backward(): backward() adds to .grad")),
    "step first": (msg("each step uses the previous batch's gradients"),
                   msg("step() uses the gradients that are there: zero_grad(), then backward(), then step()")),
    "no step": (msg("the weights never change"),
                msg("call optimizer.step() after loss.backward(): before it, zero_grad() has left no gradient")),
}


@exercise("6.3", expects="a function train_step(model, optimizer, loss_fn, images, labels) that returns the loss")
def exercise_6_3(train_step) -> None:
    """The buggy training step of the notebook, fixed."""
    generator = _generator(63)
    batches = [(torch.randn(6, 4, generator=generator), torch.randint(0, 3, (6,), generator=generator))
               for _ in range(3)]
    loss_fn = _OrderedLoss()

    def learner(model, optimizer, images, labels, _):
        try:
            return call(train_step, model, optimizer, loss_fn, images, labels)
        except CheckFailed:
            if not loss_fn.swapped:
                raise
            raise CheckFailed(msg("loss_fn was given the labels first"),
                              msg("loss_fn(logits, labels): the model's output first, the targets second")) from None

    weights, losses = _tiny_run(learner, batches)
    expected_weights, expected_losses = _tiny_run(_step, batches)
    if not _same_run(weights, expected_weights):
        for mistake, (message, hint) in _STEP_MISTAKES.items():
            if _same_run(weights, _tiny_run(_step, batches, mistake)[0]):
                raise CheckFailed(message, hint)
        number = next(n for n, (got, expected) in enumerate(zip(weights, expected_weights), start=1)
                      if not torch.allclose(got, expected, atol=1e-6))
        raise CheckFailed(msg("after {number} steps the weights differ from those of a correct step",
                              number=number),
                          msg("zero_grad, forward, loss_fn(logits, labels), backward, step — in that order"))
    for got, expected in zip(losses, expected_losses):
        value = _number(got)
        expect(value is not None, msg("train_step returned {value}, not the loss", value=shown(got)),
               msg("return loss.item(): the batch's loss as a Python number"))
        expect(abs(value - expected) < 1e-5,
               msg("train_step returned {got:.4f}, but the batch's loss was {expected:.4f}",
                   got=value, expected=expected),
               msg("return loss.item() of this batch, computed before the update"))


def _same_run(weights, other) -> bool:
    return all(torch.allclose(a, b, atol=1e-6) for a, b in zip(weights, other, strict=True))


def _number(value) -> float | None:
    """``value`` as a float if it is one number (a Python number or a one-element tensor), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.dtype == torch.bool:
        return float(value.detach())
    return None


# --------------------------------------------------------------------------- 6.4

class _ModeSensitive(nn.Module):
    """Predicts item ``i`` (its input is ``[[i]]``) from a fixed table; another table in training mode.

    It records whether gradients were being recorded at each call.
    """

    def __init__(self, eval_predictions, train_predictions):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))
        self.register_buffer("eval_logits", nn.functional.one_hot(torch.tensor(eval_predictions), 3).float())
        self.register_buffer("train_logits", nn.functional.one_hot(torch.tensor(train_predictions), 3).float())
        self.grad_enabled = []

    def forward(self, x):
        self.grad_enabled.append(torch.is_grad_enabled())
        table = self.train_logits if self.training else self.eval_logits
        return self.scale * table[x[:, 0].long()]


@exercise("6.4", expects="a function accuracy(model, loader) that returns a number between 0 and 1")
def exercise_6_4(accuracy) -> None:
    """The buggy evaluation loop of the notebook, fixed."""
    from torch.utils.data import DataLoader, TensorDataset

    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    # in eval mode: batches of 4, 4 and 2 with 4, 2 and 0 right -> 6 / 10 overall, 0.5 as a mean of the batches'
    eval_predictions = [0, 1, 2, 0, 1, 0, 1, 1, 0, 1]
    train_predictions = [0] * 10  # training mode (think Dropout) predicts otherwise: 4 / 10
    model = _ModeSensitive(eval_predictions, train_predictions).train()
    loader = DataLoader(TensorDataset(torch.arange(10.0).unsqueeze(1), labels), batch_size=4)
    answer = call(accuracy, model, loader)
    got = _number(answer)
    expect(got is not None, msg("accuracy returned {value}, not one number", value=shown(answer)),
           msg("return correct / total as a Python float"))
    if abs(got - 60) < 1e-4:
        raise CheckFailed(msg("the accuracy is a percentage"), msg("return a fraction in [0, 1]: correct / total"))
    if abs(got - 0.4) < 1e-6:
        raise CheckFailed(msg("the model ran in training mode"),
                          msg("call model.eval() first: Dropout and BatchNorm behave differently when training"))
    if abs(got - 0.5) < 1e-6:
        raise CheckFailed(msg("you averaged the batches' accuracies, but the last batch is smaller"),
                          msg("count the correct predictions over all batches and divide by the number of images"))
    expect(abs(got - 0.6) < 1e-6, msg("expected 0.6 (6 of 10 right), got {got:.4f}", got=got),
           msg("model.eval(); then, under torch.no_grad(), add up (logits.argmax(dim=1) == labels).sum() "
               "over all batches and divide by the number of images"))
    expect(not any(model.grad_enabled), msg("the loop records gradients it never uses"),
           msg("wrap it in `with torch.no_grad():` — faster, and no memory held for a backward pass"))
