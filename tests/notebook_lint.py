"""Rules every committed notebook must follow (the README, "Editing a notebook").

``lint(path_or_notebook)`` returns a list of problems, empty when the notebook is fine.
The rules exist because strict nbval has blind spots: a notebook whose cells were never
run, or whose outputs were cleared, passes it without checking anything.
"""

from __future__ import annotations

import ast
import getpass
import json
import re
from pathlib import Path

from support import NOTEBOOK_DIR

from course_utils.authoring.editions import EXERCISE_HEADING
from course_utils.authoring.notebooks import read_notebook, source

NAME = re.compile(r"^\d\d_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
# Output that would only be true on the machine that ran the notebook.
MACHINE_PATH = re.compile(r"(/root\b|/home/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\Users)")
MIN_COMPARED_SHARE = 0.6  # per notebook; the course as a whole must reach 0.8


def notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


load = read_notebook  # a path, or a notebook already in memory (returned as it is)


def output_text(cell) -> str:
    return json.dumps(cell.get("outputs", []), ensure_ascii=False)


def is_compared(cell) -> bool:
    """nbval's own rule: a marker counts only as a whole comment line (``# NBVAL_IGNORE_OUTPUT``)."""
    from nbval.plugin import find_comment_markers

    tags = cell.get("metadata", {}).get("tags", [])
    markers = dict(find_comment_markers(source(cell)))  # {"check": False} ignores, {"skip": True} skips
    ignored = markers.get("check") is False or markers.get("skip") is True
    return not ignored and not any(tag in ("nbval-ignore-output", "nbval-skip") for tag in tags)


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
    problems += exercise_problems(nb, name)
    return problems


# --------------------------------------------------------------------------- the exercise pattern
#
# Every exercise N.M is four consecutive cells:
#   1. task      markdown, slide/subslide, a heading "## Exercise N.M …" (or ###)
#   2. learner   code, slide type "-": the starter, still holding its placeholder
#                (``name = ...`` or a bare ``raise NotImplementedError``)
#   3. check     code, slide type "-", tagged "check": only ``checks.exercise_N_M(<the learner's names>)``;
#                its stored output is "⏳ N.M not attempted yet"
#   4. solution  code, slide type "skip", tagged "solution", ``"jupyter": {"source_hidden": true}``:
#                defines its OWN names (``name_solution``, ``ClassSolution``) and ends with
#                ``checks.exercise_N_M(<those names>)``, whose stored output is "✅ N.M passed"
# so that "run all" never overwrites a learner's answer and slides never show an unearned ✅.
# The set-up cell imports the checkers as ``from course_utils.checks import nbNN as checks``.

CHECK_CALL = re.compile(r"\b(?:exercise|check)_(\d+)_(\d+)\s*\(")  # any checker call, old names too
EXERCISE_TAGS = {"check", "solution"}
TASK_SLIDES = {"slide", "subslide"}


def solution_name(name: str) -> str:
    """The name a solution gives its version of the learner's ``name``."""
    return name + "Solution" if name[:1].isupper() and "_" not in name else name + "_solution"


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def _slide(cell):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def _parse(cell):
    """The cell's code as an AST (IPython magics and shell lines blanked), or None if it does not parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source(cell).splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def defined_names(tree) -> set:
    """Names bound at the top level of a cell: functions, classes, assignment targets."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _loaded_names(tree) -> set:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _has_placeholder(tree) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis:
            return True
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Name) and node.exc.id == "NotImplementedError":
            return True
    return False


def _check_call(tree, exercise_id):
    """The argument names of a final ``checks.exercise_N_M(name, …)`` statement, or None."""
    if tree is None or not tree.body:
        return None
    last = tree.body[-1]
    call = last.value if isinstance(last, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "checks"
            and call.func.attr == "exercise_" + exercise_id.replace(".", "_")
            and not call.keywords and all(isinstance(a, ast.Name) for a in call.args)):
        return None
    return [a.id for a in call.args]


