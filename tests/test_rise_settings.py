"""The RISE settings command (course_utils/authoring/rise_settings.py), on copies of the notebooks.

Whether RISE then fits the screen is measured in the browser: tests/browser/test_browser_jupyterlab.py.
"""

import json
import shutil

import pytest

from course_utils.authoring.notebooks import read_notebook
from course_utils.authoring.rise_settings import (
    RISE_CSS_NAME,
    RISE_SETTINGS,
    apply_settings,
    css_box_size,
    main,
    settings_problems,
)
from course_utils.authoring.slides import DEFAULT_SIZE, _deck_size

from notebook_lint import NOTEBOOK_DIR, notebooks

NOTEBOOK = notebooks()[0]


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, target)
    nb = json.loads(target.read_text(encoding="utf-8"))
    nb["metadata"].pop("rise", None)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def test_a_notebook_without_settings_is_reported_key_by_key(copy):
    problems = settings_problems(copy)
    assert len(problems) == len(RISE_SETTINGS)
    assert "metadata.rise.width is '<missing>', expected 1280" in problems


def test_apply_writes_the_settings_and_changes_nothing_else(copy):
    before = json.loads(copy.read_text(encoding="utf-8"))
    assert apply_settings(copy) is True
    after = json.loads(copy.read_text(encoding="utf-8"))
    assert after["metadata"].pop("rise") == RISE_SETTINGS
    before["metadata"].pop("rise", None)
    assert after == before
    assert settings_problems(copy) == []
    assert apply_settings(copy) is False  # nothing left to do: the file is not rewritten


def test_other_rise_keys_are_kept(copy):
    nb = json.loads(copy.read_text(encoding="utf-8"))
    nb["metadata"]["rise"] = {"width": "100%", "autolaunch": True}
    copy.write_text(json.dumps(nb), encoding="utf-8")
    apply_settings(copy)
    rise = read_notebook(copy).metadata.rise
    assert rise["autolaunch"] is True and rise["width"] == 1280


def test_check_fails_until_the_command_has_run(copy, capsys):
    assert main(["--check", str(copy)]) == 1
    assert "metadata.rise.minScale" in capsys.readouterr().out
    assert main([str(copy)]) == 0
    assert main(["--check", str(copy)]) == 0


def test_the_exported_decks_keep_their_size(copy):
    apply_settings(copy)
    assert _deck_size(read_notebook(copy)) == DEFAULT_SIZE == (RISE_SETTINGS["width"], RISE_SETTINGS["height"])


def test_the_stylesheet_gives_the_slide_box_the_settings_size():
    assert css_box_size(NOTEBOOK_DIR / RISE_CSS_NAME) == (RISE_SETTINGS["width"], RISE_SETTINGS["height"])


def test_a_stylesheet_without_the_box_rule_is_refused(tmp_path):
    css = tmp_path / "rise.css"
    css.write_text("body { color: black; }\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"css_path: .*rise\.css has no `\.jp-Notebook\.slides"):
        css_box_size(css)


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem[:2])
def test_every_course_notebook_carries_the_settings(notebook):
    # RISE shows the slides as the decks do only with these settings: `python -m
    # course_utils.authoring.rise_settings` writes them
    assert not settings_problems(read_notebook(notebook)), settings_problems(read_notebook(notebook))
