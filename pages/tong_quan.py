"""Overview: one year's results per activity type against the year before, the period in one sentence, trends."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from data_model.analytics.overview import build_overview
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.plans.progress import progress
from data_model.texts.formatting import format_number, format_percent_change
from ui.downloads import download_buttons
from ui.filters import empty_state, load_options
from ui.frames import frames_by, records_by
from ui.i18n import t
from ui.loaders import cached_loader
from ui.map_view import commune_map_block
from ui.page import open_results_page
from ui.plan_progress import BEHIND_MARK, progress_cards
from ui.sparkline import sparkline_svg
from ui.widgets import keep_valid

CARDS_PER_ROW = 2


load_overview = cached_loader(build_overview)


load_progress = cached_loader(progress)


def _delta(change: float | None, previous: int, year: int, lang: str) -> str | None:
    if change is None or change != change:  # None or NaN: nothing the year before
        return None
    return format_percent_change(change, lang)


def _card(type_code: str, rows: list[dict], trend, year: int, lang: str) -> None:
    definition = get_activity_type(type_code)
    with st.container(border=True):
        st.markdown(f"**{definition.name(lang)}**")
        cols = st.columns(min(len(rows), 2))
        for i, row in enumerate(rows):
            delta = _delta(row["change"], row["previous"], year, lang)
            col = cols[i % len(cols)]
            # the label as a caption wraps; a metric label would be cut off in a narrow card
            col.caption(f"{row['measure_label']} ({row['unit']})")
            col.metric(
                row["measure_label"], format_number(row["value"], lang), delta=delta, label_visibility="collapsed",
                delta_color="off" if row["change"] == 0 else "normal",
                delta_arrow="off" if row["change"] == 0 else "auto",
                help=(t("Năm {year}: {previous} {unit}", year=year - 1, previous=format_number(row["previous"], lang),
                        unit=row["unit"])),
                delta_description=None if delta else t("năm {year} chưa có số liệu", year=year - 1),
            )
        mine = trend.get(type_code)
        if mine is not None and len(mine) > 1:
            main = definition.main_measure
            st.caption(t("{label} theo năm", label=main.label(lang)))
            # inline SVG: a dozen Plotly sparklines kept the page half-drawn for seconds in the browser
            st.markdown(sparkline_svg(mine, color=definition.color, unit=main.unit(lang), lang=lang),
                        unsafe_allow_html=True)


page = open_results_page("tong_quan", title=t("Tổng quan kết quả thông tin, tuyên truyền biên giới"))
lang, filters = page.lang, page.filters
lo, hi = load_options().years
st.subheader(t("Tổng hợp theo giai đoạn"))
if lo < hi:
    chosen = st.session_state.get("tq_period")
    if chosen is not None and not (lo <= chosen[0] <= chosen[1] <= hi):
        st.session_state.pop("tq_period")
    period = st.slider(t("Giai đoạn tổng hợp"), min_value=lo, max_value=hi,
                       value=(filters.year_from, filters.year_to), key="tq_period", bind="query-params",
                       help=t("Các bộ lọc loại hoạt động, xã, đồn ở thanh bên vẫn áp dụng."))
else:
    period = (lo, hi)
period = (int(period[0]), int(period[1]))
sentence_box = st.container(border=True)
period_table_box = st.container()
map_box = st.container()

years = list(range(filters.year_to, filters.year_from - 1, -1))
keep_valid("tq_year", years)
st.subheader(t("Kết quả từng năm"))
year = st.selectbox(t("Năm xem kết quả"), years, key="tq_year", bind="query-params", width=240)
overview = load_overview(filters=filters, year=year, period=period, lang=lang)

span = f"{period[0]}–{period[1]}" if period[0] != period[1] else str(period[0])
with sentence_box:
    st.markdown(overview.sentence.replace("*", "\\*"))
if not overview.period.empty:
    period_table = overview.period[["type_name", "measure_label", "unit", "value"]].rename(columns={
        "type_name": t("Loại hoạt động"), "measure_label": t("Chỉ tiêu"),
        "unit": t("Đơn vị tính"), "value": t("Tổng")})
    with period_table_box.expander(t("Bảng số liệu giai đoạn {span}", span=span)):
        totals = [format_number(v, lang) for v in overview.period["value"]]
        st.dataframe(period_table.assign(**{t("Tổng"): totals}),
                     hide_index=True)
        download_buttons(period_table, name=f"giai-doan-{span}", key="tq_period_table")

if overview.kpis.empty:
    empty_state(filtered=True)
else:
    st.caption(t("Mỗi thẻ là một loại hoạt động trong năm {year}; mũi tên cho biết tăng/giảm so với năm {year2}.",
                 year=year, year2=year - 1))
    # plain records and one split of the trend: pandas' row access per card cost more than drawing the cards
    groups = list(records_by(overview.kpis, key="type",
                             columns=["measure_label", "unit", "value", "previous", "change"]).items())
    trends = frames_by(overview.trend, key="type")
    for start in range(0, len(groups), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, (type_code, rows) in zip(cols, groups[start:start + CARDS_PER_ROW]):
            with col:
                _card(str(type_code), rows, trends, year, lang)
    kpi_table = overview.kpis[["type_name", "measure_label", "unit", "value", "previous", "change"]].rename(columns={
        "type_name": t("Loại hoạt động"), "measure_label": t("Chỉ tiêu"),
        "unit": t("Đơn vị tính"), "value": str(year), "previous": str(year - 1),
        "change": t("Thay đổi (tỷ lệ)")})
    download_buttons(kpi_table, name=f"tong-quan-{year}", key="tq_kpis")

mapped = {d.code: d for d in list_activity_types()
          if d.commune != "none" and (not filters.types or d.code in filters.types)}
with map_box:
    if mapped:
        st.markdown(t("**Bản đồ các xã, giai đoạn {span}**", span=span))
        keep_valid("tq_map_type", mapped)
        chosen_type = st.selectbox(t("Loại hoạt động trên bản đồ"), list(mapped),
                                   format_func=lambda c: mapped[c].name(lang), key="tq_map_type", width=360)
        commune_map_block(prefix="tq", filters=replace(filters, year_from=period[0], year_to=period[1]),
                          definition=mapped[chosen_type], measure=mapped[chosen_type].main_measure, small=True)

plan = load_progress(year=year, by="province", lang=lang)
if filters.types:
    plan = plan[plan["type"].isin(filters.types)]
if not plan.empty:
    st.subheader(t("Tiến độ kế hoạch năm {year}", year=year))
    st.caption(t("Số thực hiện / kế hoạch năm {year} của toàn tỉnh; {behind_mark} chậm: thấp hơn kế hoạch (năm đang "
                 "thực hiện: thấp hơn phần cần đạt theo số tháng đã qua).", year=year, behind_mark=BEHIND_MARK))
    if filters.communes or filters.stations or filters.district:
        st.caption(t("Kế hoạch và số thực hiện của toàn tỉnh (không theo bộ lọc xã, đồn)."))
    progress_cards(plan, lang=lang, key="tq_plan")
