"""Checks for the exercises of notebook 03 (padding and stride).

Expected values are computed here with PyTorch, never typed in.
"""

import torch
import torch.nn.functional as F

from course_utils._validate import _is_int

from . import (
    CheckFailed,
    answered,
    as_int,
    call,
    exercise,
    expect,
    expect_raises,
    msg,
    set_language,  # noqa: F401  (``checks.set_language("zh")`` in the notebook)
    shown,
)

__all__ = ["exercise_3_1", "exercise_3_2", "exercise_3_3", "set_language"]


@exercise("3.1", expects="(H_out, W_out) as two ints, e.g. (7, 7)")
def exercise_3_1(answer) -> None:
    """Output height and width of ``nn.Conv2d(3, 8, kernel_size=5, stride=3, padding=1)`` on 32×32."""
    value = answered(answer)
    expected = tuple(F.conv2d(torch.zeros(1, 3, 32, 32), torch.zeros(8, 3, 5, 5), stride=3, padding=1).shape[-2:])
    if _is_int(value):  # one number for a square output is fine
        value = (value, value)
    expect(isinstance(value, (tuple, list, torch.Size)) and len(value) == 2 and all(_is_int(v) for v in value),
           msg("expected (H_out, W_out) as a tuple of two ints, got {value}", value=shown(value)),
           msg("for example (7, 7)"))
    value = tuple(int(v) for v in value)
    if value == (expected[0] + 1,) * 2:
        raise CheckFailed(msg("expected {expected}, got {value}", expected=expected, value=value),
                          msg("the division in the formula rounds down (floor), not up"))
    expect(value == expected, msg("expected {expected}, got {value}", expected=expected, value=value),
           msg("o = floor((i + 2p - k) / s) + 1 with i=32, k=5, s=3, p=1"))


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
