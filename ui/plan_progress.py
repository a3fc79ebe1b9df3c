"""Drawing progress against the plan: cards for the overview, the plan columns and marker of a results ranking."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_model.texts.formatting import format_number, format_share
from ui.frames import records_by
from ui.i18n import t

CARDS_PER_ROW = 3
BEHIND_MARK = "▼"
ON_PLAN_MARK = "✓"


def _percent(value: float | None, lang: str) -> str:
    return "–" if value is None or pd.isna(value) else format_share(float(value) / 100, lang)


def status_text(*, behind: bool, expected: float | None, lang: str) -> str:
    """The marker and its words: on plan, or behind (the share due by today in the current year)."""
    if not behind:
        return f"{ON_PLAN_MARK} " + t("Đúng tiến độ")
    if expected is None or pd.isna(expected):
        return f"{BEHIND_MARK} " + t("Chưa đạt kế hoạch")
    return f"{BEHIND_MARK} " + t("Chậm (cần {percent} đến nay)", percent=_percent(expected, lang))


def progress_cards(frame: pd.DataFrame, *, lang: str, key: str) -> None:
    """One card per activity type with a target: each measure's actual of target and a bar, marked when behind."""
    # plain records: a groupby and itertuples per card cost more than drawing the cards
    cards = list(records_by(frame, key="type",
                            columns=["type_name", "measure_label", "actual", "target", "percent", "behind"]).values())
    for start in range(0, len(cards), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, rows in zip(cols, cards[start:start + CARDS_PER_ROW]):
            with col.container(border=True):
                st.markdown(f"**{rows[0]['type_name']}**")
                for r in rows:
                    percent = r["percent"]
                    share = 0.0 if percent is None or pd.isna(percent) else min(float(percent) / 100, 1.0)
                    mark = f" · {BEHIND_MARK} " + t("chậm") if r["behind"] else ""
                    st.progress(share, text=(
                        f"{r['measure_label']}: {format_number(r['actual'], lang)}/{format_number(r['target'], lang)} "
                        + t("– đạt {percent}", percent=_percent(percent, lang)) + mark))


def plan_columns(ranking: pd.DataFrame, *, year: int, lang: str) -> tuple[pd.DataFrame, dict]:
    """The ranking's plan columns renamed for a table, and their column configuration (None when no target)."""
    if ranking["plan_target"].isna().all():
        return ranking.drop(columns=["plan_target", "plan_actual", "plan_percent", "plan_behind"]), {}
    names = {"plan_target": t("Kế hoạch {year}", year=year),
             "plan_actual": t("Thực hiện {year}", year=year),
             "plan_percent": t("Đạt % kế hoạch"), "plan_behind": t("Tiến độ")}
    marks = [("" if pd.isna(target) else (BEHIND_MARK + " " + t("Chậm") if behind else
                                          ON_PLAN_MARK + " " + t("Đạt")))
             for target, behind in zip(ranking["plan_target"], ranking["plan_behind"])]
    out = ranking.assign(plan_behind=marks, plan_percent=pd.to_numeric(ranking["plan_percent"], errors="coerce"),
                         plan_target=pd.to_numeric(ranking["plan_target"], errors="coerce").astype("Int64"),
                         plan_actual=pd.to_numeric(ranking["plan_actual"], errors="coerce").astype("Int64"))
    config = {names["plan_percent"]: st.column_config.ProgressColumn(names["plan_percent"], format="%.0f%%",
                                                                     min_value=0, max_value=100)}
    return out.rename(columns=names), config
