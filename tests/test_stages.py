"""The stage functions' contracts: every artifact written and matching its schema, tables that agree."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import small_config

from helpers.core.errors import ArtifactSchemaError, CampaignDataError, MissingArtifactError
from helpers.data import schemas
from helpers.data.exports import read_export
from helpers.models import actions
from helpers.models.purchase import PurchaseModel
from helpers.models.segment import CN8_SEGMENTS
from helpers.stages import campaign, churn, clv, ingest, next_purchase, segment

SMALLER = {"dataset_customers": 300}  # migration needs two runs, not many customers
PER_CUSTOMER = ("segments.parquet", "clv.parquet", "churn.parquet", "next_purchase.parquet", "action_list.parquet")


def test_every_artifact_is_written_and_matches_its_schema(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    written = {p.name for p in artifacts.iterdir()}
    assert (set(schemas.ARTIFACTS) | set(schemas.CSV_COPIES)) - set(schemas.MEASURE_ONLY) == written
    for item in schemas.TABLES:
        if item.name in schemas.MEASURE_ONLY:
            continue
        path = artifacts / item.name
        if item.large:
            item.check_parquet(path)
        else:
            item.validate(pd.read_parquet(path))
    for name, item in schemas.CSV_COPIES.items():
        if name in schemas.MEASURE_ONLY:
            continue
        frame = read_export(artifacts / name)
        assert frame.columns.tolist() == pd.read_parquet(artifacts / item.name).columns.tolist(), name
    for item in schemas.JSON_ARTIFACTS:
        assert set(item.keys) <= set(json.loads((artifacts / item.name).read_text(encoding="utf-8")))


def test_per_customer_tables_hold_every_customer_once(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    customers = set(
        pq.read_table(artifacts / "transactions.parquet", columns=["customer_id"])["customer_id"].to_pylist()
    )
    for name in PER_CUSTOMER:
        ids = pd.read_parquet(artifacts / name, columns=["customer_id"])["customer_id"]
        assert ids.is_unique and set(ids) == customers, name


def test_results_hold_what_the_notebooks_show_and_agree_with_the_artifacts(stage_run):
    results = stage_run.results
    quality = results["ingest"].quality
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_quarantined"]
    assert results["ingest"].facts["customers"] == len(results["segment"].customers)
    assert results["segment"].segments["customers"].sum() == len(results["segment"].customers)
    assert results["segment"].tiers["customers"].sum() == len(results["segment"].customers)
    assert results["segment"].retention.shape[1] <= yaml.safe_load(stage_run.config.read_text())["segment"].get(
        "cohort_months", 13
    )
    clv_result, churn_result = results["clv"], results["churn"]
    assert clv_result.deciles["customers"].sum() == len(clv_result.values)
    assert clv_result.chosen in clv_result.comparison["key"].tolist()
    action_list = pd.read_parquet(stage_run.run_dir / "artifacts" / "action_list.parquet")  # 04's, with 05's offers
    assert len(action_list) == results["next_purchase"].action_list_customers == len(churn_result.scored)
    assert action_list["priority"].tolist() == list(range(1, len(action_list) + 1))
    eligible = ~action_list["held_for_review"] & (action_list["channel"] != "in store only")
    assert eligible.is_monotonic_decreasing, "the customers who can be contacted come first"
    assert all(part["expected_value"].is_monotonic_decreasing for _, part in action_list.groupby(eligible))
    pd.testing.assert_series_equal(
        churn_result.scored.set_index("customer_id")["clv"].sort_index(),
        clv_result.values.set_index("customer_id")["clv"].sort_index(),
        check_names=False,
    )  # value is CLV when 03 ran
    assert (churn_result.scored["segment"] != "(02_segment not run)").all()
    assert churn_result.matrix["customers"].sum() == len(churn_result.scored)
    assert churn_result.actions["customers"].sum() == len(churn_result.scored)
    assert [f.stage for f in (r.findings for r in results.values())] == [
        "01_ingest",
        "02_segment",
        "03_clv",
        "04_churn",
        "05_next_purchase",
        "06_campaign",
    ]


def test_every_figure_is_saved_as_png(stage_run):
    figures = {name for result in stage_run.results.values() for name in result.figures}
    saved = {p.stem for p in (stage_run.run_dir / "figures").glob("*.png")}
    assert figures == saved
    assert {"01_cleaning_waterfall", "02_segment_sizes", "03_clv_deciles", "04_reliability"} <= figures
    assert {"05_reliability", "05_date_errors"} <= figures
    assert {"05_offer_methods", "05_next_categories"} <= figures, "babystore has categories: offers are learnt"
    assert {"02_channel_mix", "02_category_mix"} <= figures, "babystore has channels and categories"


def test_a_stage_refuses_an_upstream_artifact_that_breaks_its_schema(stage_run, tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "artifacts").mkdir(parents=True)
    source = stage_run.run_dir / "artifacts"
    (run_dir / "artifacts" / "transactions.parquet").write_bytes((source / "transactions.parquet").read_bytes())
    broken = pd.read_parquet(source / "segments.parquet").rename(columns={"purchases": "frequency"})
    broken.to_parquet(run_dir / "artifacts" / "segments.parquet")
    with pytest.raises(ArtifactSchemaError, match="segments.parquet does not match its schema"):
        clv.run(stage_run.config, run_dir)


def test_a_stage_without_its_upstream_says_which_stage_to_run(stage_run, tmp_path):
    with pytest.raises(MissingArtifactError, match="run the 01_ingest stage first"):
        segment.run(stage_run.config, tmp_path / "empty")


@pytest.mark.slow  # two ingests and segmentations
def test_segment_migration_between_two_analysis_dates(tmp_path):
    first = small_config(
        tmp_path, "h1.yaml", input=SMALLER, dates={"analysis_date": "2024-06-30"}, clv={"calibration_end": "2024-03-31"}
    )
    runs = tmp_path / "runs"
    ingest.run(first, runs / "h1")
    earlier = segment.run(first, runs / "h1")
    second = small_config(tmp_path, "h2.yaml", input=SMALLER, segment={"compare_with": "h1"})
    (runs / "h2" / "artifacts").mkdir(parents=True)  # the same clean transactions, analysed at a later date
    shutil.copy(runs / "h1" / "artifacts" / "transactions.parquet", runs / "h2" / "artifacts")
    later = segment.run(second, runs / "h2")
    thresholds = json.loads((runs / "h1" / "artifacts" / "segment_thresholds.json").read_text())
    assert thresholds["analysis_date"] == "2024-06-30" and earlier.migration is None
    moved = later.migration
    assert moved.previous_run == "h1" and "02_migration" in later.figures
    assert moved.matrix.to_numpy().sum() == moved.moves["new"] + len(earlier.customers)
    assert moved.moves["new"] == len(set(later.customers.customer_id) - set(earlier.customers.customer_id))


def test_a_chinese_stage_then_an_english_one_in_one_process_each_speak_their_language(tmp_path):
    """A stage's language, currency and plot style hold inside the stage function only: after a Chinese stage,
    the process is as it was, and an English stage run next speaks English."""
    import matplotlib.pyplot as plt

    from helpers.language.formatting import money
    from helpers.language.i18n import language

    runs, style = tmp_path / "runs", dict(plt.rcParams)
    said = {}
    for code, currency in (("zh", "¥"), ("en", "$")):
        config = small_config(tmp_path, f"{code}.yaml", input=SMALLER, report={"language": code, "currency": currency})
        ingest.run(config, runs / code)
        said[code] = " ".join(segment.run(config, runs / code).findings.sentences)
        assert language() == "en" and money(1) == "$1.00" and dict(plt.rcParams) == style, code
    assert "客户" in said["zh"] and "¥" in said["zh"]
    assert "customers" in said["en"] and "客户" not in said["en"] and "¥" not in said["en"]


def test_the_eight_class_scheme_segments_every_customer_and_keeps_its_centres(stage_run, tmp_path):
    run_dir = stage_run.run_dir.parent / "cn8"  # beside the rfm11 run, to compare with it
    (run_dir / "artifacts").mkdir(parents=True)
    shutil.copy(stage_run.run_dir / "artifacts" / "transactions.parquet", run_dir / "artifacts")
    config = small_config(tmp_path, segment={"scheme": "cn8", "cn8_center": "median", "compare_with": "direct"})
    result = segment.run(config, run_dir)
    assert set(result.customers["segment"]) <= set(CN8_SEGMENTS.values()) and result.rule_problems == []
    assert result.rules["customers"].sum() == len(result.customers)
    saved = json.loads((run_dir / "artifacts" / "segment_thresholds.json").read_text())
    assert saved["scheme"] == "cn8" and saved["cn8_centers"]["purchases"] == result.customers["purchases"].median()
    assert result.migration.matrix.to_numpy().sum() == len(result.customers)  # the same customers, re-classed


def test_next_purchase_forecasts_are_coherent_and_the_action_list_carries_the_offers(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    result = stage_run.results["next_purchase"]
    table = pd.read_parquet(artifacts / "next_purchase.parquet")
    p = table[["p_purchase_7d", "p_purchase_30d", "p_purchase_90d", "p_alive"]]
    assert (p.diff(axis=1).iloc[:, 1:] >= -1e-3).all().all(), "P(7 days) <= P(30) <= P(90) <= P(alive)"
    assert (table["wait_low_days"] <= table["wait_median_days"]).all()
    assert (table["wait_median_days"] <= table["wait_high_days"]).all()
    tomorrow = pd.Timestamp(result.today) + pd.Timedelta(days=1)
    horizon = pd.Timedelta(days=result.settings.send_horizon_days)
    dated = table["offer_send_on"].notna()
    assert table.loc[dated, "offer_send_on"].between(tomorrow, pd.Timestamp(result.today) + horizon).all()
    undated = table.loc[~dated, "expected_next_purchase"]  # not expected to buy within the horizon: no dated offer
    assert (undated.isna() | (undated > pd.Timestamp(result.today) + horizon)).all()
    assert table["next_best_offer"].notna().all()
    due = read_export(artifacts / "due_soon.csv")
    assert len(due) == len(result.due) <= int(table["due_soon"].sum())  # the reminder list: see test_actions
    assert result.due["p_purchase_due_window"].is_monotonic_decreasing
    assert (
        table.loc[table["due_soon"], "due_reason"].notna().all()
        and table.loc[~table["due_soon"], "due_reason"].isna().all()
    )
    action_list = pd.read_parquet(artifacts / "action_list.parquet").set_index("customer_id")
    offers = table.set_index("customer_id")
    assert action_list["next_best_offer"].equals(offers.loc[action_list.index, "next_best_offer"])
    assert action_list["priority"].tolist() == list(range(1, len(action_list) + 1))
    assert result.offers.chosen in result.offers.evaluation.index
    assert result.split.cutoff == result.today - pd.Timedelta(days=result.settings.evaluation_days)


def test_next_purchase_takes_03s_fit_of_the_same_history_and_forecasts_as_a_fresh_fit(stage_run, monkeypatch):
    config = next_purchase.stage_config(stage_run.config)
    context = next_purchase.StageContext.open(stage_run.run_dir, config)
    tx, today = context.transactions(), stage_run.results["next_purchase"].today
    key, parameters = next_purchase.purchase_model(context, config, today)
    assert key == stage_run.results["clv"].chosen and parameters is not None
    refitted, _ = next_purchase.when(tx, today, model_key=key, config=config)
    monkeypatch.setattr(PurchaseModel, "fit", lambda *args, **kwargs: pytest.fail("refitted 03's model"))
    reused, _ = next_purchase.when(tx, today, model_key=key, config=config, parameters=parameters)
    pd.testing.assert_frame_equal(reused, refitted)
    # another history or another penalizer: 03's parameters do not apply, 05 fits its own
    assert next_purchase.purchase_model(context, config, today - timedelta(days=1))[1] is None
    other = config.model_copy(update={"clv": config.clv.model_copy(update={"penalizer": 0.01})})
    assert next_purchase.purchase_model(context, other, today)[1] is None
    # another sample of customers: another fit cap or seed
    other = config.model_copy(update={"clv": config.clv.model_copy(update={"fit_max_customers": 1000})})
    assert next_purchase.purchase_model(context, other, today)[1] is None
    other = config.model_copy(update={"run": config.run.model_copy(update={"random_state": 1})})
    assert next_purchase.purchase_model(context, other, today)[1] is None


def test_the_planned_campaign_baseline_is_the_forecast_purchase_probability(stage_run):
    """05's probability of buying within the outcome window is each planned customer's baseline conversion."""
    planned = stage_run.results["campaign"].plan
    window = f"p_purchase_{planned.plan['outcome_days'].iloc[0]}d"
    forecasts = pd.read_parquet(stage_run.run_dir / "artifacts" / "next_purchase.parquet").set_index("customer_id")
    expected = forecasts[window].reindex(planned.plan["customer_id"])
    assert expected.notna().all()  # every planned customer has a forecast: the baseline is the forecasts' mean
    assert planned.power.loc["all cells", "baseline_conversion"] == pytest.approx(expected.mean())


def measure_config(stage_run, tmp_path, plan: pd.DataFrame, **campaign) -> tuple:
    """A run folder holding stage_run's transactions, and its config in measure mode with `plan` as the file."""
    run_dir = tmp_path / "measure"
    (run_dir / "artifacts").mkdir(parents=True)
    shutil.copy(stage_run.run_dir / "artifacts" / "transactions.parquet", run_dir / "artifacts")
    plan_file = tmp_path / "plan.csv"
    plan.to_csv(plan_file, index=False, encoding="utf-8-sig")
    config = yaml.safe_load(stage_run.config.read_text(encoding="utf-8"))
    config["campaign"] = {"mode": "measure", "plan_file": str(plan_file), "bootstrap_samples": 200, **campaign}
    path = tmp_path / "measure.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path, run_dir


