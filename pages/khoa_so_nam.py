"""Year close: which years are closed; officials close a year (its figures become the published ones); admins
reopen with a reason; published and current figures of a closed year side by side, with the revisions."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_model.basics.permissions import PermissionDenied, can_close_year
from data_model.reporting.deadline import ReportingError, local_today
from data_model.reporting.year_close import close_year, reopen_year, year_status
from data_model.schema.db import read_session, write_session
from data_model.texts.formatting import format_date, format_number
from ui.auth import guard_page, plain, write_actor
from ui.engine import clear_data_caches, get_engine
from ui.i18n import current_language, t
from ui.published import show_published

NOTICE_KEY = "ksn__notice"

actor = guard_page("khoa_so_nam")
lang = current_language()
st.title(t("Khóa sổ năm"))
st.caption(t("Khi báo cáo năm đã ban hành, lãnh đạo khóa sổ năm đó: số liệu lúc khóa sổ là số liệu đã công bố. Sau "
             "đó cán bộ nhập liệu không sửa được hoạt động của năm; quản trị viên điều chỉnh được, kèm lý do, và mỗi "
             "điều chỉnh được liệt kê bên dưới."))

with read_session(get_engine()) as session:
    status = year_status(session=session)


def _run(action, success: str) -> None:
    who = write_actor()
    if who is None:
        return
    try:
        with write_session(get_engine()) as session:
            action(session, who)
    except (ReportingError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[NOTICE_KEY] = ("success", success)
    clear_data_caches()


def do_close() -> None:
    """Close the chosen year (form callback)."""
    year = st.session_state["ksn_close_year"]
    if not st.session_state.get("ksn_close_sure"):
        st.session_state[NOTICE_KEY] = ("error", t("Hãy đánh dấu ô xác nhận trước khi khóa sổ."))
        return
    _run(lambda s, a: close_year(session=s, actor=a, year=year, note=st.session_state.get("ksn_close_note", "")),
         t("Đã khóa sổ năm {year}: số liệu hiện tại là số liệu đã công bố.", year=year))


def do_reopen() -> None:
    """Reopen the chosen year (form callback, admins)."""
    year = st.session_state["ksn_reopen_year"]
    _run(lambda s, a: reopen_year(session=s, actor=a, year=year, reason=st.session_state.get("ksn_reason", "")),
         t("Đã mở lại năm {year}.", year=year))


notice = st.session_state.pop(NOTICE_KEY, None)
if notice:
    (st.success if notice[0] == "success" else st.error)(plain(notice[1]))

if status.empty:
    st.info(t("Chưa có năm nào có số liệu."))
    st.stop()
shown = pd.DataFrame({
    t("Năm"): status["year"].astype(str),
    t("Trạng thái", ctx="state"): [t("Đã khóa sổ") if c else t("Đang mở") for c in status["closed"]],
    t("Khóa sổ lúc"): [f"{format_date(x.date(), lang)} {x:%H:%M}" if c else ""
                                    for c, x in zip(status["closed"], status["closed_at"])],
    t("Người khóa sổ"): status["closed_by"],
    t("Hoạt động đã công bố"): [format_number(r, lang) if c else ""
                                                     for c, r in zip(status["closed"], status["records"])],
    t("Điều chỉnh sau khóa sổ"): [format_number(r, lang) for r in status["revisions"]],
})
st.dataframe(shown.iloc[::-1], hide_index=True, key="ksn_status")

today = local_today()
open_years = [int(y) for y, c in zip(status["year"], status["closed"]) if not c and y < today.year][::-1]
closed_years = [int(y) for y, c in zip(status["year"], status["closed"]) if c][::-1]
if can_close_year(actor):
    with st.expander(t("Khóa sổ một năm"), expanded=True):
        if not open_years:
            st.info(t("Không còn năm đã qua nào đang mở."))
        else:
            with st.form("ksn_close_form", enter_to_submit=False):
                st.selectbox(t("Năm"), open_years, key="ksn_close_year")
                st.text_input(t("Ghi chú (ví dụ số, ngày văn bản báo cáo)"),
                              key="ksn_close_note", max_chars=500)
                st.checkbox(t("Báo cáo năm này đã ban hành; khóa sổ để giữ số liệu đã công bố"),
                            key="ksn_close_sure")
                st.form_submit_button(t("Khóa sổ năm", ctx="close the year"), type="primary", icon=":material/lock:",
                                      on_click=do_close)
if actor is not None and actor.is_admin and closed_years:
    with st.expander(t("Mở lại năm đã khóa sổ (quản trị)")):
        with st.form("ksn_reopen_form", enter_to_submit=False):
            st.selectbox(t("Năm"), closed_years, key="ksn_reopen_year")
            st.text_input(t("Lý do (bắt buộc)"), key="ksn_reason", max_chars=500)
            st.form_submit_button(t("Mở lại năm"), icon=":material/lock_open:", on_click=do_reopen)

if closed_years:
    st.subheader(t("Số liệu đã công bố và các điều chỉnh"))
    show_published(year_from=min(closed_years), year_to=max(closed_years), key="ksn", expanded=True,
                   on_results_page=False)
