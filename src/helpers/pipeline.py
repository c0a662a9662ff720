"""Stage entry points the notebooks call: config sections in, run-folder artifacts out.

Each function validates the sections it is given (the same pydantic models as
the config file), reads the upstream artifacts from the run folder and writes its
own, so any notebook can be re-run alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import ibis
import pandas as pd

from helpers import backends
from helpers.artifacts import RunPaths
from helpers.config import CleaningSection, ClvSection, ColumnsSection, DatesSection, InputSection
from helpers.datasets import write_dataset
from helpers.features import (
    DAYS_PER_UNIT,
    btyd_summary,
    calibration_holdout,
    customer_summary,
    last_purchase_date,
    repeat_purchases_by_period,
)
from helpers.ingest import CleaningOptions, IngestResult, run_ingest
from helpers.sources import connect, read_raw


@dataclass(frozen=True)
class StageContext:
    """A run folder and a backend connection for one stage."""

    paths: RunPaths
    con: ibis.BaseBackend

    @classmethod
    def open(cls, run_dir: str | Path, backend: dict | None = None) -> StageContext:
        """The run folder, computing on the configured backend (DuckDB when none is given)."""
        return cls(RunPaths(Path(run_dir).resolve()), backends.connect(backend))

    def transactions(self) -> ibis.Table:
        """The clean transactions written by 01_ingest."""
        return self.con.read_parquet(str(self.paths.require("transactions.parquet", "01_ingest")))


def resolve_input(section: InputSection, paths: RunPaths, seed: int = 7) -> Path | str:
    """The raw file(s) to read: the user's path, or a built-in dataset written into the run's input/."""
    if section.path is not None:
        return section.path
    return write_dataset(section.dataset, paths.input, n_customers=section.dataset_customers, seed=seed).path


def ingest_stage(run_dir: str | Path, input: dict, columns: dict, dates: dict, cleaning: dict) -> IngestResult:
    """Read, clean and account for the raw input; write transactions, quarantine and quality.json.
    Raw files are always read by the embedded DuckDB, which streams them out of core."""
    context = StageContext(RunPaths(Path(run_dir).resolve()), connect())
    source, mapping = InputSection(**input), ColumnsSection(**columns).mapped()
    date_options, clean_options = DatesSection(**dates), CleaningSection(**cleaning)
    pattern = resolve_input(source, context.paths)
    raw = read_raw(
        context.con,
        pattern,
        fmt=source.format,
        delimiter=source.csv.delimiter,
        encoding=source.csv.encoding,
        header=source.csv.header,
        sheet=source.sheet,
        work_dir=context.paths.root / "work",
    )
    options = CleaningOptions(
        date_format=date_options.format,
        observation_end=date_options.observation_end,
        returns=clean_options.returns,
        drop_duplicates=clean_options.drop_duplicates,
        keep_zero_value=clean_options.keep_zero_value,
        cancellation_prefix=clean_options.cancellation_prefix,
        extreme_quantile=clean_options.extreme_quantile,
    )
    result = run_ingest(context.con, raw, mapping, options, context.paths.artifacts)
    context.paths.write_json(result.quality, "quality.json")
    return result


def analysis_date(transactions: ibis.Table, dates: DatesSection) -> date:
    """The run's 'today': dates.analysis_date, else the last transaction date."""
    return dates.analysis_date or last_purchase_date(transactions)


@dataclass(frozen=True)
class ClvData:
    """Everything the CLV stage models, computed by the backend from the clean transactions."""

    calibration_end: date
    analysis_date: date
    unit: str
    calibration: pd.DataFrame
    full: pd.DataFrame
    repeat_purchases_by_period: pd.Series

    @property
    def calibration_periods(self) -> float:
        """Length of the calibration period in time units, from the first acquisition."""
        start = self.calibration["first_purchase"].min()
        return (pd.Timestamp(self.calibration_end) - start).days / DAYS_PER_UNIT[self.unit]


def clv_data(context: StageContext, dates: dict, clv: dict) -> ClvData:
    """Calibration/holdout summary, full-period summary and weekly repeat purchases."""
    tx = context.transactions()
    settings, date_settings = ClvSection(**clv), DatesSection(**dates)
    today = analysis_date(tx, date_settings)
    cal_end = settings.calibration_end or today - timedelta(days=settings.holdout_days)
    if cal_end >= today:
        raise ValueError(f"clv.calibration_end {cal_end} must lie before the analysis date {today}")
    calibration = calibration_holdout(tx, cal_end, today, settings.time_unit).execute()
    calibration["first_purchase"] = pd.to_datetime(calibration["first_purchase"])
    full = btyd_summary(tx, today, settings.time_unit).execute()
    by_period = repeat_purchases_by_period(tx, cal_end, today, settings.time_unit)
    return ClvData(cal_end, today, settings.time_unit, calibration, full, by_period)


def customer_table(context: StageContext, dates: dict) -> tuple[pd.DataFrame, date]:
    """The per-customer summary as of the analysis date, and that date."""
    tx = context.transactions()
    today = analysis_date(tx, DatesSection(**dates))
    return customer_summary(tx, today).execute(), today


def earlier_run(run_dir: str | Path, compare_with: str | None) -> Path | None:
    """The run folder to compare with: a named run id, or 'latest' (the newest other run with segments)."""
    if not compare_with:
        return None
    here = Path(run_dir).resolve()
    if compare_with != "latest":
        candidate = here.parent / compare_with
        if not (candidate / "artifacts" / "segments.parquet").exists():
            raise FileNotFoundError(f"segment.compare_with: run '{compare_with}' has no segments in {candidate}")
        return candidate
    others = [p.parent.parent for p in here.parent.glob("*/artifacts/segments.parquet") if p.parent.parent != here]
    return max(others, key=lambda p: p.joinpath("artifacts", "segments.parquet").stat().st_mtime, default=None)
