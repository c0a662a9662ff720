"""Number formats: significant digits for fitted values, compact money."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from helpers.formatting import money, significant


def test_significant_by_hand():
    assert significant(1665.513) == "1,670"
    assert significant(0.75512) == "0.755"
    assert significant(0.0012345) == "0.00123"
    assert significant(21_132.4) == "21,100"
    assert significant(244_100.2, 4) == "244,100"
    assert significant(-3.14159) == "-3.14"
    assert significant(0) == "0"
    assert significant(float("nan")) == "nan"


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_significant_keeps_three_digits_and_the_value(value):
    text = significant(value)
    digits = text.replace(",", "").replace(".", "").lstrip("0")
    assert len(digits.rstrip("0")) <= 3
    assert math.isclose(float(text.replace(",", "")), value, rel_tol=5e-3)


def test_money_by_hand():
    assert [money(v) for v in (12.5, 250, 1234, 2_500_000, -1234)] == ["$12.50", "$250", "$1.2k", "$2.5M", "-$1.2k"]


def test_styled_tables_show_markup_from_data_or_config_as_text():
    import pandas as pd

    from helpers.formatting import styled

    frame = pd.DataFrame({"segment": ["<script>alert(1)</script>"], "share": [0.25]})
    html = styled(frame, {"share": "{:.0%}"}).to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "25%" in html


def test_a_dollar_sign_in_a_label_is_text_not_a_formula(tmp_path):
    import pandas as pd

    from helpers import plots

    plots.apply_style()
    table = pd.DataFrame({"online": [0.5], r"$\frac{1}{0$": [0.5]}, index=["Champions"])
    figure = plots.heatmap(table, "mix", "channel", "segment", percent=True)
    assert plots.save(figure, tmp_path, "mix").stat().st_size > 0  # mathtext would raise ValueError here
