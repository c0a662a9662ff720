"""The optional tables beside the log: a member table and survey responses, cleaned with every row accounted for.

Like the transactions, each table is read as text and checked by named rules in order; a row that breaks one
goes to the table's quarantine with the rule's name, exactly as given. `rows in = kept + quarantined` is checked
before anything is written, and customers found in one of the log and a table but not the other are counted.
Tables are one row per customer or per answer, so they are read and checked in pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from helpers.core.config import CustomersSection, SurveysSection
from helpers.core.errors import InputError, ReconciliationError
from helpers.data.sources import NO, YES, read_table_file

__all__ = [
    "CHILD_YEARS",
    "DATES",
    "MEMBER_RULES",
    "NPS_RANGE",
    "OPT_INS",
    "PREGNANCY_DAYS",
    "SATISFACTION_RANGE",
    "SURVEY_RULES",
    "CleanTable",
    "TableRule",
    "as_text",
    "clean_customers",
    "clean_surveys",
    "coverage",
    "invalid_text",
    "parse_dates",
    "read_side_table",
]

OPT_INS = ("opt_in_sms", "opt_in_wechat", "opt_in_email")
DATES = ("birth_date", "join_date", "baby_birth_date")
PREGNANCY_DAYS = 300  # a baby birth date may lie this far after the analysis date (an expected date)
CHILD_YEARS = 18  # ... and at most this long before it
NPS_RANGE, SATISFACTION_RANGE = (0, 10), (1, 5)


MEMBER_RULES = {  # in the order applied; the duplicate rule runs last, among the rows that passed the others
    "missing_customer_id": "customer id is empty",
    "invalid_date": f"a date is not a date, a join date lies after the analysis date, or a baby birth date lies over "
    f"{PREGNANCY_DAYS} days ahead or {CHILD_YEARS} years back",
    "invalid_age": "age outside customers.age_range",
    "unknown_code": "gender, opt-in flag or card level is not a known code",
    "invalid_points": "points balance is not a number, or negative",
    "duplicate_customer_id": "the customer already has an earlier valid row",
}
SURVEY_RULES = {
    "missing_customer_id": "customer id is empty",
    "unparseable_date": "survey date is empty or not a date",
    "after_observation_end": "survey date after dates.observation_end (or the last transaction)",
    "invalid_score": f"NPS not a whole number {NPS_RANGE[0]}-{NPS_RANGE[1]}, or satisfaction not "
    f"{SATISFACTION_RANGE[0]}-{SATISFACTION_RANGE[1]}",
    "no_score": "neither an NPS nor a satisfaction score",
    "duplicate_row": "exact copy of an earlier valid row",
}


@dataclass(frozen=True)
class TableRule:
    name: str
    description: str
    rejects: pd.Series | None  # True for the rows the rule rejects (None: the duplicate rule, applied last)


@dataclass
class CleanTable:
    """A cleaned table, its quarantine (rows as given, with the rule they broke) and its accounting."""

    name: str
    kept: pd.DataFrame
    quarantine: pd.DataFrame
    report: dict


def _rule(rules: dict[str, str], name: str, rejects: pd.Series | None) -> TableRule:
    return TableRule(name, rules[name], rejects)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as stripped text ('' for empty): a Parquet or Excel table reads like a CSV one."""
    text = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        text[str(column)] = values.map(lambda v: "" if pd.isna(v) else str(v).strip())
    return pd.DataFrame(text, index=frame.index)


def parse_dates(text: pd.Series, date_format: str | None) -> pd.Series:
    """Text to dates with the format (or ISO); empty and unparseable text are NaT."""
    parsed = pd.to_datetime(text, format=date_format, errors="coerce") if date_format else text.iloc[:0]
    iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
    return parsed.reindex(text.index).fillna(iso) if date_format else iso


def invalid_text(text: pd.Series, parsed: pd.Series) -> pd.Series:
    """Given (non-empty) text that did not parse."""
    return (text != "") & parsed.isna()


def read_side_table(path: str | Path, columns: dict[str, str], table: str) -> pd.DataFrame:
    """A member or survey file as text, with its columns mapped to canonical names and the row numbers kept."""
    frame = read_table_file(Path(path))
    missing = [given for given in columns.values() if given not in frame.columns]
    if missing:
        raise InputError(f"{table} table {path}: no column {missing}; it has {list(frame.columns)} (map yours "
                         f"under {table}.columns)")  # fmt: skip
    text = as_text(frame)
    text.insert(0, "source_row", np.arange(1, len(text) + 1))
    return text


