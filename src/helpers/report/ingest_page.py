"""The 01_ingest page: where the rows went, the member and survey tables, how often customers buy, the monthly
trend and the reconciliation, in the report language; and the numbers nbval checks, as text."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.language.formatting import amount, count, money, month, significant
from helpers.language.i18n import t, term
from helpers.report.findings import Findings, reconciliation
from helpers.report.sections import Bullets, Figure, Prose, Report, Section, Table

__all__ = ["SIDE_TABLE_NAMES", "checked_numbers", "ingest_page"]

SIDE_TABLE_NAMES = {"customers": "member table", "surveys": "survey answers"}


def ingest_page(quality: dict, facts: dict, *, findings: Findings, rules: pd.DataFrame,
                tables: Mapping[str, dict], by_frequency: pd.DataFrame, trend: pd.DataFrame,
                figures: Mapping) -> Report:  # fmt: skip
    """01's page from the stage's results (`tables`: each side table's cleaning report by name)."""
    return Report((
        Section(t("01 · Ingest: what is in the data, and what did cleaning do?"), (Prose((t(
            "The raw transaction log is read exactly as exported (CSV, Parquet or Excel, any column names), mapped to "
            "the workbench's columns and cleaned rule by rule. **Every row is accounted for**: it is either kept, or "
            "set aside in the quarantine with the name of the rule it broke. Nothing in the raw file is changed."),)),
        ), level=1),
        Section(t("What we found"), (Bullets(tuple(findings.sentences)),)),
        Section(t("Where the rows went"), (
            Prose((t("Each cleaning rule is applied in order; a row set aside by one rule is not counted again by a "
                     "later one."),)),
            Figure(figures["01_cleaning_waterfall"]),
            Table(rules.set_index("rule").rename(columns={"share_of_rows": "share of input rows"}),
                  {"rows": "{:,}", "money": "{:,.2f}", "share of input rows": "{:.2%}"}),
            Prose(_set_aside(quality)),
        )),
        Section(t("The member and survey tables"), _side_tables(tables)),
        Section(t("How often customers buy"), _frequency(by_frequency, figures["01_purchases_per_customer"])),
        Section(t("Monthly revenue and active customers"), (
            Figure(figures["01_monthly_trend"]), Prose((_trend(trend),)))),
        Section(t("Purchase values"), (Figure(figures["01_purchase_values"]),)),
        Section(t("Appendix: the reconciliation, checked"), (
            Prose((t("The stage stops if rows or money do not balance: rows in = rows kept + rows set aside "
                     "(duplicates included); the return lines netted against their purchases are among the kept "
                     "rows. These figures are checked on every test run: {verdict}.", verdict=_verdict(quality)),)),
            Table(reconciliation(quality), {"rows": "{:,}", "money": money}),
        )),
        Section(t("Next"), (Prose((t(
            "The clean transactions (`artifacts/transactions.parquet`) feed `02_segment` (who our customers are), "
            "`03_clv` (what each is worth) and `04_churn` (who is about to leave, and what to do)."),)),)),
    ))  # fmt: skip


def _set_aside(quality: dict) -> tuple[str, ...]:
    """Where the set-aside rows are, the netted returns (when any) and the extreme lines marked for review."""
    netted = (t("{lines} return lines ({money}) were netted against the purchase they return (the customer's latest "
                "earlier purchase, of the same product when the data has products), so returned money does not "
                "count as spend.", lines=count(quality["returns_netted"]),
                money=money(abs(quality["returns_netted_money"]))),) if quality["returns_netted"] else ()  # fmt: skip
    return (
        t("The rows set aside are kept, as given, in `artifacts/quarantine.parquet` with the rule each broke and its "
          "file and row number; they are not shown in this report because they can hold personal data."),
        *netted,
        t("{lines} lines above {threshold}, the largest {share} of line amounts (`cleaning.extreme_quantile`), are "
          "marked `is_extreme` (kept) for review; the extreme-order alerts of 02_segment judge whole orders against "
          "the store's typical order instead.", lines=count(quality["extreme_lines_flagged"]),
          threshold=amount(quality["extreme_threshold"]), share=f"{1 - quality['extreme_quantile']:.1%}"),
    )  # fmt: skip


def _side_tables(tables: Mapping[str, dict]) -> tuple[Prose | Table, ...]:
    """Each member or survey table: what was kept, set aside and matched to the log; or what one would add."""
    if not tables:
        return (Prose((t(
            "No member table (`customers:`) or survey answers (`surveys:`) were given. A member table would add who "
            "the customers are (region, age, gender, card level, points, opt-ins, baby stage) to `02_segment` and let "
            "the campaign plan count only reachable customers; survey answers would add NPS and satisfaction per "
            "segment and show whether they predict churn in `04_churn`. The README shows both sections of the "
            "config."),)),)  # fmt: skip
    return tuple(part for name, report in tables.items() for part in (
        Prose((t("**{table}**: {kept} of {rows} rows kept, {aside} set aside (kept as given in "
                 "`artifacts/{name}_quarantine.parquet`); {in_log} of the log's customers are in it and {missing} "
                 "are not; {unknown} of its customers never bought (not in the log).",
                 table=t(SIDE_TABLE_NAMES[name]), name=name, kept=count(report["rows_kept"]),
                 rows=count(report["rows_in"]), aside=count(report["rows_quarantined"]),
                 in_log=count(report["log_customers_in_table"]), missing=count(report["log_customers_not_in_table"]),
                 unknown=count(report["table_customers_not_in_log"])),)),
        Table(pd.DataFrame(report["rules"]).set_index("rule"), {"rows": "{:,}"}),
    ))  # fmt: skip


def _frequency(by_frequency: pd.DataFrame, figure) -> tuple[Figure | Prose | Table, ...]:
    one_timers = by_frequency.iloc[0]
    return (
        Figure(figure),
        Prose((t("One-time buyers are {customers} of customers but bring only {revenue} of revenue: turning a first "
                 "purchase into a second is the first lever of any CRM programme.",
                 customers=f"{one_timers['share_of_customers']:.0%}",
                 revenue=f"{one_timers['share_of_revenue']:.0%}"),)),
        Table(by_frequency.set_index("purchases"), {"customers": "{:,}", "revenue": money,
                                                    "share_of_customers": "{:.1%}", "share_of_revenue": "{:.1%}"}),
    )  # fmt: skip


def _trend(trend: pd.DataFrame) -> str:
    peak, last = trend.iloc[int(trend["revenue"].to_numpy().argmax())], trend.iloc[-1]
    return t("Revenue peaked in {peak} at {revenue}; in the last month of the data ({last}) {active} customers "
             "bought, {new} of them for the first time.", peak=month(peak["month"]), revenue=money(peak["revenue"]),
             last=month(last["month"]), active=count(last["active_customers"]),
             new=count(last["new_customers"]))  # fmt: skip


def _verdict(quality: dict) -> str:
    balanced = quality["reconciliation"]["rows_ok"] and quality["reconciliation"]["money_ok"]
    return t("rows and money balance") if balanced else t("the rows or the money do not balance")


def checked_numbers(quality: dict, facts: dict, tables: Mapping[str, dict]) -> str:
    """The reconciliation and the log's facts as fixed-width text: the numbers nbval compares on every test run."""
    rows = {
        t("rows in"): (quality["rows_in"], quality["money_in"]),
        t("kept"): (quality["rows_kept"], quality["money_kept"]),
        t("set aside"): (quality["rows_quarantined"], quality["money_quarantined"]),
        t("of which duplicates"): (quality["duplicates_removed"], quality["duplicate_money"]),
        t("of the kept, return lines netted"): (quality["returns_netted"], quality["returns_netted_money"]),
    }
    lines = [f"{'':<34}{t('rows'):>10}{t('money'):>12}"]
    lines += [f"{name:<34}{n:>10,}{significant(value, 4):>12}" for name, (n, value) in rows.items()]
    lines.append(t("balanced: rows {rows}, money {money}", rows=term(quality["reconciliation"]["rows_ok"]),
                   money=term(quality["reconciliation"]["money_ok"])))  # fmt: skip
    lines += [t("{table}: rows in {rows} = kept {kept} + set aside {aside}: {ok}", table=t(SIDE_TABLE_NAMES[name]),
                rows=f"{report['rows_in']:,}", kept=f"{report['rows_kept']:,}", aside=f"{report['rows_quarantined']:,}",
                ok=term(report["reconciliation"]["rows_ok"])) for name, report in tables.items()]  # fmt: skip
    lines.append(f"{t('period'):<24}{facts['first_date']} – {facts['last_date']}")
    lines += [f"{t(key):<24}{facts[key]:,}" for key in ("lines", "customers", "purchases")]
    lines += [
        f"{t('revenue'):<24}{significant(facts['revenue'], 4)}",
        f"{t('average order value'):<24}{significant(facts['average_order_value'])}",
        f"{t('purchases per customer'):<24}{significant(facts['purchases_per_customer'])}",
        f"{t('repeat customer share'):<24}{facts['repeat_customer_share']:.1%}",
    ]
    return "\n".join(lines)
