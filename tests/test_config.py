import os
from pathlib import Path

import pytest
import yaml

from helpers.core.config import BUILTIN_DATASETS, DEFAULT_SEGMENT_RULES, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_configs_are_valid():
    shipped = sorted((ROOT / "configs").glob("*.yaml"))
    assert {"cdnow.yaml", "babystore.yaml", "babystore_zh.yaml", "online_retail.yaml"} <= {p.name for p in shipped}
    for path in shipped:  # each loads (a bad key raises) and reads data that ships: a built-in dataset
        config = load_config(path)
        assert config.input.path is None and config.input.dataset in BUILTIN_DATASETS, path.name


def test_unknown_key_is_named(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text("input: {dataset: cdnow_sample}\ncleaning: {retruns: net}\n")
    with pytest.raises(ConfigError, match=r"cleaning\.retruns: unknown key"):
        load_config(bad)


def test_impossible_date_is_named():
    with pytest.raises(ConfigError, match=r"dates\.analysis_date"):
        parse_config({"input": {"dataset": "cdnow_sample"}, "dates": {"analysis_date": "1997-02-30"}})


def test_wrong_type_is_named():
    with pytest.raises(ConfigError, match=r"churn\.horizon_days"):
        parse_config({"input": {"dataset": "cdnow_sample"}, "churn": {"horizon_days": "ninety"}})


def test_input_needs_exactly_one_source():
    with pytest.raises(ConfigError, match="exactly one of input.path"):
        parse_config({"input": {}})
    with pytest.raises(ConfigError, match="exactly one of input.path"):
        parse_config({"input": {"path": "x.csv", "dataset": "cdnow_sample"}})


def test_missing_input_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="input.path 'nowhere/\\*.csv' matches no file"):
        parse_config({"input": {"path": "nowhere/*.csv"}}, base_dir=tmp_path)


def test_dates_must_be_ordered():
    with pytest.raises(ConfigError, match="calibration_end must lie before"):
        parse_config(
            {
                "input": {"dataset": "cdnow_sample"},
                "dates": {"analysis_date": "1998-01-01"},
                "clv": {"calibration_end": "1998-03-01"},
            }
        )


def test_missing_config_file():
    with pytest.raises(ConfigError, match="not found"):
        load_config("no/such/config.yaml")


def test_a_measured_campaign_file_resolves_beside_the_config_and_must_exist(tmp_path):
    (tmp_path / "last").mkdir()
    (tmp_path / "last" / "campaign_effects.parquet").write_bytes(b"")
    data = {"input": {"dataset": "cdnow_sample"}, "campaign": {"measured_effects": "last/campaign_effects.parquet"}}
    config = parse_config(data, base_dir=tmp_path)
    assert config.campaign.measured_effects == str(tmp_path / "last" / "campaign_effects.parquet")
    with pytest.raises(ConfigError, match=r"campaign.measured_effects '.*elsewhere.parquet' not found"):
        parse_config(data | {"campaign": {"measured_effects": "elsewhere.parquet"}}, base_dir=tmp_path)


def test_resolved_config_round_trips_with_defaults_filled_in(tmp_path):
    """A run's config.yaml (every key, defaults filled in) parses back to the same config."""
    config = parse_config({"input": {"dataset": "cdnow_sample"}, "run": {"random_state": 9}})
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    again = load_config(path)
    assert again == config
    assert again.run.random_state == 9 and again.cleaning.returns == "net"
    assert len(again.segment.rules) == len(DEFAULT_SEGMENT_RULES)


def test_unknown_backend_is_named():
    with pytest.raises(ConfigError, match="backend.engine"):
        parse_config({"input": {"dataset": "cdnow_sample"}, "backend": {"engine": "bigquery"}})


def test_duckdb_memory_limit_and_threads_reach_the_engine():
    from helpers.data.backends import connect

    con = connect({"duckdb_memory_limit": "1.5GB", "threads": 1})
    settings = con.raw_sql("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert settings[1] == 1 and settings[0].replace(" ", "") in ("1.3GiB", "1.4GiB", "1.5GB")
    names = ", ".join(
        f"current_setting('{name}')" for name in ("threads", "memory_limit", "allocator_background_threads")
    )
    threads, limit, returned = connect().raw_sql(f"SELECT {names}").fetchone()
    assert threads >= 1 and returned  # memory a query freed goes back to the system
    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 / 2**30  # GiB
    number, unit = limit.split()
    assert float(number) * {"GiB": 1, "MiB": 2**-10}[unit] == pytest.approx(half, rel=0.02)
    with pytest.raises(ConfigError, match="backend.duckdb_memory_limit"):
        parse_config({"input": {"dataset": "cdnow_sample"}, "backend": {"duckdb_memory_limit": "lots"}})


def test_stage_rules_under_their_old_section_are_still_read():
    old = {
        "input": {"dataset": "cdnow_sample"},
        "next_purchase": {"stage_categories": {"formula stage 1": [0, 180]}, "stage_lead_days": 14, "top_k": 2},
    }
    config = parse_config(old)
    assert config.life_stage.stage_categories == {"formula stage 1": (0, 180)} and config.life_stage.lead_days == 14
    assert config.next_purchase.top_k == 2
    with pytest.raises(ConfigError, match="must lie before until"):
        parse_config({"input": {"dataset": "cdnow_sample"}, "life_stage": {"stage_categories": {"x": [5, 5]}}})
