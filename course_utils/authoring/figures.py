"""Regenerate every image in ``figures/``: ``python -m course_utils.authoring.figures``.

The convolution-arithmetic figures reproduce the cases of Dumoulin & Visin's
animations (8 convolutions, 7 transposed convolutions) and their four
numerical examples (the cases are listed in ``course_utils.viz.paper_cases``,
which notebook 03 uses too), each as an animated GIF (one frame per output
cell) and a static PNG (the last step), drawn with the public functions of
``course_utils.viz.conv``. Every value and output size is computed by PyTorch
while drawing; the transposed cases take their input size from the forward
convolution's output and must give back the forward input, which is checked.

Files are reproducible: fixed sizes and dpi, matplotlib's default style,
no timestamps or software tags. ``figures/README.md`` is written from the
same list, with each file's parameters and output size.

Other modules add figures by appending a generator to :data:`EXTRA_GENERATORS`:
a function ``generator(out_dir: pathlib.Path) -> list[tuple[str, str]]`` that
writes its files into ``out_dir`` and returns ``(file name, description)``
pairs for the README.

Usage::

    python -m course_utils.authoring.figures              # everything, into figures/
    python -m course_utils.authoring.figures --list       # names only
    python -m course_utils.authoring.figures --only dilation padding_strides --out /tmp/f
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from course_utils.viz.paper_cases import CASES, FigureCase, case_by_name, case_call, make_scene

__all__ = [
    "EXTRA_GENERATORS",
    "combined_model_graph",
    "combined_model_rnn_graph",
    "resnet18_diagrams",
    "shapes_figures",
    "module_figures",
    "padding_modes_figure",
    "receptive_field_figure",
    "conv_transpose_scatter_figure",
    "rnn_unrolled_figure",
    "rnn_grid_figure",
    "rnn_gradient_figure",
    "dynamic_inputs_figures",
    "FIGURES_DIR",
    "GIF_DPI",
    "PNG_DPI",
    "generate",
    "write_readme",
    "main",
]

FIGURES_DIR = Path(__file__).resolve().parents[2] / "figures"
GIF_DPI = 80
PNG_DPI = 100
FRAME_MS = 800  # per frame of a GIF


def combined_model_graph(out_dir: Path) -> list[tuple[str, str]]:
    """Draw notebook 06's whole autograd graph (too big for a slide: the notebook links to it)."""
    import torch

    from course_utils.models import CombinedModel
    from course_utils.viz.plots import save_model_graph

    torch.manual_seed(0)  # the graph does not depend on the weights; seeded all the same
    save_model_graph(CombinedModel(), torch.zeros(1, 1, 28, 28), path=out_dir / "combined_model_graph.png")
    return [("combined_model_graph.png",
             "autograd graph of `CombinedModel` (torchviz + Graphviz), all of it; notebook 06 links to it")]


def combined_model_rnn_graph(out_dir: Path) -> list[tuple[str, str]]:
    """Draw the RNN part of notebook 06's autograd graph, large enough to read on a slide."""
    from collections import OrderedDict

    import torch
    from torch import nn

    from course_utils.models import CombinedModel
    from course_utils.viz.plots import save_model_graph

    torch.manual_seed(0)
    # The model's own RNN, inside a container named like the model's attribute, so that the
    # parameters are labelled rnn.weight_ih_l0 etc.; its input is one step of 6272 features.
    rnn = nn.Sequential(OrderedDict(rnn=CombinedModel().rnn))
    save_model_graph(rnn, torch.zeros(1, 1, 6272), path=out_dir / "combined_model_rnn_graph.png",
                     graph_attr={"ranksep": "0.18", "nodesep": "0.15"}, node_attr={"fontsize": "13"})
    return [("combined_model_rnn_graph.png",
             "autograd graph of `CombinedModel`'s RNN over a sequence of one step (torchviz), notebook 06")]


def _save_png(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=PNG_DPI, metadata=_png_metadata())
    plt.close(fig)


