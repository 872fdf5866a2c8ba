"""Checks for the exercises of notebook 03 (padding and stride).

Expected values are computed here with PyTorch, never typed in.
"""

import warnings

import torch
import torch.nn.functional as F

from . import CheckFailed, answered, call, expect, run_check

__all__ = ["exercise_3_1", "exercise_3_2", "exercise_3_3"]


def exercise_3_1(answer) -> None:
    """Output height and width of ``nn.Conv2d(3, 8, kernel_size=5, stride=3, padding=1)`` on 32×32."""

    def test():
        value = answered(answer)
        expected = tuple(F.conv2d(torch.zeros(1, 3, 32, 32), torch.zeros(8, 3, 5, 5), stride=3,
                                  padding=1).shape[-2:])
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value, value)
        expect(isinstance(value, (tuple, list)) and len(value) == 2
               and all(isinstance(v, int) for v in value),
               f"expected (H_out, W_out) as a tuple of two ints, got {value!r}",
               "for example (7, 7)")
        value = tuple(value)
        if value == (expected[0] + 1,) * 2:
            raise CheckFailed(f"expected {expected}, got {value}",
                              "the division in the formula rounds down (floor), not up")
        expect(value == expected, f"expected {expected}, got {value}",
               "o = floor((i + 2p - k) / s) + 1 with i=32, k=5, s=3, p=1")

    run_check("3.1", test)


def exercise_3_2(same_padding) -> None:
    """``same_padding(kernel_size, dilation=1)``: the symmetric padding that keeps the size at stride 1.

    Must raise ``ValueError`` when no symmetric padding exists (``dilation*(k-1)`` odd).
    """

    def test():
        for k in range(1, 8):
            for d in (1, 2, 3):
                span = d * (k - 1)
                if span % 2:
                    try:
                        got = same_padding(k, d) if d != 1 else same_padding(k)
                    except ValueError:
                        continue
                    except NotImplementedError:
                        raise
                    except Exception as error:
                        raise CheckFailed(
                            f"same_padding({k}, {d}) raised {type(error).__name__}, "
                            f"expected ValueError", "raise ValueError(...) for this case") from None
                    raise CheckFailed(
                        f"same_padding({k}, dilation={d}) returned {got!r}, but no symmetric "
                        f"padding keeps the size (d(k-1) = {span} is odd)",
                        "raise ValueError when dilation * (kernel_size - 1) is odd")
                got = call(same_padding, k, d) if d != 1 else call(same_padding, k)
                x = torch.zeros(1, 1, 9, 9)
                w = torch.zeros(1, 1, k, k)
                if isinstance(got, bool) or not isinstance(got, int):
                    raise CheckFailed(f"same_padding({k}, {d}) returned {got!r}, not an int",
                                      "return an int")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    size = F.conv2d(x, w, padding=got, dilation=d).shape[-1] if got >= 0 else -1
                expect(size == 9, f"with kernel_size={k}, dilation={d} and your padding {got} "
                                  f"a 9×9 input becomes {size}×{size}",
                       "the dilated kernel covers d(k-1)+1 pixels; pad half of d(k-1) on each side")

    run_check("3.2", test)


def _transposed_size(i, k, s, p, a):
    return F.conv_transpose2d(torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k), stride=s,
                              padding=p, output_padding=a).shape[-1]


def exercise_3_3(output_padding_for) -> None:
    """``output_padding_for(i, target, k, s, p)``: the ``output_padding`` that makes
    ``ConvTranspose2d(k, stride=s, padding=p)`` map size ``i`` to ``target``; ``ValueError`` if none.
    """

    def test():
        cases = [(7, 14, 4, 2, 1), (3, 5, 3, 2, 1), (3, 6, 3, 2, 1), (7, 14, 3, 2, 1),
                 (4, 12, 3, 3, 0), (4, 11, 3, 3, 1), (5, 5, 3, 1, 1), (2, 5, 3, 2, 0)]
        impossible = [(3, 7, 3, 2, 1), (7, 12, 3, 2, 1), (5, 6, 3, 1, 1)]
        for i, target, k, s, p in cases:
            got = call(output_padding_for, i, target, k, s, p)
            setting = f"output_padding_for({i}, {target}, k={k}, s={s}, p={p})"
            if isinstance(got, bool) or not isinstance(got, int):
                raise CheckFailed(f"{setting} returned {got!r}, not an int", "return an int")
            ok = 0 <= got < s
            size = _transposed_size(i, k, s, p, got) if ok else None
            expect(ok and size == target,
                   f"{setting} returned {got}: the output would be "
                   f"{size if ok else 'an error (output_padding must be in 0..s-1)'}, "
                   f"not {target}",
                   "o = (i-1)s - 2p + k + output_padding; solve for output_padding")
        for i, target, k, s, p in impossible:
            setting = f"output_padding_for({i}, {target}, k={k}, s={s}, p={p})"
            try:
                got = output_padding_for(i, target, k, s, p)
            except ValueError:
                continue
            except NotImplementedError:
                raise
            except Exception as error:
                raise CheckFailed(f"{setting} raised {type(error).__name__}, expected ValueError",
                                  "raise ValueError(...) when no output_padding works") from None
            raise CheckFailed(f"{setting} returned {got!r}, but no output_padding in 0..{s - 1} "
                              f"gives {target}",
                              "check 0 <= output_padding < stride and raise ValueError otherwise")

    run_check("3.3", test)
