"""Tests of course_utils.viz.conv: the diagrams draw exactly what PyTorch computes."""

import warnings

import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from course_utils import arithmetic
from course_utils.checks import nb03
from course_utils.viz import (
    animate_conv,
    animate_conv_transpose,
    animate_pool,
    animation_html,
    conv,
    draw_conv_step,
    draw_conv_transpose_step,
    draw_pool_step,
    save_gif,
)

# a worked 5×5 example with a 3×3 kernel (its outputs are asserted against F.conv2d below)
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
    # from course_utils.arithmetic, unchanged: the message says what the size would be
    with pytest.raises(ValueError, match=r"output size would be .* = -1.*use a smaller padding"):
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
    (dict(x=torch.ones(1, 1, 5, 5)), ValueError, r"^x must be 2-D .*x\[0, 0\]"),
    (dict(x=torch.ones(3, 5, 5)), ValueError, r"^x must be 2-D .*x\[0\]"),
    (dict(weight=torch.ones(3)), ValueError, "^weight must be 2-D"),
    (dict(stride=0), ValueError, "^stride must be a positive int, got 0"),
    (dict(padding=-1), ValueError, "^padding must be an int ≥ 0, got -1"),
    (dict(dilation=0), ValueError, "^dilation must be a positive int, got 0"),
    (dict(stride=1.5), TypeError, "^stride must be a positive int or a tuple"),
    (dict(stride=(1, 2, 3)), ValueError, r"^stride must be .* tuple \(height, width\).*, got .* 3 entries"),
    (dict(padding="full"), ValueError, "^padding must be an int, a pair, 'valid' or 'same'"),
    (dict(padding="same", stride=2), ValueError, "stride 1"),
    (dict(weight=torch.ones(7, 7)), ValueError, "kernel .* spans .* padded input"),
    (dict(dilation=3), ValueError, "spans d\\(k-1\\)\\+1 = 7 pixels"),
    (dict(step=(3, 0)), ValueError, r"^step \(3, 0\) is outside the 3×3 output"),
    (dict(step=9), ValueError, "^step 9 is outside the 3×3 output"),
    (dict(step="first"), TypeError, "^step must be"),
    (dict(show_values="yes"), TypeError, "^show_values must be True or False"),
    (dict(progressive=1), TypeError, "^progressive must be True or False"),
    (dict(ax="left"), TypeError, "^ax must be a matplotlib Axes or None"),
    (dict(figsize=(6, -1)), ValueError, "^figsize must be greater than 0"),
])
def test_draw_conv_step_rejects_impossible_settings_clearly(kwargs, error, match):
    # Messages start with the argument's name (those from course_utils.arithmetic name the
    # size they compute); none starts with the function's name any more.
    arguments = dict(x=X, weight=W)
    arguments.update(kwargs)
    with pytest.raises(error, match=match) as info:
        draw_conv_step(**arguments)
    assert not str(info.value).startswith("draw_conv_step")


@pytest.mark.parametrize("kwargs, match", [
    (dict(mode="min"), "^mode must be one of 'max', 'avg'; got 'min'"),
    (dict(mode="avg", dilation=2), "^dilation must be 1: average pooling has no dilation"),
    (dict(padding=2), "padding must be at most half the kernel"),
    (dict(kernel_size=7), "window .* spans 7 pixels"),
])
def test_draw_pool_step_rejects_impossible_settings_clearly(kwargs, match):
    arguments = dict(x=X, kernel_size=3)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        draw_pool_step(**arguments)


def test_rejects_complex_and_empty_inputs():
    with pytest.raises(TypeError, match=r"^x must have a real dtype \(not bool or complex\), got torch.complex64"):
        draw_conv_step(torch.ones(3, 3, dtype=torch.complex64), torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"^x is empty \(shape \(0, 3\)\)"):
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
    with pytest.raises(ValueError, match="^path must end in '.gif'"):
        save_gif(animate_conv(torch.ones(3, 3), torch.ones(3, 3)), tmp_path / "a.png")


def test_animate_rejects_bad_interval():
    with pytest.raises(ValueError, match="^interval must be a whole number of milliseconds of at least 1, got 0"):
        animate_conv(torch.ones(3, 3), torch.ones(3, 3), interval=0)
    with pytest.raises(TypeError, match="^interval must be a whole number of milliseconds, got 0.5"):
        animate_conv(torch.ones(3, 3), torch.ones(3, 3), interval=0.5)


