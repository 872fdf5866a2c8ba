"""``course_utils.models`` imports its submodules' public names plainly (so "go to definition" works)."""

import ast
from pathlib import Path

import course_utils.models as models
from course_utils.models import combined, dynamic, resnet

INIT = Path(models.__file__)


def test_every_public_name_of_the_submodules_is_exported_as_the_same_object():
    names = set(combined.__all__) | set(dynamic.__all__) | set(resnet.__all__)
    assert set(models.__all__) == names and len(models.__all__) == len(names)
    for module in (combined, dynamic, resnet):
        for name in module.__all__:
            assert getattr(models, name) is getattr(module, name), name


def test_the_package_uses_plain_imports():
    tree = ast.parse(INIT.read_text())
    imported = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert set(models.__all__) <= imported
    assert "__getattr__" not in INIT.read_text()
