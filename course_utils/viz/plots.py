"""Plots for training a classifier: image grids, history, confusion matrix, mistakes, autograd graph.

Each plotting function draws into a new figure (or the ``ax`` it is given) and
returns what it drew on; end the notebook cell with ``plt.show()`` so that no
matplotlib object repr is printed.

``save_model_graph`` renders the autograd graph of a model (via torchviz) to a
file, which needs Graphviz's ``dot`` program; ``graphviz_available()`` says
whether it is installed and ``GRAPHVIZ_INSTALL_HINT`` how to install it.
"""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils import _validate as check

__all__ = [
    "GRAPHVIZ_INSTALL_HINT",
    "confusion_matrix",
    "graphviz_available",
    "model_graph",
    "plot_confusion_matrix",
    "plot_history",
    "save_model_graph",
    "show_images",
    "show_mistakes",
]

GRAPHVIZ_INSTALL_HINT = (
    "Graphviz's `dot` program is not installed. Install it with one of: "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz` (conda), then restart the kernel."
)


# --------------------------------------------------------------------------- checks

def _labels(name: str, value) -> torch.Tensor:
    """Class indices ``(N,)`` as an int64 tensor, from a tensor, array or list of ints."""
    labels = check.array(name, value, "(N,)")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got dtype {labels.dtype}; "
                        "for logits use logits.argmax(dim=1)")
    if labels.dim() != 1:
        raise ValueError(f"{name} must be 1-D (one class index per image), got shape {tuple(labels.shape)}")
    if len(labels) and labels.min() < 0:
        raise ValueError(f"{name} must hold non-negative class indices, got {labels.min().item()}")
    return labels.long()


def _images(value) -> torch.Tensor:
    """``(N, H, W)`` or ``(N, H, W, 3)`` float images from ``(N, H, W)``, ``(N, 1, H, W)`` or ``(N, 3, H, W)``."""
    images = check.array("images", value, "(N, H, W), (N, 1, H, W) or (N, 3, H, W)")
    check.tensor("images", images, dtype="real")
    if images.dim() == 4 and images.shape[1] == 1:
        images = images[:, 0]
    elif images.dim() == 4 and images.shape[1] == 3:
        images = images.permute(0, 2, 3, 1)
    elif images.dim() != 3:
        raise ValueError(f"images must have shape (N, H, W), (N, 1, H, W) or (N, 3, H, W), "
                         f"got {tuple(images.shape)}")
    if len(images) == 0:
        raise ValueError("images is empty: there is nothing to show")
    return images.float()  # for imshow; the values are not changed


def _names(classes, *labels: torch.Tensor, source: str):
    """A function giving the title of class ``k``: ``classes[k]``, or ``k`` itself."""
    if classes is None:
        return str
    largest = max((int(t.max()) for t in labels if len(t)), default=0)
    names = check.class_names("classes", classes, largest, source)
    return lambda k: names[k]


# --------------------------------------------------------------------------- image grids

def _image_grid(images: torch.Tensor, titles, ncols: int, title_colors=None, suptitle=None):
    n = len(images)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.25 * nrows + (0.3 if suptitle else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        # Each image is scaled to its own min..max, so normalised images look the same as raw ones.
        ax.imshow(images[i].numpy(), cmap="gray" if images[i].dim() == 2 else None)
        if titles is not None:
            color = title_colors[i] if title_colors is not None else "black"
            ax.set_title(titles[i], fontsize=9, color=color)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_images(images, labels=None, ncols: int = 8, max_images: int = 32, classes=None, title: str | None = None):
    """Show a grid of images, each titled with its label.

    Args:
        images: a batch of images (a tensor, NumPy array or nested list).
        labels: optional class index per image (a tensor or list).
        ncols: images per row.
        max_images: show at most this many (the first ones).
        classes: optional names of the classes, ``classes[label]`` is shown.
        title: optional title above the grid.

    Returns:
        The matplotlib ``Figure``.

    Shape:
        - images: :math:`(N, H, W)`, :math:`(N, 1, H, W)` or :math:`(N, 3, H, W)`
        - labels: :math:`(N)`
    """
    images = _images(images)
    ncols, max_images = check.positive_int("ncols", ncols), check.positive_int("max_images", max_images)
    if title is not None:
        check.instance("title", title, str, "a string or None")
    titles = None
    if labels is not None:
        labels = _labels("labels", labels)
        if len(labels) != len(images):
            raise ValueError(f"labels must have one entry per image: got {len(labels)} labels for {len(images)} images")
        name = _names(classes, labels, source="labels")
        titles = [name(k) for k in labels.tolist()]
    keep = min(len(images), max_images)
    return _image_grid(images[:keep], titles[:keep] if titles else None, ncols, suptitle=title)


def show_mistakes(images, targets, predictions, ncols: int = 8, max_images: int = 16, classes=None):
    """Show the misclassified images, titled "predicted (true)" in red.

    Args:
        images: the images that were classified, in the order of ``targets``.
        targets: true class indices.
        predictions: predicted class indices (``logits.argmax(dim=1)``).
        ncols: images per row.
        max_images: show at most this many mistakes (the first ones).
        classes: optional class names.

    Returns:
        The ``Figure``, or ``None`` (and a printed note) if there is no mistake.

    Shape:
        - images: :math:`(N, H, W)` or :math:`(N, C, H, W)`
        - targets, predictions: :math:`(N)`
    """
    images = _images(images)
    targets, predictions = _labels("targets", targets), _labels("predictions", predictions)
    if not len(images) == len(targets) == len(predictions):
        raise ValueError(f"images, targets and predictions must have the same length, got "
                         f"{len(images)}, {len(targets)} and {len(predictions)}")
    ncols, max_images = check.positive_int("ncols", ncols), check.positive_int("max_images", max_images)
    name = _names(classes, targets, predictions, source="targets or predictions")
    wrong = (targets != predictions).nonzero().flatten()
    if len(wrong) == 0:
        print("no mistakes to show")
        return None
    shown = wrong[:max_images]
    titles = [f"{name(p)} ({name(t)})" for p, t in zip(predictions[shown].tolist(), targets[shown].tolist())]
    return _image_grid(images[shown], titles, ncols, title_colors=["crimson"] * len(shown),
                       suptitle=f"{len(wrong)} mistakes; first {len(shown)} shown as predicted (true)")


# --------------------------------------------------------------------------- training curves

def _curves(history):
    """``[(name, losses, accuracies)]``: train, and held out if recorded; every list checked."""
    for name in ("train_loss", "train_accuracy"):
        if not hasattr(history, name):
            raise TypeError(f"history must have a {name!r} list (a course_utils.train.History), "
                            f"got {check.describe(history)}")
    if len(history.train_loss) == 0:
        raise ValueError("history is empty: train for at least one epoch before plotting it")
    series = [("train", history.train_loss, history.train_accuracy)]
    val_loss, val_acc = getattr(history, "val_loss", []), getattr(history, "val_accuracy", [])
    if len(val_acc) or len(val_loss):
        series.append(("held out", val_loss, val_acc))
    epochs = len(history.train_loss)
    checked = []
    for name, losses, accuracies in series:
        prefix = "history.train" if name == "train" else "history.val"
        losses = check.number_list(f"{prefix}_loss", losses)
        accuracies = check.fractions(f"{prefix}_accuracy", accuracies)
        if len(losses) != epochs or len(accuracies) != epochs:
            raise ValueError(f"{prefix}_loss and {prefix}_accuracy must have one entry per epoch "
                             f"({epochs}, like history.train_loss), got {len(losses)} and {len(accuracies)}")
        checked.append((name, losses, accuracies))
    return checked


def _axes_pair(ax):
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(9, 3))
    if not (isinstance(ax, (tuple, list, np.ndarray)) and all(isinstance(a, plt.Axes) for a in ax)):
        raise TypeError(f"ax must be None or a pair of Axes (loss_ax, accuracy_ax), e.g. from "
                        f"plt.subplots(1, 2), got {check.describe(ax)}")
    if len(ax) != 2:
        raise ValueError(f"ax must be a pair of Axes (loss_ax, accuracy_ax), e.g. from plt.subplots(1, 2), "
                         f"got {len(ax)} Axes")
    return ax[0], ax[1]


def plot_history(history, ax=None, label: str | None = None):
    """Plot loss and accuracy per epoch, for training and (if recorded) validation.

    Args:
        history: a :class:`course_utils.train.History` (or anything with the
            lists ``train_loss``, ``train_accuracy`` and optionally ``val_loss``,
            ``val_accuracy``, accuracies as fractions in ``[0, 1]``, not percentages).
        ax: ``None`` for a new figure, or two Axes ``(loss_ax, accuracy_ax)`` to
            draw into, e.g. to compare two models on the same axes.
        label: a prefix for the legend entries (e.g. the model's name). With a
            label, train and held-out curves share one colour (solid and dashed).

    Returns:
        The two Axes ``(loss_ax, accuracy_ax)``.
    """
    series = _curves(history)
    if label is not None:
        check.instance("label", label, str, "a string or None")
    loss_ax, acc_ax = _axes_pair(ax)
    prefix = f"{label} " if label else ""
    epochs = range(1, len(series[0][1]) + 1)
    color = None
    for (name, losses, accuracies), style in zip(series, ("o-", "s--")):
        (line,) = loss_ax.plot(epochs, losses, style, label=f"{prefix}{name}", color=color)
        acc_ax.plot(epochs, [100 * a for a in accuracies], style, label=f"{prefix}{name}", color=line.get_color())
        if label:  # comparing models: one colour per model, solid = train, dashed = held out
            color = line.get_color()
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for axis in (loss_ax, acc_ax):
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.grid(alpha=0.3)
    acc_ax.legend(fontsize=8)
    loss_ax.figure.tight_layout()
    return loss_ax, acc_ax


# --------------------------------------------------------------------------- confusion matrix

def confusion_matrix(targets, predictions, num_classes: int | None = None) -> torch.Tensor:
    """Count how often class ``i`` (row) was predicted as class ``j`` (column).

    Args:
        targets: true class indices.
        predictions: predicted class indices.
        num_classes: matrix size; defaults to the largest index seen plus one.

    Returns:
        A ``(num_classes, num_classes)`` int64 tensor; its trace is the number
        of correct predictions and it sums to ``N``.

    Shape:
        - targets, predictions: :math:`(N)`
        - output: :math:`(\\text{num\\_classes}, \\text{num\\_classes})`
    """
    targets, predictions = _labels("targets", targets), _labels("predictions", predictions)
    if len(targets) != len(predictions):
        raise ValueError("targets and predictions must have the same length, "
                         f"got {len(targets)} and {len(predictions)}")
    seen = int(max(targets.max().item(), predictions.max().item())) + 1 if len(targets) else 0
    if num_classes is None:
        num_classes = max(seen, 1)
    num_classes = check.positive_int("num_classes", num_classes)
    check.fits_in_memory("num_classes", num_classes, num_classes**2, "the matrix", 8)
    if seen > num_classes:
        raise ValueError(f"num_classes={num_classes} is too small: class index {seen - 1} occurs")
    flat = targets * num_classes + predictions
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def plot_confusion_matrix(targets, predictions, classes=None, ax=None):
    """Draw the confusion matrix with a count in every non-empty cell.

    Rows are the true classes, columns the predicted ones: everything off the
    diagonal is a mistake.

    Args:
        targets: true class indices.
        predictions: predicted class indices.
        classes: class names, one per class index (their number sets the matrix
            size); defaults to ``0..K-1``.
        ax: the Axes to draw into; a new figure if ``None``.

    Returns:
        The Axes.

    Shape:
        - targets, predictions: :math:`(N)`
    """
    targets, predictions = _labels("targets", targets), _labels("predictions", predictions)
    num_classes = None
    if classes is not None:
        largest = max((int(t.max()) for t in (targets, predictions) if len(t)), default=0)
        classes = check.class_names("classes", classes, largest, "targets or predictions")
        num_classes = len(classes)
    matrix = confusion_matrix(targets, predictions, num_classes=num_classes)
    k = matrix.shape[0]
    names = classes if classes is not None else [str(i) for i in range(k)]
    if ax is None:
        # about 5 × 4.6 inches for ten classes: fits a 1280×720 slide with its code
        _, ax = plt.subplots(figsize=(0.36 * k + 1.4, 0.36 * k + 1.0))
    check.instance("ax", ax, plt.Axes, "a matplotlib Axes or None")
    _draw_matrix(ax, matrix, names)
    return ax


def _draw_matrix(ax, matrix: torch.Tensor, names: list[str]) -> None:
    k = matrix.shape[0]
    # A log-like scale keeps the few mistakes visible next to hundreds of correct answers.
    ax.imshow(matrix.float().add(1).log().numpy(), cmap="Blues")
    threshold = matrix.max().item() / 2
    for i in range(k):
        for j in range(k):
            count = matrix[i, j].item()
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                        color="white" if count > threshold else ("crimson" if i != j else "black"))
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted", ylabel="true",
           title=f"{matrix.trace().item()} of {matrix.sum().item()} correct")


# --------------------------------------------------------------------------- autograd graph

def graphviz_available() -> bool:
    """Whether Graphviz's ``dot`` program (needed to render a torchviz graph) is on the PATH."""
    return shutil.which("dot") is not None


def model_graph(model: torch.nn.Module, *inputs):
    """The autograd graph of ``model(*inputs)`` as a ``graphviz.Digraph`` (via torchviz).

    Building the graph needs no Graphviz; displaying or rendering it needs ``dot``.
    Blue boxes are the parameters (named after ``model.named_parameters()``),
    grey ones the backward functions autograd recorded.
    """
    from torchviz import make_dot

    check.module("model", model)
    if not inputs:
        raise ValueError("model_graph needs an example input, e.g. model_graph(model, torch.zeros(1, 1, 28, 28))")
    with torch.enable_grad():
        output = check.model_output("model", model, inputs, "the inputs given")
    if isinstance(output, (tuple, list)):
        output = output[0]
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise ValueError("the model's output has no autograd graph: does it have parameters that require grad?")
    with warnings.catch_warnings():
        # torchviz compares versions with distutils' LooseVersion, which warns on every call.
        warnings.simplefilter("ignore", DeprecationWarning)
        return make_dot(output, params=dict(model.named_parameters()))


def save_model_graph(model: torch.nn.Module, *inputs, path, formats=None) -> list[Path]:
    """Render the autograd graph of ``model(*inputs)`` to image file(s) with Graphviz.

    Args:
        model: the network.
        *inputs: an example input (a batch of one is enough).
        path: where to write, e.g. ``"figures/combined_model_graph.png"``. Its
            suffix (``.png`` or ``.svg``) is the format unless ``formats`` is given.
        formats: e.g. ``("png", "svg")`` to write both next to each other
            (the suffix of ``path`` is then replaced).

    Returns:
        The paths written.

    Raises:
        RuntimeError: if Graphviz's ``dot`` is not installed (with how to install it).
    """
    path = Path(check.instance("path", path, (str, Path), "a file path (str or Path)"))
    if formats is None:
        if path.suffix.lower() not in (".png", ".svg"):
            raise ValueError(f"path must end in .png or .svg (or pass formats=...), got {path.name!r}")
        formats = (path.suffix.lower()[1:],)
    elif isinstance(formats, str):
        formats = (formats,)
    check.instance("formats", formats, (list, tuple), "None, 'png', 'svg' or a list of them")
    for fmt in formats:
        check.one_of("formats", fmt, ("png", "svg"))
    if not graphviz_available():
        raise RuntimeError(GRAPHVIZ_INSTALL_HINT)
    graph = model_graph(model, *inputs)
    graph.graph_attr.update(dpi="96")
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        target.write_bytes(graph.pipe(format=fmt))
        written.append(target)
    return written
