"""Entry form: one activity record, fields from its type's definition, messages next to the fields."""
from __future__ import annotations

import streamlit as st

from data_model.basics.issues import ValidationError
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.joint.notes import create_record_with_note
from ui.auth import write_actor
from ui.batch_table import batch_table
from ui.forms import RecordForm, collect_values, confirmation_box, date_fields, figure_fields, place_fields
from ui.i18n import current_language, t, tn
from ui.page import open_page
from ui.writes import run_write

FORM = RecordForm("ne")
TYPE_KEY = "ne_type"


def save(type_code: str, confirm: bool = False, keep: bool = False) -> None:
    """Validate and write the record (form callback); remember the messages or the new record's number."""
    st.session_state["ne_keep_pending"] = keep
    actor = write_actor()
    if actor is None:  # logged out meanwhile (idle, deactivated): the login page says nothing was saved
        return
    activity_type = get_activity_type(type_code)
    values = collect_values(FORM, activity_type)
    lang = current_language()
    try:
        done = run_write(lambda s: create_record_with_note(session=s, actor=actor, values=values, lang=lang,
                                                           confirm_warnings=confirm, confirm_duplicate=confirm),
                         success=lambda saved: " ".join(filter(None, (
                             t("Đã lưu hoạt động số {record_id}. Có thể nhập hoạt động tiếp theo.",
                               record_id=saved.record_id), saved.note))),
                         callback=True, passthrough=(ValidationError,), keep=True,
                         success_icon=":material/check_circle:", error_icon=":material/block:")
    except ValidationError as exc:
        FORM.set_issues(exc.issues)
        return
    if done.ok:
        if keep:  # the next record of a batch after a patrol or a market day: same day and place
            FORM.keep(values)
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

mode = st.segmented_control(t("Cách nhập"), options=["one", "table"], key="ne_mode", default="one",
                            format_func={"one": t("Từng hoạt động"), "table": t("Nhiều hoạt động (bảng)")}.get)
if mode == "table":
    batch_table(activity_type, actor, kept=FORM.kept)
    st.stop()

kept = FORM.kept
start, _ = date_fields(FORM, activity_type, kept)
place_fields(FORM, activity_type, kept, actor, start)
with st.form(f"ne_form_{type_code}_{FORM.nonce}", border=True, enter_to_submit=False):
    figure_fields(FORM, activity_type, {})
    left, right = st.columns(2)
    left.form_submit_button(t("Lưu và nhập tiếp"), type="primary", icon=":material/playlist_add:",
                            on_click=save, args=(type_code, False, True), width="stretch",
                            help=t("Giữ ngày, đơn vị, xã và bản cho hoạt động tiếp theo."))
    right.form_submit_button(t("Lưu hoạt động"), icon=":material/save:", on_click=save, args=(type_code,),
                             width="stretch")

errors = [i for i in FORM.issues if i.is_error]
if errors:
    st.error(tn("Chưa lưu: {n} ô cần sửa (xem thông báo dưới từng ô).", len(errors)), icon=":material/error:")
if confirmation_box(FORM):
    left, right, _ = st.columns([1, 1, 3])
    left.button(t("Vẫn lưu"), type="primary", key="ne_confirm", on_click=save,
                args=(type_code, True, st.session_state.get("ne_keep_pending", False)))
    right.button(t("Sửa lại"), key="ne_cancel", on_click=cancel)