def _apply_rules(text: pd.DataFrame, rules: list[TableRule], *, duplicate: TableRule,
                 duplicate_key: list[str]) -> pd.Series:  # fmt: skip
    """The first rule each row breaks ('' when none): field rules first, then the duplicate rule among the rows
    that passed them, so a valid later copy survives an invalid first one."""
    broken = pd.Series("", index=text.index)
    for rule in rules:
        rejects = cast(pd.Series, rule.rejects)  # a field rule always says which rows it rejects
        broken = broken.mask((broken == "") & rejects.to_numpy(), rule.name)
    passing = broken == ""
    repeated = text.loc[passing, duplicate_key].duplicated(keep="first")
    broken.loc[repeated[repeated].index] = duplicate.name
    return broken


def _accounting(name: str, text: pd.DataFrame, *, broken: pd.Series, rules: list[TableRule]) -> dict:
    counts = broken.value_counts()
    rows_in, kept = len(text), int((broken == "").sum())
    quarantined = int((broken != "").sum())
    if rows_in != kept + quarantined:
        raise ReconciliationError(f"{name} table: {rows_in:,} rows in but {kept:,} kept + {quarantined:,} "
                                  "quarantined")  # fmt: skip
    return {
        "rows_in": rows_in,
        "rows_kept": kept,
        "rows_quarantined": quarantined,
        "rules": [{"rule": r.name, "description": r.description, "rows": int(counts.get(r.name, 0))} for r in rules],
        "reconciliation": {"rows_ok": rows_in == kept + quarantined},
    }


def _finish(name: str, raw: pd.DataFrame, *, kept: pd.DataFrame, broken: pd.Series, rules: list[TableRule],
            source_file: str) -> CleanTable:  # fmt: skip
    """The kept rows, and the others exactly as given (the file's own column names) with their rule."""
    quarantine = raw.loc[broken != ""].copy()
    quarantine.insert(0, "source_file", source_file)
    quarantine.insert(0, "rule", broken[broken != ""])
    return CleanTable(name, kept[broken == ""].reset_index(drop=True), quarantine.reset_index(drop=True),
                      _accounting(name, raw, broken=broken, rules=rules))  # fmt: skip


