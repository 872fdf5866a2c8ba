"""course_utils.viz.resnet: the stage shapes it reports are ResNet18's, and its diagrams write them."""

import matplotlib.pyplot as plt
import pytest

from course_utils.models import ResNet18
from course_utils.viz import draw_basic_blocks, draw_resnet18_stages, resnet18_stage_shapes


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


@pytest.mark.parametrize("size, expected", [
    (224, [(3, 224, 224), (64, 112, 112), (64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7),
           (512, 1, 1), (1000,)]),
    (28, [(3, 28, 28), (64, 14, 14), (64, 7, 7), (64, 7, 7), (128, 4, 4), (256, 2, 2), (512, 1, 1), (512, 1, 1),
          (1000,)]),
])
def test_stage_shapes_are_resnet18s(size, expected):
    stages = resnet18_stage_shapes(size)
    assert [s["shape"] for s in stages] == expected
    assert [s["name"] for s in stages] == ["input", "conv1", "maxpool", "layer1", "layer2", "layer3", "layer4",
                                           "avgpool", "fc"]


def test_stage_parameters_add_up_to_the_model():
    stages = resnet18_stage_shapes(28, in_channels=1, num_classes=10)
    by_name = {s["name"]: s["params"] for s in stages}
    assert by_name["conv1"] == 64 * 7 * 7 + 2 * 64 and by_name["fc"] == 5_130 and by_name["maxpool"] == 0
    assert sum(by_name.values()) == sum(p.numel() for p in ResNet18(10, 1).parameters()) == 11_175_370


def test_stage_diagram_writes_the_measured_shapes():
    fig = draw_resnet18_stages(224)
    written = texts(fig)
    for shape in ["3×224×224", "64×112×112", "128×28×28", "512×7×7", "512×1×1", "1000"]:
        assert shape in written
    assert written.count("/2") == 5 and "8.4 M params" in written
    assert any("11,689,512 in all" in t for t in written)
    plt.close(fig)


def test_stage_diagram_for_digits_rounds_up():
    fig = draw_resnet18_stages(28, in_channels=1, num_classes=10)
    written = texts(fig)
    assert "128×4×4" in written and "1×28×28" in written and written.count("/2") == 5
    plt.close(fig)


def test_block_diagram_writes_both_blocks_shapes():
    fig = draw_basic_blocks()
    written = " ".join(texts(fig))
    assert "x\n64×56×56" in written and "y\n64×56×56" in written and "y\n128×28×28" in written
    assert "downsample: conv 1×1, stride 2 → BN" in written and "identity: x itself" in written
    plt.close(fig)


def test_drawing_into_given_axes():
    fig, ax = plt.subplots()
    assert draw_resnet18_stages(32, ax=ax) is fig
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(image_size=0), ValueError, "image_size must be a positive int, got 0"),
    (dict(image_size=28.0), TypeError, r"image_size must be a positive int, got 28.0 \(float\); write 28"),
    (dict(in_channels=-1), ValueError, "in_channels must be a positive int, got -1"),
    (dict(num_classes="10"), TypeError, "num_classes must be a positive int, got '10'"),
])
def test_stage_shapes_check_their_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        resnet18_stage_shapes(**kwargs)


def test_drawings_refuse_something_that_is_not_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw_resnet18_stages(ax="left")
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw_basic_blocks(ax=plt.figure())
    plt.close("all")