def shapes_figures(out_dir: Path) -> list[tuple[str, str]]:
    """Draw notebook 00's pictures of tensor layouts with ``course_utils.viz.tensors``."""
    import torch

    from course_utils.data import mnist_subset
    from course_utils.viz import tensors

    digits = mnist_subset("train")
    batch = torch.stack([digits[i][0] for i in range(8)])
    _save_png(tensors.draw_image_batch(batch, labels=digits.targets[:8], pixel=(14, 10)),
          out_dir / "image_batch_axes.png")
    _save_png(tensors.draw_conv1d_windows(length=8, kernel_size=3), out_dir / "conv1d_windows.png")
    x = torch.arange(12.0).reshape(1, 3, 2, 2)
    x_cl = x.to(memory_format=torch.channels_last)
    _save_png(tensors.draw_memory_order(x, x_cl, titles=[f"torch.contiguous_format: stride {x.stride()}",
                                                     f"torch.channels_last: stride {x_cl.stride()}"]),
          out_dir / "memory_formats.png")
    return [("image_batch_axes.png", "8 bundled MNIST digits as an (N, C, H, W) batch: H, W, a pixel and N "
                                     "(notebook 00)"),
            ("conv1d_windows.png", "the inputs each output of a Conv1d reads, for stride, padding and dilation "
                                   "(autograd through F.conv1d; notebook 00)"),
            ("memory_formats.png", "a (1, 3, 2, 2) tensor in memory: contiguous vs channels_last (notebook 00)")]


def module_figures(out_dir: Path) -> list[tuple[str, str]]:
    """Draw notebook 01's picture of how a layer's weights start, with ``course_utils.viz.modules``."""
    import math

    import torch
    from torch import nn

    from course_utils.viz.modules import plot_weight_histograms

    torch.manual_seed(0)
    default, kaiming = nn.Linear(1000, 500), nn.Linear(1000, 500)
    nn.init.kaiming_normal_(kaiming.weight, nonlinearity="relu")
    _save_png(plot_weight_histograms({"nn.Linear(1000, 500), default": default.weight,
                                  "after kaiming_normal_": kaiming.weight}, bound=1 / math.sqrt(1000)),
          out_dir / "weight_init_histograms.png")
    return [("weight_init_histograms.png", "nn.Linear's default weights, uniform in ±1/sqrt(fan_in), next to "
                                           "kaiming_normal_ (notebook 01)")]


def padding_modes_figure(out_dir: Path) -> list[tuple[str, str]]:
    """Write ``padding_modes.png``: notebook 02's 5×5 example padded by 2 in each ``padding_mode``."""
    import torch

    from course_utils.viz.conv_intuition import EXAMPLE_IMAGE, draw_padding_modes

    if not isinstance(out_dir, (str, Path)):
        raise TypeError(f"out_dir must be a folder path, got {out_dir!r} ({type(out_dir).__name__})")
    path = Path(out_dir) / "padding_modes.png"
    _save_png(draw_padding_modes(torch.tensor(EXAMPLE_IMAGE), padding=2), path)
    return [(path.name, "notebook 02's 5×5 example padded by 2 in each `padding_mode` of `nn.Conv2d` "
                        "(zeros, reflect, replicate, circular), values from `F.pad`")]


#: ``generator(out_dir) -> [(file name, description), ...]``; see the module docstring.
EXTRA_GENERATORS: list[Callable[[Path], list[tuple[str, str]]]] = [
    combined_model_graph,   # notebook 06 links to the whole graph
    combined_model_rnn_graph,  # notebook 06 shows the RNN's part on a slide
    shapes_figures,         # notebook 00
    module_figures,         # notebook 01
    padding_modes_figure,   # notebook 02: what each padding_mode of nn.Conv2d pads with
]


def receptive_field_figure(out_dir: Path) -> list[tuple[str, str]]:
    """Notebook 03: what one unit after three stacked 3×3 convolutions sees (measured with autograd)."""
    from course_utils.viz.conv import draw_receptive_field

    _save_png(draw_receptive_field([3, 3, 3]), out_dir / "receptive_field_3x3.png")
    return [("receptive_field_3x3.png",
             "receptive field of one unit after three 3×3 convolutions (7×7), measured with autograd")]


def conv_transpose_scatter_figure(out_dir: Path) -> list[tuple[str, str]]:
    """Notebook 03: a transposed convolution as stamps of a non-symmetric kernel, one per input pixel."""
    import torch

    from course_utils.viz.conv import draw_conv_transpose_scatter

    x, kernel = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.arange(1.0, 10.0).reshape(3, 3)
    _save_png(draw_conv_transpose_scatter(x, kernel, stride=2), out_dir / "conv_transpose_scatter.png")
    return [("conv_transpose_scatter.png",
             "conv_transpose2d (2×2 input, 3×3 kernel 1..9, stride 2) as one stamp per input pixel")]


