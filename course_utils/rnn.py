"""RNN, GRU and LSTM computed step by step, from the modules' own parameters.

Three single-step cells, written with nothing but matrix products and
element-wise functions, and :func:`run_rnn`, which loops them over time,
directions and layers to reproduce exactly what ``nn.RNN``, ``nn.GRU`` and
``nn.LSTM`` return — without calling the module or any of torch's recurrent
kernels (``torch._VF.rnn_tanh``, ``torch.lstm_cell``, ...).

Conventions (those of the PyTorch documentation):

- ``I`` input features, ``H`` hidden size, ``P`` projection size (LSTM only;
  ``H_out = P`` if ``P > 0`` else ``H``), ``N`` batch size, ``L`` sequence
  length, ``D`` = 2 if bidirectional else 1.
- Gates are stacked along dim 0 of ``weight_ih``/``weight_hh``/the biases:
  GRU ``(r, z, n)``, LSTM ``(i, f, g, o)``. ``tensor.chunk(G, 0)`` splits them.
- :math:`W x` means ``x @ W.T`` (row vectors, a batch of them at once).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from . import _validate

__all__ = ["rnn_cell", "gru_cell", "lstm_cell", "run_rnn", "GATES"]

#: Gate names in the order PyTorch stacks them in ``weight_ih``/``weight_hh``.
GATES = {"RNN": ("h",), "GRU": ("r", "z", "n"), "LSTM": ("i", "f", "g", "o")}

_NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu}


# --------------------------------------------------------------------------
# single steps (no argument checks: run_rnn calls these L·D·layers times)
# --------------------------------------------------------------------------

def _affine(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    out = x @ weight.T
    return out if bias is None else out + bias


def _rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity):
    return _NONLINEARITIES[nonlinearity](_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh))


def _gru_step(x, h, w_ih, w_hh, b_ih, b_hh, reset_after=True):
    x_r, x_z, x_n = _affine(x, w_ih, b_ih).chunk(3, dim=-1)
    if reset_after:
        h_r, h_z, h_n = _affine(h, w_hh, b_hh).chunk(3, dim=-1)
    else:  # only the r and z rows can be applied to h before r is known
        w_hr, w_hz, w_hn = w_hh.chunk(3, dim=0)
        b_hr, b_hz, b_hn = (None,) * 3 if b_hh is None else b_hh.chunk(3, dim=0)
        h_r, h_z = _affine(h, w_hr, b_hr), _affine(h, w_hz, b_hz)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    if reset_after:
        n = torch.tanh(x_n + r * h_n)
    else:
        n = torch.tanh(x_n + _affine(r * h, w_hn, b_hn))
    return (1 - z) * n + z * h


def _lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr):
    gates = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, dim=-1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_next = torch.sigmoid(o) * torch.tanh(c_next)
    if w_hr is not None:
        h_next = h_next @ w_hr.T
    return h_next, c_next


# --------------------------------------------------------------------------
# argument checks of the public cells: the weights define the cell (as a
# module's parameters do), the input and the states must fit them
# --------------------------------------------------------------------------

_STATE_LABELS = {"hx": "hx", "hx[0]": "hx[0] (the hidden state h)", "hx[1]": "hx[1] (the cell state c)"}


def _check_cell(gates: int, input, states: dict, weight_ih, weight_hh, bias_ih, bias_hh,
                weight_hr=None) -> None:
    """Check a cell's arguments once; ``states`` maps ``"hx"`` (or ``"hx[0]"``, ``"hx[1]"``) to tensors."""
    _validate.tensor("input", input)
    if input.dim() not in (1, 2):
        raise ValueError(f"input must be 1-D (I,) or 2-D (N, I), got shape {tuple(input.shape)}; "
                         "a cell takes one time step — loop over time or use run_rnn for a sequence")
    for name, state in states.items():
        _validate.tensor(_STATE_LABELS[name], state)
        if state.dim() != input.dim() or (input.dim() == 2 and state.shape[0] != input.shape[0]):
            raise ValueError(f"{_STATE_LABELS[name]} must have the same batch layout as input: "
                             f"input {tuple(input.shape)}, {name} {tuple(state.shape)}")
    weights = dict(weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih, bias_hh=bias_hh,
                   weight_hr=weight_hr)
    for name, weight in weights.items():
        if weight is not None or name in ("weight_ih", "weight_hh"):
            _validate.tensor(name, weight, ndim=1 if name.startswith("bias") else 2)
    _validate.same_dtype(**weights, input=input, **states)  # weights first: the fix converts the others
    _validate.same_device(**weights, input=input, **states)
    _check_cell_shapes(gates, input, states, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)


