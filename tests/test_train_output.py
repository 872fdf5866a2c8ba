"""What ``fit`` leaves on screen: the finished run, in a stored notebook and in a terminal.

A notebook opened without running it shows each output's stored content: tqdm's widgets are
not restored, so before this test existed the reader saw the first frame, ``epochs: 0% | 0/3``.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

TRAIN = textwrap.dedent("""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    from course_utils.repro import seed_everything
    from course_utils.train import fit

    seed_everything(0)
    inputs = torch.randn(96, 2)
    targets = (inputs.sum(1) > 0).long()
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = nn.Linear(2, 2)
    history = fit(model, loader, 2, torch.optim.SGD(model.parameters(), lr=0.5), val_loader=loader)
    print("trained", len(history), "epochs")
""")

FIRST_FRAME = re.compile(r"\b0/\d+")


def table_lines(text):
    """The lines of the per-epoch table: a header, then rows starting with the epoch number."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["epoch", "train", "loss"])
    return lines[header], [line.split() for line in lines[header + 1:header + 3]]


def stored_text(cell):
    """Everything a reader of the saved notebook can see in ``cell``, as text and HTML."""
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        for mime in ("text/plain", "text/html"):
            parts.append(output.get("data", {}).get(mime, ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRAIN)])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    return notebook.cells[0]


def test_the_stored_notebook_shows_the_finished_run_not_the_first_frame(executed):
    text = stored_text(executed)
    assert not FIRST_FRAME.search(text), text
    assert "epochs: 100%" in text and "2/2" in text
    assert "epoch 2: 100%" in text and "6/6" in text  # the last epoch's batches, all done
    header, rows = table_lines(next(o["data"]["text/plain"] for o in executed.outputs
                                    if "epoch" in o.get("data", {}).get("text/plain", "")
                                    and "train loss" in o["data"]["text/plain"]))
    assert header.split() == ["epoch", "train", "loss", "train", "accuracy", "val", "loss", "val",
                              "accuracy", "seconds"]
    assert [row[0] for row in rows] == ["1", "2"]
    assert "trained 2 epochs" in text


def test_the_stored_table_is_also_html_for_jupyterlab(executed):
    html = next(o["data"]["text/html"] for o in executed.outputs if "text/html" in o.get("data", {}))
    assert html.startswith("<table>") and html.count("<tr>") == 3  # header and two epochs
    assert "<th>val accuracy</th>" in html


def test_no_widget_is_left_in_the_stored_outputs(executed):
    for output in executed.outputs:
        assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {})


def test_in_a_terminal_bars_go_to_stderr_and_the_table_to_stdout():
    result = subprocess.run([sys.executable, "-c", TRAIN], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    header, rows = table_lines(result.stdout)
    assert header.split()[:3] == ["epoch", "train", "loss"] and [row[0] for row in rows] == ["1", "2"]
    assert "trained 2 epochs" in result.stdout
    assert "epochs: 100%" in result.stderr and "2/2" in result.stderr
    assert "Traceback" not in result.stderr


def test_progress_false_prints_nothing():
    quiet = TRAIN.replace("val_loader=loader)", "val_loader=loader, progress=False)")
    result = subprocess.run([sys.executable, "-c", quiet], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "trained 2 epochs\n" and result.stderr == ""


def test_without_ipywidgets_a_notebook_gets_text_bars_and_still_the_table(tmp_path):
    hidden = "import sys\nsys.modules['ipywidgets'] = None  # as if it were not installed\n" + TRAIN
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(hidden)])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = notebook.cells[0].outputs
    assert any("text/html" in o.get("data", {}) for o in outputs)  # the table
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "epochs: 100%" in stderr and "trained 2 epochs" in stored_text(notebook.cells[0])
