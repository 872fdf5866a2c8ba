"""Which slides a notebook's ``slideshow`` metadata makes, computed without a browser.

This is nbconvert's rule (its reveal template groups cells this way, and RISE does the same);
the browser tests compare :func:`slide_plan` with what reveal.js counts:

* ``skip`` cells are left out; ``notes`` cells go into the speaker notes of the current slide.
* The first cell that is neither ``skip`` nor ``notes`` opens slide 1, whatever its type.
* After it, a ``slide`` cell opens a new horizontal slide, a ``subslide`` cell a new slide
  below the current one (reveal.js counts both: ``Reveal.getTotalSlides()``).
* ``fragment`` cells appear one at a time on the current slide but do not add a slide;
  ``-`` cells (and cells without ``slideshow`` metadata) simply continue it.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_utils.authoring.notebooks import read_notebook, source

__all__ = ["SLIDE_TYPES", "Subslide", "SlidePlan", "slide_plan"]

SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")


@dataclass(frozen=True)
class Subslide:
    """One reveal.js slide: ``h`` is its horizontal index, ``v`` its index below that (0 = top)."""

    h: int
    v: int
    cells: tuple[int, ...]  # notebook cell indices shown on it (notes included, skip not)
    title: str


@dataclass(frozen=True)
class SlidePlan:
    """The slides a notebook's ``slideshow`` metadata asks for (see the module docstring)."""

    subslides: tuple[Subslide, ...]
    fragments: int
    notes: int
    skipped: int

    @property
    def total(self) -> int:
        """What ``Reveal.getTotalSlides()`` reports: every slide and subslide."""
        return len(self.subslides)

    @property
    def horizontal(self) -> int:
        """What ``Reveal.getHorizontalSlides().length`` reports."""
        return len({s.h for s in self.subslides})

    def locate(self, cell_index: int) -> Subslide | None:
        """The slide showing notebook cell ``cell_index`` (None for skipped cells)."""
        return next((s for s in self.subslides if cell_index in s.cells), None)

    def at(self, h: int, v: int) -> Subslide | None:
        """The slide at reveal.js position ``#/h/v`` (None if there is none)."""
        return next((s for s in self.subslides if (s.h, s.v) == (h, v)), None)


def _title(cells) -> str:
    """A slide's title: its first markdown heading, else the start of its first non-empty line."""
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in source(cell).splitlines():
                if line.lstrip().startswith("#"):
                    return line.lstrip("# ").strip()
    for cell in cells:
        for line in source(cell).splitlines():
            if line.strip():
                kind = "code" if cell["cell_type"] == "code" else "text"
                return f"({kind}) {line.strip()[:60]}"
    return "(empty)"


def _slide_types(cells) -> list[str]:
    types = []
    for i, cell in enumerate(cells):
        kind = (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type", "-")
        if kind not in SLIDE_TYPES:
            raise ValueError(f"cell {i}: slideshow.slide_type must be one of {', '.join(SLIDE_TYPES)}; "
                             f"got {kind!r}. Set it in JupyterLab's Property Inspector.")
        types.append(kind)
    return types


def slide_plan(notebook) -> SlidePlan:
    """Compute the slides, fragments and notes that nbconvert and reveal.js make of ``notebook``.

    Args:
        notebook: a path to an ``.ipynb`` file or a notebook (see :func:`read_notebook`).

    Returns:
        a :class:`SlidePlan`; ``plan.total`` is the number of slides reveal.js counts.

    Raises:
        ValueError: when a slide type is unknown or every cell is skipped or notes.
    """
    cells = read_notebook(notebook).get("cells", [])
    types = _slide_types(cells)
    first = next((i for i, t in enumerate(types) if t not in ("skip", "notes")), None)
    if first is None:
        raise ValueError("every cell is 'skip' or 'notes': there is nothing to show; "
                         "give the title cell slide_type 'slide'")
    groups: list[tuple[int, int, list[int]]] = []
    h, v = -1, 0
    for i, kind in enumerate(types):
        if kind == "skip":
            continue
        if i == first or (i > first and kind == "slide"):
            h, v = h + 1, 0
            groups.append((h, v, []))
        elif i > first and kind == "subslide":
            v += 1
            groups.append((h, v, []))
        if groups:  # notes before the first slide belong to no slide
            groups[-1][2].append(i)
    subslides = tuple(
        Subslide(h, v, tuple(members), _title([cells[j] for j in members if types[j] != "notes"]))
        for h, v, members in groups
    )
    fragments = sum(kind == "fragment" for i, kind in enumerate(types) if i > first)
    return SlidePlan(subslides, fragments, notes=types.count("notes"), skipped=types.count("skip"))
