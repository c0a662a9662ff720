"""All six stages on Spark local[2] with a 1 GB driver give the artifacts DuckDB gives: CDNOW and the baby store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.slow  # a Spark session takes seconds to start; the six stages take a minute or two
pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e .[dev])")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (a JRE 17 or newer on PATH); none found", allow_module_level=True)

DRIVER_MEMORY = "1g"
SIX_STAGES = """
import sys
from pathlib import Path
from pyspark.sql import SparkSession
from helpers.stages import campaign, churn, clv, ingest, next_purchase, segment

config, run_dir = Path(sys.argv[1]), Path(sys.argv[2])
for stage in (ingest, segment, clv, churn, next_purchase, campaign):
    stage.run(config, run_dir)
print(SparkSession.getActiveSession().sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory())
"""


def run_on_spark(config: Path, run_dir: Path) -> int:
    """The six stage functions in a fresh process (so its JVM starts with the small driver) on `config` with
    `backend.engine: pyspark`; returns the driver JVM's largest heap in bytes."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["backend"] = {"engine": "pyspark", "spark_master": "local[2]",
                           "spark_conf": {"spark.driver.memory": DRIVER_MEMORY}}  # fmt: skip
    on_spark = run_dir.parent / "spark.yaml"
    on_spark.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", SIX_STAGES, str(on_spark), str(run_dir)], capture_output=True,
                          text=True, timeout=1800, env=os.environ | {"PYTHONPATH": str(ROOT / "tests")})  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.strip().splitlines()[-1])


def differences(expected_run: Path, actual_run: Path) -> dict[str, str]:
    """Artifact by artifact (Parquet tables and JSON), where the two runs differ."""
    expected, actual = expected_run / "artifacts", actual_run / "artifacts"
    names = sorted(p.name for p in expected.iterdir() if p.suffix in (".parquet", ".json"))
    assert names == sorted(p.name for p in actual.iterdir() if p.suffix in (".parquet", ".json"))
    found = {}
    for name in names:
        if name.endswith(".json"):
            if json.loads((expected / name).read_text()) != json.loads((actual / name).read_text()):
                found[name] = "the JSON differs"
            continue
        try:
            pd.testing.assert_frame_equal(pd.read_parquet(actual / name), pd.read_parquet(expected / name), rtol=1e-9)
        except AssertionError as error:
            found[name] = str(error).splitlines()[0]
    return found


def test_the_baby_store_on_spark_with_a_small_driver_equals_duckdb(stage_run, tmp_path):
    """The hostile baby store (dirt, a <script> id, formulas, a campaign plan): every artifact equal."""
    max_heap = run_on_spark(stage_run.config, tmp_path / "spark")
    assert max_heap <= 2**30, "the driver ran with 1 GB"
    assert len(pd.read_parquet(tmp_path / "spark" / "artifacts" / "action_list.parquet")) > 500
    assert differences(stage_run.run_dir, tmp_path / "spark") == {}


def test_cdnow_on_spark_with_a_small_driver_equals_duckdb(tmp_path):
    """CDNOW as `make run` runs it (fewer bootstrap refits): every artifact equal to the same stages on DuckDB."""
    from helpers.stages import campaign, churn, clv, ingest, next_purchase, segment

    settings = yaml.safe_load((ROOT / "configs" / "cdnow.yaml").read_text(encoding="utf-8"))
    settings["clv"]["bootstrap_samples"] = 5
    config = tmp_path / "cdnow.yaml"
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    for stage in (ingest, segment, clv, churn, next_purchase, campaign):
        stage.run(config, tmp_path / "duckdb")
    assert run_on_spark(config, tmp_path / "spark") <= 2**30
    assert differences(tmp_path / "duckdb", tmp_path / "spark") == {}
