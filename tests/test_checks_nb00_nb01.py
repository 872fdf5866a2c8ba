"""The debugging and design exercises of notebooks 00 and 01: each classic mistake gets its own hint."""

import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import nb00


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
