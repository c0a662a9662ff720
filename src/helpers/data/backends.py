"""The Ibis backend that transaction-level work runs on: embedded DuckDB, or Spark.

Every helper in `features` and `churn` takes an Ibis table and builds expressions;
which engine executes them is chosen here, from the config's `backend` section.
Raw files are read and cleaned on the chosen engine too (`sources`, `ingest`, `spark_ingest`);
per-customer results come back as pandas on either engine.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis

from helpers.core.config import BackendSection
from helpers.core.logfiles import process_output_to, run_log

__all__ = [
    "DUCKDB_MEMORY_SHARE",
    "LOCAL_SHUFFLE_PARTITIONS_PER_CORE",
    "LOOPBACK",
    "NO_AUTOMATIC_CHECKPOINT",
    "RETURN_FREED_MEMORY",
    "SPARK_WAREHOUSE",
    "connect",
    "default_memory_limit",
    "kept",
    "spark_session",
]

LOOPBACK = "127.0.0.1"
SPARK_WAREHOUSE = Path(tempfile.gettempdir()) / "crm-workbench-spark-warehouse"
LOCAL_SHUFFLE_PARTITIONS_PER_CORE = 2  # Spark's 200 shuffle partitions are meant for a cluster; each costs a task


def spark_session(master: str, conf: dict[str, str]):
    """A SparkSession on `master`; a local master binds to loopback only (no other address is used)."""
    from pyspark.sql import SparkSession  # imported here: Spark is needed only when chosen

    settings = {
        "spark.sql.warehouse.dir": str(SPARK_WAREHOUSE),  # not a spark-warehouse folder in the user's directory
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    if master.startswith("local"):
        os.environ["SPARK_LOCAL_IP"] = LOOPBACK
        shuffle_partitions = LOCAL_SHUFFLE_PARTITIONS_PER_CORE * (os.cpu_count() or 1)
        settings |= {"spark.driver.host": LOOPBACK, "spark.driver.bindAddress": LOOPBACK,
                     "spark.sql.shuffle.partitions": str(shuffle_partitions)}  # fmt: skip
    builder = SparkSession.builder.master(master).appName("crm-workbench")
    for key, value in (settings | conf).items():
        builder = builder.config(key, value)
    # the JVM inherits standard output and error when it starts: its logs go to the run's log, not into a report
    with process_output_to(run_log(), fds=(1, 2)):
        return builder.getOrCreate()


DUCKDB_MEMORY_SHARE = 0.5  # DuckDB's own default is 80%: too much beside the per-customer tables pandas holds


def default_memory_limit() -> str:
    """Half the machine's memory: DuckDB spills to disk beyond it, and the stage's per-customer pandas tables (one
    row per customer, gigabytes at ten million customers) have the other half."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(total * DUCKDB_MEMORY_SHARE) // 2**20}MiB"


# The database is in memory, so it has no log to bound; a checkpoint would compress every temporary table at the
# next commit after an UPDATE (ingest settles its few decisions in place): 2 s at 1e7 lines, for nothing kept.
NO_AUTOMATIC_CHECKPOINT = "1000TB"
# DuckDB's allocator keeps the memory a finished query freed (at 1e7 lines, 0.7 GiB after 02's customer summary),
# beside which the stage then builds its pandas tables; a background thread hands it back to the system.
RETURN_FREED_MEMORY = True


def connect(settings: BackendSection | dict | None = None, engine: str | None = None) -> ibis.BaseBackend:
    """An Ibis connection on the configured engine (DuckDB when nothing is configured; `engine` overrides it:
    the small side tables of 01_ingest stay on DuckDB whatever the engine), with the configured DuckDB memory
    limit (default: half the machine's memory) and threads."""
    settings = BackendSection.model_validate(settings or {})
    if (engine or settings.engine) == "duckdb":
        limits = {"memory_limit": settings.duckdb_memory_limit or default_memory_limit(), "threads": settings.threads}
        limits = {key: value for key, value in limits.items() if value is not None}
        return ibis.duckdb.connect(**limits, checkpoint_threshold=NO_AUTOMATIC_CHECKPOINT,
                                   allocator_background_threads=RETURN_FREED_MEMORY)  # fmt: skip
    return ibis.pyspark.connect(spark_session(settings.spark_master, settings.spark_conf))


@contextmanager
def kept(expr: ibis.Table) -> Iterator[ibis.Table]:
    """`expr` computed once for the queries inside the block, then let go: a temporary table on DuckDB, a
    persisted DataFrame (memory, then disk) on Spark. Without it every query that reads `expr` computes it again."""
    con, name = ibis.get_backend(expr), f"_kept_{uuid.uuid4().hex}"
    if con.name == "pyspark":
        from pyspark import StorageLevel

        frame = con._session.sql(con.compile(expr)).persist(StorageLevel.MEMORY_AND_DISK)
        frame.createOrReplaceTempView(name)
        try:
            yield con.table(name)
        finally:
            con._session.catalog.dropTempView(name)
            frame.unpersist()
        return
    table = con.create_table(name, expr, temp=True)
    try:
        yield table
    finally:
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')  # Ibis 12's drop_table writes no name here