def test_animation_html_refuses_what_is_not_an_animation():
    with pytest.raises(TypeError, match="^animation must be a matplotlib Animation"):
        animation_html(draw_conv_step(torch.ones(3, 3), torch.ones(2, 2)))
    plt.close("all")


def test_animation_html_works_offline():
    html = animation_html(animate_conv(torch.ones(3, 3), torch.ones(2, 2))).data
    assert "maxcdn" not in html and "fa fa-" not in html
    assert "<img" in html and "▶" in html


# --- exercise checks of notebook 03 (course_utils.checks.nb03) ------------------------------



def one_line(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Traceback" not in out
    return out.strip()


def test_check_3_1(capsys):
    nb03.exercise_3_1(...)
    assert one_line(capsys) == "⏳ 3.1 not attempted yet"
    for mistake, hint in [((26, 26), "stride defaults to its kernel_size"), ((8, 8), "dilation=2 spreads"),
                          ((7, 7), "floor"), ((5, 5), "one layer at a time")]:
        nb03.exercise_3_1(mistake)
        line = one_line(capsys)
        assert line.startswith(f"❌ 3.1: expected 6×6, got {mistake[0]}×{mistake[0]}") and hint in line
    nb03.exercise_3_1("ten")
    assert one_line(capsys).startswith("❌ 3.1: expected (H_out, W_out)")
    nb03.exercise_3_1((6, 7))
    assert one_line(capsys).startswith("❌ 3.1: expected a square output, got 6×7")
    for right in [(6, 6), [6, 6], 6, torch.Size([1, 32, 6, 6]), (32, 6, 6), (np.int64(6), 6)]:
        nb03.exercise_3_1(right)
        assert one_line(capsys) == "✅ 3.1 passed", right


def test_check_3_1_expects_what_the_stack_really_gives():
    stack = torch.nn.Sequential(torch.nn.Conv2d(3, 16, kernel_size=5, stride=2, padding=2),
                                torch.nn.MaxPool2d(3), torch.nn.Conv2d(16, 32, kernel_size=3, dilation=2))
    side = stack(torch.zeros(1, 3, 64, 64)).shape[-1]
    assert nb03.exercise_3_1.verdict((side, side)).status == "passed"
    assert nb03.exercise_3_1.verdict((side + 1, side + 1)).status == "failed"


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


def test_check_3_4_accepts_every_valid_design(capsys):
    nn = torch.nn
    for design in ([(4, 2, 1), (4, 2, 1)], ((5, 2, 2), (5, 2, 2)), [(4, 2, 1), (5, 2, 2)], [(22, 1, 0), (1, 1, 0)],
                   nn.Sequential(nn.Conv2d(1, 8, 4, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 4, 2, 1)),
                   nn.Sequential(nn.Conv2d(1, 4, 5, 2, 2), nn.Conv2d(4, 4, 5, 2, 2))):
        nb03.exercise_3_4(design)
        assert one_line(capsys) == "✅ 3.4 passed", design


@pytest.mark.parametrize("design, expected", [
    (..., "⏳ 3.4 not attempted yet"),
    ([(3, 2, 1), (3, 2, 1)], "❌ 3.4: your layers map 28 → 14 → 7 as asked, but one output unit sees only 7×7"),
    ([(4, 2, 1), (3, 1, 1)], "❌ 3.4: your layers map 28 → 14 → 14, not to 7"),
    ([(3, 2, 1)], "❌ 3.4: expected two layers, got 1"),
    ([(3, 2, 1), (3, 2, 1), (3, 1, 1)], "❌ 3.4: expected two layers, got 3"),
    ([(30, 1, 0), (3, 1, 0)], "❌ 3.4: layer 1's kernel (30×30) is larger than its padded input"),
    ([(3, 2, 1), (3, 2)], "❌ 3.4: layer 2 is (3, 2), not a (kernel_size, stride, padding) triple"),
    ([(3, 0, 1), (3, 2, 1)], "❌ 3.4: layer 1 is (3, 0, 1): kernel_size and stride must be at least 1"),
    (torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, 1, 1), torch.nn.MaxPool2d(4), torch.nn.Conv2d(8, 8, 1)),
     "❌ 3.4: the design uses MaxPool2d"),
    (torch.nn.Sequential(torch.nn.Conv2d(1, 8, 4, 2, 1)), "❌ 3.4: expected two Conv2d layers, got 1"),
    (torch.nn.Sequential(torch.nn.Conv2d(1, 8, 4, 2, 1), torch.nn.Conv2d(4, 8, 4, 2, 1)),
     "❌ 3.4: Conv2d layer 2 must have square settings and take 8 channel(s)"),
    ([torch.nn.Conv2d(1, 8, 4, 2, 1), torch.nn.Conv2d(8, 8, 4, 2, 1)],
     "❌ 3.4: design is a plain Python list of layers, not a module"),
    (lambda x: x, "❌ 3.4: design is the function <lambda>: give a list of two triples or an nn.Sequential"),
])
def test_check_3_4_explains_a_wrong_design(capsys, design, expected):
    nb03.exercise_3_4(design)
    assert one_line(capsys).startswith(expected)


