"""Reporting progress: units confirm each month; the unit × month grid, rates, overdue units, timeliness of entry."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_model.basics.permissions import PermissionDenied
from data_model.definitions.activity_types import list_activity_types
from data_model.records.flags import FollowUpList, follow_up_list
from data_model.reporting.completeness import STATUS_LABELS
from data_model.reporting.confirmations import confirm_month
from data_model.reporting.deadline import ReportingError, local_today, set_deadline_day
from data_model.reporting.page_data import ProgressPage, progress_page, progress_years
from data_model.schema.db import read_session, write_session
from data_model.texts.formatting import format_date, format_number
from ui.auth import guard_page, plain, write_actor
from ui.downloads import download_buttons
from ui.engine import clear_data_caches, get_engine
from ui.i18n import current_language, t
from ui.progress_grid import grid_html, legend_html

NOTICE_KEY = "tdbc__notice"

actor = guard_page("tien_do_bao_cao")
lang = current_language()
st.title(t("Tiến độ báo cáo"))
st.caption(t("Mỗi đơn vị xác nhận hằng tháng «số liệu tháng M đã nhập đủ» (kể cả tháng không có hoạt động của một "
             "loại). Xác nhận sau hạn tính là trễ hạn; sửa số liệu của tháng đã xác nhận đánh dấu «đã sửa»."))

with read_session(get_engine()) as session:
    years, default_year = progress_years(session=session)
year = st.selectbox(t("Năm"), years, index=years.index(default_year), key="tdbc_year")
with read_session(get_engine()) as session:
    page: ProgressPage = progress_page(session=session, year=year, actor=actor)
result = page.completeness


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value * 100, lang, decimals=1)}%"


def do_confirm() -> None:
    """Confirm the chosen month (form callback)."""
    who = write_actor()
    if who is None:
        return
    try:
        with write_session(get_engine()) as session:
            row = confirm_month(session=session, actor=who, reporting_unit_id=st.session_state["tdbc_unit"],
                                year=year, month=st.session_state["tdbc_month"],
                                no_activity_types=st.session_state.get("tdbc_none", []),
                                note=st.session_state.get("tdbc_note", ""))
    except (ReportingError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    late = t(" (sau hạn: tính là trễ hạn)") if row.late else ""
    st.session_state[NOTICE_KEY] = ("success", t("Đã xác nhận số liệu tháng {month}/{year}{late}.", month=row.month,
                                                 year=row.year, late=late))
    clear_data_caches()


notice = st.session_state.pop(NOTICE_KEY, None)
if notice:
    (st.success if notice[0] == "success" else st.error)(plain(notice[1]))

p = result.province
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("Tỷ lệ báo cáo toàn tỉnh"), _percent(p["rate"]),
          help=t("Số tháng đã xác nhận / số tháng đã đến hạn"))
c2.metric(t("Đúng hạn"), _percent(p["on_time_rate"]))
c3.metric(t("Đơn vị báo cáo đủ {months_due} tháng", months_due=p['months_due']),
          f"{p['units_complete']}/{p['units']}")
c4.metric(t("Tháng quá hạn chưa xác nhận"), format_number(p["missing"], lang))
st.caption(t("Hạn xác nhận: ngày {deadline_day} của tháng sau. Tính đến {today}.", deadline_day=result.deadline_day,
             today=format_date(result.today, lang)))

if page.my_units:
    today = local_today()
    months = [m for m in range(1, 13) if (year, m) <= (today.year, today.month)]
    with st.expander(t("Xác nhận số liệu tháng đã nhập đủ"),
                     expanded=bool(months)):
        if not months:
            st.info(t("Năm {year} chưa đến tháng nào để xác nhận.", year=year))
        else:
            with st.form("tdbc_form", enter_to_submit=False):
                units = {u.id: u.name for u in page.my_units}
                st.selectbox(t("Đơn vị"), list(units), format_func=units.get, key="tdbc_unit")
                st.selectbox(t("Tháng"), months, index=len(months) - 1, key="tdbc_month",
                             format_func=lambda m: t("Tháng {m}/{year}", m=m, year=year))
                types = {d.code: d.name(lang) for d in list_activity_types()}
                st.multiselect(t("Loại hoạt động không có trong tháng (không bắt buộc)"), list(types),
                               format_func=types.get, key="tdbc_none", placeholder=t("Không có"),
                               select_all=False)
                st.text_input(t("Ghi chú"), key="tdbc_note", max_chars=500)
                st.form_submit_button(t("Xác nhận số liệu tháng đã nhập đủ", ctx="confirm month fully entered"),
                                      type="primary", icon=":material/task_alt:", on_click=do_confirm)

st.subheader(t("Đơn vị × tháng, năm {year}", year=year))
st.markdown(legend_html(lang), unsafe_allow_html=True)
st.markdown(grid_html(result, lang), unsafe_allow_html=True)
grid = result.grid
unit_column = t("Đơn vị")
long = grid.assign(status=[t(*STATUS_LABELS[s]) for s in grid["status"]],
                   confirmed_at=[f"{format_date(x.date(), lang)} {x:%H:%M}" if x is not None and not pd.isna(x) else ""
                                 for x in grid["confirmed_at"]])[["unit", "month", "status", "revised", "confirmed_at",
                                                                  "confirmed_by", "deadline", "note"]]
download_buttons(long, name=f"tien-do-bao-cao-{year}", key="tdbc_dl")

st.subheader(t("Đơn vị đang quá hạn"))
if page.overdue.empty:
    st.success(t("Không có đơn vị nào quá hạn trong năm này."))
else:
    overdue = pd.DataFrame({
        unit_column: page.overdue["unit"],
        t("Tháng chưa xác nhận"): [", ".join(str(m) for m in ms)
                                                           for ms in page.overdue["months"]],
        t("Hạn sớm nhất"): [format_date(d, lang) for d in page.overdue["oldest_deadline"]],
        t("Quá hạn (ngày)"): [format_number(d, lang) for d in page.overdue["days_overdue"]]})
    st.dataframe(overdue, hide_index=True, key="tdbc_overdue")

st.subheader(t("Hoạt động cần kiểm tra lại"))
st.caption(t("Yêu cầu của lãnh đạo và cán bộ kế hoạch chưa được đơn vị trả lời (mọi năm). Đơn vị sửa hoặc trả lời ở "
             "trang «Hoạt động đã nhập»; báo cáo năm không tính các yêu cầu này."))
follow_up: FollowUpList | None = None
if actor is not None:
    with read_session(get_engine()) as session:
        follow_up = follow_up_list(session=session, actor=actor, lang=lang)
if follow_up is None or follow_up.flags.empty:
    st.success(t("Không có yêu cầu kiểm tra lại nào đang chờ."))
else:
    flags = follow_up.flags
    st.dataframe(pd.DataFrame({
        unit_column: follow_up.per_unit["unit"],
        t("Đang chờ"): [format_number(n, lang) for n in follow_up.per_unit["open"]],
        t("Yêu cầu sớm nhất"): [format_date(x.date(), lang) for x in follow_up.per_unit["oldest"]],
    }), hide_index=True, key="tdbc_flag_units")
    st.dataframe(pd.DataFrame({
        unit_column: flags["unit"],
        t("Số"): flags["record_id"],
        t("Ngày hoạt động"): [format_date(d, lang) for d in flags["start_date"]],
        t("Loại hoạt động"): flags["type"],
        t("Lý do"): flags["reason"],
        t("Người yêu cầu"): flags["raised_by"],
        t("Yêu cầu lúc"): [f"{format_date(x.date(), lang)} {x:%H:%M}" for x in flags["raised_at"]],
    }), hide_index=True, key="tdbc_flags")

st.subheader(t("Thời gian nhập số liệu"))
st.caption(t("Số ngày từ khi hoạt động kết thúc đến khi được nhập vào hệ thống, và tỷ lệ nhập trước hạn báo cáo của "
             "tháng đó."))
timely = page.timeliness
timely_shown = pd.DataFrame({
    unit_column: timely["unit"],
    t("Số hoạt động", ctx="records"): [format_number(v, lang) for v in timely["records"]],
    t("Trung bình (ngày sau khi kết thúc)"):
        [format_number(v, lang, decimals=1) if v == v and v is not None else "–" for v in timely["average_days"]],
    t("Nhập trước hạn báo cáo"):
        [_percent(v) if v == v and v is not None else "–" for v in timely["by_deadline"]]})
st.dataframe(timely_shown, hide_index=True, key="tdbc_timely")

def save_deadline() -> None:
    """Change the deadline (button callback, admins)."""
    who = write_actor()
    if who is None:
        return
    day = st.session_state["tdbc_day"]
    try:
        with write_session(get_engine()) as session:
            set_deadline_day(session=session, actor=who, day=day)
    except (ReportingError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[NOTICE_KEY] = ("success", t("Hạn mới: ngày {day} của tháng sau (cho các xác nhận từ nay).",
                                                 day=day))
    clear_data_caches()


if actor is not None and actor.is_admin:
    with st.expander(t("Hạn xác nhận hằng tháng")):
        st.number_input(t("Ngày của tháng sau"), 1, 28, result.deadline_day, key="tdbc_day")
        st.button(t("Lưu hạn"), key="tdbc_day_save", on_click=save_deadline)
