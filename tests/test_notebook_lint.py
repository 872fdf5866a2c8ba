"""Every notebook is committed executed, with slide metadata and honest outputs."""

import copy

import pytest

from notebook_lint import exercise_problems, is_compared, lint, load, notebooks, output_text, solution_name, source

NOTEBOOKS = notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_rules(path):
    assert lint(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_the_course_structure(path):
    nb = load(path)
    markdown = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    outputs = "\n".join(output_text(c) for c in nb["cells"] if c["cell_type"] == "code")
    assert "What you will learn" in markdown
    assert "Bugs in the wild" in markdown
    assert "Summary" in markdown
    # Each exercise stores ⏳ under the learner's check and ✅ under its solution's own check.
    assert outputs.count("✅") >= 2 and outputs.count("⏳") >= 2
    assert "❌" not in outputs
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            assert cell["metadata"]["slideshow"]["slide_type"] == "skip", "solutions are skipped in slides"


def test_at_least_80_percent_of_all_code_cells_are_compared():
    code = [c for path in NOTEBOOKS for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert sum(is_compared(c) for c in code) / len(code) >= 0.8


def test_lint_catches_a_cleared_notebook():
    nb = copy.deepcopy(load(NOTEBOOKS[0]))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    problems = lint(nb, NOTEBOOKS[0].name)
    assert any("never executed" in p for p in problems)
    assert any("no code cell has an output" in p for p in problems)


def test_lint_catches_the_other_defects():
    nb = copy.deepcopy(load(NOTEBOOKS[0]))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["execution_count"] = 7
    code[1]["outputs"] = [{"output_type": "error", "ename": "ValueError", "evalue": "", "traceback": []}]
    code[2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "saved to /home/ana/x.pt\n"}]
    del nb["cells"][3]["metadata"]["slideshow"]
    for cell in code:
        cell["source"] = "# NBVAL_IGNORE_OUTPUT\nx = 1"
    problems = "\n".join(lint(nb, "notebook 1.ipynb"))
    for expected in ("NN_snake_case", "execution counts", "stores an error", "path or user name",
                     "slide_type", "compared by nbval", "none of the next two cells asserts"):
        assert expected in problems


# --------------------------------------------------------------------------- the exercise pattern


def _cell(kind, text, slide="-", tags=(), hidden=False, output=None):
    cell = {"cell_type": kind, "metadata": {"slideshow": {"slide_type": slide}}, "source": text}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    if hidden:
        cell["metadata"]["jupyter"] = {"source_hidden": True}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": output}] if output else []
    return cell


def _exercise(number="9.1", learner="def double(x):\n    raise NotImplementedError", arguments="double",
              solution="def double_solution(x):\n    return 2 * x\n\nchecks.exercise_9_1(double_solution)"):
    return [
        _cell("markdown", f"## Exercise {number} · Double it\n\nWrite `double(x)`.", slide="subslide"),
        _cell("code", learner),
        _cell("code", f"checks.exercise_{number.replace('.', '_')}({arguments})", tags=["check"],
              output=f"⏳ {number} not attempted yet\n"),
        _cell("code", solution, slide="skip", tags=["solution"], hidden=True, output=f"✅ {number} passed\n"),
    ]


def _notebook():
    return {"cells": [
        _cell("markdown", "# 09 · Demo", slide="slide"),
        _cell("code", "import torch\nfrom course_utils.checks import nb09 as checks"),
        _cell("markdown", "## Exercises", slide="slide"),
        *_exercise(),
        *_exercise("9.2", "answer_9_2 = ...   # e.g. (1, 2)", "answer_9_2",
                   "answer_9_2_solution = (2, 3)\nprint(answer_9_2_solution)\n\n"
                   "checks.exercise_9_2(answer_9_2_solution)"),
        _cell("markdown", "## Summary", slide="slide"),
        _cell("code", "print(torch.ones(2))"),
    ]}


EXERCISE = 3  # index of the first exercise's task cell
LEARNER, CHECK, SOLUTION = EXERCISE + 1, EXERCISE + 2, EXERCISE + 3


def test_a_notebook_that_follows_the_exercise_pattern_passes():
    assert exercise_problems(_notebook(), "09_demo.ipynb") == []


def test_solution_names():
    assert [solution_name(n) for n in ("answer_2_1", "conv2d_single", "Scale", "h_n_shape", "MLP")] == \
        ["answer_2_1_solution", "conv2d_single_solution", "ScaleSolution", "h_n_shape_solution", "MLPSolution"]


def _set(index, **changes):
    def change(nb):
        cell = nb["cells"][index]
        for key, value in changes.items():
            if key == "tags":
                cell["metadata"]["tags"] = value
            elif key == "slide":
                cell["metadata"]["slideshow"]["slide_type"] = value
            elif key == "hidden":
                cell["metadata"].pop("jupyter", None)
            elif key == "output":
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": value}]
            else:
                cell[key] = value
    return change


def _insert(index, cell):
    return lambda nb: nb["cells"].insert(index, cell)


def _cut_after(index):
    return lambda nb: nb["cells"].__delitem__(slice(index, None))


def _replace_exercise(**kwargs):
    return lambda nb: nb["cells"].__setitem__(slice(EXERCISE, EXERCISE + 4), _exercise(**kwargs))


BROKEN = {
    "solution overwrites the learner's name": (
        _set(SOLUTION, source="def double(x):\n    return 2 * x\n\nchecks.exercise_9_1(double)"),
        "exercise 9.1 (cell 3): the solution redefines the learner's ['double']"),
    "solution not tagged": (_set(SOLUTION, tags=[]), "the solution cell needs the tag 'solution'"),
    "solution not hidden": (_set(SOLUTION, hidden=False), "jupyter.source_hidden = true"),
    "solution on a slide": (_set(SOLUTION, slide="-"), "slide type 'skip'"),
    "solution without its own check": (
        _set(SOLUTION, source="def double_solution(x):\n    return 2 * x"),
        "the solution must end with checks.exercise_9_1(double_solution)"),
    "solution checking under another name": (
        _set(SOLUTION, source="def twice(x):\n    return 2 * x\n\nchecks.exercise_9_1(twice)"),
        "the solution must end with checks.exercise_9_1(double_solution)"),
    "solution that does not define its name": (
        _set(SOLUTION, source="checks.exercise_9_1(double_solution)"),
        "the solution must define its own double_solution"),
    "solution using the learner's function": (
        _set(SOLUTION, source="def double_solution(x):\n    return double(x)\n\nchecks.exercise_9_1(double_solution)"),
        "the solution uses the learner's ['double']"),
    "solution's output without ✅": (_set(SOLUTION, output="❌ 9.1: wrong\n"),
                                     "the solution's stored output must end with '✅ 9.1 passed'"),
    "check cell not tagged": (_set(CHECK, tags=[]), "the check cell needs slide type '-' and the tag 'check'"),
    "check cell skipped in slides": (_set(CHECK, slide="skip"), "the check cell needs slide type '-'"),
    "check cell that stored ✅": (_set(CHECK, output="✅ 9.1 passed\n"),
                                 "the check cell's stored output must be '⏳ 9.1 not attempted yet'"),
    "check cell doing more": (_set(CHECK, source="checks.exercise_9_1(double)\nprint(double)"),
                              "the cell after the learner's must be just `checks.exercise_9_1("),
    "check of a name the learner does not define": (_set(CHECK, source="checks.exercise_9_1(triple)"),
                                                    "not names the learner's cell defines"),
    "learner's cell already answered": (_set(LEARNER, source="def double(x):\n    return 2 * x"),
                                        "the learner's cell lost its placeholder"),
    "starter raising with a message": (_set(LEARNER, source="def double(x):\n    raise NotImplementedError('todo')"),
                                       "write the starter's `raise NotImplementedError` bare"),
    "learner's cell hidden in slides": (_set(LEARNER, slide="skip"), "the learner's cell must have slide type '-'"),
    "task not opening a slide": (_set(EXERCISE, slide="-"), "the task cell must open a slide or subslide"),
    "exercise of another notebook": (
        _replace_exercise(number="8.1",
                          solution="def double_solution(x):\n    return 2 * x\n\nchecks.exercise_8_1(double_solution)"),
        "an exercise of notebook 09 must be numbered 9.M"),
    "the same exercise twice": (_insert(EXERCISE + 4, _exercise()[0]), "exercise 9.1 appears twice"),
    "old pattern: the check again after the solution": (
        _insert(SOLUTION + 1, _cell("code", "checks.exercise_9_1(double)", output="✅ 9.1 passed\n")),
        "calls a checker or is tagged check/solution outside the exercise pattern"),
    "an old-style checker call": (_insert(SOLUTION + 1, _cell("code", "nb09.check_9_1(double)")),
                                  "outside the exercise pattern"),
    "a later cell using the learner's answer": (
        _insert(-1, _cell("code", "print(double(2))")),
        "uses double, the learner's answer to exercise 9.1: use double_solution"),
    "the old import": (_set(1, source="from course_utils.checks.nb09 import check_9_1, check_9_2"),
                       "the set-up cell (the first code cell) must contain the line "
                       "`from course_utils.checks import nb09 as checks`"),
    "an exercise cut short": (_cut_after(SOLUTION), "needs four cells: task, learner's cell, check, solution"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_the_exercise_rule_fails_when_broken(name):
    breaks, expected = BROKEN[name]
    nb = _notebook()
    breaks(nb)
    problems = "\n".join(exercise_problems(nb, "09_demo.ipynb"))
    assert expected in problems, problems


def test_lint_applies_the_exercise_rule_to_real_notebooks():
    nb = copy.deepcopy(load(NOTEBOOKS[0]))
    solution = next(c for c in nb["cells"] if "solution" in c["metadata"].get("tags", []))
    solution["metadata"]["tags"] = []
    assert any("needs the tag 'solution'" in p for p in lint(nb, NOTEBOOKS[0].name))