def _check_cell_shapes(gates, input, states, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) -> None:
    """H comes from weight_ih (G·H rows), H_out from weight_hh; input and states must match them."""
    state_h = states.get("hx[1]", states.get("hx")).shape[-1]  # only to say what was expected
    rows, features = weight_ih.shape
    if rows == 0 or rows % gates != 0:
        raise ValueError(f"weight_ih must have shape ({gates}·H, I) = {(gates * state_h, input.shape[-1])} "
                         f"for input {tuple(input.shape)} and hidden size H={state_h}, got {tuple(weight_ih.shape)}")
    hidden = rows // gates
    hidden_out = weight_hr.shape[0] if weight_hr is not None else hidden
    if weight_hr is not None and weight_hr.shape[1] != hidden:
        raise ValueError(f"weight_hr must have shape (P, H) = {(weight_hh.shape[1], hidden)}, "
                         f"got {tuple(weight_hr.shape)}")
    if weight_hh.shape != (rows, hidden_out):
        differ = "hx[1]" in states and states["hx[0]"].shape[-1] != states["hx[1]"].shape[-1]
        projection = "; h and c differ in size only with a projection — pass weight_hr" if differ else ""
        raise ValueError(f"weight_hh must have shape ({gates}·H, H_out) = {(rows, hidden_out)} for weight_ih of "
                         f"shape {tuple(weight_ih.shape)}, got {tuple(weight_hh.shape)}{projection}")
    for name, bias in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if bias is not None and bias.shape != (rows,):
            raise ValueError(f"{name} must have shape ({rows},), got {tuple(bias.shape)}")
    if input.shape[-1] != features:
        raise ValueError(f"input must have I = weight_ih.shape[1] = {features} features in its last dim, "
                         f"got shape {tuple(input.shape)}")
    expected = {"hx": hidden, "hx[0]": hidden_out, "hx[1]": hidden}
    for name, state in states.items():
        if state.shape[-1] != expected[name]:
            size = "H_out" if name == "hx[0]" and weight_hr is not None else "H"
            raise ValueError(f"{_STATE_LABELS[name]} must have {size} = {expected[name]} features in its last "
                             f"dim, as the weights say (weight_ih {tuple(weight_ih.shape)}, weight_hh "
                             f"{tuple(weight_hh.shape)}), got shape {tuple(state.shape)}")


# --------------------------------------------------------------------------
# public cells
# --------------------------------------------------------------------------

def rnn_cell(input: Tensor, hx: Tensor, weight_ih: Tensor, weight_hh: Tensor,
             bias_ih: Tensor | None = None, bias_hh: Tensor | None = None,
             nonlinearity: str = "tanh") -> Tensor:
    r"""One time step of an Elman RNN, as ``nn.RNN``/``nn.RNNCell`` compute it.

    .. math::
        h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})

    With ``nonlinearity="relu"``, :math:`\tanh` becomes :math:`\max(0, \cdot)`.

    Args:
        input: the input at this time step, :math:`x`.
        hx: the previous hidden state, :math:`h`.
        weight_ih, weight_hh, bias_ih, bias_hh: e.g. a module's ``weight_ih_l0``,
            ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``. Biases may be ``None``.
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Returns:
        The next hidden state :math:`h'`.

    Shape:
        - input: :math:`(N, I)` or :math:`(I)`
        - hx: :math:`(N, H)` or :math:`(H)`
        - weight_ih: :math:`(H, I)`, weight_hh: :math:`(H, H)`, biases: :math:`(H)`
        - Output: same as ``hx``.
    """
    _validate.one_of("nonlinearity", nonlinearity, tuple(_NONLINEARITIES))
    _check_cell(1, input, {"hx": hx}, weight_ih, weight_hh, bias_ih, bias_hh)
    return _rnn_step(input, hx, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)


