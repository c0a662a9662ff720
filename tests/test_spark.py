"""The same Ibis summaries on Spark (local mode, loopback only) as on DuckDB."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import ibis
import pandas as pd
import pytest

from helpers.core.config import DatesSection
from helpers.core.logfiles import RUN_LOG
from helpers.data.artifacts import RunPaths
from helpers.data.backends import connect
from helpers.data.features import (
    btyd_summary,
    calibration_holdout,
    churn_features,
    churn_labels,
    customer_sample,
    customer_summary,
    customers_by,
)
from helpers.stages.context import StageContext, analysis_date

pytestmark = pytest.mark.slow  # a Spark session takes seconds to start
pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e .[dev])")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (a JRE 17 or newer on PATH); none found", allow_module_level=True)

SUMMARIES = {
    "customer summary": lambda tx: customer_summary(tx, date(2024, 10, 1)),
    "BTYD summary": lambda tx: btyd_summary(tx, date(2024, 10, 1), "weeks"),
    "calibration/holdout": lambda tx: calibration_holdout(
        tx, date(2024, 6, 30), observation_end=date(2024, 12, 31), unit="weeks"
    ),
    "churn features": lambda tx: churn_features(tx, date(2024, 8, 1)),
    "churn labels": lambda tx: churn_labels(tx, date(2024, 8, 1), 90),
}


@pytest.fixture(scope="module")
def spark():
    con = connect({"engine": "pyspark", "spark_master": "local[2]"})
    yield con
    con._session.stop()


@pytest.fixture(scope="module")
def parquet_path(babystore_transactions, tmp_path_factory):
    """800 babystore customers written from pandas as a user would: microsecond timestamps (Spark cannot
    read pandas' nanoseconds) and dates as dates."""
    path = tmp_path_factory.mktemp("spark") / "transactions.parquet"
    frame = babystore_transactions.execute()
    frame = frame[frame["customer_id"].isin(sorted(frame["customer_id"].unique())[:800])]
    frame = frame.assign(purchase_date=frame["purchase_date"].dt.date)
    frame.to_parquet(path, coerce_timestamps="us", index=False)
    return path


def test_spark_session_binds_to_loopback(spark):
    conf = spark._session.sparkContext.getConf()
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert spark._session.sparkContext.master == "local[2]"
    assert conf.get("spark.sql.warehouse.dir").endswith("crm-workbench-spark-warehouse")  # not in the user's folder


@pytest.mark.parametrize("name", SUMMARIES)
def test_summaries_on_spark_equal_duckdb(name, spark, parquet_path):
    build = SUMMARIES[name]
    expected = build(connect().read_parquet(str(parquet_path))).execute()
    actual = build(spark.read_parquet(str(parquet_path))).execute()
    assert len(expected) > 500
    assert list(actual.columns) == list(expected.columns)
    expected, actual = (f.sort_values("customer_id").reset_index(drop=True) for f in (expected, actual))
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False, rtol=1e-9)


def test_a_customer_sample_on_spark_keeps_every_line_of_about_its_share_of_customers(spark, parquet_path):
    """Spark hashes otherwise than DuckDB, so its sample has other customers, but as many, each with every line."""
    tx = spark.read_parquet(str(parquet_path))
    lines = tx.group_by("customer_id").aggregate(lines=tx.count()).execute().set_index("customer_id")["lines"]
    sample = tx.filter(customer_sample(tx.customer_id, 0.5, seed=7))
    sampled = sample.group_by("customer_id").aggregate(lines=sample.count()).execute().set_index("customer_id")
    assert abs(len(sampled) - 400) < 4 * 200**0.5 and len(lines) == 800
    pd.testing.assert_series_equal(sampled["lines"].sort_index(), lines[sampled.index].sort_index())
    assert customers_by(tx, date(2024, 8, 1)) == customers_by(
        connect().read_parquet(str(parquet_path)), date(2024, 8, 1)
    )


def test_stages_compute_on_the_configured_backend(spark, parquet_path, tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "artifacts").mkdir(parents=True)
    shutil.copy(parquet_path, run_dir / "artifacts" / "transactions.parquet")
    on_spark = StageContext(RunPaths(Path(run_dir)), connect({"engine": "pyspark", "spark_master": "local[2]"}))
    on_duckdb = StageContext(RunPaths(Path(run_dir)), connect())
    assert (on_spark.con.name, on_duckdb.con.name) == ("pyspark", "duckdb")
    spark_today, duck_today = (analysis_date(c.transactions(), DatesSection()) for c in (on_spark, on_duckdb))
    assert spark_today == duck_today
    spark_table, duck_table = (customer_summary(c.transactions(), duck_today).execute() for c in (on_spark, on_duckdb))
    pd.testing.assert_frame_equal(spark_table, duck_table, check_dtype=False, rtol=1e-9)


