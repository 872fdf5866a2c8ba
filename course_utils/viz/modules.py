"""Pictures for notebook 01 (the Module skeleton): how a layer's weights start out.

:func:`plot_weight_histograms` draws histograms of weight tensors side by side, e.g. the
default initialisation of an ``nn.Linear`` next to ``nn.init.kaiming_normal_``, with the
bounds ``±1/√fan_in`` of the default drawn as dashed lines.

The function returns a :class:`matplotlib.figure.Figure` and never calls ``plt.show()``:
end the notebook cell with ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from course_utils import _validate as check

__all__ = ["plot_weight_histograms"]


def _weights(weights) -> dict[str, torch.Tensor]:
    if not isinstance(weights, dict) or not weights:
        raise TypeError(f"weights must be a non-empty dict {{title: tensor}}, e.g. {{'default': layer.weight}}, "
                        f"got {check.describe(weights)}")
    checked = {}
    for title, value in weights.items():
        if not isinstance(title, str):
            raise TypeError(f"weights' keys are the panels' titles and must be strings, got {check.describe(title)}")
        tensor = check.tensor(f"weights[{title!r}]", value, dtype="floating", nonempty=True, finite=True)
        checked[title] = tensor.detach().cpu().double().flatten()
    return checked


def plot_weight_histograms(weights, bound: float | None = None, bins: int = 60,
                           figsize: tuple[float, float] | None = None):
    """Histograms of weight tensors, one panel each, on the same axes and bars; dashed lines at ``±bound``.

    Args:
        weights: ``{title: tensor}``, e.g. ``{"default": layer.weight, "kaiming_normal_": other.weight}``.
        bound: optional value drawn as dashed lines at ``-bound`` and ``+bound`` in every panel,
            e.g. ``1 / math.sqrt(fan_in)``, the bound of ``nn.Linear``'s default initialisation.
        bins: bars per histogram, over the range of all the tensors together (the same bars in every panel).
        figsize: the figure's size in inches; by default 4.5 inches wide per panel.

    Returns:
        The matplotlib ``Figure``.

    Shape:
        - each tensor: any shape; all its elements are counted.
    """
    weights = _weights(weights)
    if bound is not None:
        bound = check.number("bound", bound, minimum=0, exclusive_minimum=True)
    bins = check.positive_int("bins", bins)
    figsize = figsize or (4.5 * len(weights), 3.0)
    everything = torch.cat(list(weights.values()))
    # the same bars in every panel, so that their widths and heights compare
    edges = torch.linspace(everything.min().item(), everything.max().item(), bins + 1).numpy()
    fig, axes = plt.subplots(1, len(weights), figsize=figsize, sharex=True, sharey=True, squeeze=False)
    for ax, (title, values) in zip(axes[0], weights.items()):
        ax.hist(values.numpy(), bins=edges, color="#9dc3e6", edgecolor="#1f4e79", linewidth=0.4)
        if bound is not None:
            for x in (-bound, bound):
                ax.axvline(x, color="#b3001b", linestyle="--", linewidth=1.5)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel("weight value", fontsize=11)
        ax.set_yticks([])
    if bound is not None:
        axes[0][0].text(bound, axes[0][0].get_ylim()[1] * 0.97, f"  ±{bound:.4f}", color="#b3001b", fontsize=11,
                        va="top", ha="left")
    fig.tight_layout()
    return fig
