"""A run folder you can trust: names inside run.output_dir, one writer, no stale reuse, interrupts recorded."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from helpers.core import errors
from helpers.core.errors import ArtifactSchemaError, ConfigError, RunFolderError, StageFailed
from helpers.data import artifacts, exports
from helpers.run import runfolder, runner
from helpers.run.cli import main

ROOT = Path(__file__).resolve().parents[1]


def user_config(tmp_path: Path, name: str = "mine.yaml", **sections) -> Path:
    raw = tmp_path / "orders.csv"
    if not raw.exists():
        raw.write_text("customer_id,order_date,amount\nc1,2024-01-02,10\nc2,2024-01-03,12\n", encoding="utf-8")
    config = {"run": {"output_dir": str(tmp_path / "runs")}, "input": {"path": str(raw)}, **sections}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture
def fake_stages(monkeypatch):
    """Stages that write a token artifact instead of running notebooks; `fail`/`interrupt` name a stage to stop."""
    behaviour = {"fail": None, "interrupt": None, "token": b"v1"}

    def execute(stage, paths, _kernel):
        if stage.name == behaviour["fail"]:
            raise StageFailed(f"stage {stage.name} failed: ValueError: planted (see nowhere)")
        if stage.name == behaviour["interrupt"]:
            raise KeyboardInterrupt
        if stage.name.startswith("01"):
            (paths.artifacts / "transactions.parquet").write_bytes(behaviour["token"])

    monkeypatch.setattr(runner, "_execute", execute)
    monkeypatch.setattr(runner, "ensure_kernel", lambda: "none")
    return behaviour


def manifest(tmp_path: Path, run_id: str) -> dict:
    return json.loads((tmp_path / "runs" / run_id / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("run_id", ["..", ".", "../x", "../../x", "/tmp/elsewhere", "a/b", "", "-x", "a b", "é"])
def test_a_run_id_is_a_plain_name_inside_the_output_dir(tmp_path, run_id):
    with pytest.raises(ConfigError, match="not a plain name"):
        runfolder.run_folder(tmp_path, run_id)
    assert runfolder.run_folder(tmp_path, "cdnow-2024.12_a") == (tmp_path / "cdnow-2024.12_a").resolve()


def test_run_id_dotdot_cannot_touch_the_repository(tmp_path, capsys):
    notebooks = {p: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert main(["run", "--config", str(user_config(tmp_path)), "--run-id", ".."]) == 1
    assert "not a plain name" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")} == notebooks
    assert not (tmp_path / "manifest.json").exists() and not (tmp_path / "runs").exists()


def test_a_second_writer_is_refused_naming_the_holder(tmp_path, fake_stages):
    folder = tmp_path / "runs" / "busy"
    refused = pytest.raises(RunFolderError, match=rf"being written by process {os.getpid()} on .* since 20")
    with runfolder.locked(folder), refused:
        runner.run(user_config(tmp_path), run_id="busy")
    runner.run(user_config(tmp_path), run_id="busy")  # released: the next writer gets it
    assert not (folder / runfolder.LOCK_NAME).exists()


def test_a_dead_writers_lock_is_replaced(tmp_path, fake_stages):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    folder = tmp_path / "runs" / "stale"
    folder.mkdir(parents=True)
    holder = {"pid": dead_pid, "host": os.uname().nodename, "started": "2026-01-01T00:00:00+00:00"}
    (folder / runfolder.LOCK_NAME).write_text(json.dumps(holder))
    runner.run(user_config(tmp_path), run_id="stale")
    assert {s["status"] for s in manifest(tmp_path, "stale")["stages"].values()} == {"ok"}


def test_a_stage_refuses_to_read_a_failed_upstream_stage(tmp_path, fake_stages):
    config = user_config(tmp_path)
    runner.run(config, run_id="r")
    fake_stages["fail"] = "01_ingest"
    with pytest.raises(StageFailed):
        runner.run(config, run_id="r", stages=["01"])
    states = {name: s["status"] for name, s in manifest(tmp_path, "r")["stages"].items()}
    assert states == {"01_ingest": "failed", "02_segment": "stale", "03_clv": "stale", "04_churn": "stale",
                      "05_next_purchase": "stale", "06_campaign": "stale"}  # fmt: skip
    with pytest.raises(
        RunFolderError, match=r"02_segment would read the artifacts of 01_ingest, whose last run is 'failed'"
    ):
        runner.run(config, run_id="r", stages=["02"])
    report = (tmp_path / "runs" / "r" / "report.html").read_text(encoding="utf-8")
    assert "stale" in report and "failed" in report


def test_a_stage_refuses_artifacts_from_another_input(tmp_path, fake_stages):
    runner.run(user_config(tmp_path), run_id="r", stages=["01"])
    other = user_config(tmp_path, "other.yaml", cleaning={"drop_duplicates": False})
    with pytest.raises(
        RunFolderError, match="computed from another input or ingest config than this run's; run 01_ingest"
    ):
        runner.run(other, run_id="r", stages=["02"])
    (tmp_path / "orders.csv").write_text("customer_id,order_date,amount\nc9,2024-01-02,99\n", encoding="utf-8")
    with pytest.raises(RunFolderError, match="another input"):
        runner.run(user_config(tmp_path), run_id="r", stages=["02"])


def test_a_stage_refuses_an_upstream_artifact_changed_since_it_was_written(tmp_path, fake_stages):
    config = user_config(tmp_path)
    runner.run(config, run_id="r", stages=["01"])
    (tmp_path / "runs" / "r" / "artifacts" / "transactions.parquet").write_bytes(b"edited by hand")
    with pytest.raises(RunFolderError, match="transactions.parquet changed since 01_ingest wrote it"):
        runner.run(config, run_id="r", stages=["02"])


def test_a_later_stage_needs_ingest_in_the_same_folder(tmp_path, fake_stages):
    with pytest.raises(RunFolderError, match="run 01_ingest first"):
        runner.run(user_config(tmp_path), run_id="new", stages=["03"])


def test_rerunning_a_stage_marks_the_later_stages_stale(tmp_path, fake_stages):
    config = user_config(tmp_path)
    runner.run(config, run_id="r")
    runner.run(config, run_id="r", stages=["02"])
    states = {name: s["status"] for name, s in manifest(tmp_path, "r")["stages"].items()}
    assert states == {"01_ingest": "ok", "02_segment": "ok", "03_clv": "stale", "04_churn": "stale",
                      "05_next_purchase": "stale", "06_campaign": "stale"}  # fmt: skip
    record = manifest(tmp_path, "r")["stages"]["02_segment"]
    assert record["reads"] == {"transactions.parquet": runfolder.sha256(tmp_path / "runs" / "r" / "artifacts" /
                                                                         "transactions.parquet")}  # fmt: skip


def test_ctrl_c_is_recorded_and_exits_130(tmp_path, fake_stages, capsys):
    fake_stages["interrupt"] = "03_clv"
    code = main(["--quiet", "run", "--config", str(user_config(tmp_path)), "--run-id", "int"])
    assert code == 130
    err = capsys.readouterr().err.strip()
    assert err == "workbench: run interrupted by SIGINT; the manifest marks the stage interrupted"
    record = manifest(tmp_path, "int")
    assert (
        record["stages"]["03_clv"]["status"] == "interrupted" and "SIGINT at 20" in record["stages"]["03_clv"]["error"]
    )
    assert "04_churn" not in record["stages"] and "finished" in record
    assert (tmp_path / "runs" / "int" / "report.html").exists()
    assert not (tmp_path / "runs" / "int" / runfolder.LOCK_NAME).exists()


@pytest.mark.slow
def test_sigterm_during_a_real_stage_is_recorded_and_exits_143(tmp_path):
    config = user_config(tmp_path)
    command = [sys.executable, "-m", "helpers.run.cli", "--quiet", "run", "--config", str(config), "--run-id", "term"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = tmp_path / "runs" / "term" / "manifest.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until a stage is running, then stop the run
        if state.exists() and '"running"' in state.read_text(encoding="utf-8"):
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143
    assert err.strip().splitlines() == [
        "workbench: run interrupted by SIGTERM; the manifest marks the stage interrupted"
    ]
    record = json.loads(state.read_text(encoding="utf-8"))
    assert [s["status"] for s in record["stages"].values()] == ["interrupted"]
    assert (tmp_path / "runs" / "term" / "report.html").exists()
    assert not (tmp_path / "runs" / "term" / runfolder.LOCK_NAME).exists()


def test_an_artifact_is_hashed_once_per_version_not_once_per_stage(tmp_path, fake_stages, monkeypatch):
    hashed = []
    real = runfolder.sha256
    monkeypatch.setattr(runfolder, "sha256", lambda path: hashed.append(path.name) or real(path))
    runner.run(user_config(tmp_path), run_id="r")
    assert hashed.count("transactions.parquet") == 1, "written once, read by three later stages"
    fake_stages["token"] = b"v2"  # a new version of the file is hashed again
    runner.run(user_config(tmp_path), run_id="r")
    assert hashed.count("transactions.parquet") == 2


def test_a_table_written_a_row_group_at_a_time_reads_back_as_pandas_wrote_it(tmp_path, monkeypatch):
    """Large tables go to Parquet a row group at a time; a group whose text column is all empty keeps its type."""
    monkeypatch.setattr(artifacts, "PARQUET_ROWS", 3)
    frame = pd.DataFrame({
        "customer_id": list("abcdefg"),
        "spend": [1.5, None, 3.0, 4.0, 5.0, 6.0, 7.0],
        "label": pd.Series(["x", "q", "r", None, None, None, "w"], dtype=object),
        "segment": pd.Series(["VIP", None, "regular", "VIP", "new", "new", "VIP"], dtype="str"),
        "last_purchase_date": pd.to_datetime(["2024-01-0" + str(d) for d in range(1, 8)]),
        "in_budget": [True, False, True, False, True, False, True],
    })  # fmt: skip
    ours, pandas_own = tmp_path / "ours.parquet", tmp_path / "pandas.parquet"
    artifacts.write_parquet(frame, ours)
    frame.to_parquet(pandas_own, index=False)
    assert pq.ParquetFile(ours).metadata.num_row_groups == 3
    assert pq.read_schema(ours).equals(pq.read_schema(pandas_own))
    pd.testing.assert_frame_equal(pd.read_parquet(ours), pd.read_parquet(pandas_own))


def test_a_table_read_in_part_is_checked_on_the_columns_read(tmp_path):
    """05 reads only the action list's columns of 04's table: those are checked, the others neither read nor
    required, and a requested column the file lacks is left out."""
    paths = artifacts.RunPaths(tmp_path)
    frame = pd.DataFrame({"quantity": ["total clv", "customers"], "p05": [1.0, 2.0], "median": [2.0, 3.0],
                          "p95": [3.0, 4.0], "successful_fits": [100, 100], "customers_per_fit": [10, 10]})  # fmt: skip
    frame.to_parquet(paths.artifact("clv_bootstrap.parquet"), index=False)
    part = paths.read_table("clv_bootstrap.parquet", "03_clv", ["quantity", "median", "no such column"])
    pd.testing.assert_frame_equal(part, frame[["quantity", "median"]])
    frame.assign(median=["high", "low"]).to_parquet(paths.artifact("clv_bootstrap.parquet"), index=False)
    assert paths.read_table("clv_bootstrap.parquet", "03_clv", ["quantity", "p95"])["p95"].tolist() == [3.0, 4.0]
    with pytest.raises(ArtifactSchemaError, match="median"):
        paths.read_table("clv_bootstrap.parquet", "03_clv", ["quantity", "median"])


def test_a_table_given_in_slices_is_written_as_the_whole_table(tmp_path, monkeypatch):
    """05 writes the action list a slice at a time: the Parquet, CSV and XLSX hold what the whole table gives,
    also when a column has no value in the first slice, and a sheet still stops at Excel's row limit."""
    frame = pd.DataFrame({
        "customer_id": ["007", "b", "c", "d", "e"],
        "offer": pd.Series([None, None, "toys", "=HYPERLINK(1)", None], dtype=object),  # no type in the first slice
        "send_on": pd.to_datetime([None, None, "2024-01-03", "2024-01-04", "2024-01-05"]),
        "spend": [1.5, 2.0, None, 4.25, 5.0],
    })  # fmt: skip
    parts = [frame.iloc[:2], frame.iloc[2:4], frame.iloc[4:]]
    artifacts.write_parquet(iter(parts), tmp_path / "sliced.parquet", {"offer": pa.string()})
    frame.to_parquet(tmp_path / "whole.parquet", index=False)
    sliced_schema, whole_schema = (pq.read_schema(tmp_path / f"{n}.parquet") for n in ("sliced", "whole"))
    assert sliced_schema.remove_metadata().equals(whole_schema.remove_metadata())
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "sliced.parquet"), pd.read_parquet(tmp_path / "whole.parquet")
    )
    for suffix, write in ((".csv", exports.write_csv), (".xlsx", exports.write_xlsx)):
        write(iter(parts), tmp_path / f"sliced{suffix}")
        write(frame, tmp_path / f"whole{suffix}")
        sliced, whole = (exports.read_export(tmp_path / f"{name}{suffix}") for name in ("sliced", "whole"))
        pd.testing.assert_frame_equal(sliced, whole)
        assert (
            sliced["customer_id"].iloc[0] == "007" and sliced["offer"].iloc[3] == "'=HYPERLINK(1)"[suffix == ".xlsx" :]
        )
    assert (tmp_path / "sliced.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()  # one header, one BOM
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 3)

    def read_no_further():  # the sheet is full within the second slice: the third is never needed
        yield from parts[:2]
        raise AssertionError("read past the sheet's last row")

    assert exports.write_xlsx(read_no_further(), tmp_path / "short.xlsx") is False  # not every row fits
    assert exports.write_xlsx(parts[:2], tmp_path / "fits.xlsx") is False
    assert exports.write_xlsx(iter([parts[0], parts[2]]), tmp_path / "fits.xlsx") is True
    assert exports.read_export(tmp_path / "short.xlsx")["customer_id"].tolist() == ["007", "b", "c"]
    assert openpyxl.load_workbook(tmp_path / "short.xlsx").active.auto_filter.ref == "A1:D4"


