"""Values as exports write them (helpers.core.parsing): dates, money, quantities and what customer ids hide; and a
generated look-alike of a Chinese pharmacy POS export read with a columns-only config."""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.config import load_config
from helpers.core.parsing import DEFAULT_READING, declared_reading, detect_reading, id_checks, parse_number
from helpers.data.backends import connect
from helpers.data.datasets import PHARMACY_COLUMNS, write_pharmacy_export
from helpers.data.ingest import parse_date
from helpers.run.cli import main
from helpers.run.preflight import check_inputs
from helpers.stages import ingest

WEEKDAYS = "一二三四五六日"


def read_dates(texts: list[str], date_format: str | None = None, keep: str | None = None) -> list:
    table = ibis.memtable(pd.DataFrame({"text": texts}, dtype=object))
    return connect().execute(table.select(at=parse_date(table.text, date_format, keep)))["at"].tolist()


def read_numbers(texts: list[str], reading=DEFAULT_READING, units: bool = False) -> list:
    table = ibis.memtable(pd.DataFrame({"text": texts}, dtype=object))
    values = connect().execute(table.select(value=parse_number(table.text.strip(), reading, units=units)))["value"]
    return [None if pd.isna(v) else v for v in values]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-01-05 星期五", "2018-01-05 00:00"),
        ("2018-01-05 周五", "2018-01-05 00:00"),
        ("2018年1月5日", "2018-01-05 00:00"),
        ("2018年01月05日 星期五 下午3:05", "2018-01-05 15:05"),
        ("2018/1/5 10:23", "2018-01-05 10:23"),
        ("2018-1-5 上午12:30", "2018-01-05 00:30"),
        ("2018-01-05 10时23分", "2018-01-05 10:23"),
        ("2018-01-05 08:15 PM", "2018-01-05 20:15"),
        ("43105", "2018-01-05 00:00"),
        ("43105.5", "2018-01-05 12:00"),
        ("20180105", "2018-01-05 00:00"),  # a POS's compact date
        ("20180105 10:23", "2018-01-05 10:23"),
        ("20180230", None),
        ("2018010", None),
        ("30180105", None),  # not a year this workbench reads as one
        ("2018-02-29 星期四", None),  # no such day: set aside with its text
        ("2018-01-05 (refund)", None),  # text that is not a weekday or a time is not guessed away
        ("5 January", None),
    ],
)
def test_dates_as_chinese_exports_write_them(text, expected):
    assert read_dates([text]) == [pd.Timestamp(expected) if expected else pd.NaT]


@settings(max_examples=40, deadline=None)
@given(st.datetimes(datetime(1990, 1, 1), datetime(2040, 12, 31)).map(lambda d: d.replace(second=0, microsecond=0)))
def test_every_written_form_of_a_day_reads_as_that_day(moment):
    day = moment.replace(hour=0, minute=0)
    hour12 = (moment.hour % 12) or 12
    meridiem = "下午" if moment.hour >= 12 else "上午"
    forms = [
        f"{day:%Y-%m-%d} 星期{WEEKDAYS[day.weekday()]}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}/{day.month}/{day.day} {moment:%H:%M}",
        f"{day:%Y-%m-%d} {meridiem}{hour12}:{moment:%M}",
        str((day - datetime(1899, 12, 30)).days),
        f"{day:%Y%m%d}",
    ]
    expected = [day, day, moment, moment, day, day]
    assert read_dates(forms) == [pd.Timestamp(e) for e in expected]


def test_dates_keep_names_the_part_of_the_text_to_read():
    texts = ["05.01.2018 (Fr)", "06.01.2018 (Sa)"]
    assert read_dates(texts, "%d.%m.%Y") == [pd.NaT, pd.NaT]
    assert read_dates(texts, "%d.%m.%Y", keep=r"^(\S+)") == [pd.Timestamp("2018-01-05"), pd.Timestamp("2018-01-06")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1,234.50", 1234.5),
        ("￥ 2,000", 2000.0),
        ("12.5元", 12.5),
        ("-¥3.00", -3.0),
        ("¥-3.00", -3.0),
        ("(300.00)", -300.0),
        ("RMB 12", 12.0),
        ("100 CNY", 100.0),
        ("1.5万", 15000.0),
        ("2亿元", 2e8),
        ("1,234,567.891", 1234567.891),
        ("1,23", None),  # a comma that cannot separate thousands: not a number under a decimal point
        ("1.234,50", None),
        ("12 boxes", None),
        ("¥", None),
    ],
)
def test_money_as_written(text, expected):
    assert read_numbers([text]) == [expected]


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_every_written_form_of_an_amount_reads_as_that_amount(value):
    number, sign = abs(float(value)), "-" if value < 0 else ""
    forms = [f"{sign}¥{number:,.2f}", f"{sign}{number:.2f}元", f"{sign}RMB {number:,.2f}", f"({number:,.2f})"]
    expected = [float(value)] * 3 + [-number]
    assert read_numbers(forms) == pytest.approx(expected)
    german = f"{sign}{number:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert read_numbers([german], declared_reading("de_DE")) == pytest.approx([float(value)])


def test_quantities_with_units():
    assert read_numbers(["2盒", "3 件", "1.5kg", "4", "两盒"], units=True) == [2.0, 3.0, 1.5, 4.0, None]
    assert read_numbers(["2盒"]) == [None], "units are for quantities; money with a unit is not money"


def test_the_decimal_mark_is_detected_from_the_values_that_show_it():
    assert detect_reading(pd.Series(["1.234,50", "12,5", "1.234", "7"])).decimal == ","
    assert detect_reading(pd.Series(["1,234.50", "12.5", "1,234", "7"])).decimal == "."
    assert detect_reading(pd.Series(["1,234", "7", None])).basis == "default", "nothing tells: the default"


