"""Cleaning rules, reconciliation and input errors, on small hand-made files."""

from __future__ import annotations

import hashlib
import string
from datetime import date

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core.errors import InputError, ReconciliationError
from helpers.data import ingest as ingest_module
from helpers.data import spark_ingest
from helpers.data.ingest import CleaningOptions, run_ingest
from helpers.data.sources import read_raw

MAPPING = {"customer_id": "cust", "order_date": "day", "amount": "value"}

DIRTY = """cust,day,value,order,qty
0007,2024-01-05,10.00,A1,1
0007,2024-01-05,10.00,A1,1
,2024-01-06,5.00,A2,1
0008,not a date,7.00,A3,1
0008,2024-01-07,abc,A4,1
0008,2024-01-08,0,A5,1
0008,2024-01-09,20.00,A6,2
0008,2024-01-12,-5.00,R6,-1
0009,2024-01-10,-3.00,R7,-1
0010,2025-03-01,9.00,A8,1
0011,0001-01-01,4.00,A9,1
0011,2024-01-11,1e308,A10,1
"""


def ingest(con, tmp_path, path, mapping=MAPPING, **options):
    raw = read_raw(con, path)
    return run_ingest(con, raw, mapping=mapping, options=CleaningOptions(**options), out_dir=tmp_path / "out")


def test_each_rule_catches_its_row(con, tmp_path, write_csv):
    mapping = dict(MAPPING, order_id="order", quantity="qty")
    result = ingest(con, tmp_path, write_csv(DIRTY), mapping, observation_end=date(2024, 12, 31))
    counts = {r["rule"]: r["rows"] for r in result.quality["rules"]}
    assert counts == {
        "missing_customer_id": 1,
        "unparseable_date": 1,
        "invalid_amount": 1,
        "after_observation_end": 1,
        "before_earliest_date": 1,
        "implausible_amount": 1,
        "non_product_line": 0,
        "duplicate_row": 1,
        "zero_value": 1,
        "return_dropped": 0,
        "unmatched_return": 1,
        "malformed_line": 0,
    }
    assert result.quality["rows_in"] == 12
    assert result.quality["rows_kept"] == 3  # 0007's purchase, 0008's purchase and its netted return
    assert result.reconciled


def test_only_rows_written_alike_are_copies(con, tmp_path, write_csv):
    """Rows whose values read alike but are written differently (the hash that finds candidates is taken over
    the values read) are kept; a copy is the same text in every column, the columns not mapped too."""
    text = ("cust,day,value,note\n1,2024-01-01,12.5,a\n1,2024-01-01,12.50,a\n1,2024-01-01 00:00:00,12.5,a\n"
            " 1,2024-01-01,12.5,a\n1,2024-01-01,12.5,b\n1,2024-01-01,12.5,a\n")  # fmt: skip
    result = ingest(con, tmp_path, write_csv(text))
    quarantine = pd.read_parquet(result.quarantine_path)
    assert quarantine[["rule", "source_row"]].to_dict("records") == [{"rule": "duplicate_row", "source_row": 6}]
    assert result.quality["rows_kept"] == 5


def test_returns_are_netted_into_the_latest_earlier_purchase(con, tmp_path, write_csv):
    mapping = dict(MAPPING, order_id="order", quantity="qty")
    result = ingest(con, tmp_path, write_csv(DIRTY), mapping)
    tx = pd.read_parquet(result.transactions_path)
    customer = tx[tx.customer_id == "0008"]
    assert set(customer.order_id) == {"A6"}  # the return R6 now belongs to order A6
    assert customer.amount.sum() == pytest.approx(15.0)
    assert result.quality["returns_netted"] == 1
    assert result.quality["returns_netted_money"] == pytest.approx(-5.0)


def test_drop_mode_quarantines_returns(con, tmp_path, write_csv):
    mapping = dict(MAPPING, order_id="order", quantity="qty")
    result = ingest(con, tmp_path, write_csv(DIRTY), mapping, returns="drop")
    counts = {r["rule"]: r["rows"] for r in result.quality["rules"]}
    assert counts["return_dropped"] == 2
    assert counts["unmatched_return"] == 0
    assert result.reconciled


def test_cancellation_prefix_marks_returns_even_with_positive_amounts(con, tmp_path, write_csv):
    text = "cust,day,value,order\n1,2024-01-01,10,536\n1,2024-01-02,4,C536\n"
    mapping = dict(MAPPING, order_id="order")
    result = ingest(con, tmp_path, write_csv(text), mapping, cancellation_prefix="C")
    tx = pd.read_parquet(result.transactions_path)
    assert tx.amount.sum() == pytest.approx(6.0)
    assert tx.is_return.tolist() == [False, True]


def test_ids_keep_leading_zeros_and_whitespace_is_trimmed(con, tmp_path, write_csv):
    result = ingest(con, tmp_path, write_csv("cust,day,value\n  00001 ,2024-01-01, 3.5\n"))
    tx = pd.read_parquet(result.transactions_path)
    assert tx.customer_id.tolist() == ["00001"]
    assert tx.amount.tolist() == [3.5]


