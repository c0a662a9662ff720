"""The papermill runner: run folders, manifest, failures, re-runs, parameters and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import SCRIPT_ID, artifact_bytes, small_config

from helpers.core.errors import ConfigError, RunFolderError, StageFailed, StageSkipped
from helpers.data import pipeline
from helpers.run import runfolder, runner
from helpers.run.cli import main
from helpers.run.runner import NOTEBOOK_PARAMETERS, Stage, discover_stages, notebook_parameters, run, select_stages


@pytest.mark.slow
def test_a_run_through_the_notebooks_equals_the_stage_functions(tmp_path, stage_run):
    """The runner's artifacts are byte-identical to the stage functions' on the same config (and so deterministic)."""
    report = run(stage_run.config, run_id="a")
    run_dir = report.parent
    assert report.name == "report.html" and run_dir.name == "a"
    by_runner, by_functions = artifact_bytes(run_dir), artifact_bytes(stage_run.run_dir)
    assert by_runner.keys() == by_functions.keys() and "transactions.parquet" in by_runner
    assert [name for name in by_runner if by_runner[name] != by_functions[name]] == []
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {s["status"] for s in manifest["stages"].values()} == {"ok"}
    assert set(manifest["stages"]) == {s.name for s in discover_stages()}
    inputs = {
        Path(item["path"]).name: item["sha256"] for item in manifest["inputs"]
    }  # the log and the generated tables
    assert set(inputs) == {"hostile_babystore.csv", "babystore_members.csv", "babystore_surveys.csv"}
    assert all(len(digest) == 64 for digest in inputs.values())
    assert manifest["packages"]["lifetimes"] == "0.11.3"
    assert (run_dir / "config.yaml").exists()
    progress = (run_dir / "run.log").read_text(encoding="utf-8")
    assert all(f"{stage}: ok in" in progress for stage in manifest["stages"]), "run.log holds the run's own progress"
    front = report.read_text(encoding="utf-8")
    assert "What to do first" in front and "customers at high risk" in front and SCRIPT_ID not in front
    for stage in manifest["stages"]:
        page = (run_dir / "html" / f"{stage}.html").read_text(encoding="utf-8")
        assert "What we found" in page and "mathjax" not in page.lower(), stage
        assert f"<title>{pipeline.stage(stage).heading} · {stage}</title>" in page, "the tab names the stage"
        assert SCRIPT_ID not in page and "000123" not in page, "values are escaped and customer ids masked"
        executed = nbformat.read(run_dir / "notebooks" / f"{stage}.ipynb", as_version=4)
        streams = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "stream"]
        assert [o.text for o in streams if o.name == "stderr"] == [], "nothing on stderr reaches a report"


@pytest.mark.slow
def test_failing_stage_stops_the_run_and_is_recorded(tmp_path, capsys):
    config = small_config(tmp_path, columns={"amount": "price"})
    code = main(["--quiet", "run", "--config", str(config), "--run-id", "bad"])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, "a user error is one line"
    assert "stage 01_ingest failed" in err and "price" in err
    manifest = json.loads((tmp_path / "runs" / "bad" / "manifest.json").read_text())
    assert manifest["stages"]["01_ingest"]["status"] == "failed"
    assert "columns.amount" in manifest["stages"]["01_ingest"]["error"]
    assert len(manifest["stages"]) == 1, "no later stage ran"
    assert (tmp_path / "runs" / "bad" / "notebooks" / "01_ingest.ipynb").exists()
    assert not (tmp_path / "runs" / "bad" / "artifacts" / "transactions.parquet").exists()


def test_rerunning_a_later_stage_without_upstream_artifacts_says_what_to_run(tmp_path):
    config = small_config(tmp_path)
    with pytest.raises(RunFolderError, match="02_segment needs the clean transactions: run 01_ingest first"):
        run(config, run_id="partial", stages=["02"])


def test_each_notebook_declares_exactly_what_the_runner_passes(tmp_path):
    for stage in discover_stages():
        passed = notebook_parameters(stage, tmp_path, tmp_path / "config.yaml")
        assert set(passed) == set(NOTEBOOK_PARAMETERS)
        assert passed["run_dir"] == str(tmp_path)


def test_a_notebook_parameter_the_runner_does_not_pass_is_an_error(tmp_path):
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": kernel, "language_info": {"name": "python"}})
    cell = nbformat.v4.new_code_cell('run_dir = "x"\nconfig_file = "y"\nhorizon = 90')
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    path = tmp_path / "09_extra.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(
        ConfigError, match=r"09_extra.ipynb declares parameters \['config_file', 'horizon', 'run_dir'\]"
    ):
        notebook_parameters(Stage("09_extra", path), tmp_path, tmp_path / "config.yaml")


def test_stage_selection_by_number_or_name():
    stages = discover_stages()
    assert select_stages(stages, ["01"]) == select_stages(stages, ["ingest"]) == stages[:1]
    assert [s.name for s in select_stages(stages, ["churn", "02"])] == ["02_segment", "04_churn"]
    with pytest.raises(ConfigError, match="unknown stage 'ingset'"):
        select_stages(stages, ["ingset"])


def test_cli_check_reports_config_errors(tmp_path, capsys):
    bad = tmp_path / "c.yaml"
    bad.write_text("input: {dataset: cdnow_sample}\nclv: {horizon_monthz: 3}\n")
    assert main(["check", "--config", str(bad)]) == 1
    assert "clv.horizon_monthz: unknown key" in capsys.readouterr().err


def test_cli_shows_a_bug_with_its_traceback(tmp_path, monkeypatch):
    """Only user errors become one-line messages; anything else is a bug and must not be hidden."""

    def broken(*_args, **_kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr("helpers.run.cli.run", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["run", "--config", str(small_config(tmp_path))])


def test_the_input_is_hashed_once_per_run_not_once_per_stage(tmp_path, monkeypatch):
    raw = tmp_path / "orders.csv"
    raw.write_text("customer_id,order_date,amount\nc1,2024-01-02,10\n", encoding="utf-8")
    config = tmp_path / "mine.yaml"
    config.write_text(f"run: {{output_dir: {tmp_path / 'runs'}}}\ninput: {{path: {raw}}}\n", encoding="utf-8")
    hashed = []
    monkeypatch.setattr(runner, "_execute", lambda *_: None)  # the stages themselves are not under test here
    monkeypatch.setattr(runfolder, "sha256", lambda path: hashed.append(path) or "0" * 64)
    run(config, run_id="hash")
    assert hashed == [raw]
    manifest = json.loads((tmp_path / "runs" / "hash" / "manifest.json").read_text())
    assert manifest["inputs"] == [{"path": str(raw), "sha256": "0" * 64, "bytes": raw.stat().st_size}]
    assert len(manifest["stages"]) == len(discover_stages())


def test_sha256_streams_the_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    assert runfolder.sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_notebook_that_raises_insufficient_data_is_skipped_and_any_other_error_fails(tmp_path):
    """Through papermill: the kernel's exception class decides between 'skipped' (the data cannot support the
    stage; the run goes on) and 'failed' (the run stops)."""
    kernel = runner.ensure_kernel()
    paths = runner.RunPaths(tmp_path / "run")
    outcomes = {}
    thin = "from helpers.core.errors import ClvFitError\nraise ClvFitError('needs repeat buyers')"
    for name, body in (("03_thin", thin),
                       ("04_bug", "raise ValueError('a bug')"),
                       ("05_killed", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")):  # fmt: skip
        parameters = nbformat.v4.new_code_cell('run_dir = "x"\nconfig_file = "y"')
        parameters.metadata["tags"] = ["parameters"]
        notebook = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell(body)])
        notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(notebook, path)
        try:
            runner._execute(Stage(name, path), paths, kernel)
        except (StageSkipped, StageFailed) as error:
            outcomes[name] = (type(error).__name__, str(error))
    assert outcomes["03_thin"] == ("StageSkipped", "needs repeat buyers")
    assert outcomes["04_bug"][0] == "StageFailed" and "ValueError: a bug" in outcomes["04_bug"][1]
    assert outcomes["05_killed"][0] == "StageFailed" and "kernel died" in outcomes["05_killed"][1], (
        "a kernel killed for memory is a failed stage, not a manifest left 'running'"
    )
    assert (paths.html / "03_thin.html").exists(), "a skipped stage's notebook is still rendered for the report"


def test_overrides_merge_section_by_section():
    given = {"input": {"dataset": "babystore", "dataset_customers": 600}, "campaign": {"control_share": 0.2}}
    merged = runner.merged(given, {"input": {"path": "new.csv", "dataset": None}, "campaign": {"mode": "measure"}})
    assert merged["input"] == {"dataset": None, "dataset_customers": 600, "path": "new.csv"}
    assert merged["campaign"] == {"control_share": 0.2, "mode": "measure"} and given["campaign"] == {
        "control_share": 0.2
    }


def test_campaign_simulate_needs_the_example_data(tmp_path, capsys):
    plan = tmp_path / "plan.parquet"
    plan.write_bytes(b"")
    assert main(["campaign", "simulate", "--config", "configs/cdnow.yaml", "--plan", str(plan)]) == 1
    assert "works on the babystore examples" in capsys.readouterr().err
