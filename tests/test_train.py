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
    with pytest.raises(ValueError, match="^model failed on a batch of loader .*RuntimeError: boom") as caught:
        predict(model, loader())
    assert isinstance(caught.value.__cause__, RuntimeError)  # the model's own error, chained
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
    # the up-front look at the first batch of each loader (eval mode, no gradients), then two
    # training batches (train mode, gradients on), then two validation batches (eval, no gradients)
    assert model.modes[:2] == [False, False] and model.grad_enabled[:2] == [False, False]
    assert model.modes[2:4] == [True, True] and model.grad_enabled[2:4] == [True, True]
    assert model.modes[4:] == [False, False] and model.grad_enabled[4:] == [False, False]
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

@pytest.mark.parametrize("epochs, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                           ("3", TypeError), (True, TypeError), (None, TypeError)])
def test_fit_rejects_a_bad_number_of_epochs(epochs, error):
    model = tiny_model()
    with pytest.raises(error, match="^epochs must be a positive int"):
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


# --------------------------------------------------------------------------- training-loop mistakes
# Each is refused before any work, with one message: argument first, what was given, the fix.


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)


def pairs_loader(inputs, targets, batch_size=8, **kwargs):
    return DataLoader(TensorDataset(inputs, targets), batch_size=batch_size, **kwargs)


def refused(error, pattern, call):
    """``call()`` raises ``error`` matching ``pattern``, and the model's weights did not change."""
    with pytest.raises(error, match=pattern) as info:
        call()
    return str(info.value)


def untouched_after(call, model, error, pattern):
    before = [p.detach().clone() for p in model.parameters()]
    message = refused(error, pattern, call)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())), "weights changed"
    return message


@pytest.mark.parametrize("run", ["fit", "evaluate", "predict"])
def test_float_targets_are_refused_with_long(run):
    inputs, targets = blobs()
    data = pairs_loader(inputs, targets.float())
    model = tiny_model()
    call = {"fit": lambda: fit(model, data, 1, sgd(model), progress=False),
            "evaluate": lambda: evaluate(model, data), "predict": lambda: predict(model, data)}[run]
    message = untouched_after(call, model, TypeError, r"targets must be class indices of dtype torch.int64")
    assert "got torch.float32" in message and "targets.long()" in message


def test_int32_targets_are_refused_too():
    inputs, targets = blobs()
    with pytest.raises(TypeError, match=r"train_loader's targets .* got torch.int32; .*targets.long\(\)"):
        model = tiny_model()
        fit(model, pairs_loader(inputs, targets.int()), 1, sgd(model), progress=False)


def test_targets_out_of_range_name_the_number_of_classes():
    inputs, targets = blobs()
    model = tiny_model()  # two outputs: classes 0 and 1
    message = untouched_after(lambda: fit(model, pairs_loader(inputs, targets + 1), 1, sgd(model), progress=False),
                              model, ValueError, "^train_loader's targets hold class index 2")
    assert "outputs 2 classes" in message and "0 to 1" in message
    with pytest.raises(ValueError, match="class index -1"):
        predict(model, pairs_loader(inputs, targets - 1))


def test_an_out_of_range_target_in_a_later_batch_is_found_before_the_loss():
    inputs, targets = blobs(n=32)
    targets[-1] = 5  # only in the last batch
    model = tiny_model()
    with pytest.raises(ValueError, match="class index 5"):
        fit(model, pairs_loader(inputs, targets), 1, sgd(model), progress=False)


def test_n_by_1_targets_say_squeeze():
    inputs, targets = blobs()
    model = tiny_model()
    message = untouched_after(
        lambda: fit(model, pairs_loader(inputs, targets[:, None]), 1, sgd(model), progress=False),
        model, ValueError, r"^train_loader's targets have shape \(8, 1\)")
    assert "targets.squeeze(1)" in message and "view(-1)" in message


def test_one_hot_targets_say_argmax():
    inputs, targets = blobs()
    one_hot = nn.functional.one_hot(targets, 2)
    with pytest.raises(ValueError, match=r"one-hot rows\? use targets.argmax\(1\)"):
        evaluate(tiny_model(), pairs_loader(inputs, one_hot))


