"""A plain training loop: the code a learner would write, checked first, with progress bars and a table.

``fit`` trains for a number of epochs and returns a :class:`History`;
``evaluate`` measures loss and accuracy without gradients; ``predict``
collects predictions for a confusion matrix or a gallery of mistakes.

Before the first step, ``fit`` checks what it was given and refuses the usual
mistakes with one message that names the argument and the fix: float or
out-of-range targets, ``(N, 1)`` targets, a loader that yields something other
than ``(inputs, targets)``, the class ``nn.CrossEntropyLoss`` instead of a loss,
an optimizer built on another model, a device that is not here, float64 inputs
to a float32 model, a last batch of one through BatchNorm. The first batch of
``train_loader`` and of ``val_loader`` is checked up front (the random state is
restored afterwards, so the check changes nothing in the training itself).
"""

from __future__ import annotations

import math
import random
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

import course_utils
from course_utils import _validate as check

__all__ = ["History", "fit", "evaluate", "predict"]

_LOSS = "a loss function such as nn.CrossEntropyLoss()"


# --------------------------------------------------------------------------- history


@dataclass
class History:
    """What happened in each epoch of :func:`fit` (one list entry per epoch).

    ``seconds`` is the time of each training pass; ``val_seconds`` the time of
    the validation that followed it (empty without a ``val_loader``). Accuracies
    are fractions in ``[0, 1]``. In a notebook a ``History`` shows as a table.
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

    def columns(self) -> list[str]:
        """The headers of :meth:`rows`; the validation columns only if there was validation."""
        val = ["val loss", "val accuracy"] if self.val_loss else []
        return ["epoch", "train loss", "train accuracy", *val, "seconds"]

    def rows(self) -> list[list[str]]:
        """One row of formatted numbers per epoch; ``seconds`` is the training pass only."""
        rows = []
        for i in range(len(self)):
            row = [str(i + 1), f"{self.train_loss[i]:.4f}", f"{100 * self.train_accuracy[i]:.2f} %"]
            if self.val_loss:
                row += [f"{self.val_loss[i]:.4f}", f"{100 * self.val_accuracy[i]:.2f} %"]
            rows.append(row + [f"{self.seconds[i]:.1f}"])
        return rows

    def table(self) -> str:
        """The epochs as a plain-text table, one line per epoch under a header."""
        lines = [self.columns()] + self.rows()
        return "\n".join(_text_row(line, self.columns()) for line in lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{name}</th>" for name in self.columns())
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                       for row in self.rows())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text_row(cells: list[str], columns: list[str]) -> str:
    # each column as wide as its header, so rows printed one at a time line up
    return "  ".join(cell.rjust(len(name)) for cell, name in zip(cells, columns))


# --------------------------------------------------------------------------- what the reader sees


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, where output can be HTML, widgets and updatable displays."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _Progress:
    """tqdm bars while training runs, then their final state and a per-epoch table.

    In Jupyter the bars are tqdm's widgets, shown in one display whose content is
    replaced by the bars' final text when training ends: a notebook opened without
    being run (its widgets are not restored) shows the finished run, not the first
    frame at 0 %. The table is a second display, updated after every epoch. In a
    terminal the bars go to stderr and the table's rows to stdout. Disabled: silent.
    """

    def __init__(self, enabled: bool, epochs: int, batches: int | None):
        self.enabled, self.notebook = enabled, enabled and _in_notebook()
        self.table = self.bars = None  # the notebook's two displays
        if not enabled:
            return
        try:
            if self.notebook:
                self._widget_bars(epochs, batches)
                return
        except ImportError:  # no ipywidgets: text bars, the table still as a display
            pass
        from tqdm import tqdm

        self.epochs = tqdm(total=epochs, desc="epochs", file=sys.stderr)
        self.batches = tqdm(total=batches, desc="epoch 1", leave=False, file=sys.stderr,
                            mininterval=0.5)

    def _widget_bars(self, epochs: int, batches: int | None) -> None:
        from IPython.display import display
        from ipywidgets import VBox
        from tqdm.notebook import tqdm

        self.epochs = tqdm(total=epochs, desc="epochs", display=False)
        # mininterval: few widget updates, so a long run does not flood the notebook
        self.batches = tqdm(total=batches, desc="epoch 1", display=False, mininterval=0.5)
        self.bars = display(VBox([self.epochs.container, self.batches.container]), display_id=True)

    def new_epoch(self, epoch: int) -> None:
        if self.enabled and epoch > 1:
            self.batches.set_description(f"epoch {epoch}", refresh=False)
            self.batches.reset()

    def batch_done(self, loss: float) -> None:
        if self.enabled:
            # refresh=False: the bar redraws on its own schedule (mininterval)
            self.batches.set_postfix(loss=f"{loss:.3f}", refresh=False)
            self.batches.update()

    def epoch_done(self, history: History) -> None:
        if not self.enabled:
            return
        self.epochs.update()
        if self.notebook:
            bundle = {"text/plain": history.table(), "text/html": history._repr_html_()}
            if self.table is None:
                from IPython.display import display

                self.table = display(bundle, raw=True, display_id=True)
            else:
                self.table.update(bundle, raw=True)
            return
        from tqdm import tqdm

        lines = history.table().splitlines()
        for line in lines if len(history) == 1 else lines[-1:]:
            tqdm.write(line, file=sys.stdout)

    def close(self) -> None:
        """Leave the final state on screen (also after an error or an interrupt)."""
        if not self.enabled:
            return
        final = f"{self.epochs}\n{self.batches}"
        self.batches.close()
        self.epochs.close()
        if self.bars is not None:
            self.bars.update({"text/plain": final}, raw=True)
            for bar in (self.epochs, self.batches):
                _close_widget(bar.container)


def _close_widget(widget) -> None:
    """Close ``widget``, its children, layouts and styles: nothing shows them any more, and
    JupyterLab then saves no stale widget state with the notebook."""
    from ipywidgets import Widget

    for child in getattr(widget, "children", ()):
        _close_widget(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, Widget):
            part.close()
    widget.close()


# --------------------------------------------------------------------------- checks before training


@dataclass
class _Run:
    """Everything one training run needs, checked."""

    model: nn.Module
    train_loader: object
    optimizer: torch.optim.Optimizer
    loss_fn: object
    scheduler: object
    scheduler_step: str
    device: torch.device
    num_classes: int


def _length(loader) -> int | None:
    try:
        return len(loader)
    except TypeError:  # an iterable without a length, e.g. over an IterableDataset
        return None


def _model_device(model: nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


@contextmanager
def _eval_mode(model: nn.Module):
    """Run ``model`` in eval mode, then give every submodule back its own mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


