"""The papermill runner: run folders, manifest, failures, re-runs and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from helpers.cli import main
from helpers.runner import StageFailed, discover_stages, notebook_parameters, run, select_stages

ROOT = Path(__file__).resolve().parents[1]


def small_config(tmp_path: Path, **overrides) -> Path:
    config = yaml.safe_load((ROOT / "configs" / "babystore.yaml").read_text(encoding="utf-8"))
    config["input"]["dataset_customers"] = 600
    config["run"]["output_dir"] = str(tmp_path / "runs")
    config["clv"]["bootstrap_samples"] = 5
    for section, values in overrides.items():
        config.setdefault(section, {}).update(values)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def artifact_bytes(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run_dir / "artifacts").iterdir())}


@pytest.mark.slow
def test_same_config_twice_gives_identical_artifacts(tmp_path):
    config = small_config(tmp_path)
    run(config, run_id="a", log=lambda _: None)
    run(config, run_id="b", log=lambda _: None)
    first, second = artifact_bytes(tmp_path / "runs" / "a"), artifact_bytes(tmp_path / "runs" / "b")
    assert first.keys() == second.keys()
    assert "transactions.parquet" in first
    assert [name for name in first if first[name] != second[name]] == []
    manifest = json.loads((tmp_path / "runs" / "a" / "manifest.json").read_text())
    assert {s["status"] for s in manifest["stages"].values()} == {"ok"}
    assert set(manifest["stages"]) == {s.name for s in discover_stages()}
    assert manifest["inputs"][0]["sha256"] and manifest["packages"]["lifetimes"] == "0.11.3"
    for stage in manifest["stages"]:
        assert (tmp_path / "runs" / "a" / "html" / f"{stage}.html").exists()


@pytest.mark.slow
def test_failing_stage_stops_the_run_and_is_recorded(tmp_path, capsys):
    config = small_config(tmp_path, columns={"amount": "price"})
    code = main(["run", "--config", str(config), "--run-id", "bad"])
    assert code == 1
    err = capsys.readouterr().err
    assert "stage 01_ingest failed" in err and "price" in err
    manifest = json.loads((tmp_path / "runs" / "bad" / "manifest.json").read_text())
    assert manifest["stages"]["01_ingest"]["status"] == "failed"
    assert "columns.amount" in manifest["stages"]["01_ingest"]["error"]
    assert len(manifest["stages"]) == 1, "no later stage ran"
    assert (tmp_path / "runs" / "bad" / "notebooks" / "01_ingest.ipynb").exists()
    assert not (tmp_path / "runs" / "bad" / "artifacts" / "transactions.parquet").exists()


def test_rerunning_a_later_stage_without_upstream_artifacts_says_what_to_run(tmp_path):
    stages = [s.name for s in discover_stages()]
    if len(stages) < 2:
        pytest.skip("only one stage exists")
    config = small_config(tmp_path)
    with pytest.raises(StageFailed, match="run the 01_ingest stage first"):
        run(config, run_id="partial", stages=[stages[1]], log=lambda _: None)


def test_each_notebook_gets_exactly_its_declared_parameters(tmp_path):
    available = {"input": {"dataset": "x"}, "cleaning": {}, "clv": {}, "segment": {}, "unrelated": 1}
    for stage in discover_stages():
        passed = notebook_parameters(stage, available, tmp_path)
        assert passed["run_dir"] == str(tmp_path)
        assert "unrelated" not in passed


def test_stage_selection_by_number_or_name():
    stages = discover_stages()
    assert select_stages(stages, ["01"]) == select_stages(stages, ["ingest"]) == stages[:1]
    with pytest.raises(ValueError, match="unknown stage 'ingset'"):
        select_stages(stages, ["ingset"])


def test_cli_check_reports_config_errors(tmp_path, capsys):
    bad = tmp_path / "c.yaml"
    bad.write_text("input: {dataset: cdnow_sample}\nclv: {horizon_monthz: 3}\n")
    assert main(["check", "--config", str(bad)]) == 1
    assert "clv.horizon_monthz: unknown key" in capsys.readouterr().err


@pytest.mark.slow
def test_segment_migration_between_two_runs_at_two_analysis_dates(tmp_path):
    first = small_config(tmp_path, dates={"analysis_date": "2024-06-30"}, clv={"calibration_end": "2024-03-31"})
    run(first, run_id="h1", stages=["01", "02"], log=lambda _: None)
    second = small_config(tmp_path, segment={"compare_with": "h1"})
    run(second, run_id="h2", stages=["01", "02"], log=lambda _: None)
    thresholds = json.loads((tmp_path / "runs" / "h1" / "artifacts" / "segment_thresholds.json").read_text())
    assert thresholds["analysis_date"] == "2024-06-30"
    assert (tmp_path / "runs" / "h2" / "figures" / "02_migration.png").exists()
    executed = (tmp_path / "runs" / "h2" / "notebooks" / "02_segment.ipynb").read_text(encoding="utf-8")
    assert "moved up" in executed and "are new since then" in executed
