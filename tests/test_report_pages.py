"""Stage pages built in the package (`helpers.report`): what each section says, in English and Chinese, without a
notebook."""

from __future__ import annotations

from dataclasses import replace

import yaml
from conftest import small_config

from helpers.core.config import load_config
from helpers.language.formatting import count
from helpers.language.i18n import t, use_language
from helpers.report.clv_page import clv_page
from helpers.report.sections import Figure, Prose, Report, Table
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


def test_the_clv_page_names_a_model_that_could_not_be_fitted(stage_run):
    result, settings = stage_run.results["clv"], load_config(stage_run.config).clv
    failed = replace(result, fits=replace(result.fits, failures={"MBG/NBD": "did not converge"}))
    text = clv_page(failed, settings).text()
    assert "MBG/NBD could not be fitted:** did not converge" in text
