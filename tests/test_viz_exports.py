"""``course_utils.viz`` imports its submodules' public names plainly (so "go to definition" works)."""

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import course_utils.viz as viz

INIT = Path(viz.__file__)


def test_every_public_name_of_the_submodules_is_exported_as_the_same_object():
    modules = [importlib.import_module(f"course_utils.viz.{m.name}") for m in pkgutil.iter_modules(viz.__path__)]
    names = set().union(*(module.__all__ for module in modules))
    assert set(viz.__all__) == names and len(viz.__all__) == len(names)
    for module in modules:
        for name in module.__all__:
            assert getattr(viz, name) is getattr(module, name), name


def test_the_package_uses_plain_imports():
    tree = ast.parse(INIT.read_text())
    imported = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert set(viz.__all__) <= imported
    assert "_lazy" not in INIT.read_text() and "__getattr__" not in INIT.read_text()


def test_import_course_utils_alone_stays_light():
    code = "import sys, course_utils; print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
