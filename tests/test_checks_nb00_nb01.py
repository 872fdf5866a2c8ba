"""The debugging and design exercises of notebooks 00 and 01: each classic mistake gets its own hint."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks
from course_utils.checks import nb00, nb01


@pytest.fixture(autouse=True)
def english():
    checks.set_language("en")
    yield
    checks.set_language("en")


def printed(capsys, checker, *answers):
    checker(*answers)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Traceback" not in out, out
    return out.strip()


# --------------------------------------------------------------------------- 0.5: debug SensorNet


class SensorNet(nn.Module):
    """The starter, as the notebook gives it (bare raise still in place)."""

    def __init__(self, fc_in=32 * 46, conv_in=6):
        super().__init__()
        self.conv = nn.Conv1d(conv_in, 32, kernel_size=5)
        self.act = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(fc_in, 4)

    def forward(self, x):
        raise NotImplementedError


class Unpermuted(SensorNet):
    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.act(self.conv(x)))))


class PermutedOnly(SensorNet):
    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.act(self.conv(x.permute(0, 2, 1))))))


class Fixed(PermutedOnly):
    def __init__(self):
        super().__init__(fc_in=32)


class Reshaped(Fixed):
    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.act(self.conv(x.reshape(len(x), 6, -1))))))


class Transposed(Fixed):
    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.act(self.conv(x.transpose(1, 2))))))


class WrongChannels(PermutedOnly):
    def __init__(self):
        super().__init__(fc_in=32, conv_in=50)


class WithoutPool(SensorNet):
    def forward(self, x):
        return self.fc(self.flatten(self.act(self.conv(x.permute(0, 2, 1)))))


def test_sensor_net_each_bug_gets_its_hint(capsys):
    assert printed(capsys, nb00.exercise_0_5, SensorNet) == "⏳ 0.5 not attempted yet"
    assert printed(capsys, nb00.exercise_0_5, Unpermuted).endswith(
        "to have 6 channels, but got 50 channels instead "
        "— hint: the recordings are (N, L, C): permute them to (N, C, L) before the conv")
    line = printed(capsys, nb00.exercise_0_5, PermutedOnly)
    assert line.startswith("❌ 0.5: SensorNet raised RuntimeError on a batch of shape (N, 50, 6): mat1 and mat2")
    assert line.endswith("— hint: after AdaptiveAvgPool1d(1) and Flatten each recording has 32 features, whatever "
                         "its length: the Linear needs in_features=32")
    assert printed(capsys, nb00.exercise_0_5, Reshaped) == (
        "❌ 0.5: the shapes are right but the outputs are not the conv over time of each sensor's signal "
        "— hint: reshape and view only reinterpret the memory; permute(0, 2, 1) moves the axes")
    assert printed(capsys, nb00.exercise_0_5, WrongChannels) == (
        "❌ 0.5: SensorNet's conv reads 50 channels, but a recording has 6 sensors "
        "— hint: keep nn.Conv1d(6, 32, 5) and permute the data (N, L, C) to (N, C, L) instead")
    assert "mat1 and mat2 shapes cannot be multiplied" in printed(capsys, nb00.exercise_0_5, WithoutPool)
    assert printed(capsys, nb00.exercise_0_5, Fixed) == "✅ 0.5 passed"
    assert printed(capsys, nb00.exercise_0_5, Transposed) == "✅ 0.5 passed"


def test_sensor_net_with_renamed_layers_is_judged_by_its_shapes(capsys):
    class Renamed(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv1d(6, 32, 5), nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten())
            self.head = nn.Linear(32, 4)

        def forward(self, x):
            return self.head(self.features(x.permute(0, 2, 1)))

    assert printed(capsys, nb00.exercise_0_5, Renamed) == "✅ 0.5 passed"


def test_sensor_net_structural_mistakes_are_named(capsys):
    class NoSuper(SensorNet):
        def __init__(self):
            self.conv = nn.Conv1d(6, 32, 5)

    assert "call super().__init__()" in printed(capsys, nb00.exercise_0_5, NoSuper)


# --------------------------------------------------------------------------- 0.6: channels_second


def channels_second(x, layout):
    batch = [layout.index("N")] if "N" in layout else []
    return x.permute(*batch, layout.index("C"), *[i for i, a in enumerate(layout) if a not in "NC"])


def test_channels_second_accepts_every_right_answer(capsys):
    assert printed(capsys, nb00.exercise_0_6, channels_second) == "✅ 0.6 passed"

    def contiguous(x, layout):
        return channels_second(x, layout).contiguous()

    assert printed(capsys, nb00.exercise_0_6, contiguous) == "✅ 0.6 passed"


def test_channels_second_names_the_mistake(capsys):
    assert printed(capsys, nb00.exercise_0_6, lambda x, layout: x.permute(0, 3, 2, 1)) == (
        "❌ 0.6: expected shape for layout 'NHWC' (sizes N=2, H=4, W=5, C=3) (2, 3, 4, 5), got (2, 3, 5, 4) "
        "— hint: the result's layout is 'NCHW': N first if there is one, then C, then the other letters in the "
        "order they come in 'NHWC'")

    def reshaped(x, layout):
        return x.reshape(channels_second(x, layout).shape)

    assert printed(capsys, nb00.exercise_0_6, reshaped) == (
        "❌ 0.6: for layout 'NHWC' the shape is right but the values moved to wrong places — hint: reshape and "
        "view only reinterpret the memory; x.permute(...) with the positions of N, C, then the others, moves the axes")

    def only_four_dims(x, layout):
        return x.permute(0, 3, 1, 2)

    line = printed(capsys, nb00.exercise_0_6, only_four_dims)
    assert line.startswith("❌ 0.6: your function raised RuntimeError")

    def channels_last_kept(x, layout):  # forgets that an unbatched layout has no N
        return x.permute(layout.index("N"), layout.index("C"), *[i for i, a in enumerate(layout) if a not in "NC"])

    assert printed(capsys, nb00.exercise_0_6, channels_last_kept).startswith(
        "❌ 0.6: your function raised ValueError: substring not found")


def test_channels_second_checks_unbatched_and_already_right_layouts():
    x = torch.arange(60).reshape(4, 5, 3)
    assert nb00._channels_second_reference(x, "HWC").shape == (3, 4, 5)
    assert nb00._target_layout("LNC") == "NCL" and nb00._target_layout("CWH") == "CWH"


# --------------------------------------------------------------------------- 1.4: four bugs in TinyClassifier


class Starter(nn.Module):
    def __init__(self, hidden=64):
        raise NotImplementedError

    def forward(self, x):
        return x


class NoSuper(nn.Module):
    def __init__(self, hidden=64):
        self.flatten = nn.Flatten()


class PlainList(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = [nn.Linear(784, hidden), nn.Linear(hidden, 10)]

    def forward(self, x):
        x = torch.relu(self.layers[0](self.flatten(x)))
        return self.layers[1](F.dropout(x, p=0.5, training=self.training))


class Misspelled(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.ModuleList([nn.Linear(784, hidden), nn.Linear(hidden, 10)])

    def foward(self, x):
        return self.layers[1](torch.relu(self.layers[0](self.flatten(x))))


class AlwaysDropping(Misspelled):
    def forward(self, x):
        x = torch.relu(self.layers[0](self.flatten(x)))
        return self.layers[1](F.dropout(x, p=0.5))


class Fixed14(Misspelled):
    def forward(self, x):
        x = torch.relu(self.layers[0](self.flatten(x)))
        return self.layers[1](F.dropout(x, p=0.5, training=self.training))


class NoDropout(Misspelled):
    def forward(self, x):
        return self.layers[1](torch.relu(self.layers[0](self.flatten(x))))


class WithDropoutModule(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(0.5),
                                 nn.Linear(hidden, 10))

    def forward(self, x):
        return self.net(x)


def test_tiny_classifier_names_each_bug_in_turn(capsys):
    assert printed(capsys, nb01.exercise_1_4, Starter) == "⏳ 1.4 not attempted yet"
    assert printed(capsys, nb01.exercise_1_4, NoSuper).endswith(
        "— hint: call super().__init__() as the first line of __init__")
    assert "PlainList.layers is a plain Python list" in printed(capsys, nb01.exercise_1_4, PlainList)
    assert printed(capsys, nb01.exercise_1_4, Misspelled) == (
        "❌ 1.4: Misspelled has no forward method "
        "— hint: rename foward to forward: nn.Module calls only a method spelled exactly forward")
    assert printed(capsys, nb01.exercise_1_4, AlwaysDropping) == (
        "❌ 1.4: after model.eval() the output still changes: dropout is still on — hint: F.dropout does not "
        "know the module's mode: pass training=self.training, or use an nn.Dropout(0.5) module, which "
        "model.eval() switches off")
    assert printed(capsys, nb01.exercise_1_4, NoDropout) == (
        "❌ 1.4: in train() mode two calls give the same output: the dropout is gone "
        "— hint: keep the dropout for training: F.dropout(x, p=0.5, training=self.training)")
    assert printed(capsys, nb01.exercise_1_4, Fixed14) == "✅ 1.4 passed"
    assert printed(capsys, nb01.exercise_1_4, WithDropoutModule) == "✅ 1.4 passed"


# --------------------------------------------------------------------------- 1.5: four bugs in a training loop


def make_train(optimizer_on_model=True, loss_object=True, long_targets=True, zero_grad=True, as_items=True,
               optimizer="SGD"):
    def train(model, inputs, labels, steps=100):
        params = model.parameters() if optimizer_on_model else nn.Linear(2, 2).parameters()
        opt = getattr(torch.optim, optimizer)(params, lr=0.5)
        loss_fn = nn.CrossEntropyLoss() if loss_object else nn.CrossEntropyLoss
        losses = []
        for _ in range(steps):
            loss = loss_fn(model(inputs), labels if long_targets else labels.float())
            if zero_grad:
                opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item() if as_items else loss.detach())
        return losses

    return train


def test_training_loop_names_each_bug(capsys):
    def starter(model, inputs, labels, steps=100):
        raise NotImplementedError

    assert printed(capsys, nb01.exercise_1_5, starter) == "⏳ 1.5 not attempted yet"
    assert printed(capsys, nb01.exercise_1_5, make_train(False, False, False, False)).endswith(
        "— hint: nn.CrossEntropyLoss is the class: calling it builds a new loss object with your tensors as its "
        "settings; create the loss once, loss_fn = nn.CrossEntropyLoss(), then call loss_fn(logits, labels)")
    assert printed(capsys, nb01.exercise_1_5, make_train(False, True, False, False)) == (
        "❌ 1.5: your function raised RuntimeError: expected target dtype to be Long or Byte, but got Float "
        "— hint: CrossEntropyLoss wants class indices of dtype int64 (long): pass labels as they are, "
        "not labels.float()")
    assert printed(capsys, nb01.exercise_1_5, make_train(False, True, True, False)) == (
        "❌ 1.5: after training, the model's parameters are exactly as before — hint: the optimizer updates "
        "only the parameters it was built on: torch.optim.SGD(model.parameters(), lr=0.5)")
    assert printed(capsys, nb01.exercise_1_5, make_train(True, True, True, False)) == (
        "❌ 1.5: the losses are those of a loop whose gradients pile up from step to step "
        "— hint: backward() adds to .grad: call optimizer.zero_grad() in every step")
    assert printed(capsys, nb01.exercise_1_5, make_train()) == "✅ 1.5 passed"
    assert printed(capsys, nb01.exercise_1_5, make_train(as_items=False)) == "✅ 1.5 passed"


def test_training_loop_other_optimizer_or_wrong_returns(capsys):
    line = printed(capsys, nb01.exercise_1_5, make_train(optimizer="Adam"))
    assert line.startswith("❌ 1.5: the losses differ from those of a correct loop (first ")
    assert line.endswith("SGD with lr=0.5")

    def returns_last(model, inputs, labels, steps=100):
        return make_train()(model, inputs, labels, steps)[-1]

    assert printed(capsys, nb01.exercise_1_5, returns_last).startswith(
        "❌ 1.5: train should return a list of 20 losses (numbers), got ")

    def one_short(model, inputs, labels, steps=100):
        return make_train()(model, inputs, labels, steps)[1:]

    assert printed(capsys, nb01.exercise_1_5, one_short) == (
        "❌ 1.5: train(..., steps=20) returned 19 losses — hint: one loss per step: append loss.item() once "
        "inside the loop")
