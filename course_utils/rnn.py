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
# argument checks of the public cells
# --------------------------------------------------------------------------

def _shape(t) -> tuple:
    return tuple(t.shape)


def _check_tensor(name: str, value) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")


def _check_cell_args(kind, gates, input, h, weight_ih, weight_hh, bias_ih, bias_hh, hidden_size=None):
    for name, value in (("input", input), ("hx", h), ("weight_ih", weight_ih), ("weight_hh", weight_hh)):
        _check_tensor(name, value)
    for name, value in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if value is not None:
            _check_tensor(name, value)
    if input.dim() not in (1, 2):
        raise ValueError(
            f"{kind}: input must be 1-D (I,) or 2-D (N, I), got shape {_shape(input)}; "
            "a cell takes one time step — loop over time or use run_rnn for a sequence"
        )
    if h.dim() != input.dim() or (input.dim() == 2 and h.shape[0] != input.shape[0]):
        raise ValueError(
            f"{kind}: hx must have the same batch layout as input: input {_shape(input)}, hx {_shape(h)}"
        )
    H = h.shape[-1] if hidden_size is None else hidden_size
    if weight_ih.dim() != 2 or weight_ih.shape != (gates * H, input.shape[-1]):
        raise ValueError(
            f"{kind}: weight_ih must have shape ({gates}·H, I) = {(gates * H, input.shape[-1])} "
            f"for input {_shape(input)} and hidden size H={H}, got {_shape(weight_ih)}"
        )
    if weight_hh.dim() != 2 or weight_hh.shape != (gates * H, h.shape[-1]):
        raise ValueError(
            f"{kind}: weight_hh must have shape ({gates}·H, H_out) = {(gates * H, h.shape[-1])}, "
            f"got {_shape(weight_hh)}"
        )
    for name, bias in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if bias is not None and bias.shape != (gates * H,):
            raise ValueError(f"{kind}: {name} must have shape ({gates * H},), got {_shape(bias)}")


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
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    _check_cell_args("rnn_cell", 1, input, hx, weight_ih, weight_hh, bias_ih, bias_hh)
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
    if not isinstance(reset_after, bool):
        raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
    _check_cell_args("gru_cell", 3, input, hx, weight_ih, weight_hh, bias_ih, bias_hh)
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
    if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
        raise TypeError(f"lstm_cell: hx must be a pair (h, c) of tensors, got {type(hx).__name__}")
    h, c = hx
    _check_tensor("hx[1] (the cell state c)", c)
    _check_tensor("hx[0] (the hidden state h)", h)
    H = c.shape[-1]
    _check_cell_args("lstm_cell", 4, input, h, weight_ih, weight_hh, bias_ih, bias_hh, hidden_size=H)
    if weight_hr is not None:
        _check_tensor("weight_hr", weight_hr)
    if c.shape[:-1] != h.shape[:-1]:
        raise ValueError(f"lstm_cell: h {_shape(h)} and c {_shape(c)} must have the same batch size")
    expected_hr = (h.shape[-1], H)
    if weight_hr is None and h.shape[-1] != H:
        raise ValueError(
            f"lstm_cell: h has {h.shape[-1]} features but c has {H}; "
            "they differ only with a projection — pass weight_hr"
        )
    if weight_hr is not None and weight_hr.shape != expected_hr:
        raise ValueError(f"lstm_cell: weight_hr must have shape (P, H) = {expected_hr}, got {_shape(weight_hr)}")
    return _lstm_step(input, h, c, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr)


# --------------------------------------------------------------------------
# the whole module
# --------------------------------------------------------------------------

_SUPPORTED = (nn.RNN, nn.GRU, nn.LSTM)


def _check_module(module) -> str:
    if isinstance(module, nn.RNNCellBase):
        raise TypeError(
            f"module must be an nn.RNN, nn.GRU or nn.LSTM, got the single-step {type(module).__name__}; "
            "for one step use rnn_cell/gru_cell/lstm_cell with its weight_ih, weight_hh, bias_ih, bias_hh"
        )
    if not isinstance(module, _SUPPORTED) or module.mode not in ("RNN_TANH", "RNN_RELU", "GRU", "LSTM"):
        raise TypeError(
            f"module must be an nn.RNN, nn.GRU or nn.LSTM, got {type(module).__name__}"
        )
    if module.training and module.dropout > 0 and module.num_layers > 1:
        raise ValueError(
            f"module has dropout={module.dropout} between its {module.num_layers} layers and is in "
            "training mode, where PyTorch draws random dropout masks that run_rnn cannot reproduce; "
            "call module.eval() first (dropout is then off) or build it with dropout=0"
        )
    return module.mode


