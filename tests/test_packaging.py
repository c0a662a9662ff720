"""pyproject.toml is the one source of dependencies; environment.yml installs that same package."""

import tomllib
from pathlib import Path

import pytest
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
    assert project["scripts"]["workbench"] == "helpers.run.cli:main"


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


LAYERS = ("core", "language", "data", "models", "report", "stages", "run")


def _helpers_imports(path: Path) -> set[str]:
    """The `helpers` modules and packages one file imports, as dotted names."""
    import ast

    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("helpers"):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names if alias.name.startswith("helpers")}
    return imported


def layer_violations(root: Path) -> list[str]:
    """Each import that points up the layer order (core → language → data → models → report → stages → run)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2:
            found += [f"{path.name}: a module outside the layers"] if parts[0] != "__init__.py" else []
            continue
        own = LAYERS.index(parts[0])
        for name in _helpers_imports(path):
            layer = name.split(".")[1]
            if layer not in LAYERS:
                found.append(f"{'/'.join(parts)} imports {name}, which is in no layer")
            elif LAYERS.index(layer) > own:
                found.append(f"{'/'.join(parts)} ({parts[0]}) imports {name} from the higher layer {layer}")
    return found


def test_imports_point_down_the_layers_only():
    assert layer_violations(ROOT / "src" / "helpers") == []


def test_the_layer_check_finds_an_upward_import(tmp_path):
    """The check above can fail: a model importing the runner, or a module left outside the layers."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "churn.py").write_text("from helpers.run import runner\nfrom helpers.core import config\n")
    (tmp_path / "flat.py").write_text("")
    assert layer_violations(tmp_path) == [
        "flat.py: a module outside the layers",
        "models/churn.py (models) imports helpers.run.runner from the higher layer run",
    ]


def _public_definitions(tree) -> set[str]:
    """A module's top-level functions, classes and assigned names that do not start with '_'."""
    import ast

    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {
                    e.id
                    for e in (target.elts if isinstance(target, ast.Tuple) else [target])
                    if isinstance(e, ast.Name)
                }
    return {name for name in names if not name.startswith("_")}


def test_every_module_lists_its_public_names_in_all():
    """`__all__` says what a module offers: exactly its public definitions, each of which exists."""
    import ast

    for path in sorted((ROOT / "src" / "helpers").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        listed = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                       and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)), None)  # fmt: skip
        assert listed is not None, f"{path.relative_to(ROOT)} has no __all__"
        assert set(listed) == _public_definitions(tree) - {"__all__"}, path.relative_to(ROOT)


# Functions whose signature a library fixes: lifetimes calls them with positional arguments.
LIBRARY_SIGNATURES = {"_log_A_0", "_conditional_log_likelihood", "_with_bounds"}


def many_positional(root: Path) -> list[str]:
    """Functions (self and cls aside) that take more than three parameters positionally."""
    import ast

    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name not in LIBRARY_SIGNATURES:
                names = [a.arg for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls")]
                if len(names) > 3:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}({', '.join(names)})")
    return found


def test_no_function_takes_more_than_three_positional_parameters():
    """Past the data argument(s), parameters are keyword-only: a call says what each value is."""
    assert many_positional(ROOT / "src" / "helpers") == []


def test_the_positional_check_finds_a_long_signature(tmp_path):
    (tmp_path / "m.py").write_text(
        "def f(a, b, c, d): ...\ndef g(a, b, *, c, d): ...\nclass C:\n    def h(self, a, b, c): ...\n"
    )
    assert many_positional(tmp_path) == ["m.py:1 f(a, b, c, d)"]


@pytest.mark.slow
def test_the_helpers_type_check_with_no_error():
    """mypy over src/helpers with pandas-stubs and pydantic's plugin ([tool.mypy]), as `make lint` runs it."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "mypy", "src/helpers"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