def test_check_3_4_treats_a_starter_function_as_not_attempted(capsys):
    def design(x):
        raise NotImplementedError

    nb03.exercise_3_4(design)
    assert one_line(capsys) == "⏳ 3.4 not attempted yet"


def _decoder(k=3, p=1, output_padding=(1, 1), channels=(16, 8, 1), stride=2):
    nn = torch.nn
    return nn.Sequential(nn.ConvTranspose2d(channels[0], channels[1], k, stride=stride, padding=p,
                                            output_padding=output_padding[0]), nn.ReLU(),
                         nn.ConvTranspose2d(channels[1], channels[2], k, stride=stride, padding=p,
                                            output_padding=output_padding[1]))


def test_check_3_5_accepts_every_fix(capsys):
    for decoder in (_decoder(), _decoder(k=4, output_padding=(0, 0)), _decoder(k=2, p=0, output_padding=(0, 0))):
        nb03.exercise_3_5(decoder)
        assert one_line(capsys) == "✅ 3.5 passed"


@pytest.mark.parametrize("decoder, expected, hint", [
    (..., "⏳ 3.5 not attempted yet", None),
    (_decoder(output_padding=(0, 0)), "❌ 3.5: ConvTranspose2d layer 1 maps 7 → 13, not 7 → 14", "output_padding=1"),
    (_decoder(output_padding=(1, 0)), "❌ 3.5: ConvTranspose2d layer 2 maps 14 → 27, not 14 → 28", "one row short"),
    (_decoder(k=5, output_padding=(0, 0)), "❌ 3.5: ConvTranspose2d layer 1 maps 7 → 15, not 7 → 14",
     "(7-1)·2 - 2·1 + 1·(5-1) + 0 + 1 = 15"),
    (_decoder(stride=1), "❌ 3.5: expected two ConvTranspose2d layers with stride 2", "undoes one stride-2"),
    (_decoder(channels=(16, 8, 3)), "❌ 3.5: the decoder must take 16 channels and return 1, got 16 and 3", None),
    (torch.nn.Sequential(torch.nn.Upsample(scale_factor=4), torch.nn.Conv2d(16, 1, 1)),
     "❌ 3.5: expected two ConvTranspose2d layers with stride 2, got []", None),
    (lambda z: z, "❌ 3.5: decoder is the function <lambda>, not a module", "nn.Sequential"),
    (torch.nn.ConvTranspose2d, "❌ 3.5: decoder is the class ConvTranspose2d itself, not a module", None),
])
def test_check_3_5_names_the_wrong_setting(capsys, decoder, expected, hint):
    nb03.exercise_3_5(decoder)
    line = one_line(capsys)
    assert line.startswith(expected)
    assert hint is None or hint in line


def test_check_3_5_treats_a_starter_function_as_not_attempted(capsys):
    def decoder(z):
        raise NotImplementedError

    nb03.exercise_3_5(decoder)
    assert one_line(capsys) == "⏳ 3.5 not attempted yet"


# --- receptive fields -------------------------------------------------------------------------


