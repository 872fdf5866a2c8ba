"""Tests of course_utils.authoring.figures and course_utils.viz.paper_cases: figures/ is complete,
correct and reproducible.

Regenerating every figure takes ~20 s on an idle 2-core machine (a minute when
it is busy), so the default test regenerates one case of each kind (convolution
with unused padding, transposed convolution with output_padding, max and average
pooling; GIF and PNG) and compares them with the committed files. Set
``COURSE_FULL_FIGURES=1`` to regenerate and compare all of them.
"""

import socket

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.testing.compare import compare_images
from PIL import Image

from course_utils.authoring import figures
from course_utils.authoring.figures import FIGURES_DIR
from course_utils.viz import paper_cases
from course_utils.viz.paper_cases import CASES


def torch_output_shape(case):
    """The output size of ``case``, computed here independently of course_utils."""
    x = torch.zeros(1, 1, case.i, case.i)
    if case.operation == "conv":
        y = F.conv2d(x, torch.zeros(1, 1, case.k, case.k), stride=case.s, padding=case.p,
                     dilation=case.d)
    elif case.operation == "conv_transpose":
        forward = F.conv2d(x, torch.zeros(1, 1, case.k, case.k), stride=case.s, padding=case.p,
                           dilation=case.d)
        y = F.conv_transpose2d(forward, torch.zeros(1, 1, case.k, case.k), stride=case.s,
                               padding=case.p, dilation=case.d)
        a = case.i - y.shape[-1]  # what output_padding must be to get back to i
        y = F.conv_transpose2d(forward, torch.zeros(1, 1, case.k, case.k), stride=case.s,
                               padding=case.p, output_padding=a, dilation=case.d)
    elif case.operation == "max_pool":
        y = F.max_pool2d(x, case.k, case.s, case.p, case.d)
    else:
        y = F.avg_pool2d(x, case.k, case.s, case.p)
    return tuple(y.shape[-2:])


def gif_frames(path):
    with Image.open(path) as gif:
        frames = []
        for n in range(gif.n_frames):
            gif.seek(n)
            frames.append(np.asarray(gif.convert("RGB"), dtype=np.int16))
        return frames, gif.info.get("duration"), gif.info.get("loop")


def assert_same_gif(new, old, tolerance=2.0):
    new_frames, new_duration, new_loop = gif_frames(new)
    old_frames, old_duration, old_loop = gif_frames(old)
    assert len(new_frames) == len(old_frames), f"{new.name}: frame count differs"
    assert (new_duration, new_loop) == (old_duration, old_loop)
    for n, (a, b) in enumerate(zip(new_frames, old_frames, strict=True)):
        assert a.shape == b.shape, f"{new.name} frame {n}: size {a.shape} != {b.shape}"
        rms = float(np.sqrt(((a - b) ** 2).mean()))
        assert rms <= tolerance, f"{new.name} frame {n}: RMS difference {rms:.2f}"


def assert_same_png(new, old, tolerance=2.0):
    with Image.open(new) as a, Image.open(old) as b:
        assert a.size == b.size
    result = compare_images(str(old), str(new), tol=tolerance)
    assert result is None, result


# --- the list of cases -------------------------------------------------------------------


def test_cases_are_the_15_animations_and_4_numerical_examples():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) == 19
    assert sum(c.operation == "conv" and not c.numerical for c in CASES) == 8
    assert sum(c.operation == "conv_transpose" for c in CASES) == 7
    assert sum(c.numerical for c in CASES) == 4
    assert sorted(c.relationship for c in CASES if not c.numerical) == [
        1, 2, 3, 4, 5, 6, 6, 8, 9, 10, 11, 12, 13, 14, 15]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_drawn_output_size_equals_pytorchs(case):
    scene = paper_cases.make_scene(case)
    assert scene.output_shape == torch_output_shape(case)
    if case.operation == "conv_transpose":
        assert scene.output_shape == (case.i, case.i)  # the inverse shape map


