"""Entry form: one activity record, fields from its type's definition, messages next to the fields."""
from __future__ import annotations

import streamlit as st

from data_model.accounts.permissions import PermissionDenied
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.records.validation.rules import ValidationError
from data_model.records.write import create_record
from data_model.schema.db import write_session
from ui.auth import guard_page, plain, write_actor
from ui.engine import clear_data_caches, get_engine
from ui.forms import RecordForm, collect_values, confirmation_box, date_fields, figure_fields, place_fields
from ui.i18n import current_language, localize, t, tn

FORM = RecordForm("ne")
SAVED_KEY = "ne__saved"
TYPE_KEY = "ne_type"


def save(type_code: str, confirm: bool = False) -> None:
    """Validate and write the record (form callback); remember the messages or the new record's number."""
    actor = write_actor()
    if actor is None:  # logged out meanwhile (idle, deactivated): the login page says nothing was saved
        return
    activity_type = get_activity_type(type_code)
    values = collect_values(FORM, activity_type)
    st.session_state.pop(SAVED_KEY, None)
    try:
        with write_session(get_engine()) as session:
            record_id = create_record(session=session, actor=actor, values=values, confirm_warnings=confirm,
                                      confirm_duplicate=confirm)
    except ValidationError as exc:
        FORM.set_issues(exc.issues)
        return
    except PermissionDenied as exc:
        FORM.set_issues([])
        st.session_state[SAVED_KEY] = ("denied", localize(exc))
        return
    st.session_state[SAVED_KEY] = ("ok", record_id)
    FORM.clear()
    clear_data_caches()


def cancel() -> None:
    """Drop the pending confirmation and go back to editing."""
    FORM.set_issues([])


actor = guard_page("nhap_hoat_dong")
lang = current_language()
st.title(t("Nhập hoạt động"))
if actor is None:
    st.stop()

saved = st.session_state.get(SAVED_KEY)
if saved and saved[0] == "ok":
    st.success(t("Đã lưu hoạt động số {saved}. Có thể nhập hoạt động tiếp theo.", saved=saved[1]),
               icon=":material/check_circle:")
elif saved and saved[0] == "denied":
    st.error(plain(saved[1]), icon=":material/block:")

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