def test_category_affinity_and_transitions_on_spark_equal_duckdb(spark, parquet_path):
    """05_next_purchase's line-level work (a self-join of baskets, a window over visits) runs on Spark too."""
    from helpers.models import recommend

    frames = []
    for con in (connect(), spark):
        items = recommend.baskets(con.read_parquet(str(parquet_path)), "category", start=None, end=date(2024, 12, 31))
        affinity = recommend.pair_affinity(items).sort_values(["antecedent", "consequent"], ignore_index=True)
        transitions = recommend.sequence_transitions(items, bucket_days=45, buckets=8, shrinkage=20.0)
        frames.append((affinity, transitions.sort_values(["item", "bucket", "next_item"], ignore_index=True)))
    (duck_pairs, duck_steps), (spark_pairs, spark_steps) = frames
    assert len(duck_pairs) > 10 and len(duck_steps) > 100
    pd.testing.assert_frame_equal(spark_pairs, duck_pairs, check_dtype=False, rtol=1e-9)
    pd.testing.assert_frame_equal(spark_steps, duck_steps, check_dtype=False, rtol=1e-9)


def test_spark_logs_go_to_the_run_log_not_the_output(tmp_path):
    """The JVM's start-up and shutdown lines land in the run's log, not on the output a notebook shows."""
    log = tmp_path / "run.log"
    script = (
        "from helpers.data.backends import connect\n"
        "con = connect({'engine': 'pyspark', 'spark_master': 'local[1]'})\n"
        "print(con._session.range(3).count())\n"
        "con._session.stop()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=os.environ | {RUN_LOG: str(log)}, capture_output=True,
                          text=True, timeout=600, check=True)  # fmt: skip
    assert done.stdout.strip() == "3"
    assert done.stderr.strip() == ""
    assert "log level" in log.read_text()  # Spark did talk, into the log


EXTRA_DIRT = [  # a second file beside babystore's own dirt: what a second POS export brings
    '"  C0000013 ",SO90000001, 2024-03-05 ,12.50,1,mini-program,diapers,S01,P4028',  # padded text and date
    "C0000013,SO90000002,2024-3-6,8.00,1,mini-program,diapers,S01,P4028",  # an unpadded month and day
    "C0000013,SO90000003,2024-03-07,5.00,1,mini-program,diapers,S01,P4028,surplus",  # one field too many
    "C0000013,SO90000004,2024-03-08,5.00",  # too few fields
    "C9999999,SO90000005,2024-03-09,-10.00,-1,offline store,diapers,S02,P4028",  # a return, nothing bought before
    'C0000014,SO90000006,2024-03-10,"1,234.50",1,offline store,diapers,S02,P4028',  # not a plain number
    '"",SO90000007,2024-03-11,9.90,1,offline store,diapers,S02,P4028',  # a quoted empty id
    "C0000014,SO90000008,2031-01-01,9.90,1,offline store,diapers,S02,P4028",  # after the observation end
]


def test_ingest_on_spark_equals_duckdb(spark, tmp_path):
    """Babystore's dirt (missing ids, bad dates and amounts, zero lines, copies, returns to net) in two files,
    the second with padded text, malformed lines, an unmatched return and a copy of a line of the first:
    cleaned on Spark local[2], the transactions, the quarantine and the quality report equal DuckDB's."""
    from helpers.data.datasets import write_dataset
    from helpers.data.ingest import CleaningOptions, run_ingest
    from helpers.data.sources import read_raw

    raw_file = write_dataset("babystore", tmp_path / "data", n_customers=300)
    lines = raw_file.path.read_text(encoding="utf-8").splitlines()
    (tmp_path / "data" / "second.csv").write_text("\n".join([lines[0], *EXTRA_DIRT, lines[5]]) + "\n", encoding="utf-8")
    options = CleaningOptions(date_format=raw_file.date_format, observation_end=date(2024, 12, 31))
    results = {}
    for name, con in (("duckdb", connect()), ("pyspark", spark)):
        raw = read_raw(con, tmp_path / "data" / "*.csv", work_dir=tmp_path / f"work_{name}")
        result = run_ingest(con, raw, mapping=raw_file.columns, options=options, out_dir=tmp_path / name)
        results[name] = (
            result.quality,
            pd.read_parquet(result.transactions_path),
            pd.read_parquet(result.quarantine_path),
        )
    (quality, transactions, quarantine), (spark_quality, spark_transactions, spark_quarantine) = results.values()
    assert quality["rows_in"] == len(lines) - 1 + len(EXTRA_DIRT) + 1
    rules = {rule["rule"]: rule["rows"] for rule in quality["rules"]}
    assert rules["malformed_line"] == 2 and rules["unmatched_return"] >= 1 and quality["duplicates_removed"] > 0
    assert spark_quality == quality
    pd.testing.assert_frame_equal(spark_transactions, transactions)
    pd.testing.assert_frame_equal(spark_quarantine, quarantine)