def test_reference_sheet_table_of_animations():
    """Dumoulin & Visin's animations as PyTorch computes them: each convolution's output size,
    and each transposed case's stretched size, equivalent padding p′ and output_padding a."""
    expected = {  # name: (o or transposed output, drawn grid side, p', a)
        "no_padding_no_strides": 2, "arbitrary_padding_no_strides": 6,
        "same_padding_no_strides": 5, "full_padding_no_strides": 7, "no_padding_strides": 2,
        "padding_strides": 3, "padding_strides_odd": 3, "dilation": 3,
    }
    for name, o in expected.items():
        assert paper_cases.make_scene(paper_cases.case_by_name(name)).output_shape == (o, o)
    transposed = {
        "no_padding_no_strides": (2, 2, 0), "arbitrary_padding_no_strides": (6, 1, 0),
        "same_padding_no_strides": (5, 1, 0), "full_padding_no_strides": (7, 0, 0),
        "no_padding_strides": (3, 2, 0), "padding_strides": (5, 1, 0),
        "padding_strides_odd": (5, 1, 1),
    }
    for name, (stretched, p_prime, a) in transposed.items():
        scene = paper_cases.make_scene(paper_cases.case_by_name(name + "_transposed"))
        assert scene.extra["equivalent_padding"] == (p_prime, p_prime)
        assert scene.extra["output_padding"] == (a, a)
        assert scene.grid_kind.shape[0] == stretched + 2 * p_prime + a


