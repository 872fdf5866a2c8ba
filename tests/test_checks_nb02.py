"""The checkers of notebook 02: every correct answer passes, each classic mistake gets its own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks
from course_utils.checks import nb02


@pytest.fixture(autouse=True)
def english():
    checks.set_language("en")
    yield
    checks.set_language("en")


def line(checker, *answers):
    return checker.verdict(*answers).line("en")


# --------------------------------------------------------------------------- 2.1 and 2.3: shapes


@pytest.mark.parametrize("answer", [(8, 16, 16, 16), [8, 16, 16, 16], torch.Size([8, 16, 16, 16]),
                                    (np.int64(8), 16, 16, torch.tensor(16))])
def test_2_1_accepts_every_form_of_the_shape(answer):
    assert line(nb02.exercise_2_1, answer) == "✅ 2.1 passed"


def test_2_1_and_2_3_name_the_mistake():
    assert line(nb02.exercise_2_1, (8, 3, 16, 16)) == (
        "❌ 2.1: expected (N, C_out) = (8, 16), got (8, 3) "
        "— hint: N stays the same; C_out is weight.shape[0], the number of filters")
    assert "hint: H_out = (H + 2p - k) // s + 1" in line(nb02.exercise_2_1, (8, 16, 17, 17))
    assert line(nb02.exercise_2_3, (24, 3, 3, 3)) == "✅ 2.3 passed"
    assert line(nb02.exercise_2_3, [24, 12, 3, 3]) == (
        "❌ 2.3: expected (24, 3, 3, 3), got (24, 12, 3, 3) "
        "— hint: with groups=4 each filter sees only 12 / 4 input channels")


# --------------------------------------------------------------------------- 2.2: conv2d_single without help


def conv2d_single(x, w, stride=1, padding=0):
    x = F.pad(x, (padding, padding, padding, padding))
    kh, kw = w.shape
    h_out, w_out = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = torch.zeros(h_out, w_out, dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            out[i, j] = (x[i * stride:i * stride + kh, j * stride:j * stride + kw] * w).sum()
    return out


def with_f_conv2d(x, w, stride=1, padding=0):
    return F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]


def with_a_layer(x, w, stride=1, padding=0):
    layer = nn.Conv2d(1, 1, tuple(w.shape), stride=stride, padding=padding, bias=False)
    with torch.no_grad():
        layer.weight.copy_(w[None, None])
    return layer(x[None, None])[0, 0].detach()


def with_tensor_unfold(x, w, stride=1, padding=0):
    x = F.pad(x, (padding, padding, padding, padding))
    windows = x.unfold(0, w.shape[0], stride).unfold(1, w.shape[1], stride)
    return (windows * w).sum((-2, -1))


def with_f_unfold(x, w, stride=1, padding=0):
    h_out = (x.shape[0] + 2 * padding - w.shape[0]) // stride + 1
    columns = F.unfold(x[None, None], tuple(w.shape), padding=padding, stride=stride)
    return (w.reshape(1, -1) @ columns[0]).reshape(h_out, -1)


def with_a_hidden_import(x, w, stride=1, padding=0):
    from torch.nn.functional import conv2d as correlate  # renamed: the call is still recognised

    return correlate(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]


def naming_scipy(x, w, stride=1, padding=0):
    if x is None:  # never true: only the source names scipy's correlate2d
        from scipy.signal import correlate2d

        return correlate2d(x, w)
    return conv2d_single(x, w, stride, padding)


def with_numpy_windows(x, w, stride=1, padding=0):
    import numpy as np

    x = F.pad(x, (padding, padding, padding, padding)).numpy()
    windows = np.lib.stride_tricks.sliding_window_view(x, tuple(w.shape))[::stride, ::stride]
    return torch.from_numpy((windows * w.numpy()).sum((-2, -1)))


def with_own_helper_called_convolve(x, w, stride=1, padding=0):
    def convolve(x, w):  # the learner's own loops, whatever the name
        return conv2d_single(x, w, stride, padding)

    return convolve(x, w)


def test_2_2_passes_a_loop_version_whatever_its_helpers_are_called():
    assert line(nb02.exercise_2_2, conv2d_single) == "✅ 2.2 passed"
    assert line(nb02.exercise_2_2, with_own_helper_called_convolve) == "✅ 2.2 passed"


@pytest.mark.parametrize(("function", "named"), [
    (with_f_conv2d, "F.conv2d / nn.Conv2d"), (with_a_layer, "F.conv2d / nn.Conv2d"),
    (with_tensor_unfold, "F.unfold / Tensor.unfold"), (with_f_unfold, "F.unfold / Tensor.unfold"),
    (with_a_hidden_import, "F.conv2d / nn.Conv2d"), (naming_scipy, "correlate2d"),
    (with_numpy_windows, "sliding_window_view")])
def test_2_2_refuses_every_ready_made_convolution(function, named):
    assert line(nb02.exercise_2_2, function) == (
        f"❌ 2.2: conv2d_single uses {named}, which computes the windows for you; this exercise is to compute "
        "every window yourself — hint: loop over the output: window = x[i*stride : i*stride + kH, "
        "j*stride : j*stride + kW], then (window * w).sum()")


def test_2_2_names_stride_and_padding_mistakes():
    def no_padding(x, w, stride=1, padding=0):
        return conv2d_single(x, w, stride, 0)

    def no_stride(x, w, stride=1, padding=0):
        return conv2d_single(x, w, 1, padding)[::stride, ::stride]

    assert "for x (5, 5), w (3, 3), stride=1, padding=1: expected shape (5, 5), got (3, 3)" in \
        line(nb02.exercise_2_2, no_padding)
    assert line(nb02.exercise_2_2, no_stride) == "✅ 2.2 passed"  # a correct answer, however it is computed


# --------------------------------------------------------------------------- 2.4


def test_2_4_passes_the_solution_and_names_a_missing_reshape():
    def conv_via_unfold(x, w):
        c_out, _, kh, kw = w.shape
        out = w.reshape(c_out, -1) @ F.unfold(x, (kh, kw))
        return out.reshape(x.shape[0], c_out, x.shape[2] - kh + 1, x.shape[3] - kw + 1)

    assert line(nb02.exercise_2_4, conv_via_unfold) == "✅ 2.4 passed"
    assert "hint: reshape the (N, C_out, L) product" in line(
        nb02.exercise_2_4, lambda x, w: w.reshape(w.shape[0], -1) @ F.unfold(x, tuple(w.shape[2:])))


# --------------------------------------------------------------------------- 2.5: design an edge detector


def detector(kernel, **kwargs):
    weight = torch.tensor(kernel, dtype=torch.float32)[None, None]
    return lambda images: F.conv2d(images, weight, padding=weight.shape[-1] // 2, **kwargs)


@pytest.mark.parametrize("kernel", [
    [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],  # Sobel
    [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],  # Prewitt
    [[0, 0, 0], [-1, -1, -1], [1, 1, 1]],  # a one-pixel difference
    [[-1], [1], [0]],  # 3×1 is a kernel too
    [[-1, -1, -1, -1, -1], [0] * 5, [0] * 5, [0] * 5, [1, 1, 1, 1, 1]],  # 5×5
])
def test_2_5_accepts_every_horizontal_edge_detector(kernel):
    weight = torch.tensor(kernel, dtype=torch.float32)[None, None]
    padding = (weight.shape[-2] // 2, weight.shape[-1] // 2)
    assert line(nb02.exercise_2_5, lambda images: F.conv2d(images, weight, padding=padding)) == "✅ 2.5 passed"


@pytest.mark.parametrize(("kernel", "mistake"), [
    ([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], "dark above bright gives a negative response"),
    ([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], "that finds lines, not edges"),
    ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "a vertical edge (dark left, bright right) also gives a response"),
    ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], "on a flat grey image the response is not 0"),
    ([[0, 0, 0], [0, 0, 0], [0, 0, 0]], "a horizontal edge gives no response at all"),
])
def test_2_5_names_each_design_mistake(kernel, mistake):
    assert mistake in line(nb02.exercise_2_5, detector(kernel))


def test_2_5_wants_the_size_kept_and_the_sign_kept():
    sobel = torch.tensor([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]])[None, None]
    assert "returned shape (4, 1, 14, 14) — hint: keep the size" in line(
        nb02.exercise_2_5, lambda images: F.conv2d(images, sobel))
    assert "hint: return the convolution itself, without abs() or a ReLU" in line(
        nb02.exercise_2_5, lambda images: F.conv2d(images, sobel, padding=1).abs())
    assert "horizontal_edges returned list, not a tensor" in line(nb02.exercise_2_5, lambda images: [1])


# --------------------------------------------------------------------------- 2.6: debug a blur


def test_2_6_accepts_both_correct_fixes():
    def with_groups(images):
        return F.conv2d(images, torch.full((3, 1, 3, 3), 1 / 9), padding=1, groups=3)

    def block_diagonal(images):  # no groups, but each filter is zero outside its own channel
        weight = torch.zeros(3, 3, 3, 3)
        for c in range(3):
            weight[c, c] = 1 / 9
        return F.conv2d(images, weight, padding=1)

    assert line(nb02.exercise_2_6, with_groups) == "✅ 2.6 passed"
    assert line(nb02.exercise_2_6, block_diagonal) == "✅ 2.6 passed"


def test_2_6_names_the_bug_and_the_tempting_wrong_fix():
    def buggy(images):
        return F.conv2d(images, torch.full((3, 3, 3, 3), 1 / 9), padding=1, groups=3)

    def groups_dropped(images):
        return F.conv2d(images, torch.full((3, 3, 3, 3), 1 / 9), padding=1)

    def no_padding(images):
        return F.conv2d(images, torch.full((3, 1, 3, 3), 1 / 9), groups=3)

    assert line(nb02.exercise_2_6, buggy).endswith(
        "— hint: with groups=3 each filter sees 3 / 3 = 1 input channel, so the weight must be "
        "(C_out, C_in / groups, kH, kW) = (3, 1, 3, 3)")
    assert line(nb02.exercise_2_6, groups_dropped).startswith(
        "❌ 2.6: all three output channels are the same: the colours were mixed — hint: without groups")
    assert "returned shape (2, 3, 6, 6) — hint: keep the size with padding=1" in line(nb02.exercise_2_6, no_padding)