def test_rows_are_numbered_in_file_order_across_partitions(spark, tmp_path):
    """A file Spark splits into several partitions (4 KiB each here) is numbered 1, 2, ... in its own order."""
    from helpers.data.sources import SOURCE_ROW, read_raw

    path = tmp_path / "long.csv"
    path.write_text("row,text\n" + "".join(f"{i},{'x' * (i % 37)}\n" for i in range(1, 3001)), encoding="utf-8")
    session = spark._session
    session.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        raw = read_raw(spark, path)
        assert session.sql(spark.compile(raw.tables[0])).rdd.getNumPartitions() > 10
        rows = raw.tables[0].execute()
    finally:
        session.conf.unset("spark.sql.files.maxPartitionBytes")
    assert len(rows) == 3000 and raw.malformed.empty and raw.rows == (3000,)
    assert (rows[SOURCE_ROW] == rows["row"].astype(int)).all()


@pytest.mark.parametrize(
    ("date_format", "texts"),
    [
        ("%Y-%m-%d", ["2024-03-05", " 2024-03-05 ", "2024-3-5", "2024-02-30", "2024-03-05 10:00", "20240305", ""]),
        ("%Y%m%d", ["20240305", "2024-03-05", "20241305"]),  # "2024035": DuckDB reads 2024-03-05, Spark nothing
        ("%d/%m/%Y %H:%M", ["05/03/2024 10:07", "5/3/2024 9:07", "05/03/2024", "2024-03-05 10:07:00"]),
        ("%Y年%m月%d日", ["2024年03月05日", "2024年3月5日", "2024-03-05"]),
        (
            None,
            [
                "2024-03-05 星期二",
                "2024年3月5日 下午3:05",
                "2024/3/5 10:23",
                "45356",
                "45356.5",
                "2024-02-30 星期五",
                "2024-03-05 08:15 PM",
            ],
        ),
    ],
)
def test_dates_parse_alike_on_spark_and_duckdb(spark, date_format, texts):
    """`dates.format` and the ISO fallback give the same timestamps (or none) on both engines."""
    from helpers.data.ingest import parse_date

    frame = pd.DataFrame({"text": texts})
    spark._session.createDataFrame(frame).createOrReplaceTempView("dates")
    parsed = {}
    for name, con, table in (("duckdb", connect(), ibis.memtable(frame)), ("pyspark", spark, spark.table("dates"))):
        parsed[name] = con.execute(table.select("text", at=parse_date(table.text, date_format)).order_by("text"))
    spark_times, duckdb_times = (parsed[name].astype({"at": "datetime64[ns]"}) for name in ("pyspark", "duckdb"))
    pd.testing.assert_frame_equal(spark_times, duckdb_times)


def test_money_and_quantities_as_written_read_alike_on_spark_and_duckdb(spark):
    from helpers.core.parsing import DEFAULT_READING, declared_reading, parse_number

    frame = pd.DataFrame({"text": ["¥1,234.50", "12.5元", "1.5万", "(300.00)", "-￥3", "1,23", "2盒", "1.234,50", "7"]})
    spark._session.createDataFrame(frame).createOrReplaceTempView("money")
    parsed = {}
    for name, con, table in (("duckdb", connect(), ibis.memtable(frame)), ("pyspark", spark, spark.table("money"))):
        columns = {"point": parse_number(table.text, DEFAULT_READING),
                   "comma": parse_number(table.text, declared_reading("de_DE")),
                   "units": parse_number(table.text, DEFAULT_READING, units=True)}  # fmt: skip
        parsed[name] = con.execute(table.select("text", **columns).order_by("text"))
    pd.testing.assert_frame_equal(parsed["pyspark"], parsed["duckdb"])
    assert parsed["duckdb"].set_index("text").loc["¥1,234.50", "point"] == 1234.5


def test_a_file_spark_cannot_read_is_a_clear_error(spark, tmp_path):
    from helpers.core.errors import InputError
    from helpers.data.sources import read_raw

    path = tmp_path / "orders.parquet"
    path.write_bytes(b"not parquet at all, though the name says so")
    with pytest.raises(InputError, match=r"^cannot read parquet input .*orders.parquet: .*check input.format"):
        read_raw(spark, path)
