"""The benchmark script measures what it says, on names that exist in the notebooks."""

import ast
import re

import pytest

from course_utils.authoring import bench
from course_utils.authoring.notebooks import read_notebook, source


def assigned_names(notebook_path):
    names = set()
    for cell in read_notebook(notebook_path).cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


@pytest.mark.parametrize("notebook", sorted(bench.PROBES))
def test_every_probe_reads_variables_its_notebook_defines(notebook):
    path = bench.NOTEBOOKS / notebook
    assert path.exists(), f"{notebook} is probed by course_utils.authoring.bench but does not exist"
    defined = assigned_names(path)
    used = {node.id for node in ast.walk(ast.parse(bench.PROBES[notebook]))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)} - {"json", "print"}
    assert used <= defined, f"{notebook} does not define {sorted(used - defined)}"


def test_conv_ratios_times_the_three_implementations_and_restores_threads():
    import torch

    threads = torch.get_num_threads()
    result = bench.conv_ratios(repeats=1)
    assert torch.get_num_threads() == threads
    seconds = result["seconds"]
    assert list(seconds) == ["conv2d_loops", "conv2d_unfold", "F.conv2d"]
    assert all(s > 0 for s in seconds.values())
    assert seconds["conv2d_loops"] > 10 * seconds["conv2d_unfold"]
    assert result["shape"] == bench.CONV_SETUP


@pytest.mark.parametrize("repeats", [0, -1, 2.5, True])
def test_conv_ratios_rejects_a_bad_repeat_count(repeats):
    with pytest.raises(ValueError, match="repeats must be a positive int"):
        bench.conv_ratios(repeats=repeats)


def test_machine_description_names_the_core_count():
    assert re.search(r"\d+ logical cores$", bench.cpu_description())


def test_import_time_is_measured_in_a_fresh_interpreter():
    seconds = bench.import_time(repeats=1)
    assert 0 < seconds < 5


def test_run_notebook_times_the_cells_and_reads_the_probe(tmp_path, monkeypatch):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 41 + 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(notebook, path)
    probe = 'import json\nprint(json.dumps({"tiny": {"seconds": 0.5, "accuracy": answer / 100, "target": "-"}}))'
    monkeypatch.setitem(bench.PROBES, path.name, probe)
    seconds, results = bench.run_notebook(path)
    assert 0 < seconds < 60
    assert results == {"tiny": {"seconds": 0.5, "accuracy": 0.42, "target": "-"}}