def test_a_stage_logs_to_its_run_log_not_to_the_report(tmp_path, monkeypatch, capsys):
    """A warning in a stage (a list longer than an Excel sheet) goes to the run's log file, named by its artifact,
    not to standard error, which a notebook kernel shows in the report."""
    from helpers.stages.context import StageContext

    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 1)
    alerts = pd.DataFrame({
        "customer_id": ["a", "b"], "alert": ["spend spike"] * 2, "severity": ["high", "low"], "reason": ["r"] * 2,
        "evidence": ["e"] * 2, "order_id": [None, "o1"], "first_date": pd.to_datetime(["2024-01-01"] * 2),
        "last_date": pd.to_datetime(["2024-01-02"] * 2), "amount": [1.0, 2.0], "robust_z": [3.5, None],
    })  # fmt: skip
    monkeypatch.setattr(logging.root, "handlers", [])  # as in a kernel: without a handler, Python prints to stderr
    for run in ("first", "second"):
        monkeypatch.setenv("CRM_WORKBENCH_LOG", str(tmp_path / f"{run}.log"))
        context = StageContext(artifacts.RunPaths(tmp_path / run), None)
        context.paths.write_table(alerts, "alerts.xlsx")
    assert "alerts.xlsx holds 1 rows" in (tmp_path / "second.log").read_text(encoding="utf-8")
    assert (tmp_path / "first.log").read_text(encoding="utf-8").count("alerts.xlsx") == 1  # not the second run's
    assert capsys.readouterr().err == ""


