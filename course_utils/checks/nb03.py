"""Checks for the exercises of notebook 03 (padding and stride).

Expected values are computed here with PyTorch, never typed in.
"""

import torch
import torch.nn.functional as F
from torch import nn

from course_utils._validate import _is_int
from course_utils.arithmetic import receptive_field

from . import (
    CheckFailed,
    answered,
    as_int,
    call,
    exercise,
    expect,
    expect_module,
    expect_raises,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
    shown,
)

__all__ = ["exercise_3_1", "exercise_3_2", "exercise_3_3", "exercise_3_4", "exercise_3_5", "set_language"]


def _prediction_stack() -> nn.Sequential:
    """The stack of exercise 3.1: a strided conv, a max-pool with its default stride, a dilated conv."""
    return nn.Sequential(nn.Conv2d(3, 16, kernel_size=5, stride=2, padding=2),
                         nn.MaxPool2d(3),
                         nn.Conv2d(16, 32, kernel_size=3, dilation=2))


def _stack_size(pool_stride=None, dilation: int = 2, ceil: bool = False) -> int:
    """The stack's output side on 64×64, computed by PyTorch (or with one classic misreading)."""
    x = torch.zeros(1, 3, 64, 64)
    x = F.conv2d(x, torch.zeros(16, 3, 5, 5), stride=2, padding=2 + (1 if ceil else 0))
    x = F.max_pool2d(x, 3, stride=pool_stride)
    return F.conv2d(x, torch.zeros(32, 16, 3, 3), dilation=dilation).shape[-1]


def _predicted_side(value) -> int:
    """An (H, W) prediction as one side: an int, (H, W), (C, H, W) or (N, C, H, W) with H == W."""
    if _is_int(value):
        return int(value)
    expect(isinstance(value, (tuple, list, torch.Size)) and 2 <= len(value) <= 4 and all(_is_int(v) for v in value),
           msg("expected (H_out, W_out) as a tuple of two ints, got {value}", value=shown(value)),
           msg("for example (7, 7)"))
    h, w = int(value[-2]), int(value[-1])
    expect(h == w, msg("expected a square output, got {h}×{w}", h=h, w=w),
           msg("every layer here has square settings, so the output stays square"))
    return h


@exercise("3.1", expects="(H_out, W_out) as two ints, e.g. (7, 7)")
def exercise_3_1(answer) -> None:
    """Output height and width of :func:`_prediction_stack` on a ``(1, 3, 64, 64)`` input."""
    side = _predicted_side(answered(answer))
    expected = _prediction_stack()(torch.zeros(1, 3, 64, 64)).shape[-1]
    got = msg("expected {expected}×{expected}, got {side}×{side}", expected=expected, side=side)
    if side == _stack_size(pool_stride=1):
        raise CheckFailed(got, msg("MaxPool2d's stride defaults to its kernel_size (3 here), not to 1"))
    if side == _stack_size(dilation=1):
        raise CheckFailed(got, msg("dilation=2 spreads the 3 taps over 5 pixels: it removes 4, not 2"))
    if side == _stack_size(ceil=True):
        raise CheckFailed(got, msg("each division in the formula rounds down (floor), not up"))
    expect(side == expected, got,
           msg("one layer at a time: o = floor((i + 2p - d(k-1) - 1) / s) + 1, starting from i = 64"))


def _arguments(k: int, d: int) -> tuple:
    """Leave out a dilation of 1, so that the default is tested too."""
    return (k, d) if d != 1 else (k,)


@exercise("3.2", expects="a function same_padding(kernel_size, dilation=1) that returns an int "
                         "or raises ValueError")