@pytest.mark.parametrize("kernels, strides, dilations", [
    ([3, 3, 3], 1, 1), ([3, 3], [2, 1], 1), ([3, 2, 3], [1, 2, 1], 1), ([3, 3, 3], 1, [1, 2, 4]),
    ([7, 3, 3, 3], [2, 2, 1, 1], 1), ([2, 2], 2, 1), ([5], 1, 1), ([1], 1, 1), ([4, 4], 2, 1),
])
def test_receptive_field_scene_measures_what_the_formula_says(kernels, strides, dilations):
    scene = conv.receptive_field_scene(kernels, strides, dilations)
    r = arithmetic.receptive_field(kernels, strides, dilations)
    assert scene.input_field == r and scene.fields[0] == (r, r) and scene.fields[-1] == (1, 1)
    assert len(scene.maps) == len(kernels) + 1
    sizes = [scene.maps[0].shape[0]]
    for k, s, d, p in zip(scene.kernel_sizes, scene.strides, scene.dilations, scene.paddings):
        sizes.append(arithmetic.conv_output_size(sizes[-1], k, s, p, d))
    assert [m.shape[0] for m in scene.maps] == sizes
    r0, r1, c0, c1 = conv._field_box(scene.maps[0])
    assert r0 > 0 and c0 > 0 and r1 < sizes[0] and c1 < sizes[0]  # the field is whole, not cut by padding


def test_receptive_field_scene_counts_paths_with_autograd():
    scene = conv.receptive_field_scene([3, 3, 3])
    one_d = np.array([0, 1, 3, 6, 7, 6, 3, 1, 0])  # paths in 1-D: 3 taps, three times
    assert np.array_equal(scene.maps[0], np.outer(one_d, one_d))
    assert scene.unit == (4, 4) and scene.maps[-1].sum() == 1 and scene.maps[-1][4, 4] == 1
    x = torch.zeros(1, 1, 9, 9, requires_grad=True)  # the same with a real Sequential of ones
    layers = torch.nn.Sequential(*[torch.nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(3)])
    for layer in layers:
        torch.nn.init.ones_(layer.weight)
    layers(x)[0, 0, 4, 4].backward()
    assert np.array_equal(x.grad[0, 0].numpy(), scene.maps[0])


def test_receptive_field_scene_with_a_given_size_and_its_errors():
    scene = conv.receptive_field_scene([3, 3], size=15)
    assert scene.maps[0].shape == (15, 15) and scene.input_field == 5
    with pytest.raises(ValueError, match=r"^k \(kernel size\) = 4 .* padded input is only i\+2p = 1\+2\*1 = 3"):
        conv.receptive_field_scene([4], size=1)  # pads (4-1)//2 = 1 on each side: too little
    with pytest.raises(ValueError, match="^size must be a positive int of at most 32, got 40"):
        conv.receptive_field_scene([3], size=40)
    with pytest.raises(ValueError, match=r"see 31×31 input pixels, too many to draw with at most 32 cells"):
        conv.receptive_field_scene([3, 3, 3, 3], strides=2)
    with pytest.raises(TypeError, match="^kernel_sizes must be a list or tuple of positive ints"):
        conv.receptive_field_scene(3)
    with pytest.raises(ValueError, match=r"^strides must be a positive int or a list of 2 of them"):
        conv.receptive_field_scene([3, 3], strides=[1, 1, 1])


def test_draw_receptive_field_draws_every_map_and_outlines_the_fields():
    fig = conv.draw_receptive_field([3, 3, 3], show_counts=True)
    scene = fig.receptive_field_scene
    assert scene.input_field == 7
    cells = [c for c in fig.axes[0].collections if c.get_gid() == "map-cells"]
    assert [len(c.get_paths()) for c in cells] == [81, 81, 81, 81]
    boxes = [c for c in fig.axes[0].collections if c.get_gid() == "field"]
    assert [tuple(b.get_paths()[0].get_extents().size.round()) for b in boxes] == [(7, 7), (5, 5), (3, 3), (1, 1)]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "field 7×7" in texts and "1 unit" in texts and "49" in texts
    width, height = fig.get_size_inches()
    assert width <= 8.0 and height <= 3.4
    fig, ax = plt.subplots()
    assert conv.draw_receptive_field([3, 3], ax=ax) is fig
    with pytest.raises(TypeError, match="^show_counts must be True or False"):
        conv.draw_receptive_field([3], show_counts="yes")