def gru_cell(input: Tensor, hx: Tensor, weight_ih: Tensor, weight_hh: Tensor,
             bias_ih: Tensor | None = None, bias_hh: Tensor | None = None,
             reset_after: bool = True) -> Tensor:
    r"""One time step of a GRU, as ``nn.GRU``/``nn.GRUCell`` compute it.

    .. math::
        \begin{aligned}
        r  &= \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}) \\
        z  &= \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}) \\
        n  &= \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})) \\
        h' &= (1 - z) \odot n + z \odot h
        \end{aligned}

    The rows of ``weight_ih``/``weight_hh`` (and the biases) are the gates
    ``r, z, n`` stacked in that order.

    ``reset_after=False`` gives the GRU of Cho et al. (2014) instead, where the
    reset gate acts on :math:`h` *before* the matrix:
    :math:`n = \tanh(W_{in} x + b_{in} + W_{hn} (r \odot h) + b_{hn})`.
    PyTorch (like cuDNN) applies it after, so that :math:`W_{hh} h` for all
    three gates is a single matrix product; the two give different results
    with the same weights.

    Args:
        input: the input at this time step, :math:`x`.
        hx: the previous hidden state, :math:`h`.
        weight_ih, weight_hh, bias_ih, bias_hh: e.g. a module's ``weight_ih_l0``
            etc. Biases may be ``None``.
        reset_after: ``True`` (PyTorch's GRU) or ``False`` (Cho et al.).

    Returns:
        The next hidden state :math:`h'`.

    Shape:
        - input: :math:`(N, I)` or :math:`(I)`
        - hx: :math:`(N, H)` or :math:`(H)`
        - weight_ih: :math:`(3H, I)`, weight_hh: :math:`(3H, H)`, biases: :math:`(3H)`
        - Output: same as ``hx``.
    """
    _validate.boolean("reset_after", reset_after)
    _check_cell(3, input, {"hx": hx}, weight_ih, weight_hh, bias_ih, bias_hh)
    return _gru_step(input, hx, weight_ih, weight_hh, bias_ih, bias_hh, reset_after)