def exercise_3_2(same_padding) -> None:
    """``same_padding(kernel_size, dilation=1)``: the symmetric padding that keeps the size at stride 1.

    Must raise ``ValueError`` when no symmetric padding exists (``dilation*(k-1)`` odd).
    """
    for k in range(1, 8):
        for d in (1, 2, 3):
            span = d * (k - 1)
            if span % 2:
                expect_raises(same_padding, ValueError, *_arguments(k, d),
                              hint=msg("no symmetric padding keeps the size when dilation * (kernel_size - 1) "
                                       "is odd ({span} here): raise ValueError", span=span))
                continue
            got = as_int(call(same_padding, *_arguments(k, d)),
                         msg("the result of same_padding({k}, dilation={d})", k=k, d=d))
            expect(got >= 0, msg("same_padding({k}, dilation={d}) returned {got}, a negative padding",
                                 k=k, d=d, got=got),
                   msg("the dilated kernel covers d(k-1)+1 pixels; pad half of d(k-1) on each side"))
            try:
                size = F.conv2d(torch.zeros(1, 1, 9, 9), torch.zeros(1, 1, k, k), padding=got,
                                dilation=d).shape[-1]
            except RuntimeError:  # the dilated kernel is larger than the padded input
                raise CheckFailed(msg("with kernel_size={k}, dilation={d} and your padding {got} the dilated "
                                      "kernel does not even fit in a padded 9×9 input", k=k, d=d, got=got),
                                  msg("the dilated kernel covers d(k-1)+1 pixels; pad half of d(k-1) on each side")
                                  ) from None
            expect(size == 9, msg("with kernel_size={k}, dilation={d} and your padding {got} "
                                  "a 9×9 input becomes {size}×{size}", k=k, d=d, got=got, size=size),
                   msg("the dilated kernel covers d(k-1)+1 pixels; pad half of d(k-1) on each side"))


def _transposed_size(i, k, s, p, a):
    return F.conv_transpose2d(torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k), stride=s,
                              padding=p, output_padding=a).shape[-1]


@exercise("3.3", expects="a function output_padding_for(i, target, k, s, p) that returns an int "
                         "or raises ValueError")
def exercise_3_3(output_padding_for) -> None:
    """``output_padding_for(i, target, k, s, p)``: the ``output_padding`` that makes
    ``ConvTranspose2d(k, stride=s, padding=p)`` map size ``i`` to ``target``; ``ValueError`` if none.
    """
    cases = [(7, 14, 4, 2, 1), (3, 5, 3, 2, 1), (3, 6, 3, 2, 1), (7, 14, 3, 2, 1),
             (4, 12, 3, 3, 0), (4, 11, 3, 3, 1), (5, 5, 3, 1, 1), (2, 5, 3, 2, 0)]
    impossible = [(3, 7, 3, 2, 1), (7, 12, 3, 2, 1), (5, 6, 3, 1, 1)]
    for i, target, k, s, p in cases:
        setting = f"output_padding_for({i}, {target}, k={k}, s={s}, p={p})"
        got = as_int(call(output_padding_for, i, target, k, s, p), msg("the result of {setting}", setting=setting))
        ok = 0 <= got < s
        size = _transposed_size(i, k, s, p, got) if ok else None
        if not ok:
            raise CheckFailed(msg("{setting} returned {got}: output_padding must be in 0..{last}",
                                  setting=setting, got=got, last=s - 1),
                              msg("o = (i-1)s - 2p + k + output_padding; solve for output_padding"))
        expect(size == target, msg("{setting} returned {got}: the output would be {size}, not {target}",
                                   setting=setting, got=got, size=size, target=target),
               msg("o = (i-1)s - 2p + k + output_padding; solve for output_padding"))
    for i, target, k, s, p in impossible:
        expect_raises(output_padding_for, ValueError, i, target, k, s, p,
                      hint=msg("no output_padding in 0..{last} gives {target}: check 0 <= output_padding < stride "
                               "and raise ValueError otherwise", last=s - 1, target=target))


# --------------------------------------------------------------------------- 3.4: design


def _triples(design) -> list:
    """A design given as (kernel_size, stride, padding) triples, checked."""
    layers = []
    for n, layer in enumerate(design, start=1):
        expect(isinstance(layer, (tuple, list)) and len(layer) == 3 and all(_is_int(v) for v in layer),
               msg("layer {n} is {layer}, not a (kernel_size, stride, padding) triple of ints",
                   n=n, layer=shown(layer)),
               msg("write each layer as three ints, e.g. (3, 2, 1)"))
        k, s, p = (int(v) for v in layer)
        expect(k >= 1 and s >= 1 and p >= 0,
               msg("layer {n} is {layer}: kernel_size and stride must be at least 1, padding at least 0",
                   n=n, layer=(k, s, p)))
        layers.append((k, s, p, 1))
    return layers


