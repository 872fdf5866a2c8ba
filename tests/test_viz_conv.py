"""Tests of course_utils.viz.conv: the diagrams draw exactly what PyTorch computes."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PIL import Image  # noqa: E402

from course_utils import arithmetic  # noqa: E402
from course_utils.viz import conv  # noqa: E402
from course_utils.viz import (  # noqa: E402
    animate_conv,
    animate_conv_transpose,
    animate_pool,
    animation_html,
    draw_conv_step,
    draw_conv_transpose_step,
    draw_pool_step,
    save_gif,
)

# the worked example of reference.md §2
X = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1],
                  [2, 1, 0, 1, 1]])
W = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def collection(fig, gid):
    found = [c for ax in fig.axes for c in ax.collections if c.get_gid() == gid]
    assert len(found) <= 1
    return found[0] if found else None


def drawn_cells(fig, gid):
    found = collection(fig, gid)
    return 0 if found is None else len(found.get_paths())


def torch_conv(x, w, **kwargs):
    return F.conv2d(torch.as_tensor(x).double()[None, None],
                    torch.as_tensor(w).double()[None, None], **kwargs)[0, 0]


# --- draw_conv_step -----------------------------------------------------------------------


def test_draw_conv_step_returns_a_figure_with_pytorchs_numbers():
    fig = draw_conv_step(X, W, stride=2, padding=1, step=(1, 2))
    assert isinstance(fig, matplotlib.figure.Figure)
    scene = fig.conv_scene
    assert scene.output_shape == (3, 3)
    assert scene.output.tolist() == [[1, 4, 8], [7, 16, 8], [14, 9, 4]]
    assert drawn_cells(fig, "output-cells") == 9
    assert drawn_cells(fig, "input-cells") == 7 * 7  # 5×5 plus padding 1
    assert drawn_cells(fig, "window") == 9


@pytest.mark.parametrize("stride, padding, expected", [
    (1, 0, [[10, 12, 12], [18, 16, 16], [13, 9, 3]]),
    (2, 0, [[10, 12], [13, 3]]),
    (1, 1, [[1, 3, 4, 10, 8], [5, 10, 12, 12, 6], [7, 18, 16, 16, 8], [11, 13, 9, 3, 4],
            [14, 13, 9, 7, 4]]),
])
def test_reference_worked_example(stride, padding, expected):
    scene = conv.conv_scene(X, W, stride, padding)
    assert scene.output.tolist() == expected


def test_window_of_a_step_covers_the_right_cells_and_sums_to_the_output():
    scene = conv.conv_scene(X, W, stride=2, padding=1, dilation=1)
    for step in scene.steps:
        cells = scene.window(step)
        values = np.array([scene.grid_values[r, c] for r, c in cells]).reshape(3, 3)
        assert (values * scene.kernel_values).sum() == scene.output[step]
    assert scene.window((1, 2)) == [(r, c) for r in (2, 3, 4) for c in (4, 5, 6)]


def test_padding_cells_are_marked_and_zero():
    scene = conv.conv_scene(torch.ones(3, 4), torch.ones(2, 2), padding=(1, 2))
    assert scene.grid_kind.shape == (5, 8)
    assert (scene.grid_kind == conv.PADDING).sum() == 5 * 8 - 3 * 4
    assert (scene.grid_values[scene.grid_kind == conv.PADDING] == 0).all()


def test_dilation_spreads_the_window():
    scene = conv.conv_scene(torch.ones(7, 7), torch.ones(3, 3), dilation=2)
    assert scene.output_shape == (3, 3)
    assert scene.window((0, 0)) == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]


@pytest.mark.parametrize("k, pads", [(2, (0, 1)), (3, (1, 1)), (4, (1, 2)), (5, (2, 2))])
def test_same_padding_pads_an_even_kernel_asymmetrically_like_pytorch(k, pads):
    x = torch.arange(36.0).view(6, 6)
    w = torch.arange(float(k * k)).view(k, k)
    scene = conv.conv_scene(x, w, padding="same")
    assert scene.output_shape == (6, 6)
    kind = scene.grid_kind
    assert kind.shape == (6 + sum(pads), 6 + sum(pads))
    top = int((kind[:, kind.shape[1] // 2] == conv.PADDING).argmin())
    assert top == pads[0]
    with warnings.catch_warnings():  # torch warns (once) about even kernels
        warnings.simplefilter("ignore")
        expected = torch_conv(x, w, padding="same")
    assert torch.equal(torch.from_numpy(scene.output), expected)


def test_valid_padding_is_no_padding():
    assert conv.conv_scene(X, W, padding="valid").output_shape == (3, 3)


def test_unused_cells_of_the_odd_case_are_the_last_row_and_column():
    scene = conv.conv_scene(torch.ones(6, 6), torch.ones(3, 3), stride=2, padding=1)
    unused = scene.unused
    assert unused[7, :].all() and unused[:, 7].all()
    assert unused.sum() == 8 + 8 - 1
    fig = draw_conv_step(torch.ones(6, 6), torch.ones(3, 3), 2, 1)
    assert drawn_cells(fig, "unused") == 15
    assert not conv.conv_scene(torch.ones(5, 5), torch.ones(3, 3), 2, 1).unused.any()


def test_step_may_be_a_flat_index_and_progressive_hides_later_outputs():
    fig = draw_conv_step(X, W, step=4, progressive=True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "output[1, 1] = Σ window × kernel = 16" in texts
    assert "3" not in texts[-12:]  # output[2, 2] = 3 is not written yet


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots(figsize=(6, 3))
    assert draw_conv_step(X, W, ax=ax) is fig


def test_figures_fit_a_slide():
    for i, p in [(4, 0), (5, 2), (9, 3)]:
        fig = draw_conv_step(torch.ones(i, i), torch.ones(3, 3), padding=p)
        width, height = fig.get_size_inches()
        assert width <= 8.0 and height <= 4.0


@settings(max_examples=60, deadline=None)
@given(i=st.integers(1, 9), j=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 3),
       p=st.integers(0, 3), d=st.integers(1, 3))
def test_scene_output_size_equals_pytorch_and_windows_stay_in_the_grid(i, j, k, s, p, d):
    x = torch.arange(float(i * j)).view(i, j)
    w = torch.ones(k, k)
    try:
        expected = torch_conv(x, w, stride=s, padding=p, dilation=d)
    except RuntimeError:
        with pytest.raises(ValueError):
            conv.conv_scene(x, w, s, p, d)
        return
    scene = conv.conv_scene(x, w, s, p, d)
    assert scene.output_shape == tuple(expected.shape)
    assert scene.output_shape == arithmetic.conv_output_size((i, j), k, s, p, d)
    last = scene.window(scene.steps[-1])[-1]
    assert last[0] < scene.grid_kind.shape[0] and last[1] < scene.grid_kind.shape[1]


# --- transposed convolution ---------------------------------------------------------------


@pytest.mark.parametrize("i, k, s, p, a, d", [
    (2, 3, 1, 0, 0, 1), (6, 4, 1, 2, 0, 1), (3, 3, 2, 1, 1, 1), (2, 3, 2, 0, 0, 1),
    (3, 2, 3, 0, 2, 1), (4, 3, 1, 1, 0, 2), (3, 3, 2, 2, 1, 2),
])
def test_transposed_scene_is_pytorchs_conv_transpose(i, k, s, p, a, d):
    x = torch.randint(0, 5, (i, i), generator=torch.Generator().manual_seed(i)).double()
    w = torch.randint(0, 3, (k, k), generator=torch.Generator().manual_seed(k)).double()
    scene = conv.conv_transpose_scene(x, w, s, p, a, d)
    expected = F.conv_transpose2d(x[None, None], w[None, None], stride=s, padding=p,
                                  output_padding=a, dilation=d)[0, 0]
    assert torch.equal(torch.from_numpy(scene.output), expected)
    assert scene.output_shape == (arithmetic.conv_transpose_output_size(i, k, s, p, a, d),) * 2
    # drawn grid: stretched input, padded by d(k-1)-p, plus a at the bottom/right
    stretched = (i - 1) * s + 1
    assert scene.grid_kind.shape == (stretched + 2 * (d * (k - 1) - p) + a,) * 2
    assert (scene.grid_kind == conv.INPUT).sum() == i * i
    assert (scene.grid_kind == conv.STRETCH).sum() == stretched ** 2 - i * i
    assert np.array_equal(scene.kernel_values, w.flip(0, 1).numpy())
    fig = draw_conv_transpose_step(x, w, s, p, a, d, step=scene.steps[-1])
    assert drawn_cells(fig, "output-cells") == expected.numel()


def test_transposed_rejects_impossible_or_undrawable_settings():
    with pytest.raises(ValueError, match="output_padding must be smaller than max"):
        draw_conv_transpose_step(torch.ones(3, 3), torch.ones(3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="crop"):
        draw_conv_transpose_step(torch.ones(5, 5), torch.ones(3, 3), padding=3)
    with pytest.raises(ValueError, match="draw_conv_transpose_step"):
        draw_conv_transpose_step(torch.ones(1, 1), torch.ones(1, 1), padding=1)


# --- pooling -----------------------------------------------------------------------------


def test_max_pool_marks_the_winner_and_pads_with_minus_infinity():
    scene = conv.pool_scene(X, 3, 2, 1, mode="max")
    assert scene.output_shape == (3, 3)
    expected = F.max_pool2d(X.double()[None, None], 3, 2, 1)[0, 0]
    assert torch.equal(torch.from_numpy(scene.output), expected)
    for step in scene.steps:
        assert scene.grid_values[tuple(scene.argmax[step])] == scene.output[step]
        assert tuple(scene.argmax[step]) in scene.window(step)
    assert np.isneginf(scene.grid_values[scene.grid_kind == conv.PADDING]).all()
    fig = draw_pool_step(X, 3, 2, 1, step=(2, 2))
    assert "−∞" in [t.get_text() for t in fig.axes[0].texts]


def test_pool_stride_defaults_to_the_kernel():
    scene = conv.pool_scene(torch.ones(6, 6), 2)
    assert scene.stride == (2, 2) and scene.output_shape == (3, 3)


def test_avg_pool_counts_padding_like_pytorch():
    ones = torch.ones(3, 3)
    assert round(conv.pool_scene(ones, 3, 1, 1, mode="avg").output[0, 0], 3) == 0.444
    assert conv.pool_scene(ones, 3, 1, 1, mode="avg", count_include_pad=False).output[0, 0] == 1


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_ceil_mode_draws_the_overhanging_window(mode):
    x = torch.arange(25.0).view(5, 5)
    scene = conv.pool_scene(x, 2, 2, 0, ceil_mode=True, mode=mode)
    assert scene.output_shape == (3, 3)
    assert scene.grid_kind.shape == (6, 6)
    assert (scene.grid_kind == conv.OUTSIDE).sum() == 11
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    assert torch.equal(torch.from_numpy(scene.output), fn(x[None, None], 2, 2, 0,
                                                           ceil_mode=True)[0, 0].double())
    fig = draw_pool_step(x, 2, ceil_mode=True, mode=mode, step=(2, 2))
    assert drawn_cells(fig, "output-cells") == 9


@settings(max_examples=60, deadline=None)
@given(i=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 2),
       d=st.integers(1, 2), ceil=st.booleans())
def test_max_pool_scene_size_equals_pytorch(i, k, s, p, d, ceil):
    x = torch.arange(float(i * i)).view(i, i)
    try:
        expected = F.max_pool2d(x[None, None], k, s, p, d, ceil_mode=ceil)[0, 0]
    except RuntimeError:
        with pytest.raises(ValueError):
            conv.pool_scene(x, k, s, p, d, ceil)
        return
    scene = conv.pool_scene(x, k, s, p, d, ceil)
    assert scene.output_shape == tuple(expected.shape)
    assert np.array_equal(scene.output, expected.double().numpy())


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(x=torch.ones(1, 1, 5, 5)), ValueError, r"x must be 2-D .*x\[0, 0\]"),
    (dict(weight=torch.ones(3)), ValueError, "weight must be 2-D"),
    (dict(stride=0), ValueError, "stride must be at least 1"),
    (dict(padding=-1), ValueError, "padding must be at least 0"),
    (dict(dilation=0), ValueError, "dilation must be at least 1"),
    (dict(stride=1.5), TypeError, "stride must be an int"),
    (dict(padding="full"), ValueError, "'valid' or 'same'"),
    (dict(padding="same", stride=2), ValueError, "stride 1"),
    (dict(weight=torch.ones(7, 7)), ValueError, "kernel .* spans .* padded input"),
    (dict(dilation=3), ValueError, "spans d\\(k-1\\)\\+1 = 7 pixels"),
    (dict(step=(3, 0)), ValueError, r"step \(3, 0\) is outside the 3×3 output"),
    (dict(step=9), ValueError, "outside the 3×3 output"),
    (dict(step="first"), TypeError, "step must be"),
    (dict(show_values="yes"), TypeError, "show_values"),
])
def test_draw_conv_step_rejects_impossible_settings_clearly(kwargs, error, match):
    arguments = dict(x=X, weight=W)
    arguments.update(kwargs)
    with pytest.raises(error, match=match) as info:
        draw_conv_step(**arguments)
    assert str(info.value).startswith("draw_conv_step: ")


@pytest.mark.parametrize("kwargs, match", [
    (dict(mode="min"), "mode must be 'max' or 'avg'"),
    (dict(mode="avg", dilation=2), "average pooling has no dilation"),
    (dict(padding=2), "padding must be at most half the kernel"),
    (dict(kernel_size=7), "window .* spans 7 pixels"),
])
def test_draw_pool_step_rejects_impossible_settings_clearly(kwargs, match):
    arguments = dict(x=X, kernel_size=3)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        draw_pool_step(**arguments)


def test_rejects_complex_and_empty_inputs():
    with pytest.raises(TypeError, match="real numbers"):
        draw_conv_step(torch.ones(3, 3, dtype=torch.complex64), torch.ones(2, 2))
    with pytest.raises(ValueError, match="empty"):
        draw_conv_step(torch.ones(0, 3), torch.ones(2, 2))


# --- animations ---------------------------------------------------------------------------


def test_animation_has_one_frame_per_output_cell_and_saves_a_gif(tmp_path):
    animation = animate_conv(torch.ones(4, 4), torch.ones(3, 3), show_values=False)
    assert animation.conv_scene.output_shape == (2, 2)
    path = tmp_path / "a.gif"
    save_gif(animation, path, dpi=40)
    with Image.open(path) as gif:
        assert gif.n_frames == 4
        assert gif.info["loop"] == 0


def test_transposed_and_pool_animations_count_frames():
    a = animate_conv_transpose(torch.ones(2, 2), torch.ones(3, 3), stride=2)
    assert a._save_count == 25 or len(list(a.new_frame_seq())) == 25
    b = animate_pool(torch.ones(4, 4), 2)
    assert len(list(b.new_frame_seq())) == 4


def test_save_gif_wants_a_gif_name(tmp_path):
    with pytest.raises(ValueError, match="must end in '.gif'"):
        save_gif(animate_conv(torch.ones(3, 3), torch.ones(3, 3)), tmp_path / "a.png")


def test_animate_rejects_bad_interval():
    with pytest.raises(ValueError, match="interval"):
        animate_conv(torch.ones(3, 3), torch.ones(3, 3), interval=0)


def test_animation_html_refuses_what_is_not_an_animation():
    with pytest.raises(TypeError, match="animation must be a matplotlib Animation"):
        animation_html(draw_conv_step(torch.ones(3, 3), torch.ones(2, 2)))
    plt.close("all")


def test_animation_html_works_offline():
    html = animation_html(animate_conv(torch.ones(3, 3), torch.ones(2, 2))).data
    assert "maxcdn" not in html and "fa fa-" not in html
    assert "<img" in html and "▶" in html


# --- exercise checks of notebook 03 (course_utils.checks.nb03) ------------------------------

from course_utils.checks import nb03  # noqa: E402


def one_line(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Traceback" not in out
    return out.strip()


def test_check_3_1(capsys):
    nb03.exercise_3_1(...)
    assert one_line(capsys) == "⏳ 3.1 not attempted yet"
    nb03.exercise_3_1((11, 11))
    assert "floor" in one_line(capsys)
    nb03.exercise_3_1("ten")
    assert one_line(capsys).startswith("❌ 3.1: expected (H_out, W_out)")
    nb03.exercise_3_1((10, 10))
    assert one_line(capsys) == "✅ 3.1 passed"
    nb03.exercise_3_1(10)
    assert one_line(capsys) == "✅ 3.1 passed"


def test_check_3_2(capsys):
    def todo(kernel_size, dilation=1):
        raise NotImplementedError

    def half(kernel_size, dilation=1):  # forgets dilation and even kernels
        return kernel_size // 2

    def right(kernel_size, dilation=1):
        span = dilation * (kernel_size - 1)
        if span % 2:
            raise ValueError("odd")
        return span // 2

    nb03.exercise_3_2(todo)
    assert one_line(capsys) == "⏳ 3.2 not attempted yet"
    nb03.exercise_3_2(half)
    assert one_line(capsys).startswith("❌ 3.2:")
    nb03.exercise_3_2(right)
    assert one_line(capsys) == "✅ 3.2 passed"


def test_check_3_3(capsys):
    def todo(i, target, k, s, p):
        raise NotImplementedError

    def no_check(i, target, k, s, p):  # never raises
        return target - ((i - 1) * s - 2 * p + k)

    def right(i, target, k, s, p):
        a = target - ((i - 1) * s - 2 * p + k)
        if not 0 <= a < s:
            raise ValueError("none")
        return a

    nb03.exercise_3_3(todo)
    assert one_line(capsys) == "⏳ 3.3 not attempted yet"
    nb03.exercise_3_3(no_check)
    assert "ValueError" in one_line(capsys)
    nb03.exercise_3_3(lambda i, target, k, s, p: 0)
    assert one_line(capsys).startswith("❌ 3.3:")
    nb03.exercise_3_3(right)
    assert one_line(capsys) == "✅ 3.3 passed"
