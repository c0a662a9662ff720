"""One number, one value: the rendered pages of a CDNOW run (English) and a baby-store run (Chinese) read as a
manager reads them. Each named quantity has one value wherever a page shows it (found through the very message
templates that print it), tables that list parts add up to their totals, and the Chinese pages show no English word
but names and no raw float (issue 34)."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import bs4
import pandas as pd
import pytest
import yaml

from helpers.language.formatting import count
from helpers.language.i18n import header, t, use_language
from helpers.language.messages import MESSAGES
from helpers.run.runner import run

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The run folders: CDNOW in English as configured, the Chinese baby store smaller (one churn fold)."""
    folder = tmp_path_factory.mktemp("consistency")
    cdnow = yaml.safe_load((ROOT / "configs" / "cdnow.yaml").read_text(encoding="utf-8"))
    chinese = yaml.safe_load((ROOT / "configs" / "babystore_zh.yaml").read_text(encoding="utf-8"))
    chinese["input"]["dataset_customers"] = 1500
    chinese["churn"].update(folds=1, train_cutoffs=1)
    found = {}
    for language, name, config in (("en", "cdnow", cdnow), ("zh", "babystore_zh", chinese)):
        config["run"] = {**config.get("run", {}), "output_dir": str(folder / "runs")}
        path = folder / f"{name}.yaml"  # the front page names the config and the run: names, not prose
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        found[language] = run(path, run_id=name).parent
    return found


def page_texts(run_dir: Path, *, prose_only: bool = False) -> dict[str, str]:
    """Each page's visible text, whitespace collapsed; `prose_only` leaves out code (names of settings, files and
    values as the user writes them)."""
    pages = [run_dir / "report.html", *sorted((run_dir / "html").glob("*.html"))]
    texts = {}
    for page in pages:
        soup = bs4.BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for hidden in soup(["script", "style", "title", *(["code"] if prose_only else [])]):
            hidden.decompose()
        texts[page.stem] = " ".join(soup.get_text(" ").split())
    return texts


def page_tables(page: Path) -> list[dict[str, list[str]]]:
    """Each table of a page as {row label: cells}, the header row under '' (a row naming the index is left out)."""
    soup = bs4.BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    tables = []
    for table in soup.find_all("table"):
        rows = {}
        for row in table.find_all("tr"):
            cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
            if not rows:
                rows[""] = cells[1:]
            elif any(cells[1:]):
                rows.setdefault(cells[0], cells[1:])
        tables.append(rows)
    return tables


def _literal(text: str) -> str:
    """A template's literal text as a pattern: markdown marks dropped, any whitespace allowed between characters
    (a page puts spaces where an element ends)."""
    return "".join(re.escape(char) + r"\s*" for char in re.sub(r"[*`]", "", text) if not char.isspace())


def values(texts: dict[str, str], template: str, field: str, *, language: str, **fixed: str) -> dict[str, list[str]]:
    """The values a message template shows for `field` on each page: the template in the page's language, its
    other fields fixed to the given text or matched loosely."""
    pattern = ""
    for literal, name, _, _ in string.Formatter().parse(MESSAGES[template] if language == "zh" else template):
        pattern += _literal(literal)
        if name == field:
            pattern += r"([+\-−]?[\d,.]+[%万]?)\s*"
        elif name is not None:
            pattern += _literal(fixed[name]) if name in fixed else r".{0,120}?\s*"
    return {page: found for page, text in texts.items() if (found := re.findall(pattern, text))}


def number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-").rstrip("%"))