def _sizes_of_triples(layers) -> list:
    sizes = [28]
    for n, (k, s, p, _d) in enumerate(layers, start=1):  # dilation is always 1 here
        try:
            sizes.append(F.conv2d(torch.zeros(1, 1, sizes[-1], sizes[-1]), torch.zeros(1, 1, k, k),
                                  stride=s, padding=p).shape[-1])
        except RuntimeError:
            raise CheckFailed(msg("layer {n}'s kernel ({k}×{k}) is larger than its padded input "
                                  "({size} + 2·{p} pixels)", n=n, k=k, size=sizes[-1], p=p),
                              msg("o = floor((i + 2p - k) / s) + 1 needs k <= i + 2p")) from None
    return sizes


def _conv_layers(model: nn.Module) -> tuple:
    """(k, s, p, d) of each Conv2d of a module, and its sizes on a 28×28 input, with hooks."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    pools = [m for m in model.modules() if type(m).__name__.endswith(("Pool2d", "Pool1d", "Pool3d"))]
    expect(not pools, msg("the design uses {layer}: the task asks for two convolutions and nothing else "
                          "that changes the size", layer=type(pools[0]).__name__ if pools else ""),
           msg("let the strides of the two Conv2d layers do the downsampling"))
    expect(len(convs) == 2, msg("expected two Conv2d layers, got {count}", count=len(convs)))
    for n, conv in enumerate(convs, start=1):
        square = all(isinstance(v, tuple) and v[0] == v[1] for v in (conv.kernel_size, conv.stride, conv.dilation))
        expect(square and conv.in_channels == (1 if n == 1 else convs[0].out_channels),
               msg("Conv2d layer {n} must have square settings and take {c} channel(s)", n=n,
                   c=1 if n == 1 else convs[0].out_channels),
               msg("the first layer reads the digit's 1 channel; the second the first's out_channels"))
    sizes = [28]
    hooks = [conv.register_forward_hook(lambda _m, _i, out: sizes.append(out.shape[-1])) for conv in convs]
    try:
        call(model, torch.zeros(1, 1, 28, 28))
    finally:
        for hook in hooks:
            hook.remove()
    return [(c.kernel_size[0], c.stride[0], c.padding, c.dilation[0]) for c in convs], sizes


def _design(design):
    """The layers of a design and their sizes, whatever form the design takes."""
    if isinstance(design, (tuple, list)) and not any(isinstance(v, nn.Module) for v in design):
        expect(len(design) == 2, msg("expected two layers, got {count}", count=len(design)),
               msg("give one (kernel_size, stride, padding) triple per layer, e.g. [(3, 2, 1), (3, 2, 1)]"))
        layers = _triples(design)
        return layers, _sizes_of_triples(layers)
    if callable(design) and not isinstance(design, (nn.Module, type)):
        call(design, torch.zeros(1, 1, 28, 28))  # a starter function still raising NotImplementedError
        raise CheckFailed(msg("design is {kind}: give a list of two triples or an nn.Sequential",
                              kind=shown(design)),
                          msg("for example [(3, 2, 1), (3, 2, 1)]"))
    return _conv_layers(expect_module(design, "design"))


@exercise("3.4", expects="two (kernel_size, stride, padding) triples, e.g. [(3, 2, 1), (3, 2, 1)], "
                         "or an nn.Sequential with two Conv2d layers")
def exercise_3_4(design) -> None:
    """Two convolutions taking 28×28 to 7×7, each output unit seeing at least 10×10 input pixels."""
    layers, sizes = _design(answered(design))
    path = " → ".join(str(n) for n in sizes)
    expect(sizes[-1] == 7, msg("your layers map {path}, not to 7", path=path),
           msg("o = floor((i + 2p - k) / s) + 1; from 28 to 7 the strides must multiply to about 4, "
               "e.g. stride 2 in each layer"))
    r = receptive_field([k for k, _, _, _ in layers], [s for _, s, _, _ in layers],
                        [d for _, _, _, d in layers])
    expect(r >= 10, msg("your layers map {path} as asked, but one output unit sees only {r}×{r} input "
                        "pixels, not 10×10", path=path, r=r),
           msg("r = 1 + (k1 - 1) + (k2 - 1)·s1: use larger kernels (and pad to keep the sizes)"))


# --------------------------------------------------------------------------- 3.5: debug


def _transposed_sizes(decoder: nn.Module, layers: list, z: torch.Tensor) -> tuple:
    """The (input, output) side of each of ``layers`` when ``decoder(z)`` runs, with hooks; and the output."""
    sides = []
    hooks = [m.register_forward_hook(lambda _m, inputs, out: sides.append((inputs[0].shape[-1], out.shape[-1])))
             for m in layers]
    try:
        out = call(decoder, z)
    finally:
        for hook in hooks:
            hook.remove()
    return sides, out


def _expect_doubling(n: int, i: int, o: int, layer: nn.ConvTranspose2d) -> None:
    """Layer ``n`` must map ``i`` to ``2i``; the hint shows the formula with the layer's own numbers."""
    if o == 2 * i:
        return
    message = msg("ConvTranspose2d layer {n} maps {i} → {o}, not {i} → {double}", n=n, i=i, o=o, double=2 * i)
    if o == 2 * i - 1:
        raise CheckFailed(message, msg("one row short: the forward conv's floor dropped it; output_padding=1 "
                                       "adds it back (or use kernel_size=4 with padding=1)"))
    (s,), (p,), (d,), (k,), (a,) = (layer.stride[:1], layer.padding[:1], layer.dilation[:1],
                                    layer.kernel_size[:1], layer.output_padding[:1])
    raise CheckFailed(message, msg("o = (i-1)·s - 2p + d(k-1) + output_padding + 1 = {formula} = {o}; choose "
                                   "kernel_size, padding and output_padding (< stride) so that it gives {double}",
                                   formula=f"({i}-1)·{s} - 2·{p} + {d}·({k}-1) + {a} + 1", o=o, double=2 * i))


