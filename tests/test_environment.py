"""The environment files tell the truth: one package list, the Python and torch versions the course
was made with, and `import course_utils` stays light."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml  # PyYAML comes with JupyterLab

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
# What conda installs because pip cannot: the interpreter, the installer, `dot`, Node.js/npm.
CONDA_ONLY = {"python", "pip", "graphviz", "nodejs"}


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def conda_dependencies() -> list:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]


def test_conda_installs_the_python_packages_from_pyproject_and_nothing_twice():
    dependencies = conda_dependencies()
    pip_sections = [entry["pip"] for entry in dependencies if isinstance(entry, dict)]
    assert pip_sections == [["-e .[dev]"]], "environment.yml must take its packages from pyproject.toml"
    conda = {requirement_name(entry) for entry in dependencies if isinstance(entry, str)}
    assert conda == CONDA_ONLY, f"conda lists {sorted(conda - CONDA_ONLY)}: list Python packages in pyproject.toml"


def test_python_version_is_the_same_everywhere():
    required = PYPROJECT["project"]["requires-python"]
    assert required == ">=3.11", "tests/test_environment.py reads TOML with tomllib, new in Python 3.11"
    assert "python=3.11" in conda_dependencies()
    assert sys.version_info >= (3, 11)
    stated = set(re.findall(r"Python ≥ (\d+\.\d+)", README))
    assert stated == {"3.11"}, f"README.md says Python ≥ {sorted(stated)}, pyproject.toml says {required}"


def test_the_torch_versions_of_the_stored_outputs_are_stated_and_are_the_upper_bounds():
    specs = {requirement_name(s): s for s in PYPROJECT["project"]["dependencies"]}
    assert specs["torch"].endswith("<=2.14.1") and specs["torchvision"].endswith("<=0.29.1")
    assert "torch 2.14.1 and torchvision 0.29.1" in README


def test_import_course_utils_does_not_import_torch():
    code = "import sys, course_utils; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