@contextmanager
def _random_state_kept(loader):
    """Undo what looking at a batch does to random states (sampler seed, random transforms)."""
    generators = [g for g in (getattr(loader, "generator", None),
                              getattr(getattr(loader, "sampler", None), "generator", None))
                  if isinstance(g, torch.Generator)]
    saved = [g.get_state() for g in generators]
    python_state = random.getstate()
    with torch.random.fork_rng(devices=[]):
        yield
    random.setstate(python_state)
    for generator, state in zip(generators, saved):
        generator.set_state(state)


def _first_batch(name: str, loader, model: nn.Module, loss_fn, device: torch.device) -> int:
    """Check the first batch of ``loader``, and the model and loss on two of its items.

    Returns:
        The number of classes the model outputs.
    """
    with _random_state_kept(loader), torch.no_grad(), _eval_mode(model):
        first = next(iter(loader), None)
        if first is None:
            raise ValueError(f"{name} produced no batches: check that its dataset is not empty "
                             f"and that drop_last=True does not drop its only batch")
        inputs, targets = check.batch(name, first, model)
        check.tensor(f"{name}'s inputs", inputs, finite=True)  # NaN in the data, not diverged weights
        logits = check.model_output("model", model, (inputs[:2].to(device),), f"the first batch of {name}")
        num_classes = check.logits("model", logits, len(inputs[:2]))
        check.class_targets(f"{name}'s targets", targets, num_classes)
    _try_loss(loss_fn, logits, targets[:2].to(device))
    return num_classes


def _try_loss(loss_fn, logits: torch.Tensor, targets: torch.Tensor) -> None:
    """Compute and differentiate the loss on a detached copy of the logits (the model is not touched)."""
    probe = logits.detach().requires_grad_()
    try:
        with torch.enable_grad(), warnings.catch_warnings():
            # e.g. MSELoss broadcasting (N,) targets against (N, C) logits: a mistake, not a warning
            warnings.simplefilter("error", UserWarning)
            loss = loss_fn(probe, targets)
            if isinstance(loss, torch.Tensor) and loss.dim() == 0:
                loss.backward()
    except (RuntimeError, ValueError, TypeError, UserWarning) as error:
        raise TypeError(f"loss_fn failed on the model's logits {tuple(logits.shape)} and class "
                        f"indices {tuple(targets.shape)} ({type(error).__name__}: {error}); "
                        f"training a classifier needs {_LOSS}") from error
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise ValueError(f"loss_fn must return one number (a 0-d tensor), got {check.describe(loss)}; "
                         f"use the default reduction='mean'")