@exercise("3.5", expects="an nn.Sequential of two ConvTranspose2d layers (and activations) "
                         "from (N, 16, 7, 7) to (N, 1, 28, 28)")
def exercise_3_5(decoder) -> None:
    """A decoder undoing the encoder 28 → 14 → 7: two stride-2 ConvTranspose2d, 7 → 14 → 28."""
    decoder = answered(decoder)
    if callable(decoder) and not isinstance(decoder, (nn.Module, type)):
        call(decoder, torch.zeros(2, 16, 7, 7))  # a starter function still raising NotImplementedError
        raise CheckFailed(msg("decoder is {kind}, not a module", kind=shown(decoder)),
                          msg("build it with nn.Sequential(nn.ConvTranspose2d(...), nn.ReLU(), ...)"))
    decoder = expect_module(decoder, "decoder")
    layers = [m for m in decoder.modules() if isinstance(m, nn.ConvTranspose2d)]
    expect(len(layers) == 2 and all(m.stride == (2, 2) for m in layers),
           msg("expected two ConvTranspose2d layers with stride 2, got {got}",
               got=[f"ConvTranspose2d(stride={m.stride[0]})" for m in layers]),
           msg("each stride-2 ConvTranspose2d undoes one stride-2 Conv2d of the encoder"))
    expect(layers[0].in_channels == 16 and layers[-1].out_channels == 1,
           msg("the decoder must take 16 channels and return 1, got {c_in} and {c_out}",
               c_in=layers[0].in_channels, c_out=layers[-1].out_channels))
    sides, out = _transposed_sizes(decoder, layers, torch.zeros(2, 16, 7, 7))
    for n, (i, o) in enumerate(sides, start=1):
        _expect_doubling(n, i, o, layers[n - 1])
    expect(isinstance(out, torch.Tensor) and tuple(out.shape) == (2, 1, 28, 28),
           msg("expected an output of shape (2, 1, 28, 28) for a (2, 16, 7, 7) input, got {got}",
               got=tuple(out.shape) if isinstance(out, torch.Tensor) else shown(out)))
