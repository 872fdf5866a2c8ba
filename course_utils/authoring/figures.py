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
    "resnet18_diagrams",
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
    """Draw notebook 06's autograd graph, the picture it shows when Graphviz is missing."""
    import torch

    from course_utils.models import CombinedModel
    from course_utils.viz.plots import save_model_graph

    torch.manual_seed(0)  # the graph does not depend on the weights; seeded all the same
    save_model_graph(CombinedModel(), torch.zeros(1, 1, 28, 28), path=out_dir / "combined_model_graph.png")
    return [("combined_model_graph.png",
             "autograd graph of `CombinedModel` (torchviz + Graphviz), notebook 06's fallback picture")]


def resnet18_diagrams(out_dir: Path) -> list[tuple[str, str]]:
    """Draw notebook 07's diagrams: the two kinds of BasicBlock, and ResNet18's stages at 224×224."""
    import matplotlib.pyplot as plt

    from course_utils.viz.resnet import draw_basic_blocks, draw_resnet18_stages

    for name, draw in (("resnet18_blocks.png", draw_basic_blocks), ("resnet18_stages.png", draw_resnet18_stages)):
        draw().savefig(out_dir / name, dpi=PNG_DPI, metadata=_png_metadata())
        plt.close("all")
    return [("resnet18_blocks.png", "ResNet18's two kinds of `BasicBlock`, shapes measured (notebook 07)"),
            ("resnet18_stages.png", "ResNet18 stage by stage on a 224×224 image: output shapes and parameters, "
                                    "measured (notebook 07)")]


#: ``generator(out_dir) -> [(file name, description), ...]``; see the module docstring.
EXTRA_GENERATORS: list[Callable[[Path], list[tuple[str, str]]]] = [combined_model_graph, resnet18_diagrams]


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
