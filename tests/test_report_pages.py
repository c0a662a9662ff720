"""Stage pages built in the package (`helpers.report`): what each section says, in English and Chinese, without a
notebook."""

from __future__ import annotations

from dataclasses import replace

import yaml
from conftest import small_config

from helpers.core.config import load_config
from helpers.language.formatting import count
from helpers.language.i18n import t, use_language
from helpers.report.campaign_page import campaign_page
from helpers.report.churn_page import churn_page
from helpers.report.clv_page import clv_page
from helpers.report.next_purchase_page import next_purchase_checked, next_purchase_page
from helpers.report.sections import Bullets, Figure, Prose, Report, Table
from helpers.report.segment_page import segment_checked, segment_page
from helpers.stages import ingest


def figures_shown(report: Report) -> list:
    return [part.figure for section in report.sections for part in section.parts if isinstance(part, Figure)]


def test_the_ingest_page_shows_every_figure_once_and_says_where_the_rows_went(stage_run):
    result = stage_run.results["ingest"]
    report, quality = result.report, result.quality
    assert [s.heading for s in report.sections][:3] == [
        "01 · Ingest: what is in the data, and what did cleaning do?",
        "What we found",
        "Where the rows went",
    ]
    assert sorted(map(id, figures_shown(report))) == sorted(map(id, result.figures.values()))
    assert report.section("What we found").parts[0].sentences == tuple(result.findings.sentences)
    rules = report.section("Where the rows went").parts[2]
    assert isinstance(rules, Table) and rules.frame["rows"].sum() == quality["rows_quarantined"]
    text = report.text()
    assert f"{count(quality['returns_netted'])} return lines" in text
    for name, table in result.tables.items():  # the hostile store gives both side tables
        kept = count(table.report["rows_kept"])
        assert f"{kept} of {count(table.report['rows_in'])} rows kept" in text, name
    assert "No member table" not in text


def test_the_ingest_page_is_in_chinese_and_says_what_a_member_table_would_add(tmp_path):
    config = small_config(tmp_path, report={"language": "zh"})
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    del settings["customers"], settings["surveys"]  # a log without a member table or survey answers
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    result = ingest.run(config, tmp_path / "run")
    with use_language("zh"):
        expected = [t("What we found"), t("The member and survey tables"), t("Next")]
    headings = [s.heading for s in result.report.sections]
    assert all(heading in headings for heading in expected) and "What we found" not in headings
    (what_it_would_add,) = result.report.section(expected[1]).parts  # no table to show: what one would add
    assert isinstance(what_it_would_add, Prose) and "`customers:`" in what_it_would_add.text()
    assert not what_it_would_add.text().isascii(), "said in Chinese"
    assert result.tables == {}
    assert f"{result.quality['rows_kept']:>10,}" in result.checked


def test_the_clv_page_shows_every_figure_once_and_the_forecast_with_its_interval(stage_run):
    result, settings = stage_run.results["clv"], load_config(stage_run.config).clv
    report = result.report
    assert sorted(map(id, figures_shown(report))) == sorted(map(id, result.figures.values()))
    band = result.bootstrap.loc["total_purchases"]
    sure = report.section("4. How sure are we?").parts[0].text()
    assert (
        f"**{count(band['estimate'])} purchases** (90% interval {count(band['p05'])} to {count(band['p95'])})" in sure
    )
    assert f"chosen by holdout {settings.selection_metric}: {result.chosen_label}" in result.checked
    without = clv_page(replace(result, bootstrap=None), settings)
    assert without.section("4. How sure are we?").parts[0].text().startswith("The bootstrap is off")
    appendix = without.section("Appendix: the models and their parameters, checked").parts
    assert not any(isinstance(part, Table) and "p05" in part.frame.columns for part in appendix)


def test_the_clv_page_says_when_the_models_were_fitted_on_a_sample(stage_run):
    result, settings = stage_run.results["clv"], load_config(stage_run.config).clv
    assert result.calibration_customers <= settings.fit_max_customers
    assert (
        "seeded sample" not in clv_page(result, settings).text() and "refitted on all customers" in result.report.text()
    )
    capped = settings.model_copy(update={"fit_max_customers": 300})  # below the calibration's customers (a copy: 300
    text = clv_page(result, capped).text()  # is below the smallest cap a config accepts, 1,000)
    assert "Beyond 300 customers each model is fitted on a seeded sample of that many" in text
    assert f"refitted on a seeded sample of 300 of the {count(len(result.values))} customers" in text
    with use_language("zh"):
        assert "客户超过 300 位时" in clv_page(result, capped).text()