def template(start: str) -> str:
    """The one message (its English key) that starts with `start`."""
    found = [key for key in MESSAGES if key.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


CONTACT = "**Contact {contacted} of {customers} customers this cycle**"
BUDGET = "The contact budget of {budget} goes to"


def quantities(run_dir: Path, language: str) -> list[tuple[str, str, list[tuple[str, str, dict]]]]:
    """(quantity, its value from the artifacts as a page writes it, [(template, field, fixed fields)])."""
    artifacts = run_dir / "artifacts"

    def read(name: str) -> dict:
        return json.loads((artifacts / name).read_text(encoding="utf-8"))

    quality, profile = read("quality.json"), read("profile.json")
    churn, clv = read("findings_churn.json")["numbers"], read("findings_clv.json")["numbers"]
    listed = [
        ("customers", count(profile["customers"]), [
            (template("From {first} to {last}, **{customers} customers**"), "customers", {}),
            (template("Analysis date {date}: {customers} customers"), "customers", {}),
            (template(CONTACT), "customers", {})]),
        ("rows set aside", count(quality["rows_quarantined"]), [
            (template("Data quality: **{kept} of {rows} rows kept**"), "aside", {}),
            (template("of rows kept; {rows} set aside"), "rows", {})]),
        ("holdout error", f"{clv['holdout_error']:+.1%}", [
            (template("**{model}** forecast the holdout period best"), "error", {}),
            (template("Calibration: customers acquired up to **{end}**"), "error", {})]),
        ("expected purchases", count(clv["expected_purchases"]), [
            (template("customer lifetime value, next {months} months;"), "purchases", {}),
            (template("Over the next {months} months customers are expected to make"), "purchases", {}),
            (template("We refit the models on bootstrap samples"), "purchases", {})]),
        ("churn ROC-AUC", f"{churn['roc_auc']:.3f}", [
            (template("The list is scored by the **{scorer}** model"), "auc", {}),
            (template("No model beat the simple score **{scorer}**"), "auc", {})]),
        *((f"not this cycle: {field}", "", [(template(BUDGET), field, {}), (template(CONTACT), field, {})])
          for field in ("held", "store")),
    ]  # fmt: skip
    if (artifacts / "surveys.parquet").exists():
        with use_language(language):
            survey = {"table": t("survey answers")}
        listed += [
            ("customers who gave a score", count(read("findings_segment.json")["numbers"]["nps_responses"]), [
                (template("NPS (95% interval {low} to {high}; {n} customers gave a score)"), "n", {}),
                (template("**NPS {nps}** (95% interval {low} to {high}; {n} customers gave a score)"), "n", {})]),
            ("customers in the survey table", count(quality["tables"]["surveys"]["log_customers_in_table"]), [
                (template("**{table}**: {kept} of {rows} rows kept, {aside} set aside"), "in_log", survey),
                (template("{answered} customers answered;"), "answered", {})]),
        ]  # fmt: skip
    return listed


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_named_quantity_has_one_value_on_every_page(runs, language):
    texts = page_texts(runs[language])
    for quantity, expected, templates in quantities(runs[language], language):
        seen = {}
        for template, field, fixed in templates:
            for page, found in values(texts, template, field, language=language, **fixed).items():
                seen.setdefault(page, set()).update(found)
        shown = set().union(*seen.values()) if seen else set()
        assert seen, f"{quantity}: no page shows it ({language})"
        assert len(shown) == 1, f"{quantity} has {len(shown)} values ({language}): {seen}"
        if expected:
            assert shown == {expected}, f"{quantity}: the pages say {shown}, the artifacts {expected} ({language})"
        if quantity in ("customers", "rows set aside"):
            assert len(seen) >= 2, f"{quantity} is on the front page and its stage's page: {sorted(seen)}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_tables_that_list_parts_add_up_to_their_totals(runs, language):
    run_dir = runs[language]
    quality = json.loads((run_dir / "artifacts" / "quality.json").read_text(encoding="utf-8"))
    customers = json.loads((run_dir / "artifacts" / "profile.json").read_text(encoding="utf-8"))["customers"]
    with use_language(language):
        every, in_set, customers_header = t("all customers"), t("set aside"), header("customers")
    front = page_tables(run_dir / "report.html")
    actions = next(table for table in front if every in table)
    parts = [cells for label, cells in actions.items() if label not in ("", every)]
    for column in (0, 1):  # customers, and those in this cycle's budget
        assert sum(number(cells[column]) for cells in parts) == number(actions[every][column]), (language, column)
    assert number(actions[every][0]) == customers
    reconciliation = next(table for table in page_tables(run_dir / "html" / "01_ingest.html") if in_set in table)
    assert number(reconciliation[in_set][0]) == quality["rows_quarantined"]
    assert quality["rows_in"] == quality["rows_kept"] + quality["rows_quarantined"]
    segment_tables = page_tables(run_dir / "html" / "02_segment.html")
    for table in segment_tables[:3]:  # segments, value tiers, spend levels: every customer once
        column = table[""].index(customers_header) if customers_header in table.get("", []) else 0
        total = sum(number(cells[column]) for label, cells in table.items() if label and cells)
        assert total == customers, (language, list(table)[:4])


WORDS_ALLOWED = re.compile(
    r"^(NPS|CLV|RFM|k-means|Gamma-Gamma|gamma|ROC-AUC|PR-AUC|VIP|CRM|ID|MAE|RMSE|Brier|Excel|CSV|Parquet|BG|NBD|"
    r"MBG|Pareto|Gamma|alpha|beta|gg|alive|lifetimes|statsmodels|jieba|CUPED|Holm|Newcombe|Platt|ETS|AICc|MASE)$"
)


def test_chinese_pages_show_no_english_word_but_names(runs):
    """What a Chinese reader sees: English only in model, file and setting names (`churn.contact_budget`,
    `action_list.xlsx`, ids) and in what customers wrote (survey comments are quoted as written), never in prose,
    headers or values."""
    comments = pd.read_parquet(runs["zh"] / "artifacts" / "surveys.parquet", columns=["comment"])["comment"]
    written = set(comments.dropna())
    quoted = {w.lower() for w in re.findall(r"[A-Za-z]+", " ".join(written))}
    for page, text in page_texts(runs["zh"], prose_only=True).items():
        prose = re.sub(r"ID-[0-9a-f]+", " ", text)  # masked customer ids
        prose = re.sub(r"[\w.]+\s*=\s*\w+", " ", prose)  # a setting's value: cleaning.returns = drop
        prose = re.sub(r"[\w.-]*[._/][\w./-]+|\w*\d\w*", " ", prose)  # files, settings, codes: SO00035175, 1e12
        words = {
            w
            for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", prose)  # one letter is a symbol: x, T, A
            if len(w) > 1 and not WORDS_ALLOWED.match(w) and w.lower() not in quoted
        }
        assert not words, f"{page}: English words {sorted(words)[:12]}"
        ends = re.findall(r".{12}[\u4e00-\u9fff）]\.(?!\w)", text)  # a sentence ends in 。 (a comment: as written)
        latin_stop = [end for end in ends if not any(end.split("|")[-1].strip() in c for c in written)]
        assert not latin_stop, f"{page}: {latin_stop[:3]}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_page_shows_a_missing_value_or_a_float_at_full_precision(runs, language):
    for page, text in page_texts(runs[language]).items():
        missing = re.findall(r".{30}\b(?:nan|NaN|None|NaT|inf)\b.{10}", text)
        assert not missing, f"{page}: {missing[:3]}"
        raw = re.findall(r"\d+\.\d{5,}|\d\.\d+e[+-]\d+", text)
        assert not raw, f"{page}: raw floats {raw[:5]}"
