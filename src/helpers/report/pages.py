"""The run's front page, report.html: the headline findings of every stage, then links.

Rendered with Jinja2 (autoescaped) from the run folder alone: the manifest and the
findings_<stage>.json each stage wrote, so a front page can be re-rendered at any time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from helpers.data.artifacts import RunPaths, atomic_path
from helpers.data.pipeline import PIPELINE
from helpers.language.formatting import count, findings_html, money, use_currency
from helpers.language.i18n import t, term, use_language

__all__ = [
    "HEADINGS",
    "SHOWN_ACTIONS",
    "STATUS",
    "TEMPLATES",
    "action_rows",
    "campaign_files",
    "load_findings",
    "render_front_page",
    "stage_sections",
    "tiles",
    "warnings_logged",
]

HEADINGS = {stage.name: stage.heading for stage in PIPELINE}
STATUS = ("ok", "failed", "skipped", "stale", "interrupted", "running")  # what a stage's record can say
TEMPLATES = Environment(
    loader=PackageLoader("helpers.report", "templates"), autoescape=select_autoescape(["html", "j2"])
)


def load_findings(paths: RunPaths) -> dict[str, dict]:
    """Each stage's findings JSON in the run folder, by stage name."""
    found = {}
    for path in sorted(paths.artifacts.glob("findings_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        # a number no stage could compute is null in the JSON: NaN again here, shown as such
        data["numbers"] = {k: math.nan if v is None else v for k, v in data.get("numbers", {}).items()}
        found[data["stage"]] = data
    return found


def tiles(found: dict[str, dict]) -> list[dict]:
    """The headline numbers, each with a label in words."""
    result = []
    if data := found.get("01_ingest", {}).get("numbers"):
        result += [
            {"value": count(data["customers"]),
             "label": t("customers, {first} to {last}", first=data["first_date"], last=data["last_date"])},
            {"value": money(data["revenue"]),
             "label": t("revenue from {purchases} purchases", purchases=count(data["purchases"]))},
            {"value": f"{data['rows_kept'] / data['rows_in']:.1%}" if data["rows_in"] else "–",
             "label": t("of rows kept; {rows} set aside with a reason", rows=count(data["rows_set_aside"]))},
        ]  # fmt: skip
    if (data := found.get("02_segment", {}).get("numbers")) and "nps" in data:
        result.append({"value": f"{data['nps']:+.0f}",
                       "label": t("NPS (95% interval {low} to {high}; {n} customers gave a score)",
                                  low=f"{data['nps_low']:+.0f}", high=f"{data['nps_high']:+.0f}",
                                  n=count(data["nps_responses"]))})  # fmt: skip
    if data := found.get("03_clv", {}).get("numbers"):
        band = (t(" (90% interval {low}–{high})", low=count(data["purchases_p05"]), high=count(data["purchases_p95"]))
                if "purchases_p05" in data else "")  # fmt: skip
        result.append({"value": money(data["clv"]), "label": t(
            "customer lifetime value, next {months} months; {purchases} purchases expected{band}",
            months=data["horizon_months"], purchases=count(data["expected_purchases"]), band=band)})  # fmt: skip
    if data := found.get("04_churn", {}).get("numbers"):
        versus = (t("a simple baseline: no model beat it") if data["scorer_is_baseline"]
                  else t("best simple baseline {auc}", auc=f"{data['best_baseline_roc_auc']:.3f}"))  # fmt: skip
        result += [
            {"value": count(data["high_risk_customers"]), "label": t("customers at high risk of churning")},
            {"value": money(data["value_at_risk"]),
             "label": t("value at risk: the margin of active customers expected to lapse")},
            {"value": f"{data['roc_auc']:.3f}",
             "label": t("ROC-AUC of the churn score ({scorer}); ", scorer=term(data["scorer"])) + versus},
        ]  # fmt: skip
    if data := found.get("05_next_purchase", {}).get("numbers"):
        result.append({"value": count(data["expected_buyers_30d"]),
                       "label": t("customers expected to buy in the next 30 days; {due} due soon",
                                  due=count(data["due_soon"]))})  # fmt: skip
        if "offer_hit_rate" in data:
            result.append({"value": f"{data['offer_hit_rate']:.0%}",
                           "label": t("of customers bought one of their offers on the time split ({method}; "
                                      "most popular categories: {base})", method=term(data["offer_method"]),
                                      base=f"{data['popularity_hit_rate']:.0%}")})  # fmt: skip
        if "demand_forecast" in data:
            mase = data.get("demand_mase")
            checked = "" if mase is None else t("; its error on the months held out {mase} × seasonal-naive's",
                                                mase=f"{mase:.2f}")  # fmt: skip
            result.append({"value": money(data["demand_forecast"]),
                           "label": t("revenue forecast for the next {months} months", months=data["demand_months"])
                           + checked})  # fmt: skip
    if data := found.get("06_campaign", {}).get("numbers"):
        if "control" in data:  # a plan
            result.append({"value": count(data["control"]),
                           "label": t("customers held out as a control group of {customers}; smallest detectable "
                                      "lift {mde} points", customers=count(data["customers"]),
                                      mde=f"{100 * data['mde_conversion']:.1f}")})  # fmt: skip
        else:
            label = t("points of conversion from the campaign (95% interval {low} to {high}); {margin} margin for "
                      "{cost} spent", low=f"{100 * data['conversion_low']:+.1f}",
                      high=f"{100 * data['conversion_high']:+.1f}", margin=money(data["incremental_margin"]),
                      cost=money(data["cost"]))  # fmt: skip
            result.append({"value": f"{100 * data['conversion_lift']:+.1f}", "label": label})
    return result


def warnings_logged(paths: RunPaths) -> int:
    """How many warnings the stages' kernels and engines wrote to run.log (shown as a count, never as raw text)."""
    if not paths.log.exists():
        return 0
    return sum("Warning" in line for line in paths.log.read_text(encoding="utf-8", errors="replace").splitlines())


def stage_sections(manifest: dict, found: dict[str, dict], paths: RunPaths) -> list[dict]:
    sections = []
    for name, record in manifest["stages"].items():
        report = paths.root / "html" / f"{name}.html"
        findings = found.get(name) if record["status"] == "ok" else None
        sections.append({
            "name": name,
            "heading": t(HEADINGS.get(name, name)),
            "status": record["status"],
            "status_text": t(record["status"]),
            "seconds": f"{record['seconds']:.0f} s",
            "findings": findings_html(findings["sentences"]) if findings else [],  # escaped, shown as is
            "note": record.get("error") or "",
            "report": f"html/{name}.html" if report.exists() else None,
        })  # fmt: skip
    return sections


def campaign_files(manifest: dict, paths: RunPaths) -> list[str]:
    """The campaign files people open, when 06_campaign ran in this folder."""
    if manifest["stages"].get("06_campaign", {}).get("status") != "ok":
        return []
    names = ("contact_plan.xlsx", "campaign_plan.xlsx", "campaign_targets.xlsx")
    return [name for name in names if paths.artifact(name).exists()]


SHOWN_ACTIONS = 6  # the front page's action table: the first actions, the rest in one row, then the total


def action_rows(actions: list[dict], shown: int = SHOWN_ACTIONS) -> list[dict]:
    """The front page's action table: the first `shown` actions (by value at risk), the others summed in one row,
    and every customer in a total row, so the parts add up to the whole."""

    def row(name: str, items: list[dict]) -> dict:
        return {"action_text": name, "customers": count(sum(a["customers"] for a in items)),
                "in_budget": count(sum(a["in_budget"] for a in items))}  # fmt: skip

    if not actions:
        return []
    rows = [row(str(term(a["action"])), [a]) for a in actions[:shown]]
    if len(actions) > shown:
        rows.append(row(t("{n} other actions", n=len(actions) - shown), actions[shown:]))
    return [*rows, row(t("all customers"), actions)]


def render_front_page(manifest: dict, paths: RunPaths, *, currency: str = "$", language: str = "en") -> Path:
    """Write report.html into the run folder and return its path (in the report's language and currency, which
    apply to this page only)."""
    with use_currency(currency), use_language(language):
        return _write_front_page(manifest, paths, language)


def _write_front_page(manifest: dict, paths: RunPaths, language: str) -> Path:
    found = load_findings(paths)
    facts = found.get("01_ingest", {}).get("numbers", {})
    churn = found.get("04_churn", {}).get("numbers", {})
    page = TEMPLATES.get_template("front_page.html.j2").render(
        t=t,
        language=language,
        title=t("Customer analytics: {name}", name=manifest["config_resolved"]["run"]["name"]),
        run_id=manifest["run_id"],
        period=t("{first} to {last}", first=facts["first_date"], last=facts["last_date"])
        if facts
        else t("(not ingested)"),
        config_file=Path(str(manifest["config_file"])).name,
        finished=manifest.get("finished", "-"),
        tiles=tiles(found),
        actions=action_rows(churn.get("top_actions", [])),
        stages=stage_sections(manifest, found, paths),
        action_list=manifest["stages"].get("05_next_purchase", {}).get("status") == "ok"
        and paths.artifact("action_list.xlsx").exists(),
        due_soon=manifest["stages"].get("05_next_purchase", {}).get("status") == "ok",
        alerts=manifest["stages"].get("02_segment", {}).get("status") == "ok"
        and paths.artifact("alerts.xlsx").exists(),
        campaign_files=campaign_files(manifest, paths),
        warnings=warnings_logged(paths),
    )
    target = paths.root / "report.html"
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return target