# --- transposed convolution as scatter ------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 3), w=st.integers(1, 3), k=st.integers(1, 4), s=st.integers(1, 3),
       p=st.integers(0, 2), a=st.integers(0, 2), d=st.integers(1, 2))
def test_scatter_scene_is_pytorchs_conv_transpose(h, w, k, s, p, a, d):
    x = torch.arange(1.0, h * w + 1).view(h, w)
    weight = torch.arange(1.0, k * k + 1).view(k, k)
    try:
        expected = F.conv_transpose2d(x[None, None], weight[None, None], stride=s, padding=p,
                                      output_padding=a, dilation=d)[0, 0]
    except RuntimeError:
        with pytest.raises(ValueError):
            conv.conv_transpose_scatter_scene(x, weight, s, p, a, d)
        return
    scene = conv.conv_transpose_scatter_scene(x, weight, s, p, a, d)
    assert np.array_equal(scene.output, expected.double().numpy())
    assert np.array_equal(scene.stamps.sum(axis=(0, 1)), scene.full)
    assert scene.full.shape == ((h - 1) * s + d * (k - 1) + 1 + a, (w - 1) * s + d * (k - 1) + 1 + a)
    assert scene.cropped.sum() == scene.full.size - scene.output.size
    for r in range(h):  # each stamp is the pixel times the kernel, where the kernel's taps land
        for c in range(w):
            stamp = scene.stamps[r, c]
            taps = stamp[r * s:r * s + d * (k - 1) + 1:d, c * s:c * s + d * (k - 1) + 1:d]
            assert np.array_equal(taps, x[r, c].item() * weight.double().numpy())
            assert stamp.sum() == taps.sum()


def test_scatter_coverage_counts_overlapping_stamps():
    scene = conv.conv_transpose_scatter_scene(torch.ones(3, 3), torch.ones(3, 3), stride=2)
    assert scene.coverage[::2, 0].tolist() == [1, 2, 2, 1] and scene.coverage.max() == 4
    assert np.array_equal(scene.coverage, scene.full)  # ones everywhere: the sum counts the stamps


def test_draw_conv_transpose_scatter_draws_one_panel_per_pixel():
    x, kernel = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.arange(1.0, 10.0).view(3, 3)
    fig = conv.draw_conv_transpose_scatter(x, kernel, stride=2, padding=1, output_padding=1)
    gids = [c.get_gid() for c in fig.axes[0].collections]
    assert [g for g in gids if g.startswith("stamp-")] == ["stamp-0-0", "stamp-0-1", "stamp-1-0", "stamp-1-1"]
    assert fig.scatter_scene.output_shape == (4, 4)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "x[1,1] = 4" in texts and "sum → output 4×4" in texts and "36" in texts
    width, height = fig.get_size_inches()
    assert width <= 8.0 and height <= 4.0