def lstm_cell(input: Tensor, hx: tuple[Tensor, Tensor], weight_ih: Tensor, weight_hh: Tensor,
              bias_ih: Tensor | None = None, bias_hh: Tensor | None = None,
              weight_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    r"""One time step of an LSTM, as ``nn.LSTM``/``nn.LSTMCell`` compute it.

    .. math::
        \begin{aligned}
        i  &= \sigma(W_{ii} x + b_{ii} + W_{hi} h + b_{hi}) \\
        f  &= \sigma(W_{if} x + b_{if} + W_{hf} h + b_{hf}) \\
        g  &= \tanh(W_{ig} x + b_{ig} + W_{hg} h + b_{hg}) \\
        o  &= \sigma(W_{io} x + b_{io} + W_{ho} h + b_{ho}) \\
        c' &= f \odot c + i \odot g \\
        h' &= o \odot \tanh(c')
        \end{aligned}

    With a projection (``nn.LSTM(..., proj_size=P)``) the hidden state is
    shrunk to :math:`P` features afterwards: :math:`h' \leftarrow W_{hr} h'`;
    the cell state keeps :math:`H` features.

    Args:
        input: the input at this time step, :math:`x`.
        hx: the pair ``(h, c)`` of previous hidden and cell states.
        weight_ih, weight_hh, bias_ih, bias_hh: e.g. a module's ``weight_ih_l0``
            etc.; rows stacked in the gate order ``i, f, g, o``. Biases may be ``None``.
        weight_hr: the projection ``weight_hr_l0``, or ``None``.

    Returns:
        The pair ``(h', c')``.

    Shape:
        - input: :math:`(N, I)` or :math:`(I)`
        - hx: ``h`` :math:`(N, H_{out})`, ``c`` :math:`(N, H)` (or without :math:`N`),
          where :math:`H_{out} = P` with a projection, else :math:`H`
        - weight_ih: :math:`(4H, I)`, weight_hh: :math:`(4H, H_{out})`,
          biases: :math:`(4H)`, weight_hr: :math:`(P, H)`
        - Output: ``h'`` like ``h``, ``c'`` like ``c``.
    """
    if not isinstance(hx, (tuple, list)):
        raise TypeError(f"hx must be a pair (h, c) of tensors, got {_validate.describe(hx)}")
    if len(hx) != 2:
        raise ValueError(f"hx must be a pair (h, c) of tensors, got {len(hx)} items")
    h, c = hx
    _check_cell(4, input, {"hx[0]": h, "hx[1]": c}, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)
    return _lstm_step(input, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)


# --------------------------------------------------------------------------
# the whole module
# --------------------------------------------------------------------------

_SUPPORTED = (nn.RNN, nn.GRU, nn.LSTM)


def _check_module(module) -> None:
    if isinstance(module, nn.RNNCellBase):
        raise TypeError(
            f"module must be an nn.RNN, nn.GRU or nn.LSTM, got the single-step {type(module).__name__}; "
            "for one step use rnn_cell/gru_cell/lstm_cell with its weight_ih, weight_hh, bias_ih, bias_hh"
        )
    _validate.module("module", module, _SUPPORTED, "an nn.RNN, nn.GRU or nn.LSTM")
    if module.training and module.dropout > 0 and module.num_layers > 1:
        raise ValueError(
            f"module has dropout={module.dropout} between its {module.num_layers} layers and is in "
            "training mode, where PyTorch draws random dropout masks that run_rnn cannot reproduce; "
            "call module.eval() first (dropout is then off) or build it with dropout=0"
        )


def _check_input(module, input) -> None:
    if isinstance(input, PackedSequence):
        raise TypeError(
            "input is a PackedSequence, which run_rnn does not support; unpack it with "
            "pad_packed_sequence and run the padded tensor, or run each sequence on its own"
        )
    layout = "(N, L, I)" if module.batch_first else "(L, N, I)"
    _validate.tensor("input", input, ndim=(3, 2), layout=f"{layout} or unbatched (L, I)")
    if input.shape[-1] != module.input_size:
        raise ValueError(
            f"input must have module.input_size={module.input_size} features in its last dim, "
            f"got shape {tuple(input.shape)} (last dim {input.shape[-1]})"
        )
    # weights first, so that the fix converts the input: input.to(module.weight_ih_l0.dtype)
    _validate.same_dtype(**{"module.weight_ih_l0": module.weight_ih_l0, "input": input})
    _validate.same_device(**{"module.weight_ih_l0": module.weight_ih_l0, "input": input})
    steps = input.shape[1] if input.dim() == 3 and module.batch_first else input.shape[0]
    if steps == 0:
        raise ValueError(f"input must have at least one time step, got shape {tuple(input.shape)}")


def _sequence_first(module, input: Tensor) -> tuple[Tensor, bool]:
    """``input`` as ``(L, N, I)``, so that ``x[t]`` is time step t of the whole batch; and was it batched."""
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(1)  # (L, 1, I): unbatched is a batch of one
    return (x.transpose(0, 1) if batched and module.batch_first else x), batched


def _split_state(module, hx) -> dict:
    """``hx`` as ``{name: tensor}``: ``{"hx": h_0}``, or ``{"hx[0]": h_0, "hx[1]": c_0}`` for an LSTM."""
    if module.mode == "LSTM":
        if not isinstance(hx, (tuple, list)):
            raise TypeError(f"hx of nn.LSTM must be a pair (h_0, c_0), got {type(hx).__name__}")
        if len(hx) != 2:
            raise ValueError(f"hx of nn.LSTM must be a pair (h_0, c_0), got {len(hx)} items")
        return {"hx[0]": hx[0], "hx[1]": hx[1]}
    if isinstance(hx, (tuple, list)):
        raise TypeError(
            f"hx of nn.{type(module).__name__} must be a tensor h_0, not a {type(hx).__name__} "
            "(only nn.LSTM takes a pair (h_0, c_0))"
        )
    return {"hx": hx}


def _initial_state(module, hx, x: Tensor, batched: bool) -> tuple[Tensor, Tensor | None]:
    """``h_0`` (and ``c_0`` for an LSTM): zeros if ``hx`` is None, else ``hx`` once checked."""
    is_lstm = module.mode == "LSTM"
    layers, batch = (2 if module.bidirectional else 1) * module.num_layers, x.shape[1]
    h_out = module.proj_size if is_lstm and module.proj_size > 0 else module.hidden_size
    shapes = {"hx": (layers, batch, h_out), "hx[0]": (layers, batch, h_out),
              "hx[1]": (layers, batch, module.hidden_size)}
    if hx is None:
        return x.new_zeros(shapes["hx"]), (x.new_zeros(shapes["hx[1]"]) if is_lstm else None)
    states = _split_state(module, hx)
    for name, state in states.items():
        _check_state(name, state, shapes[name] if batched else (layers, shapes[name][2]), batched)
    _validate.same_dtype(**{"module.weight_ih_l0": module.weight_ih_l0}, **states)
    _validate.same_device(**{"module.weight_ih_l0": module.weight_ih_l0}, **states)
    states = [state if batched else state.unsqueeze(1) for state in states.values()]  # N = 1 if unbatched
    return states[0], (states[1] if is_lstm else None)


_STATE_NAMES = {"hx": ("hx", "H_out"), "hx[0]": ("hx[0] (h_0)", "H_out"), "hx[1]": ("hx[1] (c_0)", "H")}


def _check_state(name: str, state, expected: tuple, batched: bool) -> None:
    label, features = _STATE_NAMES[name]
    _validate.tensor(label, state)
    if state.shape != expected:
        layout = f"(D·num_layers, N, {features})" if batched else \
            f"(D·num_layers, {features}) for unbatched 2-D input"
        raise ValueError(
            f"{label} must have shape {layout} = {tuple(expected)}, got {tuple(state.shape)}; "
            "note that h_n/c_n are never batch-first, even with batch_first=True"
        )


def _layer_weights(module, layer: int, direction: int):
    suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
    get = lambda name: getattr(module, name + suffix, None)  # noqa: E731
    w_hr = get("weight_hr") if module.mode == "LSTM" and module.proj_size > 0 else None
    if module.bias:
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), w_hr
    return get("weight_ih"), get("weight_hh"), None, None, w_hr