#: ``generator(out_dir) -> [(file name, description), ...]``; see the module docstring.


EXTRA_GENERATORS += [receptive_field_figure, conv_transpose_scatter_figure]  # notebook 03


# --------------------------------------------------------------------------- notebook 04 (RNN, GRU, LSTM)


def _save_tight_png(ax_or_figure, path: Path) -> None:
    """Save a diagram cropped to what is drawn (the axes of the RNN diagrams keep empty margins)."""
    import matplotlib.pyplot as plt

    figure = getattr(ax_or_figure, "figure", ax_or_figure)
    figure.savefig(path, dpi=PNG_DPI, metadata=_png_metadata(), bbox_inches="tight", pad_inches=0.1)
    plt.close(figure)


def rnn_unrolled_figure(out_dir: Path) -> list[tuple[str, str]]:
    """Notebook 04: one recurrent layer unrolled over four time steps."""
    from course_utils.viz.rnn import draw_rnn_unrolled

    _save_tight_png(draw_rnn_unrolled(steps=4), out_dir / "rnn_unrolled.png")
    return [("rnn_unrolled.png", "one recurrent layer unrolled over L = 4 steps: one cell, the same weights")]


def rnn_grid_figure(out_dir: Path) -> list[tuple[str, str]]:
    """Notebook 04: where ``output`` and each ``h_n[layer * D + direction]`` come from."""
    from course_utils.viz.rnn import draw_rnn_grid

    _save_tight_png(draw_rnn_grid(num_layers=2, bidirectional=True, steps=4), out_dir / "rnn_grid.png")
    return [("rnn_grid.png", "2 layers × 2 directions over 4 steps: output and h_n[layer·D + direction]")]


def rnn_gradient_figure(out_dir: Path) -> list[tuple[str, str]]:
    """Notebook 04: ‖∂h_59/∂x_t‖ against the gap for an RNN and an LSTM (closed and open forget gate)."""
    import torch
    from torch import nn

    from course_utils.viz.rnn import input_gradient_by_gap, plot_gradient_by_gap

    inputs = torch.randn(60, 8, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    norms = {}
    for label, make, forget_bias in (("RNN", nn.RNN, 0.0), ("LSTM", nn.LSTM, 0.0),
                                     ("LSTM, forget bias +4", nn.LSTM, 4.0)):
        torch.manual_seed(0)
        module = make(6, 16).double()
        if forget_bias:
            with torch.no_grad():
                module.bias_ih_l0[16:32] += forget_bias  # gates i, f, g, o: rows 16:32 are f
        norms[label] = input_gradient_by_gap(module, inputs)
    _save_tight_png(plot_gradient_by_gap(norms), out_dir / "rnn_gradient_by_gap.png")
    return [("rnn_gradient_by_gap.png", "‖∂h_59/∂x_t‖ against the gap 59 − t at initialisation (16 units, "
             "8 random sequences): RNN, LSTM, LSTM with forget bias +4")]


EXTRA_GENERATORS += [rnn_unrolled_figure, rnn_grid_figure, rnn_gradient_figure]  # notebook 04


def dynamic_inputs_figures(out_dir: Path) -> list[tuple[str, str]]:
    """Draw notebook 05's pictures: adaptive-pooling bins, and a padded batch next to its packed form."""
    import matplotlib.pyplot as plt

    from course_utils.viz import sequences

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2), gridspec_kw={"width_ratios": [13.8, 15.8, 6.8]})
    for ax, (size_in, size_out) in zip(axes, [(10, 4), (12, 4), (3, 5)]):
        sequences.draw_adaptive_bins(size_in, size_out, ax=ax)
    fig.savefig(out_dir / "adaptive_bins.png", dpi=PNG_DPI, metadata=_png_metadata(), bbox_inches="tight")
    sequences.draw_padded_vs_packed([2, 5, 3]).savefig(
        out_dir / "padded_vs_packed.png", dpi=PNG_DPI, metadata=_png_metadata(), bbox_inches="tight")
    sequences.show_at_sizes(_digit_at_sizes((20, 28, 36, 56))).savefig(
        out_dir / "digit_at_sizes.png", dpi=PNG_DPI, metadata=_png_metadata(), bbox_inches="tight")
    plt.close("all")
    return [("adaptive_bins.png", "bins of `AdaptiveAvgPool1d` for I→O = 10→4, 12→4, 3→5, read off PyTorch "
                                  "(notebook 05)"),
            ("padded_vs_packed.png", "a padded batch of lengths 2, 5, 3 next to its `pack_padded_sequence` "
                                     "data and batch_sizes (notebook 05)"),
            ("digit_at_sizes.png", "the first validation digit resized to 20, 28, 36 and 56 pixels (bilinear, "
                                   "antialiased) with a 3×3 kernel's square (notebook 05)")]


