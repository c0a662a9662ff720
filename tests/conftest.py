"""Shared fixtures: a DuckDB connection and small raw files written the way users export them."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.sources import connect


@pytest.fixture
def con():
    return connect()


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write rows (list of dicts or a header + rows text) as a CSV and return its path."""

    def _write(text: str, name: str = "raw.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return _write
