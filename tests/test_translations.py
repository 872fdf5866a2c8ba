"""The Chinese edition is current and is the English course: same code, same outputs, translated prose.

- every translatable English cell has a translation of its current text (else: missing / stale, by cell id);
- the committed notebooks/zh/ are what the generator makes from the English and the translations;
- every Chinese code cell is the English code (comments aside; the set-up cell also switches the
  checkers to Chinese) and printed the same outputs, after nbval's own sanitising rules (checker
  lines aside, which speak the learner's language, and figures' pixels, which are compared by their
  kind and size) — so strict nbval on the English notebooks verifies both. nbval itself does not
  collect notebooks/zh/ (pyproject.toml): running the same code twice would only double the time;
- the terms follow docs/glossary.md.
"""

from __future__ import annotations

import configparser
import copy
import json
import re
from pathlib import Path

import pytest

from course_utils.authoring import translate
from course_utils.authoring.notebooks import read_notebook, source

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = translate.english_notebooks()
LANGUAGE = "zh"
CHECKER_LINE = re.compile(r"^[✅❌⏳] (\d+\.\d+).*$", re.M)


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    """The rules nbval applies before comparing outputs (tests/nbval_sanitize.cfg), applied here too."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    return [(re.compile(config[name]["regex"]), config[name]["replace"]) for name in config.sections()]


SANITIZERS = _sanitizers()


def _sanitized(text: str) -> str:
    for pattern, replacement in SANITIZERS:
        text = pattern.sub(replacement, text)
    return text


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
    """What a cell printed, for comparison: its text and HTML sanitised as nbval does, each checker
    line reduced to its exercise id, each figure to its kind (its pixels are not compared)."""
    kept = []
    for out in outputs:
        if out["output_type"] == "stream":
            text = _sanitized(CHECKER_LINE.sub(r"<check \1>", out["text"]))
            if kept and kept[-1][:2] == ("stream", out["name"]):  # consecutive writes are one stream, as for nbval
                kept[-1] = ("stream", out["name"], kept[-1][2] + text)
            else:
                kept.append(("stream", out["name"], text))
        elif out["output_type"] in ("execute_result", "display_data"):
            data = {k: _sanitized(v) for k, v in out["data"].items()
                    if k in ("text/plain", "text/html", "text/markdown")}
            kinds = sorted(out["data"])
            kept.append(("data", kinds, json.dumps(data, sort_keys=True, ensure_ascii=False)))
        else:
            kept.append((out["output_type"], out.get("ename")))
    return kept


def _checker_ids(outputs) -> list[str]:
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    return CHECKER_LINE.findall(text)


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_chinese_code_and_outputs_are_the_english_ones(notebook):
    english = read_notebook(notebook).cells
    chinese = read_notebook(ROOT / "notebooks" / LANGUAGE / notebook.name).cells
    assert differences(english, chinese) == []


def differences(english, chinese) -> list[str]:
    """Where the Chinese cells' code or stored outputs are not the English ones, by cell id."""
    problems = []
    for en, zh in zip(english, chinese, strict=True):
        if en.cell_type != "code":
            continue
        en_code = translate.localise_code(source(en), LANGUAGE)
        if translate.code_without_comments(source(zh)) != translate.code_without_comments(en_code):
            problems.append(f"cell {en.id}: the code differs from the English (only comments may)")
        if zh.execution_count is None:
            problems.append(f"cell {en.id}: never executed")
        ignored = "NBVAL_IGNORE_OUTPUT" in source(en) or "NBVAL_SKIP" in source(en)
        if not ignored and _comparable(zh.outputs) != _comparable(en.outputs):
            problems.append(f"cell {en.id}: printed something other than the English cell")
        if _checker_ids(zh.outputs) != _checker_ids(en.outputs):
            problems.append(f"cell {en.id}: checker lines {_checker_ids(zh.outputs)} ≠ {_checker_ids(en.outputs)}")
    return problems