def test_numerical_examples_match_the_paper():
    x, kernel = paper_cases.numerical_example()
    assert x.tolist() == [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2],
                          [2, 0, 0, 0, 1]]
    assert kernel.tolist() == [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
    out = {c.name: paper_cases.make_scene(c).output for c in CASES if c.numerical}
    assert out["numerical_no_padding_no_strides"].tolist() == [[12, 12, 17], [10, 17, 19],
                                                               [9, 6, 14]]
    assert out["numerical_padding_strides"].tolist() == [[6, 17, 3], [8, 17, 13], [6, 4, 4]]
    assert out["numerical_max_pooling"].tolist() == [[3, 3, 3], [3, 3, 3], [3, 2, 3]]
    assert np.round(out["numerical_average_pooling"], 3).tolist() == [
        [1.667, 1.667, 1.667], [1.0, 1.222, 1.778], [1.111, 0.778, 1.333]]


def test_case_by_name_explains_unknown_names():
    with pytest.raises(ValueError, match="name must be one of 'no_padding_no_strides', .*; got 'nope'"):
        paper_cases.case_by_name("nope")


# --- the committed files -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_committed_files_exist_with_one_frame_per_output_cell(case):
    gif, png = FIGURES_DIR / f"{case.name}.gif", FIGURES_DIR / f"{case.name}.png"
    assert gif.exists() and png.exists(), "run: python -m course_utils.authoring.figures"
    oh, ow = torch_output_shape(case)
    with Image.open(gif) as image:
        assert image.n_frames == oh * ow
        assert image.info["loop"] == 0


def test_figures_folder_is_small_and_lists_every_case():
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    assert sum(p.stat().st_size for p in FIGURES_DIR.iterdir()) < 6_000_000
    for case in CASES:
        assert f"| `{case.name}`.gif/.png |" in readme, f"{case.name} is not in README.md"


def test_readme_is_what_the_generator_writes(tmp_path):
    committed = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    described = []
    if "## Other figures" in committed:  # written by EXTRA_GENERATORS, checked by their tests
        tail = committed.split("## Other figures", 1)[1]
        for line in tail.splitlines():
            if line.startswith("| `"):
                name, what = line[3:].split("` | ", 1)
                described.append((name, what.rstrip(" |")))
    figures.write_readme(tmp_path, described)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == committed


def test_readme_lists_every_case_with_its_pytorch_output_size():
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{case.name}`."))
        oh, ow = torch_output_shape(case)
        assert f"| {oh}×{ow} | {oh * ow} |" in row


# --- regeneration ------------------------------------------------------------------------


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during figure generation")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _regenerate_and_compare(tmp_path, names):
    written = figures.generate(tmp_path, names)
    assert sorted(p.name for p in written) == sorted(
        f"{n}.{ext}" for n in names for ext in ("gif", "png"))
    for name in names:
        assert_same_png(tmp_path / f"{name}.png", FIGURES_DIR / f"{name}.png")
        assert_same_gif(tmp_path / f"{name}.gif", FIGURES_DIR / f"{name}.gif")


def test_regenerating_everything_offline_reproduces_the_committed_files(tmp_path, offline):
    _regenerate_and_compare(tmp_path, [c.name for c in CASES])


def test_regeneration_is_deterministic(tmp_path):
    first = figures.generate(tmp_path / "a", ["no_padding_no_strides"])
    second = figures.generate(tmp_path / "b", ["no_padding_no_strides"])
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert b"atplotlib" not in first[1].read_bytes()  # no software tag in the PNG


def test_make_scene_and_write_readme_check_their_arguments():
    with pytest.raises(TypeError, match="case must be a FigureCase .*, got 'dilation'"):
        paper_cases.make_scene("dilation")
    with pytest.raises(TypeError, match="out_dir must be a folder path"):
        figures.write_readme(None)


def test_extra_generators_hook(tmp_path, monkeypatch):
    def extra(out_dir):
        (out_dir / "extra.txt").write_text("made by another module")
        return [("extra.txt", "a test figure")]

    monkeypatch.setattr(figures, "EXTRA_GENERATORS", [extra])
    written = figures.generate(tmp_path, names=[], extras=True, readme=True)
    assert [p.name for p in written] == ["extra.txt", "README.md"]
    assert "| `extra.txt` | a test figure |" in (tmp_path / "README.md").read_text()


def test_generate_rejects_unknown_formats(tmp_path):
    with pytest.raises(ValueError, match="formats must be 'gif' and/or 'png'"):
        figures.generate(tmp_path, ["dilation"], formats=("svg",))


def test_command_line_lists_the_cases(capsys):
    figures.main(["--list"])
    assert capsys.readouterr().out.split() == [c.name for c in CASES]


def test_the_model_graph_generator_draws_notebook_06s_fallback_picture(tmp_path):
    described = figures.combined_model_graph(tmp_path)
    assert [name for name, _ in described] == ["combined_model_graph.png"]
    with Image.open(tmp_path / "combined_model_graph.png") as image:
        assert image.format == "PNG" and image.height > 2 * image.width  # a tall chain of layers
    with Image.open(FIGURES_DIR / "combined_model_graph.png") as committed:
        assert committed.format == "PNG"


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="Graphviz's dot is not installed")
def test_the_rnn_graph_generator_redraws_notebook_06s_excerpt(tmp_path):
    described = figures.combined_model_rnn_graph(tmp_path)
    assert [name for name, _ in described] == ["combined_model_rnn_graph.png"]
    with Image.open(tmp_path / "combined_model_rnn_graph.png") as new, \
            Image.open(FIGURES_DIR / "combined_model_rnn_graph.png") as old:
        # small enough to read on a 1280×720 slide (Graphviz versions may move a few pixels)
        assert new.size[1] < 700 and abs(new.size[0] - old.size[0]) < 60 and abs(new.size[1] - old.size[1]) < 60


def test_the_resnet18_generator_reproduces_notebook_07s_diagrams(tmp_path, offline):
    described = figures.resnet18_diagrams(tmp_path)
    assert [name for name, _ in described] == ["resnet18_blocks.png", "resnet18_stages.png"]
    for name, _ in described:
        assert_same_png(tmp_path / name, FIGURES_DIR / name)
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` | {what} |" in readme for name, what in described)


def test_the_shapes_generator_redraws_notebook_00s_pictures(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(), plt.style.context("default"):
        described = figures.shapes_figures(tmp_path)
    names = [name for name, _ in described]
    assert names == ["image_batch_axes.png", "conv1d_windows.png", "memory_formats.png"]
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    for name, what in described:
        assert f"| `{name}` | {what} |" in readme
        assert_same_png(tmp_path / name, FIGURES_DIR / name)


def test_the_module_generator_redraws_notebook_01s_picture(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(), plt.style.context("default"):
        described = figures.module_figures(tmp_path)
    assert [name for name, _ in described] == ["weight_init_histograms.png"]
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    for name, what in described:
        assert f"| `{name}` | {what} |" in readme
        assert_same_png(tmp_path / name, FIGURES_DIR / name)
def test_notebook_02s_padding_modes_figure_is_registered_and_reproduced(tmp_path):
    """figures/padding_modes.png, drawn with course_utils.viz.conv_intuition.draw_padding_modes."""
    import matplotlib
    import matplotlib.pyplot as plt

    assert figures.padding_modes_figure in figures.EXTRA_GENERATORS
    with matplotlib.rc_context(), plt.style.context("default"):  # as figures.generate draws
        described = figures.padding_modes_figure(tmp_path)
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    assert [f"| `{name}` | {what} |" in readme for name, what in described] == [True]
    assert_same_png(tmp_path / "padding_modes.png", FIGURES_DIR / "padding_modes.png")
    with pytest.raises(TypeError, match="out_dir must be a folder path"):
        figures.padding_modes_figure(None)
# --- notebook 03's figures (EXTRA_GENERATORS) ----------------------------------------------


NOTEBOOK_03_FIGURES = {figures.receptive_field_figure: "receptive_field_3x3.png",
                       figures.conv_transpose_scatter_figure: "conv_transpose_scatter.png"}


def test_notebook_03s_figures_are_registered_and_listed():
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    for generator, name in NOTEBOOK_03_FIGURES.items():
        assert generator in figures.EXTRA_GENERATORS
        assert f"| `{name}` |" in readme, f"{name} is not in README.md"


def test_notebook_03s_figures_regenerate_like_the_committed_files(tmp_path, monkeypatch, offline):
    monkeypatch.setattr(figures, "EXTRA_GENERATORS", list(NOTEBOOK_03_FIGURES))
    written = figures.generate(tmp_path, names=[], extras=True, readme=False)
    assert sorted(p.name for p in written) == sorted(NOTEBOOK_03_FIGURES.values())
    for name in NOTEBOOK_03_FIGURES.values():
        assert_same_png(tmp_path / name, FIGURES_DIR / name)
        assert b"atplotlib" not in (tmp_path / name).read_bytes()  # no software tag


def test_notebook_03s_figures_show_pytorchs_numbers():
    import matplotlib.pyplot as plt

    from course_utils.viz import conv

    scene = conv.receptive_field_scene([3, 3, 3])  # what receptive_field_3x3.png draws
    assert scene.input_field == 7 and [m.shape for m in scene.maps] == [(9, 9)] * 4
    x, kernel = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.arange(1.0, 10.0).reshape(3, 3)
    scatter = conv.conv_transpose_scatter_scene(x, kernel, stride=2)  # conv_transpose_scatter.png
    assert torch.equal(torch.from_numpy(scatter.output),
                       F.conv_transpose2d(x[None, None].double(), kernel[None, None].double(), stride=2)[0, 0])
    plt.close("all")


# --- notebook 04's figures ---------------------------------------------------------------


@pytest.mark.parametrize("generator, name", [
    (figures.rnn_unrolled_figure, "rnn_unrolled.png"),
    (figures.rnn_grid_figure, "rnn_grid.png"),
    (figures.rnn_gradient_figure, "rnn_gradient_by_gap.png"),
])
def test_rnn_figures_regenerate_to_the_committed_files(tmp_path, offline, generator, name):
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(), plt.style.context("default"):
        described = generator(tmp_path)
    assert [file for file, _ in described] == [name]
    assert generator in figures.EXTRA_GENERATORS
    assert_same_png(tmp_path / name, FIGURES_DIR / name)
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    assert f"| `{name}` | {described[0][1]} |" in readme


def test_notebook_05s_figures_are_reproduced_and_listed(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(), plt.style.context("default"):
        described = figures.dynamic_inputs_figures(tmp_path)
    assert [name for name, _ in described] == ["adaptive_bins.png", "padded_vs_packed.png", "digit_at_sizes.png"]
    readme = (FIGURES_DIR / "README.md").read_text(encoding="utf-8")
    for name, what in described:
        assert_same_png(tmp_path / name, FIGURES_DIR / name)
        assert f"| `{name}` | {what} |" in readme
    assert figures.dynamic_inputs_figures in figures.EXTRA_GENERATORS
