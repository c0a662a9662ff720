"""Benchmark the transaction-level path at N rows: prints wall time, rows/s and peak RSS per step.

    python bench/run.py --rows 1e6 1e7          # generate, ingest, summaries, fits, churn features
    python bench/run.py --clv-customers 1e6     # BG/NBD + Gamma-Gamma with and without compression

Steps: generate a raw CSV of N lines (BG/NBD customers, multi-line orders, baby-stage categories); copy it
to Parquet with DuckDB alone, plainly and typed and sorted by customer and date (the engine's own speed, the
reference for ingest); ingest it to Parquet (every cleaning rule, DuckDB out of core); the per-customer
summary; the calibration/holdout summary; BG/NBD + Gamma-Gamma fits on compressed patterns; churn features at
one cutoff; the category pair affinity and sequence transitions of 05_next_purchase (Ibis); and, up to
--pandas-max rows, the same per-customer summary computed the way
`lifetimes.utils.summary_data_from_transaction_data` does it in pandas, as the reference for the speed ratio.
Peak RSS is sampled every 20 ms during each step. The whole pipeline at scale: bench/pipeline.py.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.csv as pacsv

from helpers.core.config import AlertsSection
from helpers.data.backends import connect
from helpers.data.datasets import BABY_AGE_AT_FIRST_PURCHASE, CATEGORIES, simulate_bgnbd_gamma_gamma, stage_categories
from helpers.data.features import DAYS_PER_UNIT, btyd_summary, calibration_holdout, churn_features, customer_summary
from helpers.data.ingest import CleaningOptions, IngestResult, run_ingest
from helpers.data.sources import read_raw
from helpers.models import alerts, clv, recommend
from helpers.models.purchase import PurchaseModel

START = date(2022, 1, 1)
DAYS = 730
END = START + timedelta(days=DAYS - 1)
LINES_PER_CUSTOMER = 8.3  # about 4.2 purchases of 2 lines each over two years


@contextmanager
def measured(results: list, step: str, rows: int):
    """Time a step and sample this process's peak resident memory while it runs."""
    process, peak, done = psutil.Process(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - began
        done.set()
        sampler.join()
        results.append({"rows": rows, "step": step, "seconds": round(seconds, 2),
                        "rows_per_s": int(rows / seconds) if seconds else 0,
                        "peak_rss_gib": round(peak[0] / 2**30, 2)})  # fmt: skip
        print(f"  {step:<34} {seconds:8.2f} s  {rows / seconds:>12,.0f} rows/s  peak {peak[0] / 2**30:6.2f} GiB",
              flush=True)  # fmt: skip


def generate(rows: int, path: Path, seed: int = 1, chunk_customers: int = 500_000) -> int:
    """A raw CSV of about `rows` lines: BG/NBD customers acquired over the first year, 1-3 lines per
    order (each line its own share of the order's value), written in customer chunks so that memory stays
    flat whatever `rows` is."""
    rng = np.random.default_rng(seed)
    customers = int(rows / LINES_PER_CUSTOMER)
    written = order_offset = 0
    schema = pa.schema([("customer_id", pa.string()), ("order_id", pa.string()), ("order_date", pa.string()),
                        ("amount", pa.float64()), ("category", pa.string())])  # fmt: skip
    with pacsv.CSVWriter(path, schema) as writer:
        for first_customer in range(0, customers, chunk_customers):
            count = min(chunk_customers, customers - first_customer)
            first_day = rng.integers(0, 365, count)
            weeks_observed = (DAYS - first_day) / DAYS_PER_UNIT["weeks"]
            purchases = simulate_bgnbd_gamma_gamma(count, rng, r=0.6, alpha=8.0, a=0.7, b=3.0, p=6.0, q=4.0,
                                                   v=25.0, weeks_observed=weeks_observed)  # fmt: skip
            lines = rng.integers(1, 4, len(purchases))
            index = np.repeat(np.arange(len(purchases)), lines)
            customer = purchases["customer"].to_numpy()[index]
            day = first_day[customer] + np.floor(purchases["week"].to_numpy()[index] * 7).astype(int)
            weight = rng.random(len(index))  # each line its own part of the order's value, as products differ
            share = weight / np.bincount(index, weight)[index]
            baby_age = rng.integers(*BABY_AGE_AT_FIRST_PURCHASE, count)[customer] + day - first_day[customer]
            writer.write_table(pa.table({
                "customer_id": pa.array(np.char.add("C", (customer + first_customer).astype(str))),
                "order_id": pa.array(np.char.add("O", (index + order_offset).astype(str))),
                "order_date": pa.array((np.datetime64(START) + day.astype("timedelta64[D]")).astype(str)),
                "amount": pa.array(np.round(purchases["value"].to_numpy()[index] * share, 2)),
                "category": pa.array(np.asarray(CATEGORIES)[stage_categories(baby_age, rng)]),
            }, schema=schema))  # fmt: skip
            written += len(index)
            order_offset += len(purchases)
    print(f"  generated {written:,} lines of {customers:,} customers", flush=True)
    return written


def pandas_reference(transactions_path: Path, as_of: date) -> pd.DataFrame:
    """lifetimes.utils.summary_data_from_transaction_data, step for step in pandas (daily periods,
    repeat-purchase monetary value), on the same cleaned Parquet the Ibis path reads."""
    tx = pd.read_parquet(transactions_path, columns=["customer_id", "order_date", "amount"])
    tx = tx.sort_values(["customer_id", "order_date", "amount"])
    tx = tx.set_index("order_date").to_period("D").to_timestamp()
    tx = tx.loc[tx.index <= pd.Timestamp(as_of)].reset_index()
    periods = tx.groupby(["order_date", "customer_id"], sort=False, as_index=False).sum()
    periods["first"] = False
    periods.loc[periods.groupby("customer_id", sort=True, as_index=False).head(1).index, "first"] = True
    customers = periods.groupby("customer_id", sort=False)["order_date"].agg(["min", "max", "count"])
    customers["frequency"] = customers["count"] - 1
    customers["T"] = (pd.Timestamp(as_of) - customers["min"]) / np.timedelta64(1, "D")
    customers["recency"] = (customers["max"] - customers["min"]) / np.timedelta64(1, "D")
    periods.loc[periods["first"], "amount"] = np.nan
    customers["monetary_value"] = periods.groupby("customer_id")["amount"].mean().fillna(0)
    return customers[["frequency", "recency", "T", "monetary_value"]]


PLAIN_COPY, TYPED_COPY = "DuckDB plain copy CSV -> Parquet", "DuckDB typed+sorted copy"


def typed_sorted_copy(con, raw: Path, target: Path) -> None:
    """DuckDB alone copying the CSV to Parquet, typed and sorted by customer and date: the engine's own speed."""
    con.raw_sql(f"COPY (SELECT customer_id, order_id, CAST(order_date AS TIMESTAMP) AS order_date, "
                f"CAST(amount AS DOUBLE) AS amount, category FROM read_csv('{raw}', all_varchar = true) "
                f"ORDER BY customer_id, order_date) TO '{target}'")  # fmt: skip


def ingest_floor(con, raw: Path, work: Path, rows: int, results: list) -> float:
    """Seconds of the least any ingest of `raw` must do, measured as two DuckDB statements without a cleaning rule:
    the transactions artifact's columns computed, each line numbered, sorted as ingest sorts them (the line number
    last) and written; and the search for exact copies (a hash of every column, grouped). What ingest adds beyond
    them is the rules, the return matching, the quarantine and the reconciliation."""
    text = f"read_csv('{raw}', all_varchar = true)"
    with measured(results, "floor: output-shaped sorted copy", rows):
        con.raw_sql(f"COPY (SELECT customer_id, order_id, TRY_CAST(order_date AS TIMESTAMP) AS order_date, "
                    f"TRY_CAST(amount AS DOUBLE) AS amount, category, amount LIKE '-%' AS is_return, "
                    f"CAST(TRY_CAST(order_date AS TIMESTAMP) AS DATE) AS purchase_date, "
                    f"TRY_CAST(amount AS DOUBLE) > 1000 AS is_extreme, '{raw.name}' AS source_file, "
                    f"row_number() OVER () AS source_row FROM {text} "
                    f"ORDER BY customer_id, order_date, order_id, source_file, source_row) "
                    f"TO '{work / 'floor.parquet'}'")  # fmt: skip
    with measured(results, "floor: exact-copy search", rows):
        con.raw_sql(f"SELECT count(*) FROM (SELECT hash(customer_id, order_id, order_date, amount, category) AS h "
                    f"FROM {text} GROUP BY h HAVING count(*) > 1)").fetchall()  # fmt: skip
    return results[-1]["seconds"] + results[-2]["seconds"]


INGEST = "ingest CSV -> Parquet"
COLUMNS = {name: name for name in ("customer_id", "order_id", "order_date", "amount", "category")}  # generate's


def timed_ingest(raw: Path, out: Path, rows: int, results: list) -> IngestResult:
    """`run_ingest` of the generated CSV with the default cleaning options, measured as INGEST: every rule, the
    quarantine, the reconciliation and the sorted transactions, on a fresh connection (no data cached)."""
    con = connect()
    with measured(results, INGEST, rows):
        return run_ingest(con, read_raw(con, raw), mapping=COLUMNS, options=CleaningOptions(), out_dir=out)


def run_rows(rows: int, work: Path, pandas_max: int, results: list) -> None:
    print(f"\n== {rows:,} rows ==", flush=True)
    raw, out = work / f"raw_{rows}.csv", work / f"out_{rows}"
    with measured(results, "generate raw CSV", rows):
        rows = generate(rows, raw)
    print(f"  raw CSV: {raw.stat().st_size / 2**30:.2f} GiB", flush=True)
    con = connect()
    with measured(results, PLAIN_COPY, rows):
        con.raw_sql(f"COPY (SELECT * FROM read_csv('{raw}')) TO '{work / 'plain.parquet'}'")
    with measured(results, TYPED_COPY, rows):
        typed_sorted_copy(con, raw, work / "typed.parquet")
    floor = ingest_floor(con, raw, work, rows, results)
    ingested = timed_ingest(raw, out, rows, results)
    plain, typed, ingest = (next(r["seconds"] for r in results if r["rows"] == rows and r["step"] == step)
                            for step in (PLAIN_COPY, TYPED_COPY, INGEST))  # fmt: skip
    print(f"  ingest (every rule, quarantine, reconciliation, sorted output) takes {ingest / floor:.2f}x its floor "
          f"(the output-shaped copy and the exact-copy search, no rule: {floor / plain:.1f}x the plain copy), "
          f"{ingest / typed:.1f}x the typed+sorted copy and {ingest / plain:.1f}x the plain copy",
          flush=True)  # fmt: skip
    con = connect()
    tx = con.read_parquet(str(ingested.transactions_path))
    with measured(results, "per-customer summary", rows):
        summary = customer_summary(tx, END).to_pyarrow()
    with measured(results, "calibration/holdout summary", rows):
        calibration_holdout(tx, END - timedelta(days=180), observation_end=END, unit="weeks").to_pyarrow()
    full = btyd_summary(tx, END, "weeks").execute()
    with measured(results, "BG/NBD + Gamma-Gamma (compressed)", rows):
        PurchaseModel.fit("bgnbd", clv.compress(full))
        clv.fit_spend_model(full)
    with measured(results, "churn features at one cutoff", rows):
        churn_features(tx, END - timedelta(days=90)).to_pyarrow()
    items = recommend.baskets(tx, "category", start=None, end=END)
    with measured(results, "category pair affinity (05)", rows):
        affinity = recommend.pair_affinity(items)
    with measured(results, "category sequence transitions (05)", rows):
        recommend.sequence_transitions(items, bucket_days=45, buckets=8, shrinkage=20.0)
    with measured(results, "abnormal-behaviour alerts (02)", rows):
        found = alerts.find_alerts(tx, AlertsSection(), has_order_ids=True)
    print(f"  customers: {summary.num_rows:,}; category pairs: {len(affinity):,}; alerts: {len(found.alerts):,}",
          flush=True)  # fmt: skip
    with measured(results, "BTYD summary (frequency, recency, T, value)", rows):
        btyd = btyd_summary(tx, END, "days").to_pyarrow()
    if rows <= pandas_max:
        with measured(results, "pandas reference: lifetimes-way summary", rows):
            reference = pandas_reference(ingested.transactions_path, END)
        ours = btyd.to_pandas().set_index("customer_id").loc[reference.index]
        columns = ["frequency", "recency", "T", "monetary_value"]
        np.testing.assert_allclose(ours[columns].to_numpy(float), reference[columns].to_numpy(float), rtol=1e-9)
        print(f"  speed-up of the BTYD summary over pandas: {results[-1]['seconds'] / results[-2]['seconds']:.1f}x "
              "(same frequency, recency, T, value for every customer)", flush=True)  # fmt: skip
    raw.unlink()


def run_clv(customers: int, results: list) -> None:
    print(f"\n== CLV fits on {customers:,} customers ==", flush=True)
    rng = np.random.default_rng(3)
    purchases = simulate_bgnbd_gamma_gamma(customers, rng, r=0.6, alpha=8.0, a=0.7, b=3.0, p=6.0, q=4.0, v=25.0,
                                           weeks_observed=np.full(customers, 78.0))  # fmt: skip
    week = DAYS_PER_UNIT["weeks"]
    grouped = purchases.assign(week=np.floor(purchases["week"] * week) / week).groupby("customer")
    summary = pd.DataFrame({"frequency": grouped.size() - 1.0, "recency": grouped["week"].max(), "T": 78.0})
    repeat_value = purchases[purchases["week"] > 0].groupby("customer")["value"].mean()
    summary["monetary_value"] = repeat_value.reindex(summary.index).fillna(0.0)
    patterns = clv.compress(summary)
    print(f"  {len(patterns):,} distinct (frequency, recency, T) patterns", flush=True)
    with measured(results, "BG/NBD + GG, compressed patterns", customers):
        PurchaseModel.fit("bgnbd", patterns)
        clv.fit_spend_model(summary)
    with measured(results, "BG/NBD + GG, one row per customer", customers):
        PurchaseModel.fit("bgnbd", summary.assign(weight=1))
        clv.fit_spend_model(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", nargs="*", type=float, default=[], help="transaction lines, e.g. 1e6 1e7 1e8")
    parser.add_argument("--clv-customers", type=float, default=0, help="customers for the CLV fit benchmark")
    parser.add_argument("--pandas-max", type=float, default=2e7, help="largest N for the pandas reference")
    parser.add_argument("--work-dir", default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM")
    results: list = []
    with tempfile.TemporaryDirectory(dir=args.work_dir) as scratch:
        for rows in args.rows:
            run_rows(int(rows), Path(scratch), int(args.pandas_max), results)
    if args.clv_customers:
        run_clv(int(args.clv_customers), results)
    if results:
        print("\n" + pd.DataFrame(results).to_string(index=False))


if __name__ == "__main__":
    main()