def test_the_clv_page_names_a_model_that_could_not_be_fitted(stage_run):
    result, settings = stage_run.results["clv"], load_config(stage_run.config).clv
    failed = replace(result, fits=replace(result.fits, failures={"MBG/NBD": "did not converge"}))
    text = clv_page(failed, settings).text()
    assert "MBG/NBD could not be fitted:** did not converge" in text


def test_the_churn_page_shows_every_figure_once_and_states_the_scorer_it_chose(stage_run):
    result, settings = stage_run.results["churn"], load_config(stage_run.config).churn
    report = result.report
    assert sorted(map(id, figures_shown(report))) == sorted(map(id, result.figures.values()))
    trust = report.section("2. Can we trust the score?").parts
    auc = result.summary.loc[result.chosen, "roc_auc"]
    assert f"mean ROC-AUC of **{auc:.3f}**" in trust[1].text()
    assert next(part.frame for part in trust if isinstance(part, Table)) is result.summary
    what_to_do = [p for p in report.section("1. What to do, and for whom").parts if isinstance(p, Table)]
    assert what_to_do[0].frame["customers"].sum() == len(result.scored)  # one action per customer
    assert what_to_do[1].frame["customers"].sum() == len(result.scored)  # value level x risk tier
    rules = report.section("Appendix: backtest design and checks").parts[-1]
    assert isinstance(rules, Bullets) and len(rules.sentences) == len(settings.action_rules)
    lines = {line.split()[0]: line.split()[-1] for line in result.checked.splitlines() if line.strip()}
    for tier, customers in result.scored["risk_tier"].value_counts().items():
        assert lines[tier] == f"{customers:,}"
    assert f"in budget {int(result.scored['in_budget'].sum()):,}" in result.checked


def test_the_churn_page_says_when_the_scorers_were_tested_on_a_sample_and_within_what_error(stage_run):
    result, settings = stage_run.results["churn"], load_config(stage_run.config).churn
    assert "`churn.test_max_customers`" not in result.report.text()  # the small store: every customer tested
    most = max(result.cutoff_customers.values())
    sampled = replace(result, auc_sampling_error=0.00312)
    capped = settings.model_copy(update={"test_max_customers": 100})  # a copy: below the smallest cap a config takes
    text = churn_page(sampled, capped).text()
    assert (f"tested on a seeded random sample of 100 of its customers (up to {count(most)}; "
            "`churn.test_max_customers`): a ROC-AUC measured on the sample is within ±0.0062") in text  # fmt: skip
    with use_language("zh"):
        assert "±0.0062" in churn_page(sampled, capped).text()


def test_the_churn_page_says_what_survey_answers_would_add_and_when_the_model_loses(stage_run):
    result, settings = stage_run.results["churn"], load_config(stage_run.config).churn
    assert result.surveys is not None  # the small store has survey answers
    baseline = replace(result, surveys=None, scorer=result.best_baseline)
    report = churn_page(baseline, settings)
    (said,) = report.section("Does satisfaction predict churn?").parts
    assert said.text().startswith("No survey answers were given")
    verdict = report.section("2. Can we trust the score?").parts[1].text()
    assert "**the list is scored with" in verdict and "The model adds information" not in verdict
    with use_language("zh"):
        chinese = churn_page(result, settings)
    assert len(chinese.sections) == len(report.sections)
    assert not any(section.heading.isascii() for section in chinese.sections), "every heading in Chinese"


def test_the_next_purchase_page_shows_every_figure_once_and_the_reminder_list(stage_run):
    result = stage_run.results["next_purchase"]
    report = result.report
    assert sorted(map(id, figures_shown(report))) == sorted(map(id, result.figures.values()))
    soon = report.section("1. Who buys soon").parts
    assert f"**{count(len(result.due))} customers are on the reminder list**" in soon[0].text()
    assert len(soon[1].frame) == min(15, len(result.due))
    offers = report.section("2. What to offer").parts
    sequences = [p for p in offers if isinstance(p, Table) and "next_item" in p.frame.columns]
    assert len(sequences) == 1 and not sequences[0].show_index
    assert f"offers by {result.offers.chosen}" in result.checked
    assert f"customers {len(result.customers):,}; due soon {len(result.due):,}" in result.checked


