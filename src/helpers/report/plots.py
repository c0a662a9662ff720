"""One plotting style for the whole workbench, and the figures the notebooks show.

Every figure function returns a matplotlib Figure with a plain-words title and
axis labels, money and dates formatted; `save` writes it as PNG to the run.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import mplfonts
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter, PercentFormatter
from sklearn.calibration import calibration_curve

from helpers.data.artifacts import atomic_path
from helpers.data.exports import display_width
from helpers.language.formatting import count, money, money_tick, month
from helpers.language.i18n import t, term
from helpers.models.purchase import PurchaseModel

__all__ = [
    "ACCENT",
    "CHARACTER_INCHES",
    "CJK_FONT",
    "CURVE_POINTS",
    "LOG_STEP_DECADES",
    "MONEY",
    "PALETTE",
    "PLAIN",
    "SCATTER_POINTS",
    "WARN",
    "apply_style",
    "calibration_diagram",
    "campaign_effects",
    "cleaning_waterfall",
    "cluster_scatter",
    "clv_distribution",
    "conditional_expectations",
    "cumulative_purchases",
    "date_errors",
    "decile_concentration",
    "demand_forecast",
    "detectable_lift",
    "heatmap",
    "importance",
    "log_axis",
    "model_matrix",
    "monthly_trend",
    "next_categories",
    "nps_by_group",
    "nps_trend",
    "offer_methods",
    "order_values",
    "pareto_curve",
    "purchase_reliability",
    "purchases_per_customer",
    "qini",
    "readable_ticks",
    "reliability_diagram",
    "save",
    "segment_sizes",
    "silhouette",
]

PALETTE = "crest"
ACCENT = "#2a6f97"
WARN = "#c8553d"


CJK_FONT = "Noto Sans CJK SC"  # ships inside the mplfonts wheel, so figures need no system font


@functools.cache
def _register_cjk_font() -> None:
    """Make Noto Sans CJK SC (SIL Open Font License, packaged in mplfonts) known to matplotlib."""
    font_manager.fontManager.addfont(str(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"))


def apply_style() -> None:
    """The workbench look (white grid, readable sizes, one palette); text from data is shown as text.

    Text falls back glyph by glyph from DejaVu Sans (Latin) to Noto Sans CJK SC, so '线上商城 online' renders."""
    _register_cjk_font()
    # the packaged CJK font has one weight: bold titles show Chinese in regular weight, which needs no notice
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    sns.set_theme(style="whitegrid", context="notebook", palette="deep")
    plt.rcParams.update(
        {
            "font.family": ["DejaVu Sans", CJK_FONT],  # a fallback list: each glyph from the first font having it
            "figure.figsize": (9, 4.5),
            "figure.dpi": 100,
            "axes.titleweight": "bold",
            "savefig.bbox": "tight",
            "text.parse_math": False,  # a '$' in a category or channel name is text, not a formula
        }
    )
    pd.set_option("styler.format.escape", "html")  # a value in a styled table is text, never markup


MONEY = FuncFormatter(money_tick)
PLAIN = FuncFormatter(lambda value, _pos: f"{value:,.0f}")  # log axes: 1, 10, 100, not 10⁰, 10¹, 10²
CHARACTER_INCHES = 0.08  # the width of a Latin character of a tick label (a Chinese one counts twice)


LOG_STEP_DECADES = 3  # a log axis spanning more decades than this is labelled at powers of ten only


def log_axis(axis, formatter: FuncFormatter) -> None:
    """A log-scale axis with plain labels at 1-2-5 steps (powers of ten only over a wide range, so labels never
    overlap), no minor labels. Call it once the data are drawn."""
    low, high = axis.get_view_interval()
    wide = low > 0 and np.log10(high / low) > LOG_STEP_DECADES
    axis.set_major_locator(LogLocator(base=10, subs=(1.0,) if wide else (1.0, 2.0, 5.0), numticks=12))
    axis.set_major_formatter(formatter)
    axis.set_minor_formatter(NullFormatter())


def save(fig: plt.Figure, figures_dir: str | Path, name: str) -> Path:
    """Write the figure as PNG into the run's figures folder (atomically)."""
    target = Path(figures_dir) / f"{name}.png"
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=110, metadata={"Software": None})
    return target


