"""The entry page's table mode: several records of one type as rows of one st.data_editor, saved all or none."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from data_model.basics.issues import DUPLICATE, ERROR, MAX_TOPIC, WARNING, ValidationError
from data_model.basics.permissions import Actor
from data_model.definitions.activity_types import ActivityType
from data_model.records.batch import create_batch, row_of, rows_from_table
from data_model.reference.languages import LANGUAGES, language_name
from data_model.schema.clock import today_local
from ui.auth import plain, write_actor
from ui.forms import KEPT_FIELDS, load_choices
from ui.i18n import current_language, localize, t, tn
from ui.writes import run_write

PREFIX = "nb"
BLANK_ROWS = 10


def _state(name: str, default: Any = None) -> Any:
    return st.session_state.get(f"{PREFIX}_{name}", default)


def _editor_key(type_code: str) -> str:
    return f"{PREFIX}_table_{type_code}_{_state('nonce', 0)}"


def _save(activity_type: ActivityType, unit_id: int | None, table: pd.DataFrame, confirm: bool = False) -> None:
    """Write every filled row or none; remember the issues, or keep the date and place and start a fresh table."""
    actor = write_actor()
    if actor is None:
        return
    rows = rows_from_table(type_code=activity_type.code, unit_id=unit_id, table=table.to_dict("records"))
    try:
        done = run_write(lambda s: create_batch(session=s, actor=actor, rows=rows, confirm_warnings=confirm),
                         success=lambda ids: tn("Đã lưu {n} hoạt động (số {first}–{last}).", len(ids),
                                                first=ids[0], last=ids[-1]),
                         callback=True, passthrough=(ValidationError,), keep=True,
                         success_icon=":material/check_circle:", error_icon=":material/block:")
    except ValidationError as exc:
        st.session_state[f"{PREFIX}_issues"] = exc.issues
        return
    st.session_state[f"{PREFIX}_issues"] = []
    if done.ok:
        last = rows[max(rows)]
        st.session_state["ne__kept"] = {k: last.get(k) for k in KEPT_FIELDS}
        st.session_state[f"{PREFIX}_nonce"] = _state("nonce", 0) + 1


def batch_table(activity_type: ActivityType, actor: Actor, *, kept: dict[str, Any]) -> None:
    """Unit above the table, one row per record (date and place prefilled from the last record), one save button."""
    lang = current_language()
    day = kept.get("start_date") or today_local()
    choices = load_choices(activity_type.code, day, actor)
    unit_default = kept.get("reporting_unit_id")
    if unit_default not in choices.units:
        unit_default = next(iter(choices.units)) if len(choices.units) == 1 else None
    keys = list(choices.units)
    unit_id = st.selectbox(t("Đơn vị thực hiện"), options=keys, format_func=choices.units.get, key=f"{PREFIX}_unit",
                           index=keys.index(unit_default) if unit_default in keys else None,
                           placeholder=t("Chọn đơn vị", ctx="choose a unit"))
    st.caption(t("Mỗi dòng là một hoạt động; dòng không có số liệu được bỏ qua. Ngày, xã và bản của dòng mới lấy "
                 "theo hoạt động vừa lưu."))
    communes = choices.communes_for(unit_id)
    villages = {vid: f"{name} ({communes.get(ck, ck)})" for ck, vs in choices.villages.items() for vid, name in vs.items()}
    columns: dict[str, Any] = {"start_date": st.column_config.DateColumn(
        t("Ngày bắt đầu", ctx="start date") if activity_type.period else t("Ngày"), format="DD/MM/YYYY",
        max_value=today_local(), default=day, required=True)}
    row: dict[str, Any] = {"start_date": day}
    if activity_type.period:
        columns["end_date"] = st.column_config.DateColumn(t("Ngày kết thúc", ctx="end date"), format="DD/MM/YYYY",
                                                          max_value=today_local())
        row["end_date"] = kept.get("end_date") or day
    if activity_type.commune != "none":
        own = [k for k in choices.covered.get(unit_id or 0, ()) if k in communes]
        commune = kept.get("commune_key") if kept.get("commune_key") in communes else (own[0] if own else None)
        columns["commune_key"] = st.column_config.SelectboxColumn(t("Xã"), options=list(communes),
                                                                  format_func=communes.get, default=commune)
        row["commune_key"] = commune
    if activity_type.village != "none":
        village = kept.get("village_id") if kept.get("village_id") in villages else None
        columns["village_id"] = st.column_config.SelectboxColumn(t("Bản"), options=list(villages),
                                                                 format_func=villages.get, default=village)
        row["village_id"] = village
    if activity_type.languages != "none":
        columns["languages"] = st.column_config.MultiselectColumn(
            t("Ngôn ngữ phát"), options=list(LANGUAGES), format_func=lambda c: language_name(c, lang))
        row["languages"] = []
    for m in activity_type.measures:
        columns[m.code] = st.column_config.NumberColumn(f"{m.label(lang)}" + (" *" if m.required else ""),
                                                        help=m.unit(lang), step=1, format="%d")
        row[m.code] = None
    if activity_type.topic:
        columns["topic"] = st.column_config.TextColumn(t("Chủ đề"), max_chars=MAX_TOPIC)
        row["topic"] = ""
    # numbered from 1 like the messages ("Dòng 7: …")
    table = pd.DataFrame([row] * BLANK_ROWS, columns=list(columns), index=range(1, BLANK_ROWS + 1)).astype(
        {m.code: "Float64" for m in activity_type.measures})
    # in a form: typing into the grid reruns nothing (a rerun per cell was slow on a weak laptop and lost what was
    # typed meanwhile); the buttons send the whole table at once, and this run already sees it as edited
    with st.form(f"{PREFIX}_form_{activity_type.code}_{_state('nonce', 0)}", border=False, enter_to_submit=False):
        edited = st.data_editor(table, column_config=columns, num_rows="dynamic", hide_index=False, width="stretch",
                                key=_editor_key(activity_type.code))
        action = _issues()
    if action == "cancel":
        st.session_state[f"{PREFIX}_issues"] = []
    elif action is not None:
        _save(activity_type, unit_id, edited, confirm=action == "confirm")
    if action is not None:
        st.rerun()


def _issues() -> str | None:
    """The table's issues and its buttons (inside the form); which button sent the table: save, confirm, cancel."""
    issues = _state("issues", [])
    errors = [i for i in issues if i.severity == ERROR]
    pending = [i for i in issues if i.severity in (WARNING, DUPLICATE)]
    if errors:
        rows = sorted({row_of(i) for i in errors if row_of(i)})
        st.error(t("Chưa lưu dòng nào: sửa các dòng {rows}.", rows=", ".join(map(str, rows))) if rows
                 else t("Chưa lưu dòng nào."), icon=":material/error:")
        for issue in errors:
            st.error(plain(localize(issue.message)), icon=":material/error:")
    elif pending:
        with st.container(border=True):
            st.markdown(t("**Cần xác nhận trước khi lưu**"))
            for issue in pending:
                st.warning(plain(localize(issue.message)), icon=":material/warning:")
            left, right, _ = st.columns([1, 1, 3])
            if left.form_submit_button(t("Vẫn lưu"), type="primary", key=f"{PREFIX}_confirm"):
                return "confirm"
            if right.form_submit_button(t("Sửa lại"), key=f"{PREFIX}_cancel"):
                return "cancel"
        return None
    return "save" if st.form_submit_button(t("Lưu tất cả"), type="primary", icon=":material/save:",
                                           key=f"{PREFIX}_save") else None


