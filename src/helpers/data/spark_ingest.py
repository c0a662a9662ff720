"""What ingest does differently on Spark (`backend.engine: pyspark`): reading raw files, numbering their rows,
keeping intermediate tables, date patterns, and writing a single Parquet file (used through
`cleaning_engines.SparkCleaning`). The cleaning rules themselves are the same Ibis
expressions on either engine (`helpers.data.ingest`).

Spark has no row ids: each file's rows are numbered from `monotonically_increasing_id()` (partition index in the
high bits, position in the partition in the low bits; a file's partitions follow its byte order) and the row
counts of the partitions before. A line with more or fewer fields than the header is kept by Spark's PERMISSIVE
mode in a corrupt-record column, so it keeps its place in the numbering and becomes a `malformed_line`.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.core.errors import InputError

__all__ = [
    "CORRUPT",
    "NUMERIC",
    "ONE_OR_TWO_DIGITS",
    "POSITION_BITS",
    "STRFTIME_TO_JAVA",
    "errors",
    "header_names",
    "is_spark",
    "java_pattern",
    "numbered",
    "read_csv",
    "read_parquet",
    "root_cause",
    "store",
    "write_parquet",
]

CORRUPT = "_corrupt_record"
POSITION_BITS = 33  # monotonically_increasing_id: partition index << 33 | position within the partition

STRFTIME_TO_JAVA = {"Y": "yyyy", "y": "yy", "m": "MM", "d": "dd", "H": "HH", "I": "hh", "M": "mm", "S": "ss",
                    "f": "SSSSSS", "p": "a", "b": "MMM", "B": "MMMM", "j": "DDD"}  # fmt: skip
NUMERIC = set("YymdHIMSfj")
ONE_OR_TWO_DIGITS = set("mdHIMS")  # strptime reads '5' or '05'; Spark's 'd' does too, its 'dd' needs two digits


def java_pattern(date_format: str) -> str:
    """A strftime format (dates.format) as Spark's datetime pattern; text between directives is quoted. A month,
    day, hour, minute or second takes one or two digits, as strptime's do, unless it touches another number
    (%Y%m%d: two digits each)."""
    tokens, literal, characters = [], "", iter(date_format)
    for char in characters:
        directive = next(characters, "") if char == "%" else None
        if directive is None or directive == "%":
            literal += char
            continue
        if directive not in STRFTIME_TO_JAVA:
            raise InputError(f"dates.format directive %{directive} is not supported on Spark; "
                             f"use {', '.join('%' + d for d in STRFTIME_TO_JAVA)}")  # fmt: skip
        tokens += [_quoted(literal), directive] if literal else [directive]
        literal = ""
    tokens += [_quoted(literal)] if literal else []
    numeric = [token in NUMERIC for token in tokens]
    touching = [(i > 0 and numeric[i - 1]) or (i + 1 < len(tokens) and numeric[i + 1]) for i in range(len(tokens))]
    return "".join(
        token if token.startswith("'") else
        STRFTIME_TO_JAVA[token][0] if token in ONE_OR_TWO_DIGITS and not touching[i] else STRFTIME_TO_JAVA[token]
        for i, token in enumerate(tokens)
    )  # fmt: skip


def _quoted(literal: str) -> str:
    return "'" + literal.replace("'", "''") + "'" if literal else ""


def is_spark(con) -> bool:
    return con.name == "pyspark"


def errors() -> tuple[type[Exception], ...]:
    """What Spark raises for a file it cannot read: its own errors, and Java's through py4j."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    return PySparkException, Py4JJavaError


def root_cause(error: Exception) -> str:
    """The innermost Java exception's message (the one that names the file and the problem), else the error's."""
    cause = getattr(error, "java_exception", None)
    if cause is None:
        return str(error)
    while cause.getCause() is not None:
        cause = cause.getCause()
    return str(cause.toString())


def header_names(path: Path, delimiter: str, header: bool) -> list[str]:
    """The column names of a CSV file: its first line's fields, or DuckDB's names (column0, ...) without a header."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    return first if header else [f"column{i}" for i in range(len(first))]


def read_csv(con, path: Path, *, delimiter: str, header: bool):
    """A UTF-8 CSV file as text columns, its malformed lines in `CORRUPT`."""
    from pyspark.sql.types import StringType, StructField, StructType

    names = header_names(path, delimiter, header)
    if len(set(names)) < len(names):
        raise InputError(f"{path} has repeated column names in its header {names}; rename them")
    schema = StructType([StructField(n, StringType()) for n in [*names, CORRUPT]])
    # quote and escape as RFC 4180 (and as DuckDB reads it): a quote inside a quoted field is doubled, "" not \"
    return con._session.read.csv(str(path), schema=schema, header=header, sep=delimiter, encoding="utf-8",
                                 quote='"', escape='"', mode="PERMISSIVE",
                                 columnNameOfCorruptRecord=CORRUPT)  # fmt: skip


def read_parquet(con, path: Path):
    return con._session.read.parquet(str(path))


def numbered(con, frame, source_row: str) -> tuple[ibis.Table, pd.DataFrame, int]:
    """A file's rows (a Spark DataFrame) numbered 1, 2, ... in file order as `source_row`, kept in memory (or on
    disk); its malformed lines (`source_row`, raw_line); and how many rows it has, malformed ones included."""
    from pyspark.sql import functions as F

    frame = frame.withColumn("_id", F.monotonically_increasing_id())
    frame = frame.withColumn("_partition", F.shiftright("_id", POSITION_BITS)).persist()
    counts = frame.groupBy("_partition").count().toPandas().sort_values("_partition")
    offset = F.lit(0)  # rows in the partitions before a row's own
    for partition, rows_before in zip(counts["_partition"], counts["count"].cumsum() - counts["count"], strict=True):
        offset = F.when(F.col("_partition") == int(partition), F.lit(int(rows_before))).otherwise(offset)
    position = F.col("_id") - F.shiftleft(F.col("_partition"), POSITION_BITS)
    frame = frame.withColumn(source_row, (offset + position + 1).cast("long")).drop("_id", "_partition")
    malformed = pd.DataFrame({source_row: pd.Series(dtype="int64"), "raw_line": pd.Series(dtype="string")})
    if CORRUPT in frame.columns:
        bad = frame.filter(F.col(CORRUPT).isNotNull()).select(source_row, F.col(CORRUPT).alias("raw_line"))
        malformed = pd.concat([malformed, bad.toPandas()], ignore_index=True)
        frame = frame.filter(F.col(CORRUPT).isNull()).drop(CORRUPT)
    return _view(con, frame), malformed, int(counts["count"].sum())


def _view(con, frame) -> ibis.Table:
    name = f"_ingest_{uuid.uuid4().hex}"
    frame.createOrReplaceTempView(name)
    return con.table(name)


def store(con, expr: ibis.Table) -> ibis.Table:
    """`expr` computed once and kept (memory, then disk) for the joins that use it; Spark has no temporary tables."""
    from pyspark import StorageLevel

    return _view(con, con._session.sql(con.compile(expr)).persist(StorageLevel.MEMORY_AND_DISK))


def write_parquet(con, expr: ibis.Table, path: Path) -> None:
    """One Parquet file (Spark writes a folder of parts), streamed in order through Arrow batches."""
    schema = expr.schema().to_pyarrow()
    with pq.ParquetWriter(path, schema) as writer:
        for batch in con.to_pyarrow_batches(expr):
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