@pytest.mark.parametrize("run", ["fit", "evaluate"])
def test_the_loss_class_instead_of_a_loss_is_refused(run):
    model = tiny_model()
    call = {"fit": lambda: fit(model, loader(), 1, sgd(model), loss_fn=nn.CrossEntropyLoss, progress=False),
            "evaluate": lambda: evaluate(model, loader(), loss_fn=nn.CrossEntropyLoss)}[run]
    message = refused(TypeError, "^loss_fn must be a loss function", call)
    assert "the class CrossEntropyLoss itself" in message and "loss_fn=nn.CrossEntropyLoss()" in message


def test_a_loss_that_does_not_fit_class_indices_is_refused_before_training():
    model = tiny_model()
    message = untouched_after(lambda: fit(model, loader(), 1, sgd(model), loss_fn=nn.MSELoss(), progress=False),
                              model, TypeError, r"^loss_fn failed on the model's logits \(2, 2\)")
    assert "nn.CrossEntropyLoss()" in message
    with pytest.raises(ValueError, match=r"^loss_fn must return one number .*reduction='mean'"):
        fit(model, loader(), 1, sgd(model), loss_fn=nn.CrossEntropyLoss(reduction="none"), progress=False)


class ListOfBatches:
    """A re-iterable of the given batches, like a DataLoader that yields them."""

    def __init__(self, batches):
        self.batches = batches

    def __iter__(self):
        return iter(self.batches)

    def __len__(self):
        return len(self.batches)


INPUTS, TARGETS = blobs(n=16)


@pytest.mark.parametrize("batches, error, pattern", [
    ([INPUTS[:8], INPUTS[8:]], TypeError, r"yields bare tensors \(a tensor of shape \(8, 2\)"),
    ([(INPUTS[:8],), (INPUTS[8:],)], ValueError, "yields batches of inputs only"),
    ([(INPUTS[:8], TARGETS[:8], torch.arange(8))], ValueError, "yields batches of 3 items"),
    ([{"x": INPUTS, "y": TARGETS}], TypeError, r"must yield \(inputs, targets\) pairs, got \{"),
    ([(INPUTS[:8], TARGETS[:4])], ValueError, "yields 8 inputs but 4 targets"),
    ([(INPUTS[:8].double(), TARGETS[:8])], TypeError, r"inputs have dtype torch.float64 .*weights are torch.float32"),
    ([(INPUTS[:8].to(torch.uint8), TARGETS[:8])], TypeError, r"inputs have dtype torch.uint8 .*inputs.float\(\)"),
])
@pytest.mark.parametrize("run", ["fit", "evaluate", "predict"])
def test_loaders_that_do_not_yield_input_target_pairs_are_refused(batches, error, pattern, run):
    model = tiny_model()
    data = ListOfBatches(batches)
    name = "train_loader" if run == "fit" else "loader"
    call = {"fit": lambda: fit(model, data, 1, sgd(model), progress=False),
            "evaluate": lambda: evaluate(model, data), "predict": lambda: predict(model, data)}[run]
    message = untouched_after(call, model, error, pattern)
    assert message.startswith(name)


def test_predict_no_longer_splits_a_bare_batch_of_two_into_inputs_and_targets():
    # Before: `for inputs, targets in loader` unpacked the 2 rows of each bare (2, 2) batch.
    data = DataLoader(INPUTS, batch_size=2)
    with pytest.raises(TypeError, match="^loader yields bare tensors"):
        predict(tiny_model(), data)


def test_float64_data_names_the_fix():
    inputs, targets = blobs()
    model = tiny_model()
    message = refused(TypeError, "^train_loader's inputs have dtype torch.float64",
                      lambda: fit(model, pairs_loader(inputs.double(), targets), 1, sgd(model), progress=False))
    assert "inputs.to(torch.float32)" in message and "torch.from_numpy(a).float()" in message


@pytest.mark.parametrize("given, pattern", [
    (TensorDataset(INPUTS, TARGETS), r"got a TensorDataset, a Dataset, which yields one item at a time; "
                                     r"wrap it: DataLoader\("),
    (INPUTS, r"must yield \(inputs, targets\) batches, got a tensor"),
    (iter(ListOfBatches([(INPUTS, TARGETS)])), r"one-shot iterator .*not iter\(loader\)"),
    ((b for b in [(INPUTS, TARGETS)]), "one-shot iterator"),
    (42, "must be a DataLoader yielding"),
])
def test_things_that_are_not_loaders_are_refused(given, pattern):
    model = tiny_model()
    message = refused(TypeError, pattern, lambda: fit(model, given, 1, sgd(model), progress=False))
    assert message.startswith("train_loader ")
    with pytest.raises(TypeError, match="^loader "):
        predict(model, given)