def test_quarantine_keeps_the_raw_text_and_its_origin(con, tmp_path, write_csv):
    result = ingest(con, tmp_path, write_csv("cust,day,value\n1,2024-01-01,1\n2,2024-01-02,N/A\n"))
    quarantine = pd.read_parquet(result.quarantine_path)
    assert quarantine.to_dict("records") == [
        {"rule": "invalid_amount", "source_file": "raw.csv", "source_row": 2, "cust": "2", "day": "2024-01-02",
         "value": "N/A"}
    ]  # fmt: skip


def test_raw_file_is_not_modified(con, tmp_path, write_csv):
    path = write_csv(DIRTY)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    ingest(con, tmp_path, path, dict(MAPPING, order_id="order", quantity="qty"))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_without_order_id_one_purchase_per_customer_day(con, tmp_path, write_csv):
    text = "cust,day,value\n1,2024-01-01 09:00:00,3\n1,2024-01-01 17:00:00,4\n1,2024-01-02,5\n"
    tx = pd.read_parquet(ingest(con, tmp_path, write_csv(text)).transactions_path)
    assert tx.order_id.tolist() == ["1|2024-01-01", "1|2024-01-01", "1|2024-01-02"]


def test_explicit_date_format(con, tmp_path, write_csv):
    text = "cust,day,value\n1,31/12/2023,3\n"
    tx = pd.read_parquet(ingest(con, tmp_path, write_csv(text), date_format="%d/%m/%Y").transactions_path)
    assert tx.order_date.iloc[0] == pd.Timestamp("2023-12-31")


def test_gbk_and_bom_files_with_chinese_headers(con, tmp_path, write_csv):
    text = "客户ID,订单日期,金额\n张三,2024-01-01,99.5\n"
    mapping = {"customer_id": "客户ID", "order_date": "订单日期", "amount": "金额"}
    for encoding in ("gbk", "utf-8-sig"):
        path = write_csv(text, name=f"{encoding}.csv", encoding=encoding)
        raw = read_raw(con, path, encoding=encoding, work_dir=tmp_path / "work")
        result = run_ingest(con, raw, mapping=mapping, options=CleaningOptions(), out_dir=tmp_path / encoding)
        assert pd.read_parquet(result.transactions_path).customer_id.tolist() == ["张三"]


def test_wrong_encoding_is_a_clear_error(con, tmp_path, write_csv):
    path = write_csv("客户ID,订单日期,金额\n张三,2024-01-01,1\n", encoding="gbk")
    with pytest.raises(InputError, match="not valid utf-16.*input.csv.encoding|cannot read"):
        read_raw(con, path, encoding="utf-16", work_dir=tmp_path).execute()


def test_parquet_and_excel_inputs(con, tmp_path):
    frame = pd.DataFrame({"cust": ["001", "002"], "day": ["2024-01-01", "2024-01-02"], "value": [1.5, 2.0]})
    frame.to_parquet(tmp_path / "in.parquet")
    frame.to_excel(tmp_path / "in.xlsx", index=False)
    for name in ("in.parquet", "in.xlsx"):
        raw = read_raw(con, tmp_path / name, work_dir=tmp_path / "work")
        result = run_ingest(
            con, raw, mapping=MAPPING, options=CleaningOptions(), out_dir=tmp_path / name.replace(".", "_")
        )
        tx = pd.read_parquet(result.transactions_path)
        assert tx.customer_id.tolist() == ["001", "002"]
        assert tx.amount.sum() == pytest.approx(3.5)


def test_several_files_by_glob(con, tmp_path, write_csv):
    write_csv("cust,day,value\n1,2024-01-01,1\n", name="a.csv")
    write_csv("value,cust,day\n2,2,2024-01-02\n", name="b.csv")
    raw = read_raw(con, tmp_path / "*.csv")
    result = run_ingest(con, raw, mapping=MAPPING, options=CleaningOptions(), out_dir=tmp_path / "out")
    tx = pd.read_parquet(result.transactions_path)
    assert sorted(tx.source_file) == ["a.csv", "b.csv"]
    assert tx.source_row.tolist() == [1, 1]


def test_missing_file_is_a_clear_error(con, tmp_path):
    with pytest.raises(InputError, match="not found.*input.path"):
        read_raw(con, tmp_path / "nope.csv")


def test_unknown_extension_is_a_clear_error(con, tmp_path, write_csv):
    with pytest.raises(InputError, match="set input.format"):
        read_raw(con, write_csv("a\n1\n", name="data.dat"))


def test_missing_column_names_the_columns_and_the_key(con, tmp_path, write_csv):
    path = write_csv("cust,day,price\n1,2024-01-01,1\n")
    with pytest.raises(InputError, match=r"column 'value' not found.*\['cust', 'day', 'price'\].*columns.amount"):
        ingest(con, tmp_path, path)


def test_dates_that_mostly_fail_suggest_the_format(con, tmp_path, write_csv):
    path = write_csv("cust,day,value\n1,01.02.1997,1\n2,02.02.1997,1\n")
    with pytest.raises(InputError, match=r"do not parse.*01.02.1997.*dates.format"):
        ingest(con, tmp_path, path)


