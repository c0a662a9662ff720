"""Stage 01: read the raw input, clean it, account for every row, profile the clean data.

Writes transactions.parquet, quarantine.parquet, quality.json and profile.json; with a member table
(`customers:`) or survey answers (`surveys:`), their clean tables and quarantines too.
Raw files are read by the embedded DuckDB, which streams them out of core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers.core.config import InputSection, WorkbenchConfig
from helpers.core.errors import ConfigError
from helpers.data import profiling
from helpers.data.artifacts import RunPaths
from helpers.data.babystore_members import write_side_table
from helpers.data.backends import connect
from helpers.data.datasets import write_dataset
from helpers.data.features import last_purchase_date, purchases
from helpers.data.ingest import CleaningOptions, rules_table, run_ingest
from helpers.data.profile_tables import CleanTable, clean_customers, clean_surveys, coverage, read_side_table
from helpers.data.sources import read_raw
from helpers.report import findings, plots
from helpers.report.findings import Findings
from helpers.report.ingest_page import checked_numbers, ingest_page
from helpers.report.sections import Report
from helpers.stages.context import StageContext, fitted_to_history, in_report_scope, log, stage_config

__all__ = ["SIDE_TABLES", "IngestStage", "resolve_input", "run", "side_tables"]


@dataclass
class IngestStage:
    """What 01_ingest shows: the reconciliation, the rules, a quarantine sample and the profile."""

    quality: dict
    rules: pd.DataFrame
    facts: dict
    by_frequency: pd.DataFrame
    trend: pd.DataFrame
    order_values: pd.DataFrame
    tables: dict[str, CleanTable]  # the member and survey tables given
    findings: Findings
    figures: dict[str, plt.Figure]
    report: Report  # the page, section by section
    checked: str  # the reconciliation and the log's facts as text: what nbval compares


def resolve_input(section: InputSection, paths: RunPaths) -> Path | str:
    """The raw file(s) to read: the user's path, or a built-in dataset written into the run's input/."""
    if section.path is not None:
        return section.path
    if section.dataset is None:
        raise ConfigError("set input.path (your export) or input.dataset (a built-in example)")
    return write_dataset(section.dataset, paths.input, n_customers=section.dataset_customers).path


SIDE_TABLES: dict[str, tuple[str, Callable[..., CleanTable]]] = {
    "customers": ("members", clean_customers),
    "surveys": ("surveys", clean_surveys),
}


def side_tables(config: WorkbenchConfig, paths: RunPaths, transactions) -> dict[str, CleanTable]:
    """Clean the member and survey tables the config names and write them with their quarantines; remove the
    ones an earlier run of this folder wrote and this config no longer names."""
    log_ids = purchases(transactions).select("customer_id").distinct().execute()["customer_id"]  # the customers
    today = config.dates.analysis_date or last_purchase_date(transactions)
    reference = {"customers": today, "surveys": config.dates.observation_end or today}
    tables = {}
    for name, (kind, clean) in SIDE_TABLES.items():
        section = getattr(config, name)
        if section is None:
            for stale in (f"{name}.parquet", f"{name}_quarantine.parquet"):
                paths.artifact(stale).unlink(missing_ok=True)
            continue
        path = Path(section.path) if section.path else write_side_table(
            kind, section.dataset, out_dir=paths.input, n_customers=config.input.dataset_customers)  # fmt: skip
        log.info("reading the %s table %s", name, path)
        table = clean(
            read_side_table(path, section.mapped(), name),
            section,
            reference=reference[name],
            source_file=path.name,
        )
        table.report.update(coverage(table, log_ids))
        paths.write_table(table.kept, f"{name}.parquet")
        paths.write_table(table.quarantine, f"{name}_quarantine.parquet")
        tables[name] = table
    return tables


@in_report_scope
def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> IngestStage:
    """Read, clean and account for the raw input; profile what was kept."""
    config = stage_config(config)
    paths = RunPaths(Path(run_dir).resolve(), xlsx_max_rows=config.report.xlsx_max_rows)
    context = StageContext(paths, connect(config.backend.model_dump(), "duckdb"), config.report)
    source = config.input
    pattern = resolve_input(source, context.paths)
    log.info("reading %s", pattern)
    # the log is read and cleaned on the configured engine; the profile and the side tables run on DuckDB
    engine = connect(config.backend.model_dump()) if config.backend.engine != "duckdb" else context.con
    raw = read_raw(engine, pattern, fmt=source.format, delimiter=source.csv.delimiter,
                   encoding=source.csv.encoding, header=source.csv.header, sheet=source.sheet,
                   work_dir=context.paths.root / "work",
                   expected_columns=list(config.columns.mapped().values()))  # fmt: skip
    options = CleaningOptions.from_config(config.dates, config.cleaning, config.amounts)
    result = run_ingest(
        engine,
        raw,
        mapping=config.columns.mapped(),
        options=options,
        out_dir=context.paths.artifacts,
        header=source.csv.header,
    )
    quality = result.quality
    log.info("kept %s of %s rows", f"{quality['rows_kept']:,}", f"{quality['rows_in']:,}")
    transactions = context.transactions()
    tables = side_tables(config, context.paths, transactions)
    quality["tables"] = {name: table.report for name, table in tables.items()}
    context.paths.write_json(quality, "quality.json")

    facts = profiling.overview(transactions)
    context.paths.write_json(facts, "profile.json")
    history = fitted_to_history(transactions, config)
    context.paths.write_json(history.as_json(), "history.json")
    by_frequency = profiling.purchases_per_customer(transactions)
    trend = profiling.monthly_trend(transactions)
    order_values = profiling.order_value_histogram(transactions)
    context.figure("01_cleaning_waterfall", plots.cleaning_waterfall(quality))
    context.figure("01_purchases_per_customer", plots.purchases_per_customer(by_frequency))
    context.figure("01_monthly_trend", plots.monthly_trend(trend))
    context.figure("01_purchase_values", plots.order_values(order_values))
    found = context.write_findings(
        findings.ingest(quality, facts, by_frequency, history=history.as_json(), cut_at=config.dates.observation_end)
    )
    rules, reports = rules_table(quality), quality["tables"]
    return IngestStage(
        quality=quality,
        rules=rules,
        facts=facts,
        by_frequency=by_frequency,
        trend=trend,
        order_values=order_values,
        tables=tables,
        findings=found,
        figures=context.figures,
        report=ingest_page(
            quality,
            facts,
            findings=found,
            rules=rules,
            tables=reports,
            by_frequency=by_frequency,
            trend=trend,
            figures=context.figures,
        ),
        checked=checked_numbers(quality, facts, reports),
    )
