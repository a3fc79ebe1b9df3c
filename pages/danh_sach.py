"""Records: the filtered activity records, newest or oldest first, one page at a time (keyset paging)."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from data_model.analytics.filters import Filters, parse_whole_number
from data_model.analytics.records_query import PAGE_SIZE, count_records, fetch_records
from data_model.basics.issues import MAX_REASON, YEAR_MAX, YEAR_MIN
from data_model.definitions.activity_types import get_activity_type, load_activity_types
from data_model.records.flags import can_raise_flag, raise_flag
from data_model.texts.formatting import format_date, format_number
from ui.auth import plain, write_actor
from ui.downloads import download_buttons
from ui.filters import DRILL_KEYS, empty_state, load_options, stations_with_clusters
from ui.i18n import current_language, t
from ui.loaders import cached_loader, database_key
from ui.page import open_results_page
from ui.widgets import choice
from ui.writes import run_write

load_page = cached_loader(fetch_records)
load_count = cached_loader(count_records)


def drilled(filters: Filters) -> tuple[Filters, list[str], list[str]]:
    """The sidebar filters narrowed by a chart selection passed in the URL, what it says in words, and the URL
    values that were ignored because they name no year, type, commune or station."""
    params, said, ignored = st.query_params, [], []
    lang = current_language()
    options = load_options(lang=lang)
    year = parse_whole_number(text=params.get("d_year"), low=YEAR_MIN, high=YEAR_MAX)
    if year is not None:
        filters = replace(filters, year_from=year, year_to=year)
        said.append(t("năm {year}", year=year))
    if params.get("d_type") in load_activity_types():
        filters = replace(filters, types=(params["d_type"],))
        said.append(get_activity_type(params["d_type"]).name(lang))
    communes = options.communes_current if filters.boundaries == "current" else options.communes_recorded
    if params.get("d_commune") in communes:
        filters = replace(filters, communes=(params["d_commune"],), district=None)
        said.append(t("xã {communes}", communes=plain(communes[params['d_commune']])))
    station = parse_whole_number(text=params.get("d_station"), low=1, high=2**31 - 1)
    if station in options.stations:
        filters = replace(filters, stations=stations_with_clusters(stations=(station,)))
        said.append(plain(options.stations[station]))
    understood = {"d_year": year is not None, "d_type": params.get("d_type") in load_activity_types(),
                  "d_commune": params.get("d_commune") in communes, "d_station": station in options.stations}
    ignored = [key for key, ok in understood.items() if key in params and not ok]
    return filters, said, ignored


def flag_record() -> None:
    """Mark the chosen record "cần kiểm tra lại" with the typed reason (button callback)."""
    actor = write_actor()
    record_id = st.session_state.get("ds_flag_record")
    if actor is None or record_id is None:
        return
    reason = st.session_state.get("ds_flag_reason", "")
    done = run_write(lambda s: raise_flag(session=s, actor=actor, record_id=record_id, reason=reason),
                     success=t("Đã yêu cầu đơn vị kiểm tra lại hoạt động số {record_id}.", record_id=record_id),
                     callback=True)
    if done.ok:
        st.session_state["ds_flag_reason"] = ""


def _clear_drill() -> None:
    for key in DRILL_KEYS:
        st.query_params.pop(key, None)


page = open_results_page("danh_sach", title=t("Danh sách hoạt động"), published=False)
lang = page.lang
filters, said, ignored = drilled(page.filters)
if ignored:
    st.warning(t("Bỏ qua lựa chọn không hợp lệ trong địa chỉ trang: {keys}", keys=", ".join(ignored)),
               icon=":material/link_off:")
if said:
    left, right = st.columns([4, 1])
    left.info(t("Đang xem theo lựa chọn trên biểu đồ: ") + " · ".join(said),
              icon=":material/ads_click:")
    right.button(t("Bỏ lựa chọn này"), on_click=_clear_drill, key="ds_clear")

sort_labels = {"new": t("Mới nhất trước"), "old": t("Cũ nhất trước")}
order = choice(st.segmented_control, t("Sắp xếp theo ngày bắt đầu"), sort_labels,
               default="new", required=True, key="ds_sort", bind="query-params")
newest_first = order != "old"

# the cursor stack belongs to one filter and sort; any change starts again at page 1
signature = (database_key(), filters, newest_first)
if st.session_state.get("ds_signature") != signature:
    st.session_state["ds_signature"] = signature
    st.session_state["ds_cursors"] = [None]
cursors: list = st.session_state["ds_cursors"]
records = load_page(filters=filters, after=cursors[-1], newest_first=newest_first, lang=lang)
total = load_count(filters=filters)

if records.rows.empty:
    empty_state(filtered=True)
    st.stop()

first = (len(cursors) - 1) * PAGE_SIZE + 1
last = first + len(records.rows) - 1
st.caption(t("Trang {cursors} · bản ghi {first}–{last} trên tổng số {total}", cursors=len(cursors),
             first=format_number(first, lang), last=format_number(last, lang), total=format_number(total, lang)))
rows = records.rows
table = {
    t("Ngày bắt đầu"): [format_date(d, lang) for d in rows["start_date"]],
    t("Ngày kết thúc"): [format_date(d, lang) for d in rows["end_date"]],
    t("Loại hoạt động"): rows["type_name"],
    t("Đơn vị thực hiện"): rows["unit"],
    t("Xã"): rows["commune"],
    t("Bản"): rows["village"],
    t("Ngôn ngữ"): rows["languages"],
    t("Nội dung"): rows["topic"],
}
if len(filters.types) == 1:
    # one type: its measures get their own columns, labelled from the definition
    for m in get_activity_type(filters.types[0]).measures:
        table[m.title(lang)] = [format_number(v, lang) if v == v and v is not None else ""
                                                      for v in rows[m.column]]
else:
    table[t("Số liệu", ctx="figures")] = rows["figures"]
shown = pd.DataFrame(table)
st.dataframe(shown, hide_index=True, height=min(38 + 35 * len(shown), 1800))
prev_col, next_col, _ = st.columns([1, 1, 4])
if prev_col.button(t("← Trang trước"), disabled=len(cursors) == 1, key="ds_prev"):
    cursors.pop()
    st.rerun()
if next_col.button(t("Trang sau →"), disabled=records.next_cursor is None, key="ds_next"):
    cursors.append(records.next_cursor)
    st.rerun()
download_buttons(shown, name=f"danh-sach-trang-{len(cursors)}", key="ds_page")

if can_raise_flag(page.actor):
    with st.expander(t("Yêu cầu đơn vị kiểm tra lại một hoạt động"), icon=":material/flag:"):
        picks = {int(r.id): f"{t('Số')} {r.id} – {format_date(r.start_date, lang)} – {r.type_name} – {r.unit}"
                 for r in rows.itertuples()}
        st.selectbox(t("Hoạt động (trên trang này)"), list(picks), format_func=lambda k: picks.get(k, str(k)),
                     index=None, key="ds_flag_record", placeholder=t("Chọn hoạt động"))
        st.text_input(t("Lý do cần kiểm tra lại (bắt buộc)"), key="ds_flag_reason", max_chars=MAX_REASON)
        st.button(t("Gửi yêu cầu kiểm tra lại"), key="ds_flag_send", on_click=flag_record, icon=":material/flag:")