def test_a_campaign_is_measured_from_an_assignment_file_and_unknown_customers_are_reported(stage_run, tmp_path):
    plan = pd.read_parquet(stage_run.run_dir / "artifacts" / "campaign_plan.parquet")
    assignment = plan[["customer_id", "group", "action"]].rename(columns={"customer_id": "会员卡号", "group": "组别"})
    assignment.loc[len(assignment)] = ["GHOST-1", "treatment", "Standard newsletter"]
    config, run_dir = measure_config(stage_run, tmp_path, assignment, start="2024-11-01",
                                     assignment_columns={"customer_id": "会员卡号", "group": "组别",
                                                         "action": "action"})  # fmt: skip
    result = campaign.run(config, run_dir)
    measured = result.measurement
    assert measured.missing[-1] == "GHOST-1" and measured.plan_customers == len(plan) + 1
    assert measured.effects.loc["all cells", "treatment"] + measured.effects.loc["all cells", "control"] == len(
        measured.targets
    )
    assert not measured.srm["mismatch"] and measured.targets["rank"].tolist() == list(
        range(1, len(measured.targets) + 1)
    )
    assert (measured.targets["uplift"] == measured.targets["p_treated"] - measured.targets["p_control"]).all() or (
        (measured.targets["uplift"] - (measured.targets["p_treated"] - measured.targets["p_control"])).abs().max()
        < 1e-3
    )
    for name in schemas.MEASURE_ONLY:  # no channel in the assignment: no effects per channel
        assert (run_dir / "artifacts" / name).exists() == (name != schemas.CAMPAIGN_CHANNEL_EFFECTS.name), name
    assert result.findings.stage == "06_campaign" and "points" in result.findings.sentences[0]
    headings = [section.heading for section in result.report.sections]
    assert headings[2:5] == ["1. What the campaign earned", "2. Checks before trusting the numbers",
                             "3. Who responds: the uplift model"] and "1. The plan" not in headings  # fmt: skip
    assert result.checked == f"measured customers {len(measured.targets):,}; sample ratio mismatch: False"


