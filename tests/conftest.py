"""Shared fixtures: a DuckDB connection and small raw files written the way users export them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd
import pytest
import yaml

from helpers.data.backends import connect


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


@pytest.fixture(scope="session")
def cdnow_transactions(tmp_path_factory):
    """CDNOW sample ingested from its raw file, as the default config does (an Ibis table)."""
    from helpers.data.datasets import write_dataset
    from helpers.data.ingest import CleaningOptions, run_ingest
    from helpers.data.sources import read_raw

    folder = tmp_path_factory.mktemp("cdnow")
    raw_file = write_dataset("cdnow_sample", folder)
    connection = connect()
    options = CleaningOptions(date_format=raw_file.date_format, drop_duplicates=False, keep_zero_value=True)
    result = run_ingest(
        connection,
        read_raw(connection, raw_file.path),
        mapping=raw_file.columns,
        options=options,
        out_dir=folder / "out",
    )
    return connection.read_parquet(str(result.transactions_path))


@pytest.fixture(scope="session")
def babystore_parquet(tmp_path_factory) -> Path:
    """The generated baby store (20,000 customers, seed 7) ingested with its default cleaning: the Parquet path."""
    from helpers.data.datasets import write_dataset
    from helpers.data.ingest import CleaningOptions, run_ingest
    from helpers.data.sources import read_raw

    folder = tmp_path_factory.mktemp("babystore")
    raw_file = write_dataset("babystore", folder)
    connection = connect()
    options = CleaningOptions(date_format=raw_file.date_format)
    result = run_ingest(
        connection,
        read_raw(connection, raw_file.path),
        mapping=raw_file.columns,
        options=options,
        out_dir=folder / "out",
    )
    return result.transactions_path


@pytest.fixture(scope="session")
def babystore_transactions(babystore_parquet):
    """The ingested baby store as an Ibis table."""
    return connect().read_parquet(str(babystore_parquet))


# order-id prefixes of planted orders that are no BG/NBD purchases: festival responders', prams, summer orders
PLANTED_ORDERS = ("SF", "SE", "SS")


@pytest.fixture(scope="session")
def bgnbd_transactions(babystore_transactions):
    """The ingested baby store without its planted non-BG/NBD orders (PLANTED_ORDERS): what follows the model."""
    orders = babystore_transactions.order_id
    return babystore_transactions.filter(~ibis.or_(*(orders.startswith(prefix) for prefix in PLANTED_ORDERS)))


def transactions_table(rows: list[tuple]) -> ibis.Table:
    """Canonical transactions (customer_id, order_id, order_date, amount, is_return) as an Ibis table."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount", "is_return"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="ISO8601")
    return ibis.memtable(frame)


ROOT = Path(__file__).resolve().parents[1]


def small_config(tmp_path: Path, name: str = "config.yaml", **overrides) -> Path:
    """configs/babystore.yaml on 600 customers, writing under tmp_path; `overrides` update its sections."""
    config = yaml.safe_load((ROOT / "configs" / "babystore.yaml").read_text(encoding="utf-8"))
    config["input"]["dataset_customers"] = 600
    config["run"]["output_dir"] = str(tmp_path / "runs")
    config["clv"]["bootstrap_samples"] = 5
    config["churn"].update(folds=2, train_cutoffs=1)  # a backtest sized to what the tests show
    for section, values in overrides.items():
        config.setdefault(section, {}).update(values)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def dollars_after_each_test():
    """A stage or front page sets the report currency for what it draws; each test starts from the default."""
    from helpers.language.formatting import use_currency

    yield
    use_currency("$")


SCRIPT_ID = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def hostile_babystore(folder: Path) -> Path:
    """The small babystore export with values a report must not run: one customer id is a <script> tag, a
    channel and a category are spreadsheet formulas, an id has leading zeros."""
    from helpers.data.datasets import write_dataset

    raw = write_dataset("babystore", folder / "raw", n_customers=600).path
    frame = pd.read_csv(raw, dtype=str, keep_default_na=False)
    ids = frame["客户ID"].drop_duplicates()
    frame.loc[frame["客户ID"] == ids.iloc[1], "客户ID"] = SCRIPT_ID
    frame.loc[frame["客户ID"] == ids.iloc[2], "客户ID"] = "000123"
    frame.loc[frame["客户ID"] == ids.iloc[3], "渠道"] = FORMULA
    frame.loc[frame["客户ID"] == ids.iloc[4], "品类"] = "@SUM(A1:A9)"
    path = folder / "raw" / "hostile_babystore.csv"
    frame.to_csv(path, index=False)
    return path


def artifact_bytes(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run_dir / "artifacts").iterdir())}


@dataclass(frozen=True)
class StageRun:
    config: Path
    run_dir: Path
    results: dict  # stage name -> the stage function's result object


@pytest.fixture(scope="session")
def stage_run(tmp_path_factory) -> StageRun:
    """The six stage functions, called in-process on the small babystore config (06 plans a campaign)."""
    from helpers.stages import campaign, churn, clv, ingest, next_purchase, segment

    folder = tmp_path_factory.mktemp("stages")
    config = small_config(folder, input={"path": str(hostile_babystore(folder)), "dataset": None})
    run_dir = folder / "runs" / "direct"
    stages = (ingest, segment, clv, churn, next_purchase, campaign)
    results = {stage.__name__.rsplit(".", 1)[1]: stage.run(config, run_dir) for stage in stages}
    return StageRun(config, run_dir, results)