def _layer_weights(module, layer: int, direction: int):
    suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
    get = lambda name: getattr(module, name + suffix, None)  # noqa: E731
    w_hr = get("weight_hr") if module.mode == "LSTM" and module.proj_size > 0 else None
    if module.bias:
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), w_hr
    return get("weight_ih"), get("weight_hh"), None, None, w_hr


def _check_state(name, state, expected, batched, dtype):
    if not isinstance(state, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(state).__name__}")
    if state.shape != expected:
        layout = "(D·num_layers, N, H_out)" if batched else "(D·num_layers, H_out) for unbatched 2-D input"
        raise ValueError(
            f"{name} must have shape {layout} = {tuple(expected)}, got {_shape(state)}; "
            "note that h_n/c_n are never batch-first, even with batch_first=True"
        )
    if state.dtype != dtype:
        raise ValueError(f"{name} has dtype {state.dtype} but the module's weights are {dtype}")


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
    mode = _check_module(module)
    is_lstm = mode == "LSTM"
    if isinstance(input, PackedSequence):
        raise TypeError(
            "input is a PackedSequence, which run_rnn does not support; unpack it with "
            "pad_packed_sequence and run the padded tensor, or run each sequence on its own"
        )
    if not isinstance(input, Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.dim() not in (2, 3):
        layout = "(N, L, I)" if module.batch_first else "(L, N, I)"
        raise ValueError(
            f"input must be 3-D {layout} or unbatched 2-D (L, I), got {input.dim()}-D shape {_shape(input)}"
        )
    if input.shape[-1] != module.input_size:
        raise ValueError(
            f"input must have input_size={module.input_size} features in its last dim, "
            f"got shape {_shape(input)} (last dim {input.shape[-1]})"
        )
    dtype = module.weight_ih_l0.dtype
    if input.dtype != dtype:
        raise ValueError(
            f"input has dtype {input.dtype} but the module's weights are {dtype}; "
            f"convert one of them, e.g. input.to({dtype})"
        )

    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(1)  # (L, 1, I): unbatched is a batch of one
    if batched and module.batch_first:
        x = x.transpose(0, 1)  # work seq-first: x[t] is time step t for the whole batch
    L, N = x.shape[0], x.shape[1]
    if L == 0:
        raise ValueError(f"input must have at least one time step, got shape {_shape(input)}")

    D = 2 if module.bidirectional else 1
    H = module.hidden_size
    H_out = module.proj_size if is_lstm and module.proj_size > 0 else H
    h_shape = (D * module.num_layers, N, H_out)
    c_shape = (D * module.num_layers, N, H)

    if hx is None:
        h0 = x.new_zeros(h_shape)
        c0 = x.new_zeros(c_shape) if is_lstm else None
    else:
        if is_lstm:
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"hx of nn.LSTM must be a pair (h_0, c_0), got {type(hx).__name__}")
            h0, c0 = hx
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(
                    f"hx of nn.{type(module).__name__} must be a tensor h_0, not a {type(hx).__name__} "
                    "(only nn.LSTM takes a pair (h_0, c_0))"
                )
            h0, c0 = hx, None
        drop_n = lambda shape: shape if batched else (shape[0], shape[2])  # noqa: E731
        _check_state("hx[0] (h_0)" if is_lstm else "hx", h0, drop_n(h_shape), batched, dtype)
        if is_lstm:
            _check_state("hx[1] (c_0)", c0, drop_n(c_shape), batched, dtype)
        if not batched:
            h0 = h0.unsqueeze(1)
            c0 = c0.unsqueeze(1) if is_lstm else None

    h_n, c_n = [], []
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(D):
            w_ih, w_hh, b_ih, b_hh, w_hr = _layer_weights(module, layer, direction)
            k = layer * D + direction
            h = h0[k]
            c = c0[k] if is_lstm else None
            steps = range(L - 1, -1, -1) if direction == 1 else range(L)
            out = [None] * L
            for t in steps:
                if is_lstm:
                    h, c = _lstm_step(x[t], h, c, w_ih, w_hh, b_ih, b_hh, w_hr)
                elif mode == "GRU":
                    h = _gru_step(x[t], h, w_ih, w_hh, b_ih, b_hh)
                else:
                    h = _rnn_step(x[t], h, w_ih, w_hh, b_ih, b_hh, "relu" if mode == "RNN_RELU" else "tanh")
                out[t] = h
            outputs.append(torch.stack(out))  # (L, N, H_out)
            h_n.append(h)
            c_n.append(c)
        x = torch.cat(outputs, dim=2)  # (L, N, D·H_out): the next layer's input

    output, h_n = x, torch.stack(h_n)
    c_n = torch.stack(c_n) if is_lstm else None
    if not batched:
        output, h_n = output.squeeze(1), h_n.squeeze(1)
        c_n = c_n.squeeze(1) if is_lstm else None
    elif module.batch_first:
        output = output.transpose(0, 1)
    return (output, (h_n, c_n)) if is_lstm else (output, h_n)
