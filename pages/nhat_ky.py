"""Audit log (Nhật ký): who did what and when, filtered by user, date and kind, with CSV/XLSX export."""
from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from data_model.audit.log import (
    ACTIONS,
    ENTITIES,
    HEADERS_EN,
    HEADERS_VI,
    AuditError,
    AuditFilters,
    count_audit,
    export_audit,
    label,
    list_audit,
    list_audit_kinds,
    list_audit_usernames,
)
from data_model.reporting.deadline import local_today
from data_model.schema.db import read_session
from data_model.texts.formatting import format_number
from ui.auth import plain
from ui.engine import get_engine
from ui.i18n import t, tn
from ui.page import open_page

PAGE_SIZE = 50

page = open_page("nhat_ky", title=t("Nhật ký thao tác"),
                 denied=t("Bạn không có quyền xem nhật ký."))
actor, lang = page.actor, page.lang
st.caption(t("Mọi lần tạo, sửa, xóa, nhập tệp, đăng nhập và đăng nhập sai: ai, khi nào, thay đổi gì."))

with read_session(get_engine()) as session:
    usernames = list_audit_usernames(session=session, actor=actor)
    actions, entities = list_audit_kinds(session=session, actor=actor)

c1, c2, c3, c4 = st.columns([2, 3, 3, 3])
everyone = t("(tất cả)")
user = c1.selectbox(t("Người dùng", ctx="user"), [everyone] + usernames, key="audit_user")
today = local_today()  # the log's dates are Vietnamese dates, whatever the server's clock zone
days = c2.date_input(t("Khoảng ngày"), value=(today - dt.timedelta(days=30), today), format="DD/MM/YYYY",
                     key="audit_dates")
chosen_actions = c3.multiselect(t("Thao tác"), actions, format_func=lambda a: label(ACTIONS, a, lang),
                                key="audit_actions", placeholder=t("Tất cả"), select_all=False)
chosen_entities = c4.multiselect(t("Đối tượng"), entities, format_func=lambda e: label(ENTITIES, e, lang),
                                 key="audit_entities", placeholder=t("Tất cả"), select_all=False)
date_from, date_to = (days[0], days[1]) if len(days) == 2 else ((days[0], days[0]) if days else (None, None))
filters = AuditFilters(username=None if user == everyone else user, date_from=date_from, date_to=date_to,
                       actions=tuple(chosen_actions), entities=tuple(chosen_entities))

try:
    with read_session(get_engine()) as session:
        total = count_audit(session=session, actor=actor, filters=filters)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = st.session_state.get("audit_page", 1)
        frame = list_audit(session=session, actor=actor, filters=filters, limit=PAGE_SIZE,
                           offset=(min(page, pages) - 1) * PAGE_SIZE, lang=lang)
except AuditError as exc:
    st.error(plain(exc))
    st.stop()

st.write(tn("{count} mục", total, count=format_number(total, lang)))
if frame.empty:
    st.info(t("Không có mục nào trong khoảng đã chọn."))
else:
    headers = HEADERS_VI if lang == "vi" else HEADERS_EN
    # every cell is shown by the dataframe as plain text, never as markdown or HTML
    st.dataframe(frame[list(headers)], hide_index=True, width="stretch", column_config={
        **{k: v for k, v in headers.items() if k != "at"},
        "at": st.column_config.DatetimeColumn(headers["at"], format="DD/MM/YYYY HH:mm:ss"),
    })
    if pages > 1:
        st.pagination(pages, key="audit_page")

    def _export(fmt: str):
        def build() -> bytes:
            with read_session(get_engine()) as session:
                return export_audit(session=session, actor=actor, filters=filters, fmt=fmt, lang=lang)
        return build  # generated only when the button is clicked

    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("Tải CSV"), data=_export("csv"), file_name="nhat_ky.csv", mime="text/csv",
                         key="audit_csv", icon=":material/download:", on_click="ignore")
    right.download_button(t("Tải XLSX"), data=_export("xlsx"), file_name="nhat_ky.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="audit_xlsx", icon=":material/download:", on_click="ignore")
