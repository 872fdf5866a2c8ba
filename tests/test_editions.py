"""The student and solutions editions (course_utils/authoring/editions.py), built from every notebooks/*.ipynb
and, for the Chinese edition, every notebooks/zh/*.ipynb.

The exercises are found here with ``tests/notebook_lint.py``'s own parser, not the editions', so
a heading the editions miss fails these tests. The student notebooks are executed in English only:
the Chinese edition's code is the English code (tests/test_translations.py proves it), so running it
again would only double the time.
"""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support import edition_language, label

from course_utils.authoring.editions import build_edition, export_edition
from course_utils.authoring.notebooks import in_language, notebook_language, read_notebook, source
from course_utils.checks import msg

from notebook_lint import NOTEBOOK_DIR, _exercises, _parse, defined_names, notebooks

NOTEBOOKS = notebooks()
BOTH_EDITIONS = NOTEBOOKS + sorted((NOTEBOOK_DIR / "zh").glob("*.ipynb"))
# Two kernels at a time on the two cores, each with its share of the threads.
KERNEL_WORKERS = 2
KERNEL_THREADS = str(max(1, (os.cpu_count() or 2) // KERNEL_WORKERS))
DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+")
FIGURE_PATH = re.compile(r"(?:\.\./)+figures/[\w.-]+")  # ../figures, or ../../figures from notebooks/zh


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _same_except_figures(edited: str, original: str) -> bool:
    """Equal once embedded images and ``../figures`` paths are both written as one placeholder."""
    return DATA_URL.sub("<img>", edited) == FIGURE_PATH.sub("<img>", original)


def _built(edition: str, out: Path) -> Path:
    """Build ``edition`` of both languages' notebooks under ``out`` (``out/zh`` for the Chinese one)."""
    for language in ("en", "zh"):
        paths = [p for p in BOTH_EDITIONS if edition_language(p) == language]
        if paths:
            build_edition(edition, paths, in_language(out, language), log=lambda *_: None)
    return out


def _edition_file(out: Path, notebook: Path) -> Path:
    return in_language(out, edition_language(notebook)) / notebook.name


def _exercise_ids(nb) -> list[str]:
    return [exercise_id for _, exercise_id in _exercises(nb.cells)]


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return _built("student", tmp_path_factory.mktemp("student"))


@pytest.fixture(scope="module")
def solutions(tmp_path_factory):
    return _built("solutions", tmp_path_factory.mktemp("solutions"))


def test_every_notebook_has_exercises():
    assert NOTEBOOKS, "no notebooks/*.ipynb found"
    missing = [p.name for p in NOTEBOOKS if not _exercise_ids(read_notebook(p))]
    assert not missing, f"no '## Exercise N.M' heading in {missing}"


@pytest.mark.parametrize("notebook", BOTH_EDITIONS, ids=label)
def test_student_edition_removes_solutions_and_clears_checks(student, notebook):
    original = read_notebook(notebook)
    edition = read_notebook(_edition_file(student, notebook))
    kept = [c for c in original.cells if "solution" not in _tags(c)]
    assert len(edition.cells) == len(kept), "the student edition must drop exactly the cells tagged 'solution'"
    solution_names = set()
    for cell in original.cells:
        if "solution" in _tags(cell):
            solution_names |= defined_names(_parse(cell))
    assert solution_names, "the solutions define no names: the name check below would prove nothing"
    for i, (cell, before) in enumerate(zip(edition.cells, kept, strict=True)):
        assert "solution" not in _tags(cell)
        left = {name for name in solution_names if re.search(rf"\b{re.escape(name)}\b", source(cell))}
        assert not left, f"cell {i} still names the solutions' {sorted(left)}"
        if cell.cell_type == "markdown":
            assert "../figures/" not in source(cell), f"cell {i}: a figure was not embedded"
            assert _same_except_figures(source(cell), source(before)), f"cell {i}: the text changed"
            continue
        assert source(cell) == source(before), f"cell {i}: the code changed"
        if "check" in _tags(cell):
            assert cell.outputs == [] and cell.execution_count is None, f"check cell {i} is not cleared"
        else:
            assert cell.outputs == before.outputs, f"cell {i}: its outputs changed"
            assert cell.execution_count == before.execution_count, f"cell {i}: its count changed"
    assert edition.metadata == original.metadata


def _execute(path: Path) -> tuple[object, float]:
    """Run ``path`` in a fresh kernel (cwd: its folder); return the executed notebook and the seconds taken."""
    from nbclient import NotebookClient

    nb = read_notebook(path)
    env = dict(os.environ, OMP_NUM_THREADS=KERNEL_THREADS, MKL_NUM_THREADS=KERNEL_THREADS)
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute(env=env)
    return nb, time.perf_counter() - start


@pytest.fixture(scope="module")
def student_runs(student):
    """Every student notebook executing in a fresh kernel, KERNEL_WORKERS at a time, all started at once."""
    pool = ThreadPoolExecutor(max_workers=KERNEL_WORKERS)
    futures = {p.name: pool.submit(_execute, student / p.name) for p in NOTEBOOKS}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)
    seconds = {name: round(f.result()[1], 1) for name, f in futures.items() if f.done() and not f.exception()}
    print("\nseconds per student notebook:", seconds)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_student_edition_runs_and_shows_its_exercises_not_attempted(student_runs, notebook):
    """The student notebook runs top to bottom without error; each check says ⏳ and nothing says ✅."""
    nb, _ = student_runs[notebook.name].result()  # a cell's error is raised here, with its traceback
    expected = [f"⏳ {exercise_id} not attempted yet\n" for exercise_id in _exercise_ids(nb)]
    assert expected, "the student edition lost its exercise headings"
    printed = [_stdout(c) for c in nb.cells if "check" in _tags(c)]
    assert printed == expected
    passed = [i for i, c in enumerate(nb.cells) if "✅" in str(c.get("outputs", []))]
    assert not passed, f"cells {passed} show ✅ although no exercise was attempted"


@pytest.mark.parametrize("notebook", BOTH_EDITIONS, ids=label)
def test_solutions_edition_holds_each_task_and_solution_only(solutions, notebook):
    original = read_notebook(notebook)
    edition = read_notebook(_edition_file(solutions, notebook))
    language = notebook_language(original)
    header, *cells = edition.cells
    assert header.cell_type == "markdown" and header.metadata.get("tags") == ["edition-header"]
    exercises = _exercises(original.cells)
    assert len(cells) == 2 * len(exercises), "expected exactly a task and a solution per exercise"
    for (task_index, exercise_id), task, solution in zip(exercises, cells[0::2], cells[1::2], strict=True):
        assert _same_except_figures(source(task), source(original.cells[task_index])), exercise_id
        expected = next(c for c in original.cells[task_index + 1:] if "solution" in _tags(c))
        assert source(solution) == source(expected), f"{exercise_id}: not its solution"
        assert not solution.metadata.get("jupyter", {}).get("source_hidden"), f"{exercise_id}: solution hidden"
        passed = msg("✅ {id} passed", id=exercise_id).render(language)  # "✅ 2.1 通过" in the Chinese edition
        assert _stdout(solution).endswith(passed + "\n"), f"{exercise_id}: no {passed!r} output"
    assert exercise_id_list(edition) == [exercise_id for _, exercise_id in exercises]


def exercise_id_list(nb) -> list[str]:
    return [exercise_id for _, exercise_id in _exercises(nb.cells)]


def test_an_unknown_edition_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"edition: expected one of \['solutions', 'student'\], got 'teacher'"):
        export_edition(NOTEBOOKS[0], "teacher", tmp_path)
    assert not list(tmp_path.iterdir())
