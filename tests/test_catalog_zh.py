"""The Chinese catalog of the checkers' messages (course_utils/checks/zh.toml).

Every template a checker can print has a translation with the same fields, format specs and
conversions; no entry is left behind when a template changes; the glossary's terms are used.
"""

import re
import string
import tomllib
from pathlib import Path

import pytest
import torch

from course_utils import checks
from course_utils.checks import _i18n, nb00, nb02, nb04

CATALOG_FILE = Path(_i18n.__file__).with_name("zh.toml")
ZH = _i18n.CATALOGS["zh"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _replacement_fields(template: str) -> list[tuple[str, str, str]]:
    """Each field with its conversion and format spec, e.g. ("got", "r", "") for {got!r}."""
    return sorted((name, conversion or "", spec or "")
                  for _, name, spec, conversion in string.Formatter().parse(template) if name is not None)


def _has_prose(template: str) -> bool:
    """Whether the template has words to translate once its fields are taken out ("❌ {id}: {message}" has none)."""
    return re.search(r"[A-Za-z]", re.sub(r"\{[^{}]*\}", "", template)) is not None


def _problems(catalog: dict[str, str]) -> list[str]:
    problems = []
    for template, translation in catalog.items():
        if _i18n.template_fields(translation) != _i18n.template_fields(template):
            problems.append(f"fields differ: {template!r} → {translation!r}")
        elif _replacement_fields(translation) != _replacement_fields(template):
            problems.append(f"format specs or conversions differ: {template!r} → {translation!r}")
        if _has_prose(template) and not CJK.search(translation):
            problems.append(f"not translated: {template!r} → {translation!r}")
        for symbol in ("✅", "❌", "⏳", "→"):
            if template.count(symbol) != translation.count(symbol):
                problems.append(f"{symbol} lost or added: {template!r} → {translation!r}")
        for code in re.findall(r"`[^`]*`", template):
            if code not in translation:
                problems.append(f"text in backticks changed: {template!r} → {translation!r}")
    return problems


def test_the_catalog_file_is_the_zh_catalog():
    with CATALOG_FILE.open("rb") as file:
        assert tomllib.load(file)["catalog"] == ZH


def test_every_template_has_a_chinese_translation():
    missing = [template for template in checks.all_templates() if template not in ZH]
    assert not missing, "add these templates to [catalog] in zh.toml:\n" + "\n".join(missing)


def test_no_translation_is_stale():
    templates = set(checks.all_templates())
    stale = [template for template in ZH if template not in templates]
    assert not stale, "no checker prints these any more; update or remove them in zh.toml:\n" + "\n".join(stale)


def test_translations_keep_the_fields_and_are_chinese():
    assert not _problems(ZH), "\n".join(_problems(ZH))


# one term per concept (docs/glossary.md): the variants a translator might reach for instead
_NOT_THE_GLOSSARY_TERM = {"隐藏状态": "隐状态", "膨胀": "空洞率", "扩张": "空洞率", "单元状态": "细胞状态",
                          "记忆单元": "细胞状态", "快捷连接": "捷径", "跳跃连接": "捷径", "批归一化": "批量归一化",
                          "偏差": "偏置", "张量的形态": "形状", "频道": "通道"}


@pytest.mark.parametrize("variant", sorted(_NOT_THE_GLOSSARY_TERM))
def test_the_glossary_terms_are_used(variant):
    found = [translation for translation in ZH.values() if variant in translation]
    assert not found, f"write {_NOT_THE_GLOSSARY_TERM[variant]}, not {variant}: {found}"


@pytest.mark.parametrize(("checker", "answer", "line"), [
    (nb00.exercise_0_1, (8, 20, 6),
     "❌ 0.1：形状应为 (4, 7, 3)，实际为 (8, 20, 6) —— "
     "提示：nn.Linear 保留除最后一维以外的所有维度，最后一维从 in_features 变为 out_features"),
    (nb02.exercise_2_1, (1, 2, 3),
     "❌ 2.1：应为 4 个数 (N, C_out, H_out, W_out)，实际有 3 个 —— 提示：conv2d 的输出形状是 (N, C_out, H_out, W_out)"),
    (nb04.exercise_4_1, lambda *args, **kwargs: None,
     "❌ 4.1：<lambda> 返回了 None —— "
     "提示：在函数末尾写上 return 语句（print 只是显示一个值，并不会返回它）"),
], ids=["0.1", "2.1", "4.1"])
def test_a_wrong_answer_reads_in_chinese(checker, answer, line):
    assert checker.verdict(answer).line("zh") == line
    assert checker.verdict(answer).line("en") != line


def test_a_right_shape_as_a_tensor_is_explained_in_chinese():
    line = nb00.exercise_0_1.verdict(torch.zeros(8, 20, 10)).line("zh")
    assert line.startswith("❌ 0.1：形状应为由整数组成的元组，实际为形状为 (8, 20, 10) 的张量")