def _cell_step(mode: str):
    """One time step of the module's kind, as ``(h, c) = step(x, h, c, *weights)``; c is None except for LSTM."""
    if mode == "LSTM":
        return _lstm_step
    if mode == "GRU":
        return lambda x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr: (_gru_step(x, h, w_ih, w_hh, b_ih, b_hh), None)
    nonlinearity = "relu" if mode == "RNN_RELU" else "tanh"
    return lambda x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr: (
        _rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity), None)


def _run_direction(module, x: Tensor, layer: int, direction: int, h: Tensor, c: Tensor | None):
    """One layer read in one direction: outputs ``(L, N, H_out)`` and the final ``h`` (and ``c``)."""
    step, weights = _cell_step(module.mode), _layer_weights(module, layer, direction)
    length = x.shape[0]
    out = [None] * length
    for t in (reversed(range(length)) if direction == 1 else range(length)):
        h, c = step(x[t], h, c, *weights)
        out[t] = h
    return torch.stack(out), h, c


def _run_layers(module, x: Tensor, h0: Tensor, c0: Tensor | None):
    """Every layer and direction; returns ``output`` ``(L, N, D·H_out)``, ``h_n`` and ``c_n`` (or None)."""
    directions = 2 if module.bidirectional else 1
    h_n, c_n = [], []
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            k = layer * directions + direction
            out, h, c = _run_direction(module, x, layer, direction, h0[k], None if c0 is None else c0[k])
            outputs.append(out)
            h_n.append(h)
            c_n.append(c)
        x = torch.cat(outputs, dim=2)  # (L, N, D·H_out): the next layer's input
    return x, torch.stack(h_n), (None if c0 is None else torch.stack(c_n))


