"""``course_utils.models`` and ``course_utils.viz`` re-export their submodules' names lazily."""

import subprocess
import sys

import pytest

import course_utils.models as models
import course_utils.viz as viz
from course_utils.models import resnet
from course_utils.viz import plots


def test_names_resolve_to_the_submodules_objects():
    assert models.ResNet18 is resnet.ResNet18
    assert viz.plot_history is plots.plot_history


def test_dir_lists_every_exported_name_and_submodule():
    assert set(resnet.__all__) | {"dynamic", "combined", "resnet"} <= set(dir(models))
    assert set(plots.__all__) | {"conv", "rnn", "plots"} <= set(dir(viz))


@pytest.mark.parametrize("package, name", [(models, "ResNet34"), (viz, "plot_histroy"), (models, "_private")])
def test_unknown_name_raises_attribute_error_naming_the_package(package, name):
    with pytest.raises(AttributeError, match=rf"{package.__name__}.*{name}"):
        getattr(package, name)


def test_importing_the_packages_imports_no_submodule():
    code = ("import sys, course_utils.models, course_utils.viz; "
            "print(sorted(m for m in sys.modules if m.startswith(('course_utils.models.', 'course_utils.viz.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
