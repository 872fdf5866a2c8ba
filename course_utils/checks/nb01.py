"""Checks for the exercises of notebook 01 (the Module skeleton)."""

import torch
from torch import nn

from . import (
    CheckFailed,
    answered,
    as_int,
    call,
    exercise,
    expect,
    expect_equal,
    expect_module,
    expect_shape,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
)
from ._mistakes import tensor_attribute

__all__ = ["exercise_1_1", "exercise_1_2", "exercise_1_3", "set_language"]


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@exercise("1.1", expects="a whole number, e.g. 1234")
def exercise_1_1(answer) -> None:
    """Parameters of ``nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))``."""
    value = as_int(answered(answer), msg("the parameter count"))
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))
    conv, linear, expected = _count(model[0]), _count(model[3]), _count(model)
    if value in (conv, linear):
        raise CheckFailed(msg("expected {expected:,}, got {value:,}", expected=expected, value=value),
                          msg("count both layers: the conv and the Linear"))
    if value == model[0].weight.numel() + model[3].weight.numel():
        raise CheckFailed(msg("expected {expected:,}, got {value:,}", expected=expected, value=value),
                          msg("add the biases: one per output channel of the conv, one per output of the Linear"))
    expect_equal(value, expected, msg("parameter count"),
                 msg("a conv has C_out*C_in*kH*kW weights + C_out biases; a Linear out*in + out; "
                     "ReLU and Flatten none"))


@exercise("1.2", expects="a class Scale(nn.Module) whose forward(x) returns a tensor")
def exercise_1_2(Scale) -> None:
    """``Scale()``: a module with one learnable number ``scale`` (starting at 1.0) that multiplies its input."""
    torch.manual_seed(0)
    module = expect_module(call(Scale), "Scale()")
    named = dict(module.named_parameters())
    if "scale" not in named and tensor_attribute(module, "scale"):
        raise CheckFailed(msg("scale is a plain tensor, so it is not a parameter: the optimiser would never see it"),
                          msg("wrap it: self.scale = nn.Parameter(torch.tensor(1.0))"))
    expect("scale" in named, msg("no parameter called 'scale' is registered (found {found})",
                                 found=", ".join(sorted(named)) or "none"),
           msg("assign self.scale = nn.Parameter(torch.tensor(1.0)); a plain tensor is not a parameter"))
    expect_equal(_count(module), 1, msg("number of parameters"), msg("one number: nn.Parameter(torch.tensor(1.0))"))
    start = float(named["scale"].detach().reshape(-1)[0])
    expect(start == 1.0, msg("scale should start at 1.0, got {start:.4g}", start=start),
           msg("initialise it with torch.tensor(1.0)"))
    x = torch.randn(2, 3)
    out = call(module, x)
    expect_shape(out, (2, 3), msg("output shape"), msg("return self.scale * x"))
    expect(torch.allclose(out, x), msg("with scale = 1 the output should equal the input"),
           msg("return self.scale * x"))
    with torch.no_grad():
        named["scale"].fill_(2.5)
    expect(torch.allclose(call(module, x), 2.5 * x), msg("after setting scale to 2.5 the output is not 2.5 * x"),
           msg("use self.scale in forward, not the number 1.0"))
    call(module, x).sum().backward()
    expect(named["scale"].grad is not None, msg("no gradient reached scale"), msg("do not detach scale in forward"))


def _mlp_reference(linears: list, x: torch.Tensor) -> torch.Tensor:
    for i, linear in enumerate(linears):
        x = linear(x)
        if i < len(linears) - 1:
            x = torch.relu(x)
    return x


@exercise("1.3", expects="a function build_mlp(sizes) that returns an nn.Sequential")
def exercise_1_3(build_mlp) -> None:
    """``build_mlp(sizes)``: Linear layers ``sizes[i] -> sizes[i+1]`` with a ReLU between them (none at the end)."""
    torch.manual_seed(0)
    for sizes in ([4, 8, 3], [5, 16, 16, 2], [3, 7]):
        model = expect_module(call(build_mlp, list(sizes)), f"build_mlp({sizes})")
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        expected_params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
        got_params = _count(model)
        expect(got_params == expected_params,
               msg("for sizes={sizes}, model.parameters() holds {got:,} numbers, expected {expected:,}",
                   sizes=sizes, got=got_params, expected=expected_params),
               msg("keep layers in nn.Sequential or nn.ModuleList, never in a plain Python list"))
        expect_equal([(m.in_features, m.out_features) for m in linears], list(zip(sizes, sizes[1:])),
                     msg("Linear layers (in, out) for sizes={sizes}", sizes=sizes),
                     msg("one nn.Linear(sizes[i], sizes[i + 1]) per pair"))
        x = torch.randn(6, sizes[0])
        out = call(model, x)
        expect_shape(out, (6, sizes[-1]), msg("output shape for sizes={sizes}", sizes=sizes),
                     msg("the last Linear gives sizes[-1]"))
        if not torch.allclose(out, _mlp_reference(linears, x), atol=1e-6):
            hint = (msg("no ReLU after the last layer: the outputs are logits")
                    if (out >= 0).all() and len(linears) > 1 else msg("apply a ReLU between consecutive Linear layers"))
            raise CheckFailed(msg("for sizes={sizes} the output is not Linear → ReLU → … → Linear", sizes=sizes), hint)
