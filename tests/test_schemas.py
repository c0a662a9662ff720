"""The artifacts' written schemas: the dictionary is current, and bad tables are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.core.errors import ArtifactSchemaError
from helpers.data import schemas

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_data_dictionary_is_generated_from_the_schemas():
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed.strip() == schemas.data_dictionary().strip(), "run: workbench dictionary > docs/data_dictionary.md"


def test_column_names_say_what_they_mean():
    for item in schemas.TABLES:
        for column in item.columns:
            assert column.name.isidentifier() and column.name == column.name.lower(), column.name
            assert column.meaning
    segment_columns = {c.name for c in schemas.SEGMENTS.columns}
    clv_columns = {c.name for c in schemas.CLV.columns}
    assert "frequency" not in segment_columns | clv_columns, "frequency meant two things; say purchases or repeat"


def segments_frame() -> pd.DataFrame:
    row = {c.name: None for c in schemas.SEGMENTS.columns if c.required}
    row.update(customer_id="c1", first_purchase=pd.Timestamp("2024-01-01"), last_purchase=pd.Timestamp("2024-02-01"),
               tenure_days=40, recency_days=9, purchases=2, total_spend=30.0, avg_spend=15.0,
               interval_mean_days=31.0, interval_median_days=31.0, r_score=5, f_score=3, m_score=2, rfm_cell="532",
               segment="Champions", value_tier="VIP", spend_level="gold", lifecycle="active",
               typical_gap_days=31.0, rhythm="own", cluster=0, cluster_name="recent")  # fmt: skip
    return pd.DataFrame([row]).astype(
        {
            "tenure_days": "int64",
            "recency_days": "int64",
            "purchases": "int64",
            "r_score": "int64",
            "f_score": "int64",
            "m_score": "int64",
            "cluster": "int64",
        }
    )


def test_a_valid_table_passes():
    frame = segments_frame()
    pd.testing.assert_frame_equal(schemas.SEGMENTS.validate(frame), frame)  # checked, and returned unchanged


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(r_score=7), "r_score"),
        (lambda f: pd.concat([f, f]), "customer_id"),
        (lambda f: f.drop(columns="segment"), "segment"),
        (lambda f: f.assign(extra=1), "extra"),
        (lambda f: f.assign(lifecycle="sleeping"), "lifecycle"),
        (lambda f: f.assign(purchases=2.5), "purchases"),
    ],
)
def test_a_table_that_breaks_its_schema_is_refused_naming_the_column(change, message):
    with pytest.raises(ArtifactSchemaError, match=f"segments.parquet does not match its schema: .*{message}"):
        schemas.SEGMENTS.validate(change(segments_frame()))


def test_parquet_footer_check_names_missing_and_mistyped_columns(tmp_path):
    path = tmp_path / "transactions.parquet"
    pd.DataFrame({"customer_id": [1], "order_date": ["2024-01-01"]}).to_parquet(path)
    with pytest.raises(ArtifactSchemaError, match=r"customer_id: int64, expected string.*order_id: missing"):
        schemas.TRANSACTIONS.check_parquet(path)


def test_an_empty_table_is_a_valid_answer_for_every_artifact(tmp_path):
    """No alert fired, no two categories bought together: the empty table (its columns of no type, as pandas
    builds one from a list of columns) is written with the schema's types, not refused."""
    from helpers.data.artifacts import RunPaths

    paths = RunPaths(tmp_path)
    for artifact in (a for a in schemas.ARTIFACTS.values() if a.is_table and a.name.endswith(".parquet")):
        written = paths.write_table(pd.DataFrame(columns=[c.name for c in artifact.columns]), artifact.name)
        artifact.check_parquet(written)
        assert pd.read_parquet(written).empty