def test_a_bad_val_loader_is_found_before_the_first_epoch():
    model = tiny_model()
    inputs, targets = blobs()
    bad = pairs_loader(inputs, targets.float())
    calls = []
    original = model.forward
    model.forward = lambda x: calls.append(torch.is_grad_enabled()) or original(x)
    untouched_after(lambda: fit(model, loader(), 3, sgd(model), val_loader=bad, progress=False),
                    model, TypeError, "^val_loader's targets must be class indices")
    assert not any(calls), "no training step may run before the val_loader is checked"
    with pytest.raises(ValueError, match="^val_loader yields batches of inputs only"):
        fit(model, loader(), 1, sgd(model), val_loader=ListOfBatches([(inputs,)]), progress=False)
    with pytest.raises(TypeError, match="^val_loader must yield batches, got a TensorDataset"):
        fit(model, loader(), 1, sgd(model), val_loader=TensorDataset(inputs, targets), progress=False)


def test_a_device_that_is_not_here_is_refused(monkeypatch):
    model = tiny_model()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    message = refused(ValueError, r"^device='cuda' is not available on this machine",
                      lambda: fit(model, loader(), 1, sgd(model), device="cuda", progress=False))
    assert "torch.cuda.is_available() is False" in message and "course_utils.device()" in message
    with pytest.raises(ValueError, match="^device='gpu' is not a device PyTorch knows"):
        fit(model, loader(), 1, sgd(model), device="gpu", progress=False)
    with pytest.raises(TypeError, match="^device must be a device name"):
        evaluate(model, loader(), device=0.5)
    with pytest.raises(ValueError, match="^device='cuda' is not available"):
        predict(model, loader(), device="cuda")


def test_the_optimizer_of_another_model_is_refused():
    model, other = tiny_model(), tiny_model()
    message = untouched_after(lambda: fit(model, loader(), 2, sgd(other), progress=False),
                              model, ValueError, "^optimizer updates none of this model's parameters")
    assert "model.parameters()" in message
    import copy

    optimizer = sgd(model)
    with pytest.raises(ValueError, match="another model's .*copy.deepcopy"):
        fit(copy.deepcopy(model), loader(), 1, optimizer, progress=False)


def test_an_optimizer_of_frozen_parameters_or_the_optimizer_class_is_refused():
    model = tiny_model()
    optimizer = sgd(model)
    model.requires_grad_(False)
    with pytest.raises(ValueError, match=r"^optimizer updates only frozen parameters \(requires_grad=False\)"):
        fit(model, loader(), 1, optimizer, progress=False)
    with pytest.raises(TypeError, match=r"^optimizer must be an optimizer, got the class Adam itself"):
        fit(tiny_model(), loader(), 1, torch.optim.Adam, progress=False)


def test_fine_tuning_part_of_a_model_is_allowed():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
    first = model[0].weight.detach().clone()
    fit(model, loader(), 1, torch.optim.SGD(model[2].parameters(), lr=0.1), progress=False)
    assert torch.equal(first, model[0].weight)


def batchnorm_model():
    seed_everything(0)
    return nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def test_a_last_batch_of_one_through_batchnorm_is_refused_before_training():
    model = batchnorm_model()
    data = loader(n=17, batch_size=8)  # 8 + 8 + 1
    message = untouched_after(lambda: fit(model, data, 1, sgd(model), progress=False), model, ValueError,
                              r"^train_loader's last batch holds 1 item \(17 items in batches of 8\)")
    assert "drop_last=True" in message
    inputs, targets = blobs(n=17)
    fit(model, pairs_loader(inputs, targets, drop_last=True), 1, sgd(model), progress=False)
    evaluate(model, data)  # in eval mode a batch of one is fine


