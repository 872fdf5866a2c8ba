"""A small sequence task, generated on the spot (seeded, nothing downloaded), for notebook 05.

:func:`toy_sequences` draws sequences of token ids of different lengths and gives
every step a label: **1 if the token at that step already appeared earlier in
the same sequence, else 0** ("have I seen this token before?"). One label per
step makes it a sequence-labelling task, so a padded batch has padded *labels*
too, and the loss must skip them. Answering needs memory of the earlier steps,
which is what a recurrent layer has.

Token id :data:`PAD` (0) is never drawn: it is kept for padding, to go with
``nn.Embedding(..., padding_idx=PAD)``.

    >>> data = toy_sequences(2, vocab_size=5, min_length=3, max_length=6, seed=0)
    >>> [len(t) for t in data.tokens] == [len(y) for y in data.labels]
    True
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from course_utils import _validate as check

__all__ = ["PAD", "ToySequences", "toy_sequences", "seen_before"]

#: The token id reserved for padding; :func:`toy_sequences` never draws it.
PAD = 0


class ToySequences(NamedTuple):
    """Sequences of token ids and their per-step labels, one pair per sequence (not padded).

    Shape:
        - ``tokens[b]``: :math:`(L_b,)` int64 ids in ``1 … vocab_size-1``
        - ``labels[b]``: :math:`(L_b,)` int64, 1 where the token appeared earlier in sequence ``b``
    """

    tokens: list[torch.Tensor]
    labels: list[torch.Tensor]


def seen_before(tokens: torch.Tensor) -> torch.Tensor:
    """1 at every step whose token already appeared at an earlier step of ``tokens``, else 0.

    Shape:
        - Input: :math:`(L,)` integer token ids.
        - Output: :math:`(L,)` int64 labels.
    """
    check.tensor("tokens", tokens, ndim=1, dtype="integer", layout="(L,), one sequence of token ids")
    seen, labels = set(), []
    for token in tokens.tolist():
        labels.append(int(token in seen))
        seen.add(token)
    return torch.tensor(labels, dtype=torch.int64)


def toy_sequences(num_sequences: int = 8, vocab_size: int = 10, min_length: int = 2, max_length: int = 8,
                  seed: int = 0) -> ToySequences:
    """Draw ``num_sequences`` token sequences and label each step with :func:`seen_before`.

    Lengths are uniform in ``min_length … max_length`` and tokens uniform in
    ``1 … vocab_size-1``, from a ``torch.Generator`` seeded with ``seed``: the same
    arguments give the same sequences on every machine.

    Args:
        num_sequences: how many sequences.
        vocab_size: ids run from 0 (:data:`PAD`, never drawn) to ``vocab_size - 1``; at least 2.
        min_length, max_length: the range of lengths, ``1 ≤ min_length ≤ max_length``.
        seed: seeds the generator (an int ≥ 0).

    Returns:
        A :class:`ToySequences` ``(tokens, labels)``, lists of 1-D int64 tensors.
    """
    num_sequences = check.positive_int("num_sequences", num_sequences)
    vocab_size = check.integer("vocab_size", vocab_size, minimum=2)
    min_length = check.positive_int("min_length", min_length)
    max_length = check.positive_int("max_length", max_length)
    if min_length > max_length:
        raise ValueError(f"min_length must be at most max_length, got min_length={min_length} and "
                         f"max_length={max_length}; swap them")
    seed = check.non_negative_int("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(min_length, max_length + 1, (num_sequences,), generator=generator).tolist()
    tokens = [torch.randint(1, vocab_size, (length,), generator=generator) for length in lengths]
    return ToySequences(tokens, [seen_before(sequence) for sequence in tokens])
