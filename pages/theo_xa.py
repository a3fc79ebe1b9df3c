"""By commune: commune × year for one measure, a ranking (absolute and per 1,000 residents; communes without activity
as 0), the communes and villages not reached in a year, one commune's detail."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.filters import Filters
from data_model.analytics.places import commune_detail, commune_view
from data_model.analytics.reach import list_not_reached
from data_model.definitions.activity_types import ActivityType
from data_model.plans.progress import ranking_with_progress
from data_model.texts.formatting import format_number
from ui.auth import plain
from ui.charts import formatted, heatmap, ranking_bars, selected_points, trend_lines
from ui.downloads import download_buttons
from ui.filters import empty_state, open_records, pick_type_and_measure
from ui.i18n import t
from ui.loaders import cached_loader
from ui.map_view import commune_map_block
from ui.page import open_results_page
from ui.plan_progress import BEHIND_MARK as BEHIND
from ui.plan_progress import ON_PLAN_MARK as ON_PLAN
from ui.plan_progress import plan_columns
from ui.widgets import choice, keep_valid

load_view = cached_loader(commune_view)
load_detail = cached_loader(commune_detail)
load_plan = cached_loader(ranking_with_progress)
load_not_reached = cached_loader(list_not_reached)


def not_reached_section(*, definition: ActivityType, filters: Filters, lang: str) -> None:
    """The planner's list: the border-area communes and villages without this type of activity in a chosen year."""
    commune_title = t("Xã")
    st.subheader(t("Xã, bản chưa có hoạt động: {name}", name=definition.name(lang).lower()))
    years = list(range(filters.year_to, filters.year_from - 1, -1))
    keep_valid("tx_nr_year", years)
    year = st.selectbox(t("Năm"), years, key="tx_nr_year", bind="query-params", width=200)
    found = load_not_reached(filters=filters, type_code=definition.code, year=year, lang=lang)
    people, station, villages = t("Số dân"), t("Đồn biên phòng phụ trách"), t("Số bản chưa có hoạt động")
    communes = found.communes.drop(columns="key").rename(columns={
        "commune": commune_title, "population": people, "stations": station, "villages": villages})
    if communes.empty:
        st.success(t("Năm {year}, cả {n} xã khu vực biên giới đều đã có hoạt động này.", year=year,
                     n=found.communes_in_scope), icon=":material/check_circle:")
    else:
        st.markdown(t("**{n}/{total} xã khu vực biên giới** chưa có hoạt động này trong năm {year}.",
                      n=len(communes), total=found.communes_in_scope, year=year))
        st.dataframe(formatted(communes, columns=[people, villages], lang=lang), hide_index=True,
                     key="tx_nr_communes")
        download_buttons(communes, name=f"xa-chua-co-{definition.code}-{year}", key="tx_nr_communes_dl")
    if found.villages.empty:
        st.caption(t("Không có bản nào chưa có hoạt động này (hoặc các xã chưa có danh sách bản)."))
        return
    village_table = found.villages.drop(columns="commune_key").rename(columns={
        "commune": commune_title, "village": t("Bản"), "population": people, "stations": station,
        "commune_reached": t("Xã đã có hoạt động")})
    shown = village_table.assign(**{t("Xã đã có hoạt động"): [
        t("có") if v else t("chưa") for v in village_table[t("Xã đã có hoạt động")]]})
    with st.expander(t("{n} bản chưa có hoạt động này trong năm {year}", n=len(shown), year=year)):
        st.dataframe(formatted(shown, columns=[people], lang=lang), hide_index=True, key="tx_nr_villages")
        download_buttons(shown, name=f"ban-chua-co-{definition.code}-{year}", key="tx_nr_villages_dl")


page = open_results_page("theo_xa", title=t("Kết quả theo xã"))
lang, filters = page.lang, page.filters
definition, measure = pick_type_and_measure(
    prefix="tx", filters=filters, lang=lang, place="commune",
    unavailable=t("Các loại hoạt động đang chọn không ghi theo xã."))
view = load_view(filters=filters, type_code=definition.code, measure=measure.code, lang=lang)
value_title = measure.title(lang)
commune_title = t("Xã")
if not view.ranking["records"].any():
    empty_state(filtered=True)
    not_reached_section(definition=definition, filters=filters, lang=lang)
    st.stop()

st.subheader(t("Bản đồ các xã"))  # the map block names its layer
commune_map_block(prefix="tx", filters=filters, definition=definition, measure=measure)

st.subheader(t("{name}: {label} theo xã và năm", name=definition.name(lang), label=measure.label(lang).lower()))
st.caption(t("Chọn một ô để xem các hoạt động của xã trong năm đó."))
event = st.plotly_chart(heatmap(view.matrix, value_title=value_title, place_title=commune_title, lang=lang),
                        on_select="rerun", selection_mode="points", key="tx_heatmap")
for point in selected_points(event)[:1]:
    commune_key, year = (point.get("customdata") or [None, None])[:2]
    open_records(year=year or point.get("x"), type_code=definition.code, commune=commune_key)
