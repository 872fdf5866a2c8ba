"""The convolution-arithmetic cases of Dumoulin & Visin, as PyTorch computes them.

Dumoulin & Visin, *A guide to convolution arithmetic for deep learning*
(arXiv:1603.07285, https://arxiv.org/abs/1603.07285), illustrate their fifteen
relationships with animations: 8 convolutions, 7 transposed convolutions, and
four numerical examples (two convolutions, max and average pooling). Each case
here names one of them; notebook 03 checks every formula against the scene
PyTorch computes for it, and ``figures/`` holds its animation
(``python -m course_utils.authoring.figures`` redraws them from these cases).

Example::

    >>> from course_utils.viz.paper_cases import case_by_name, make_scene
    >>> make_scene(case_by_name("padding_strides")).output_shape
    (3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass

from course_utils import _validate

__all__ = [
    "FigureCase",
    "CASES",
    "SEED",
    "case_by_name",
    "case_call",
    "numerical_example",
    "make_scene",
]

SEED = 1234  # Dumoulin & Visin's numerical figures: numpy.random.seed(1234)


@dataclass(frozen=True)
class FigureCase:
    """One case of the paper, drawn as ``figures/<name>.gif`` and ``figures/<name>.png``.

    ``operation`` is ``"conv"``, ``"conv_transpose"``, ``"max_pool"`` or ``"avg_pool"``.
    For ``"conv_transpose"``, ``i`` is the input size of the *forward* convolution
    that the transposed one undoes: the drawn input is that convolution's output,
    and ``output_padding`` is chosen so the transposed output has size ``i`` again.
    ``relationship`` is the number of Dumoulin & Visin's formula it illustrates.
    ``i``, ``k``, ``s``, ``p``, ``d`` are the paper's input size, kernel size, stride,
    padding and dilation (square inputs and kernels, as in the paper).
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

    def __post_init__(self):
        _validate.instance("name", self.name, str, "a str (a file name of figures/ without its suffix)")
        _validate.one_of("operation", self.operation, ("conv", "conv_transpose", "max_pool", "avg_pool"))
        for name in ("i", "k", "s", "d"):
            _validate.positive_int(name, getattr(self, name))
        _validate.non_negative_int("p", self.p)
        _validate.non_negative_int("relationship", self.relationship)
        _validate.boolean("numerical", self.numerical)
        _validate.instance("note", self.note, str, "a str")


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

#: Every case, in the order of ``figures/README.md``.
CASES: list[FigureCase] = _CONV + _TRANSPOSED + _NUMERICAL


def case_by_name(name: str) -> FigureCase:
    """The :class:`FigureCase` called ``name`` (a file name of ``figures/`` without ``.gif``/``.png``).

    Raises:
        ValueError: if no case has that name (the message lists the names).
    """
    name = _validate.one_of("name", name, [case.name for case in CASES])
    return next(case for case in CASES if case.name == name)


def numerical_example():
    """Dumoulin & Visin's numerical example: a 5×5 input in 0..3 and a 3×3 kernel in 0..2.

    Drawn as in their script: ``numpy.random.seed(1234)``, then ``randint(0, 4, (5, 5))``
    and ``randint(0, 3, (3, 3))``.

    Returns:
        ``(x, kernel)`` as float64 tensors.

    Shape:
        - x: :math:`(5, 5)`
        - kernel: :math:`(3, 3)`
    """
    import numpy as np
    import torch

    rng = np.random.RandomState(SEED)  # the same stream as numpy.random.seed(1234)
    x = rng.randint(0, 4, (5, 5))
    kernel = rng.randint(0, 3, (3, 3))
    return torch.tensor(x, dtype=torch.float64), torch.tensor(kernel, dtype=torch.float64)


def _plain_input(size: int, kernel: int):
    """Inputs of the geometric figures (their values are not drawn, only their grid)."""
    import torch

    generator = torch.Generator().manual_seed(SEED)
    x = torch.randint(0, 4, (size, size), generator=generator).double()
    weight = torch.randint(0, 3, (kernel, kernel), generator=generator).double()
    return x, weight


def case_call(case: FigureCase) -> tuple[str, tuple, dict]:
    """The ``course_utils.viz.conv`` call that draws ``case``: ``(operation, args, kwargs)``.

    ``operation`` picks the function (``"conv"``: ``conv_scene``/``draw_conv_step``/
    ``animate_conv``; ``"conv_transpose"``: the ``*_conv_transpose*`` ones; ``"pool"``: the
    pooling ones), ``args`` and ``kwargs`` are its arguments. For a transposed case the input
    is the forward convolution's output and ``output_padding`` the value that maps it back
    to ``case.i``.

    Shape:
        - ``args[0]`` (the input): :math:`(i, i)`, or the forward output :math:`(o, o)`
          for a transposed case
    """
    import torch.nn.functional as F

    from course_utils import arithmetic

    case = _validate.instance("case", case, FigureCase, "a FigureCase (see CASES or case_by_name)")
    x, weight = numerical_example() if case.numerical else _plain_input(case.i, case.k)
    if case.operation == "conv":
        return "conv", (x, weight), {"stride": case.s, "padding": case.p, "dilation": case.d}
    if case.operation == "conv_transpose":
        # the transposed convolution's input is the forward convolution's output...
        forward = F.conv2d(x[None, None], weight[None, None], stride=case.s, padding=case.p,
                           dilation=case.d)[0, 0]
        o = forward.shape[-1]
        # ...and output_padding picks, among the sizes that map to o, the original i
        a = case.i - arithmetic.conv_transpose_output_size(o, case.k, case.s, case.p, 0, case.d)
        return "conv_transpose", (forward, weight), {"stride": case.s, "padding": case.p,
                                                     "output_padding": a, "dilation": case.d}
    mode = "max" if case.operation == "max_pool" else "avg"
    return "pool", (x, case.k), {"stride": case.s, "padding": case.p, "dilation": case.d, "mode": mode}


def make_scene(case: FigureCase):
    """Compute the :class:`~course_utils.viz.conv.ConvScene` of ``case`` with PyTorch.

    Raises:
        TypeError: if ``case`` is not a :class:`FigureCase`.
        RuntimeError: if a transposed case does not map back to ``case.i`` (a wrong case).

    Shape:
        - ``scene.output``: :math:`(o, o)`, the output of the PyTorch call; :math:`(i, i)`
          for a transposed case
    """
    from course_utils.viz import conv

    operation, args, kwargs = case_call(case)
    make = {"conv": conv.conv_scene, "conv_transpose": conv.conv_transpose_scene,
            "pool": conv.pool_scene}[operation]
    scene = make(*args, **kwargs)
    if case.operation == "conv_transpose" and scene.output_shape != (case.i, case.i):
        raise RuntimeError(f"case {case.name} maps {tuple(args[0].shape)} to {scene.output_shape}, "
                           f"not back to {(case.i, case.i)}")
    return scene
