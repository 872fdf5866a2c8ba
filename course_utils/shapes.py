"""Shape tracing: what goes into and comes out of every layer, without editing ``forward``.

Tutorials often put ``print(x.shape)`` inside ``forward``. That edits the model,
prints on every call (also during training) and has to be removed again.
Forward hooks do the same from the outside::

    >>> table = trace_shapes(model, torch.zeros(1, 3, 64, 64))
    >>> print(table)            # or just `table` as the last line of a Jupyter cell

``trace_shapes`` runs the model once, records one row per call of a leaf module
(a module without children) and removes its hooks again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch
from torch import nn

from . import _validate

__all__ = ["ShapeRow", "ShapeTable", "ShapeTraceError", "trace_shapes", "describe_shape"]


def describe_shape(value) -> str:
    """A short text for a value flowing through a model: ``(2, 3, 8, 8)`` for a tensor.

    Tuples and lists are shown element by element in brackets (an LSTM returns
    ``output, (h_n, c_n)``, shown as ``(7, 3, 20), [(2, 3, 20), (2, 3, 20)]``
    at the top level). A ``PackedSequence`` is shown by its ``data`` shape.
    """
    if isinstance(value, torch.Tensor):
        return "(" + ", ".join(str(size) for size in value.shape) + ")" if value.dim() else "scalar"
    if isinstance(value, nn.utils.rnn.PackedSequence):
        return f"packed{describe_shape(value.data)}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(describe_shape(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {describe_shape(item)}" for key, item in value.items()) + "}"
    if value is None:
        return "None"
    return type(value).__name__


def _describe_top(values) -> str:
    """Top-level arguments or outputs: a tuple is listed without outer brackets."""
    if isinstance(values, tuple) and not isinstance(values, nn.utils.rnn.PackedSequence):
        return ", ".join(describe_shape(value) for value in values)
    return describe_shape(values)


@dataclass
class ShapeRow:
    """One call of one module: its dotted name, type, shapes and parameter count."""

    name: str
    type: str
    input_shapes: str
    output_shapes: str
    params: int
    call: int = 1

    @property
    def label(self) -> str:
        return self.name if self.call == 1 else f"{self.name} (call {self.call})"


class ShapeTable:
    """The result of :func:`trace_shapes`: rows of :class:`ShapeRow`, printable and HTML-renderable."""

    columns = ("layer", "type", "input", "output", "params")

    def __init__(self, model_name: str, rows: list[ShapeRow], total_params: int, trainable_params: int):
        self.model_name = model_name
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key):
        """Index by position, or by layer name (first call of that layer)."""
        if isinstance(key, str):
            for row in self.rows:
                if row.name == key:
                    return row
            raise KeyError(f"no layer named {key!r}; layers are: {', '.join(r.name for r in self.rows)}")
        return self.rows[key]

    def _cells(self) -> list[tuple[str, ...]]:
        return [
            (row.label, row.type, row.input_shapes, row.output_shapes, f"{row.params:,}" if row.params else "–")
            for row in self.rows
        ]

    def _footer(self) -> str:
        text = f"{self.model_name}: {self.total_params:,} parameters"
        if self.trainable_params != self.total_params:
            text += f" ({self.trainable_params:,} trainable)"
        return text

    def __str__(self) -> str:
        body = [self.columns, *self._cells()]
        widths = [max(len(line[i]) for line in body) for i in range(len(self.columns))]

        def fmt(line):
            # Parameter counts read best right-aligned, everything else left-aligned.
            return "  ".join(
                cell.rjust(width) if i == len(widths) - 1 else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(line, widths))
            ).rstrip()

        rule = "-" * len(fmt(body[0]))
        return "\n".join([fmt(body[0]), rule, *(fmt(line) for line in body[1:]), rule, self._footer()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{name}</th>" for name in self.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td><code>{html.escape(cell)}</code></td>" for cell in line) + "</tr>"
            for line in self._cells()
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{html.escape(self._footer())}</p>"
        )


class ShapeTraceError(RuntimeError):
    """The model raised while being traced; says in which layer, with which input shapes.

    ``table`` holds the rows recorded before the failure, ``layer`` the failing row's
    name and the original exception is chained as ``__cause__``.
    """

    def __init__(self, message: str, table: ShapeTable, layer: str | None):
        super().__init__(message)
        self.table = table
        self.layer = layer


def _modules_to_trace(model: nn.Module, depth: int | None):
    """Leaf modules, or (with ``depth``) modules ``depth`` levels below the model."""
    for name, module in model.named_modules():
        level = 0 if name == "" else name.count(".") + 1
        is_leaf = next(module.children(), None) is None
        if depth is None:
            if is_leaf and name != "":
                yield name, module
        elif level == depth or (is_leaf and 0 < level < depth):
            yield name, module


def trace_shapes(model: nn.Module, *inputs, depth: int | None = None, train: bool = False, **kwargs) -> ShapeTable:
    """Run ``model(*inputs, **kwargs)`` once and tabulate every layer's input and output shapes.

    Args:
        model: any ``nn.Module``. It is not modified: its hooks are removed
            afterwards and its train/eval mode is restored.
        *inputs: positional inputs of ``model.forward`` (tensors or anything else).
        depth: ``None`` (default) lists every leaf module; ``1`` lists only the
            model's direct children (e.g. the four stages of a ResNet), ``2`` their
            children, and so on. Parameter counts then include sub-modules.
        train: run in training mode. By default the model runs in eval mode, so
            BatchNorm statistics are not updated and Dropout is off.
        **kwargs: keyword inputs of ``model.forward``.

    Returns:
        A :class:`ShapeTable`, one :class:`ShapeRow` per module call, in call
        order. A module called twice gets two rows (``call`` 1 and 2).

    Raises:
        ShapeTraceError: if the model raises; the message names the layer that
            failed and the shapes it was given, and the original error is chained.

    Shape:
        - inputs: whatever ``model`` accepts.
        - rows: tuples (e.g. an LSTM's ``output, (h_n, c_n)``) are shown element by element.
    """
    _validate.module("model", model, expected="an nn.Module (a layer or a network)")
    if not inputs and not kwargs:
        raise ValueError("trace_shapes needs an input to run the model on, "
                         "e.g. trace_shapes(model, torch.zeros(1, 3, 32, 32))")
    if depth is not None:
        depth = _validate.positive_int("depth", depth)
    _validate.boolean("train", train)
    targets = list(_modules_to_trace(model, depth)) or [(type(model).__name__, model)]  # [] for a single layer
    recorder = _Recorder()
    unique = {id(p): p for p in model.parameters()}.values()
    table = ShapeTable(type(model).__name__, recorder.rows, total_params=sum(p.numel() for p in unique),
                       trainable_params=sum(p.numel() for p in unique if p.requires_grad))
    handles = [recorder.attach(name, module) for name, module in targets]
    was_training = model.training
    try:
        model.train(train)
        with torch.no_grad():
            model(*inputs, **kwargs)
    except Exception as error:
        raise recorder.failure(model, error, table) from error
    finally:
        for pre, post in handles:
            pre.remove()
            post.remove()
        model.train(was_training)
    return table


class _Recorder:
    """Forward hooks that record one :class:`ShapeRow` per call of the modules they are attached to."""

    def __init__(self):
        self.rows: list[ShapeRow] = []
        self.calls: dict[str, int] = {}
        self.running: list[tuple[str, nn.Module, str]] = []  # modules entered but not yet returned

    def attach(self, name: str, module: nn.Module):
        """Hook ``module``; returns the two handles to remove afterwards."""

        def before(module, args, kwargs):
            everything = args + tuple(kwargs.values()) if kwargs else args
            self.running.append((name, module, _describe_top(everything)))

        def after(module, args, kwargs, output):
            _, _, described_inputs = self.running.pop()
            self.calls[name] = self.calls.get(name, 0) + 1
            self.rows.append(ShapeRow(name=name, type=type(module).__name__, input_shapes=described_inputs,
                                      output_shapes=_describe_top(output),
                                      params=sum(p.numel() for p in module.parameters()), call=self.calls[name]))

        return (module.register_forward_pre_hook(before, with_kwargs=True),
                module.register_forward_hook(after, with_kwargs=True))

    def failure(self, model: nn.Module, error: Exception, table: ShapeTable) -> ShapeTraceError:
        """The error to raise when ``model`` failed: in the innermost layer still running, if any."""
        if self.running:
            name, module, described = self.running[-1]
            where = f"in layer '{name}' ({type(module).__name__}), which was given {described}"
        else:
            name = None
            where = f"outside its layers (in {type(model).__name__}.forward itself)"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return ShapeTraceError(f"{type(model).__name__} failed {where}: {type(error).__name__}: {first_line}",
                               table, name)
