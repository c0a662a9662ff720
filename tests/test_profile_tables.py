"""The member and survey tables: every row accounted for, the planted dirt found exactly, bad input made clear."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core.config import CustomersSection, SurveysSection
from helpers.core.errors import InputError
from helpers.data.babystore_members import MEMBER_COLUMNS, SURVEY_COLUMNS, member_table, survey_table, write_side_table
from helpers.data.profile_tables import clean_customers, clean_surveys, coverage, read_side_table

TODAY = date(2024, 12, 31)
CARDS = {"babystore": ["basic", "silver", "gold", "platinum"], "babystore_zh": ["普通卡", "银卡", "金卡", "白金卡"]}


def members_section(path, **extra) -> CustomersSection:
    return CustomersSection(path=str(path), columns=dict(MEMBER_COLUMNS), **extra)


@pytest.mark.parametrize("dataset", ["babystore", "babystore_zh"])
def test_the_quarantine_finds_the_planted_member_and_survey_dirt_exactly(tmp_path, dataset):
    chinese = dataset == "babystore_zh"
    path = write_side_table("members", dataset, out_dir=tmp_path, n_customers=3000)
    members = clean_customers(
        read_side_table(path, dict(MEMBER_COLUMNS), "customers"),
        members_section(path, card_levels=CARDS[dataset]),
        reference=TODAY,
        source_file=path.name,
    )
    planted = member_table(3000, chinese=chinese).dirt.reset_index(drop=True)
    found = members.quarantine[["source_row", "rule"]].sort_values("source_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(found, planted)
    assert members.kept["customer_id"].is_unique
    assert members.report["rows_in"] == members.report["rows_kept"] + members.report["rows_quarantined"]

    path = write_side_table("surveys", dataset, out_dir=tmp_path, n_customers=3000)
    surveys = clean_surveys(
        read_side_table(path, dict(SURVEY_COLUMNS), "surveys"),
        SurveysSection(path=str(path), columns=dict(SURVEY_COLUMNS)),
        reference=TODAY,
        source_file=path.name,
    )
    planted = survey_table(3000, chinese=chinese).dirt.reset_index(drop=True)
    found = surveys.quarantine[["source_row", "rule"]].sort_values("source_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(found, planted)


def test_members_are_parsed_into_their_canonical_values(tmp_path):
    text = (
        "id,birth,sex,card,points,sms,wechat,baby\n"
        "A1,1990-06-30,女,gold,120,是,否,2024-03-01\n"
        "A2,,M,,0,yes,,\n"
        "A3,1990-06-30,F,gold,-5,y,n,\n"  # negative points
        "A1,1991-01-01,F,silver,50,n,n,\n"  # a later row of A1
        "A4,1890-01-01,F,gold,1,n,n,\n"  # 134 years old
        "A5,1990-01-01,?,gold,1,n,n,\n"  # unknown gender code
        "A6,1990-01-01,F,gold,1,maybe,n,\n"  # unknown opt-in code
        "A7,1990-01-01,F,gold,1,n,n,2026-06-01\n"  # baby born 17 months after the analysis date
    )
    path = tmp_path / "members.csv"
    path.write_text(text, encoding="utf-8")
    columns = {"customer_id": "id", "birth_date": "birth", "gender": "sex", "card_level": "card", "points": "points",
               "opt_in_sms": "sms", "opt_in_wechat": "wechat", "baby_birth_date": "baby"}  # fmt: skip
    section = CustomersSection(path=str(path), columns=columns)
    table = clean_customers(
        read_side_table(path, columns, "customers"), section, reference=TODAY, source_file=path.name
    )
    rules = dict(zip(table.quarantine["source_row"], table.quarantine["rule"], strict=True))
    assert rules == {3: "invalid_points", 4: "duplicate_customer_id", 5: "invalid_age", 6: "unknown_code",
                     7: "unknown_code", 8: "invalid_date"}  # fmt: skip
    assert table.kept["customer_id"].tolist() == ["A1", "A2"]
    kept = table.kept.set_index("customer_id")
    assert kept.loc["A1", "gender"] == "female" and kept.loc["A2", "gender"] == "male"
    assert kept.loc["A1", "opt_in_sms"] and not kept.loc["A1", "opt_in_wechat"] and not kept.loc["A2", "opt_in_wechat"]
    assert kept.loc["A1", "age"] == pytest.approx(34.5, abs=0.05) and pd.isna(kept.loc["A2", "age"])
    assert kept.loc["A1", "points"] == 120.0 and kept.loc["A1", "source_row"] == 1
    assert table.report["rules"][-1] == {"rule": "duplicate_customer_id", "rows": 1,
                                         "description": "the customer already has an earlier valid row"}  # fmt: skip


def test_a_valid_later_copy_survives_an_invalid_first_row(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("id,points\nB1,-1\nB1,10\nB1,20\n", encoding="utf-8")
    columns = {"customer_id": "id", "points": "points"}
    table = clean_customers(
        read_side_table(path, columns, "customers"),
        CustomersSection(path=str(path), columns=columns),
        reference=TODAY,
        source_file=path.name,
    )
    assert table.kept["points"].tolist() == [10.0]
    assert table.quarantine["rule"].tolist() == ["invalid_points", "duplicate_customer_id"]


def test_a_missing_column_names_the_file_the_column_and_the_fix(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("id,points\nB1,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no column \['region'\].*customers.columns"):
        read_side_table(path, {"customer_id": "id", "region": "region"}, "customers")


def test_parquet_and_excel_member_tables_read_like_csv(tmp_path):
    frame = pd.DataFrame({"id": ["007", "008"], "joined": pd.to_datetime(["2023-01-02", "2023-05-06"]),
                          "points": [10, None]})  # fmt: skip
    columns = {"customer_id": "id", "join_date": "joined", "points": "points"}
    for path in (tmp_path / "m.parquet", tmp_path / "m.xlsx"):
        (frame.to_parquet if path.suffix == ".parquet" else frame.astype({"id": str}).to_excel)(path, index=False)
        table = clean_customers(
            read_side_table(path, columns, "customers"),
            CustomersSection(path=str(path), columns=columns),
            reference=TODAY,
            source_file=path.name,
        )
        assert table.kept["customer_id"].tolist() == ["007", "008"]
        assert table.kept["join_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-02", "2023-05-06"]


def test_coverage_counts_customers_missing_on_either_side():
    table = clean_customers(
        pd.DataFrame({"source_row": [1, 2, 3], "id": ["a", "b", "z"]}),
        CustomersSection(path=None, dataset="babystore", columns={"customer_id": "id"}),
        reference=TODAY,
        source_file="m.csv",
    )
    found = coverage(table, pd.Series(["a", "b", "c", "d"]))
    assert (found["log_customers_in_table"], found["log_customers_not_in_table"]) == (2, 2)
    assert (found["table_customers_not_in_log"], found["examples_not_in_log"]) == (1, ["z"])


text_cell = st.one_of(st.just(""), st.text(max_size=6), st.sampled_from(["2024-01-05", "11", "7", "-1", "3", "是"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["c1", "c2", "", " c3 "]), text_cell, text_cell, text_cell),
                     max_size=25))  # fmt: skip
def test_any_survey_table_is_fully_accounted_for(rows):
    raw = pd.DataFrame(rows, columns=["id", "day", "nps", "csat"]).astype(str)
    raw = raw.apply(lambda column: column.str.strip())
    raw.insert(0, "source_row", range(1, len(raw) + 1))
    columns = {"customer_id": "id", "survey_date": "day", "nps": "nps", "satisfaction": "csat"}
    table = clean_surveys(
        raw, SurveysSection(dataset="babystore", columns=columns), reference=TODAY, source_file="s.csv"
    )
    assert len(table.kept) + len(table.quarantine) == len(raw)
    assert sorted([*table.kept["source_row"], *table.quarantine["source_row"]]) == list(range(1, len(raw) + 1))
    assert table.kept["nps"].dropna().between(0, 10).all() and table.kept["satisfaction"].dropna().between(1, 5).all()
    assert (table.kept["survey_date"] <= pd.Timestamp(TODAY)).all()
    assert not table.kept[["customer_id", "survey_date", "nps", "satisfaction"]].duplicated().any()