def _digit_at_sizes(sizes):
    """The first validation digit, ``(1, 28, 28)``, resized as notebook 05 resizes its batches."""
    import torch.nn.functional as F

    from course_utils.data import mnist_subset

    digit = mnist_subset("val")[0][0]
    return [digit if size == 28 else F.interpolate(digit[None], size=(size, size), mode="bilinear",
                                                   antialias=True)[0] for size in sizes]


#: ``generator(out_dir) -> [(file name, description), ...]``; see the module docstring.

EXTRA_GENERATORS += [dynamic_inputs_figures]  # notebook 05


def resnet18_diagrams(out_dir: Path) -> list[tuple[str, str]]:
    """Draw notebook 07's diagrams: the two kinds of BasicBlock, and ResNet18's stages at 224×224."""
    from course_utils.viz.resnet import draw_basic_blocks, draw_resnet18_stages

    for name, draw in (("resnet18_blocks.png", draw_basic_blocks), ("resnet18_stages.png", draw_resnet18_stages)):
        _save_png(draw(), out_dir / name)
    return [("resnet18_blocks.png", "ResNet18's two kinds of `BasicBlock`, shapes measured (notebook 07)"),
            ("resnet18_stages.png", "ResNet18 stage by stage on a 224×224 image: output shapes and parameters, "
                                    "measured (notebook 07)")]


EXTRA_GENERATORS += [resnet18_diagrams]  # notebook 07


def _png_metadata() -> dict:
    return {"Software": None}  # no matplotlib version in the file


def _viz_functions(operation: str):
    """The public ``course_utils.viz.conv`` functions (draw one step, animate) for ``operation``."""
    from course_utils.viz import conv

    return {
        "conv": (conv.draw_conv_step, conv.animate_conv),
        "conv_transpose": (conv.draw_conv_transpose_step, conv.animate_conv_transpose),
        "pool": (conv.draw_pool_step, conv.animate_pool),
    }[operation]


def _render_case(case: FigureCase, out_dir: Path, formats=("gif", "png")) -> list[Path]:
    import matplotlib.pyplot as plt

    from course_utils.viz import conv

    last_step = make_scene(case).steps[-1]  # make_scene also checks a transposed case's sizes
    operation, args, kwargs = case_call(case)
    draw, animate = _viz_functions(operation)
    written = []
    if "png" in formats:
        fig = draw(*args, **kwargs, step=last_step, show_values=case.numerical)
        path = out_dir / f"{case.name}.png"
        fig.savefig(path, dpi=PNG_DPI, metadata=_png_metadata())
        plt.close("all")
        written.append(path)
    if "gif" in formats:
        animation = animate(*args, **kwargs, show_values=case.numerical, interval=FRAME_MS)
        path = out_dir / f"{case.name}.gif"
        conv.save_gif(animation, path, dpi=GIF_DPI)
        plt.close("all")
        written.append(path)
    return written


def _parameters(case: FigureCase, scene) -> str:
    if case.operation == "conv_transpose":
        a = scene.extra["output_padding"][0]
        over = "the stretched input" if case.s > 1 else "the input"
        return (f"k={case.k}, s={case.s}, p={case.p}, output_padding={a}; drawn as a direct "
                f"conv over {over} padded by p′={scene.extra['equivalent_padding'][0]}")
    text = f"k={case.k}, s={case.s}, p={case.p}"
    return text + (f", d={case.d}" if case.d != 1 else "")


def _operation_name(case: FigureCase) -> str:
    return {"conv": "conv2d", "conv_transpose": "conv_transpose2d", "max_pool": "max_pool2d",
            "avg_pool": "avg_pool2d"}[case.operation]


