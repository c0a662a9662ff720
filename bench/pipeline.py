"""The whole workbench at scale: `workbench run` (every stage) on the bench's generated log of N lines.

    python bench/pipeline.py --rows 1e8 --work-dir /data/scratch     # about 12 million customers
    python bench/pipeline.py --rows 1e7 --engine pyspark --spark-master "local[2]"   # the same stages on Spark

Generates the raw CSV (bench/run.py's generator: BG/NBD customers, 1-3 lines per order, two years), writes a
config for it, runs every stage through the runner as `workbench run` does, and prints each stage's wall time
(from the run's manifest) and the peak resident memory of the run's processes (the runner, the stage's
notebook kernel and anything it starts), sampled every 0.2 s while that stage ran.

Before the stages, in the same run, two DuckDB references over the same CSV (bench/run.py's): its typed and
sorted copy to Parquet, to which the whole run is compared (a ratio that survives a noisy machine), and ingest's
floor (the output-shaped sorted copy and the exact-copy search, no cleaning rule), to which ingest itself
(`run_ingest` with every rule, measured here too, alternately with the floor: --ingest-rounds) is compared; the
01_ingest stage does more than ingest.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import threading
import time
from pathlib import Path

import psutil
import yaml
from run import (  # bench/run.py
    COLUMNS,
    END,
    TYPED_COPY,
    generate,
    ingest_floor,
    measured,
    timed_ingest,
    typed_sorted_copy,
)

from helpers.data.backends import connect
from helpers.run import runner

CONFIG = {
    "run": {"name": "bench", "random_state": 42},
    "columns": COLUMNS,
    "dates": {"observation_end": END.isoformat()},
    "churn": {"horizon_days": 90},
}  # fmt: skip


class StageMemory(logging.Handler):
    """Peak resident memory of this process and its children, per stage (the runner logs each stage's start)."""

    def __init__(self):
        super().__init__()
        self.stage, self.peaks, self.done = None, {}, threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)

    def emit(self, record: logging.LogRecord) -> None:
        """Follow the runner's log: '[stage i/n] name' starts a stage, 'name: status in s' ends it."""
        message = record.getMessage()
        if message.startswith("[stage "):
            self.stage = record.args[-1]
        elif record.args and record.args[0] == self.stage:  # printed now: a killed run keeps what it measured
            print(f"  {message}, peak memory {self.peaks.get(self.stage, 0) / 2**30:.1f} GiB", flush=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self.done.is_set():
            rss = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    rss += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            if self.stage:
                self.peaks[self.stage] = max(self.peaks.get(self.stage, 0), rss)
            time.sleep(0.2)


def ingest_ratios(raw: Path, work: Path, rows: int, *, rounds: int, results: list) -> list[float]:
    """Ingest's time over its floor's, measured alternately `rounds` times (each on fresh connections), so that
    one slow minute of a shared machine does not decide the figure."""
    ratios = []
    for _ in range(rounds):
        floor = ingest_floor(connect(), raw, work, rows, results)
        timed_ingest(raw, work / "ingest", rows, results)
        ratios.append(results[-1]["seconds"] / floor)
        print(f"  ingest takes {ratios[-1]:.2f}x its floor ({floor:.1f} s: the output-shaped sorted copy and the "
              "exact-copy search, no rule)", flush=True)  # fmt: skip
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=float, default=1e6, help="transaction lines, e.g. 1e6, 1e8")
    parser.add_argument("--work-dir", default="bench-work", help="where the CSV and the run folder go")
    parser.add_argument("--memory-limit", default=None, help="backend.duckdb_memory_limit, e.g. 16GB")
    parser.add_argument("--engine", choices=["duckdb", "pyspark"], default="duckdb", help="backend.engine")
    parser.add_argument("--spark-master", default="local[2]", help="backend.spark_master with --engine pyspark")
    parser.add_argument("--spark-driver-memory", default="8g", help="spark.driver.memory with --engine pyspark (on a "
                        "local master the driver's JVM runs the tasks too)")  # fmt: skip
    parser.add_argument("--ingest-rounds", type=int, default=3, help="times ingest and its floor are "
                        "measured (alternately; the median ratio is printed; 0: not measured, as when --stages "
                        "leaves 01 out)")  # fmt: skip
    parser.add_argument("--stages", nargs="*", default=None, help="only these stages, e.g. 02 03 (the run folder of "
                        "the same --rows and config is reused)")  # fmt: skip
    args = parser.parse_args()
    work = Path(args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    raw = work / f"raw_{int(args.rows)}.csv"
    if not raw.exists():
        generate(int(args.rows), raw)
    config = dict(CONFIG, input={"path": str(raw)}, run=dict(CONFIG["run"], output_dir=str(work / "runs")))
    config["backend"] = {"engine": args.engine}
    if args.memory_limit:
        config["backend"]["duckdb_memory_limit"] = args.memory_limit
    if args.engine == "pyspark":
        config["backend"] |= {"spark_master": args.spark_master,
                              "spark_conf": {"spark.driver.memory": args.spark_driver_memory}}  # fmt: skip
    config_file = work / f"bench_{args.engine}.yaml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM; "
          f"{raw.name}: {raw.stat().st_size / 2**30:.2f} GiB", flush=True)  # fmt: skip

    print("references (DuckDB alone, same CSV):", flush=True)
    references: list[dict] = []
    with measured(references, TYPED_COPY, int(args.rows)):
        typed_sorted_copy(connect(), raw, work / "typed.parquet")
    ratios = ingest_ratios(raw, work, int(args.rows), rounds=args.ingest_rounds, results=references)
    typed = references[0]["seconds"]

    memory = StageMemory()
    logging.getLogger("helpers.run.runner").addHandler(memory)
    logging.getLogger("helpers.run.runner").setLevel(logging.INFO)
    memory.sampler.start()
    began = time.perf_counter()
    try:
        report = runner.run(config_file, run_id=f"bench-{int(args.rows)}-{args.engine}", stages=args.stages)
    finally:
        memory.done.set()
        total = time.perf_counter() - began
    manifest = json.loads((report.parent / "manifest.json").read_text())
    print(f"\nengine: {args.engine}" + (f" on {args.spark_master}" if args.engine == "pyspark" else ""))
    print(f"{'stage':<20} {'status':<8} {'wall time':>10} {'peak memory':>12}")
    for name, record in manifest["stages"].items():
        peak = memory.peaks.get(name, 0) / 2**30
        print(f"{name:<20} {record['status']:<8} {record['seconds']:>8.0f} s {peak:>8.1f} GiB")
    print(f"{'whole run':<29} {total:>8.0f} s {max(memory.peaks.values()) / 2**30:>8.1f} GiB\nreport: {report}")
    what = "the whole run" if args.stages is None else "the stages run"
    print(f"\n{what}: {total / typed:.0f}x DuckDB's typed+sorted copy of the same CSV ({typed:.1f} s)")
    if ratios:
        print(f"ingest: {statistics.median(ratios):.2f}x its floor, the median of {len(ratios)} rounds "
              f"({', '.join(f'{r:.2f}' for r in ratios)}; the 01_ingest stage adds the profile, the history fit, "
              "the figures and the page)")  # fmt: skip


if __name__ == "__main__":
    main()
