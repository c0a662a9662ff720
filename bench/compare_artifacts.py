"""Did a change alter what ingest writes? Compare the artifacts of two run folders (or two artifact folders).

    python bench/compare_artifacts.py runs/before runs/after

For each Parquet and JSON file of the first folder: 'bytes equal', 'values equal' (every value, type and row in
the same order; only Parquet's required/optional flag, which DuckDB derives from column statistics, differs),
or the columns whose values differ. Exits 1 when any file's values differ or is missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def all_nullable(table: pa.Table) -> pa.Table:
    return table.cast(pa.schema([field.with_nullable(True) for field in table.schema]))


def compare(before: Path, after: Path) -> str | None:
    """None when the values are equal, else what differs."""
    if not after.exists():
        return "missing"
    if before.suffix != ".parquet":
        return "differs"
    old, new = all_nullable(pq.read_table(before)), all_nullable(pq.read_table(after))
    if old.schema != new.schema or old.num_rows != new.num_rows:
        return f"schema or rows differ ({old.num_rows:,} vs {new.num_rows:,} rows)"
    if old.equals(new):
        return None
    return "values differ in " + ", ".join(name for name in old.column_names if not old[name].equals(new[name]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    failed = False
    for path in sorted([*args.before.rglob("*.parquet"), *args.before.rglob("*.json")]):
        other = args.after / path.relative_to(args.before)
        if other.exists() and path.read_bytes() == other.read_bytes():
            verdict = "bytes equal"
        else:
            difference = compare(path, other)
            verdict = "values equal" if difference is None else f"DIFFERS: {difference}"
            failed |= difference is not None
        print(f"{verdict:<14} {path.relative_to(args.before)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
