"""The whole pipeline on small random logs (issue 31): one customer, one day, one-line orders, no returns, all
returns, extreme values. Every stage either runs or is skipped with a reason the data explains (an
InsufficientDataError, which the runner records as 'skipped'); ingest may refuse a log with nothing left to keep,
in one line. No other exception, from any stage, on any of them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from helpers.core.errors import InputError, InsufficientDataError
from helpers.run import runfolder
from helpers.stages import campaign, churn, clv, ingest, next_purchase, segment

STAGES = (("02_segment", segment), ("03_clv", clv), ("04_churn", churn), ("05_next_purchase", next_purchase),
          ("06_campaign", campaign))  # fmt: skip
AMOUNTS = st.one_of(
    st.floats(0.5, 500, allow_nan=False).map(lambda v: round(v, 2)),
    st.sampled_from([0.0, -20.0, 1e9, 0.01, 123456.78]),
)
LINE = st.tuples(st.integers(0, 29), st.integers(0, 400), AMOUNTS, st.integers(0, 2), st.sampled_from("ABC"))


def run_every_stage(tmp_path: Path, lines: list[tuple], *, one_line_orders: bool) -> dict[str, str]:
    """Each stage's outcome on the log: 'ok', 'skipped: <reason>', or (ingest only) 'refused: <reason>'."""
    frame = pd.DataFrame(lines, columns=["customer", "day", "value", "order", "category"])
    frame["customer"] = "c" + frame["customer"].astype(str)
    frame["day"] = (pd.Timestamp("2023-01-01") + pd.to_timedelta(frame["day"], unit="D")).dt.strftime("%Y-%m-%d")
    frame["order"] = (frame.index.astype(str) if one_line_orders else
                      frame["customer"] + "-" + frame["day"] + "-" + frame["order"].astype(str))  # fmt: skip
    data = tmp_path / "log.csv"
    frame.to_csv(data, index=False)
    config = {"run": {"output_dir": str(tmp_path / "runs")}, "input": {"path": str(data)},
              "columns": {"customer_id": "customer", "order_date": "day", "amount": "value", "order_id": "order",
                          "category": "category"},
              "cleaning": {"keep_zero_value": True}, "clv": {"bootstrap_samples": 3}}  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    folder = tmp_path / "runs" / "r"
    try:
        ingest.run(path, folder)
    except InputError as error:
        assert "\n" not in str(error)
        return {"01_ingest": f"refused: {error}"}
    outcomes = {"01_ingest": "ok"}
    for name, stage in STAGES:
        try:
            stage.run(path, folder)
            outcomes[name] = "ok"
        except InsufficientDataError as reason:
            assert str(reason).strip(), f"{name} skipped without a reason"
            outcomes[name] = f"skipped: {reason}"
            for artifact in runfolder.stage_outputs(name, folder / "artifacts"):  # as the runner: nothing left
                (folder / "artifacts" / artifact).unlink()
    return outcomes


@pytest.mark.slow
@settings(max_examples=6, deadline=None, phases=[Phase.explicit],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
# explicit examples only in make test (deterministic CI); random logs found a NaN baseline in 04's backtest and NaN
# bootstrap refits in 03 (both handled now): explore with `--hypothesis-seed` and phases removed, then keep finds
@given(lines=st.lists(LINE, min_size=1, max_size=120), one_line_orders=st.booleans())
@example(lines=[(0, 10, 25.0, 0, "A")], one_line_orders=False)  # one customer, one purchase
@example(lines=[(c, 5, 30.0, 0, "A") for c in range(20)], one_line_orders=False)  # everyone on one day
@example(lines=[(c, 5 + 40 * k, -20.0, 0, "B") for c in range(15) for k in range(3)], one_line_orders=True)
@example(lines=[(c, 3 + 30 * k, 1e9 if k == 2 else 40.0, k, "C") for c in range(25) for k in range(4)],
         one_line_orders=True)  # fmt: skip
@example(lines=[(0, 130, 327.42, 0, "A"), (16, 13, 0.5, 0, "A"), (26, 149, 1.0, 0, "C"), (12, 26, 0.0, 1, "C"),
                (6, 172, 123456.78, 0, "A"), (3, 128, -20.0, 1, "A"), (9, 120, 0.0, 0, "A"), (16, 162, 1.8, 0, "B"),
                (19, 52, 0.0, 2, "C"), (16, 260, -20.0, 1, "B"), (4, 122, 287.32, 1, "A"), (8, 365, 441.91, 2, "A"),
                (8, 0, 0.01, 2, "A"), (26, 95, 241.39, 0, "A"), (28, 108, 0.01, 0, "B")],
         one_line_orders=False)  # two repeat buyers: a BG/NBD fit whose forecasts are not finite  # fmt: skip
def test_every_stage_runs_or_says_why_not_on_any_small_log(tmp_path_factory, lines, one_line_orders):
    outcomes = run_every_stage(tmp_path_factory.mktemp("log"), lines, one_line_orders=one_line_orders)
    assert all(outcome == "ok" or outcome.startswith(("skipped: ", "refused: ")) for outcome in outcomes.values())
