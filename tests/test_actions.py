"""One action per customer, risk tiers by share, the contact budget, and exports people open safely."""

from __future__ import annotations

import math
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import FORMULA, SCRIPT_ID
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.config import ActionRule, CampaignSection, ChurnSection, load_config, parse_config
from helpers.core.errors import ConfigError
from helpers.data.datasets import BABY_STAGES, CATEGORIES
from helpers.data.exports import neutralised, read_export, write_csv, write_xlsx
from helpers.models import actions, churn, recommend
from helpers.stages import churn as churn_stage

EXPORTS = ("action_list.parquet", "action_list.csv", "action_list.xlsx")


def action_by_customer(frame: pd.DataFrame) -> dict[str, str]:
    assert frame["customer_id"].is_unique
    return dict(zip(frame["customer_id"], frame["action"], strict=True))


def test_every_customer_has_one_action_and_it_is_the_same_in_every_artifact(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    scored = pd.read_parquet(artifacts / "churn.parquet")
    expected = action_by_customer(scored)
    assert scored["action"].notna().all() and (scored["action"] != "").all()
    for name in EXPORTS:
        frame = pd.read_parquet(artifacts / name) if name.endswith(".parquet") else read_export(artifacts / name)
        if name.endswith(".csv"):  # a value that starts like a formula carries the apostrophe that neutralises it
            frame["customer_id"] = frame["customer_id"].str.removeprefix("'")
        assert action_by_customer(frame) == expected, name
    assert "action" not in pd.read_parquet(artifacts / "segments.parquet").columns, "segments carry no second action"


def test_risk_tiers_are_probability_levels_and_value_levels_shares(stage_run):
    scored = pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet")
    settings = ChurnSection()  # the small config keeps the defaults
    n = len(scored)
    tier, probability = scored["risk_tier"], scored["churn_probability"]
    assert (probability[tier == "high"] >= settings.high_risk_probability).all()
    assert probability[tier == "medium"].between(settings.medium_risk_probability, settings.high_risk_probability,
                                                  inclusive="left").all()  # fmt: skip
    assert (probability[tier == "low"] < settings.medium_risk_probability).all()
    assert not ((tier == "low") & (probability >= 0.5)).any() and not ((tier == "high") & (probability < 0.5)).any()
    assert (scored["value_level"] == "high value").sum() == math.floor(settings.high_value_share * n)


def test_the_contact_budget_takes_the_highest_expected_incremental_value(stage_run):
    scored = pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet")
    eligible = scored[~scored["held_for_review"] & (scored["channel"] != "in store only")]
    budget = min(ChurnSection().contact_budget, len(eligible))
    inside, outside = scored[scored["in_budget"]], eligible[~eligible["in_budget"]]
    assert len(inside) == budget and sorted(inside["priority"]) == list(range(1, budget + 1))
    assert outside.empty or inside["expected_value"].min() >= outside["expected_value"].max()
    config = parse_config(yaml.safe_load(stage_run.config.read_text(encoding="utf-8")))
    alerts = pd.read_parquet(stage_run.run_dir / "artifacts" / "alerts.parquet")
    flagged = scored["customer_id"].isin(alerts["customer_id"])
    value = actions.capped_for_alerts(scored["value_at_risk"], flagged, config.churn.alert_value_quantile)
    expected = actions.expected_value(scored, config.campaign, value=value)
    retention = scored["action"] != scored["moment"]  # the others' contact is for a moment worth more (test_moments)
    assert np.allclose(scored.loc[retention, "expected_value"], expected.loc[retention, "expected_value"])
    assert (expected.loc[~retention, "expected_value"] < scored.loc[~retention, "expected_value"]).all()
    assert (scored["value_basis"] == "assumed").all() and scored["expected_value_low"].equals(scored["expected_value"])
    assert not scored.loc[scored["held_for_review"] | (scored["channel"] == "in store only"), "in_budget"].any()


def test_value_at_risk_never_exceeds_clv_and_a_customer_already_gone_has_none(stage_run):
    scored = pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet")
    assert (scored["value_at_risk"] <= scored["clv"] + 1e-9).all()
    assert scored["value_at_risk"].sum() <= scored["clv"].sum()
    gone = scored["churn_probability"] <= 1 - scored["p_alive"]
    assert (scored.loc[gone, "value_at_risk"] == 0).all()


def test_value_at_risk_counts_p_alive_once(stage_run):
    scored = pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet")
    alive = scored["p_alive"] > churn.ALIVE_FLOOR
    np.testing.assert_allclose(scored.loc[alive, "value_if_retained"] * scored.loc[alive, "p_alive"],
                               scored.loc[alive, "clv"], rtol=1e-9, atol=1e-9)  # fmt: skip
    lapsing = (scored["churn_probability"] - (1 - scored["p_alive"])).clip(lower=0)
    np.testing.assert_allclose(scored["value_at_risk"], scored["value_if_retained"] * lapsing)


def test_the_xlsx_keeps_ids_as_text_and_runs_no_formula(stage_run):
    sheet = openpyxl.load_workbook(stage_run.run_dir / "artifacts" / "action_list.xlsx").active
    header = [c.value for c in sheet[1]]
    ids = {row[header.index("customer_id")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"000123", SCRIPT_ID} <= ids
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell is a formula"
    assert FORMULA in {c.value for c in cells}, "the formula-like channel is kept, as text"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_the_csv_opens_in_excel_with_chinese_and_no_formula(tmp_path):
    path = tmp_path / "list.csv"
    write_csv(pd.DataFrame({"customer_id": ["007", FORMULA, "-5", "@x"], "segment": ["重要价值客户"] * 4}), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "重要价值客户".encode() in raw
    back = read_export(path)
    assert back["customer_id"].tolist() == ["007", "'" + FORMULA, "'-5", "'@x"]


@given(st.lists(st.one_of(st.text(max_size=20), st.none()), min_size=1, max_size=10), st.booleans())
def test_neutralised_leaves_no_text_that_starts_like_a_formula(values, mixed):
    column = pd.Series([*values, 3] if mixed else values, dtype=object if mixed else "str")  # mixed: any type
    safe = neutralised(column).tolist()
    for value, shown in zip(column, safe, strict=True):
        if isinstance(value, str):
            assert not shown.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert shown in (value, "'" + value)
        else:
            assert shown is value or (pd.isna(shown) and pd.isna(value))


def test_xlsx_writes_numbers_as_numbers_and_dates_as_dates(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(
        pd.DataFrame({"id": ["0042"], "p": [0.25], "d": [pd.Timestamp("2024-03-01")]}), path, formats={"p": "0%"}
    )
    sheet = openpyxl.load_workbook(path).active
    assert [c.data_type for c in sheet[2]] == ["s", "n", "d"] and sheet["B2"].number_format == "0%"


def test_an_xlsx_column_of_chinese_text_is_twice_as_wide_as_the_same_count_of_latin_letters(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(pd.DataFrame({"a": ["客服专人致电并提供专属挽留礼遇"], "b": ["abcdefghijklmno"]}), path)
    sheet = openpyxl.load_workbook(path).active
    # a width in characters: XlsxWriter stores it with Excel's cell padding (under one character)
    assert sheet.column_dimensions["A"].width == pytest.approx(2 * 15 + 2, abs=1)
    assert sheet.column_dimensions["B"].width == pytest.approx(15 + 2, abs=1)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=300), st.floats(0.01, 0.5), st.floats(0.01, 0.49))
def test_tiers_by_share_never_exceed_their_share_and_follow_the_order(values, high, medium):
    series = pd.Series(values, index=[f"c{i:04d}" for i in range(len(values))])
    tiers = actions.tiers_by_share(series, {"high": high, "medium": medium}, "low")
    n = len(series)
    assert (tiers == "high").sum() == math.floor(high * n)
    assert (tiers == "medium").sum() == math.floor(medium * n)
    rank = {"high": 0, "medium": 1, "low": 2}
    order = series.sort_values(ascending=False, kind="stable").index
    assert tiers[order].map(rank).is_monotonic_increasing or series.duplicated().any()


def test_the_first_matching_rule_names_the_action():
    rules = [
        ActionRule(action="call", risk=["high"], value=["high value"]),
        ActionRule(action="win back", risk=["high"], segments=["Lost"]),
        ActionRule(action="welcome", lifecycle=["new"]),
        ActionRule(action="newsletter"),
    ]
    frame = pd.DataFrame({"risk_tier": ["high", "high", "high", "low", "low"],
                          "value_level": ["high value", "low value", "low value", "low value", "low value"],
                          "segment": ["Lost", "Lost", "Champions", "Champions", "Champions"],
                          "lifecycle": ["lapsed", "lapsed", "active", "new", None]})  # fmt: skip
    assert actions.assign_actions(frame, rules).tolist() == ["call", "win back", "newsletter", "welcome", "newsletter"]
    hidden = [ActionRule(action="any high", risk=["high"]), ActionRule(action="high and lost", risk=["high"],
              segments=["Lost"]), ActionRule(action="rest")]  # fmt: skip
    assert actions.unreachable_rules(hidden, ["Lost"]) == [2]
    assert actions.describe_rules(rules)[0] == "rule 1: call when risk is high, value is high value"


def test_the_last_action_rule_must_catch_everyone():
    config = {"input": {"dataset": "cdnow_sample"}, "churn": {"action_rules": [{"action": "x", "risk": ["high"]}]}}
    with pytest.raises(ConfigError, match="last of churn.action_rules must have no conditions"):
        parse_config(config)


def test_a_baseline_scorer_keeps_the_baselines_ranking():
    rng = np.random.default_rng(0)
    days = rng.uniform(0, 400, 500)
    frame = pd.DataFrame({"days since last purchase": days})
    churned = (rng.uniform(0, 400, 500) < days).astype(int)
    model = churn.make_scorer("days since last purchase", 0).fit(frame, churned)
    probability = model.predict_proba(frame)[:, 1]
    assert churn.scorer_columns("days since last purchase", frame) == ["days since last purchase"]
    assert (np.diff(probability[np.argsort(days)]) >= 0).all()


def test_an_xlsx_keeps_the_first_rows_when_the_list_outgrows_a_sheet(tmp_path, monkeypatch):
    from helpers.data import exports

    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 2)
    write_xlsx(pd.DataFrame({"priority": [1, 2, 3]}), tmp_path / "t.xlsx")
    assert read_export(tmp_path / "t.xlsx")["priority"].tolist() == ["1", "2"]


def test_reasons_by_hand_and_the_same_when_worded_a_chunk_at_a_time(monkeypatch):
    frame = pd.DataFrame(
        {"days_since_last_purchase": [140, 30, 10], "typical_gap_days": [44.0, np.nan, 10.0], "purchases": [5, 1, 3],
         "churn_probability": [0.82, 0.3, 0.05], "risk_tier": ["high", "medium", "low"],
         "value_if_retained": [231.0, 12.5, 1000.0]},
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )  # fmt: skip
    money = "${:,.0f}".format
    whole = actions.reasons(frame, money, 90)
    assert whole["a"] == ("no purchase for 140 days, 3.2× their usual 44-day gap; 82% chance of no purchase in "
                          "90 days (high risk); $231 expected if kept")  # fmt: skip
    assert whole["b"] == ("no purchase for 30 days since their only purchase; 30% chance of no purchase in 90 days "
                          "(medium risk); $12 expected if kept")  # fmt: skip
    monkeypatch.setattr(actions, "REASON_ROWS", 2)
    pd.testing.assert_series_equal(actions.reasons(frame, money, 90), whole)


def test_the_contact_plan_binds_the_budget_and_contacts_only_by_consent(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    plan = pd.read_parquet(artifacts / "contact_plan.parquet")
    scored = pd.read_parquet(artifacts / "churn.parquet").set_index("customer_id")
    members = pd.read_parquet(artifacts / "customers.parquet").set_index("customer_id")
    settings = ChurnSection()
    treated = plan[plan["group"] == "treatment"]
    assert 0 < len(treated) <= len(plan) <= settings.contact_budget
    assert not plan["customer_id"].duplicated().any()
    assert scored.loc[plan["customer_id"], "in_budget"].all(), "the plan is the budget's selection, control included"
    assert not scored.loc[treated["customer_id"], "held_for_review"].any()
    for channel, group in treated.groupby("channel"):
        assert channel in settings.channels
        assert members.loc[group["customer_id"], f"opt_in_{channel}"].astype(bool).all(), channel
    start = pd.read_parquet(artifacts / "campaign_plan.parquet")["campaign_start"].iloc[0]
    horizon = pd.Timedelta(days=stage_run.results["next_purchase"].settings.send_horizon_days)
    assert treated["send_date"].between(start, start + horizon).all() and plan.loc[
        plan["group"] == "control", "send_date"].isna().all()  # fmt: skip


def _check_stage_offers(offers: pd.DataFrame, births: pd.Series, today: pd.Timestamp, lead: int) -> int:
    """Every stage-category offer fits the generator's truth on the send date; returns how many were checked."""
    stages = {name: (BABY_STAGES[k], BABY_STAGES[k + 1]) for k, name in enumerate(CATEGORIES[:4])}
    known = offers[offers.index.isin(births.dropna().index) & offers["next_best_offer"].isin(stages)]
    if known.empty:  # the offer method chosen on this data names no stage category
        return 0
    send = pd.to_datetime(known["offer_send_on"]).fillna(today + pd.Timedelta(days=1))
    age = (send - births.reindex(known.index)).dt.days
    start = known["next_best_offer"].map({c: s for c, (s, _) in stages.items()})
    end = known["next_best_offer"].map({c: e for c, (_, e) in stages.items()})
    assert (age < end).all(), "never a stage the family has left"
    assert (age >= start - lead).all(), "a next stage only in the weeks before the baby reaches it"
    return len(known)


def test_no_family_is_offered_a_stage_it_has_outgrown_or_is_months_away_from():
    """Ranked offers as the sequence method makes them, for families of every age the generator plants."""
    rng = np.random.default_rng(5)
    n, today = 3000, pd.Timestamp("2024-12-31")
    births = pd.Series(today - pd.to_timedelta(rng.integers(-250, 1400, n), unit="D"),
                       index=[f"C{k}" for k in range(n)])  # fmt: skip
    births.iloc[::10] = pd.NaT  # no birth date: no stage category
    ranked = np.array([rng.permutation(CATEGORIES)[:3] for _ in range(n)])
    table = pd.DataFrame({"next_best_offer": ranked[:, 0], "other_offers": [", ".join(r[1:]) for r in ranked],
                          "offer_reason": "sequence", "offer_send_on": today + pd.to_timedelta(
                              rng.integers(1, 31, n), unit="D")}, index=births.index)  # fmt: skip
    stages = {name: (BABY_STAGES[k], BABY_STAGES[k + 1]) for k, name in enumerate(CATEGORIES[:4])}
    known = births.dropna()
    frame = pd.DataFrame({"birth": known, "oldest": known, "basis": "member table"})
    fitted = recommend.offers_for_the_stage(table, frame, stages, lead_days=30, today=today)
    assert _check_stage_offers(fitted, births, today, 30) > 300
    unknown = births.isna()
    assert not fitted.loc[unknown, "next_best_offer"].isin(stages).any(), "an unknown baby: no stage category"
    changed = fitted["next_best_offer"].fillna("") != table["next_best_offer"]
    assert changed.sum() > 300 and fitted.loc[changed, "offer_reason"].str.contains("baby").all()
    moved = fitted["offer_reason"].str.startswith("the baby reaches")
    assert moved.sum() > 30
    for name, row in fitted[changed & ~moved & fitted["next_best_offer"].notna()].head(200).iterrows():
        candidates = [table.at[name, "next_best_offer"], *table.at[name, "other_offers"].split(", ")]
        assert row["next_best_offer"] in candidates[1:], "the first ranked offer that fits, never a new one"


def test_the_stage_run_offers_no_stage_a_family_has_left(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    offers = pd.read_parquet(artifacts / "next_purchase.parquet").set_index("customer_id")
    members = pd.read_parquet(artifacts / "customers.parquet").set_index("customer_id")
    births = pd.to_datetime(members["baby_birth_date"])
    result = stage_run.results["next_purchase"]
    lead = load_config(stage_run.config).life_stage.lead_days
    _check_stage_offers(offers, births, pd.Timestamp(result.today), lead)


def test_the_do_not_contact_list_and_the_contact_cap_keep_customers_out_of_the_budget(stage_run, tmp_path):
    """Customers on churn.do_not_contact, or contacted within churn.contact_cap_days by an earlier plan, are never
    in the budget; a contact older than the window does not count, nor one to the control group."""
    folder = tmp_path / "run"
    shutil.copytree(stage_run.run_dir, folder)
    before = pd.read_parquet(folder / "artifacts" / "churn.parquet")
    chosen = before[before["in_budget"]].sort_values("priority")["customer_id"].tolist()
    blocked, capped, old, control = chosen[:3], chosen[3:6], chosen[6:8], chosen[8:10]
    today = stage_run.results["churn"].today
    pd.DataFrame({"customer_id": blocked}).to_csv(tmp_path / "dnc.csv", index=False)
    sent = [pd.Timestamp(today) - pd.Timedelta(days=d) for d in (1, 1, 1, 60, 60, 2, 2)]
    pd.DataFrame({"customer_id": capped + old + control, "send_date": sent,
                  "group": ["treatment"] * 5 + ["control"] * 2}).to_parquet(tmp_path / "plan_1.parquet")  # fmt: skip
    config = yaml.safe_load(stage_run.config.read_text(encoding="utf-8"))
    config["churn"] |= {
        "do_not_contact": str(tmp_path / "dnc.csv"),
        "contact_history": str(tmp_path / "plan_*.parquet"),
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    after = churn_stage.run(path, folder).scored.set_index("customer_id")
    assert (after.loc[blocked, "channel"] == actions.DO_NOT_CONTACT).all() and not after.loc[blocked, "in_budget"].any()
    assert after.loc[capped, "contacted_recently"].all() and not after.loc[capped, "in_budget"].any()
    assert not after.loc[old + control, "contacted_recently"].any()
    # the six leave the budget and everyone else in it stays; a full budget takes the next customers in their place
    stayed = set(chosen) - set(blocked + capped)
    assert stayed <= set(after.index[after["in_budget"]]) and after["in_budget"].sum() <= len(chosen)
    calendar = pd.read_parquet(folder / "artifacts" / "care_calendar.parquet")  # no greeting either
    theirs = calendar[calendar["customer_id"].isin(blocked)]
    assert (theirs["channel"] == actions.DO_NOT_CONTACT).all() and not theirs[["in_this_cycle", "planned"]].any(
        axis=None
    )


def test_the_monday_file_says_why_and_what_each_contact_is_expected_to_earn(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    plan = pd.read_parquet(artifacts / "contact_plan.parquet")
    listed = pd.read_parquet(artifacts / "action_list.parquet").set_index("customer_id")
    treated = plan[plan["group"] == "treatment"].set_index("customer_id")
    assert (treated["reason"] == listed.loc[treated.index, "reason"]).all()
    assert np.allclose(treated["expected_value"], listed.loc[treated.index, "expected_value"]), "one source: 04"
    assert plan.loc[plan["group"] == "control", "expected_value"].isna().all()
    said = " ".join(stage_run.results["campaign"].findings.sentences)
    assert "Expected incremental margin of the contacts" in said and "campaign.assumed_save_rate" in said


def test_the_global_holdout_is_the_same_customers_every_run_and_never_in_the_budget():
    ids = pd.Index([f"C{i:07d}" for i in range(20_000)])
    held = actions.global_holdout(ids, 0.05)
    assert 0.045 < held.mean() < 0.055
    shuffled = ids[np.random.default_rng(3).permutation(len(ids))][:5_000]
    assert (actions.global_holdout(shuffled, 0.05) == held.reindex(shuffled)).all(), "by id, not by position"
    assert not actions.global_holdout(ids, 0.0).any()
    frame = pd.DataFrame({"value_at_risk": np.linspace(100, 1, len(ids)), "global_holdout": held.to_numpy()},
                         index=ids)  # fmt: skip
    ranked = actions.prioritise(frame, contact_budget=2_000)
    assert not ranked.loc[held, "in_budget"].any() and ranked["in_budget"].sum() == 2_000


def test_everyone_not_contacted_this_cycle_is_told_why(stage_run):
    scored = pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet")
    assert (scored["this_cycle"] == "contact").equals(scored["in_budget"].astype(bool))
    assert (scored.loc[scored["held_for_review"].astype(bool), "this_cycle"] == "held for review").all()
    assert (scored.loc[scored["channel"] == actions.IN_STORE_ONLY, "this_cycle"].isin(
        ["in store only", "held for review"])).all()  # fmt: skip
    listed = pd.read_parquet(stage_run.run_dir / "artifacts" / "action_list.parquet")
    assert listed.set_index("customer_id")["this_cycle"].equals(scored.set_index("customer_id")["this_cycle"].reindex(
        listed["customer_id"]))  # fmt: skip


def test_a_money_budget_stops_the_selection_where_the_costs_reach_it():
    frame = pd.DataFrame({"value_at_risk": [500.0, 400.0, 300.0, 200.0], "action": ["call", "sms", "call", "sms"]},
                         index=["a", "b", "c", "d"])  # fmt: skip
    campaign = CampaignSection(action_costs={"call": 20.0}, contact_cost=1.0)
    frame["expected_value"] = actions.expected_value(frame, campaign)["expected_value"]
    assert frame["expected_value"].tolist() == [30.0, 39.0, 10.0, 19.0]
    ranked = actions.prioritise(frame, 10, money_budget=21.5, costs=actions.contact_costs(frame, campaign))
    assert ranked.sort_values("priority").index.tolist() == ["b", "a", "d", "c"]
    assert ranked["in_budget"].to_dict() == {"a": True, "b": True, "c": False, "d": False}, "1 + 20 fit, + 1 not"


def test_measured_save_rates_replace_the_assumption_with_their_interval_for_the_actions_measured():
    frame = pd.DataFrame({"value_at_risk": [100.0, 100.0, 50.0], "action": ["call", "sms", "letter"],
                          "channel": ["wechat", "sms", "email"]}, index=["a", "b", "c"])  # fmt: skip
    campaign = CampaignSection(contact_cost=1.0, assumed_save_rate=0.1, channel_costs={"sms": 0.5})
    rates = pd.DataFrame({"save_rate": [0.3, 0.05], "save_rate_low": [0.1, -0.02], "save_rate_high": [0.5, 0.12]},
                         index=["call", "sms"])  # fmt: skip
    measured = actions.MeasuredResponse(rates)
    expected = actions.expected_value(frame, campaign, measured=measured)
    assert expected["value_basis"].tolist() == ["measured", "measured", "assumed"]
    assert expected["expected_value"].tolist() == [29.0, 3.5, 4.0], "rate x value - contact cost - channel cost"
    assert expected["expected_value_low"].tolist() == [9.0, -3.5, 4.0] and expected["expected_value_high"].tolist() == [
        49.0, 10.5, 4.0]  # fmt: skip


def test_an_alert_customer_counts_at_most_the_quantile_of_the_others_value():
    value = pd.Series([10.0, 20.0, 30.0, 40.0, 5000.0, 15.0], index=list("abcdef"))
    flagged = pd.Series([False, False, False, False, True, True], index=value.index)
    capped = actions.capped_for_alerts(value, flagged, 0.75)
    assert capped["e"] == pytest.approx(32.5) and capped["f"] == 15.0, "the 75% quantile of 10..40; below it: kept"
    assert capped[~flagged].equals(value[~flagged]) and actions.capped_for_alerts(value, flagged, None).equals(value)


def test_channels_go_by_what_a_campaign_measured_then_by_cost_then_by_the_config_order():
    order = ["wechat", "sms", "email"]
    assert actions.channel_order(order, costs={}) == order
    assert actions.channel_order(order, costs={"wechat": 0.3, "sms": 0.3, "email": 0.01}) == ["email", "wechat", "sms"]
    measured = pd.Series({"sms": 2.0, "email": 0.2, "wechat": float("nan")})
    assert actions.channel_order(order, costs={"email": 0.5}, measured=measured) == ["sms", "wechat", "email"], (
        "sms earned its cost; wechat unmeasured; email earned less than its cost"
    )
    members = pd.DataFrame({"customer_id": ["x", "y"], "opt_in_wechat": [True, True], "opt_in_sms": [True, False],
                            "opt_in_email": [True, True]})  # fmt: skip
    chosen = actions.channels(pd.Index(["x", "y"]), members, ["sms", "wechat", "email"])
    assert chosen.tolist() == ["sms", "wechat"], "the best channel the customer opted in to"


def test_the_reminder_list_leaves_out_whom_this_cycle_contacts_or_may_not_contact(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    place = pd.read_parquet(artifacts / "churn.parquet").set_index("customer_id")["this_cycle"]
    forecast = pd.read_parquet(artifacts / "next_purchase.parquet")
    due = set(forecast.loc[forecast["due_soon"], "customer_id"])
    listed = set(read_export(artifacts / "due_soon.csv")["customer_id"].str.removeprefix("'"))
    kept_out = {c for c in due if place[c] in actions.NO_REMINDER}
    assert kept_out & {c for c in due if place[c] == "contact"}, "the small store contacts some due customers"
    assert listed == due - kept_out
    found = stage_run.results["next_purchase"].findings.sentences[0]
    assert f"holds {len(listed):,} of them" in found


def test_reminder_list_by_hand():
    due = pd.DataFrame({"customer_id": ["a", "b", "c", "d"]})
    cycle = pd.Series({"a": "contact", "b": "below the budget", "c": "do not contact"})
    kept, left_out = actions.reminder_list(due, cycle)
    assert kept["customer_id"].tolist() == ["b", "d"], "d has no place in the cycle: not stopped"
    assert left_out["contact"] == 1 and left_out["do not contact"] == 1 and sum(left_out.values()) == 2
    assert actions.reminder_list(due, None)[0] is due


def test_csv_and_xlsx_written_a_few_rows_at_a_time_equal_those_written_whole(tmp_path, monkeypatch):
    """A long table is worded and written WRITE_ROWS rows at a time (02's 12 million customers at once took 4 GiB
    more): the same bytes, one header; an empty table still gets its header."""
    from helpers.data import exports

    days = ["2024-01-01", "2024-02-03", None, "2024-03-04", "2024-05-06"]
    frame = pd.DataFrame({"customer_id": ["007", "=1+1", "b", "c", "d"], "segment": ["top", "at risk"] * 2 + [None],
                          "total_spend": [1.23456, 2.0, np.nan, 4.5, 5.0], "last_purchase": pd.to_datetime(days),
                          "held_for_review": [True, False, True, False, True]})  # fmt: skip
    written = {}
    for rows in (exports.WRITE_ROWS, 2):
        monkeypatch.setattr(exports, "WRITE_ROWS", rows)
        write_csv(frame, tmp_path / f"{rows}.csv")
        write_xlsx(frame, tmp_path / f"{rows}.xlsx")
        write_csv(frame.head(0), tmp_path / f"{rows}-empty.csv")
        written[rows] = [(tmp_path / f"{rows}{end}").read_bytes() for end in (".csv", ".xlsx", "-empty.csv")]
    assert written[2] == written[exports.WRITE_ROWS]
    assert len(read_export(tmp_path / "2.csv")) == 5 and read_export(tmp_path / "2-empty.csv").empty
