"""Checks for the exercises of notebook 01 (the Module skeleton)."""

import torch
from torch import nn

from . import CheckFailed, answered, call, expect, expect_equal, expect_shape, run_check

__all__ = ["exercise_1_1", "exercise_1_2", "exercise_1_3"]


def exercise_1_1(answer) -> None:
    """Parameters of ``nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))``."""

    def test():
        value = answered(answer)
        expect(isinstance(value, int) and not isinstance(value, bool),
               f"expected a whole number, got {type(value).__name__}", "count weights and biases, e.g. 8*3*3*3 + 8")
        model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))
        conv = sum(p.numel() for p in model[0].parameters())
        expected = sum(p.numel() for p in model.parameters())
        if value == expected - conv or value == conv:
            raise CheckFailed(f"expected {expected:,}, got {value:,}", "count both layers: the conv and the Linear")
        expect_equal(value, expected, "parameter count",
                     "a conv has C_out*C_in*kH*kW weights + C_out biases; a Linear out*in + out; ReLU and Flatten none")

    run_check("1.1", test)


def exercise_1_2(Scale) -> None:
    """``Scale()``: a module with one learnable number ``scale`` (starting at 1.0) that multiplies its input."""

    def test():
        torch.manual_seed(0)
        module = call(Scale)
        expect(isinstance(module, nn.Module), f"Scale() should be an nn.Module, got {type(module).__name__}",
               "write class Scale(nn.Module) and call super().__init__() first")
        named = dict(module.named_parameters())
        expect("scale" in named, f"no parameter called 'scale' is registered (found {sorted(named) or 'none'})",
               "assign self.scale = nn.Parameter(torch.tensor(1.0)); a plain tensor is not a parameter")
        expect_equal(sum(p.numel() for p in module.parameters()), 1, "number of parameters",
                     "one number: nn.Parameter(torch.tensor(1.0))")
        start = float(named["scale"].detach().reshape(-1)[0])
        expect(start == 1.0, f"scale should start at 1.0, got {start:.4g}",
               "initialise it with torch.tensor(1.0)")
        x = torch.randn(2, 3)
        out = call(module, x)
        expect_shape(out, (2, 3), "output shape", "return scale * x")
        expect(torch.allclose(out, x), "with scale = 1 the output should equal the input", "return self.scale * x")
        with torch.no_grad():
            named["scale"].fill_(2.5)
        expect(torch.allclose(call(module, x), 2.5 * x), "after setting scale to 2.5 the output is not 2.5 * x",
               "use self.scale in forward, not the number 1.0")
        call(module, x).sum().backward()
        expect(named["scale"].grad is not None, "no gradient reached scale", "do not detach scale in forward")

    run_check("1.2", test)


def exercise_1_3(build_mlp) -> None:
    """``build_mlp(sizes)``: Linear layers ``sizes[i] -> sizes[i+1]`` with a ReLU between them (none at the end)."""

    def test():
        torch.manual_seed(0)
        for sizes in ([4, 8, 3], [5, 16, 16, 2], [3, 7]):
            model = call(build_mlp, sizes)
            expect(isinstance(model, nn.Module), f"build_mlp should return an nn.Module, got {type(model).__name__}",
                   "return nn.Sequential(*layers)")
            linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
            expected_params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
            got_params = sum(p.numel() for p in model.parameters())
            expect(got_params == expected_params,
                   f"for sizes={sizes}, model.parameters() holds {got_params:,} numbers, expected {expected_params:,}",
                   "keep layers in nn.Sequential or nn.ModuleList, never in a plain Python list")
            expect_equal([(m.in_features, m.out_features) for m in linears], list(zip(sizes, sizes[1:])),
                         f"Linear layers (in, out) for sizes={sizes}", "one nn.Linear(sizes[i], sizes[i + 1]) per pair")
            x = torch.randn(6, sizes[0])
            out = call(model, x)
            expect_shape(out, (6, sizes[-1]), f"output shape for sizes={sizes}", "the last Linear gives sizes[-1]")
            expected = x
            for i, linear in enumerate(linears):
                expected = linear(expected)
                if i < len(linears) - 1:
                    expected = torch.relu(expected)
            if not torch.allclose(out, expected, atol=1e-6):
                hint = ("no ReLU after the last layer: the outputs are logits"
                        if (out >= 0).all() and len(linears) > 1 else "apply a ReLU between consecutive Linear layers")
                raise CheckFailed(f"for sizes={sizes} the output is not Linear → ReLU → … → Linear", hint)

    run_check("1.3", test)
