"""The front page: rendered from the run folder's findings, values escaped, the scorer described truthfully."""

from __future__ import annotations

import json

import pandas as pd

from helpers.data.artifacts import RunPaths
from helpers.report.findings import Findings
from helpers.report.pages import render_front_page

SCRIPT = "<script>alert(1)</script>"


def churn_numbers(**overrides) -> dict:
    return {"high_risk_customers": 40, "value_at_risk": 1234.5, "scorer": "days since last purchase",
            "scorer_is_baseline": True, "roc_auc": 0.71, "best_baseline": "days since last purchase",
            "best_baseline_roc_auc": 0.71, "contact_budget": 10,
            "top_actions": [{"action": SCRIPT, "customers": 1200, "in_budget": 10}]} | overrides  # fmt: skip


def front_page(tmp_path, numbers: dict, status: str = "ok") -> str:
    paths = RunPaths(tmp_path / "run")
    paths.write_json(Findings("04_churn", [f"**40 customers** bought {SCRIPT}"], numbers).as_json(),
                     "findings_churn.json")  # fmt: skip
    stages = {"04_churn": {"status": status, "seconds": 3.0, "error": None}}
    manifest = {"run_id": "r1", "config_file": "/x/cfg.yaml", "config_resolved": {"run": {"name": SCRIPT}},
                "finished": "now", "stages": stages}  # fmt: skip
    return render_front_page(manifest, paths, currency="¥").read_text(encoding="utf-8")


def test_the_front_page_escapes_values_and_shows_the_findings(tmp_path):
    page = front_page(tmp_path, churn_numbers())
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert "<strong>40 customers</strong>" in page and "¥1.2k" in page and "1,200" in page
    assert "a simple baseline: no model beat it" in page


def test_a_model_scorer_is_compared_with_the_best_baseline(tmp_path):
    page = front_page(tmp_path, churn_numbers(scorer="logistic regression", scorer_is_baseline=False, roc_auc=0.8))
    assert "best simple baseline 0.710" in page


def test_findings_of_a_stage_that_did_not_finish_are_not_shown(tmp_path):
    page = front_page(tmp_path, churn_numbers(), status="stale")
    assert "40 customers</strong>" not in page and "stale" in page


def test_warnings_in_the_run_log_are_counted_on_the_front_page_not_shown(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.log").write_text("UserWarning: something odd <b>\nplain line\nFutureWarning: x\n")
    page = front_page(tmp_path, churn_numbers())
    assert "2 warnings were logged" in page and "something odd" not in page


def test_the_action_table_adds_up_to_every_customer(stage_run):
    from helpers.report.pages import SHOWN_ACTIONS, action_rows

    top = json.loads((stage_run.run_dir / "artifacts" / "findings_churn.json").read_text(encoding="utf-8"))
    actions = top["numbers"]["top_actions"]
    assert len(actions) > SHOWN_ACTIONS, "the small store has more actions than the table shows one by one"
    rows = action_rows(actions)
    assert len(rows) == SHOWN_ACTIONS + 2 and rows[-2]["action_text"].endswith("other actions")
    number = lambda text: int(text.replace(",", ""))  # noqa: E731
    customers = len(pd.read_parquet(stage_run.run_dir / "artifacts" / "churn.parquet"))
    assert sum(number(r["customers"]) for r in rows[:-1]) == number(rows[-1]["customers"]) == customers
    assert sum(number(r["in_budget"]) for r in rows[:-1]) == number(rows[-1]["in_budget"])
    assert action_rows(actions[:3])[-1]["action_text"] == "all customers" and len(action_rows(actions[:3])) == 4