def test_a_scheduler_that_cannot_last_the_run_is_refused_before_training():
    model = tiny_model()
    optimizer = sgd(model)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=2, steps_per_epoch=8)
    message = untouched_after(lambda: fit(model, loader(), 3, optimizer, scheduler=scheduler, progress=False),
                              model, ValueError, r"^scheduler \(OneCycleLR\) can be stepped 16 more times "
                                                 r"but training steps it 24 times")
    assert "epochs=3 × 8 batches" in message and "steps_per_epoch=len(train_loader)" in message
    other = torch.optim.lr_scheduler.StepLR(sgd(model), step_size=1)
    with pytest.raises(ValueError, match="^scheduler was built on another optimizer"):
        fit(model, loader(), 1, optimizer, scheduler=other, progress=False)
    with pytest.raises(TypeError, match="^scheduler must be a learning-rate scheduler, got the class"):
        fit(model, loader(), 1, optimizer, scheduler=torch.optim.lr_scheduler.StepLR, progress=False)


def test_a_model_returning_a_tuple_or_the_wrong_shape_is_refused():
    class Pair(nn.Linear):
        def forward(self, x):
            return super().forward(x), x

    pair = Pair(2, 2)
    with pytest.raises(TypeError, match=r"^model returns a tuple of 2 items; .*logits"):
        fit(pair, loader(), 1, sgd(pair), progress=False)
    flat = nn.Sequential(nn.Linear(2, 2), nn.Flatten(0))
    with pytest.raises(ValueError, match=r"^model returns shape \(4,\) for a batch of 2"):
        fit(flat, loader(), 1, sgd(flat), progress=False)


def test_a_diverging_loss_stops_training_with_the_learning_rate():
    model = tiny_model()
    inputs, targets = blobs()
    inputs[20] = float("nan")
    with pytest.raises(FloatingPointError, match=r"loss became nan in epoch 1, batch 3.*lr=0.1"):
        fit(model, pairs_loader(inputs, targets), 1, sgd(model), progress=False)


def test_fit_refuses_a_non_bool_progress_and_the_model_class():
    model = tiny_model()
    with pytest.raises(TypeError, match="^progress must be True or False"):
        fit(model, loader(), 1, sgd(model), progress="no")
    with pytest.raises(TypeError, match=r"^model must be an nn.Module instance, got the class Linear"):
        fit(nn.Linear, loader(), 1, sgd(model), progress=False)


def test_predict_refuses_a_device_other_than_the_models(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # pretend a GPU exists
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"^device='cuda' but the model's parameters are on cpu; "
                                         r"move the model first \(model.to\('cuda'\)\)"):
        predict(tiny_model(), loader(), device="cuda")
    with pytest.raises(ValueError, match="^device='meta' is not available on this machine"):
        predict(tiny_model(), loader(), device="meta")


# --------------------------------------------------------------------------- the up-front check changes nothing


def hand_loop(model, data, epochs, optimizer):
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for inputs, targets in data:
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()


def test_fit_trains_exactly_like_a_hand_written_loop():
    # Shuffling (the loader's generator) and dropout (the global generator) both draw random
    # numbers: looking at the first batches up front must leave both as they were.
    def run(train):
        seed_everything(0)
        model = nn.Sequential(nn.Linear(2, 16), nn.Dropout(0.3), nn.Linear(16, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        train(model, loader(shuffle=True, seed=3), 2, optimizer)
        return model

    by_fit = run(lambda m, d, e, o: fit(m, d, e, o, val_loader=loader(seed=1), progress=False))
    by_hand = run(hand_loop)
    for a, b in zip(by_fit.parameters(), by_hand.parameters()):
        assert torch.equal(a, b)


# --------------------------------------------------------------------------- course_utils.device()


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    import course_utils

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert course_utils.device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert course_utils.device() == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert course_utils.device() == torch.device("cpu")


def test_fit_trains_on_course_utils_device_by_default(monkeypatch):
    import course_utils

    chosen = []
    monkeypatch.setattr(course_utils, "device", lambda: chosen.append(1) or torch.device("cpu"))
    model = tiny_model()
    fit(model, loader(), 1, sgd(model), progress=False)
    assert chosen == [1]
    fit(model, loader(), 1, sgd(model), device="cpu", progress=False)
    assert chosen == [1]  # an explicit device is used as given


def test_evaluate_and_predict_use_the_models_device(monkeypatch):
    import course_utils

    monkeypatch.setattr(course_utils, "device", lambda: pytest.fail("evaluate must not choose a device"))
    assert evaluate(tiny_model(), loader())["accuracy"] >= 0
