"""By border station: station × year for one measure, a ranking, the communes covered, one station's detail."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from data_model.analytics.places import station_detail, station_view
from data_model.plans.progress import ranking_with_progress
from data_model.texts.formatting import format_date
from ui.charts import formatted, heatmap, ranking_bars, selected_points, trend_lines
from ui.downloads import download_buttons
from ui.filters import empty_state, open_records, pick_type_and_measure
from ui.i18n import t
from ui.loaders import cached_loader
from ui.page import open_results_page
from ui.plan_progress import BEHIND_MARK as BEHIND
from ui.plan_progress import ON_PLAN_MARK as ON_PLAN
from ui.plan_progress import plan_columns
from ui.widgets import choice

load_view = cached_loader(station_view)
load_detail = cached_loader(station_detail)


load_plan = cached_loader(ranking_with_progress)


def _station_id(point: dict) -> int | None:
    data = point.get("customdata") or [None]
    try:
        return int(data[0])
    except (TypeError, ValueError):
        return None


page = open_results_page("theo_don", title=t("Kết quả theo đồn biên phòng"),
                         published_by_station=True)
lang, filters = page.lang, page.filters
definition, measure = pick_type_and_measure(
    prefix="td", filters=filters, lang=lang, place="station",
    unavailable=t("Các loại hoạt động đang chọn không do đồn biên phòng thực hiện."))
view = load_view(filters=filters, type_code=definition.code, measure=measure.code, lang=lang)
value_title = measure.title(lang)
station_title = t("Đồn biên phòng")
st.caption(t("Hoạt động của cụm loa được tính cho đồn quản lý cụm loa."))
if view.ranking.empty:
    empty_state(filtered=True)
    st.stop()

st.subheader(t("{name}: {label} theo đồn và năm", name=definition.name(lang), label=measure.label(lang).lower()))
st.caption(t("Chọn một ô để xem các hoạt động của đồn trong năm đó."))
event = st.plotly_chart(heatmap(view.matrix, value_title=value_title, place_title=station_title, lang=lang),
                        on_select="rerun", selection_mode="points", key="td_heatmap")
for point in selected_points(event)[:1]:
    data = point.get("customdata") or [None, None]
    open_records(year=data[1] if len(data) > 1 else point.get("x"), type_code=definition.code,
                 station=_station_id(point))
matrix_table = view.matrix.rename(columns={"key": "station_id", "name": station_title, "year": t("Năm"),
                                           "value": value_title})
download_buttons(matrix_table, name=f"theo-don-{definition.code}", key="td_matrix")

span = f"{filters.year_from}–{filters.year_to}"
st.subheader(t("Xếp hạng các đồn ({span})", span=span))
event = st.plotly_chart(ranking_bars(view.ranking, value="value", value_title=value_title, place_title=station_title,
                                     color=definition.color, lang=lang, unit=measure.unit(lang)),
                        on_select="rerun", selection_mode="points", key="td_rank")
for point in selected_points(event)[:1]:
    open_records(type_code=definition.code, station=_station_id(point))
plan_year = filters.year_to
planned = load_plan(ranking=view.ranking, year=plan_year, level="unit", type_code=definition.code,
                    measure=measure.code, lang=lang)
planned, plan_config = plan_columns(planned.drop(columns=["population", "per_1000", "key"]), year=plan_year, lang=lang)
ranking = planned.rename(columns={
    "name": station_title, "value": value_title, "records": t("Số bản ghi"),
    "joint": t("Trong đó phối hợp"), "population_note": t("Các xã đồn phụ trách")})
if plan_config:
    st.caption(t("Kế hoạch năm {plan_year}: {behind} chậm hoặc chưa đạt kế hoạch, {on_plan} đúng tiến độ.",
                 plan_year=plan_year, behind=BEHIND, on_plan=ON_PLAN))
st.caption(t("Hoạt động phối hợp được tính một lần trong tổng của tỉnh và xã, và được ghi công cho mỗi đơn vị "
             "cùng tổ chức (cột «Trong đó phối hợp»)."))
st.dataframe(formatted(ranking, columns=[value_title, t("Số bản ghi"), t("Trong đó phối hợp")], lang=lang),
             hide_index=True,
             column_config=plan_config)
download_buttons(ranking, name=f"xep-hang-don-{definition.code}", key="td_ranking")

st.subheader(t("Địa bàn phụ trách"))
coverage = view.extra
if coverage.empty:
    st.caption(t("Chưa có liên kết đồn – xã trong khoảng năm này."))
else:
    cov = coverage.assign(
        valid_from=[format_date(d, lang) if isinstance(d, dt.date) else t("(không rõ)")
                    for d in coverage["valid_from"]],
        # valid_to is exclusive: the last day covered is the day before
        valid_to=[format_date(d - dt.timedelta(days=1), lang) if isinstance(d, dt.date) else t("nay")
                  for d in coverage["valid_to"]],
    )[["station", "commune", "valid_from", "valid_to"]].rename(columns={
        "station": station_title, "commune": t("Xã"), "valid_from": t("Từ ngày"),
        "valid_to": t("Đến ngày", ctx="until")})
    st.dataframe(cov, hide_index=True)
    download_buttons(cov, name="dia-ban-phu-trach", key="td_coverage")

st.subheader(t("Chi tiết một đồn"))
stations = {str(k): n for k, n in zip(view.ranking["key"], view.ranking["name"])}
chosen = choice(st.selectbox, station_title, stations, key="td_station", bind="query-params")
detail = load_detail(filters=filters, station_id=int(chosen), type_code=definition.code, lang=lang)
trend = detail.trend[detail.trend["measure"] == measure.code]
if trend.empty:
    empty_state(filtered=True)
else:
    st.plotly_chart(trend_lines(trend.assign(series=trend["type_name"] + " – " + trend["measure_label"].str.lower()),
                                y_title=value_title, lang=lang), key="td_detail_trend")
    download_buttons(detail.trend.drop(columns=["type", "measure"]), name=f"don-{chosen}", key="td_detail")
if st.button(t("Xem danh sách hoạt động của đồn"), key="td_records",
             icon=":material/table_rows:"):
    open_records(station=int(chosen))
