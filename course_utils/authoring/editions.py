"""The student and solutions editions of the course notebooks.

Usage::

    python -m course_utils.authoring.editions student      # notebooks/*.ipynb -> build/student/
    python -m course_utils.authoring.editions solutions    # notebooks/*.ipynb -> build/solutions/
    python -m course_utils.authoring.editions student --out /tmp/handout notebooks/02_conv2d_by_hand.ipynb
    python -m course_utils.authoring.editions student --language zh   # notebooks/zh/ -> build/student/zh/

The notebooks in ``notebooks/`` are the teacher's edition: every exercise is four cells (the task,
the learner's cell, a check cell tagged ``check``, a hidden solution tagged ``solution``). The two
editions are made from them by nbconvert preprocessors
(https://nbconvert.readthedocs.io/en/latest/api/preprocessors.html) on a ``NotebookExporter``;
the notebooks themselves are never touched.

* **student** (``build/student/NN_name.ipynb``, to hand out): nbconvert's ``TagRemovePreprocessor``
  removes the cells tagged ``solution`` and clears the outputs of the cells tagged ``check``
  (``remove_all_outputs_tags``, which also clears their execution count: a cleared cell shows
  ``[ ]``, like a cell never run). Every other cell keeps its source, its outputs and its
  execution count as the teacher's "Run all" left them: the counts then skip the numbers of the
  removed and cleared cells, which is the truth about that run; renumbering them would pair
  each output with a count it never had. :class:`.EmbedLocalImages` (the decks' preprocessor)
  embeds the ``../figures`` images, so the edition shows them wherever it is copied.
* **solutions** (``build/solutions/NN_name.ipynb``, for after the session): a notebook per lesson
  with, for each exercise, its task and its solution, visible, with the ✅ it printed
  (:class:`KeepExercises`; the tasks' figures embedded as above). It opens in JupyterLab or any
  notebook viewer. Each solution ran in its lesson after the cells above it (a solution may use
  the lesson's imports and earlier definitions), so it is read here and run there: pasted into
  the lesson below the task. A notebook of only tasks and solutions could not run on its own.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

from course_utils.authoring.notebooks import (
    LANGUAGES,
    check_language,
    in_language,
    notebook_language,
    read_notebook,
    source,
)
from course_utils.authoring.slide_preprocessors import EmbedLocalImages
from course_utils.authoring.slides import default_notebooks

__all__ = ["EDITIONS", "EXERCISE_WORD", "EXERCISE_HEADING", "KeepExercises", "exercises", "export_edition",
           "build_edition", "main"]

#: Each edition's default output folder.
EDITIONS = {"student": Path("build") / "student", "solutions": Path("build") / "solutions"}
#: What an exercise is called in each language's headings.
EXERCISE_WORD = {"en": "Exercise", "zh": "练习"}
#: The heading that opens an exercise's task cell: ``## Exercise 2.3 — …`` (or ``###``), in the
#: Chinese edition ``## 练习 2.3 — …``.
EXERCISE_HEADING = re.compile(rf"^#{{2,3}} (?:{'|'.join(EXERCISE_WORD.values())}) (\d+)\.(\d+)\b", re.MULTILINE)
SOLUTION_TAG = "solution"
CHECK_TAG = "check"


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def exercises(notebook) -> list[tuple[str, int, int]]:
    """``(exercise id, index of the task cell, index of the solution cell)`` for each exercise, in order.

    The solution is the first cell tagged ``solution`` after the task (the exercise pattern puts
    it three cells later); an exercise without one is reported by ``tests/notebook_lint.py``.
    """
    cells = read_notebook(notebook).cells
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for match in EXERCISE_HEADING.finditer(source(cell)):
            solution = next((j for j in range(i + 1, len(cells)) if SOLUTION_TAG in _tags(cells[j])), None)
            if solution is not None:
                found.append((f"{match.group(1)}.{match.group(2)}", i, solution))
    return found


class KeepExercises(Preprocessor):
    """Keep only each exercise's task and solution, the solution's source shown, under a short header.

    The header (a new markdown cell) names the lesson and says how to use the solutions.
    """

    def preprocess(self, nb, resources):
        title = source(nb.cells[0]).splitlines()[0].lstrip("# ").strip() if nb.cells else "Solutions"
        name = (resources.get("metadata") or {}).get("name", "")
        kept = []
        for _, task, solution in exercises(nb):
            cell = nb.cells[solution]
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            if not cell.metadata.get("jupyter", True):
                del cell.metadata["jupyter"]
            kept += [nb.cells[task], cell]
        header = _solutions_header(title, name, len(kept) // 2, notebook_language(nb))
        nb.cells = [header] + kept
        return nb, resources


def _solutions_header(title: str, name: str, count: int, language: str = "en"):
    import nbformat

    if language == "zh":
        lesson = f"`notebooks/zh/{name}.ipynb`" if name else "本课"
        text = (f"# 参考答案 · {title}\n\n"
                f"{lesson} 的 {count} 道练习，每道附教师的参考答案及其打印的 ✅。"
                "请先在课程 notebook 里自己完成练习，再来对照。\n\n"
                "每个参考答案都是在课程 notebook 中、在其题目之前的单元格之后运行的。要运行某个答案，"
                "把它粘贴到课程 notebook 中该题目的下方并在那里运行，它的检查会再次打印 ✅。")
    else:
        lesson = f"`notebooks/{name}.ipynb`" if name else "the lesson"
        text = (f"# Solutions · {title}\n\n"
                f"The {count} exercises of {lesson}, each with the teacher's solution and the ✅ it printed. "
                "Try each exercise in the lesson first; compare afterwards.\n\n"
                "Each solution ran in the lesson, after the cells above its task. To run one, paste it into the "
                "lesson below the task and run it there; its check prints ✅ again.")
    return nbformat.v4.new_markdown_cell(
        text, metadata={"tags": ["edition-header"], "slideshow": {"slide_type": "slide"}})


def _preprocessors(edition: str) -> list:
    from nbconvert.preprocessors import TagRemovePreprocessor

    if edition == "student":
        return [TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, remove_all_outputs_tags={CHECK_TAG}),
                EmbedLocalImages()]
    if edition == "solutions":
        return [KeepExercises(), EmbedLocalImages()]
    raise ValueError(f"edition: expected one of {sorted(EDITIONS)}, got {edition!r}")


def export_edition(notebook, edition: str, out_dir) -> Path:
    """Write ``<out_dir>/<notebook name>.ipynb``, the ``edition`` (``"student"`` or ``"solutions"``) of it."""
    from nbconvert import NotebookExporter

    preprocessors = _preprocessors(edition)  # checks ``edition`` before any work
    path = Path(notebook)
    nb = read_notebook(path)
    exporter = NotebookExporter()
    for preprocessor in preprocessors:
        exporter.register_preprocessor(preprocessor, enabled=True)
    resources = {"metadata": {"name": path.stem, "path": str(path.parent.resolve())}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / path.name
    target.write_text(body, encoding="utf-8")
    return target


def build_edition(edition: str, notebooks=None, out_dir=None, log=print, language: str = "en") -> list[Path]:
    """Export ``edition`` of every notebook (default: ``language``'s, ``notebooks/*.ipynb`` or
    ``notebooks/zh/*.ipynb``) into ``out_dir`` (default: ``build/<edition>``, ``build/<edition>/zh``)."""
    _preprocessors(edition)
    check_language(language)
    paths = default_notebooks(language) if notebooks is None else [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks: none given and no notebooks/*.ipynb found; "
                         "pass notebook paths or run from the repository root")
    out = Path(out_dir) if out_dir is not None else in_language(EDITIONS[edition], language)
    written = []
    for path in paths:
        target = export_edition(path, edition, out)
        log(f"{target}: {len(exercises(path))} exercises")
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.authoring.editions",
                                     description="Write the student or the solutions edition of the notebooks.")
    parser.add_argument("edition", choices=sorted(EDITIONS))
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, help="output folder (default: build/student or build/solutions, "
                                                 "with /zh for the Chinese edition)")
    parser.add_argument("--language", choices=sorted(LANGUAGES), default="en",
                        help="the edition to export when no notebooks are given (default: en)")
    args = parser.parse_args(argv)
    try:
        build_edition(args.edition, args.notebooks or None, args.out, language=args.language)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