def test_the_next_purchase_page_without_categories_bundles_or_an_action_list(stage_run):
    result = stage_run.results["next_purchase"]
    no_bundles = replace(result, offers=replace(result.offers, bundles=result.offers.bundles.head(0)))
    assert "No pair of categories is bought together" in next_purchase_page(no_bundles).text()
    bare = replace(result, offers=None, action_list_customers=None)
    text = next_purchase_page(bare).text()
    assert "The data has no category column" in text and "04_churn did not run" in text
    assert not [p for p in next_purchase_page(bare).section("2. What to offer").parts if isinstance(p, Figure)]
    assert next_purchase_checked(bare).endswith("no category column: no offers")


def test_the_campaign_plan_page_shows_the_groups_who_can_be_reached_and_the_power(stage_run):
    result = stage_run.results["campaign"]
    report, plan = result.report, result.plan
    assert sorted(map(id, figures_shown(report))) == sorted(map(id, result.figures.values()))
    assert "1. What the campaign earned" not in [s.heading for s in report.sections]
    tables = [p for p in report.section("1. The plan").parts if isinstance(p, Table)]
    assert tables[1].frame is plan.reach and plan.reach["reachable"].sum() <= plan.reach["customers"].sum()
    (power,) = [p for p in report.section("2. Can the plan show an effect?").parts if isinstance(p, Table)]
    assert power.frame is plan.power
    groups = plan.plan["group"].value_counts()
    for group, customers in groups.items():
        assert any(line.split() == [group, f"{customers:,}"] for line in result.checked.splitlines()), group
    unreachable = campaign_page(replace(result, plan=replace(plan, reach=None)))
    assert "without a member table" in unreachable.section("1. The plan").parts[-1].text()


def test_the_segment_page_shows_every_figure_once_and_tables_that_sum_to_the_customers(stage_run):
    result, config = stage_run.results["segment"], load_config(stage_run.config)
    report, customers = result.report, len(result.customers)
    assert sorted(map(id, figures_shown(report))) == sorted(map(id, result.figures.values()))
    found = report.section("What we found").parts[0].sentences
    assert found[0].startswith(f"Analysis date {result.today}: {count(customers)} customers")
    for title, frame in (("1. Segments", result.segments), ("2. Value tiers and spend levels", result.tiers),
                         ("3. Lifecycle stages", None)):  # fmt: skip
        (table, *_) = [p for p in report.section(title).parts if isinstance(p, Table)]
        assert frame is None or table.frame is frame
        assert table.frame["customers"].sum() == customers, title
    profile = result.profile
    dimension_headings = {section.heading for section in report.sections if section.level == 3}
    assert {dimension.replace("_", " ") for dimension in profile.dimensions} <= dimension_headings
    assert {"Who can be contacted", "Points", "Baby stages", "Who answers"} <= dimension_headings
    rules = report.section("11. Abnormal behaviour").parts[1]
    assert isinstance(rules, Bullets) and rules.sentences[0].startswith("**Frequent returns**")
    alerts = profile.alerts.alerts
    assert f"{count(len(alerts))} alerts for {count(alerts['customer_id'].nunique())} customers" in report.text()
    assert f"{len(result.clusters)} clusters: " in result.checked
    assert config.alerts.robust_z and f"median + {config.alerts.robust_z:g} robust" in report.text()


def test_the_segment_page_of_a_bare_log_says_what_each_table_would_add_and_shows_no_empty_alert_table(stage_run):
    result, config = stage_run.results["segment"], load_config(stage_run.config)
    profile = replace(result.profile, coverage=None, reachability=None, points=None, cards=None, baby=None, nps=None,
                      alerts=replace(result.profile.alerts, alerts=result.profile.alerts.alerts.head(0)))  # fmt: skip
    bare = segment_page(replace(result, profile=profile), config.segment, alerts=config.alerts)
    text = bare.text()
    assert "No member table was given" in text and "No survey answers were given" in text
    headings = [section.heading for section in bare.sections]
    assert not {"Who can be contacted", "Points", "Baby stages", "Who answers"} & set(headings)
    abnormal = bare.section("11. Abnormal behaviour").parts
    assert abnormal[0].text().startswith("0 alerts for 0 customers") and not any(isinstance(p, Table) for p in abnormal)
    assert segment_checked(replace(result, profile=profile)).splitlines()[0] == "customers per score"