def cleaning_waterfall(quality: dict) -> plt.Figure:
    """Rows per cleaning outcome, from rows in to rows kept, with money in the labels."""
    steps = [(r["rule"].replace("_", " "), r["rows"], r["money"]) for r in quality["rules"] if r["rows"]]
    fig, ax = plt.subplots(figsize=(9, 0.5 * (len(steps) + 2) + 1.5))
    labels = [t("rows in"), *[term(s[0]) for s in steps], t("rows kept")]
    values = [quality["rows_in"], *[-s[1] for s in steps], quality["rows_kept"]]
    running = quality["rows_in"]
    for i, value in enumerate(values):
        if 0 < i < len(labels) - 1:
            ax.barh(i, value, left=running, color=WARN)
            running += value
            note = t("-{rows} rows ({money})", rows=f"{-value:,}", money=money(steps[i - 1][2]))
        else:
            ax.barh(i, value, color=ACCENT)
            note = t("{rows} rows", rows=f"{value:,}")
        ax.text(max(running, value) * 1.01 if i in (0, len(labels) - 1) else running, i, " " + note, va="center")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, quality["rows_in"] * 1.35)
    ax.xaxis.set_major_formatter(PLAIN)
    ax.set_xlabel(t("rows"))
    ax.set_title(t("Cleaning waterfall: where every input row went"))
    return fig


def monthly_trend(trend: pd.DataFrame) -> plt.Figure:
    """Monthly revenue (bars) and active / new customers (lines)."""
    fig, ax = plt.subplots()
    ax.bar(trend["month"], trend["revenue"], width=20, color=ACCENT, alpha=0.7, label=t("revenue"))
    ax.yaxis.set_major_formatter(MONEY)
    ax.set_ylabel(t("revenue"))
    other = ax.twinx()
    other.plot(trend["month"], trend["active_customers"], color=WARN, marker="o", label=t("active customers"))
    other.plot(trend["month"], trend["new_customers"], color="#555", marker=".", ls="--", label=t("new customers"))
    other.yaxis.set_major_formatter(PLAIN)
    other.set_ylabel(t("customers"))
    other.grid(False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: month(mdates.num2date(value))))
    fig.autofmt_xdate()
    handles = ax.get_legend_handles_labels()[0] + other.get_legend_handles_labels()[0]
    ax.legend(handles, [str(h.get_label()) for h in handles], loc="upper right")
    ax.set_title(t("Monthly revenue and active customers"))
    return fig


def purchases_per_customer(table: pd.DataFrame) -> plt.Figure:
    """Share of customers and of revenue by number of purchases."""
    fig, ax = plt.subplots()
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["share_of_customers"], 0.4, color=ACCENT, label=t("share of customers"))
    ax.bar(x + 0.2, table["share_of_revenue"], 0.4, color=WARN, label=t("share of revenue"))
    ax.set_xticks(x, table["purchases"])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("number of purchases per customer"))
    ax.set_title(t("How often customers buy, and what that is worth"))
    ax.legend()
    return fig


def order_values(histogram: pd.DataFrame) -> plt.Figure:
    """Distribution of purchase values on a log scale."""
    fig, ax = plt.subplots()
    ax.bar(
        histogram["low"], histogram["purchases"], width=histogram["high"] - histogram["low"], align="edge", color=ACCENT
    )
    ax.set_xscale("log")
    log_axis(ax.xaxis, MONEY)
    ax.set_xlabel(t("purchase value (log scale)"))
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_ylabel(t("purchases"))
    ax.set_title(t("Purchase values"))
    return fig