def test_a_report_says_what_a_list_longer_than_a_sheet_keeps(monkeypatch):
    from helpers.data.exports import sheet_limit
    from helpers.language.i18n import use_language

    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 1_000)
    assert sheet_limit(1_000, "action_list") == []
    (sentence,) = sheet_limit(1_001, "action_list")
    assert "`action_list.xlsx` has the first 1,000 of the 1,001" in sentence
    use_language("zh")
    try:
        assert "`action_list.xlsx` 只含 1,001 行中的前 1,000 行" in sheet_limit(1_001, "action_list")[0]
    finally:
        use_language("en")


def test_an_xlsx_holds_the_configured_rows_and_the_report_says_so(tmp_path):
    """report.xlsx_max_rows: the .xlsx has the first rows in the list's order, the CSV and Parquet have them all,
    and the page's sentence names the setting; beyond Excel's own limit the setting is refused."""
    from helpers.core.config import ReportSection
    from helpers.data.exports import sheet_limit
    from helpers.language.i18n import use_language

    alerts = pd.DataFrame({
        "customer_id": [f"00{i}" for i in range(7)], "alert": "spend spike", "severity": "high", "reason": "r",
        "evidence": "e", "order_id": None, "first_date": pd.Timestamp("2024-01-01"),
        "last_date": pd.Timestamp("2024-01-02"), "amount": 1.0, "robust_z": 3.5,
    })  # fmt: skip
    paths = artifacts.RunPaths(tmp_path / "run", xlsx_max_rows=5)
    for name in ("alerts.xlsx", "alerts.csv", "alerts.parquet"):
        paths.write_table(alerts, name)
    assert exports.read_export(paths.artifact("alerts.xlsx"))["customer_id"].tolist() == [f"00{i}" for i in range(5)]
    assert (
        len(exports.read_export(paths.artifact("alerts.csv")))
        == len(pd.read_parquet(paths.artifact("alerts.parquet")))
        == 7
    )
    assert sheet_limit(5, "alerts", max_rows=5) == []
    (sentence,) = sheet_limit(7, "alerts", max_rows=5)
    assert "`alerts.xlsx` has the first 5 of the 7 rows" in sentence and "report.xlsx_max_rows" in sentence
    with use_language("zh"):
        assert "`alerts.xlsx` 只含 7 行中按清单顺序的前 5 行" in sheet_limit(7, "alerts", max_rows=5)[0]
    assert sheet_limit(2_000_000, "alerts")[0].startswith("Excel holds 1,048,575 rows")
    assert sheet_limit(2_000_000, "alerts", max_rows=2_000_000)[0].startswith("Excel holds 1,048,575 rows")
    with pytest.raises(ValueError, match="less than or equal to 1048575"):
        ReportSection(xlsx_max_rows=1_048_576)


