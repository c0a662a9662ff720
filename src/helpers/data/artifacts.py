"""The run folder: where each artifact lives, and atomic writes into it.

A write goes to a temporary name beside the target and is renamed into place,
so a failed stage never leaves a half-written artifact.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.core.errors import MissingArtifactError
from helpers.data import exports, schemas

__all__ = [
    "PARQUET_ROWS",
    "RunPaths",
    "arrow_frames",
    "atomic_path",
    "log",
    "read_parquet_slices",
    "without_nan",
    "write_json",
    "write_parquet",
]

log = logging.getLogger(__name__)
PARQUET_ROWS = 1024 * 1024  # pyarrow's default row group: the file is the one `to_parquet` writes


def write_parquet(frames: exports.Frames, path: str | Path, types: dict[str, pa.DataType] | None = None) -> None:
    """`frame.to_parquet(path, index=False)`, converted to Arrow one row group at a time: at ten million
    customers an Arrow copy of the whole table would double the memory it takes. A table given in slices is
    written slice by slice with the first slice's Arrow types, and `types` for the columns empty in it."""
    given = exports.slices(frames)
    first = next(given)
    inferred = pa.Schema.from_pandas(first, preserve_index=False)
    schema = pa.schema([_stored(f, types or {}) for f in inferred], metadata=inferred.metadata)
    with pq.ParquetWriter(path, schema) as writer:
        for frame in chain([first], given):
            for start in range(0, max(len(frame), 1), PARQUET_ROWS):
                chunk = frame.iloc[start : start + PARQUET_ROWS]
                writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))


def _stored(field: pa.Field, types: dict[str, pa.DataType]) -> pa.Field:
    """The type a column is stored as: `types` for a column with no value, microseconds for a timestamp (what Spark
    reads, and what it gives back: the same table from either engine is the same file)."""
    if pa.types.is_null(field.type):
        return pa.field(field.name, types.get(field.name, field.type))
    if pa.types.is_timestamp(field.type):
        return pa.field(field.name, pa.timestamp("us", tz=field.type.tz))
    return field


def arrow_frames(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterator[pd.DataFrame]:
    """Arrow batches as DataFrames in order: at least one, the empty table's header when there is no row."""
    empty = True
    for batch in batches:
        empty = False
        yield batch.to_pandas()
    if empty:
        yield schema.empty_table().to_pandas()


def read_parquet_slices(path: str | Path, rows: int) -> Iterator[pd.DataFrame]:
    """A Parquet table as DataFrames of `rows` rows in order (at least one, maybe empty)."""
    source = pq.ParquetFile(path)
    return arrow_frames(source.iter_batches(rows), source.schema_arrow)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success rename it onto `target`, on failure remove it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)  # a leftover (or a link planted) at the temporary name is never written through
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


class RunPaths:
    """Paths inside one run folder: artifacts/, figures/, notebooks/, html/, input/."""

    def __init__(self, run_dir: str | Path, *, xlsx_max_rows: int | None = None):
        self.root = Path(run_dir)
        self.xlsx_max_rows = xlsx_max_rows  # report.xlsx_max_rows: the rows an Excel export holds at most

    def _sub(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def artifacts(self) -> Path:
        return self._sub("artifacts")

    @property
    def figures(self) -> Path:
        return self._sub("figures")

    @property
    def notebooks(self) -> Path:
        return self._sub("notebooks")

    @property
    def html(self) -> Path:
        return self._sub("html")

    @property
    def input(self) -> Path:
        return self._sub("input")

    @property
    def cache(self) -> Path:
        """Working files a library keeps between calls (jieba's dictionary cache), inside the run folder."""
        return self._sub("cache")

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def log(self) -> Path:
        """What the kernels and engines printed while the run's stages executed."""
        return self.root / "run.log"

    @property
    def config(self) -> Path:
        """The run's resolved config (every key, defaults filled in): what each stage reads."""
        return self.root / "config.yaml"

    def id_salt(self) -> str:
        """The run's secret for masking customer ids in reports: random, made once, kept in the run folder."""
        path = self.root / ".id_salt"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                tmp.write_text(secrets.token_hex(16), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    def artifact(self, name: str) -> Path:
        return self.artifacts / name

    def require(self, name: str, produced_by: str) -> Path:
        """The path of an upstream artifact, or a clear error saying which stage to run."""
        path = self.root / "artifacts" / name
        if not path.exists():
            raise MissingArtifactError(
                f"{path} not found: run the {produced_by} stage first "
                f"(workbench run --config ... --run-id {self.root.name} --stages {produced_by})"
            )
        return path

    def write_table(self, frames: exports.Frames, name: str, number_formats: dict[str, str] | None = None) -> Path:
        """Check a DataFrame (or each slice of one given in slices) against its schema, then write it atomically:
        Parquet, or for people a CSV (UTF-8 with BOM) or an XLSX (`number_formats` per column), both safe from
        formula injection."""
        artifact = schemas.artifact(name)
        checked = (artifact.validate(frame) for frame in exports.slices(frames))
        target = self.artifact(name)
        with atomic_path(target) as tmp:
            if target.suffix == ".csv":
                exports.write_csv(checked, tmp)
            elif target.suffix == ".xlsx":
                if not exports.write_xlsx(checked, tmp, formats=number_formats, max_rows=self.xlsx_max_rows):
                    log.warning("%s holds %s rows: the first in the table's order; the CSV has all", name,
                                f"{exports.sheet_rows(self.xlsx_max_rows):,}")  # fmt: skip
            else:
                write_parquet(checked, tmp, artifact.arrow_types())
        return target

    def read_table(self, name: str, produced_by: str, columns: list[str] | None = None) -> pd.DataFrame:
        """An upstream per-customer table, checked against its schema; with `columns`, only those it has."""
        path = self.require(name, produced_by)
        if columns is None:
            return schemas.artifact(name).validate(pd.read_parquet(path))
        present = [c for c in columns if c in pq.read_schema(path).names]
        return schemas.artifact(name).validate(pd.read_parquet(path, columns=present), only=present)

    def read_optional_table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        """An upstream table that enriches this stage when its stage ran, else None."""
        return self.read_table(name, "", columns) if self.artifact(name).exists() else None

    def require_checked(self, name: str, produced_by: str) -> Path:
        """The path of a transaction-level upstream table whose Parquet footer matches its schema."""
        path = self.require(name, produced_by)
        schemas.artifact(name).check_parquet(path)
        return path

    def write_json(self, data: object, name: str) -> Path:
        target = self.artifact(name)
        write_json(data, target)
        return target

    def read_json(self, name: str, produced_by: str) -> dict:
        return json.loads(self.require(name, produced_by).read_text(encoding="utf-8"))


def without_nan(data: object) -> object:
    """`data` with every NaN or infinite float as None: JSON has no NaN, and a reader (a browser, a CRM import)
    rejects the file Python would write with one."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: without_nan(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [without_nan(value) for value in data]
    return data


def write_json(data: object, target: str | Path) -> None:
    """Write strict JSON atomically (NaN as null), keys sorted, so equal content gives equal bytes."""
    text = json.dumps(without_nan(data), indent=2, sort_keys=True, ensure_ascii=False, default=str, allow_nan=False)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
