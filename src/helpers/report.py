"""The run's front page, report.html: the headline findings of every stage, then links.

Rendered with Jinja2 (autoescaped) from the run folder alone: the manifest and the
findings_<stage>.json each stage wrote, so a front page can be re-rendered at any time.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from helpers.artifacts import RunPaths, atomic_path
from helpers.formatting import count, findings_html, money, use_currency

HEADINGS = {"01_ingest": "Data", "02_segment": "Segments", "03_clv": "Customer value", "04_churn": "Churn and actions"}
TEMPLATES = Environment(loader=PackageLoader("helpers", "templates"), autoescape=select_autoescape(["html", "j2"]))


def load_findings(paths: RunPaths) -> dict[str, dict]:
    """Each stage's findings JSON in the run folder, by stage name."""
    found = {}
    for path in sorted(paths.artifacts.glob("findings_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["stage"]] = data
    return found


def tiles(found: dict[str, dict]) -> list[dict]:
    """The headline numbers, each with a label in words."""
    result = []
    if data := found.get("01_ingest", {}).get("numbers"):
        result += [
            {"value": count(data["customers"]), "label": f"customers, {data['first_date']} to {data['last_date']}"},
            {"value": money(data["revenue"]), "label": f"revenue from {count(data['purchases'])} purchases"},
            {"value": f"{data['rows_kept'] / data['rows_in']:.1%}" if data["rows_in"] else "–",
             "label": f"of rows kept; {count(data['rows_set_aside'])} set aside with a reason"},
        ]  # fmt: skip
    if data := found.get("03_clv", {}).get("numbers"):
        band = (f" (90% interval {count(data['purchases_p05'])}–{count(data['purchases_p95'])} purchases)"
                if "purchases_p05" in data else "")  # fmt: skip
        result.append({"value": money(data["clv"]),
                       "label": f"customer lifetime value, next {data['horizon_months']} months{band}"})  # fmt: skip
    if data := found.get("04_churn", {}).get("numbers"):
        result += [
            {"value": count(data["high_risk_customers"]), "label": "customers at high risk of churning"},
            {"value": money(data["value_at_risk"]), "label": "value at risk (value if kept × churn probability)"},
            {"value": f"{data['roc_auc']:.2f}", "label": f"ROC-AUC of the churn score ({data['scorer']}); "
             + ("a simple baseline: no model beat it" if data["scorer_is_baseline"]
                else f"best simple baseline {data['best_baseline_roc_auc']:.2f}")},
        ]  # fmt: skip
    return result


def stage_sections(manifest: dict, found: dict[str, dict], paths: RunPaths) -> list[dict]:
    sections = []
    for name, record in manifest["stages"].items():
        report = paths.root / "html" / f"{name}.html"
        findings = found.get(name) if record["status"] == "ok" else None
        sections.append({
            "name": name,
            "heading": HEADINGS.get(name, name),
            "status": record["status"],
            "seconds": f"{record['seconds']:.0f} s",
            "findings": findings_html(findings["sentences"]) if findings else [],  # escaped, shown as is
            "note": record.get("error") or "",
            "report": f"html/{name}.html" if report.exists() else None,
        })  # fmt: skip
    return sections


def render_front_page(manifest: dict, paths: RunPaths, currency: str = "$") -> Path:
    """Write report.html into the run folder and return its path."""
    use_currency(currency)
    found = load_findings(paths)
    facts = found.get("01_ingest", {}).get("numbers", {})
    churn = found.get("04_churn", {}).get("numbers", {})
    page = TEMPLATES.get_template("front_page.html.j2").render(
        title=f"Customer analytics: {manifest['config_resolved']['run']['name']}",
        run_id=manifest["run_id"],
        period=f"{facts['first_date']} to {facts['last_date']}" if facts else "(not ingested)",
        config_file=Path(str(manifest["config_file"])).name,
        finished=manifest.get("finished", "-"),
        tiles=tiles(found),
        actions=[
            {**a, "customers": count(a["customers"]), "in_budget": count(a["in_budget"])}
            for a in churn.get("top_actions", [])[:6]
        ],
        stages=stage_sections(manifest, found, paths),
    )
    target = paths.root / "report.html"
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return target
