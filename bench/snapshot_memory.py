"""Memory of one 04_churn snapshot's inputs at scale: the churn features and the BTYD summary at one cutoff.

    python bench/snapshot_memory.py --transactions <run>/artifacts/transactions.parquet --cutoff 2023-06-01
    python bench/snapshot_memory.py ... --via execute       # Ibis' own execute(), for comparison

Prints each table's rows, time, size as pandas and the process's resident memory after it, then the peak
(one way per run: the peak is the process's). At 12 million customers the peak comes from bringing the
features out of DuckDB, not from the frame itself: 8.2 GiB through Arrow (`features.fetch`, what 04 uses),
15.1 GiB through `execute()`.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

import ibis
import psutil

from helpers.data.features import btyd_summary, churn_features, fetch

GIB = 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", required=True, help="a run's artifacts/transactions.parquet")
    parser.add_argument("--cutoff", type=date.fromisoformat, required=True, help="the snapshot's cutoff date")
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB's memory limit")
    parser.add_argument("--via", choices=("arrow", "execute"), default="arrow", help="how the tables reach pandas")
    args = parser.parse_args()
    tx = ibis.duckdb.connect(memory_limit=args.memory_limit).read_parquet(args.transactions)
    process = psutil.Process()
    for name, expr in (("churn features", churn_features(tx, args.cutoff)),
                       ("BTYD summary", btyd_summary(tx, args.cutoff, "weeks"))):  # fmt: skip
        start = time.perf_counter()
        frame = fetch(expr) if args.via == "arrow" else expr.execute()
        print(f"{name}: {len(frame):,} rows x {frame.shape[1]} in {time.perf_counter() - start:.0f} s, "
              f"{frame.memory_usage(deep=True).sum() / GIB:.2f} GiB as pandas, "
              f"{process.memory_info().rss / GIB:.1f} GiB resident", flush=True)  # fmt: skip
        del frame
    print(f"peak resident: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB:.1f} GiB")


if __name__ == "__main__":
    main()