def test_an_outcome_window_past_the_data_is_refused(stage_run, tmp_path):
    plan = pd.read_parquet(stage_run.run_dir / "artifacts" / "campaign_plan.parquet")
    config, run_dir = measure_config(stage_run, tmp_path, plan, start="2024-12-20")
    with pytest.raises(CampaignDataError, match="ends after the data's last day"):
        campaign.run(config, run_dir)


def test_a_response_file_gives_the_outcomes_and_bad_responses_are_refused(stage_run, tmp_path):
    plan = pd.read_parquet(stage_run.run_dir / "artifacts" / "campaign_plan.parquet")
    treated = plan.loc[plan["group"] == "treatment", "customer_id"]
    responses = tmp_path / "responses.csv"
    pd.DataFrame({"会员": treated, "回购": "是", "金额": "50"}).to_csv(responses, index=False, encoding="utf-8-sig")
    columns = {"customer_id": "会员", "converted": "回购", "revenue": "金额"}
    config, run_dir = measure_config(stage_run, tmp_path, plan, start="2024-12-20", response_file=str(responses),
                                     response_columns=columns)  # fmt: skip
    effects = campaign.run(config, run_dir).measurement.effects.loc["all cells"]
    assert (effects["conversion_treatment"], effects["conversion_control"]) == (1.0, 0.0), "no row: no response"
    assert effects["revenue_lift_plain"] == pytest.approx(50.0)
    pd.DataFrame({"会员": treated, "回购": "maybe", "金额": "50"}).to_csv(responses, index=False)
    with pytest.raises(CampaignDataError, match="yes/no"):
        campaign.run(config, run_dir)