def test_no_rows_left_is_a_clear_error(con, tmp_path, write_csv):
    path = write_csv("cust,day,value\n,2024-01-01,1\n,2024-01-02,2\n")
    with pytest.raises(InputError, match="no rows left after cleaning"):
        ingest(con, tmp_path, path)


cells = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "abc", "2024-01-01", "2024-02-30", "1e3", "NaN"]),
    st.text(alphabet="0123456789-.C ", max_size=6),
)
lines = st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines)
def test_every_row_is_accounted_for(tmp_path_factory, rows):
    """Whatever the user gives: rows in = kept + quarantined + duplicates, and the same for money."""
    from helpers.data.backends import connect

    folder = tmp_path_factory.mktemp("prop")
    path = folder / "raw.csv"
    pd.DataFrame(rows, columns=["cust", "day", "value"]).to_csv(path, index=False)
    con = connect()
    raw = read_raw(con, path)
    try:
        result = run_ingest(con, raw, mapping=MAPPING, options=CleaningOptions(), out_dir=folder / "out")
    except InputError as error:  # all rows rejected, or most dates unparseable: said plainly
        assert "no rows left" in str(error) or "do not parse" in str(error)
        return
    quality = result.quality
    assert quality["rows_in"] == len(rows)
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_quarantined"]
    kept = pd.read_parquet(result.transactions_path)
    quarantined = pd.read_parquet(result.quarantine_path)
    assert len(kept) + len(quarantined) == len(rows)
    assert kept.amount.sum() == pytest.approx(quality["money_kept"], abs=0.01)


def test_a_reconciliation_that_does_not_balance_stops_with_a_user_error_even_under_python_O(
    con, tmp_path, write_csv, monkeypatch
):
    """Not an AssertionError (which `python -O` removes): a ReconciliationError naming the balance."""
    original = ingest_module.quality_report

    def unbalanced(*args, **kwargs):
        quality = original(*args, **kwargs)
        quality["reconciliation"]["money_ok"] = False
        return quality

    monkeypatch.setattr(ingest_module, "quality_report", unbalanced)
    with pytest.raises(ReconciliationError, match=r"every row and unit of money: \{'rows_in': 12"):
        ingest(con, tmp_path, write_csv(DIRTY), observation_end=date(2024, 12, 31))
    assert not (tmp_path / "out" / "transactions.parquet").exists(), "nothing is written from an unbalanced ingest"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=" \t\n\r\x0b\x0c\x01a中", max_size=6)), min_size=1, max_size=20))
def test_text_is_cleaned_as_python_strips_it(values):
    """The fast path (trim only values that start or end with a space or control character) gives what
    str.strip() of Python's whitespace gives, empty text becoming missing."""
    table = ibis.memtable(pd.DataFrame({"v": pd.Series(values, dtype="object")}), schema={"v": "string"})
    cleaned = ingest_module._clean_text(table.v).name("c").to_pyarrow().to_pylist()
    expected = [None if v is None or not v.strip(string.whitespace) else v.strip(string.whitespace) for v in values]
    assert cleaned == expected


@pytest.mark.parametrize(
    ("date_format", "pattern"),
    [
        ("%Y-%m-%d", "yyyy'-'M'-'d"),
        ("%Y%m%d", "yyyyMMdd"),
        ("%H%M on %d.%m.%y", "HHmm' on 'd'.'M'.'yy"),
        ("%d/%m/%Y %H:%M", "d'/'M'/'yyyy' 'H':'m"),
        ("%Y年%m月%d日", "yyyy'年'M'月'd'日'"),
        ("%d %b %Y, %I%p", "d' 'MMM' 'yyyy', 'ha"),
        ("on %d o'clock 100%%", "'on 'd' o''clock 100%'"),
    ],
)
def test_dates_format_as_a_spark_pattern(date_format, pattern):
    assert spark_ingest.java_pattern(date_format) == pattern


def test_a_dates_format_spark_cannot_parse_is_named():
    with pytest.raises(InputError, match="directive %a is not supported on Spark"):
        spark_ingest.java_pattern("%a %d %m %Y")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_is_recognised_and_reads_when_declared(con, tmp_path, write_csv, encoding):
    """A UTF-16 export (Excel's 'Unicode text') declared as UTF-8 gets the right advice (it used to get latin-1,
    which fills the headers with NUL), and reads when declared."""
    path = write_csv("客户ID,订单日期,金额\n张三,2024-01-01,99.5\n", name="u16.csv", encoding=encoding)
    with pytest.raises(InputError, match="UTF-16 text.*set input.csv.encoding: utf-16"):
        read_raw(con, path, work_dir=tmp_path / "work")
    if encoding == "utf-16":  # with its byte order mark
        raw = read_raw(con, path, encoding="utf-16", work_dir=tmp_path / "work")
        mapping = {"customer_id": "客户ID", "order_date": "订单日期", "amount": "金额"}
        result = run_ingest(con, raw, mapping=mapping, options=CleaningOptions(), out_dir=tmp_path / "out")
        assert pd.read_parquet(result.transactions_path).amount.tolist() == [99.5]
