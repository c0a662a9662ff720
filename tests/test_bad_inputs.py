"""A catalogue of bad or unusual inputs (issue 9): each gets a clear error naming the fix, or a quarantined row
that the reconciliation still accounts for. Never a silent wrong result, never a traceback from inside a library."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.core.config import parse_config
from helpers.core.errors import (
    ChurnDataError,
    ClvFitError,
    ConfigError,
    InputError,
    InsufficientDataError,
    StageSkipped,
)
from helpers.data.backends import connect
from helpers.data.ingest import CleaningOptions, run_ingest
from helpers.data.sources import read_raw
from helpers.run import runfolder, runner
from helpers.run.cli import main
from helpers.stages import churn, clv, ingest, segment

MAPPING = {"customer_id": "cid", "order_date": "day", "amount": "value"}


def ingest_file(tmp_path: Path, path: Path, mapping=MAPPING, **options) -> dict:
    con = connect()
    raw = read_raw(con, path, expected_columns=list(mapping.values()), **options.pop("read", {}))
    result = run_ingest(con, raw, mapping=mapping, options=CleaningOptions(**options), out_dir=tmp_path / "out")
    assert result.reconciled
    return {"quality": result.quality, "kept": pd.read_parquet(result.transactions_path),
            "quarantine": pd.read_parquet(result.quarantine_path)}  # fmt: skip


def csv(tmp_path: Path, text: str, name: str = "raw.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def config_file(tmp_path: Path, data_path: Path, **sections) -> Path:
    config = {"run": {"output_dir": str(tmp_path / "runs")}, "input": {"path": str(data_path)},
              "columns": MAPPING, **sections}  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


# 5. silent wrong results


def test_customer_and_order_id_mapped_to_one_column_is_refused():
    with pytest.raises(ConfigError, match="columns.customer_id and columns.order_id all map to the input column 'x'"):
        parse_config({"input": {"dataset": "cdnow_sample"}, "columns": {"customer_id": "x", "order_id": "x"}})


def test_float_ids_in_parquet_read_as_whole_numbers(tmp_path):
    path = tmp_path / "ids.parquet"
    pd.DataFrame({"cid": [123.0, 7.0], "day": ["2024-01-02", "2024-01-03"], "value": [10.0, 12.5]}).to_parquet(path)
    kept = ingest_file(tmp_path, path)["kept"]
    assert sorted(kept["customer_id"]) == ["123", "7"]
    assert sorted(kept["amount"]) == [10.0, 12.5]


def test_float_ids_beyond_2_53_are_an_error_not_a_silent_rounding(tmp_path):
    path = tmp_path / "ids.parquet"
    pd.DataFrame({"cid": [123456789012345678.0], "day": ["2024-01-02"], "value": [10.0]}).to_parquet(path)
    with pytest.raises(InputError, match=r"column 'cid' .* above 2\^53 .* export that column as text"):
        ingest_file(tmp_path, path)


def test_a_date_in_the_future_is_quarantined_without_observation_end(tmp_path):
    result = ingest_file(tmp_path, csv(tmp_path, "cid,day,value\na,2024-01-02,10\na,2099-01-01,5\n"))
    assert result["quarantine"]["rule"].tolist() == ["after_observation_end"]
    assert result["kept"]["order_date"].max() < pd.Timestamp(date.today())


def test_money_as_written_is_read_and_what_cannot_be_read_is_reported_as_text(tmp_path):
    text = ('cid,day,value\na,2024-01-02,"1,234.50"\nb,2024-01-02,¥12.5\nc,2024-01-02,$3.00\nd,2024-01-02,7\n'
            'e,2024-01-02,1.5万\na,2024-01-03,(2.00)\ng,2024-01-02,"1,23"\nh,2024-01-02,about 5\n')  # fmt: skip
    result = ingest_file(tmp_path, csv(tmp_path, text))
    quality, kept = result["quality"], result["kept"]
    assert kept.groupby("customer_id")["amount"].sum().to_dict() == {
        "a": 1232.5, "b": 12.5, "c": 3.0, "d": 7.0, "e": 15000.0}, "(2.00) is a return of 2, netted"  # fmt: skip
    invalid = next(r for r in quality["rules"] if r["rule"] == "invalid_amount")
    assert invalid["rows"] == 2 and invalid["money"] == 0, "an unread amount is no number: '1,23' is not 123"
    assert quality["rows_without_money"] == 2
    assert quality["values_read"]["unread_amounts"] == {"rows": 2, "examples": ["1,23", "about 5"]}


def test_decimal_commas_are_detected_or_declared_and_never_mis_added(tmp_path):
    text = 'cid,day,value\na,2024-01-02,"1.234,50"\nb,2024-01-02,"12,5"\nc,2024-01-02,7\nd,2024-01-02,"12.5"\n'
    detected = ingest_file(tmp_path, csv(tmp_path, text))
    assert detected["quality"]["values_read"]["reading"]["decimal"] == ","
    assert sorted(detected["kept"]["amount"]) == [7.0, 12.5, 1234.5]
    assert detected["quality"]["values_read"]["unread_amounts"]["examples"] == ["12.5"], "ambiguous: set aside"
    point = ingest_file(tmp_path, csv(tmp_path, text, name="p.csv"), amounts_locale="en_US")
    assert sorted(point["kept"]["amount"]) == [7.0, 12.5]
    assert point["quality"]["money_in"] == pytest.approx(19.5), "the unread '1.234,50' and '12,5' add no money"


def test_absurd_amounts_and_placeholder_dates_are_set_aside_with_their_reason(tmp_path):
    text = "cid,day,value\na,2024-01-02,inf\nb,2024-01-02,1e308\nc,0001-01-01,5\nd,1899-12-30,5\ne,2024-01-02,7\n"
    result = ingest_file(tmp_path, csv(tmp_path, text))
    rules = {r["rule"]: r["rows"] for r in result["quality"]["rules"] if r["rows"]}
    assert rules == {"invalid_amount": 1, "implausible_amount": 1, "before_earliest_date": 2}
    assert result["quality"]["money_in"] == pytest.approx(17.0)


def test_real_timestamps_parse_when_dates_format_is_set(tmp_path):
    path = tmp_path / "ts.parquet"
    frame = pd.DataFrame({"cid": ["a", "b"], "day": pd.to_datetime(["2024-01-02 10:30:00", "2024-01-03 00:00:00"]),
                          "value": [10.0, 12.0]})  # fmt: skip
    frame.to_parquet(path)
    kept = ingest_file(tmp_path, path, date_format="%Y%m%d")["kept"]
    assert kept["order_date"].tolist() == list(pd.to_datetime(["2024-01-02 10:30:00", "2024-01-03 00:00:00"]))


def test_utf8_declared_latin1_is_an_error_not_mojibake(tmp_path):
    path = csv(tmp_path, "cid,day,value,shop\na,2024-01-02,10,Café\n")
    with pytest.raises(InputError, match="declared latin-1 but its text is UTF-8.*set input.csv.encoding: utf-8"):
        ingest_file(tmp_path, path, read={"encoding": "latin-1"})


# 6. crashes that become messages


def test_an_infinite_amount_is_quarantined_and_the_books_balance(tmp_path):
    quality = ingest_file(tmp_path, csv(tmp_path, "cid,day,value\na,2024-01-02,inf\nb,2024-01-02,4\n"))["quality"]
    assert next(r for r in quality["rules"] if r["rule"] == "invalid_amount")["rows"] == 1
    assert quality["rows_without_money"] == 1 and quality["money_in"] == pytest.approx(4.0)


def one_customer_run(tmp_path: Path) -> tuple[Path, Path]:
    text = "cid,day,value\nc1,2024-01-02,10\nc1,2024-02-02,12\nc1,2024-05-02,15\n"
    config = config_file(tmp_path, csv(tmp_path, text))
    run_dir = tmp_path / "runs" / "one"
    ingest.run(config, run_dir)
    return config, run_dir


def test_one_customer_gets_stage_level_messages_not_library_errors(tmp_path):
    config, run_dir = one_customer_run(tmp_path)
    with pytest.raises(InsufficientDataError, match="needs at least 10 customers .* this data has 1"):
        segment.run(config, run_dir)  # rather than ranking one customer against itself as 'Lost'
    with pytest.raises(ClvFitError, match="03_clv needs repeat buyers"):
        clv.run(config, run_dir)
    with pytest.raises(ChurnDataError, match="BTYD baselines cannot be fitted .*1 customers are too few"):
        churn.run(config, run_dir)


def test_all_one_time_buyers_is_a_clv_message(tmp_path):
    rows = "\n".join(f"c{i},2024-{1 + i % 12:02d}-0{1 + i % 9},{10 + i}" for i in range(200))
    config = config_file(tmp_path, csv(tmp_path, "cid,day,value\n" + rows + "\n"))
    ingest.run(config, tmp_path / "runs" / "x")
    with pytest.raises(ClvFitError, match=r"needs repeat buyers: .* 0 made a repeat purchase"):
        clv.run(config, tmp_path / "runs" / "x")


def test_a_stage_the_data_cannot_support_is_skipped_and_the_run_goes_on(tmp_path, monkeypatch):
    data = csv(tmp_path, "cid,day,value\nc1,2024-01-02,10\n")
    ran = []

    def execute(stage, paths, _kernel):
        ran.append(stage.name)
        if stage.name.startswith("01"):
            (paths.artifacts / "transactions.parquet").write_bytes(b"t")
        if stage.name.startswith("03"):
            (paths.artifacts / "clv.parquet").write_bytes(b"partial")
            raise StageSkipped("03_clv needs repeat buyers: this data has none")

    monkeypatch.setattr(runner, "_execute", execute)
    monkeypatch.setattr(runner, "ensure_kernel", lambda: "none")
    report = runner.run(config_file(tmp_path, data), run_id="thin")
    assert ran == ["01_ingest", "02_segment", "03_clv", "04_churn", "05_next_purchase", "06_campaign"]
    stages = json.loads((report.parent / "manifest.json").read_text())["stages"]
    assert stages["03_clv"]["status"] == "skipped" and "needs repeat buyers" in stages["03_clv"]["error"]
    assert stages["04_churn"]["status"] == "ok"
    assert not (report.parent / "artifacts" / "clv.parquet").exists(), "a skipped stage leaves nothing to misread"
    assert "needs repeat buyers" in report.read_text(encoding="utf-8")


# 7. poor messages


def test_an_empty_file_says_it_is_empty(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        ingest_file(tmp_path, csv(tmp_path, ""))


def test_a_header_only_file_says_there_are_no_rows(tmp_path):
    with pytest.raises(InputError, match="no data rows"):
        ingest_file(tmp_path, csv(tmp_path, "cid,day,value\n"))


def test_gbk_declared_utf8_names_gbk(tmp_path):
    path = csv(tmp_path, "cid,day,value,渠道\na,2024-01-02,10,线上商城\n", encoding="gbk")
    with pytest.raises(InputError, match="not valid UTF-8; it decodes as GBK.*set input.csv.encoding: gbk"):
        ingest_file(tmp_path, path)


def test_excel_with_its_data_on_another_sheet_names_the_sheet(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Report": ["POS export"]}).to_excel(writer, sheet_name="Cover", index=False)
        pd.DataFrame({"cid": ["a"], "day": ["2024-01-02"], "value": [10]}).to_excel(
            writer, sheet_name="Data", index=False
        )
    with pytest.raises(
        InputError, match=r"sheet 'Cover' .* no column 'cid'.*\['Cover', 'Data'\].*set input.sheet: Data"
    ):
        ingest_file(tmp_path, path)
    assert len(ingest_file(tmp_path, path, read={"sheet": "Data"})["kept"]) == 1


def test_a_config_saved_in_gbk_says_so(tmp_path, capsys):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("# 母婴店\ninput: {dataset: cdnow_sample}\n".encode("gbk"))
    assert main(["check", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "is not UTF-8" in err and "it reads as GBK" in err and "save it as UTF-8" in err


def test_check_catches_impossible_dates_and_missing_columns_before_anything_runs(tmp_path, capsys):
    data = csv(tmp_path, "cid,day,amount\na,2024-01-02,10\n")
    config = config_file(tmp_path, data, dates={"observation_end": "2024-06-30"}, clv={"calibration_end": "2024-09-30"})
    assert main(["check", "--config", str(config)]) == 1
    assert "calibration_end must lie before dates.observation_end" in capsys.readouterr().err
    assert main(["check", "--config", str(config_file(tmp_path, data))]) == 1
    out = capsys.readouterr().out
    assert "problem: column 'value' not found" in out and "set columns.amount" in out
    good = config_file(tmp_path, csv(tmp_path, "cid,day,value\na,2024-01-02,10\n", name="good.csv"))
    assert main(["check", "--config", str(good)]) == 0
    out = capsys.readouterr().out
    assert "has every mapped column" in out and "1 of the first 1 order dates in 'day' read" in out
    assert not (tmp_path / "runs").exists(), "check runs nothing"


def test_run_folder_lock_is_released_after_a_refused_stage(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "ensure_kernel", lambda: "none")
    data = csv(tmp_path, "cid,day,value\na,2024-01-02,10\n")
    with pytest.raises(runfolder.RunFolderError):
        runner.run(config_file(tmp_path, data), run_id="x", stages=["02"])
    assert not (tmp_path / "runs" / "x" / runfolder.LOCK_NAME).exists()


def test_a_ragged_csv_quarantines_its_bad_lines_with_their_row_numbers(tmp_path):
    text = "cid,day,value\na,2024-01-02,10\nb,2024-01-03,5,EXTRA\nc,2024-01-04\nd,2024-01-05,7\ne,2024-01-06,oops\n"
    result = ingest_file(tmp_path, csv(tmp_path, text))
    quarantine, quality = result["quarantine"], result["quality"]
    malformed = quarantine[quarantine["rule"] == "malformed_line"]
    assert malformed["source_row"].tolist() == [2, 3]
    assert malformed["raw_line"].tolist() == ["b,2024-01-03,5,EXTRA", "c,2024-01-04"]
    assert quarantine.loc[quarantine["rule"] == "invalid_amount", "source_row"].tolist() == [5], "counted around them"
    assert sorted(result["kept"]["source_row"]) == [1, 4]
    assert quality["rows_in"] == 5 and quality["rows_kept"] == 2 and quality["rows_without_money"] == 3


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_mapped_column_named_twice_in_the_header_is_an_error(tmp_path, suffix):
    """`amount,amount`: the reader renames the second and the first was used silently."""
    frame = pd.DataFrame([["a", "2024-01-02", "10", "99"]], columns=["cid", "day", "value", "value"])
    path = tmp_path / f"raw.{suffix}"
    frame.to_csv(path, index=False) if suffix == "csv" else frame.to_excel(path, index=False)
    with pytest.raises(InputError, match=r"names column 'value' 2 times \(columns 3, 4\)"):
        ingest_file(tmp_path, path)
    frame.columns = ["cid", "day", "value", "note"]  # a repeated column the config does not map is no question
    frame.to_csv(path, index=False) if suffix == "csv" else frame.to_excel(path, index=False)
    assert ingest_file(tmp_path, path)["kept"]["amount"].tolist() == [10.0]


def test_a_deliberate_date_cut_is_not_counted_as_rows_lost_and_a_partial_month_is_said(tmp_path):
    """A run cut at dates.observation_end reported '44.1% of rows kept' on the UCI export."""
    rows = "\n".join(f"c{i % 12},2024-{1 + i % 6:02d}-{1 + i % 27:02d},{10 + i}" for i in range(120))
    config = config_file(tmp_path, csv(tmp_path, "cid,day,value\n" + rows + "\n"),
                         dates={"observation_end": "2024-03-14"})  # fmt: skip
    result = ingest.run(config, tmp_path / "runs" / "cut")
    said = " ".join(result.findings.sentences)
    after = result.quality["rules"][[r["rule"] for r in result.quality["rules"]].index("after_observation_end")]
    assert after["rows"] > 40 and f"{after['rows']} rows after dates.observation_end (2024-03-14)" in said
    assert result.findings.numbers["rows_set_aside"] == 0 and "(100.0%)" in said
    assert "The last month, Mar 2024, is partial (data to 2024-03-12)" in said, "the last purchase, not the cut"