def conditional_expectations(table: pd.DataFrame) -> plt.Figure:
    """Mean holdout purchases by calibration repeat purchases: actual vs each model."""
    fig, ax = plt.subplots()
    models = [c for c in table.columns if c not in ("customers", "actual")]
    ax.plot(table.index, table["actual"], color="black", marker="o", lw=2, label=t("actual"))
    for model in models:
        ax.plot(table.index, table[model], marker=".", ls="--", label=model)
    ax.set_xlabel(t("repeat purchases in the calibration period"))
    ax.set_ylabel(t("mean purchases in the holdout"))
    ax.set_title(t("Do the models predict each group of customers? (holdout)"))
    ax.legend()
    return fig


def cumulative_purchases(frame: pd.DataFrame, calibration_periods: float, unit: str) -> plt.Figure:
    """Cumulative repeat purchases over time, actual vs predicted, with the calibration end marked."""
    fig, ax = plt.subplots()
    ax.plot(frame.index, frame["actual"], color="black", lw=2, label=t("actual"))
    for model in [c for c in frame.columns if c != "actual"]:
        ax.plot(frame.index, frame[model], ls="--", label=model)
    ax.axvline(calibration_periods, color="#888", ls=":", label=t("end of calibration"))
    ax.set_xlabel(t("{unit} since the first acquisition", unit=t(unit)))
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_ylabel(t("cumulative repeat purchases"))
    ax.set_title(t("Repeat purchases: actual vs predicted through the holdout"))
    ax.legend()
    return fig


def model_matrix(model: PurchaseModel, kind: str, *, max_frequency: int, max_recency: float, unit: str) -> plt.Figure:
    """lifetimes' frequency/recency matrix ('purchases') or P(alive) matrix ('alive')."""
    from lifetimes.plotting import plot_frequency_recency_matrix, plot_probability_alive_matrix

    fig, ax = plt.subplots(figsize=(7, 5.5))
    plt.sca(ax)
    draw = plot_probability_alive_matrix if kind == "alive" else plot_frequency_recency_matrix
    draw(model.fitter, max_frequency=max_frequency, max_recency=int(max_recency), cmap="viridis")
    ax.grid(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t("repeat purchases so far"))
    ax.set_ylabel(t("{unit} from the first to the last purchase", unit=t(unit)))
    ax.set_title(
        t("Probability a customer is still active, by history")
        if kind == "alive"
        else t("Expected purchases in the next {unit}, by history", unit=t(unit[:-1]))
    )
    return fig


def clv_distribution(values: pd.DataFrame) -> plt.Figure:
    """Histogram of customer CLV on a log scale (customers with CLV above one cent)."""
    fig, ax = plt.subplots()
    positive = values.loc[values["clv"] > 0.01, "clv"]
    bins = np.logspace(np.log10(positive.min()), np.log10(positive.max()), 40).tolist()
    ax.hist(positive, bins=bins, color=ACCENT)
    ax.set_xscale("log")
    log_axis(ax.xaxis, MONEY)
    ax.set_xlabel(t("customer lifetime value over the horizon (log scale)"))
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_ylabel(t("customers"))
    ax.set_title(t("How customer value is spread"))
    return fig


def decile_concentration(table: pd.DataFrame) -> plt.Figure:
    """Share of total CLV per decile, with the cumulative share."""
    fig, ax = plt.subplots()
    ax.bar(table.index.astype(str), table["share_of_clv"], color=ACCENT, label=t("share of CLV"))
    ax.plot(table.index.astype(str), table["cumulative_share"], color=WARN, marker="o", label=t("cumulative"))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("CLV decile (1 = most valuable 10% of customers)"))
    ax.set_title(t("Where future value is concentrated"))
    ax.legend()
    return fig


def heatmap(table: pd.DataFrame, title: str, *, xlabel: str, ylabel: str, fmt: str = ".0f", cmap: str = PALETTE,
            percent: bool = False, labels: pd.DataFrame | None = None) -> plt.Figure:  # fmt: skip
    """Annotated heatmap of a small table (R x F spend, cohort retention, migration); `labels` replaces the
    cell annotations (e.g. value and count). The colour scale ignores the extreme 2% so one cell cannot wash
    out the others; empty cells stay blank."""
    fig, ax = plt.subplots(figsize=(min(1.5 + 0.8 * table.shape[1], 14), min(1.5 + 0.45 * table.shape[0], 12)))
    table = table.rename(index=term, columns=term)  # segment names and the like, in the report language
    annot = labels.to_numpy() if labels is not None else table.shape[1] <= 20
    sns.heatmap(table, annot=annot, fmt="" if labels is not None else ".0%" if percent else fmt, cmap=cmap, ax=ax,
                cbar=True, robust=True, annot_kws={"size": 8})  # fmt: skip
    if percent:
        colorbar = ax.collections[0].colorbar
        if colorbar is not None:  # sns.heatmap(cbar=True) draws one
            colorbar.formatter = PercentFormatter(1.0)
            colorbar.update_ticks()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    readable_ticks(ax, fig)
    return fig