def _scheduler_steps(epochs: int, scheduler_step: str, batches: int | None) -> tuple[int | None, str]:
    """How often fit steps the scheduler, and how to say it."""
    if scheduler_step == "epoch":
        return epochs, f"once per epoch, epochs={epochs}"
    if batches is None:
        return None, ""
    return epochs * batches, f"once per batch, epochs={epochs} × {batches} batches"


def _prepare(model, train_loader, epochs, optimizer, loss_fn, val_loader, scheduler,
             scheduler_step, device, progress) -> _Run:
    """Every check of :func:`fit`, in the order of its arguments; moves the model to the device."""
    check.module("model", model)
    check.loader("train_loader", train_loader)
    epochs = check.positive_int("epochs", epochs)
    check.optimizer_for("optimizer", optimizer, model)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else check.callable_object("loss_fn", loss_fn, _LOSS)
    if val_loader is not None:
        check.loader("val_loader", val_loader)
    check.one_of("scheduler_step", scheduler_step, ("batch", "epoch"))
    if scheduler is not None:
        steps, how = _scheduler_steps(epochs, scheduler_step, _length(train_loader))
        check.scheduler_for("scheduler", scheduler, optimizer, steps, how)
    check.boolean("progress", progress)
    device = course_utils.device() if device is None else check.torch_device("device", device)
    check.batchnorm_last_batch("train_loader", train_loader, model)
    model.to(device)
    num_classes = _first_batch("train_loader", train_loader, model, loss_fn, device)
    if val_loader is not None:
        _first_batch("val_loader", val_loader, model, loss_fn, device)
    return _Run(model, train_loader, optimizer, loss_fn, scheduler, scheduler_step, device,
                num_classes)


# --------------------------------------------------------------------------- training


def _batches(name: str, loader, model: nn.Module, device: torch.device, num_classes: int):
    """The checked ``(inputs, targets)`` batches of ``loader``, on ``device``."""
    for batch in loader:
        inputs, targets = check.batch(name, batch, model)
        check.class_targets(f"{name}'s targets", targets, num_classes)
        yield inputs.to(device), targets.to(device)


def _finite(loss: float, epoch: int, batch: int, optimizer: torch.optim.Optimizer) -> float:
    if not math.isfinite(loss):
        lr = optimizer.param_groups[0]["lr"]
        raise FloatingPointError(f"the training loss became {loss} in epoch {epoch}, batch {batch}: "
                                 f"the weights diverged; lower the learning rate (lr={lr:g}) or "
                                 f"look for NaN or huge values in the inputs")
    return loss


def _train_epoch(run: _Run, epoch: int, history: History, bars: _Progress) -> None:
    """One pass over the training data; appends this epoch's numbers to ``history``."""
    start = time.perf_counter()
    run.model.train()
    loss_sum, correct, seen = 0.0, 0, 0
    batches = _batches("train_loader", run.train_loader, run.model, run.device, run.num_classes)
    for number, (inputs, targets) in enumerate(batches, start=1):
        run.optimizer.zero_grad()
        logits = run.model(inputs)
        loss = run.loss_fn(logits, targets)
        loss.backward()
        run.optimizer.step()
        if run.scheduler is not None and run.scheduler_step == "batch":
            run.scheduler.step()
        value = _finite(loss.item(), epoch, number, run.optimizer)
        loss_sum += value * len(targets)
        correct += (logits.argmax(dim=1) == targets).sum().item()
        seen += len(targets)
        bars.batch_done(value)
    if seen == 0:
        raise ValueError(f"train_loader produced no batches in epoch {epoch}; a loader must give "
                         f"the same batches in every epoch")
    # The rate used during this epoch, read before an epoch scheduler changes it.
    history.learning_rate.append(run.optimizer.param_groups[0]["lr"])
    if run.scheduler is not None and run.scheduler_step == "epoch":
        run.scheduler.step()
    history.train_loss.append(loss_sum / seen)
    history.train_accuracy.append(correct / seen)
    history.seconds.append(time.perf_counter() - start)


