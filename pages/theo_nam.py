"""Trends: multi-year lines per activity type and measure, one chart per unit so every axis counts one thing."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.overview import yearly_series
from ui.charts import selected_points, trend_lines
from ui.downloads import download_buttons
from ui.filters import empty_state, open_records
from ui.i18n import t
from ui.loaders import cached_loader
from ui.page import open_results_page
from ui.widgets import choice

load_series = cached_loader(yearly_series)

page = open_results_page("theo_nam", title=t("Xu hướng theo năm"))
lang, filters = page.lang, page.filters
series = load_series(filters=filters, lang=lang)
if series.empty:
    empty_state(filtered=True)
    st.stop()

series = series.assign(series_key=series["type"] + ":" + series["measure"],
                       series=series["type_name"] + " – " + series["measure_label"].str.lower())
labels = dict(zip(series["series_key"], series["series"]))
main = series.groupby("type", sort=False)["series_key"].first().tolist()
chosen = choice(st.multiselect, t("Chỉ tiêu hiển thị"), labels, default=main, key="tn_series",
                bind="query-params", placeholder=t("Chọn chỉ tiêu"), select_all=False,
                help=t("Mặc định là chỉ tiêu chính của mỗi loại hoạt động. Các chỉ tiêu cùng đơn vị tính được vẽ "
                       "chung một biểu đồ."))
if not chosen:
    st.info(t("Hãy chọn ít nhất một chỉ tiêu."))
    st.stop()
shown = series[series["series_key"].isin(chosen)]
# a second measure of a type in the same chart gets a dashed line (the colour stays the type's)
first_measure = shown.groupby(["unit", "type"])["measure"].transform("first")
shown = shown.assign(dash=["solid" if m == f else "dash" for m, f in zip(shown["measure"], first_measure)])
st.caption(t("Chọn một điểm để xem các hoạt động của loại đó trong năm đó."))
for n, (unit, rows) in enumerate(shown.groupby("unit", sort=False)):
    st.markdown(f"**{t('Đơn vị tính')}: {unit}**")
    event = st.plotly_chart(trend_lines(rows, y_title=unit, lang=lang, height=340), on_select="rerun",
                            selection_mode="points", key=f"tn_chart_{n}")
    for point in selected_points(event)[:1]:
        data = point.get("customdata") or [None, None]
        open_records(type_code=data[0], year=data[1] if len(data) > 1 else point.get("x"))
table = shown[["year", "type_name", "measure_label", "unit", "value"]].rename(columns={
    "year": t("Năm"), "type_name": t("Loại hoạt động"),
    "measure_label": t("Chỉ tiêu"),
    "unit": t("Đơn vị tính"), "value": t("Giá trị")})
download_buttons(table, name=f"xu-huong-{filters.year_from}-{filters.year_to}", key="tn_table")