def test_scatter_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match=r"^x is 4×4: a scatter diagram draws one stamp per input pixel, at most 9"):
        conv.conv_transpose_scatter_scene(torch.ones(4, 4), torch.ones(2, 2))
    with pytest.raises(ValueError, match="output_padding"):
        conv.conv_transpose_scatter_scene(torch.ones(2, 2), torch.ones(3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"^x must be 2-D \(height, width\), got shape \(1, 2, 2\)"):
        conv.draw_conv_transpose_scatter(torch.ones(1, 2, 2), torch.ones(2, 2))
    with pytest.raises(TypeError, match="^ax must be a matplotlib Axes or None"):
        conv.draw_conv_transpose_scatter(torch.ones(2, 2), torch.ones(2, 2), ax="left")
    with pytest.raises(TypeError, match=r"^figsize must be None or \(width, height\)"):
        conv.draw_conv_transpose_scatter(torch.ones(2, 2), torch.ones(2, 2), figsize=3)


def test_animation_player_buttons_are_readable_on_a_slide():
    html = animation_html(animate_conv(torch.ones(3, 3), torch.ones(2, 2))).data
    assert ".anim-buttons button {\n    font-size: 18px;" in html


# --- what cannot be drawn -----------------------------------------------------------------


@pytest.mark.parametrize("x, error, pattern", [
    (None, TypeError, r"^x must be a tensor, a NumPy array or a nested list of numbers \(height, width\), got None"),
    ("abc", TypeError, r"^x must be a tensor, a NumPy array or a nested list .*got 'abc' \(str\)"),
    ([[1, 2, 3], [4, 5]], ValueError, r"^x is a ragged list: its rows have different lengths \(2, 3\)"),
    ([[1, 2], [3, "4"]], TypeError, "^x must hold only numbers"),
    (np.array([["a", "b"]]), TypeError, "^x must hold numbers, got a NumPy array of dtype <U1"),
])
def test_inputs_that_are_not_grids_of_numbers_are_refused_clearly(x, error, pattern):
    for call in (lambda: draw_conv_step(x, W), lambda: draw_pool_step(x, 2), lambda: animate_conv(x, W)):
        with pytest.raises(error, match=pattern):
            call()


def test_numpy_arrays_and_nested_lists_are_drawn():
    assert draw_conv_step(np.arange(16.0).reshape(4, 4), [[1, 0], [0, 1]]).conv_scene.output_shape == (3, 3)


BIG = torch.ones(224, 224)


@pytest.mark.parametrize("call", [
    lambda: draw_conv_step(BIG, torch.ones(3, 3)),
    lambda: draw_conv_transpose_step(BIG, torch.ones(3, 3)),
    lambda: draw_pool_step(BIG, 2),
    lambda: animate_conv(BIG, torch.ones(3, 3)),
    lambda: animate_conv_transpose(BIG, torch.ones(3, 3)),
    lambda: animate_pool(BIG, 2),
], ids=["draw_conv_step", "draw_conv_transpose_step", "draw_pool_step", "animate_conv",
        "animate_conv_transpose", "animate_pool"])
def test_an_input_too_large_to_draw_is_refused_at_once(call):
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"^x is 224×224, too large to draw: .* at most 32 cells per side; "
                                         r"draw a corner instead, e.g. x\[:8, :8\]"):
        call()
    assert time.perf_counter() - start < 5  # it used to draw for minutes
    assert not plt.get_fignums()  # no half-drawn figure left behind


def test_the_largest_drawable_grid_is_drawn_and_one_more_cell_is_not():
    fig = draw_conv_step(torch.ones(30, 30), torch.ones(3, 3), padding=1, show_values=False)
    assert fig.conv_scene.grid_kind.shape == (conv.MAX_CELLS, conv.MAX_CELLS)
    with pytest.raises(ValueError, match=r"33×33 input grid \(padding included\)"):
        draw_conv_step(torch.ones(31, 31), torch.ones(3, 3), padding=1)


def test_an_animation_with_too_many_frames_is_refused_with_the_limit():
    animate_conv(torch.ones(10, 10), torch.ones(3, 3), show_values=False)  # 8×8 = 64 frames: fine
    with pytest.raises(ValueError, match=r"^x is 11×11, too large to animate: its 9×9 output needs 81 frames, "
                                         r"and an animation renders at most 64 .*x\[:8, :8\].*draw_scene"):
        animate_conv(torch.ones(11, 11), torch.ones(3, 3))


# --- the public two-stage API (scene, then drawing) -----------------------------------------


def test_draw_scene_and_animate_scene_draw_a_computed_scene():
    scene = conv.conv_scene(X, W, 2, 1)
    fig = conv.draw_scene(scene, scene.steps[-1])
    assert fig.conv_scene is scene and drawn_cells(fig, "output-cells") == 9
    animation = conv.animate_scene(scene, show_values=False, interval=250)
    assert animation.conv_scene is scene and animation.frame_interval == 250
    assert not plt.fignum_exists(animation._fig.number)  # already closed: nothing to close
    with pytest.raises(TypeError, match=r"^scene must be a ConvScene \(from conv_scene"):
        conv.draw_scene(X)
    with pytest.raises(ValueError, match=r"^the scene's input is 40×40, too large to draw"):
        conv.draw_scene(conv.conv_scene(torch.ones(40, 40), W))


def test_save_gif_takes_the_frame_rate_from_the_animation(tmp_path):
    animation = conv.animate_scene(conv.pool_scene(torch.ones(4, 4), 2), interval=500)
    save_gif(animation, tmp_path / "p.gif", dpi=30)
    with Image.open(tmp_path / "p.gif") as gif:
        assert gif.n_frames == 4 and gif.info["duration"] == 500
    with pytest.raises(TypeError, match="^animation must be a matplotlib Animation"):
        save_gif("not an animation", tmp_path / "q.gif")
