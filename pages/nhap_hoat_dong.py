"""Entry form: one activity record, fields from its type's definition, messages next to the fields."""
from __future__ import annotations

import streamlit as st

from data_model.basics.issues import ValidationError
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.records.write import create_record
from ui.auth import write_actor
from ui.forms import RecordForm, collect_values, confirmation_box, date_fields, figure_fields, place_fields
from ui.i18n import t, tn
from ui.page import open_page
from ui.writes import run_write

FORM = RecordForm("ne")
TYPE_KEY = "ne_type"


def save(type_code: str, confirm: bool = False) -> None:
    """Validate and write the record (form callback); remember the messages or the new record's number."""
    actor = write_actor()
    if actor is None:  # logged out meanwhile (idle, deactivated): the login page says nothing was saved
        return
    activity_type = get_activity_type(type_code)
    values = collect_values(FORM, activity_type)
    try:
        done = run_write(lambda s: create_record(session=s, actor=actor, values=values, confirm_warnings=confirm,
                                                 confirm_duplicate=confirm),
                         success=lambda record_id: t("Đã lưu hoạt động số {record_id}. Có thể nhập hoạt động tiếp theo.",
                                                     record_id=record_id),
                         callback=True, passthrough=(ValidationError,), keep=True,
                         success_icon=":material/check_circle:", error_icon=":material/block:")
    except ValidationError as exc:
        FORM.set_issues(exc.issues)
        return
    if done.ok:
        FORM.clear()
    else:
        FORM.set_issues([])


def cancel() -> None:
    """Drop the pending confirmation and go back to editing."""
    FORM.set_issues([])


page = open_page("nhap_hoat_dong", title=t("Nhập hoạt động"))
actor, lang = page.actor, page.lang

types = {d.code: d.name(lang) for d in list_activity_types()}
type_code = st.selectbox(t("Loại hoạt động"), options=list(types), format_func=types.get,
                         key=TYPE_KEY, on_change=cancel)
activity_type = get_activity_type(type_code)
st.caption(t("Các ô có dấu * là bắt buộc. Ngày ghi theo dd/mm/yyyy."))

start, _ = date_fields(FORM, activity_type, {})
place_fields(FORM, activity_type, {}, actor, start)
with st.form(f"ne_form_{type_code}_{FORM.nonce}", border=True):
    figure_fields(FORM, activity_type, {})
    st.form_submit_button(t("Lưu hoạt động"), type="primary", icon=":material/save:",
                          on_click=save, args=(type_code,))

errors = [i for i in FORM.issues if i.is_error]
if errors:
    st.error(tn("Chưa lưu: {n} ô cần sửa (xem thông báo dưới từng ô).", len(errors)), icon=":material/error:")
if confirmation_box(FORM):
    left, right, _ = st.columns([1, 1, 3])
    left.button(t("Vẫn lưu"), type="primary", key="ne_confirm", on_click=save,
                args=(type_code, True))
    right.button(t("Sửa lại"), key="ne_cancel", on_click=cancel)
