"""Number formats: significant digits for fitted values, compact money."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from helpers.language.formatting import money, significant


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

    from helpers.language.formatting import styled

    frame = pd.DataFrame({"segment": ["<script>alert(1)</script>"], "share": [0.25]})
    html = styled(frame, {"share": "{:.0%}"}).to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "25%" in html


def test_a_dollar_sign_in_a_label_is_text_not_a_formula(tmp_path):
    import pandas as pd

    from helpers.report import plots

    plots.apply_style()
    table = pd.DataFrame({"online": [0.5], r"$\frac{1}{0$": [0.5]}, index=["Champions"])
    figure = plots.heatmap(table, "mix", xlabel="channel", ylabel="segment", percent=True)
    assert plots.save(figure, tmp_path, "mix").stat().st_size > 0  # mathtext would raise ValueError here


def test_markdown_text_shows_values_as_text_and_money_never_as_a_formula():
    from helpers.language.formatting import markdown_text

    text = markdown_text("worth **$244.1k** and $12.6k at risk for <script>alert(1)</script> [x](javascript:y)")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\$244.1k" in text and "**" in text and "\\[x\\]" in text


def test_findings_html_escapes_values_and_keeps_emphasis():
    from helpers.language.formatting import findings_html

    assert findings_html(["most for *duplicate row*"]) == ["most for <em>duplicate row</em>"]
    assert findings_html(["**3 customers** like <b>x</b>"]) == [
        "<strong>3 customers</strong> like &lt;b&gt;x&lt;/b&gt;"
    ]


def test_masked_ids_are_stable_within_a_run_and_differ_across_salts():
    from helpers.language.formatting import mask_id

    assert mask_id("C001", "s1") == mask_id("C001", "s1") != mask_id("C001", "s2")
    assert mask_id("C001", "s1") != mask_id("C002", "s1") and "C001" not in mask_id("C001", "s1")


def test_money_uses_the_configured_currency_and_one_tick_style():
    from helpers.language.formatting import money, money_tick, use_currency

    use_currency("¥")
    try:
        assert money(1234) == "¥1.2k" and money_tick(5) == "¥5" and money_tick(50_000) == "¥50k"
    finally:
        use_currency("$")
    assert [money_tick(v) for v in (10, 100, 1000)] == ["$10", "$100", "$1k"]


def test_money_shows_a_dash_when_there_is_no_value():
    from helpers.language.formatting import money

    assert money(float("nan")) == "–" and money(-1234.0) == "-$1.2k"


def test_markdown_marks_in_a_data_value_show_as_written_and_leave_the_sentence_alone():
    """A product named '**NEW** gift_box `x`' turned the report's prose bold and into code."""
    from helpers.language.formatting import findings_html, literal, markdown_text, plain_text

    sentence = f"Customers buy *{literal('**NEW** gift_box `x`')}* next, **40%** of them."
    assert findings_html([sentence]) == ["Customers buy <em>**NEW** gift_box `x`</em> next, <strong>40%</strong> of "
                                         "them."]  # fmt: skip
    assert markdown_text(sentence) == "Customers buy *\\*\\*NEW\\*\\* gift\\_box \\`x\\`* next, **40%** of them."
    assert plain_text(sentence) == "Customers buy ***NEW** gift_box `x`* next, 40% of them."


def test_counts_in_a_table_get_thousands_separators_years_and_ids_do_not():
    import pandas as pd

    from helpers.language.formatting import styled

    frame = pd.DataFrame({"customers": [12345, 7], "year": [2024, 2025], "store_id": [10001, 2], "share": [0.5, 0.25]})
    html = styled(frame, {"share": "{:.0%}"}).to_html()
    assert "12,345" in html and ">2024<" in html and ">10001<" in html and "50%" in html
    assert "12,345" in styled(frame).to_html()