def readable_ticks(ax: plt.Axes, fig: plt.Figure) -> None:
    """Row labels read across; column labels are slanted when, side by side, they would run into each other
    (a Chinese character counts twice)."""
    ax.tick_params(axis="y", labelrotation=0)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    widest = max((display_width(label) for label in labels), default=0)
    column_inches = ax.get_position().width * fig.get_figwidth() / max(len(labels), 1)
    if widest * CHARACTER_INCHES > 0.9 * column_inches:
        plt.setp(ax.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor")
    else:
        ax.tick_params(axis="x", labelrotation=0)


def segment_sizes(table: pd.DataFrame) -> plt.Figure:
    """Share of customers and share of revenue per segment."""
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(table) + 1.5))
    y = np.arange(len(table))
    ax.barh(y - 0.2, table["share_of_customers"], 0.4, color=ACCENT, label=t("share of customers"))
    ax.barh(y + 0.2, table["share_of_revenue"], 0.4, color=WARN, label=t("share of revenue"))
    ax.set_yticks(y, [term(name) for name in table.index])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(t("Segments: how many customers, how much revenue"))
    ax.legend(loc="lower right")
    return fig


def silhouette(table: pd.DataFrame, chosen: int) -> plt.Figure:
    """Silhouette score per number of clusters, the chosen one marked."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(table.index, table["silhouette"], marker="o", color=ACCENT)
    ax.axvline(chosen, color=WARN, ls="--", label=t("chosen: {clusters} clusters", clusters=chosen))
    ax.set_xlabel(t("number of clusters"))
    ax.set_ylabel(t("silhouette (higher = better separated)"))
    ax.set_title(t("Choosing the number of behavioural clusters"))
    ax.legend()
    return fig


SCATTER_POINTS = 20_000  # more points show nothing more, and millions take minutes to draw
CURVE_POINTS = 1_000  # a line across the figure needs no more; one per customer made drawing it crawl at 12M


def cluster_scatter(
    summary: pd.DataFrame, clusters: pd.Series, *, names: pd.Series, max_points: int = SCATTER_POINTS
) -> plt.Figure:
    """Customers by purchases and spend (log scales), coloured by cluster; beyond `max_points` customers, a
    seeded random sample of that many, as the title says."""
    total = len(summary)
    rng = np.random.default_rng(0)
    if total > max_points:
        shown = np.sort(rng.choice(total, max_points, replace=False))
        summary, clusters = summary.iloc[shown], clusters.iloc[shown]
    fig, ax = plt.subplots()
    jitter = rng.uniform(-0.15, 0.15, len(summary))
    for cluster, name in names.items():
        mask = (clusters == cluster).to_numpy()
        ax.scatter(summary["purchases"].to_numpy()[mask] + jitter[mask], summary["total_spend"].to_numpy()[mask],
                   s=6, alpha=0.4, label=name)  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    log_axis(ax.xaxis, PLAIN)
    log_axis(ax.yaxis, MONEY)
    ax.set_xlabel(t("purchases (log scale)"))
    ax.set_ylabel(t("total spend (log scale)"))
    sampled = t("Behavioural clusters (a random {shown} of {total} customers)", shown=count(len(summary)),
                total=count(total))  # fmt: skip
    ax.set_title(sampled if len(summary) < total else t("Behavioural clusters"))
    ax.legend(markerscale=3, fontsize=8, loc="lower right")  # many purchases and little spend: empty
    return fig


def pareto_curve(curve: pd.DataFrame) -> plt.Figure:
    """Cumulative share of revenue by share of customers (best first), drawn through at most CURVE_POINTS of its
    points (the curve has one per customer: millions)."""
    fig, ax = plt.subplots(figsize=(6.5, 5))
    step = max(1, len(curve) // CURVE_POINTS)
    drawn = curve.iloc[np.unique(np.r_[0 : len(curve) : step, len(curve) - 1])]
    ax.plot(drawn["share_of_customers"], drawn["share_of_revenue"], color=ACCENT, lw=2)
    ax.plot([0, 1], [0, 1], color="#999", ls=":", label=t("if everyone spent the same"))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("share of customers (best first)"))
    ax.set_ylabel(t("share of revenue"))
    ax.set_title(t("Revenue concentration"))
    ax.legend(loc="lower right")  # not "best": matplotlib's search for it is slow over many points, and warns
    return fig


def _reliability(table: pd.DataFrame, label: str, *, xlabel: str, ylabel: str, title: str) -> plt.Figure:
    """Observed share against predicted probability per bin; the diagonal is perfect calibration."""
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot([0, 1], [0, 1], color="#999", ls=":", label=t("perfectly calibrated"))
    ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", color=ACCENT, label=label)
    top = max(float(table[["mean_predicted", "observed_rate"]].to_numpy().max()) * 1.1, 0.05)
    ax.set_xlim(0, min(top, 1.0))
    ax.set_ylim(0, min(top, 1.0))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return fig


def reliability_diagram(table: pd.DataFrame, model: str, brier: float) -> plt.Figure:
    """Observed churn rate against predicted churn probability."""
    return _reliability(table, term(model), xlabel=t("predicted churn probability"),
                        ylabel=t("share that really churned"),
                        title=t("Is the churn probability honest? (Brier {brier})", brier=f"{brier:.3f}"))  # fmt: skip


def calibration_diagram(held_out: pd.DataFrame, scorer: str, *, method: str, brier: tuple[float, float]) -> plt.Figure:
    """Observed churn against the scorer's held-out probability before calibration and after it (each map
    checked on folds it was not fitted on)."""
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot([0, 1], [0, 1], color="#999", ls=":", label=t("perfectly calibrated"))
    for column, colour, style, label in (
        ("probability", "#999", "--", t("{scorer}, as fitted", scorer=term(scorer))),
        ("calibrated", ACCENT, "-", t("calibrated ({method})", method=t(method))),
    ):
        observed, predicted = calibration_curve(held_out["churned"], held_out[column].clip(0, 1), n_bins=10,
                                                strategy="quantile")  # fmt: skip
        ax.plot(predicted, observed, marker="o", color=colour, ls=style, label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("predicted churn probability"))
    ax.set_ylabel(t("share that really churned"))
    ax.set_title(t("Churn probability before and after calibration (Brier {before} → {after})",
                   before=f"{brier[0]:.3f}", after=f"{brier[1]:.3f}"))  # fmt: skip
    ax.legend()
    return fig


def purchase_reliability(table: pd.DataFrame, window_days: int, brier: float) -> plt.Figure:
    """Observed share who bought within the window against the predicted probability (time split)."""
    return _reliability(table, t("purchase model"),
                        xlabel=t("predicted probability of a purchase within {days} days", days=window_days),
                        ylabel=t("share that really bought"),
                        title=t("Is the purchase probability honest? (Brier {brier})",
                                brier=f"{brier:.3f}"))  # fmt: skip


def date_errors(errors: pd.DataFrame) -> plt.Figure:
    """Mean error in days of each next-purchase-date predictor, for the customers who came back and for those who
    did not (capped at the window), in the order of their balanced error."""
    shown = errors.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(shown) + 1.5))
    positions = np.arange(len(shown))
    names = [term(name) for name in shown.index]
    ax.barh(positions + 0.2, shown["mae_days_buyers"], height=0.4, color=ACCENT, label=t("came back"))
    ax.barh(positions - 0.2, shown["mae_days_others"], height=0.4, color=WARN, label=t("did not come back"))
    ax.set_yticks(positions, names)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)  # below: bars reach the right
    ax.set_xlabel(t("mean error in days, capped at the window (lower is better)"))
    ax.set_title(t("How close is the predicted date of the next purchase?"))
    return fig


def offer_methods(evaluation: pd.DataFrame, k: int) -> plt.Figure:
    """Hit rate and recall at k of each offer method on the time split."""
    fig, ax = plt.subplots(figsize=(8, 4))
    positions = np.arange(len(evaluation))
    ax.bar(positions - 0.2, evaluation["hit_rate"], width=0.4, color=ACCENT, label=t("hit rate@{k}", k=k))
    ax.bar(positions + 0.2, evaluation["recall"], width=0.4, color="#9ecae1", label=t("recall@{k}", k=k))
    ax.set_xticks(positions, [term(name) for name in evaluation.index])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_title(t("Which offers did customers then buy? (time split)"))
    ax.legend(loc="lower right")
    return fig


def next_categories(transitions: pd.DataFrame) -> plt.Figure:
    """Share of next baskets holding each category, after a basket holding a category (all tenures pooled)."""
    pooled = transitions.groupby(["item", "next_item"])["followed"].sum().unstack(fill_value=0)
    origins = transitions.drop_duplicates(["item", "bucket"]).groupby("item")["baskets"].sum()
    shares = pooled.div(origins.reindex(pooled.index), axis=0)
    order = shares.index.union(shares.columns)
    shares = shares.reindex(index=[i for i in order if i in shares.index], columns=[c for c in order if c in shares])
    return heatmap(shares, t("What customers buy next, after a basket holding…"), xlabel=t("in the next basket"),
                   ylabel=t("bought in this basket"), percent=True)  # fmt: skip


def importance(table: pd.DataFrame, top: int = 15) -> plt.Figure:
    """Permutation importance: how much ROC-AUC drops when a feature is shuffled."""
    shown = table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1.5))
    ax.barh([term(label) for label in shown["label"]], shown["importance"], xerr=shown["std"], color=ACCENT)
    ax.set_xlabel(t("drop in ROC-AUC when shuffled"))
    ax.set_title(t("What drives the churn score"))
    return fig


def detectable_lift(power: pd.DataFrame, plausible: float) -> plt.Figure:
    """Per action cell, the smallest conversion lift the plan can detect, against the plausible lift."""
    cells = power.drop(index="all cells", errors="ignore").sort_values("mde_conversion")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(cells) + 1.6))
    colours = [WARN if small else ACCENT for small in cells["too_small"]]
    ax.barh([term(name) for name in cells.index], cells["mde_conversion"], color=colours)
    ax.axvline(plausible, color="#333", ls="--", label=t("plausible lift ({lift})", lift=f"{plausible:.0%}"))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(t("smallest detectable conversion lift (points)"))
    ax.set_title(t("Can each cell show an effect?"))
    ax.legend(loc="lower right")
    return fig


def _estimates_with_intervals(ax, estimate: pd.Series, *, low: pd.Series, high: pd.Series, labels: list[str]) -> None:
    """One dot per row with its interval as a horizontal bar, first row on top; a dashed line at zero."""
    value = estimate.astype(float).to_numpy()[::-1]
    errors = [value - low.astype(float).to_numpy()[::-1], high.astype(float).to_numpy()[::-1] - value]
    ax.errorbar(value, range(len(value)), xerr=errors, fmt="o", ecolor="#888", capsize=4, color=ACCENT)
    ax.set_yticks(range(len(value)), labels[::-1])
    ax.axvline(0, color="#999", ls="--")


def campaign_effects(effects: pd.DataFrame) -> plt.Figure:
    """Conversion lift per cell with its 95% interval; the dashed line is no effect."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(effects) + 1.6))
    _estimates_with_intervals(ax, effects["conversion_lift"], low=effects["conversion_low"],
                              high=effects["conversion_high"],
                              labels=[term(name) for name in effects.index])  # fmt: skip
    overall = [i for i, name in enumerate(effects.index[::-1]) if name == "all cells"]
    ax.scatter(effects["conversion_lift"].astype(float).to_numpy()[::-1][overall], overall, color="#333", zorder=3)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(t("conversion lift, treatment - control (95% interval)"))
    ax.set_title(t("What the campaign changed"))
    return fig


