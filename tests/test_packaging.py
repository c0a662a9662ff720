"""pyproject.toml is the one source of dependencies; environment.yml installs that same package."""

import tomllib
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

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
    assert Version(python.split("=")[-1]) in SpecifierSet(requires), "versions compare as versions: 3.9 < 3.11"
    assert Version("3.9") not in SpecifierSet(requires)


def test_console_script_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["workbench"] == "helpers.cli:main"


def test_every_import_is_a_declared_dependency():
    """Each third-party package the helpers import is declared in pyproject.toml (one list of dependencies)."""
    import ast
    import sys

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {d.split("[")[0].split(">")[0].split("=")[0].strip().lower() for d in project["dependencies"]}
    import_names = {
        "sklearn": "scikit-learn",
        "yaml": "pyyaml",
        "ibis": "ibis-framework",
        "pandera": "pandera",
        "pyarrow": "pyarrow",
        "IPython": "ipykernel",
        "jupyter_client": "ipykernel",
        "nbformat": "nbconvert",
    }
    imported = set()
    for path in (ROOT / "src" / "helpers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            )
            imported |= {n.split(".")[0] for n in names}
    third_party = {n for n in imported if n not in sys.stdlib_module_names and n not in ("helpers", "pyspark")}
    spark_extra = {d.split("[")[0].split(">")[0].strip().lower() for d in project["optional-dependencies"]["spark"]}
    missing = {n for n in third_party if import_names.get(n, n).lower() not in declared | spark_extra}
    assert missing == set()


def test_code_and_notebooks_are_formatted_and_lint_clean():
    """`make lint`, as a test: ruff check and ruff format --check over src, tests, bench and the notebooks."""
    import subprocess
    import sys

    for command in (["check"], ["format", "--check"]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command, "src", "tests", "bench", "notebooks"],
                                cwd=ROOT, capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
