"""Tests of course_utils.train: fit, evaluate and predict on tiny problems (no MNIST, a second or two)."""

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils.repro import seed_everything
from course_utils.train import History, evaluate, fit, predict


def blobs(n=64, seed=0):
    """Two well-separated Gaussian blobs in 2-D: class 0 around (-2, -2), class 1 around (2, 2)."""
    generator = torch.Generator().manual_seed(seed)
    targets = torch.arange(n) % 2
    centres = torch.where(targets[:, None] == 1, 2.0, -2.0)
    return centres + 0.5 * torch.randn(n, 2, generator=generator), targets


def loader(n=64, batch_size=8, shuffle=False, seed=0):
    inputs, targets = blobs(n, seed)
    return DataLoader(TensorDataset(inputs, targets), batch_size=batch_size, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed))


def tiny_model():
    seed_everything(0)
    return nn.Linear(2, 2)


class Recorder(nn.Module):
    """A linear model that remembers whether gradients were enabled and its mode in each call."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.grad_enabled, self.modes = [], []

    def forward(self, x):
        self.grad_enabled.append(torch.is_grad_enabled())
        self.modes.append(self.training)
        return self.linear(x)


# --------------------------------------------------------------------------- learning

def test_a_tiny_model_learns_a_separable_problem():
    model = tiny_model()
    before = evaluate(model, loader(seed=1))["accuracy"]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, loader(shuffle=True), epochs=5, optimizer=optimizer, val_loader=loader(seed=1),
                  progress=False)
    after = evaluate(model, loader(seed=1))
    assert after["accuracy"] == 1.0 and after["accuracy"] > before
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_accuracy[-1] == after["accuracy"]
    assert math.isclose(history.val_loss[-1], after["loss"], rel_tol=1e-6)


def test_fit_returns_one_history_entry_per_epoch():
    model = tiny_model()
    history = fit(model, loader(), 3, torch.optim.SGD(model.parameters(), lr=0.1), val_loader=loader(seed=1),
                  progress=False)
    assert isinstance(history, History) and len(history) == 3
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds",
                 "val_seconds"):
        assert len(getattr(history, name)) == 3, name
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.val_accuracy)
    assert all(s >= 0 for s in history.seconds)
    assert history.total_seconds == pytest.approx(sum(history.seconds))  # training only


def test_without_val_loader_the_val_lists_stay_empty():
    model = tiny_model()
    history = fit(model, loader(), 2, torch.optim.SGD(model.parameters(), lr=0.1), progress=False)
    assert len(history) == 2 and history.val_loss == [] and history.val_accuracy == []
    assert history.val_seconds == [] and len(history.seconds) == 2


def test_train_loss_is_the_mean_over_samples_even_with_a_short_last_batch():
    # With lr=0 nothing changes, so the epoch's train loss must equal evaluate's loss on the
    # same data; 10 samples in batches of 3 (3+3+3+1) catch a mean of batch means.
    model = tiny_model()
    data = loader(n=10, batch_size=3)
    history = fit(model, data, 1, torch.optim.SGD(model.parameters(), lr=0.0), progress=False)
    metrics = evaluate(model, data)
    assert history.train_loss[0] == pytest.approx(metrics["loss"], rel=1e-6)
    assert history.train_accuracy[0] == pytest.approx(metrics["accuracy"])


def test_a_batch_scheduler_is_stepped_once_per_batch():
    model = tiny_model()
    data = loader(batch_size=8)  # 8 batches
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=2, steps_per_epoch=len(data))
    # OneCycleLR raises if stepped more often than epochs * steps_per_epoch.
    history = fit(model, data, 2, optimizer, scheduler=scheduler, progress=False)
    assert scheduler.last_epoch == 2 * len(data)
    assert history.learning_rate[-1] < history.learning_rate[0] < 0.1


def test_an_epoch_scheduler_is_stepped_once_per_epoch():
    model = tiny_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    fit(model, loader(), 3, optimizer, scheduler=scheduler, scheduler_step="epoch", progress=False)
    assert scheduler.last_epoch == 3
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3)


def test_history_records_the_rate_each_epoch_trained_with():
    model = tiny_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(model, loader(), 3, optimizer, scheduler=scheduler, scheduler_step="epoch", progress=False)
    assert history.learning_rate == pytest.approx([0.1, 0.05, 0.025])


def test_progress_false_prints_nothing_and_progress_true_shows_a_bar(capsys):
    model = tiny_model()
    fit(model, loader(), 1, torch.optim.SGD(model.parameters(), lr=0.1), progress=False)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    fit(model, loader(), 1, torch.optim.SGD(model.parameters(), lr=0.1), progress=True)
    assert "epochs" in capsys.readouterr().err


def test_device_argument_is_accepted():
    model = tiny_model()
    fit(model, loader(), 1, torch.optim.SGD(model.parameters(), lr=0.1), device="cpu", progress=False)
    assert evaluate(model, loader(), device=torch.device("cpu"))["accuracy"] > 0.5


# --------------------------------------------------------------------------- evaluate and predict

@pytest.mark.parametrize("training", [True, False])
def test_evaluate_runs_in_eval_mode_and_restores_the_mode(training):
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    recorder = Recorder()
    model.train(training)
    recorder.train(training)
    evaluate(model, loader())
    evaluate(recorder, loader())
    assert model.training is training and all(m.training is training for m in model.modules())
    assert recorder.modes and not any(recorder.modes), "evaluate must run the model in eval mode"
    assert recorder.training is training


def test_predict_restores_the_mode_even_when_the_model_raises():
    class Failing(nn.Linear):
        def forward(self, x):
            raise RuntimeError("boom")

    model = Failing(2, 2).train()
    with pytest.raises(RuntimeError, match="boom"):
        predict(model, loader())
    assert model.training


def test_evaluate_computes_no_gradients():
    model = Recorder()
    evaluate(model, loader())
    assert model.grad_enabled and not any(model.grad_enabled)
    assert all(p.grad is None for p in model.parameters())


def test_fit_validates_in_eval_mode_and_trains_in_train_mode():
    model = Recorder()
    fit(model, loader(n=16), 1, torch.optim.SGD(model.parameters(), lr=0.1), val_loader=loader(n=16),
        progress=False)
    # two training batches (train mode, gradients on), then two validation batches (eval mode, no gradients)
    assert model.modes[:2] == [True, True] and model.grad_enabled[:2] == [True, True]
    assert model.modes[2:] == [False, False] and model.grad_enabled[2:] == [False, False]
    assert model.training


def test_evaluate_matches_a_hand_count():
    model = tiny_model()
    inputs, targets = blobs()
    with torch.no_grad():
        logits = model(inputs)
    metrics = evaluate(model, loader())
    assert metrics["accuracy"] == pytest.approx((logits.argmax(1) == targets).float().mean().item())
    assert metrics["loss"] == pytest.approx(nn.functional.cross_entropy(logits, targets).item(), rel=1e-6)


def test_predict_returns_everything_in_order():
    model = tiny_model()
    inputs, targets = blobs(n=20)
    logits, got_targets = predict(model, loader(n=20, batch_size=6))
    assert logits.shape == (20, 2) and torch.equal(got_targets, targets)
    with torch.no_grad():
        assert torch.allclose(logits, model(inputs))
    assert not logits.requires_grad


# --------------------------------------------------------------------------- argument errors

@pytest.mark.parametrize("epochs", [0, -1, 1.5, "3", True, None])
def test_fit_rejects_a_bad_number_of_epochs(epochs):
    model = tiny_model()
    with pytest.raises(ValueError, match="epochs"):
        fit(model, loader(), epochs, torch.optim.SGD(model.parameters(), lr=0.1), progress=False)


def test_fit_rejects_bad_arguments():
    model = tiny_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="model"):
        fit(lambda x: x, loader(), 1, optimizer, progress=False)
    with pytest.raises(TypeError, match="train_loader"):
        fit(model, 42, 1, optimizer, progress=False)
    with pytest.raises(TypeError, match="optimizer"):
        fit(model, loader(), 1, "adam", progress=False)
    with pytest.raises(ValueError, match="scheduler_step"):
        fit(model, loader(), 1, optimizer, scheduler_step="step", progress=False)


def test_evaluate_and_predict_reject_bad_arguments():
    model = tiny_model()
    with pytest.raises(TypeError, match="model"):
        evaluate("model", loader())
    with pytest.raises(TypeError, match="loader"):
        evaluate(model, 3.5)
    empty = DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long)), batch_size=4)
    with pytest.raises(ValueError, match="no batches"):
        predict(model, empty)


def test_fit_rejects_an_empty_train_loader():
    model = tiny_model()
    empty = DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long)), batch_size=4)
    with pytest.raises(ValueError, match="no batches"):
        fit(model, empty, 1, torch.optim.SGD(model.parameters(), lr=0.1), progress=False)