def test_id_checks_find_masked_scientific_respelled_and_placeholder_ids():
    ids = ["*******528"] * 3 + ["*******2828", "138****5678", "1.2E+10", "1.20E+10", "C1", " C1"]
    ids += ["0"] * 20 + [f"C{k:03d}" for k in range(100, 200)]
    table = ibis.memtable(pd.DataFrame({"raw": ids}))
    table = table.mutate(id=table.raw.strip())
    report = id_checks(table, table.id, ibis.ifelse(table.raw == table.id, ibis.null("string"), table.raw))
    assert report["masked"] == {"lines": 5, "ids": 3, "visible_digits": 3,
                                "examples": ["*******2828", "*******528", "138****5678"]}  # fmt: skip
    assert report["scientific"]["ids"] == 2
    assert report["respelled"] == {"ids": 1, "examples": ["C1"]}
    assert [d["id"] for d in report["dominant"]["ids"]] == ["0"]
    clean = ibis.memtable(pd.DataFrame({"id": [f"C{k}" for k in range(50)]}))
    found = id_checks(clean, clean.id)
    assert (found["masked"]["ids"], found["scientific"]["ids"], found["dominant"]["ids"]) == (0, 0, [])


# the look-alike of a Chinese pharmacy export


@pytest.fixture(scope="module")
def pharmacy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pharmacy")
    export = write_pharmacy_export(folder / "input")
    columns = {k: v for k, v in PHARMACY_COLUMNS.items() if k != "receivable"}
    config = {"run": {"output_dir": str(folder / "runs")}, "input": {"path": str(export.path)}, "columns": columns}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return export, path


def test_the_pharmacy_look_alike_ingests_with_a_columns_only_config(pharmacy, tmp_path):
    export, config = pharmacy
    result = ingest.run(config, tmp_path / "run")
    quality, truth = result.quality, export.truth
    assert quality["reconciliation"] == {"rows_ok": True, "money_ok": True}
    assert quality["rows_in"] == truth["lines"]
    assert quality["money_in"] == pytest.approx(truth["money"], abs=0.005), "money reconciles to the cent"
    rules = {r["rule"]: r for r in quality["rules"] if r["rows"]}
    assert set(rules) == {"unparseable_date"}, "only the impossible dates are set aside"
    assert rules["unparseable_date"]["rows"] == truth["impossible_dates"]
    assert rules["unparseable_date"]["money"] == pytest.approx(truth["impossible_money"], abs=0.005)
    assert quality["money_kept"] == pytest.approx(truth["money"] - truth["impossible_money"], abs=0.005)
    assert quality["returns_netted"] == truth["refunds"]
    assert quality["values_read"]["written_dates"]["rows"] > truth["excel_serial_dates"]
    assert quality["ids"]["masked"]["ids"] == truth["masked_ids"]
    assert quality["ids"]["masked"]["lines"] == truth["masked_lines"]
    assert quality["ids"]["masked"]["visible_digits"] == 3
    assert any("Masked customer ids: " + f"{truth['masked_ids']:,}" in s for s in result.findings.sentences)


def test_workbench_check_reads_the_pharmacy_export_and_flags_its_masked_ids(pharmacy, capsys):
    _, config = pharmacy
    assert main(["check", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "order dates in '购药时间' read" in out and "note: pharmacy_zh.xlsx: Masked customer ids" in out


ODD_VALUES = ["", "  ", "NaN", "1e308", "-inf", "2018-02-29 星期四", "*******528", "1.2E+10", "¥1,2,3", "0001-01-01",
              "43101", "=1+1"]  # fmt: skip
SHEET_TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(ODD_VALUES))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(SHEET_TEXT, SHEET_TEXT, SHEET_TEXT, SHEET_TEXT), min_size=0, max_size=8))
def test_workbench_check_reports_and_never_raises_whatever_the_columns_hold(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("check")
    data = folder / "raw.csv"
    pd.DataFrame(rows, columns=["cid", "day", "value", "qty"]).to_csv(data, index=False)
    config = folder / "config.yaml"
    columns = {"customer_id": "cid", "order_date": "day", "amount": "value", "quantity": "qty"}
    config.write_text(yaml.safe_dump({"input": {"path": str(data)}, "columns": columns}), encoding="utf-8")
    found = check_inputs(load_config(config))
    assert found and all(f.level in ("ok", "note", "problem") for f in found)
    if not rows:
        assert any(f.level == "problem" and "no data rows" in f.text for f in found)


def test_workbench_check_reports_every_missing_column_at_once(tmp_path, capsys):
    data = tmp_path / "raw.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"input": {"path": str(data)}}), encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    for canonical in ("customer_id", "order_date", "amount"):
        assert f"set columns.{canonical}" in out


def test_an_unparseable_date_sample_is_a_problem_with_examples_not_a_traceback(tmp_path, capsys):
    data = tmp_path / "raw.csv"
    day = datetime(2018, 1, 1)
    rows = "".join(f"c{k},{(day + timedelta(days=k)):%d.%m.%Y} (x),{k}\n" for k in range(10))
    data.write_text("cid,day,value\n" + rows, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"input": {"path": str(data)}, "columns": {
        "customer_id": "cid", "order_date": "day", "amount": "value"}}), encoding="utf-8")  # fmt: skip
    assert main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "problem: raw.csv: 0 of the first 10 order dates in 'day' read; 10 do not, e.g. ['01.01.2018 (x)'" in out