def write_readme(out_dir: Path, extra: Iterable[tuple[str, str]] = ()) -> Path:
    """Write ``README.md`` listing every figure with its parameters and output size.

    The sizes are those of the scenes, i.e. computed by PyTorch.
    """
    if not isinstance(out_dir, (str, Path)):
        raise TypeError(f"write_readme: out_dir must be a folder path, got {type(out_dir).__name__}")
    out_dir = Path(out_dir)
    lines = [
        "# figures/",
        "",
        "Generated by `python -m course_utils.authoring.figures` — do not edit by hand; change",
        "`course_utils/viz/paper_cases.py`, `course_utils/viz/conv.py` or",
        "`course_utils/authoring/figures.py` and regenerate.",
        "Every number and output size in these pictures is computed by the PyTorch call",
        "the picture shows (`F.conv2d`, `F.conv_transpose2d`, `F.max_pool2d`, `F.avg_pool2d`).",
        "",
        "Each case has an animated `.gif` (one frame per output cell, row by row) and a",
        "static `.png` (the last step). Colours: input blue, padding grey (dashed),",
        "zeros inserted by a transposed convolution white (dotted), kernel window shaded",
        "dark blue with its weights in red, output cyan, current output cell dark cyan.",
        "Relationships are those of Dumoulin & Visin, *A guide to convolution arithmetic*",
        "(arXiv:1603.07285). The numerical examples use their input",
        "(`numpy.random.seed(1234)`, `randint(0, 4, (5, 5))`, kernel `randint(0, 3, (3, 3))`).",
        "",
        "| files | operation | input | parameters | output | frames | rel. |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        scene = make_scene(case)
        h, w = scene.input_shape
        oh, ow = scene.output_shape
        note = f" — {case.note}" if case.note else ""
        lines.append(
            f"| `{case.name}`.gif/.png | {_operation_name(case)} | {h}×{w} | "
            f"{_parameters(case, scene)}{note} | {oh}×{ow} | {oh * ow} | {case.relationship} |")
    extra = list(extra)
    if extra:
        lines += ["", "## Other figures", "", "| file | what |", "|---|---|"]
        lines += [f"| `{name}` | {description} |" for name, description in extra]
    path = Path(out_dir) / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def generate(out_dir: Path | None = None, names: Iterable[str] | None = None,
             formats=("gif", "png"), extras: bool | None = None,
             readme: bool | None = None, verbose: bool = False) -> list[Path]:
    """Draw the figures into ``out_dir`` (default: the repository's ``figures/``).

    Args:
        out_dir: where to write; created if missing.
        names: only these cases (see :data:`CASES`); default all.
        formats: ``"gif"``, ``"png"`` or both.
        extras: also run :data:`EXTRA_GENERATORS`; default: when ``names`` is ``None``.
        readme: also write ``README.md`` (which lists every case, whatever ``names``
            says); default: when ``names`` is ``None``.
        verbose: print each file as it is written.

    Returns:
        The paths written.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir) if out_dir is not None else FIGURES_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    bad = set(formats) - {"gif", "png"}
    if bad:
        raise ValueError(f"generate: formats must be 'gif' and/or 'png', got {sorted(bad)}")
    cases = CASES if names is None else [case_by_name(n) for n in names]
    extras = names is None if extras is None else extras
    readme = names is None if readme is None else readme
    written: list[Path] = []
    described: list[tuple[str, str]] = []
    # matplotlib's default style, whatever the user's matplotlibrc says
    with matplotlib.rc_context(), plt.style.context("default"):
        matplotlib.rcParams["svg.hashsalt"] = "course_utils"
        for case in cases:
            start = time.perf_counter()
            paths = _render_case(case, out_dir, formats)
            written += paths
            if verbose:
                print(f"{case.name:40s} {time.perf_counter() - start:5.1f} s")
        if extras:
            for generator in EXTRA_GENERATORS:
                for name, description in generator(out_dir):
                    written.append(out_dir / name)
                    described.append((name, description))
    if readme:
        written.append(write_readme(out_dir, described))
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m course_utils.authoring.figures",
                                     description="Regenerate the figures of the course.")
    parser.add_argument("--out", type=Path, default=FIGURES_DIR, help="output folder")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these cases")
    parser.add_argument("--list", action="store_true", help="print the case names and exit")
    args = parser.parse_args(argv)
    if args.list:
        for case in CASES:
            print(case.name)
        return
    import matplotlib

    matplotlib.use("Agg")
    start = time.perf_counter()
    written = generate(args.out, args.only, verbose=True)
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({size / 1e6:.2f} MB) to {args.out} "
          f"in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
