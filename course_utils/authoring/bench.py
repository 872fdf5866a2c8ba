"""Measure the course on this machine and write a Markdown report.

    python -m course_utils.authoring.bench                      # writes benchmarks/RESULTS.md
    python -m course_utils.authoring.bench --out report.md --skip-nbval

What it measures, each on the machine it runs on:

1. ``import course_utils`` time in a fresh interpreter (median of 5);
2. every notebook's wall time, executed in a fresh kernel exactly as a learner runs it;
3. the numbers the training notebooks produce (training time and held-out
   accuracy), read from the kernel right after the notebook ran;
4. ``conv2d_loops`` / ``conv2d_unfold`` / ``F.conv2d`` times, as ratios;
5. the wall time of the whole strict ``pytest --nbval`` run over ``notebooks/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

# Code run in a notebook's kernel after the notebook finished; it prints one JSON
# object of the results that notebook trained for. The variable names are the
# notebooks' own (tests/test_bench.py checks that the notebooks define them).
PROBES = {
    "06_mnist_combined_model.ipynb": """
import json
print(json.dumps({
    "CombinedModel (the tutorial's)": {"seconds": train_seconds, "accuracy": test_accuracy["tutorial's model"],
                                       "target": "≥ 97.0 %, ≤ 15 s"},
    "RowRecurrentModel (rows as steps)": {"seconds": row_history.total_seconds,
                                          "accuracy": test_accuracy["rows as steps"], "target": "≥ 98.5 %, ≤ 30 s"},
}))
""",
    "07_resnet18.ipynb": """
import json
print(json.dumps({
    "ResNet18 (1-channel stem, 10 classes)": {"seconds": history.total_seconds,
                                              "accuracy": test_metrics["accuracy"], "target": "≥ 98.0 %, ≤ 45 s"},
}))
""",
}

#: Notebook 02's speed race: the second convolution of notebook 06's model on 4 maps, one thread.
CONV_SETUP = "input (4, 32, 14, 14), weight (64, 32, 3, 3), bias, padding 1, one thread"


def cpu_description() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores"


def import_time(repeats: int = 5) -> float:
    code = "import time; t = time.perf_counter(); import course_utils; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(repeats)
    ]
    return statistics.median(times)


def run_notebook(path: Path) -> tuple[float, dict]:
    """Execute ``path`` in a fresh kernel; return (wall seconds, probe results)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    results = {}
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        probe = PROBES.get(path.name)
        if probe:
            cell = nbformat.v4.new_code_cell(probe)
            notebook.cells.append(cell)  # nbclient stores each executed cell back into the notebook
            client.execute_cell(cell, len(notebook.cells) - 1)
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
            results = json.loads(text)
    return seconds, results


def conv_ratios(repeats: int = 5) -> dict:
    """Median times of the three conv2d implementations on notebook 02's layer (:data:`CONV_SETUP`)."""
    import torch
    import torch.nn.functional as F

    from course_utils.conv import conv2d_loops, conv2d_unfold

    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    torch.manual_seed(0)
    x, w, b = torch.randn(4, 32, 14, 14), torch.randn(64, 32, 3, 3), torch.randn(64)

    def median_time(function, n):
        times = []
        for _ in range(n):
            start = time.perf_counter()
            function(x, w, b, padding=1)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in notebook 02: a fair race, steady on a busy machine
    try:
        seconds = {
            "conv2d_loops": median_time(conv2d_loops, 1),  # about a second per call: once is plenty
            "conv2d_unfold": median_time(conv2d_unfold, repeats * 4),
            "F.conv2d": median_time(F.conv2d, repeats * 4),
        }
    finally:
        torch.set_num_threads(threads)
    return {"shape": CONV_SETUP, "seconds": seconds}


def nbval_run() -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "notebooks"], cwd=ROOT, capture_output=True, text=True
    )
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    return time.perf_counter() - start, last


def report(args) -> str:
    """The whole Markdown report: machine, import time, notebooks, training runs, conv2d, nbval."""
    sections = [_machine_section(), _notebook_sections(), _conv_section()]
    if not args.skip_nbval:
        sections.append(_nbval_section())
    return "\n".join(line for section in sections for line in section)


def _machine_section() -> list[str]:
    import torch

    return [
        "# Benchmark results",
        "",
        f"Measured with `python -m course_utils.authoring.bench` on {dt.date.today().isoformat()}.",
        "",
        f"- Machine: {cpu_description()}, {platform.system()} {platform.machine()}",
        f"- Python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} torch threads",
        "",
        "Timings vary with the machine and with whatever else runs on it; accuracies are seeded.",
        "",
        "## `import course_utils`",
        "",
        f"{import_time():.3f} s (median of 5 fresh interpreters; target < 1 s).",
        "",
    ]


def _notebook_sections() -> list[str]:
    """Each notebook's wall time, then what the training notebooks' probes report."""
    lines = ["## Notebooks (fresh kernel, run all; the kernel's start-up, about a second, not counted)", "",
             "| notebook | wall time | target |", "|---|---:|---:|"]
    trained, total = {}, 0.0
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        seconds, results = run_notebook(path)
        total += seconds
        trained.update(results)
        target = 90 if path.name.startswith("07") else 60
        lines.append(f"| {path.name} | {seconds:.1f} s | < {target} s |")
        print(f"{path.name}: {seconds:.1f} s", file=sys.stderr)
    lines += [f"| **all notebooks** | **{total:.1f} s** | |", ""]
    if trained:
        lines += ["## Training (as run inside the notebooks)", "",
                  "Training time excludes the validation after each epoch; accuracy is on the 2,000 test digits.",
                  "", "| model | training time | test accuracy | target |", "|---|---:|---:|---|"]
        lines += [f"| {name} | {values['seconds']:.1f} s | {100 * values['accuracy']:.2f} % | {values['target']} |"
                  for name, values in trained.items()]
        lines.append("")
    return lines


def _conv_section() -> list[str]:
    conv = conv_ratios()
    fast = conv["seconds"]["F.conv2d"]
    lines = ["## conv2d implementations", "", f"On {conv['shape']}; ratios are relative to `F.conv2d`.", "",
             "| implementation | median time | ratio |", "|---|---:|---:|"]
    for name, seconds in conv["seconds"].items():
        ratio = seconds / fast
        shown = f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
        lines.append(f"| `{name}` | {seconds * 1000:.2f} ms | {shown} |")
    return lines + [""]


def _nbval_section() -> list[str]:
    seconds, summary = nbval_run()
    return ["## Whole strict nbval run", "", f"`pytest notebooks` (strict `--nbval`): {seconds:.1f} s "
            f"(target < 240 s) — `{summary}`", ""]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Measure the course and write a Markdown report.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--skip-nbval", action="store_true", help="skip the whole strict nbval run")
    args = parser.parse_args(argv)
    text = report(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
