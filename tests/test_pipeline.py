"""The pipeline as data: the declarations match what the stage modules read and write, every read has an earlier
writer, the runner takes its stages from them, and ARCHITECTURE.md shows the graph they give."""

from __future__ import annotations

import ast
import importlib
import inspect
import shutil
from pathlib import Path

import pytest

from helpers.core.errors import ConfigError
from helpers.data import pipeline
from helpers.data.pipeline import PIPELINE, TRANSACTIONS, Stage
from helpers.data.schemas import ARTIFACTS, CSV_COPIES
from helpers.run.runner import NOTEBOOK_DIR, discover_stages

ROOT = Path(__file__).resolve().parents[1]


def artifact_names(module) -> set[str]:
    """The run's artifacts a stage module (and the stage modules it delegates to, e.g. 02's member profile in
    `stages/profile.py`) names in its source as string literals, and the transactions when it opens them."""
    source = inspect.getsource(module)
    tree = ast.parse(source)
    names = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and node.value in ARTIFACTS.keys() | CSV_COPIES.keys()}  # fmt: skip
    helpers = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
               and node.module.startswith("helpers.stages.") and node.module != "helpers.stages.context"}  # fmt: skip
    for helper in helpers:
        names |= artifact_names(importlib.import_module(helper))
    return names | ({TRANSACTIONS} if "context.transactions()" in source else set())


def config_sections(module) -> set[str]:
    """The config sections a stage module reads as `config.<section>`."""
    tree = ast.parse(inspect.getsource(module))
    reads = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)]
    return {node.attr for node in reads if node.value.id == "config"}


@pytest.mark.parametrize("stage", PIPELINE, ids=lambda s: s.name)
def test_each_stage_reads_and_writes_only_what_it_declares(stage: Stage):
    module = importlib.import_module(f"helpers.stages.{stage.module}")
    named = artifact_names(module)
    assert named <= set(stage.reads) | set(stage.writes), f"undeclared: {sorted(named - set(stage.reads))}"
    assert set(stage.reads) <= named, f"declared but never read: {sorted(set(stage.reads) - named)}"
    assert config_sections(module) <= {*stage.config, "run", "report"}, "a config section read but not declared"
    assert callable(module.run) and (NOTEBOOK_DIR / stage.notebook).exists()


def test_every_read_has_an_earlier_writer_and_a_cycle_or_a_stray_read_is_caught():
    assert pipeline.problems() == []
    looped = (Stage("01_a", "a", "A", (), uses=("clv.parquet",)), *PIPELINE[1:])
    assert any("01_a reads clv.parquet, which no earlier stage writes" in p for p in pipeline.problems(looped))
    swapped = (PIPELINE[0], PIPELINE[3], PIPELINE[2])
    assert "the stages are not in the order of their numbers" in pipeline.problems(swapped)


def test_a_stage_running_again_makes_exactly_its_readers_stale():
    assert pipeline.downstream("03_clv") == ["04_churn", "05_next_purchase", "06_campaign"]
    assert pipeline.downstream("05_next_purchase") == ["06_campaign"] and pipeline.downstream("06_campaign") == []
    assert pipeline.upstream("06_campaign") == ["01_ingest", "05_next_purchase"]


def test_the_runner_runs_the_declared_stages_and_refuses_an_undeclared_notebook(tmp_path):
    assert [s.name for s in discover_stages()] == [s.name for s in PIPELINE]
    for stage in PIPELINE:
        shutil.copy(NOTEBOOK_DIR / stage.notebook, tmp_path)
    (tmp_path / "07_extra.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not declared \['07_extra.ipynb'\]"):
        discover_stages(tmp_path)


def test_architecture_md_shows_the_graph_the_declarations_give():
    assert pipeline.graph() in (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"), (
        "run `workbench stages` and paste its output into ARCHITECTURE.md"
    )