def test_json_artifacts_are_strict_json_with_nan_as_null(tmp_path):
    import numpy as np

    from helpers.data.artifacts import write_json

    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")

    write_json({"beta": float("nan"), "rows": [1.5, float("inf"), np.float64("nan")], "ok": 2.0}, tmp_path / "a.json")
    read = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"), parse_constant=refuse)
    assert read == {"beta": None, "rows": [1.5, None, None], "ok": 2.0}


def test_no_write_follows_a_link_left_in_the_run_folder(tmp_path, fake_stages):
    """A `run.log` linked to a file elsewhere was appended to by the next run; links are removed, not followed."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "precious.txt").write_text("mine", encoding="utf-8")
    folder = tmp_path / "runs" / "r"
    folder.mkdir(parents=True)
    (folder / "run.log").symlink_to(outside / "precious.txt")
    (folder / "artifacts").symlink_to(outside, target_is_directory=True)
    runner.run(user_config(tmp_path), run_id="r")
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"], "nothing written through the linked folder"
    assert (folder / "artifacts" / "transactions.parquet").is_file() and not (folder / "artifacts").is_symlink()
    assert not (folder / "run.log").is_symlink()


def test_the_log_is_never_opened_through_a_link(tmp_path):
    from helpers.core.logfiles import process_output_to

    (tmp_path / "run.log").symlink_to(tmp_path / "target.txt")
    with pytest.raises(OSError) as caught, process_output_to(tmp_path / "run.log"):
        pass
    assert "symbolic link" in str(errors.disk_error(caught.value))
    assert not (tmp_path / "target.txt").exists()


def test_a_damaged_manifest_is_reported_not_parsed(tmp_path, fake_stages, capsys):
    folder = tmp_path / "runs" / "r"
    folder.mkdir(parents=True)
    for damaged in ('{"stages": {"01_ingest": {"status": "ok"', "[1, 2]", '{"stages": "ok"}'):
        (folder / "manifest.json").write_text(damaged, encoding="utf-8")
        assert main(["run", "--config", str(user_config(tmp_path)), "--run-id", "r"]) == 1
        message = capsys.readouterr().err.strip()
        assert message.count("\n") == 0 and "manifest.json is damaged" in message and "--run-id" in message
        assert (folder / "manifest.json").read_text(encoding="utf-8") == damaged, "the evidence is kept as it was"


@pytest.mark.parametrize(("code", "fix"), [(errno.EACCES, "writable"), (errno.EROFS, "read-only"),
                                           (errno.ENOSPC, "disk is full")])  # fmt: skip
def test_a_folder_the_system_refuses_is_a_one_line_error(tmp_path, fake_stages, monkeypatch, capsys, code, fix):
    """Read-only folders and full disks, mocked: the machine's root user may write anywhere and its disk is big."""
    target = str(tmp_path / "runs" / "r" / "manifest.json")

    def refuse(*_args, **_kwargs):
        raise OSError(code, os.strerror(code), target)

    monkeypatch.setattr(runner, "write_json", refuse)
    assert main(["run", "--config", str(user_config(tmp_path)), "--run-id", "r"]) == 1
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and message.startswith(f"workbench: cannot write {target}: ") and fix in message


