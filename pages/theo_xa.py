"""By commune: commune × year for one measure, a ranking (absolute and per 1,000 residents), one commune's detail."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.filters import Filters
from data_model.analytics.places import PlaceDetail, PlaceView, commune_detail, commune_view
from data_model.schema.db import read_session
from data_model.texts.formatting import format_number
from ui.charts import heatmap, ranking_bars, selected_points, trend_lines
from ui.downloads import download_buttons
from ui.auth import guard_page
from ui.engine import get_engine
from ui.filters import CACHE_TTL_S, database_key, empty_state, open_records, pick_type_and_measure, sidebar_filters
from ui.i18n import current_language, t


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def load_view(url: str, filters: Filters, type_code: str, measure: str, lang: str) -> PlaceView:
    """Per-commune figures (cached)."""
    with read_session(get_engine()) as session:
        return commune_view(session=session, filters=filters, type_code=type_code, measure=measure, lang=lang)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def load_detail(url: str, filters: Filters, commune_key: str, lang: str) -> PlaceDetail:
    """One commune's trend and villages (cached)."""
    with read_session(get_engine()) as session:
        return commune_detail(session=session, filters=filters, commune_key=commune_key, lang=lang)


guard_page("theo_xa")
lang = current_language()
st.title(t("Kết quả theo xã"))
filters = sidebar_filters()
if filters is None:
    empty_state()
    st.stop()
definition, measure = pick_type_and_measure(prefix="tx", filters=filters, lang=lang, place="commune")
if definition is None:
    st.info(t("Các loại hoạt động đang chọn không ghi theo xã."))
    st.stop()
view = load_view(database_key(), filters, definition.code, measure.code, lang)
value_title = f"{measure.label(lang)} ({measure.unit(lang)})"
commune_title = t("Xã")
if view.ranking.empty:
    empty_state(filtered=True)
    st.stop()

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
                   + ", ".join(unknown["name"]))
table = view.ranking.rename(columns={"name": commune_title, "value": value_title, "records": t("Số bản ghi"),
                                     "population": t("Số dân"),
                                     "population_note": t("Ghi chú số dân"),
                                     "per_1000": t("Trên 1.000 dân")}).drop(columns="key")
download_buttons(table, name=f"xep-hang-xa-{definition.code}", key="tx_ranking")

st.subheader(t("Chi tiết một xã"))
communes = dict(zip(view.ranking["key"], view.ranking["name"]))
if st.session_state.get("tx_commune") not in communes:
    st.session_state.pop("tx_commune", None)
chosen = st.selectbox(commune_title, list(communes), format_func=communes.get, key="tx_commune", bind="query-params")
detail = load_detail(database_key(), filters, chosen, lang)
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
