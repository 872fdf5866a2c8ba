"""``course_utils.models`` re-exports its submodules' names lazily (``course_utils.viz`` imports them
plainly: see tests/test_viz_exports.py)."""

import subprocess
import sys

import pytest

import course_utils.models as models
from course_utils.models import resnet


def test_names_resolve_to_the_submodules_objects():
    assert models.ResNet18 is resnet.ResNet18


def test_dir_lists_every_exported_name_and_submodule():
    assert set(resnet.__all__) | {"dynamic", "combined", "resnet"} <= set(dir(models))


@pytest.mark.parametrize("name", ["ResNet34", "_private"])
def test_unknown_name_raises_attribute_error_naming_the_package(name):
    with pytest.raises(AttributeError, match=rf"{models.__name__}.*{name}"):
        getattr(models, name)


def test_importing_the_package_imports_no_submodule():
    code = ("import sys, course_utils.models; "
            "print(sorted(m for m in sys.modules if m.startswith('course_utils.models.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