def qini(curve: pd.DataFrame) -> plt.Figure:
    """Incremental conversions when targeting by predicted uplift, against random targeting (held-out)."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(curve["share_targeted"], curve["model"], marker="o", color=ACCENT, label=t("by predicted uplift"))
    ax.plot(curve["share_targeted"], curve["random"], color="#999", ls="--", label=t("random targeting"))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("share of customers targeted"))
    ax.yaxis.set_major_formatter(PLAIN)
    ax.set_ylabel(t("incremental buyers"))
    ax.set_title(t("Qini curve: does targeting by uplift beat random?"))
    ax.legend()
    return fig


def nps_by_group(table: pd.DataFrame, title: str) -> plt.Figure:
    """NPS per group with its 95% interval and the number of answers; the dashed line is zero."""
    shown = table.dropna(subset=["nps"])
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shown) + 1.6))
    labels = [f"{term(name)} (n={n:,})" for name, n in zip(shown.index, shown["responses"], strict=True)]
    _estimates_with_intervals(ax, shown["nps"], low=shown["nps_low"], high=shown["nps_high"], labels=labels)
    ax.set_xlim(-100, 100)
    ax.set_xlabel(t("NPS (promoters - detractors, % points; 95% interval)"))
    ax.set_title(title)
    return fig


def demand_forecast(history: pd.Series, forecast: pd.DataFrame, *, level: float, peaks: pd.Series) -> plt.Figure:
    """The total's monthly revenue: the last two years, the forecast with its interval; each forecast month in
    `peaks` (month -> festivals) is named."""
    fig, ax = plt.subplots()
    shown = history.iloc[-24:]
    ax.plot(shown.index, shown.to_numpy(), color=ACCENT, marker=".", label=t("revenue"))
    ax.fill_between(forecast["month"], forecast["low"], forecast["high"], color=WARN, alpha=0.2,
                    label=t("{level} interval", level=f"{level:.0%}"))  # fmt: skip
    ax.plot(forecast["month"], forecast["forecast"], color=WARN, marker="o", label=t("forecast"))
    for when, high in zip(forecast["month"], forecast["high"], strict=True):
        if peaks.get(when):
            ax.annotate(peaks[when].replace(", ", "\n"), (when, high), textcoords="offset points", xytext=(0, 4),
                        ha="center", va="bottom", fontsize=7)  # fmt: skip
    ax.yaxis.set_major_formatter(MONEY)
    ax.set_ylim(0, max(shown.max(), forecast["high"].max()) * 1.35)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: month(mdates.num2date(value))))
    fig.autofmt_xdate()
    ax.legend(loc="lower left")
    ax.set_title(t("Monthly revenue: the last two years and the forecast"))
    return fig


def nps_trend(trend: pd.DataFrame) -> plt.Figure:
    """NPS by month answered with its 95% band, and the number of answers."""
    fig, ax = plt.subplots()
    ax.fill_between(trend.index, trend["nps_low"], trend["nps_high"], color=ACCENT, alpha=0.2,
                    label=t("95% interval"))  # fmt: skip
    ax.plot(trend.index, trend["nps"], color=ACCENT, marker="o", label="NPS")
    ax.set_ylabel("NPS")
    other = ax.twinx()
    other.bar(trend.index, trend["responses"], width=20, color="#999", alpha=0.3, label=t("answers"))
    other.yaxis.set_major_formatter(PLAIN)
    other.set_ylabel(t("answers"))
    other.grid(False)
    ax.set_zorder(other.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: month(mdates.num2date(value))))
    fig.autofmt_xdate()
    handles = ax.get_legend_handles_labels()[0] + other.get_legend_handles_labels()[0]
    ax.legend(handles, [str(h.get_label()) for h in handles], loc="lower left")
    ax.set_title(t("NPS by month"))
    return fig
