"""The Chinese edition is current and is the English course: same code, same outputs, translated prose.

- every translatable English cell has a translation of its current text (else: missing / stale, by cell id);
- the committed notebooks/zh/ are what the generator makes from the English and the translations;
- every Chinese code cell is the English code (comments aside) and printed the same outputs (checker
  lines aside, which speak the learner's language) — so strict nbval on the English notebooks verifies both;
- the terms follow docs/glossary.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_utils.authoring import translate
from course_utils.authoring.notebooks import read_notebook, source

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = translate.english_notebooks()
LANGUAGE = "zh"
CHECKER_LINE = re.compile(r"^[✅❌⏳] \d+\.\d+", re.M)


def _ids(paths):
    return [p.stem[:2] for p in paths]


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_every_cell_has_a_current_translation(notebook):
    state = translate.status(LANGUAGE, notebook)
    assert state.current, (f"{state}\nRun `python -m course_utils.authoring.translate {LANGUAGE} --todo "
                           f"{notebook.relative_to(ROOT)}`, translate the worklist, --merge it, then `make zh`.")


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_the_chinese_notebook_is_what_the_generator_makes(notebook):
    expected = translate.translated_notebook(LANGUAGE, notebook)
    committed = read_notebook(ROOT / "notebooks" / LANGUAGE / notebook.name)
    assert [c.id for c in committed.cells] == [c.id for c in expected.cells]
    stale = [c.id for c, e in zip(committed.cells, expected.cells) if source(c) != source(e)]
    assert stale == [], f"notebooks/{LANGUAGE}/{notebook.name} is out of date in cells {stale}: run `make zh`"


def _comparable(outputs) -> list:
    """What a cell printed, for comparison: text and HTML, without checker lines and images."""
    kept = []
    for out in outputs:
        if out["output_type"] == "stream":
            kept.append(("stream", out["name"], CHECKER_LINE.sub("<check>", out["text"])))
        elif out["output_type"] in ("execute_result", "display_data"):
            data = {k: v for k, v in out["data"].items() if k in ("text/plain", "text/html", "text/markdown")}
            kept.append(("data", json.dumps(data, sort_keys=True, ensure_ascii=False)))
        else:
            kept.append((out["output_type"],))
    return kept


def _checker_ids(outputs) -> list[str]:
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    return [line.split()[1] for line in CHECKER_LINE.findall(text)]


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_chinese_code_and_outputs_are_the_english_ones(notebook):
    english = read_notebook(notebook).cells
    chinese = read_notebook(ROOT / "notebooks" / LANGUAGE / notebook.name).cells
    problems = []
    for en, zh in zip(english, chinese):
        if en.cell_type != "code":
            continue
        en_code = source(en).replace('checks.set_language("en")', f'checks.set_language("{LANGUAGE}")')
        if translate.code_without_comments(source(zh)) != translate.code_without_comments(en_code):
            problems.append(f"cell {en.id}: the code differs from the English (only comments may)")
        if zh.execution_count is None:
            problems.append(f"cell {en.id}: never executed")
        ignored = "NBVAL_IGNORE_OUTPUT" in source(en) or "NBVAL_SKIP" in source(en)
        if not ignored and _comparable(zh.outputs) != _comparable(en.outputs):
            problems.append(f"cell {en.id}: printed something other than the English cell")
        if _checker_ids(zh.outputs) != _checker_ids(en.outputs):
            problems.append(f"cell {en.id}: checker lines {_checker_ids(zh.outputs)} ≠ {_checker_ids(en.outputs)}")
    assert problems == []


def test_checker_lines_speak_chinese():
    zh = read_notebook(ROOT / "notebooks" / LANGUAGE / ENGLISH[0].name)
    text = "".join(o.get("text", "") for c in zh.cells if c.cell_type == "code" for o in c.outputs)
    assert "尚未作答" in text and "not attempted" not in text


# --------------------------------------------------------------------------- the glossary


def glossary() -> list[tuple[str, str]]:
    """(English, 中文) for the rows of docs/glossary.md marked ✓."""
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[2] == "✓":
            rows.append((cells[0], cells[1]))
    return rows


def test_the_glossary_covers_the_notation_table():
    english = {en for en, _ in glossary()}
    for term in ("batch size", "channel", "height", "width", "sequence length", "hidden size",
                 "number of directions"):
        assert term in english, term


def _uses(prose: str, term: str) -> bool:
    return re.search(rf"\b{re.escape(term)}(s|es)?\b", prose, re.I) is not None


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_translations_use_the_glossary_terms(notebook):
    store = translate.load_store(LANGUAGE, notebook.stem)
    problems = []
    for cell in read_notebook(notebook).cells:
        if cell.cell_type != "markdown" or cell.id not in store:
            continue
        prose = translate.prose(source(cell))
        for english, chinese in glossary():
            if _uses(prose, english) and chinese not in store[cell.id]["text"]:
                problems.append(f"cell {cell.id}: '{english}' should be '{chinese}'")
    assert problems == []
