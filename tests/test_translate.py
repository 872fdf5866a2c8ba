"""The translation tool itself (course_utils/authoring/translate.py): what counts as stale or missing,
what a translation may change, and what the generator does to the English notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml

from course_utils.authoring import translate
from course_utils.authoring.notebooks import read_notebook, source

ENGLISH = translate.english_notebooks()[0]


@pytest.fixture
def small_course(tmp_path, monkeypatch):
    """A course of one notebook (a copy of notebook 00) with a complete Chinese store, in tmp_path."""
    notebooks, store = tmp_path / "notebooks", tmp_path / "translations"
    notebooks.mkdir()
    nb = read_notebook(ENGLISH)
    nbformat.write(nb, notebooks / ENGLISH.name)
    (notebooks / "rise.css").write_text("/* */")
    monkeypatch.setattr(translate, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(translate, "TRANSLATIONS", store)
    cells = {c.id: {"sha": translate.english_hash(source(c)), "text": "中文 " + source(c)}
             for c in nb.cells if translate.translatable(c)}
    translate._save_store("zh", ENGLISH.stem, cells, [c.id for c in nb.cells])
    return notebooks / ENGLISH.name


def _first(nb, cell_type):
    return next(c for c in nb.cells if c.cell_type == cell_type and translate.translatable(c))


def test_a_complete_store_is_current(small_course):
    state = translate.status("zh", small_course)
    assert state.current and state.units > 0 and str(state).endswith(f"{state.units}/{state.units} cells translated")


def test_an_english_change_makes_exactly_that_cell_stale_and_names_it(small_course):
    nb = read_notebook(small_course)
    cell = _first(nb, "markdown")
    cell.source += "\n\nOne more sentence."
    nbformat.write(nb, small_course)
    state = translate.status("zh", small_course)
    assert state.stale == [cell.id] and state.missing == []
    assert f"stale 1: {cell.id}" in str(state)
    with pytest.raises(ValueError, match=f"not current.*stale 1: {cell.id}"):
        translate.translated_notebook("zh", small_course)


def test_a_new_english_cell_is_missing_and_a_deleted_one_an_orphan(small_course):
    nb = read_notebook(small_course)
    gone = _first(nb, "markdown")
    nb.cells.remove(gone)
    new = nbformat.v4.new_markdown_cell("## A new slide\n\nWith new words.")
    nb.cells.append(new)
    nbformat.write(nb, small_course)
    state = translate.status("zh", small_course)
    assert state.missing == [new.id] and state.orphans == [gone.id] and not state.current


def test_the_worklist_round_trip_files_the_translation_and_refuses_changed_code(small_course, tmp_path):
    nb = read_notebook(small_course)
    code = _first(nb, "code")
    code.source += "\nx = 1  # a new comment"
    nbformat.write(nb, small_course)
    worklist = translate.write_todo("zh", small_course, tmp_path / "todo")
    data = yaml.safe_load(worklist.read_text(encoding="utf-8"))
    assert list(data["cells"]) == [code.id]
    entry = data["cells"][code.id]
    entry["text"] = entry["en"].replace("# a new comment", "# 一条新注释")
    worklist.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    translate.merge("zh", worklist)
    assert translate.status("zh", small_course).current

    entry["text"] = entry["en"].replace("x = 1", "x = 2")
    worklist.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=f"cell {code.id}: the translation changes the code"):
        translate.merge("zh", worklist)


def test_a_prose_cell_left_in_english_is_refused(small_course, tmp_path):
    nb = read_notebook(small_course)
    cell = _first(nb, "markdown")
    cell.source = "## Changed\n\nThis paragraph is new English prose."
    nbformat.write(nb, small_course)
    worklist = translate.write_todo("zh", small_course, tmp_path / "todo")
    data = yaml.safe_load(worklist.read_text(encoding="utf-8"))
    data["cells"][cell.id]["text"] = data["cells"][cell.id]["en"]  # "translated" by copying the English
    worklist.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=f"cell {cell.id}: the translation has no Chinese text"):
        translate.merge("zh", worklist)


def test_the_generated_notebook_keeps_code_and_metadata_and_moves_relative_paths(small_course):
    english = read_notebook(small_course)
    chinese = translate.translated_notebook("zh", small_course)
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    assert chinese.metadata["language"] == "zh"
    assert chinese.metadata["rise"] == english.metadata["rise"]
    for en, zh in zip(english.cells, chinese.cells, strict=True):
        assert zh.metadata == en.metadata
        if en.cell_type == "code":
            assert zh.outputs == [] and zh.execution_count is None
    assert 'checks.set_language("zh")' in source(chinese.cells[2])


def test_localise_code_switches_the_checkers_below_their_import_only():
    setup = "import torch\nfrom course_utils.checks import nb03 as checks\nseed_everything(0)\n"
    assert translate.localise_code(setup, "zh") == (
        'import torch\nfrom course_utils.checks import nb03 as checks\nchecks.set_language("zh")\nseed_everything(0)\n')
    other = "print(checks)\n"
    assert translate.localise_code(other, "zh") == other


@pytest.mark.parametrize(("stored", "shown"), [
    ("一个\n张量", "一个张量"),                            # a break between two characters would show as a space
    ("形状为\n`(8, 1)`", "形状为\n`(8, 1)`"),              # Chinese then code: the space is wanted
    ("第一段。\n\n第二段。", "第一段。\n\n第二段。"),       # a blank line is a new paragraph
    ("列表：\n- 一项", "列表：\n- 一项"),                   # a list item starts its own line
    ("- 一项，\n  接着写", "- 一项，接着写"),               # a list item's continuation line
    ("训练。\n**先预测**：", "训练。**先预测**："),           # emphasis at the start of the next line
    ("列表：\n* 一项", "列表：\n* 一项"),                   # a "*" bullet is not emphasis
    ("```\n# 注释\n代码\n```", "```\n# 注释\n代码\n```"),  # code blocks are kept as they are
])
def test_join_chinese_lines(stored, shown):
    assert translate.join_chinese_lines(stored) == shown


def test_the_english_is_refused_as_a_language():
    with pytest.raises(ValueError, match=r"language: expected one of 'zh', got 'en'"):
        translate.load_store("en", ENGLISH.stem)


def test_code_without_comments_ignores_comments_but_keeps_nbval_markers():
    a = "# NBVAL_IGNORE_OUTPUT\nx = f(1)  # one\n"
    b = "# NBVAL_IGNORE_OUTPUT\nx = f(1)  # 一\n"
    assert translate.code_without_comments(a) == translate.code_without_comments(b)
    unmarked = b.replace("# NBVAL_IGNORE_OUTPUT\n", "")
    assert translate.code_without_comments(a) != translate.code_without_comments(unmarked)
    assert translate.code_without_comments(a) != translate.code_without_comments(a.replace("f(1)", "f(2)"))


def test_the_store_is_readable_yaml_with_block_text(small_course):
    text = (translate.TRANSLATIONS / "zh" / f"{ENGLISH.stem}.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 简体中文 translation of notebooks/") and "text: |" in text
    assert yaml.safe_load(text)["cells"]


def test_each_edition_has_its_folder_and_reaches_the_repository_figures(tmp_path):
    from course_utils.authoring.notebooks import check_language, in_language, notebook_language, repository_folder

    assert in_language("build/slides", "en") == Path("build/slides")
    assert in_language("build/slides", "zh") == Path("build/slides/zh")
    assert repository_folder(tmp_path / "notebooks") == tmp_path
    assert repository_folder(tmp_path / "notebooks" / "zh") == tmp_path
    assert notebook_language({"metadata": {}}) == "en"
    assert notebook_language({"metadata": {"language": "zh"}}) == "zh"
    with pytest.raises(ValueError, match=r"language: expected one of 'en', 'zh', got 'fr'; the English"):
        check_language("fr")
