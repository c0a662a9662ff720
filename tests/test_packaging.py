"""pyproject.toml is the one source of dependencies; environment.yml installs that same package."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_installs_the_package_and_nothing_else():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pip_entries = [d for d in deps if isinstance(d, dict)]
    assert len(pip_entries) == 1, "one pip section"
    assert pip_entries[0]["pip"] == ["-e .[dev]"], "pip installs this package with its dev extras, nothing else"
    conda_names = {d.split("=")[0].split(">")[0] for d in deps if isinstance(d, str)}
    assert conda_names == {"python", "pip"}, f"conda installs only python and pip, found {conda_names}"


def test_environment_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    assert python.split("=")[-1] >= "3.11"


def test_console_script_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["workbench"] == "helpers.cli:main"
