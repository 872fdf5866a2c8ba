"""Regenerate every image in ``figures/``: ``python -m course_utils.figures``.

The convolution-arithmetic figures reproduce the cases of Dumoulin & Visin's
animations (8 convolutions, 7 transposed convolutions) and their four
numerical examples, each as an animated GIF (one frame per output cell) and a
static PNG (the last step). Every value and output size is computed by
PyTorch while drawing (see ``course_utils.viz.conv``); the transposed cases
take their input size from the forward convolution's output and must give
back the forward input, which is checked.

Files are reproducible: fixed sizes and dpi, matplotlib's default style,
no timestamps or software tags. ``figures/README.md`` is written from the
same list, with each file's parameters and output size.

Other modules add figures by appending a generator to :data:`EXTRA_GENERATORS`:
a function ``generator(out_dir: pathlib.Path) -> list[tuple[str, str]]`` that
writes its files into ``out_dir`` and returns ``(file name, description)``
pairs for the README.

Usage::

    python -m course_utils.figures              # everything, into figures/
    python -m course_utils.figures --list       # names only
    python -m course_utils.figures --only dilation padding_strides --out /tmp/f
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Tuple

__all__ = [
    "FigureCase",
    "CASES",
    "EXTRA_GENERATORS",
    "combined_model_graph",
    "FIGURES_DIR",
    "GIF_DPI",
    "PNG_DPI",
    "case_by_name",
    "numerical_example",
    "make_scene",
    "generate",
    "write_readme",
    "main",
]

FIGURES_DIR = Path(__file__).resolve().parent.parent / "figures"
GIF_DPI = 80
PNG_DPI = 100
FRAME_MS = 800  # per frame of a GIF
SEED = 1234  # Dumoulin & Visin's numerical figures: numpy.random.seed(1234)

def combined_model_graph(out_dir: Path) -> List[Tuple[str, str]]:
    """Draw notebook 06's autograd graph, the picture it shows when Graphviz is missing."""
    import torch

    from .models import CombinedModel
    from .viz.plots import save_model_graph

    torch.manual_seed(0)  # the graph does not depend on the weights; seeded all the same
    save_model_graph(CombinedModel(), torch.zeros(1, 1, 28, 28), path=out_dir / "combined_model_graph.png")
    return [("combined_model_graph.png",
             "autograd graph of `CombinedModel` (torchviz + Graphviz), notebook 06's fallback picture")]


#: ``generator(out_dir) -> [(file name, description), ...]``; see the module docstring.
EXTRA_GENERATORS: List[Callable[[Path], List[Tuple[str, str]]]] = [combined_model_graph]


@dataclass(frozen=True)
class FigureCase:
    """One figure: a GIF ``<name>.gif`` and a PNG ``<name>.png``.

    ``operation`` is ``"conv"``, ``"conv_transpose"``, ``"max_pool"`` or ``"avg_pool"``.
    For ``"conv_transpose"``, ``i`` is the input size of the *forward* convolution
    that the transposed one undoes: the drawn input is that convolution's output,
    and ``output_padding`` is chosen so the transposed output has size ``i`` again.
    ``relationship`` is the number of Dumoulin & Visin's formula it illustrates.
    """

    name: str
    operation: str
    i: int
    k: int
    s: int = 1
    p: int = 0
    d: int = 1
    relationship: int = 0
    numerical: bool = False
    note: str = ""


_CONV = [
    FigureCase("no_padding_no_strides", "conv", 4, 3, relationship=1),
    FigureCase("arbitrary_padding_no_strides", "conv", 5, 4, p=2, relationship=2),
    FigureCase("same_padding_no_strides", "conv", 5, 3, p=1, relationship=3,
               note="half ('same') padding"),
    FigureCase("full_padding_no_strides", "conv", 5, 3, p=2, relationship=4),
    FigureCase("no_padding_strides", "conv", 5, 3, s=2, relationship=5),
    FigureCase("padding_strides", "conv", 5, 3, s=2, p=1, relationship=6),
    FigureCase("padding_strides_odd", "conv", 6, 3, s=2, p=1, relationship=6,
               note="the last padded row and column are never used"),
    FigureCase("dilation", "conv", 7, 3, d=2, relationship=15),
]
_TRANSPOSED_RELATIONSHIP = {
    "no_padding_no_strides": 8,
    "arbitrary_padding_no_strides": 9,
    "same_padding_no_strides": 10,
    "full_padding_no_strides": 11,
    "no_padding_strides": 12,
    "padding_strides": 13,
    "padding_strides_odd": 14,
}
_TRANSPOSED = [
    FigureCase(f"{c.name}_transposed", "conv_transpose", c.i, c.k, c.s, c.p, c.d,
               relationship=_TRANSPOSED_RELATIONSHIP[c.name],
               note=f"undoes the shape map of {c.name}")
    for c in _CONV if c.name in _TRANSPOSED_RELATIONSHIP
]
_NUMERICAL = [
    FigureCase("numerical_no_padding_no_strides", "conv", 5, 3, relationship=1, numerical=True),
    FigureCase("numerical_padding_strides", "conv", 5, 3, s=2, p=1, relationship=6,
               numerical=True),
    FigureCase("numerical_average_pooling", "avg_pool", 5, 3, s=1, relationship=7,
               numerical=True),
    FigureCase("numerical_max_pooling", "max_pool", 5, 3, s=1, relationship=7, numerical=True),
]

