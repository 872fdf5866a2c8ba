"""Every notebook is committed executed, with slide metadata and honest outputs."""

import copy

import pytest

from notebook_lint import is_compared, lint, load, notebooks, output_text, source

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
    # Each exercise is stored twice: "not attempted" before its solution, "passed" after it.
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
