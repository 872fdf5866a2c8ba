"""A plain training loop: the code a learner would write, with progress bars.

``fit`` trains for a number of epochs and returns a :class:`History`;
``evaluate`` measures loss and accuracy without gradients; ``predict``
collects predictions for a confusion matrix or a gallery of mistakes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

__all__ = ["History", "fit", "evaluate", "predict"]


@dataclass
class History:
    """What happened in each epoch of :func:`fit` (one list entry per epoch).

    ``seconds`` is the time of each training pass; ``val_seconds`` the time of
    the validation that followed it (empty without a ``val_loader``).
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    val_seconds: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.train_loss)

    @property
    def total_seconds(self) -> float:
        """Time spent training, validation not included."""
        return float(sum(self.seconds))


def _model_device(model: nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


def _check_common(model, loader, name="loader"):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if not hasattr(loader, "__iter__"):
        raise TypeError(f"{name} must be an iterable of (inputs, targets) batches, e.g. a DataLoader; "
                        f"got {type(loader).__name__}")


def fit(
    model: nn.Module,
    train_loader,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module | None = None,
    val_loader=None,
    scheduler=None,
    scheduler_step: str = "batch",
    device: str | torch.device | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``.

    Args:
        model: the network; it is moved to ``device``.
        train_loader: yields ``(inputs, targets)`` batches (class indices as targets).
        epochs: number of passes over the training data (at least 1).
        optimizer: built on ``model.parameters()``.
        loss_fn: defaults to ``nn.CrossEntropyLoss()``.
        val_loader: if given, :func:`evaluate` runs on it after every epoch.
        scheduler: a learning-rate scheduler; stepped after every batch
            (``scheduler_step="batch"``, e.g. ``OneCycleLR``) or every epoch (``"epoch"``).
        device: where to train; defaults to wherever the model's parameters are.
        progress: show nested tqdm bars (epochs outside, batches inside, live loss).

    Returns:
        A :class:`History` with one entry per epoch in each list.

    Shape:
        - inputs: whatever ``model`` accepts, batch first, e.g. :math:`(N, C, H, W)`
        - targets: :math:`(N)` integer class indices
        - model output: :math:`(N, \\text{num\\_classes})` logits
    """
    _check_common(model, train_loader, "train_loader")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if scheduler_step not in ("batch", "epoch"):
        raise ValueError(f"scheduler_step must be 'batch' or 'epoch', got {scheduler_step!r}")
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    device = torch.device(device) if device is not None else _model_device(model)
    model.to(device)
    history = History()

    for epoch in tqdm(range(epochs), desc="epochs", disable=not progress):
        start = time.perf_counter()
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        # mininterval keeps the number of widget updates small: a notebook that
        # receives thousands of redraws during a long fit can drop messages.
        batches = tqdm(train_loader, desc=f"epoch {epoch + 1}", leave=False,
                       disable=not progress, mininterval=0.5)
        for inputs, targets in batches:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            loss.backward()
            optimizer.step()
            if scheduler is not None and scheduler_step == "batch":
                scheduler.step()

            loss_sum += loss.item() * len(targets)
            correct += (logits.argmax(dim=1) == targets).sum().item()
            seen += len(targets)
            # refresh=False: the bar redraws on its own schedule (mininterval).
            batches.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
        if seen == 0:
            raise ValueError("train_loader produced no batches: check that the dataset is not "
                             "empty and that drop_last=True does not drop its only batch")
        # The rate used during this epoch, read before an epoch scheduler changes it.
        history.learning_rate.append(optimizer.param_groups[0]["lr"])
        if scheduler is not None and scheduler_step == "epoch":
            scheduler.step()

        history.train_loss.append(loss_sum / seen)
        history.train_accuracy.append(correct / seen)
        history.seconds.append(time.perf_counter() - start)
        if val_loader is not None:
            start = time.perf_counter()
            metrics = evaluate(model, val_loader, loss_fn=loss_fn, device=device)
            history.val_loss.append(metrics["loss"])
            history.val_accuracy.append(metrics["accuracy"])
            history.val_seconds.append(time.perf_counter() - start)
    return history


@torch.no_grad()
def predict(model: nn.Module, loader, device: str | torch.device | None = None):
    """Return ``(logits, targets)`` for every batch of ``loader``, concatenated.

    The model is put in eval mode and restored to its previous mode afterwards.

    Shape:
        - logits: :math:`(\\text{len(dataset)}, \\text{num\\_classes})`
        - targets: :math:`(\\text{len(dataset)})`
    """
    _check_common(model, loader)
    device = torch.device(device) if device is not None else _model_device(model)
    was_training = model.training
    model.eval()
    try:
        all_logits, all_targets = [], []
        for inputs, targets in loader:
            all_logits.append(model(inputs.to(device)).cpu())
            all_targets.append(targets.cpu())
    finally:
        model.train(was_training)
    if not all_logits:
        raise ValueError("loader produced no batches; is the dataset empty?")
    return torch.cat(all_logits), torch.cat(all_targets)


def evaluate(
    model: nn.Module,
    loader,
    loss_fn: nn.Module | None = None,
    device: str | torch.device | None = None,
) -> dict:
    """Mean loss and accuracy of ``model`` on ``loader``, computed without gradients.

    Returns:
        ``{"loss": float, "accuracy": float}`` with accuracy in ``[0, 1]``.
    """
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    logits, targets = predict(model, loader, device=device)
    return {
        "loss": loss_fn(logits, targets).item(),
        "accuracy": (logits.argmax(dim=1) == targets).float().mean().item(),
    }