def test_the_comparison_finds_a_changed_output_a_changed_check_and_changed_code():
    english = read_notebook(ENGLISH[0]).cells
    chinese = read_notebook(ROOT / "notebooks" / LANGUAGE / ENGLISH[0].name).cells
    printed = next(i for i, c in enumerate(chinese) if c.cell_type == "code" and "NBVAL" not in source(c)
                   and any(o["output_type"] == "stream" and not CHECKER_LINE.search(o["text"]) for o in c.outputs))
    checked = next(i for i, c in enumerate(chinese) if c.cell_type == "code" and _checker_ids(c.outputs))
    mutated = copy.deepcopy(chinese)
    stream = next(o for o in mutated[printed].outputs if o["output_type"] == "stream")
    stream["text"] = stream["text"].replace("(", "[", 1) if "(" in stream["text"] else stream["text"] + "!"
    mutated[checked].outputs[0]["text"] = CHECKER_LINE.sub("✅ 9.9 通过", mutated[checked].outputs[0]["text"])
    mutated[printed].source += "\nx = 1"
    assert differences(english, mutated) == [
        f"cell {english[printed].id}: the code differs from the English (only comments may)",
        f"cell {english[printed].id}: printed something other than the English cell",
        f"cell {english[checked].id}: printed something other than the English cell",
        f"cell {english[checked].id}: checker lines ['9.9'] ≠ {_checker_ids(english[checked].outputs)}",
    ]


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_checker_lines_speak_chinese(notebook):
    zh = read_notebook(ROOT / "notebooks" / LANGUAGE / notebook.name)
    text = "".join(o.get("text", "") for c in zh.cells if c.cell_type == "code" for o in c.outputs)
    lines = CHECKER_LINE.finditer(text)
    english = [m.group(0) for m in lines if re.search(r"passed|not attempted|hint:", m.group(0))]
    assert "尚未作答" in text and "通过" in text and english == []


def test_the_edition_has_the_slideshow_style_rise_reads():
    assert (ROOT / "notebooks" / LANGUAGE / "rise.css").read_bytes() == (ROOT / "notebooks" / "rise.css").read_bytes()


# --------------------------------------------------------------------------- the glossary


def _glossary_rows() -> list[tuple[str, str, bool]]:
    """(English, 中文, enforced) for every row of the tables in docs/glossary.md."""
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and cells[0] not in ("English", "") and set(cells[0]) != {"-"}:
            rows.append((cells[0], cells[1], cells[2] == "✓"))
    return rows


def glossary() -> list[tuple[str, tuple[str, ...]]]:
    """(English, the 中文 it may be written as) for the rows of docs/glossary.md marked ✓.

    A word with another sense has a row of its own, "stride (of a tensor in memory)": its 中文 is
    accepted for "stride" too, so a cell about ``x.stride()`` may say 步长 and not 步幅.
    """
    rows = _glossary_rows()
    return [(english, tuple(zh for other, zh, _ in rows if other == english or other.startswith(english + " (")))
            for english, _, enforced in rows if enforced]


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
            if _uses(prose, english) and not any(zh in store[cell.id]["text"] for zh in chinese):
                problems.append(f"cell {cell.id}: '{english}' should be '{' or '.join(chinese)}'")
    assert problems == []


# --------------------------------------------------------------------------- how the Chinese renders


@pytest.mark.parametrize("notebook", ENGLISH, ids=_ids(ENGLISH))
def test_chinese_bold_and_italics_render(notebook):
    """No `**` or `*` left over once rendered (nbconvert's Markdown renderer, as the decks use): in
    CommonMark, `**下一节：**05` is not bold, because a closing `**` after punctuation must be followed
    by a space or punctuation. The fix is to close the bold before the punctuation: `**下一节**：05`."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    chinese = read_notebook(ROOT / "notebooks" / LANGUAGE / notebook.name)
    problems = []
    for cell in chinese.cells:
        if cell.cell_type != "markdown":
            continue
        html = markdown2html_mistune(source(cell))
        text = re.sub(r"<(code|pre)\b.*?</\1>|\$\$.*?\$\$|\$[^$\n]*\$|\\\(.*?\\\)|\\\[.*?\\\]", "", html, flags=re.S)
        if re.search(r"\*\*|(?<![\w*])\*[^\s*][^*\n]*\*", text):
            problems.append(f"cell {cell.id}: {re.search(r'.{0,30}[*].{0,30}', text).group(0)!r}")
    assert problems == []
