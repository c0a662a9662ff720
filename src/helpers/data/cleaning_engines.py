"""Where ingest differs between the engines, decided once per connection (`for_connection`): storing the
parsed lines and the small decision tables, parsing dates with `dates.format`, the as-of match of returns to
purchases, and writing a Parquet file. The cleaning rules are the same Ibis expressions on both
(`helpers.data.ingest`); reading raw files is in `helpers.data.sources` (DuckDB) and `helpers.data.spark_ingest`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import cast

import ibis
import ibis.expr.datatypes as dt

from helpers.data import spark_ingest
from helpers.data.sources import LINE, SOURCE_FILE, SOURCE_ROW, RawInput, store_lines, stored_table

__all__ = [
    "SETTLED",
    "DuckDBCleaning",
    "Settling",
    "SparkCleaning",
    "for_connection",
    "try_strptime",
    "try_to_timestamp",
]

SETTLED = ("_rule", "_net_key", "_net_day")  # the stored columns that settling the decisions changes
Settling = Callable[[ibis.Table, ibis.Table], ibis.Table]  # stored lines, decisions -> the lines settled


@ibis.udf.scalar.builtin
def try_strptime(text: str, fmt: str) -> dt.Timestamp():  # type: ignore[valid-type]  # ibis reads this annotation
    """DuckDB's try_strptime: NULL where the text does not match the format."""


@ibis.udf.scalar.builtin
def try_to_timestamp(text: str, fmt: str) -> dt.Timestamp():  # type: ignore[valid-type]  # ibis reads this annotation
    """Spark's try_to_timestamp: NULL where the text does not match the (Java) pattern."""


class DuckDBCleaning:
    """Ingest on the embedded DuckDB: temporary tables (row ids number the lines), strptime, an as-of join."""

    def __init__(self, con):
        self.con = con

    def store_lines(self, raw: RawInput, derive: Callable[[ibis.Table], ibis.Table]) -> ibis.Table:
        """`derive` of every file's rows, kept once, with `_line`, `_source_file` and `_source_row`."""
        return store_lines(self.con, raw, derive)

    def settle(self, lines: ibis.Table, decisions: ibis.Table, settled: Settling) -> ibis.Table:
        """`settled(lines, decisions)` written into the stored `lines` in place: only the decided lines change, and
        an UPDATE of those few rows spares every later query a join with `decisions`."""
        decided = lines.filter(lines[LINE].isin(decisions[LINE]))
        table, changed = stored_table(lines), f"_ingest_settled_{uuid.uuid4().hex}"
        self.con.create_table(changed, settled(decided, decisions).select(LINE, *SETTLED), temp=True)
        assignments = ", ".join(f'"{column}" = c."{column}"' for column in SETTLED)
        self.con.raw_sql(f'UPDATE "{table}" SET {assignments} FROM "{changed}" AS c WHERE "{table}".rowid = c."{LINE}"')
        self.con.raw_sql(f'DROP TABLE "{changed}"')
        return lines

    def store(self, kind: str, rows: ibis.Table) -> ibis.Table | None:
        """`rows` computed once into a small table; None when there are none (nothing to join)."""
        table = self._kept(kind, rows)
        return table if table.count().execute() else None

    def _kept(self, kind: str, rows: ibis.Table) -> ibis.Table:
        return self.con.create_table(f"_ingest_{kind}_{uuid.uuid4().hex}", rows, temp=True)

    def strptime(self, text: ibis.StringValue, date_format: str) -> ibis.TimestampValue:
        """Text read with a strftime format; NULL where it does not match."""
        return try_strptime(text, date_format)

    def latest_moments(self, returns: ibis.Table, moments: ibis.Table) -> ibis.Table:
        """Each return (`_line`, `_customer`, `_time`) with its customer's latest purchase moment at or before it
        (`_bought_at`, `_matched_key`); NULL where there is none."""
        return returns.asof_join(moments, on=returns._time >= moments._bought_at,
                                 predicates=returns._customer == moments._buyer)  # fmt: skip

    def write_parquet(self, expr: ibis.Table, path: Path) -> None:
        self.con.to_parquet(expr, path)


class SparkCleaning(DuckDBCleaning):
    """Ingest on Spark: persisted DataFrames for tables, Java date patterns, and a running maximum for the as-of
    join Ibis does not compile for Spark."""

    def store_lines(self, raw: RawInput, derive: Callable[[ibis.Table], ibis.Table]) -> ibis.Table:
        """Rows come numbered from reading (malformed lines included); `_line` counts on across files."""
        parts, first_line = [], 0
        counted = cast(tuple[int, ...], raw.rows)  # read_raw on Spark counts each file's rows
        for name, table, rows in zip(raw.names, raw.tables, counted, strict=True):
            parts.append(derive(table).mutate(**{SOURCE_FILE: ibis.literal(name),
                                                 LINE: ibis._[SOURCE_ROW] + first_line - 1}))  # fmt: skip
            first_line += rows
        return spark_ingest.store(self.con, ibis.union(*parts) if len(parts) > 1 else parts[0])

    def _kept(self, kind: str, rows: ibis.Table) -> ibis.Table:
        return spark_ingest.store(self.con, rows)

    def settle(self, lines: ibis.Table, decisions: ibis.Table, settled: Settling) -> ibis.Table:
        """`settled(lines, decisions)`: a join with the small `decisions` in every later query (Spark's stored
        frames cannot be updated)."""
        return settled(lines, decisions)

    def strptime(self, text: ibis.StringValue, date_format: str) -> ibis.TimestampValue:
        return try_to_timestamp(text, spark_ingest.java_pattern(date_format))

    def latest_moments(self, returns: ibis.Table, moments: ibis.Table) -> ibis.Table:
        """Returns and purchase moments in one timeline per customer (at equal times the purchase first); each
        return takes the latest moment before it, then that moment's key."""
        purchases = moments.select(**{LINE: ibis.null("int64")}, _customer="_buyer", _time="_bought_at",
                                   _bought_at="_bought_at")  # fmt: skip
        events = returns.mutate(_bought_at=ibis.null("timestamp")).union(purchases)
        timeline = ibis.cumulative_window(group_by="_customer", order_by=["_time", events._bought_at.isnull()])
        latest = events.mutate(_latest=events._bought_at.max().over(timeline)).filter(ibis._[LINE].notnull())
        matched = latest.left_join(moments, [latest._customer == moments._buyer, latest._latest == moments._bought_at])
        return matched.select(LINE, "_matched_key", _bought_at="_latest")

    def write_parquet(self, expr: ibis.Table, path: Path) -> None:
        spark_ingest.write_parquet(self.con, expr, path)


def for_connection(con) -> DuckDBCleaning:
    """The cleaning engine of an Ibis connection."""
    return SparkCleaning(con) if con.name == "pyspark" else DuckDBCleaning(con)
