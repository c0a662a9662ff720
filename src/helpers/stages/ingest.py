"""Stage 01: read the raw input, clean it, account for every row, profile the clean data.

Writes transactions.parquet, quarantine.parquet, quality.json and profile.json.
Raw files are read by the embedded DuckDB, which streams them out of core.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers import findings, plots, profiling
from helpers.artifacts import RunPaths
from helpers.backends import connect
from helpers.config import InputSection, WorkbenchConfig
from helpers.datasets import write_dataset
from helpers.findings import Findings
from helpers.ingest import CleaningOptions, rules_table, run_ingest
from helpers.sources import read_raw
from helpers.stages.context import StageContext, log, stage_config


@dataclass
class IngestStage:
    """What 01_ingest shows: the reconciliation, the rules, a quarantine sample and the profile."""

    quality: dict
    rules: pd.DataFrame
    facts: dict
    by_frequency: pd.DataFrame
    trend: pd.DataFrame
    order_values: pd.DataFrame
    findings: Findings
    figures: dict[str, plt.Figure]


def resolve_input(section: InputSection, paths: RunPaths) -> Path | str:
    """The raw file(s) to read: the user's path, or a built-in dataset written into the run's input/."""
    if section.path is not None:
        return section.path
    return write_dataset(section.dataset, paths.input, n_customers=section.dataset_customers).path


def run(config: WorkbenchConfig | str | Path, run_dir: str | Path) -> IngestStage:
    """Read, clean and account for the raw input; profile what was kept."""
    config = stage_config(config)
    context = StageContext(RunPaths(Path(run_dir).resolve()), connect(), config.report)
    source = config.input
    pattern = resolve_input(source, context.paths)
    log.info("reading %s", pattern)
    raw = read_raw(context.con, pattern, fmt=source.format, delimiter=source.csv.delimiter,
                   encoding=source.csv.encoding, header=source.csv.header, sheet=source.sheet,
                   work_dir=context.paths.root / "work",
                   expected_columns=list(config.columns.mapped().values()))  # fmt: skip
    options = CleaningOptions.from_config(config.dates, config.cleaning)
    result = run_ingest(context.con, raw, config.columns.mapped(), options, context.paths.artifacts, source.csv.header)
    quality = result.quality
    context.paths.write_json(quality, "quality.json")
    log.info("kept %s of %s rows", f"{quality['rows_kept']:,}", f"{quality['rows_in']:,}")

    transactions = context.transactions()
    facts = profiling.overview(transactions)
    context.paths.write_json(facts, "profile.json")
    by_frequency = profiling.purchases_per_customer(transactions)
    trend = profiling.monthly_trend(transactions)
    order_values = profiling.order_value_histogram(transactions)
    context.figure("01_cleaning_waterfall", plots.cleaning_waterfall(quality))
    context.figure("01_purchases_per_customer", plots.purchases_per_customer(by_frequency))
    context.figure("01_monthly_trend", plots.monthly_trend(trend))
    context.figure("01_purchase_values", plots.order_values(order_values))
    return IngestStage(
        quality=quality,
        rules=rules_table(quality),
        facts=facts,
        by_frequency=by_frequency,
        trend=trend,
        order_values=order_values,
        findings=context.write_findings(findings.ingest(quality, facts, by_frequency)),
        figures=context.figures,
    )