#: Every convolution-arithmetic figure, in README order.
CASES: List[FigureCase] = _CONV + _TRANSPOSED + _NUMERICAL


def case_by_name(name: str) -> FigureCase:
    """The :class:`FigureCase` called ``name`` (without ``.gif``/``.png``)."""
    for case in CASES:
        if case.name == name:
            return case
    raise ValueError(f"case_by_name: no figure called {name!r}; the names are "
                     f"{', '.join(c.name for c in CASES)}")


def numerical_example():
    """Dumoulin & Visin's numerical example: a 5×5 input in 0..3 and a 3×3 kernel in 0..2.

    Drawn as in their script: ``numpy.random.seed(1234)``, then ``randint(0, 4, (5, 5))``
    and ``randint(0, 3, (3, 3))``.

    Returns:
        ``(x, kernel)`` as float64 tensors of shapes ``(5, 5)`` and ``(3, 3)``.
    """
    import numpy as np
    import torch

    rng = np.random.RandomState(SEED)  # the same stream as numpy.random.seed(1234)
    x = rng.randint(0, 4, (5, 5))
    kernel = rng.randint(0, 3, (3, 3))
    return torch.tensor(x, dtype=torch.float64), torch.tensor(kernel, dtype=torch.float64)


def _plain_input(size: int, kernel: int):
    """Inputs of the geometric figures (their values are not drawn)."""
    import torch

    generator = torch.Generator().manual_seed(SEED)
    x = torch.randint(0, 4, (size, size), generator=generator).double()
    weight = torch.randint(0, 3, (kernel, kernel), generator=generator).double()
    return x, weight


def make_scene(case: FigureCase):
    """Compute the :class:`~course_utils.viz.conv.ConvScene` of ``case`` with PyTorch."""
    import torch.nn.functional as F

    from . import arithmetic
    from .viz import conv

    if not isinstance(case, FigureCase):
        raise TypeError(f"make_scene: case must be a FigureCase (see CASES or case_by_name), "
                        f"got {type(case).__name__}")
    if case.numerical:
        x, weight = numerical_example()
    else:
        x, weight = _plain_input(case.i, case.k)
    if case.operation == "conv":
        return conv.conv_scene(x, weight, case.s, case.p, case.d)
    if case.operation == "conv_transpose":
        # the transposed convolution's input is the forward convolution's output...
        forward = F.conv2d(x[None, None], weight[None, None], stride=case.s, padding=case.p,
                           dilation=case.d)[0, 0]
        o = forward.shape[-1]
        # ...and output_padding picks, among the sizes that map to o, the original i
        a = case.i - arithmetic.conv_transpose_output_size(o, case.k, case.s, case.p, 0, case.d)
        scene = conv.conv_transpose_scene(forward, weight, case.s, case.p, a, case.d)
        if scene.output_shape != (case.i, case.i):
            raise RuntimeError(f"make_scene: {case.name} maps {o} to {scene.output_shape}, "
                               f"not back to {case.i}")
        return scene
    mode = "max" if case.operation == "max_pool" else "avg"
    return conv.pool_scene(x, case.k, case.s, case.p, case.d, mode=mode)


def _png_metadata() -> dict:
    return {"Software": None}  # no matplotlib version in the file


def _render_case(case: FigureCase, out_dir: Path, formats=("gif", "png")) -> List[Path]:
    import matplotlib.pyplot as plt

    from .viz import conv

    scene = make_scene(case)
    show = case.numerical
    written = []
    if "png" in formats:
        fig = conv._draw(scene, scene.steps[-1], show, None, None, "figures")
        path = out_dir / f"{case.name}.png"
        fig.savefig(path, dpi=PNG_DPI, metadata=_png_metadata())
        plt.close("all")
        written.append(path)
    if "gif" in formats:
        animation = conv._animate(scene, show, FRAME_MS, None, "figures")
        path = out_dir / f"{case.name}.gif"
        conv.save_gif(animation, path, dpi=GIF_DPI)
        plt.close(animation._fig)
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


def write_readme(out_dir: Path, extra: Iterable[Tuple[str, str]] = ()) -> Path:
    """Write ``README.md`` listing every figure with its parameters and output size.

    The sizes are those of the scenes, i.e. computed by PyTorch.
    """
    if not isinstance(out_dir, (str, Path)):
        raise TypeError(f"write_readme: out_dir must be a folder path, got {type(out_dir).__name__}")
    out_dir = Path(out_dir)
    lines = [
        "# figures/",
        "",
        "Generated by `python -m course_utils.figures` — do not edit by hand; change",
        "`course_utils/figures.py` or `course_utils/viz/conv.py` and regenerate.",
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


def generate(out_dir: Optional[Path] = None, names: Optional[Iterable[str]] = None,
             formats=("gif", "png"), extras: Optional[bool] = None,
             readme: Optional[bool] = None, verbose: bool = False) -> List[Path]:
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
    written: List[Path] = []
    described: List[Tuple[str, str]] = []
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
    parser = argparse.ArgumentParser(prog="python -m course_utils.figures",
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
