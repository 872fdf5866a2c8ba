"""pyproject.toml and environment.yml install the same packages; `import course_utils` stays light."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pytorch": "torch", "matplotlib-base": "matplotlib"}
CONDA_ONLY = {"python", "pip", "graphviz"}  # the interpreter, the installer, the `dot` binary


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {requirement_name(s): s.replace(" ", "") for s in specs}


def conda_packages() -> dict:
    import yaml  # PyYAML comes with JupyterLab

    packages = {}
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    for entry in dependencies:
        specs = entry["pip"] if isinstance(entry, dict) else [entry]
        for spec in specs:
            name = requirement_name(spec)
            if name in CONDA_ONLY or spec.startswith("-"):
                continue
            pypi_name = CONDA_TO_PYPI.get(name, name)
            packages[pypi_name] = pypi_name + spec[len(name):].replace(" ", "")
    return packages


def test_conda_and_pip_list_the_same_packages_and_versions():
    pip, conda = pyproject_packages(), conda_packages()
    assert sorted(pip) == sorted(conda)
    for name, spec in pip.items():
        assert conda[name] == name + spec[len(name):], f"{name}: pip says {spec}, conda says {conda[name]}"


def test_import_course_utils_does_not_import_torch():
    code = "import sys, course_utils; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
