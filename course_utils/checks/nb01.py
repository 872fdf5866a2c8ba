"""Checks for the exercises of notebook 01 (the Module skeleton)."""

import copy

import torch
from torch import nn

from . import (
    CheckFailed,
    NotAttempted,
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
    shown,
)
from ._mistakes import is_placeholder, tensor_attribute

__all__ = ["exercise_1_1", "exercise_1_2", "exercise_1_3", "exercise_1_4", "exercise_1_5", "set_language"]


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


# --------------------------------------------------------------------------- 1.4: find and fix the bugs


def _classifier_reference(linears: list, x: torch.Tensor) -> torch.Tensor:
    return linears[1](torch.relu(linears[0](x.flatten(1))))


@exercise("1.4", expects="a class TinyClassifier(nn.Module) whose forward(x) returns a tensor")
def exercise_1_4(TinyClassifier) -> None:
    """The fixed ``TinyClassifier``: Flatten → Linear(784, 64) → ReLU → dropout (training only) → Linear(64, 10)."""
    torch.manual_seed(0)
    module = expect_module(call(TinyClassifier), "TinyClassifier()")
    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    expect_equal([(m.in_features, m.out_features) for m in linears], [(784, 64), (64, 10)],
                 msg("Linear layers (in, out)"), msg("keep the two layers: nn.Linear(784, hidden) and "
                                                     "nn.Linear(hidden, 10) with hidden=64"))
    expect_equal(_count(module), 784 * 64 + 64 + 64 * 10 + 10, msg("parameter count"),
                 msg("every layer with weights must be registered: assign it to self, or keep it in "
                     "nn.ModuleList / nn.Sequential"))
    x = torch.rand(16, 1, 28, 28)
    module.eval()
    with torch.no_grad():
        out = call(module, x)
        expect_shape(out, (16, 10), msg("output shape"), msg("one score per digit class: (N, 10)"))
        expect(torch.allclose(out, _classifier_reference(linears, x), atol=1e-6),
               msg("after model.eval() the output still changes: dropout is still on"),
               msg("F.dropout does not know the module's mode: pass training=self.training, or use an "
                   "nn.Dropout(0.5) module, which model.eval() switches off"))
        module.train()
        expect(not torch.equal(call(module, x), call(module, x)),
               msg("in train() mode two calls give the same output: the dropout is gone"),
               msg("keep the dropout for training: F.dropout(x, p=0.5, training=self.training)"))


# --------------------------------------------------------------------------- 1.5: fix the training loop


def _loop_data():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    inputs = torch.randn(64, 2)
    labels = (inputs[:, 0] * inputs[:, 1] > 0).long()
    return model, inputs, labels


def _reference_losses(model: nn.Module, inputs, labels, steps: int, zero_grad: bool = True) -> list[float]:
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(inputs), labels)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _loop_failure(error: Exception) -> CheckFailed:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    message = msg("your function raised {error_type}: {error}", error_type=type(error).__name__, error=text)
    if "Boolean value of Tensor" in text:
        return CheckFailed(message, msg("nn.CrossEntropyLoss is the class: calling it builds a new loss object "
                                        "with your tensors as its settings; create the loss once, "
                                        "loss_fn = nn.CrossEntropyLoss(), then call loss_fn(logits, labels)"))
    if "target dtype" in text or "Expected floating point type for target" in text:
        return CheckFailed(message, msg("CrossEntropyLoss wants class indices of dtype int64 (long): pass labels "
                                        "as they are, not labels.float()"))
    return CheckFailed(message, msg("run it on the example above and read the error message"))


def _is_number(value) -> bool:
    if isinstance(value, torch.Tensor):
        return value.numel() == 1 and value.is_floating_point()
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_losses(value, steps: int) -> list[float]:
    """The losses as floats: a list or tuple of numbers or one-element tensors, or a 1-D tensor."""
    if isinstance(value, torch.Tensor) and value.dim() == 1:
        value = list(value.detach())
    if not isinstance(value, (list, tuple)) or not all(_is_number(v) for v in value):
        raise CheckFailed(msg("train should return a list of {steps} losses (numbers), got {value}",
                              steps=steps, value=shown(value)),
                          msg("append loss.item() to a list in every step and return the list"))
    if len(value) != steps:
        raise CheckFailed(msg("train(..., steps={steps}) returned {count} losses", steps=steps, count=len(value)),
                          msg("one loss per step: append loss.item() once inside the loop"))
    return [float(v) for v in value]


@exercise("1.5", expects="a function train(model, inputs, labels, steps) that returns a list of losses")
def exercise_1_5(train) -> None:
    """The fixed ``train``: SGD(lr=0.5) on ``model.parameters()``, CrossEntropyLoss, zero_grad/backward/step."""
    steps = 20
    model, inputs, labels = _loop_data()
    start = copy.deepcopy(model.state_dict())
    twin = copy.deepcopy(model)
    if train is Ellipsis:
        raise NotAttempted
    try:
        result = train(model, inputs, labels, steps)
    except Exception as error:
        if is_placeholder(error):
            raise NotAttempted from None
        raise _loop_failure(error) from None
    losses = _as_losses(result, steps)
    unchanged = all(torch.equal(p, start[name]) for name, p in model.state_dict().items())
    expect(not unchanged, msg("after training, the model's parameters are exactly as before"),
           msg("the optimizer updates only the parameters it was built on: "
               "torch.optim.SGD(model.parameters(), lr=0.5)"))
    reference = _reference_losses(twin, inputs, labels, steps)
    if not torch.allclose(torch.tensor(losses), torch.tensor(reference), atol=1e-5):
        model2, inputs2, labels2 = _loop_data()
        piling_up = _reference_losses(model2, inputs2, labels2, steps, zero_grad=False)
        if torch.allclose(torch.tensor(losses), torch.tensor(piling_up), atol=1e-5):
            raise CheckFailed(msg("the losses are those of a loop whose gradients pile up from step to step"),
                              msg("backward() adds to .grad: call optimizer.zero_grad() in every step"))
        raise CheckFailed(msg("the losses differ from those of a correct loop (first {mine:.4f}, expected "
                              "{expected:.4f}; last {last:.4f}, expected {expected_last:.4f})",
                              mine=losses[0], expected=reference[0], last=losses[-1], expected_last=reference[-1]),
                          msg("each step: loss = loss_fn(model(inputs), labels), optimizer.zero_grad(), "
                              "loss.backward(), optimizer.step(); SGD with lr=0.5"))