download_buttons(view.matrix.rename(columns={"key": "commune_key", "name": commune_title, "year": t("Năm"),
                                             "value": value_title}), name=f"theo-xa-{definition.code}", key="tx_matrix")

span = f"{filters.year_from}–{filters.year_to}"
st.subheader(t("Xếp hạng các xã ({span})", span=span))
absolute, rate = st.tabs([t("Số tuyệt đối"), t("Trên 1.000 dân")])
with absolute:
    event = st.plotly_chart(ranking_bars(view.ranking, value="value", value_title=value_title,
                                         place_title=commune_title,
                                         color=definition.color, lang=lang, unit=measure.unit(lang)),
                            on_select="rerun", selection_mode="points", key="tx_rank")
    for point in selected_points(event)[:1]:
        open_records(type_code=definition.code, commune=(point.get("customdata") or [None])[0])
with rate:
    known = view.ranking.dropna(subset=["per_1000"])
    unknown = view.ranking[view.ranking["per_1000"].isna()]
    if known.empty:
        st.info(t("Chưa có số dân của xã nào trong danh sách, nên chưa tính được tỷ lệ trên 1.000 dân."))
    else:
        rate_title = t("{label} trên 1.000 dân", label=measure.label(lang))
        st.plotly_chart(ranking_bars(known, value="per_1000", value_title=rate_title, place_title=commune_title,
                                     color=definition.color, lang=lang), key="tx_rate")
    if not unknown.empty:
        st.caption(t("Chưa có số dân (không tính được tỷ lệ): ")
                   + ", ".join(plain(n) for n in unknown["name"]))
plan_year = filters.year_to
planned = load_plan(ranking=view.ranking, year=plan_year, level="commune", type_code=definition.code,
                    measure=measure.code, lang=lang)
planned, plan_config = plan_columns(planned, year=plan_year, lang=lang)
table = planned.rename(columns={"name": commune_title, "value": value_title, "records": t("Số bản ghi"),
                                "population": t("Số dân"),
                                "population_note": t("Ghi chú số dân"),
                                "per_1000": t("Trên 1.000 dân")}).drop(columns="key")
if plan_config:
    st.markdown(t("**Kế hoạch năm {plan_year}** ({behind} chậm hoặc chưa đạt, {on_plan} đúng tiến độ)",
                  plan_year=plan_year, behind=BEHIND, on_plan=ON_PLAN))
    plan_table = table[table[t("Kế hoạch {plan_year}", plan_year=plan_year)].notna()]
    st.dataframe(plan_table[[commune_title, *[c for c in plan_table.columns if c in plan_config or
                                              c.startswith((t("Kế hoạch", ctx="plan"), t("Thực hiện"),
                                                            t("Tiến độ")))]]],
                 hide_index=True, column_config=plan_config)
download_buttons(table, name=f"xep-hang-xa-{definition.code}", key="tx_ranking")

not_reached_section(definition=definition, filters=filters, lang=lang)

st.subheader(t("Chi tiết một xã"))
communes = dict(zip(view.ranking["key"], view.ranking["name"]))
chosen = choice(st.selectbox, commune_title, communes, key="tx_commune", bind="query-params")
detail = load_detail(filters=filters, commune_key=chosen, lang=lang)
pop = detail.population
if pop is None:
    st.caption(t("Chưa có số dân của xã này."))
elif pop.approximate:
    st.caption(t("Số dân: {population} (ước tính)", population=format_number(pop.value, lang)))
else:
    st.caption(t("Số dân: {population}", population=format_number(pop.value, lang)))
trend = detail.trend[detail.trend["measure"] == detail.trend.groupby("type")["measure"].transform("first")]
if trend.empty:
    empty_state(filtered=True)
else:
    st.plotly_chart(trend_lines(trend.assign(series=trend["type_name"] + " – " + trend["measure_label"].str.lower()),
                                y_title=t("Chỉ tiêu chính của mỗi loại"), lang=lang),
                    key="tx_detail_trend")
    download_buttons(detail.trend.drop(columns=["type", "measure"]), name=f"xa-{chosen}", key="tx_detail")
villages = detail.villages
st.markdown(t("**Các bản của xã**"))
if villages.empty:
    st.caption(t("Chưa có danh sách bản của xã này."))
else:
    reached = villages[villages["records"] > 0].pivot_table(index="village", columns="type_name", values="records",
                                                           aggfunc="sum", fill_value=0)
    names = villages.drop_duplicates("village_id")[["village", "is_demo"]].set_index("village")
    table = names.join(reached, how="left").fillna(0).reset_index()
    table["is_demo"] = [t("dữ liệu mẫu") if d else "" for d in table["is_demo"]]
    table = table.rename(columns={"village": t("Bản"), "is_demo": t("Ghi chú")})
    st.caption(t("Số bản ghi hoạt động của mỗi bản trong khoảng năm đã chọn (0 = chưa có hoạt động)."))
    st.dataframe(table, hide_index=True)
if st.button(t("Xem danh sách hoạt động của xã"), key="tx_records",
             icon=":material/table_rows:"):
    open_records(commune=chosen)