def test_member_and_survey_tables_are_accounted_for_and_feed_every_stage(stage_run):
    artifacts = stage_run.run_dir / "artifacts"
    quality = json.loads((artifacts / "quality.json").read_text(encoding="utf-8"))
    for name in ("customers", "surveys"):
        report = quality["tables"][name]
        assert report["rows_in"] == report["rows_kept"] + report["rows_quarantined"] > 0
        assert report["rows_quarantined"] == len(pd.read_parquet(artifacts / f"{name}_quarantine.parquet"))
        assert report["rows_kept"] == len(pd.read_parquet(artifacts / f"{name}.parquet"))
    members = pd.read_parquet(artifacts / "customers.parquet")
    log_customers = pd.read_parquet(artifacts / "segments.parquet", columns=["customer_id"])["customer_id"]
    assert quality["tables"]["customers"]["log_customers_not_in_table"] == (~log_customers.isin(
        members["customer_id"])).sum() > 0  # fmt: skip
    profile = stage_run.results["segment"].profile
    assert {"region", "age_band", "gender", "tenure_band", "main_channel"} <= set(profile.dimensions)
    for table in profile.dimensions.values():
        assert table["customers"].sum() == len(log_customers)
    assert profile.points is not None and profile.baby is not None and profile.nps.has_nps
    assert stage_run.results["churn"].surveys is not None and len(stage_run.results["churn"].surveys) == 2
    plan = stage_run.results["campaign"].plan
    consenting = members[members[["opt_in_sms", "opt_in_wechat", "opt_in_email"]].any(axis=1)]["customer_id"]
    assert plan.plan["customer_id"].isin(consenting).all()
    assert plan.reach["reachable"].sum() >= len(plan.plan) == plan.selection["selected"]