def _as_module_returns(module, output: Tensor, h_n: Tensor, c_n: Tensor | None, batched: bool):
    """Undo :func:`_sequence_first` and pack the results as the module does."""
    if not batched:
        output, h_n = output.squeeze(1), h_n.squeeze(1)
        c_n = None if c_n is None else c_n.squeeze(1)
    elif module.batch_first:
        output = output.transpose(0, 1)
    return (output, (h_n, c_n)) if module.mode == "LSTM" else (output, h_n)


def run_rnn(module: nn.Module, input: Tensor, hx=None):
    r"""Compute ``module(input, hx)`` for an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``, step by step.

    The loop uses only the module's parameters (``weight_ih_l{k}``,
    ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, ``weight_hr_l{k}``
    and their ``_reverse`` twins) and :func:`rnn_cell`, :func:`gru_cell`,
    :func:`lstm_cell`; it never calls the module or torch's recurrent kernels.
    Every option is honoured: ``nonlinearity``, ``num_layers``,
    ``bidirectional``, ``batch_first``, ``bias``, ``proj_size``, unbatched
    (2-D) input, and a given or default (zero) initial state. It is
    differentiable, like the module.

    For each layer and direction::

        h = h_0[layer·D + direction]
        for t in (0, 1, …, L−1)  (reversed for direction 1):
            h = cell(x[t], h)
            output_direction[t] = h
        h_n[layer·D + direction] = h
        next layer's x = concatenation of the directions' outputs (feature dim)

    Dropout: ``nn.RNN``/``GRU``/``LSTM(dropout=p)`` drops a random part of
    each layer's output (except the last) *in training mode only*. Those
    masks come from torch's random generator inside the kernel and cannot be
    reproduced, so run_rnn raises a ``ValueError`` for a module in training
    mode with ``dropout > 0`` and more than one layer, rather than silently
    returning something different. In eval mode (``module.eval()``) or with
    ``dropout=0`` the results are equal.

    Args:
        module: an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``.
        input: a tensor (``PackedSequence`` is not supported: pad it with
            ``pad_packed_sequence`` or run each sequence on its own).
        hx: ``None`` (zeros), the initial hidden state ``h_0`` (RNN, GRU) or
            the pair ``(h_0, c_0)`` (LSTM).

    Returns:
        ``(output, h_n)`` for RNN and GRU, ``(output, (h_n, c_n))`` for LSTM —
        the same structure, shapes and (up to rounding) values as the module.

    Shape:
        - input: :math:`(L, N, I)`, or :math:`(N, L, I)` if ``batch_first``,
          or unbatched :math:`(L, I)`.
        - h_0, h_n: :math:`(D \cdot \text{num\_layers}, N, H_{out})`, or
          :math:`(D \cdot \text{num\_layers}, H_{out})` unbatched — never batch-first.
        - c_0, c_n (LSTM): :math:`(D \cdot \text{num\_layers}, N, H)`, or without :math:`N`.
        - output: :math:`(L, N, D \cdot H_{out})`, :math:`(N, L, D \cdot H_{out})`
          if ``batch_first``, or :math:`(L, D \cdot H_{out})` unbatched.

        :math:`D = 2` if bidirectional else 1; :math:`H_{out} = P` for an LSTM
        with ``proj_size=P > 0``, else :math:`H`.

    Example::

        >>> lstm = nn.LSTM(10, 20, num_layers=2, bidirectional=True, batch_first=True)
        >>> x = torch.randn(3, 7, 10)
        >>> out, (h_n, c_n) = run_rnn(lstm, x)
        >>> out.shape, h_n.shape, c_n.shape
        (torch.Size([3, 7, 40]), torch.Size([4, 3, 20]), torch.Size([4, 3, 20]))
    """
    _check_module(module)
    _check_input(module, input)
    x, batched = _sequence_first(module, input)  # (L, N, I)
    h0, c0 = _initial_state(module, hx, x, batched)  # (D·num_layers, N, H_out); c0 only for an LSTM
    output, h_n, c_n = _run_layers(module, x, h0, c0)
    return _as_module_returns(module, output, h_n, c_n, batched)