@pytest.mark.parametrize(("ename", "title"), [("ChurnDataError", "This stage was skipped"),
                                              ("TypeError", "This stage stopped with an error")])  # fmt: skip
def test_a_stopped_stage_page_says_why_in_words_without_a_traceback(tmp_path, ename, title):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    traceback = ["\x1b[0;31mTraceback (most recent call last)"]
    error = nbformat.v4.new_output("error", ename=ename, evalue="at the cutoff <b>2024</b>", traceback=traceback)
    notebook.cells[0].outputs = [error]
    executed = tmp_path / "04_churn.ipynb"
    nbformat.write(notebook, executed)
    for language, expected in (("en", title), ("zh", "本阶段")):
        runner.render_html(executed, tmp_path / "page.html", language=language)
        page = (tmp_path / "page.html").read_text(encoding="utf-8")
        assert expected in page and "at the cutoff &lt;b&gt;2024&lt;/b&gt;" in page
        assert "Traceback" not in page and "\x1b" not in page


def test_a_stages_progress_in_the_log_is_echoed_as_it_comes(tmp_path):
    """A kernel's progress messages (the helpers' INFO and WARNING records in the run's log) reach the terminal while
    the stage runs, with the stage and the time since it began; other output in the log does not."""
    from helpers.core.logfiles import echo_progress

    log_file, terminal = tmp_path / "run.log", tmp_path / "terminal.txt"
    log_file.write_text("2026-12-06 10:00:00,000 helpers.stages INFO: an earlier stage\n", encoding="utf-8")
    console = os.open(terminal, os.O_WRONLY | os.O_CREAT)
    try:
        with (
            echo_progress(log_file, label="04_churn", console=console, poll_seconds=0.05),
            log_file.open("a", encoding="utf-8") as log,
        ):
            log.write("2026-12-06 10:00:01,000 helpers.models.churn INFO: churn backtest fold 1 of 3\n")
            log.write("Spark says something on standard error\n")
            log.flush()
            time.sleep(0.3)
            assert "fold 1 of 3" in terminal.read_text(encoding="utf-8"), "echoed while the stage runs"
            log.write("2026-12-06 10:00:02,000 helpers.stages WARNING: a fold was skipped\n")
            log.write("2026-12-06 10:00:03,000 helpers.stages INFO: half a line")
    finally:
        os.close(console)
    assert terminal.read_text(encoding="utf-8").splitlines() == [
        "  04_churn 0:00 churn backtest fold 1 of 3", "  04_churn 0:00 warning: a fold was skipped"]  # fmt: skip