def _stdout(cell) -> str:
    return "".join(
        "".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


def _learner_problems(where, cell):
    problems = []
    tree = _parse(cell)
    if cell["cell_type"] != "code" or tree is None:
        return [f"{where}: the learner's cell (after the task) is not a code cell that parses"], set()
    if _slide(cell) != "-" or _tags(cell) & EXERCISE_TAGS:
        problems.append(f"{where}: the learner's cell must have slide type '-' and no check/solution tag")
    if not _has_placeholder(tree):
        problems.append(f"{where}: the learner's cell lost its placeholder (`name = ...` or a bare "
                        f"`raise NotImplementedError`): commit the starter, not an answer")
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                getattr(node.exc.func, "id", None) == "NotImplementedError":
            problems.append(f"{where}: write the starter's `raise NotImplementedError` bare (no message): "
                            f"the checkers recognise only that one as 'not attempted'")
    return problems, defined_names(tree)


def _check_problems(where, cell, exercise_id, learner_names):
    problems = []
    tree = _parse(cell)
    arguments = _check_call(tree, exercise_id)
    if cell["cell_type"] != "code" or arguments is None or len(tree.body) != 1:
        return [f"{where}: the cell after the learner's must be just `checks.exercise_{exercise_id.replace('.', '_')}"
                f"(<the learner's names>)`"], []
    if _slide(cell) != "-" or "check" not in _tags(cell):
        problems.append(f"{where}: the check cell needs slide type '-' and the tag 'check'")
    if not arguments or not set(arguments) <= learner_names:
        problems.append(f"{where}: the check passes {arguments}, not names the learner's cell defines "
                        f"({sorted(learner_names)})")
    only_stdout = all(o.get("output_type") == "stream" and o.get("name") == "stdout" for o in cell.get("outputs", []))
    if _stdout(cell) != f"⏳ {exercise_id} not attempted yet\n" or not only_stdout:
        problems.append(f"{where}: the check cell's stored output must be '⏳ {exercise_id} not attempted yet'")
    return problems, arguments


def _solution_problems(where, cell, exercise_id, arguments, all_learner_names):
    tree = _parse(cell)
    if cell["cell_type"] != "code" or tree is None:
        return [f"{where}: the solution (after the check) is not a code cell that parses"]
    problems = []
    metadata = cell.get("metadata", {})
    if "solution" not in _tags(cell) or not metadata.get("jupyter", {}).get("source_hidden") \
            or _slide(cell) != "skip":
        problems.append(f"{where}: the solution cell needs the tag 'solution', "
                        f"jupyter.source_hidden = true and slide type 'skip'")
    expected = [solution_name(a) for a in arguments]
    if _check_call(tree, exercise_id) != expected:
        problems.append(f"{where}: the solution must end with checks.exercise_{exercise_id.replace('.', '_')}"
                        f"({', '.join(expected)})")
    elif not set(expected) <= defined_names(tree):
        problems.append(f"{where}: the solution must define its own {', '.join(expected)}")
    overwritten = defined_names(tree) & all_learner_names
    if overwritten:
        problems.append(f"{where}: the solution redefines the learner's {sorted(overwritten)}: "
                        f"running all cells would overwrite their answer")
    used = (_loaded_names(tree) - defined_names(tree)) & all_learner_names
    if used:
        problems.append(f"{where}: the solution uses the learner's {sorted(used)}; use its own names")
    output = _stdout(cell)
    if not output.endswith(f"✅ {exercise_id} passed\n") or "⏳" in output or "❌" in output:
        problems.append(f"{where}: the solution's stored output must end with '✅ {exercise_id} passed'")
    return problems


def _exercises(cells):
    """(index of the task cell, exercise id) for each exercise heading."""
    found = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            found += [(i, f"{m.group(1)}.{m.group(2)}") for m in EXERCISE_HEADING.finditer(source(cell))]
    return found


def _learner_names(cells, exercises):
    names = {}
    for i, exercise_id in exercises:
        tree = _parse(cells[i + 1]) if i + 1 < len(cells) and cells[i + 1]["cell_type"] == "code" else None
        for name in defined_names(tree) if tree else ():
            names[name] = (exercise_id, i + 1)
    return names


def exercise_problems(notebook, name: str | None = None) -> list[str]:
    """Problems with the exercise pattern (see the comment above); empty when every exercise follows it."""
    cells = load(notebook).get("cells", [])
    exercises = _exercises(cells)
    learner_names = _learner_names(cells, exercises)
    number = int(name[:2]) if name and name[:2].isdigit() else None
    problems, members, ids = [], set(), []
    for i, exercise_id in exercises:
        where = f"exercise {exercise_id} (cell {i})"
        group = cells[i:i + 4]
        members.update(range(i, i + 4))
        if exercise_id in ids:
            problems.append(f"{where}: exercise {exercise_id} appears twice")
        ids.append(exercise_id)
        if number is not None and int(exercise_id.split(".")[0]) != number:
            problems.append(f"{where}: an exercise of notebook {name[:2]} must be numbered {number}.M")
        if _slide(cells[i]) not in TASK_SLIDES:
            problems.append(f"{where}: the task cell must open a slide or subslide")
        if len(group) < 4:
            problems.append(f"{where}: needs four cells: task, learner's cell, check, solution")
            continue
        found, own_names = _learner_problems(where, group[1])
        problems += found
        found, arguments = _check_problems(where, group[2], exercise_id, own_names)
        problems += found
        problems += _solution_problems(where, group[3], exercise_id, arguments, set(learner_names))
    problems += _stray_problems(cells, members)
    problems += _later_use_problems(cells, learner_names, members)
    problems += _setup_problems(cells, exercises, name)
    return problems


def _stray_problems(cells, members):
    problems = []
    for i, cell in enumerate(cells):
        if i in members or cell["cell_type"] != "code":
            continue
        if CHECK_CALL.search(source(cell)) or _tags(cell) & EXERCISE_TAGS:
            problems.append(f"cell {i} calls a checker or is tagged check/solution outside the exercise pattern "
                            f"(task → learner's cell → check → solution)")
    return problems


def _later_use_problems(cells, learner_names, members):
    problems = []
    for i, cell in enumerate(cells):
        tree = _parse(cell) if cell["cell_type"] == "code" and i not in members else None
        if tree is None:
            continue
        used = (_loaded_names(tree) - defined_names(tree)) & {n for n, (_, at) in learner_names.items() if at < i}
        for name_ in sorted(used):
            problems.append(f"cell {i} uses {name_}, the learner's answer to exercise {learner_names[name_][0]}: "
                            f"use {solution_name(name_)} or the lesson's own code")
    return problems


def _setup_problems(cells, exercises, name):
    if not exercises or not name or not name[:2].isdigit():
        return []
    setup = next((c for c in cells if c["cell_type"] == "code"), None)
    line = f"from course_utils.checks import nb{name[:2]} as checks"
    if setup is None or line not in source(setup).splitlines():
        return [f"the set-up cell (the first code cell) must contain the line `{line}`"]
    return []
