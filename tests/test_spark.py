"""The same Ibis summaries on Spark (local mode, loopback only) as on DuckDB."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from helpers.artifacts import RunPaths
from helpers.backends import connect
from helpers.config import DatesSection
from helpers.features import btyd_summary, calibration_holdout, churn_features, churn_labels, customer_summary
from helpers.logfiles import RUN_LOG
from helpers.stages.context import StageContext, analysis_date

pytestmark = pytest.mark.slow  # a Spark session takes seconds to start
pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e .[dev])")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (a JRE 17 or newer on PATH); none found", allow_module_level=True)

SUMMARIES = {
    "customer summary": lambda tx: customer_summary(tx, date(2024, 10, 1)),
    "BTYD summary": lambda tx: btyd_summary(tx, date(2024, 10, 1), "weeks"),
    "calibration/holdout": lambda tx: calibration_holdout(tx, date(2024, 6, 30), date(2024, 12, 31), "weeks"),
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


@pytest.mark.parametrize("name", SUMMARIES)
def test_summaries_on_spark_equal_duckdb(name, spark, parquet_path):
    build = SUMMARIES[name]
    expected = build(connect().read_parquet(str(parquet_path))).execute()
    actual = build(spark.read_parquet(str(parquet_path))).execute()
    assert len(expected) > 500
    assert list(actual.columns) == list(expected.columns)
    expected, actual = (f.sort_values("customer_id").reset_index(drop=True) for f in (expected, actual))
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False, rtol=1e-9)


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
    from helpers import recommend

    frames = []
    for con in (connect(), spark):
        items = recommend.baskets(con.read_parquet(str(parquet_path)), "category", None, date(2024, 12, 31))
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
        "from helpers.backends import connect\n"
        "con = connect({'engine': 'pyspark', 'spark_master': 'local[1]'})\n"
        "print(con._session.range(3).count())\n"
        "con._session.stop()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=os.environ | {RUN_LOG: str(log)}, capture_output=True,
                          text=True, timeout=600, check=True)  # fmt: skip
    assert done.stdout.strip() == "3"
    assert done.stderr.strip() == ""
    assert "log level" in log.read_text()  # Spark did talk, into the log
