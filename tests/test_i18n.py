"""Every word a reader sees has its Simplified Chinese translation, and Chinese renders in every figure."""

from __future__ import annotations

import ast
import json
import re
import string
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from conftest import ROOT

from helpers.core.config import DEFAULT_ACTION_RULES, LIFECYCLE_STAGES, RISK_TIERS, VALUE_LEVELS, SegmentSection
from helpers.data import ingest, profile_tables, schemas
from helpers.language.i18n import header, t, t_series, term, use_language
from helpers.language.messages import MESSAGES, ZH
from helpers.models import alerts, campaign, next_purchase, profiles, recommend
from helpers.models.churn import BASELINES, feature_label, make_models
from helpers.models.segment import CN8_SEGMENTS
from helpers.report import pages, plots


def messages_in_code() -> dict[str, str]:
    """Every literal message given to t() or t_series() in src/, the notebooks and the templates."""
    found = {}

    def scan(source: str, where: str) -> None:
        calls = (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and n.args)
        for node in calls:
            first = node.args[0]
            if getattr(node.func, "id", None) in ("t", "t_series") and isinstance(first, ast.Constant):
                found.setdefault(first.value, where)

    for path in (ROOT / "src").rglob("*.py"):
        scan(path.read_text(encoding="utf-8"), str(path))
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                scan("".join(cell["source"]), str(path))
    for path in (ROOT / "src" / "helpers" / "report" / "templates").glob("*.j2"):
        for message in re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")):
            found.setdefault(message.replace("\\'", "'"), str(path))
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def vocabulary() -> set[str]:
    """Names and values the reports show that come from the workbench itself (not from the user's data)."""
    levels = SegmentSection().spend_levels
    words = {rule.segment for rule in SegmentSection().rules} | set(CN8_SEGMENTS.values())
    words |= {"VIP", "high potential", "regular", *levels, *LIFECYCLE_STAGES, *RISK_TIERS, *VALUE_LEVELS}
    words |= {rule.action for rule in DEFAULT_ACTION_RULES} | set(BASELINES) | set(make_models(0))
    words |= {rule.name.replace("_", " ") for rule in ingest.ALL_RULES} | {r.description for r in ingest.ALL_RULES}
    words |= {feature_label(c.name) for c in schemas.CHURN_FEATURES} | set(pages.HEADINGS.values())
    words |= set(pages.STATUS) | {"weeks", "days", "week", "day", "mean", "median", "channel", "category"}
    words |= set(recommend.METHODS) | set(next_purchase.PREDICTORS) | set(campaign.GROUPS) | {"plan", "measure"}
    words |= {"persuadable", "sure thing", "do not disturb", "lost cause", "all cells", "contact",
              "do not contact (control)"}  # fmt: skip
    words |= {label for _, label in (*profiles.AGE_BANDS, *profiles.TENURE_BANDS, *profiles.BABY_STAGES)}
    words |= set(alerts.ALERT_TYPES) | set(alerts.SEVERITIES) | {d.replace("_", " ") for d in profiles.DIMENSIONS}
    words |= {"female", "male", "unknown", "member table", "first newborn purchase", "answered", "did not answer",
              "survey answers"}  # fmt: skip
    for rules in (profile_tables.MEMBER_RULES, profile_tables.SURVEY_RULES):
        words |= set(rules.values()) | {name.replace("_", " ") for name in rules}
    return words


def test_every_message_in_the_code_has_a_chinese_translation_with_the_same_placeholders():
    found = messages_in_code()
    missing = sorted(m for m in found if m not in ZH)
    assert missing == [], f"{len(missing)} messages lack a translation in helpers.language.messages, e.g. {missing[:3]}"
    different = [m for m in found if placeholders(m) != placeholders(ZH[m])]
    assert different == []


def test_every_name_the_workbench_gives_has_a_chinese_translation():
    assert sorted(w for w in vocabulary() if w not in ZH) == []


def test_every_table_header_of_the_artifacts_has_a_chinese_translation():
    tables = (schemas.SEGMENTS, schemas.ACTION_LIST, schemas.NEXT_PURCHASE, schemas.CATEGORY_PAIRS,
              schemas.CATEGORY_TRANSITIONS, schemas.CAMPAIGN_PLAN, schemas.CAMPAIGN_POWER, schemas.CAMPAIGN_EFFECTS,
              schemas.CAMPAIGN_TARGETS, schemas.ALERTS)  # fmt: skip
    columns = {c.name for table in tables for c in table.columns}
    assert sorted(c for c in columns if c.replace("_", " ") not in ZH) == []


