"""Translated editions of the course, generated from the English notebooks so they cannot drift.

The English notebooks are the one source. A translation is stored per cell, keyed by the
cell's id, together with a hash of the English text it translates::

    notebooks/02_conv2d_by_hand.ipynb       the source
    translations/zh/02_conv2d_by_hand.yaml  {cell id: {sha: <hash of the English>, text: <the translation>}}
    notebooks/zh/02_conv2d_by_hand.ipynb    generated, then executed: never edit it by hand

What is translated: every markdown cell (headings, paragraphs, tasks, speaker notes) and the
comments of code cells. A code cell with a comment has an entry whose ``text`` is the whole cell
with its comments translated; its code must stay exactly the English code (identifiers, API
names, strings and printed messages stay English), which ``code_without_comments`` lets a test
prove. ``# NBVAL_…`` markers are code for nbval, not comments to translate.

When an English cell changes, its hash no longer matches: the translation is *stale*. A cell
with no entry is *missing*. ``status`` lists both by cell id, and tests/test_translations.py
fails while any exist. The checkers print in the edition's language: the generator adds
``checks.set_language("zh")`` to the set-up cell, right below the line that imports ``checks``
(:func:`localise_code`), and copies ``notebooks/rise.css`` (RISE reads it from the notebook's folder).

Usage::

    python -m course_utils.authoring.translate zh            # status; exit 1 if anything is missing or stale
    python -m course_utils.authoring.translate zh --todo     # a worklist per notebook under build/translate/zh/
    python -m course_utils.authoring.translate zh --merge build/translate/zh/02_conv2d_by_hand.yaml
    python -m course_utils.authoring.translate zh --build    # write and execute notebooks/zh/ (make zh)
    python -m course_utils.authoring.translate zh --build --prose-only   # prose or comments changed: keep outputs

A worklist holds, for each missing or stale cell, its id, hash, the English (``en``) and a
``text`` to replace with the translation; ``--merge`` checks it and files it into the store.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from course_utils.authoring.notebooks import LANGUAGES as COURSE_LANGUAGES
from course_utils.authoring.notebooks import SOURCE_LANGUAGE, in_language, read_notebook, source

__all__ = [
    "LANGUAGES",
    "Status",
    "english_hash",
    "code_without_comments",
    "prose",
    "translatable",
    "localise_code",
    "join_chinese_lines",
    "load_store",
    "status",
    "write_todo",
    "merge",
    "translated_notebook",
    "build",
    "main",
]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
TRANSLATIONS = ROOT / "translations"
#: The languages the English notebooks are translated into.
LANGUAGES = {code: name for code, name in COURSE_LANGUAGES.items() if code != SOURCE_LANGUAGE}
# the set-up cell's import of the checkers, below which the edition switches their language
CHECKS_IMPORT = re.compile(r"^from course_utils\.checks import nb\d\d as checks$", re.M)
RISE_CSS = "rise.css"
NBVAL_MARK = re.compile(r"#\s*NBVAL_[A-Z_]+")
# a link or image path relative to notebooks/ (../figures/x.png); the edition sits one folder deeper
RELATIVE_UP = re.compile(r'(\]\(|src=")\.\./')


# --------------------------------------------------------------------------- what a unit is


def english_hash(text: str) -> str:
    """The hash a translation stores of the English it translates (16 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _tokens(code: str):
    return list(tokenize.generate_tokens(io.StringIO(code).readline))


def _comments(code: str) -> list[str]:
    try:
        return [t.string for t in _tokens(code) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []


def code_without_comments(code: str) -> list[tuple[int, str]]:
    """The tokens of ``code`` that are not comments or layout: what must not change in translation.

    ``# NBVAL_…`` markers count as code (nbval reads them).
    """
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    kept = []
    for token in _tokens(code):
        if token.type == tokenize.COMMENT:
            if NBVAL_MARK.match(token.string):
                kept.append((token.type, token.string.strip()))
        elif token.type not in skip:
            kept.append((token.type, token.string))
    return kept


def translatable(cell) -> bool:
    """A markdown cell with text, or a code cell with a comment other than an nbval marker."""
    text = source(cell)
    if cell.get("cell_type") == "markdown":
        return bool(text.strip())
    if cell.get("cell_type") == "code":
        return any(not NBVAL_MARK.match(c) for c in _comments(text))
    return False


# --------------------------------------------------------------------------- the store


def _store_path(language: str, stem: str) -> Path:
    return TRANSLATIONS / language / f"{stem}.yaml"


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language: expected one of {', '.join(map(repr, LANGUAGES))}, got {language!r}; "
                         "the English notebooks are the source and are not translated")
    return language


def load_store(language: str, stem: str) -> dict[str, dict]:
    """``{cell id: {"sha": ..., "text": ...}}`` for one notebook (empty if it has no translations yet)."""
    path = _store_path(_check_language(language), stem)
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cells = data.get("cells", {})
    if not isinstance(cells, dict):
        raise ValueError(f"{path}: 'cells' must map cell ids to {{sha, text}}")
    return cells


class _Literal(str):
    """A string YAML writes as a ``|`` block, so a translation reads like the Markdown it is."""


yaml.SafeDumper.add_representer(
    _Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|"))


def _dump(data: dict) -> str:
    def literal(value):
        if isinstance(value, dict):
            return {k: literal(v) for k, v in value.items()}
        if isinstance(value, str) and "\n" in value:
            return _Literal(value)
        return value

    return yaml.safe_dump(literal(data), allow_unicode=True, sort_keys=False, width=1000)


def _save_store(language: str, stem: str, cells: dict[str, dict], order: list[str]) -> Path:
    path = _store_path(language, stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = {cid: cells[cid] for cid in order if cid in cells}
    header = (f"# {LANGUAGES[language]} translation of notebooks/{stem}.ipynb, one entry per cell id.\n"
              f"# sha: hash of the English it translates. Edit with: python -m course_utils.authoring.translate "
              f"{language} --todo / --merge\n")
    path.write_text(header + _dump({"cells": ordered}), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- status


@dataclass
class Status:
    """Which cells of one notebook lack a current translation."""

    notebook: str
    units: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return not (self.missing or self.stale or self.orphans)

    def __str__(self) -> str:
        parts = [f"{self.notebook}: {self.units - len(self.missing) - len(self.stale)}/{self.units} cells translated"]
        for label, ids in (("missing", self.missing), ("stale", self.stale), ("orphans", self.orphans)):
            if ids:
                parts.append(f"{label} {len(ids)}: {', '.join(ids)}")
        return "; ".join(parts)


def english_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def status(language: str, notebook: Path) -> Status:
    """Missing, stale and orphaned translations of one English notebook."""
    nb = read_notebook(notebook)
    store = load_store(language, notebook.stem)
    result = Status(notebook.stem)
    ids = []
    for cell in nb.cells:
        if not translatable(cell):
            continue
        ids.append(cell.id)
        result.units += 1
        entry = store.get(cell.id)
        if entry is None or not entry.get("text"):
            result.missing.append(cell.id)
        elif entry.get("sha") != english_hash(source(cell)):
            result.stale.append(cell.id)
    result.orphans = [cid for cid in store if cid not in ids]
    return result


# --------------------------------------------------------------------------- worklists


def write_todo(language: str, notebook: Path, out_dir: Path) -> Path | None:
    """Write a worklist of the cells of ``notebook`` that need translating; ``None`` if none do."""
    state = status(language, notebook)
    todo = set(state.missing) | set(state.stale)
    if not todo:
        return None
    store = load_store(language, notebook.stem)
    entries = {}
    for cell in read_notebook(notebook).cells:
        if cell.id in todo:
            text = source(cell)
            old = store.get(cell.id, {}).get("text")
            entries[cell.id] = {"sha": english_hash(text), "en": text, "text": old or text}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{notebook.stem}.yaml"
    path.write_text(f"# Translate each 'text' into {LANGUAGES[language]}; keep 'sha' and 'en' as they are.\n"
                    + _dump({"notebook": notebook.stem, "cells": entries}), encoding="utf-8")
    return path


CJK = re.compile(r"[\u4e00-\u9fff]")
# what is not prose: fenced and inline code, display and inline maths, links' targets, HTML tags
NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|<[^>]+>", re.S)


def prose(markdown: str) -> str:
    """The words of a markdown cell, without code, maths, link targets and HTML tags."""
    return NOT_PROSE.sub(" ", markdown)


def _check_entry(cell, text: str) -> None:
    """Refuse a translation that changes a code cell's code, or leaves a paragraph untranslated."""
    if cell.cell_type == "code" and code_without_comments(text) != code_without_comments(source(cell)):
        raise ValueError(f"cell {cell.id}: the translation changes the code, not only its comments; "
                         "translate the comments and keep every other character of the cell")
    if cell.cell_type == "markdown" and re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", prose(source(cell))) \
            and not CJK.search(text):
        raise ValueError(f"cell {cell.id}: the translation has no Chinese text; translate the cell's prose")


def merge(language: str, worklist: Path) -> Path:
    """File the translations of a worklist into the store, after checking them."""
    data = yaml.safe_load(Path(worklist).read_text(encoding="utf-8"))
    stem = data["notebook"]
    notebook = NOTEBOOKS / f"{stem}.ipynb"
    cells = {cell.id: cell for cell in read_notebook(notebook).cells}
    store = load_store(language, stem)
    for cid, entry in data["cells"].items():
        if cid not in cells:
            raise ValueError(f"{worklist}: no cell {cid} in {notebook.name}")
        if entry["sha"] != english_hash(source(cells[cid])):
            raise ValueError(f"{worklist}: cell {cid} changed in English since this worklist was written; "
                             "write a new worklist with --todo")
        _check_entry(cells[cid], entry["text"])
        store[cid] = {"sha": entry["sha"], "text": entry["text"].rstrip("\n")}
    return _save_store(language, stem, store, list(cells))


# --------------------------------------------------------------------------- generation


# Chinese characters and the punctuation that goes with them (、。「」（），：；？！“”‘’—…)
_CJK_CHAR = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026"
# a line break inside a paragraph, between two Chinese characters: with the next line's indentation (a
# list item's continuation) and with emphasis markers in between ("的\n*普通*", "\n**先**预测")
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK_CHAR}])\n[ \t]*(?=[*_]*[{_CJK_CHAR}])")
_FENCE = re.compile(r"(```.*?```)", re.S)


def join_chinese_lines(markdown: str) -> str:
    """Join the lines of a paragraph where both sides of the break are Chinese.

    Markdown turns a line break inside a paragraph into a space, and browsers show it (CSS does
    not yet remove it between Chinese characters): "的\n张量" would read "的 张量". The store keeps
    short lines, which are easier to review; the generated notebook joins them. Code blocks are
    left as they are.
    """
    parts = _FENCE.split(markdown)
    return "".join(part if part.startswith("```") else _CJK_LINE_BREAK.sub("", part) for part in parts)


def _localise_markdown(text: str) -> str:
    return join_chinese_lines(RELATIVE_UP.sub(r"\1../../", text))


def localise_code(code: str, language: str) -> str:
    """The English code cell as the ``language`` edition runs it: the checkers switched to that language.

    Only the set-up cell changes: ``checks.set_language("zh")`` goes right below its
    ``from course_utils.checks import nbNN as checks``; every other cell is returned as it is.
    """
    return CHECKS_IMPORT.sub(lambda m: f'{m.group(0)}\nchecks.set_language("{language}")', code, count=1)


def translated_notebook(language: str, notebook: Path):
    """The translated notebook, outputs cleared (``build`` executes it).

    Raises:
        ValueError: if any translation is missing or stale (run ``status``).
    """
    state = status(language, notebook)
    if not state.current:
        raise ValueError(f"the {language} translation is not current: {state}")
    nb = copy.deepcopy(read_notebook(notebook))
    store = load_store(language, notebook.stem)
    for cell in nb.cells:
        text = store[cell.id]["text"] if cell.id in store else source(cell)
        if cell.cell_type == "markdown":
            text = _localise_markdown(text)
        else:
            text = localise_code(text, language)
            cell.outputs, cell.execution_count = [], None
        cell.source = text
    nb.metadata["language"] = language
    return nb


def _execute(nb, folder: Path) -> None:
    """Run ``nb`` in a fresh kernel in ``folder``, as ``make execute`` runs an English notebook."""
    from nbconvert.preprocessors import ExecutePreprocessor

    ExecutePreprocessor(timeout=600, kernel_name="python3", coalesce_streams=True).preprocess(
        nb, {"metadata": {"path": str(folder)}})


def _keep_outputs(nb, previous: Path) -> None:
    """Give ``nb``'s code cells the outputs they have in ``previous``, the edition as last executed.

    Raises:
        ValueError: if a code cell is new or its code (comments aside) changed: then only executing
            the notebook gives its outputs.
    """
    old = {cell.id: cell for cell in read_notebook(previous).cells} if previous.is_file() else {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        before = old.get(cell.id)
        if before is None or code_without_comments(source(before)) != code_without_comments(source(cell)):
            raise ValueError(f"{previous.name}: the code of cell {cell.id} is new or changed, so its outputs must "
                             "be made by running it: use --build without --prose-only (make zh)")
        cell.outputs, cell.execution_count = before.outputs, before.execution_count


def build(language: str, notebooks: list[Path] | None = None, execute: bool = True, log=print) -> list[Path]:
    """Write ``notebooks/<language>/NN_name.ipynb`` for every English notebook, executed in a fresh kernel.

    With ``execute=False`` only prose and comments may have changed since the edition was last
    executed: each code cell keeps its stored outputs (:func:`_keep_outputs`), which
    tests/test_translations.py compares with the English notebook's, as after every build.
    """
    import shutil

    import nbformat

    out_dir = in_language(NOTEBOOKS, _check_language(language))
    out_dir.mkdir(exist_ok=True)
    shutil.copyfile(NOTEBOOKS / RISE_CSS, out_dir / RISE_CSS)
    written = []
    for notebook in notebooks or english_notebooks():
        nb = translated_notebook(language, notebook)
        path = out_dir / notebook.name
        if execute:
            log(f"executing {language}/{notebook.name} …")
            _execute(nb, out_dir)
        else:
            _keep_outputs(nb, path)
        nbformat.write(nb, path)
        written.append(path)
    return written


# --------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.authoring.translate",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("language", choices=sorted(LANGUAGES))
    parser.add_argument("notebooks", nargs="*", type=Path, help="English notebooks (default: all)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--todo", action="store_true", help="write worklists under build/translate/<language>/")
    action.add_argument("--merge", type=Path, metavar="WORKLIST", help="file a translated worklist into the store")
    action.add_argument("--build", action="store_true", help="write and execute notebooks/<language>/")
    parser.add_argument("--prose-only", action="store_true",
                        help="with --build, after changes to prose or comments only: keep each code cell's stored "
                             "outputs instead of executing (refused if any code changed)")
    args = parser.parse_intermixed_args(argv)
    notebooks = [Path(p).resolve() for p in args.notebooks] or english_notebooks()
    try:
        return _run(args, notebooks)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args, notebooks: list[Path]) -> int:
    if args.merge:
        print(f"wrote {merge(args.language, args.merge)}")
        return 0
    if args.build:
        for path in build(args.language, notebooks, execute=not args.prose_only):
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.todo:
        for notebook in notebooks:
            path = write_todo(args.language, notebook, ROOT / "build" / "translate" / args.language)
            print(f"{notebook.stem}: " + (f"worklist {path.relative_to(ROOT)}" if path else "nothing to do"))
        return 0
    states = [status(args.language, notebook) for notebook in notebooks]
    for state in states:
        print(state)
    return 0 if all(s.current for s in states) else 1


if __name__ == "__main__":
    sys.exit(main())
