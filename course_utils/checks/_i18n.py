"""The checkers' messages, ready for translation.

Every line a checker prints is built from ``str.format`` templates with named
fields: a fixed *frame* ("✅ {id} passed", "❌ {id}: {message} — hint: {hint}", …)
around the exercise's own *message* and *hint*. A :class:`Message` keeps its
template and fields apart until it is printed; only then is the template looked
up in the catalog of the current language (:func:`set_language`). A template
missing from a catalog is printed in English, so a catalog can grow one entry
at a time. The Chinese catalog is ``zh.toml`` beside this module, one
``"template" = "翻译"`` line per template.

Checkers write every template as a literal, ``msg("expected {what}, got {got!r}", …)``,
and each exercise's ``expects=`` text as a literal too, so :func:`all_templates`
can collect them from the source without running anything — the list a
translator (and a completeness test) works from.
"""

from __future__ import annotations

import ast
import string
import tomllib
from pathlib import Path
from typing import Any

from course_utils._validate import one_of

__all__ = ["Message", "msg", "set_language", "get_language", "all_templates", "template_fields",
           "CATALOGS", "FRAMES"]

# --------------------------------------------------------------------------- the fixed frames

PASSED = "✅ {id} passed"
NOT_ATTEMPTED = "⏳ {id} not attempted yet"
FAILED = "❌ {id}: {message}"
FAILED_WITH_HINT = "❌ {id}: {message} — hint: {hint}"
YOUR_FUNCTION_RAISED = "your function raised {error_type}: {error}"
READ_THE_ERROR = "run it on the example above and read the error message"
WRONG_FORM = "the answer has the wrong form: expected {expects}"

FRAMES = (PASSED, NOT_ATTEMPTED, FAILED, FAILED_WITH_HINT, YOUR_FUNCTION_RAISED, READ_THE_ERROR, WRONG_FORM)


def _load_catalog(language: str) -> dict[str, str]:
    """The ``[catalog]`` table of ``<language>.toml`` beside this module: English template → translation.

    A data file, not a Python dict, so that each template stays one literal on one line (the linter's
    line length counts a CJK character twice) and a template written twice is a parse error.
    """
    with (Path(__file__).parent / f"{language}.toml").open("rb") as file:
        return dict(tomllib.load(file)["catalog"])


# English is the identity: a template is its own English text.
CATALOGS: dict[str, dict[str, str]] = {
    "en": {},
    "zh": _load_catalog("zh"),
}

_state = {"language": "en"}


def set_language(language: str) -> None:
    """Print the checkers' messages in ``language``: ``"en"`` (the default) or ``"zh"`` (简体中文).

    Messages the chosen catalog does not translate yet are printed in English.
    """
    _state["language"] = one_of("language", language, tuple(CATALOGS))


def get_language() -> str:
    """The language the checkers print in."""
    return _state["language"]


# --------------------------------------------------------------------------- messages


class Message:
    """A ``str.format`` template with named fields, translated only when rendered.

    Field values that are themselves messages are rendered in the same language,
    so ``msg("expected {what} {expected}", what=msg("output shape"), expected=(2, 3))``
    translates both templates.
    """

    __slots__ = ("template", "fields")

    def __init__(self, template: str, /, **fields: Any):
        if not isinstance(template, str):
            raise TypeError(f"template must be a str, got {type(template).__name__}")
        self.template = template
        self.fields = fields

    def render(self, language: str | None = None) -> str:
        """The text in ``language`` (default: the current one), fields filled in."""
        language = language or get_language()
        text = CATALOGS[language].get(self.template, self.template)
        values = {name: value.render(language) if isinstance(value, Message) else value
                  for name, value in self.fields.items()}
        return text.format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        fields = "".join(f", {name}={value!r}" for name, value in self.fields.items())
        return f"msg({self.template!r}{fields})"


def msg(template: str, /, **fields: Any) -> Message:
    """A translatable message. Write ``template`` as a literal so :func:`all_templates` finds it."""
    return Message(template, **fields)


def template_fields(template: str) -> set[str]:
    """The names of the fields of ``template``; refuses positional ``{}`` fields."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        if not name or name.isdigit():
            raise ValueError(f"template {template!r} has a positional field; name every field")
        names.add(name)
    return names


# --------------------------------------------------------------------------- collecting templates


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _templates_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        literals = []
        if name == "msg":
            literals = node.args[:1]
        elif name == "exercise":
            literals = [keyword.value for keyword in node.keywords if keyword.arg == "expects"]
        for literal in literals:
            if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)):
                raise ValueError(f"{path.name}, line {node.lineno}: {name}() needs a literal template, "
                                 f"so that it can be collected for translation")
            found.append(literal.value)
    return found


def all_templates() -> list[str]:
    """Every template a checker can print: the frames, each ``msg("…")`` and each ``expects="…"``.

    Collected from the source of ``course_utils.checks``; raises ``ValueError`` if a
    template is not a literal (it could not be collected, hence not translated).
    """
    found = list(FRAMES)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        found += _templates_in(path)
    return list(dict.fromkeys(found))