def fit(
    model: nn.Module,
    train_loader,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn=None,
    val_loader=None,
    scheduler=None,
    scheduler_step: str = "batch",
    device: str | torch.device | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``.

    Args:
        model: the network; it is moved to ``device``.
        train_loader: a ``DataLoader`` yielding ``(inputs, targets)`` batches, class indices as targets.
        epochs: number of passes over the training data (at least 1).
        optimizer: built on ``model.parameters()``.
        loss_fn: defaults to ``nn.CrossEntropyLoss()``.
        val_loader: the validation data; if given, :func:`evaluate` runs on it after every
            epoch. Use the validation split here, never the test split.
        scheduler: a learning-rate scheduler of ``optimizer``; stepped after every batch
            (``scheduler_step="batch"``, e.g. ``OneCycleLR``) or every epoch (``"epoch"``).
        device: where to train; by default :func:`course_utils.device` (CUDA, else MPS, else CPU).
        progress: show progress bars (epochs, and batches with the running loss) and a
            table with one row per epoch; ``False`` prints nothing.

    Returns:
        A :class:`History` with one entry per epoch in each list.

    Raises:
        TypeError, ValueError: before the first step, for arguments or batches that cannot
            train (the message names the argument and the fix).
        FloatingPointError: if the training loss becomes NaN or infinite.

    Shape:
        - inputs: whatever ``model`` accepts, batch first, e.g. :math:`(N, C, H, W)`
        - targets: :math:`(N)` integer class indices in :math:`[0, \\text{num\\_classes})`
        - model output: :math:`(N, \\text{num\\_classes})` logits
    """
    run = _prepare(model, train_loader, epochs, optimizer, loss_fn, val_loader, scheduler,
                   scheduler_step, device, progress)
    history = History()
    bars = _Progress(progress, epochs, _length(train_loader))
    try:
        for epoch in range(1, epochs + 1):
            bars.new_epoch(epoch)
            _train_epoch(run, epoch, history, bars)
            if val_loader is not None:
                start = time.perf_counter()
                metrics = evaluate(model, val_loader, loss_fn=run.loss_fn, device=run.device)
                history.val_loss.append(metrics["loss"])
                history.val_accuracy.append(metrics["accuracy"])
                history.val_seconds.append(time.perf_counter() - start)
            bars.epoch_done(history)
    finally:
        bars.close()
    return history


# --------------------------------------------------------------------------- evaluation


def _device_of(model: nn.Module, device) -> torch.device:
    """``device`` if it is where the model is; the model's device if ``device`` is None."""
    here = _model_device(model)
    if device is None:
        return here
    device = check.torch_device("device", device)
    if here.type != device.type or (device.index is not None and here != device):
        raise ValueError(f"device={str(device)!r} but the model's parameters are on {here}; "
                         f"move the model first (model.to({str(device)!r})) or leave device=None")
    return here


@torch.no_grad()
def predict(model: nn.Module, loader, device: str | torch.device | None = None):
    """Return ``(logits, targets)`` for every batch of ``loader``, concatenated, on the CPU.

    The model runs in eval mode, without gradients, on its own device (``device``
    may name it; it must be where the model is). Every submodule gets its mode back.

    Shape:
        - logits: :math:`(\\text{len(dataset)}, \\text{num\\_classes})`
        - targets: :math:`(\\text{len(dataset)})`
    """
    check.module("model", model)
    check.loader("loader", loader)
    device = _device_of(model, device)
    all_logits, all_targets = [], []
    with _eval_mode(model):
        for batch in loader:
            inputs, targets = check.batch("loader", batch, model)
            logits = check.model_output("model", model, (inputs.to(device),), "a batch of loader")
            num_classes = check.logits("model", logits, len(inputs))
            check.class_targets("loader's targets", targets, num_classes)
            all_logits.append(logits.cpu())
            all_targets.append(targets.cpu())
    if not all_logits:
        raise ValueError("loader produced no batches; is the dataset empty?")
    return torch.cat(all_logits), torch.cat(all_targets)


def evaluate(model: nn.Module, loader, loss_fn=None,
             device: str | torch.device | None = None) -> dict:
    """Mean loss and accuracy of ``model`` on ``loader``, computed without gradients.

    Args:
        model, loader, device: as in :func:`predict`.
        loss_fn: defaults to ``nn.CrossEntropyLoss()``.

    Returns:
        ``{"loss": float, "accuracy": float}`` with accuracy in ``[0, 1]``.
    """
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else check.callable_object("loss_fn", loss_fn, _LOSS)
    logits, targets = predict(model, loader, device=device)
    _try_loss(loss_fn, logits[:2], targets[:2])
    return {
        "loss": loss_fn(logits, targets).item(),
        "accuracy": (logits.argmax(dim=1) == targets).float().mean().item(),
    }
