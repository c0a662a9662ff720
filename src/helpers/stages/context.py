"""What every stage shares: the run folder, the backend connection, the analysis date.

A stage opens a `StageContext` on its run folder and computes on the configured
backend (DuckDB by default, Spark when configured); figures it draws are saved
into the run and closed, so the notebook shows each where it belongs.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

import ibis
import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import DatesSection, LifeStageSection, ReportSection, WorkbenchConfig, load_config
from helpers.core.errors import ConfigError
from helpers.core.logfiles import log_to_run_log
from helpers.data import backends
from helpers.data.artifacts import RunPaths
from helpers.data.features import first_transaction_date, last_purchase_date
from helpers.language.formatting import mask_id, use_currency
from helpers.language.i18n import use_language
from helpers.models import life_stage
from helpers.models.history import HistoryFit, fit_to_history
from helpers.report import plots
from helpers.report.findings import Findings

__all__ = [
    "StageContext",
    "StageResult",
    "analysis_date",
    "earlier_run",
    "family_births",
    "fitted_to_history",
    "in_report_scope",
    "log",
    "report_for_this_kernel",
    "report_scope",
    "stage_config",
]

log = logging.getLogger("helpers.stages")
StageResult = TypeVar("StageResult")


@dataclass
class StageContext:
    """A run folder, a backend connection and the figures the stage has drawn."""

    paths: RunPaths
    con: ibis.BaseBackend
    report: ReportSection = field(default_factory=ReportSection)
    figures: dict[str, plt.Figure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        log_to_run_log()

    @classmethod
    def open(cls, run_dir: str | Path, config: WorkbenchConfig) -> StageContext:
        """The run folder, computing on the configured backend, reporting in the configured currency."""
        paths = RunPaths(Path(run_dir).resolve(), xlsx_max_rows=config.report.xlsx_max_rows)
        return cls(paths, backends.connect(config.backend.model_dump()), config.report)

    def shareable(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A table for a shared report: customer ids replaced by a salted hash when report.mask_customer_ids."""
        if not self.report.mask_customer_ids or "customer_id" not in frame.columns:
            return frame
        salt = self.paths.id_salt()
        return frame.assign(customer_id=[mask_id(c, salt) for c in frame["customer_id"]])

    def write_findings(self, findings: Findings) -> Findings:
        self.paths.write_json(findings.as_json(), f"findings_{findings.stage.split('_', 1)[1]}.json")
        return findings

    def transactions(self) -> ibis.Table:
        """The clean transactions written by 01_ingest (their Parquet schema checked)."""
        return self.con.read_parquet(str(self.paths.require_checked("transactions.parquet", "01_ingest")))

    def figure(self, name: str, fig: plt.Figure) -> plt.Figure:
        """Save a figure as figures/<name>.png, keep it for the notebook, and close it in pyplot."""
        plots.save(fig, self.paths.figures, name)
        plt.close(fig)
        self.figures[name] = fig
        return fig


@contextmanager
def report_scope(report: ReportSection) -> Iterator[None]:
    """Inside the `with` block: the report's language and currency, the workbench's plot style and escaped
    tables; after it, whatever was set before (a process that runs a Chinese stage and then an English one gets
    each in its own language)."""
    with (use_language(report.language), use_currency(report.currency), plt.rc_context(),
          pd.option_context("styler.format.escape", "html")):  # fmt: skip
        plots.apply_style()
        yield


def in_report_scope(run: Callable[..., StageResult]) -> Callable[..., StageResult]:
    """A stage function that computes, draws and words its result in its config's report scope."""

    @functools.wraps(run)
    def scoped(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> StageResult:
        config = stage_config(config)
        with report_scope(config.report):
            return run(config, run_dir)

    return scoped


def report_for_this_kernel(report: ReportSection) -> None:
    """A stage notebook's own cells speak the report's language and currency and draw in its style: set for the
    notebook's kernel, which runs one stage and ends (a stage function itself keeps to `report_scope`)."""
    plots.apply_style()
    use_language(report.language)
    use_currency(report.currency)


def stage_config(config: WorkbenchConfig | str | Path) -> WorkbenchConfig:
    """A validated config: as given, or read from a YAML file (the run's own copy)."""
    return config if isinstance(config, WorkbenchConfig) else load_config(config)


def analysis_date(transactions: ibis.Table, dates: DatesSection) -> date:
    """The run's 'today': dates.analysis_date, else the last transaction date."""
    return dates.analysis_date or last_purchase_date(transactions)


def fitted_to_history(transactions: ibis.Table, config: WorkbenchConfig) -> HistoryFit:
    """The config a stage uses on this log: the keys it leaves unset chosen from the history's span
    (`helpers.models.history`), and the analysis date."""
    today = analysis_date(transactions, config.dates)
    return fit_to_history(config, first=first_transaction_date(transactions), today=today)


def earlier_run(run_dir: Path, compare_with: str | None) -> Path | None:
    """The run folder to compare with: a named run id, or 'latest' (the newest other run with segments)."""
    if not compare_with:
        return None
    here = Path(run_dir).resolve()
    if compare_with != "latest":
        candidate = here.parent / compare_with
        if not (candidate / "artifacts" / "segments.parquet").exists():
            raise ConfigError(f"segment.compare_with: run '{compare_with}' has no segments in {candidate}")
        return candidate
    others = [p.parent.parent for p in here.parent.glob("*/artifacts/segments.parquet") if p.parent.parent != here]
    return max(others, key=lambda p: p.joinpath("artifacts", "segments.parquet").stat().st_mtime, default=None)


def family_births(context: StageContext, tx: ibis.Table, settings: LifeStageSection) -> pd.DataFrame:
    """Each family's baby birth date: the member table's, else bounded by the stage categories bought (02's
    life_stage column and 05's offers read the same)."""
    members = context.paths.read_optional_table("customers.parquet")
    given = None if members is None or "baby_birth_date" not in members else members.set_index("customer_id")[
        "baby_birth_date"]  # fmt: skip
    return life_stage.family_births(given, life_stage.birth_windows(tx, settings.stage_categories))
