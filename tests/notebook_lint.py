"""Rules every committed notebook must follow (see design.md, "Rules for notebooks").

``lint(path_or_notebook)`` returns a list of problems, empty when the notebook is fine.
The rules exist because strict nbval has blind spots: a notebook whose cells were never
run, or whose outputs were cleared, passes it without checking anything.
"""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

from course_utils.authoring.notebooks import read_notebook, source

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NAME = re.compile(r"^\d\d_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
IGNORE_MARK = "NBVAL_IGNORE_OUTPUT"
NOT_COMPARED = (IGNORE_MARK, "NBVAL_SKIP")
# Output that would only be true on the machine that ran the notebook.
MACHINE_PATH = re.compile(r"(/root\b|/home/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\Users)")
MIN_COMPARED_SHARE = 0.6  # per notebook; the course as a whole must reach 0.8


def notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


load = read_notebook  # a path, or a notebook already in memory (returned as it is)


def output_text(cell) -> str:
    return json.dumps(cell.get("outputs", []), ensure_ascii=False)


def is_compared(cell) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    text = source(cell)
    return not any(mark in text for mark in NOT_COMPARED) and not any(
        tag in ("nbval-ignore-output", "nbval-skip") for tag in tags
    )


def lint(notebook, name: str | None = None) -> list[str]:
    nb = load(notebook)
    name = name or (Path(notebook).name if not isinstance(notebook, dict) else "notebook")
    problems = []
    if not NAME.match(name):
        problems.append(f"file name {name!r} is not NN_snake_case.ipynb")
    cells = nb.get("cells", [])
    code = [c for c in cells if c["cell_type"] == "code"]
    if not cells or cells[0]["cell_type"] != "markdown" or not source(cells[0]).lstrip().startswith("# "):
        problems.append("the first cell is not a markdown title ('# NN · Title')")
    elif name[:2].isdigit() and name[:2] not in source(cells[0]).splitlines()[0]:
        problems.append(f"the title does not show the notebook number {name[:2]}")
    counts = [c.get("execution_count") for c in code]
    if not code:
        problems.append("no code cells")
    if any(n is None for n in counts):
        problems.append(f"{counts.count(None)} code cell(s) never executed: strict nbval would skip them silently")
    elif counts != list(range(1, len(code) + 1)):
        problems.append(f"execution counts are {counts[:6]}…, not 1..{len(code)}: restart the kernel and run all")
    if code and not any(c.get("outputs") for c in code):
        problems.append("no code cell has an output: cleared notebooks pass nbval without checking anything")
    for i, cell in enumerate(cells):
        slide = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if slide not in SLIDE_TYPES:
            problems.append(f"cell {i} has no valid slideshow.slide_type (got {slide!r})")
    for i, cell in enumerate(code):
        text = output_text(cell)
        if '"output_type": "error"' in text:
            problems.append(f"code cell {i + 1} stores an error")
        match = MACHINE_PATH.search(text)
        user = getpass.getuser()
        if match or (len(user) > 3 and user != "root" and user in text):
            problems.append(f"code cell {i + 1} shows a path or user name of this machine ({match and match.group(0)})")
        if not is_compared(cell):
            following = code[i + 1 : i + 3]
            if not any("assert" in source(c) for c in following):
                problems.append(f"code cell {i + 1} has its output ignored "
                                "but none of the next two cells asserts anything")
    if code:
        share = sum(is_compared(c) for c in code) / len(code)
        if share < MIN_COMPARED_SHARE:
            problems.append(f"only {share:.0%} of code cells are compared by nbval (need ≥ {MIN_COMPARED_SHARE:.0%})")
    return problems
