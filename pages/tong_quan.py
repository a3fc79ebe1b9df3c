"""Overview: one year's results per activity type against the year before, the period in one sentence, trends."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.filters import Filters
from data_model.analytics.overview import Overview, build_overview
from data_model.definitions.activity_types import get_activity_type
from data_model.schema.db import read_session
from data_model.texts.formatting import format_number, format_percent_change
from ui.downloads import download_buttons
from ui.auth import guard_page
from ui.engine import get_engine
from ui.filters import CACHE_TTL_S, database_key, empty_state, load_options, sidebar_filters
from ui.i18n import current_language, t
from ui.sparkline import sparkline_svg

CARDS_PER_ROW = 2


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def load_overview(url: str, filters: Filters, year: int, period: tuple[int, int], lang: str) -> Overview:
    """The overview's figures (cached per database, filters, year, period and language)."""
    with read_session(get_engine()) as session:
        return build_overview(session=session, filters=filters, year=year, period=period, lang=lang)


def _delta(change: float | None, previous: int, year: int, lang: str) -> str | None:
    if change is None or change != change:  # None or NaN: nothing the year before
        return None
    return format_percent_change(change, lang)


def _card(type_code: str, rows, trend, year: int, lang: str) -> None:
    definition = get_activity_type(type_code)
    with st.container(border=True):
        st.markdown(f"**{definition.name(lang)}**")
        cols = st.columns(min(len(rows), 2))
        for i, row in enumerate(rows.itertuples()):
            delta = _delta(row.change, row.previous, year, lang)
            col = cols[i % len(cols)]
            # the label as a caption wraps; a metric label would be cut off in a narrow card
            col.caption(f"{row.measure_label} ({row.unit})")
            col.metric(
                row.measure_label, format_number(row.value, lang), delta=delta, label_visibility="collapsed",
                delta_color="off" if row.change == 0 else "normal", delta_arrow="off" if row.change == 0 else "auto",
                help=(t(f"Năm {year - 1}: {format_number(row.previous, lang)} {row.unit}",
                        f"{year - 1}: {format_number(row.previous, lang)} {row.unit}")),
                delta_description=None if delta else t(f"năm {year - 1} chưa có số liệu", f"no data for {year - 1}"),
            )
        mine = trend[trend["type"] == type_code]
        if len(mine) > 1:
            main = definition.main_measure
            st.caption(t(f"{main.label_vi} theo năm", f"{main.label_en} per year"))
            # inline SVG: a dozen Plotly sparklines kept the page half-drawn for seconds in the browser
            st.markdown(sparkline_svg(mine, color=definition.color, unit=main.unit(lang), lang=lang),
                        unsafe_allow_html=True)


guard_page("tong_quan")
lang = current_language()
st.title(t("Tổng quan kết quả thông tin, tuyên truyền biên giới", "Overview of border outreach results"))
filters = sidebar_filters()
if filters is None:
    empty_state()
    st.stop()

lo, hi = load_options(database_key()).years
st.subheader(t("Tổng hợp theo giai đoạn", "Summary of a period"))
if lo < hi:
    chosen = st.session_state.get("tq_period")
    if chosen is not None and not (lo <= chosen[0] <= chosen[1] <= hi):
        st.session_state.pop("tq_period")
    period = st.slider(t("Giai đoạn tổng hợp", "Period summarised"), min_value=lo, max_value=hi,
                       value=(filters.year_from, filters.year_to), key="tq_period", bind="query-params",
                       help=t("Các bộ lọc loại hoạt động, xã, đồn ở thanh bên vẫn áp dụng.",
                              "The sidebar's type, commune and station filters still apply."))
else:
    period = (lo, hi)
period = (int(period[0]), int(period[1]))
sentence_box = st.container(border=True)
period_table_box = st.container()

years = list(range(filters.year_to, filters.year_from - 1, -1))
if st.session_state.get("tq_year") not in years:
    st.session_state.pop("tq_year", None)
st.subheader(t("Kết quả từng năm", "Results of one year"))
year = st.selectbox(t("Năm xem kết quả", "Year"), years, key="tq_year", bind="query-params", width=240)
overview = load_overview(database_key(), filters, year, period, lang)

span = f"{period[0]}–{period[1]}" if period[0] != period[1] else str(period[0])
with sentence_box:
    st.markdown(overview.sentence.replace("*", "\\*"))
if not overview.period.empty:
    period_table = overview.period[["type_name", "measure_label", "unit", "value"]].rename(columns={
        "type_name": t("Loại hoạt động", "Activity type"), "measure_label": t("Chỉ tiêu", "Measure"),
        "unit": t("Đơn vị tính", "Unit"), "value": t("Tổng", "Total")})
    with period_table_box.expander(t(f"Bảng số liệu giai đoạn {span}", f"Figures of {span}")):
        totals = [format_number(v, lang) for v in overview.period["value"]]
        st.dataframe(period_table.assign(**{t("Tổng", "Total"): totals}),
                     hide_index=True)
        download_buttons(period_table, name=f"giai-doan-{span}", key="tq_period_table")

if overview.kpis.empty:
    empty_state(filtered=True)
else:
    st.caption(t(f"Mỗi thẻ là một loại hoạt động trong năm {year}; mũi tên cho biết tăng/giảm so với năm {year - 1}.",
                 f"One card per activity type in {year}; arrows show the change against {year - 1}."))
    groups = list(overview.kpis.groupby("type", sort=False))
    for start in range(0, len(groups), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, (type_code, rows) in zip(cols, groups[start:start + CARDS_PER_ROW]):
            with col:
                _card(type_code, rows, overview.trend, year, lang)
    kpi_table = overview.kpis[["type_name", "measure_label", "unit", "value", "previous", "change"]].rename(columns={
        "type_name": t("Loại hoạt động", "Activity type"), "measure_label": t("Chỉ tiêu", "Measure"),
        "unit": t("Đơn vị tính", "Unit"), "value": str(year), "previous": str(year - 1),
        "change": t("Thay đổi (tỷ lệ)", "Change (ratio)")})
    download_buttons(kpi_table, name=f"tong-quan-{year}", key="tq_kpis")