def _flags(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yes/no text -> (bool, unknown code)."""
    lowered = text.str.lower()
    return lowered.isin(YES), ~lowered.isin(YES | NO)


def clean_customers(raw: pd.DataFrame, settings: CustomersSection, *, reference: date, source_file: str) -> CleanTable:
    """The member table: parsed, checked, one row per customer. `reference` is the date ages are taken at."""
    mapping = settings.mapped()
    text = raw.rename(columns={v: k for k, v in mapping.items()})
    today = pd.Timestamp(reference)
    parsed = pd.DataFrame({"customer_id": text["customer_id"]})
    bad_date = pd.Series(False, index=text.index)
    for column in (c for c in (*DATES, *settings.event_dates) if c in mapping):
        parsed[column] = parse_dates(text[column], settings.date_format)
        bad_date |= invalid_text(text[column], parsed[column])
    if "join_date" in parsed:
        bad_date |= parsed["join_date"] > today
    if "baby_birth_date" in parsed:
        baby = parsed["baby_birth_date"]
        bad_date |= (baby > today + pd.Timedelta(days=PREGNANCY_DAYS)) | (
            baby < today - pd.DateOffset(years=CHILD_YEARS)
        )
    if "birth_date" in parsed:
        parsed["age"] = ((today - parsed["birth_date"]).dt.days / 365.25).round(1)
    elif "age" in mapping:
        parsed["age"] = pd.to_numeric(text["age"], errors="coerce").astype(float)
    low, high = settings.age_range
    bad_age = pd.Series(False, index=text.index)
    if "age" in parsed:
        given = text["birth_date"] if "birth_date" in mapping else text["age"]
        bad_age = (given != "") & ~parsed["age"].between(low, high)
    unknown = pd.Series(False, index=text.index)
    if "gender" in mapping:
        codes = {k.lower(): v for k, v in settings.gender_codes.items()}
        parsed["gender"] = text["gender"].str.lower().map(codes)
        unknown |= (text["gender"] != "") & parsed["gender"].isna()
    for column in (c for c in OPT_INS if c in mapping):
        parsed[column], not_a_flag = _flags(text[column])
        unknown |= not_a_flag
    if "card_level" in mapping:
        parsed["card_level"] = text["card_level"].replace("", None)
        if settings.card_levels:
            unknown |= (text["card_level"] != "") & ~text["card_level"].isin(settings.card_levels)
    bad_points = pd.Series(False, index=text.index)
    if "points" in mapping:
        parsed["points"] = pd.to_numeric(text["points"].replace("", None), errors="coerce").astype(float)
        bad_points = invalid_text(text["points"], parsed["points"]) | (parsed["points"] < 0)
    for column in ("region", "city"):
        if column in mapping:
            parsed[column] = text[column].replace("", None)
    rules = [
        _rule(MEMBER_RULES, "missing_customer_id", text["customer_id"] == ""),
        _rule(MEMBER_RULES, "invalid_date", bad_date),
        _rule(MEMBER_RULES, "invalid_age", bad_age),
        _rule(MEMBER_RULES, "unknown_code", unknown),
        _rule(MEMBER_RULES, "invalid_points", bad_points),
    ]
    duplicate = _rule(MEMBER_RULES, "duplicate_customer_id", None)
    broken = _apply_rules(text, rules, duplicate=duplicate, duplicate_key=["customer_id"])
    parsed["source_row"] = text["source_row"]
    return _finish("customers", raw, kept=parsed, broken=broken, rules=[*rules, duplicate], source_file=source_file)


def clean_surveys(raw: pd.DataFrame, settings: SurveysSection, *, reference: date, source_file: str) -> CleanTable:
    """Survey responses: parsed and checked; any number per customer. `reference` is the last valid answer date."""
    mapping = settings.mapped()
    text = raw.rename(columns={v: k for k, v in mapping.items()})
    parsed = pd.DataFrame({"customer_id": text["customer_id"],
                           "survey_date": parse_dates(text["survey_date"], settings.date_format)})  # fmt: skip
    bad_score = pd.Series(False, index=text.index)
    given = pd.Series(False, index=text.index)
    for column, (low, high) in (("nps", NPS_RANGE), ("satisfaction", SATISFACTION_RANGE)):
        if column in mapping:
            value = pd.to_numeric(text[column].replace("", None), errors="coerce")
            parsed[column] = value
            bad_score |= (text[column] != "") & ~(value.between(low, high) & (value == value.round()))
            given |= text[column] != ""
    if "comment" in mapping:
        parsed["comment"] = text["comment"]
    end = pd.Timestamp(reference + timedelta(days=1))
    rules = [
        _rule(SURVEY_RULES, "missing_customer_id", text["customer_id"] == ""),
        _rule(SURVEY_RULES, "unparseable_date", parsed["survey_date"].isna()),
        _rule(SURVEY_RULES, "after_observation_end", parsed["survey_date"] >= end),
        _rule(SURVEY_RULES, "invalid_score", bad_score),
        _rule(SURVEY_RULES, "no_score", ~given),
    ]
    duplicate = _rule(SURVEY_RULES, "duplicate_row", None)
    broken = _apply_rules(
        text, rules, duplicate=duplicate, duplicate_key=[c for c in text.columns if c != "source_row"]
    )
    parsed["source_row"] = text["source_row"]
    return _finish("surveys", raw, kept=parsed, broken=broken, rules=[*rules, duplicate], source_file=source_file)


def coverage(table: CleanTable, log_ids: pd.Series) -> dict:
    """Customers of the log the table holds, and table customers the log does not know (counted, with examples)."""
    in_table = pd.Index(table.kept["customer_id"].unique())
    in_log = pd.Index(log_ids.unique())
    unknown = in_table.difference(in_log)
    return {
        "customers_in_table": len(in_table),
        "log_customers_in_table": int(in_log.isin(in_table).sum()),
        "log_customers_not_in_table": int((~in_log.isin(in_table)).sum()),
        "table_customers_not_in_log": len(unknown),
        "examples_not_in_log": [str(c) for c in unknown[:5]],
    }
