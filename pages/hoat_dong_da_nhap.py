"""My records: search the records of my units (those waiting for a check first), edit one, answer a request to check
it, delete it with a reason, restore it, read its history."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.records_query import get_record, list_records
from data_model.basics.issues import MAX_REASON, YEAR_MAX, YEAR_MIN, ValidationError
from data_model.basics.permissions import can_edit
from data_model.definitions.activity_types import get_activity_type, list_activity_types
from data_model.records.flags import answer_flag, get_open_flag
from data_model.records.history import record_history
from data_model.records.write import delete_record, restore_record, update_record
from data_model.schema.db import read_session
from data_model.texts.formatting import format_date
from ui.auth import plain, write_actor
from ui.engine import get_engine
from ui.forms import RecordForm, collect_values, confirmation_box, date_fields, figure_fields, place_fields
from ui.i18n import t, tn
from ui.page import open_page
from ui.writes import run_write

PICK_KEY = "md_pick"


def save_edit(record_id: int, type_code: str, confirm: bool = False) -> None:
    """Write the edit (form callback)."""
    actor = write_actor()
    if actor is None:  # logged out meanwhile (idle, deactivated): the login page says nothing was saved
        return
    form = RecordForm(f"md{record_id}")
    values = collect_values(form, get_activity_type(type_code))
    try:
        done = run_write(lambda s: update_record(session=s, actor=actor, record_id=record_id, values=values,
                                                 confirm_warnings=confirm, confirm_duplicate=confirm,
                                                 reason=st.session_state.get(f"md_revision_{record_id}", "")),
                         success=t("Đã lưu thay đổi của hoạt động số {record_id}.", record_id=record_id),
                         callback=True, passthrough=(ValidationError,))
    except ValidationError as exc:
        form.set_issues(exc.issues)
        return
    if done.ok:
        form.clear()


def remove(record_id: int) -> None:
    """Soft-delete with the typed reason (button callback)."""
    actor = write_actor()
    if actor is None:
        return
    reason = st.session_state.get(f"md_reason_{record_id}", "")
    run_write(lambda s: delete_record(session=s, actor=actor, record_id=record_id, reason=reason),
              success=t("Đã xóa hoạt động số {record_id} (có thể khôi phục).", record_id=record_id), callback=True)


def answer(record_id: int) -> None:
    """Answer the request to check the record, which closes it (button callback)."""
    actor = write_actor()
    if actor is None:
        return
    text = st.session_state.get(f"md_answer_{record_id}", "")
    run_write(lambda s: answer_flag(session=s, actor=actor, record_id=record_id, answer=text),
              success=t("Đã trả lời yêu cầu kiểm tra lại hoạt động số {record_id}.", record_id=record_id),
              callback=True)


def restore(record_id: int) -> None:
    """Bring the record back (button callback)."""
    actor = write_actor()
    if actor is None:
        return
    run_write(lambda s: restore_record(session=s, actor=actor, record_id=record_id),
              success=t("Đã khôi phục hoạt động số {record_id}.", record_id=record_id), callback=True)


page = open_page("hoat_dong_da_nhap", title=t("Hoạt động đã nhập"))
actor, lang = page.actor, page.lang
st.caption(t("Hoạt động do bạn hoặc đơn vị của bạn nhập. Chọn một hoạt động để sửa, xóa (có lý do, khôi phục được) "
             "hoặc xem lịch sử thay đổi."))

types = {"": t("Tất cả loại"), **{d.code: d.name(lang) for d in list_activity_types()}}
c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
search = c1.text_input(t("Tìm (chủ đề, ghi chú, xã, bản, đơn vị hoặc số hoạt động)"), key="md_search",
                       max_chars=200)
type_code = c2.selectbox(t("Loại hoạt động"), options=list(types), format_func=types.get,
                         key="md_type")
year = c3.number_input(t("Năm"), min_value=YEAR_MIN, max_value=YEAR_MAX, value=None, step=1, key="md_year",
                       placeholder=t("tất cả"))
show_deleted = c4.checkbox(t("Cả đã xóa"), value=True, key="md_deleted")

try:
    with read_session(get_engine()) as session:
        frame = list_records(session=session, actor=actor, search=search, year=int(year) if year else None,
                             type_code=type_code or None, include_deleted=show_deleted, lang=lang)
except ValidationError as exc:
    st.error(plain(exc))
    st.stop()

if frame.empty:
    st.info(t("Chưa có hoạt động nào khớp."), icon=":material/inbox:")
    st.stop()

flagged = int((frame["follow_up"] != "").sum())
if flagged:
    st.warning(tn("{n} hoạt động cần kiểm tra lại (đứng đầu danh sách): chọn từng hoạt động để sửa, hoặc trả lời yêu "
                  "cầu ngay trên các thẻ.", flagged), icon=":material/flag:")

shown = frame.assign(
    start_date=frame["start_date"].map(lambda d: format_date(d, lang)),
    end_date=frame["end_date"].map(lambda d: format_date(d, lang)),
    deleted=frame["deleted"].map(lambda d: t("Đã xóa") if d else ""),
)
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    "id": st.column_config.NumberColumn(t("Số"), format="%d"),
    "start_date": t("Từ ngày"), "end_date": t("Đến ngày"), "type": t("Loại", ctx="type"),
    "unit": t("Đơn vị"), "commune": t("Xã"), "village": t("Bản"),
    "figures": t("Số liệu", ctx="figures"), "topic": t("Chủ đề"), "deleted": t("Trạng thái"),
    "delete_reason": t("Lý do xóa"), "follow_up": t("Cần kiểm tra lại"),
}, column_order=["follow_up", "id", "start_date", "end_date", "type", "unit", "commune", "village", "figures", "topic",
                 "deleted", "delete_reason"] if flagged else None)
if len(frame) >= 500:
    st.caption(t("Chỉ hiện 500 hoạt động mới nhất: hãy tìm hoặc lọc để thu hẹp."))

labels = {int(r.id): (f"{t('Cần kiểm tra lại')}: " if r.follow_up else "")
          + f"{t('Số')} {r.id} – {format_date(r.start_date, lang)} – {r.type}"
          + (f" – {r.commune}" if r.commune else "") + (f" ({t('đã xóa')})" if r.deleted else "")
          for r in frame.itertuples()}
picked = st.selectbox(t("Chọn hoạt động"), options=list(labels), format_func=lambda k: labels.get(k, str(k)), index=None,
                      key=PICK_KEY, placeholder=t("Chọn để sửa, xóa hoặc xem lịch sử"))
if picked is None:
    st.stop()

with read_session(get_engine()) as session:
    record = get_record(session=session, record_id=picked)
    history = record_history(session=session, record_id=picked, lang=lang)
    follow_up = get_open_flag(session=session, record_id=picked)
activity_type = get_activity_type(record["type_code"])
editable = can_edit(actor, record["reporting_unit_id"])

if follow_up is not None:
    with st.container(border=True):
        when = f"{format_date(follow_up.raised_at.date(), lang)} {follow_up.raised_at:%H:%M}"
        st.warning(t("Cần kiểm tra lại ({who}, {when}): ", who=plain(follow_up.raised_by), when=when)
                   + plain(follow_up.reason), icon=":material/flag:")
        if editable and not record["deleted"]:
            st.caption(t("Sửa và lưu hoạt động (thẻ «Sửa») là đã trả lời; hoặc ghi câu trả lời nếu số liệu vẫn đúng."))
            st.text_input(t("Trả lời (bắt buộc)"), key=f"md_answer_{picked}", max_chars=MAX_REASON)
            st.button(t("Trả lời và đóng yêu cầu"), key=f"md_answer_send_{picked}", on_click=answer, args=(picked,),
                      icon=":material/reply:")

tab_edit, tab_delete, tab_history = st.tabs([t("Sửa"), t("Xóa / khôi phục"),
                                             t("Lịch sử")])
with tab_edit:
    if record["deleted"]:
        st.info(t("Hoạt động này đã bị xóa: khôi phục trước khi sửa."))
    elif not editable:
        st.info(t("Bạn chỉ xem được hoạt động này (thuộc đơn vị khác)."))
    else:
        form = RecordForm(f"md{picked}")
        st.markdown(f"**{activity_type.name(lang)}**")
        start, _ = date_fields(form, activity_type, record)
        place_fields(form, activity_type, record, actor, start)
        with st.form(f"md_form_{picked}_{form.nonce}", enter_to_submit=False):
            figure_fields(form, activity_type, record)
            if actor.is_admin:  # a closed year's records change only with a reason (a revision of published figures)
                st.text_input(t("Lý do điều chỉnh (bắt buộc nếu năm đã khóa sổ)"),
                              key=f"md_revision_{picked}", max_chars=500)
                form.messages("reason")
            st.form_submit_button(t("Lưu thay đổi"), type="primary", icon=":material/save:",
                                  on_click=save_edit, args=(picked, record["type_code"]))
        if any(i.is_error for i in form.issues):
            st.error(t("Chưa lưu: xem thông báo dưới từng ô."))
        if confirmation_box(form):
            st.button(t("Vẫn lưu"), type="primary", key=f"md_confirm_{picked}", on_click=save_edit,
                      args=(picked, record["type_code"], True))

with tab_delete:
    if not editable:
        st.info(t("Bạn không có quyền xóa hoạt động của đơn vị khác."))
    elif record["deleted"]:
        st.warning(t("Đã xóa. Lý do: ") + plain(record["delete_reason"]))
        st.button(t("Khôi phục hoạt động"), key=f"md_restore_{picked}", on_click=restore,
                  args=(picked,), icon=":material/restore:")
    else:
        st.text_input(t("Lý do xóa (bắt buộc)"), key=f"md_reason_{picked}",
                      max_chars=MAX_REASON)
        st.button(t("Xóa hoạt động"), key=f"md_delete_{picked}", on_click=remove,
                  args=(picked,), icon=":material/delete:")

with tab_history:
    if history.empty:
        st.caption(t("Chưa có thay đổi nào được ghi."))
    else:
        st.dataframe(history, hide_index=True, width="stretch", column_config={
            "at": st.column_config.DatetimeColumn(t("Thời điểm (giờ Việt Nam)"), format="DD/MM/YYYY HH:mm"),
            "user": t("Người thực hiện"), "action": t("Thao tác"), "field": t("Trường"),
            "old": t("Giá trị cũ"), "new": t("Giá trị mới"), "reason": t("Lý do"),
        })
