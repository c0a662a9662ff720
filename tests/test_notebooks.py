"""The committed notebooks: thin, from one clean run, and checked outputs that hold on every machine.

nbval compares the `# NBVAL_CHECK_OUTPUT` cells' outputs exactly. A fitted number printed to more
digits than it means (an optimizer's 7th digit, a parallel sum's last one) differs between CPUs and
fails `make test` elsewhere; this guard fails here first.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.run.runner import NOTEBOOK_PARAMETERS, discover_stages

NOTEBOOKS = [stage.notebook for stage in discover_stages()]
MAX_CHECKED_DIGITS = 4  # the literature's precision for the CDNOW parameters (4.414, 10.58, 15.44)
DECIMAL = re.compile(r"\d[\d,]*\.\d+")


def significant_digits(number: str) -> int:
    """Significant digits of a printed decimal: '0.243' -> 3, '1,665.513' -> 7."""
    return len(re.sub(r"\D", "", number).lstrip("0"))


def over_precise(text: str) -> list[str]:
    return [n for n in DECIMAL.findall(text) if significant_digits(n) > MAX_CHECKED_DIGITS]


def test_the_guard_catches_the_digit_that_broke_make_test():
    assert over_precise("Pareto/NBD  1,880  1665.513  0.115") == ["1665.513"]
    assert over_precise("r = 0.243  alpha = 4.414  beta = 11.67; 2,357 customers; 48.3%") == []


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(
            output.get("text", "") if output.output_type == "stream" else output.get("data", {}).get("text/plain", "")
        )
    return "".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_checked_outputs_print_numbers_at_a_stable_precision(path):
    checked = [c for c in code_cells(path) if "NBVAL_CHECK_OUTPUT" in c.source]
    assert checked, f"{path.name} has no checked cell"
    for cell in checked:
        assert output_text(cell), f"{path.name}: a checked cell without output checks nothing"
        assert over_precise(output_text(cell)) == [], f"{path.name}: print these at a stable precision"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_thin_and_from_one_clean_run(path):
    cells = code_cells(path)
    parameters = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and cells[0] is parameters[0], "the first code cell is the parameters cell"
    declared = set(re.findall(r"^(\w+)\s*=", parameters[0].source, re.M))
    assert declared == set(NOTEBOOK_PARAMETERS)
    counts = [c.execution_count for c in cells]
    assert None not in counts and counts == sorted(counts), "outputs from one top-to-bottom run (make notebooks)"
    for cell in cells:
        assert not re.search(r"^\s*(def|class)\s", cell.source, re.M), "logic belongs in src/helpers/"
        assert not re.search(r"\b(write_table|write_json|to_parquet|to_csv|to_excel|savefig)\(", cell.source)
        assert ".style" not in cell.source, "tables go through helpers.language.formatting.styled, which escapes values"
        for output in cell.get("outputs", []):
            assert output.output_type != "error"
            assert not (output.output_type == "stream" and output.name == "stderr"), "stderr reaches the report"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_calls_its_stage_once(path):
    source = "\n".join(c.source for c in code_cells(path))
    assert len(re.findall(r"\b\w+\.run\(config_file, run_dir\)", source)) == 1


# Stages whose page is built in helpers/report (issue 33): their notebooks are parameters, one call,
# `display(result.report)`, the checked numbers and an explore part. The other stages follow.
REPORT_IN_PACKAGE = ("01_ingest", "02_segment", "03_clv", "04_churn", "05_next_purchase", "06_campaign")


def logic_outside_explore(notebook) -> list[str]:
    """The if/for/while lines of a notebook's code cells that are not tagged `explore`."""
    return [
        line.strip()
        for cell in notebook.cells
        if cell.cell_type == "code" and "explore" not in cell.metadata.get("tags", [])
        for line in cell.source.splitlines()
        if re.match(r"\s*(if|for|while|elif)\b", line)
    ]


@pytest.mark.parametrize("name", REPORT_IN_PACKAGE)
def test_a_notebook_whose_page_is_built_in_the_package_only_shows_it(name):
    notebook = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / f"{name}.ipynb", as_version=4)
    assert logic_outside_explore(notebook) == []
    source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "display(result.report)" in source and not re.search(r"\bt\(", source), "prose is built in the package"
    explore = [c for c in notebook.cells if "explore" in c.metadata.get("tags", [])]
    assert {c.cell_type for c in explore} == {"markdown", "code"}, "an explore part: what is there, and the tables"


def test_the_logic_check_sees_a_loop_in_a_report_cell():
    report = nbformat.v4.new_code_cell("for x in y:\n    print(x)")
    explore = nbformat.v4.new_code_cell("if a:\n    b", metadata={"tags": ["explore"]})
    assert logic_outside_explore(nbformat.v4.new_notebook(cells=[report, explore])) == ["for x in y:"]