def test_a_rerun_without_the_member_and_survey_tables_removes_their_artifacts(tmp_path):
    config = yaml.safe_load(small_config(tmp_path, input=SMALLER).read_text(encoding="utf-8"))
    run_dir = tmp_path / "runs" / "tables"
    with_tables = tmp_path / "with.yaml"
    with_tables.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    first = ingest.run(with_tables, run_dir)
    assert set(first.tables) == {"customers", "surveys"}
    assert (run_dir / "artifacts" / "customers.parquet").exists()
    for section in ("customers", "surveys"):
        config.pop(section)
    without = tmp_path / "without.yaml"
    without.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    second = ingest.run(without, run_dir)
    assert second.tables == {} and "tables" in second.quality and second.quality["tables"] == {}
    assert not any((run_dir / "artifacts" / f"{n}.parquet").exists() for n in ("customers", "surveys",
                                                                                 "customers_quarantine"))  # fmt: skip
    profile = segment.run(without, run_dir).profile
    assert profile.coverage is None and profile.points is None and profile.nps is None
    assert set(profile.dimensions) == {"tenure_band", "main_store", "main_channel"}


def test_a_measured_campaign_gives_the_next_plan_its_save_rates_its_interval_and_its_channel_order(stage_run, tmp_path):
    """Measuring the workbench's own plan records each cell's save rate (and, with several channels, what each
    channel earned); given as campaign.measured_effects, 04 ranks by those rates with their interval, and 06 says
    so on the front page."""
    plan = pd.read_parquet(stage_run.run_dir / "artifacts" / "campaign_plan.parquet")
    config, run_dir = measure_config(stage_run, tmp_path, plan, start="2024-11-01")
    measured = campaign.run(config, run_dir).measurement
    effects_file = run_dir / "artifacts" / "campaign_effects.parquet"
    cells = measured.effects.drop(index="all cells")
    treated = plan[(plan["group"] == "treatment") & ~plan["customer_id"].isin(measured.missing)]  # as measured
    at_risk = treated.groupby("action")["value_at_risk"].mean().reindex(cells.index)
    assert np.allclose(cells["save_rate"], cells["incremental_margin"] / cells["treatment"] / at_risk)
    assert (cells["save_rate_low"] <= cells["save_rate"]).all() and (
        cells["save_rate"] <= cells["save_rate_high"]
    ).all()
    assert plan["channel"].nunique() > 1 and measured.channel_effects is not None
    schemas.CAMPAIGN_CHANNEL_EFFECTS.validate(
        pd.read_parquet(run_dir / "artifacts" / "campaign_channel_effects.parquet")
    )

    folder = tmp_path / "next"
    shutil.copytree(stage_run.run_dir, folder)
    settings = yaml.safe_load(stage_run.config.read_text(encoding="utf-8"))
    settings["campaign"] = {"measured_effects": str(effects_file)}
    path = tmp_path / "next.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    scored = churn.run(path, folder).scored
    known = scored["action"].isin(cells.index)
    assert (scored.loc[known, "value_basis"] == "measured").all() and (
        scored.loc[~known, "value_basis"] == "assumed"
    ).all()
    alerts = pd.read_parquet(folder / "artifacts" / "alerts.parquet")
    unflagged = ~scored["customer_id"].isin(alerts["customer_id"])  # no alert: the value is not capped
    for_moment = scored["action"] == scored["moment"]
    plain = scored[known & unflagged & ~for_moment]
    spread = cells.loc[plain["action"], "save_rate_high"].to_numpy() - cells.loc[plain["action"], "save_rate_low"]
    width = plain["expected_value_high"] - plain["expected_value_low"]
    assert np.allclose(width, spread.to_numpy() * plain["value_at_risk"], atol=0.011), "the rates' interval x value"
    greeted = scored[known & unflagged & for_moment]  # a moment's cell: its conversion lift x margin per order
    lift = cells.loc[greeted["action"], "conversion_high"].to_numpy() - cells.loc[greeted["action"], "conversion_low"]
    margin = greeted["avg_spend"].clip(lower=0) * yaml.safe_load(stage_run.config.read_text())["clv"]["profit_margin"]
    assert len(greeted) and np.allclose(greeted["expected_value_high"] - greeted["expected_value_low"],
                                        lift.to_numpy() * margin, atol=0.011)  # fmt: skip
    channels = churn.read_measured(str(effects_file)).channels
    significant = measured.channel_effects.drop(index="all cells")["significant"]
    assert set(channels.index) == set(significant.index[significant]), "a channel is chosen on evidence only"
    order = actions.channel_order(["wechat", "sms", "email"], costs={}, measured=channels)
    members = pd.read_parquet(folder / "artifacts" / "customers.parquet")
    expected = actions.channels(pd.Index(scored["customer_id"]), members, order)
    assert scored.set_index("customer_id")["channel"].equals(expected), "the opted-in channel that earned most"
    next_purchase.run(path, folder)  # 05 writes the action list 06 plans from
    result = campaign.run(path, folder)
    planned = result.plan.selection
    assert any("95% interval" in sentence for sentence in result.findings.sentences), "the front page says it"
    contacts = result.plan.plan["group"].eq("treatment").sum()
    assert 0 < planned["measured_contacts"] <= planned["contacts"] == contacts
    assert planned["expected_value_low"] <= planned["expected_value"] <= planned["expected_value_high"]
