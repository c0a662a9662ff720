"""02_segment's second half: who the customers are (with the member table), what they say (with surveys), and
who behaves abnormally (from the log alone). Each part is None when its table was not given.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from helpers.core.config import VoiceSection, WorkbenchConfig
from helpers.data import exports
from helpers.language.i18n import t
from helpers.models import profiles, satisfaction, voice
from helpers.models.alerts import AlertResult, find_alerts
from helpers.models.profiles import BabyStages, Nps, Points, Profile
from helpers.report import plots
from helpers.stages.context import StageContext, family_births

__all__ = ["MIN_RESPONSES", "NPS_GROUPS", "PREVIEW_ROWS", "alert_list", "who_they_are"]

NPS_GROUPS = ("segment", "value_tier", "main_channel", "main_store")
PREVIEW_ROWS = 10
MIN_RESPONSES = 30  # groups with fewer answers are left out of the NPS figures (their tables keep them)


def _baby(context: StageContext, config: WorkbenchConfig, *, tx, profile: pd.DataFrame, members: pd.DataFrame | None,
          today: date) -> BabyStages | None:  # fmt: skip
    if config.life_stage.stage_categories and "category" in tx.columns:  # 05's offers read the same births
        births, source = family_births(context, tx, config.life_stage)["birth"], "member table, else stage purchases"
    elif members is not None and "baby_birth_date" in members.columns and members["baby_birth_date"].notna().any():
        births, source = members.set_index("customer_id")["baby_birth_date"], "member table"
    elif config.segment.newborn_categories and "category" in tx.columns:
        births, source = profiles.proxy_births(tx, config.segment.newborn_categories), "first newborn purchase"
    else:
        return None
    if "category" not in tx.columns or births.dropna().empty:
        return None
    shares = profiles.stage_categories(tx, births)
    context.figure("02_baby_stage_categories", plots.heatmap(
        shares, t("Share of each baby stage's spend by category (stage at the purchase)"), xlabel=t("category"),
        ylabel=t("baby stage"), percent=True))  # fmt: skip
    return BabyStages(source, profiles.stage_table(profile, profiles.baby_stage(births, today), shares=shares), shares)


def _nps(context: StageContext, profile: pd.DataFrame, surveys: pd.DataFrame, *, segments: pd.DataFrame,
         settings: VoiceSection) -> Nps:  # fmt: skip
    latest = satisfaction.latest_answers(surveys)
    has_nps = "nps" in surveys.columns and bool(surveys["nps"].notna().any())
    by_group = {}
    for column in (c for c in NPS_GROUPS if c in profile.columns):
        by_group[column] = satisfaction.nps_by(latest, profile[column])
        if has_nps and column in ("segment", "value_tier"):
            enough = by_group[column][by_group[column]["responses"] >= MIN_RESPONSES]
            context.figure(f"02_nps_{column}", plots.nps_by_group(
                enough, t("NPS by {group}", group=t(column.replace("_", " ")))))  # fmt: skip
    trend = satisfaction.monthly_trend(surveys)
    if has_nps:
        context.figure("02_nps_trend", plots.nps_trend(trend))
    overall = satisfaction.nps_score(latest["nps"]) if has_nps else {"responses": len(latest)}
    if "satisfaction" in latest:
        overall["mean_satisfaction"] = float(latest["satisfaction"].mean())
    bias = satisfaction.response_bias(profile, latest.index)
    if not has_nps or "comment" not in surveys.columns or not surveys["comment"].fillna("").str.strip().any():
        return Nps(overall, by_group, trend, bias, has_nps)
    behaviour = segments.set_index("customer_id").reindex(profile.index)
    return _voice(context, Nps(overall, by_group, trend, bias, has_nps), profile=profile.join(
        behaviour[[c for c in ("return_rate", "favourite_category") if c in behaviour.columns]]),
        surveys=surveys, settings=settings)  # fmt: skip


def _voice(context: StageContext, nps: Nps, *, profile: pd.DataFrame, surveys: pd.DataFrame,
           settings: VoiceSection) -> Nps:  # fmt: skip
    """Comment themes (comment_themes.parquet), themes per region or store, and NPS drivers (`profile` with the
    customers' return rate and favourite category)."""
    comments = surveys[surveys["comment"].fillna("").str.strip() != ""].dropna(subset=["nps"])
    comments = comments.assign(band=voice.band_of(comments["nps"]))
    themes, per_comment = voice.comment_themes(comments, voice.Tokenizer(context.paths.cache),
                                               min_comments=settings.min_theme_comments)  # fmt: skip
    context.paths.write_table(themes, "comment_themes.parquet")
    place = next((c for c in ("region", "main_store") if c in profile.columns), None)
    by_place = None if place is None else voice.themes_by_group(
        per_comment, comments["customer_id"].map(profile[place]), band=comments["band"],
        min_comments=settings.min_group_comments).rename(columns={"group": place})  # fmt: skip
    latest = satisfaction.latest_answers(surveys)["nps"].dropna()
    features = [voice.customer_themes(comments, per_comment).add_prefix(t("says") + ": ")]
    for column, prefix in (("main_channel", t("channel")), ("main_store", t("store")),
                           ("favourite_category", t("category"))):  # fmt: skip
        if column in profile.columns:
            features.append(voice.indicators(profile[column], min_customers=settings.min_group_comments,
                                             prefix=prefix))  # fmt: skip
    if "return_rate" in profile.columns:
        features.append((profile[["return_rate"]] > 0).astype(int).set_axis([t("returned an item")], axis=1))
    drivers = voice.nps_drivers(latest, pd.concat(features, axis=1), min_customers=settings.min_group_comments)
    return replace(nps, themes=themes, themes_by_region=by_place, drivers=drivers, commented=len(comments),
                   min_comments=(settings.min_theme_comments, settings.min_group_comments))  # fmt: skip


def alert_list(context: StageContext, config: WorkbenchConfig) -> AlertResult:
    """The abnormal behaviour in the log, written as alerts.parquet/.csv/.xlsx. It reads only the log, so 02 finds
    it before it holds a table per customer: at 12 million customers those tables and the alerts' queries (up to
    DuckDB's memory limit) would otherwise sit in memory together."""
    alerts = find_alerts(context.transactions(), config.alerts, config.columns.order_id is not None)
    context.paths.write_table(alerts.alerts, "alerts.parquet")
    context.paths.write_table(alerts.alerts, "alerts.csv")
    context.paths.write_table(alerts.alerts, "alerts.xlsx", exports.ALERT_FORMATS)
    return alerts


def who_they_are(context: StageContext, config: WorkbenchConfig, *, segments: pd.DataFrame, today: date,
                 alerts: AlertResult) -> Profile:  # fmt: skip
    """The profile sections of 02, with `alerts` (`alert_list`)."""
    members = context.paths.read_optional_table("customers.parquet")
    surveys = context.paths.read_optional_table("surveys.parquet")
    tx = context.transactions()
    profile = profiles.customer_profile(segments, members, places=profiles.main_places(tx), today=today)
    dimensions = {d: profiles.dimension_table(profile, d) for d in profiles.DIMENSIONS if d in profile.columns}
    for dimension in ("region", "age_band"):
        if dimension in profile.columns:
            mix, label = profiles.segment_mix(profile, dimension), dimension.replace("_", " ")
            context.figure(f"02_segments_by_{dimension}", plots.heatmap(
                mix, t("Share of each {dimension}'s customers by segment", dimension=t(label)), xlabel=t("segment"),
                ylabel=t(label), percent=True))  # fmt: skip
    if "region" in profile.columns:
        levels = profiles.segment_mix(profile, "region", "spend_level")
        spend_levels = config.segment.spend_levels
        levels = levels[[level for level in sorted(spend_levels, key=spend_levels.__getitem__)
                         if level in levels.columns]]  # fmt: skip
        context.figure("02_spend_levels_by_region", plots.heatmap(
            levels, t("Share of each region's customers by spend level"), xlabel=t("spend level"), ylabel=t("region"),
            percent=True))  # fmt: skip
    section = config.customers  # the member table's settings, when the config names one
    points = None
    if section is not None and members is not None and "points" in profile.columns:
        facts, by_tier, at_risk = profiles.points_summary(profile, section.point_value)
        points = Points(facts, by_tier, at_risk, context.shareable(at_risk.head(PREVIEW_ROWS).reset_index()))
    has_opt_ins = members is not None and any(c in profile.columns for c in profiles.OPT_INS)
    quality = (
        context.paths.read_json("quality.json", "01_ingest") if context.paths.artifact("quality.json").exists() else {}
    )
    return Profile(
        coverage=quality.get("tables", {}).get("customers"),
        dimensions=dimensions,
        concentration={
            d: profiles.vip_concentration(dimensions[d]) for d in ("region", "main_store") if d in dimensions
        },
        reachability=profiles.reachability(profile["segment"], profile) if has_opt_ins else None,
        points=points,
        cards=profiles.cards_by_spend_level(
            profile, card_levels=section.card_levels, spend_levels=config.segment.spend_levels
        )
        if section is not None and "card_level" in profile.columns
        else None,
        baby=_baby(context, config, tx=tx, profile=profile, members=members, today=today),
        nps=None
        if surveys is None or surveys.empty
        else _nps(context, profile, surveys, segments=segments, settings=config.voice),
        alerts=alerts,
        alert_preview=context.shareable(alerts.alerts.head(PREVIEW_ROWS)),
    )