def test_every_message_keeps_its_emphasis_when_rendered():
    """Chinese punctuation next to `**` can stop Markdown from seeing the emphasis; no '*' may reach a reader."""
    from nbconvert.filters.markdown import markdown2html

    broken = []
    for message in {m for pair in MESSAGES.items() for m in pair}:
        names = {name: "X" for name in placeholders(message)}
        html = markdown2html(message.format(**names) if names else message)
        if "*" in re.sub(r"<code>.*?</code>", "", html):
            broken.append(message)
    assert broken == []


def test_language_switches_messages_names_and_money():
    from helpers.language.formatting import money, month

    use_language("zh")
    try:
        assert t("What we found") == "主要发现" and term("Champions") == "冠军客户" and term("C0001") == "C0001"
        assert header("share_of_revenue") == "销售额占比" and money(123456) == "$12.3万"
        assert month(__import__("datetime").date(2024, 3, 1)) == "2024年3月"
    finally:
        use_language("en")
    assert t("What we found") == "What we found" and header("share_of_revenue") == "share of revenue"
    with pytest.raises(ValueError, match="report.language"):
        use_language("fr")


def test_a_table_shows_true_and_false_as_yes_and_no_in_the_report_language():
    from helpers.language.i18n import for_reading

    frame = pd.DataFrame({"too_small": [True, False], "cells": [1, 2]}, index=pd.Index(["a", "b"], name="action"))
    with use_language("zh"):
        assert for_reading(frame)["样本不足"].tolist() == ["是", "否"]
    assert for_reading(frame)["too small"].tolist() == ["yes", "no"]
    assert for_reading(frame)["cells"].tolist() == [1, 2]


def test_every_translation_renders_in_a_figure_without_a_missing_glyph():
    plots.apply_style()
    characters = sorted(set("".join(ZH.values())) - set("{}\n"))
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        for start in range(0, len(characters), 60):  # every character of the catalogue, 60 to a line
            ax.text(0, start / len(characters), "".join(characters[start : start + 60]))
        fig.canvas.draw()
    plt.close(fig)


@pytest.mark.slow
def test_the_chinese_example_runs_end_to_end_with_chinese_reports(tmp_path):
    from helpers.run.runner import run

    config = yaml.safe_load((ROOT / "configs" / "babystore_zh.yaml").read_text(encoding="utf-8"))
    config["input"]["dataset_customers"] = 300
    config["run"]["output_dir"] = str(tmp_path / "runs")
    config["clv"]["bootstrap_samples"] = 0
    config["churn"].update(folds=1, train_cutoffs=1)
    path = tmp_path / "babystore_zh.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    front = run(path, run_id="zh")
    run_dir = front.parent
    assert (run_dir / "input" / "babystore_zh.csv").read_bytes().decode("gbk").startswith("客户ID")
    page = front.read_text(encoding="utf-8")
    assert "优先行动" in page and "主要发现" not in page and "What to do first" not in page
    for stage in ("01_ingest", "02_segment", "03_clv", "04_churn"):
        html = (run_dir / "html" / f"{stage}.html").read_text(encoding="utf-8")
        assert "主要发现" in html and "What we found" not in html and "附录" in html, stage
    assert "重要价值客户" in (run_dir / "html" / "02_segment.html").read_text(encoding="utf-8")
    assert (run_dir / "run.log").read_text(encoding="utf-8").count("missing from font") == 0
    export = (run_dir / "artifacts" / "action_list.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert export.startswith("优先级,客户ID,客户分层")
    assert set(json.loads((run_dir / "manifest.json").read_text())["stages"][s]["status"] for s in (
        "01_ingest", "02_segment", "03_clv", "04_churn")) == {"ok"}  # fmt: skip
    assert Path(run_dir / "artifacts" / "action_list.xlsx").exists()


def test_t_series_fills_from_empty_and_numeric_series():
    """An empty selection maps to an empty float Series; filling a message from it is an empty result, not a
    type error (a clean log with no overdue customer failed 05 so)."""
    empty = pd.Series([], dtype=float)
    assert t_series("{a} and {b}", a=empty, b=empty).empty
    assert t_series("{a}-day", a=pd.Series([3, 4])).tolist() == ["3-day", "4-day"]
