"""Plan (Kế hoạch): units behind plan, progress of every target, entering and correcting targets, the plan file."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from data_model.basics.permissions import Actor, PermissionDenied, can_edit_targets
from data_model.definitions.activity_types import compose_measure_title, get_activity_type, list_activity_types
from data_model.files.tabular import ImportPreview, ImportRejected
from data_model.plans.plan_file import XLSX_MIME, describe_plan_import, import_plan, plan_template, preview_plan
from data_model.plans.progress import behind_plan, expected_share, progress
from data_model.plans.targets import (
    LEVELS,
    PlanError,
    TargetKey,
    current_target,
    list_targets,
    plan_years,
    scope_options,
    set_target,
)
from data_model.reporting.deadline import local_today
from data_model.schema.db import read_session, write_session
from data_model.texts.catalogue import Pair
from data_model.texts.formatting import format_number, format_share
from ui.auth import guard_page, plain
from ui.downloads import download_buttons
from ui.engine import clear_data_caches, get_engine
from ui.i18n import current_language, localize, t
from ui.loaders import cached_loader
from ui.plan_progress import status_text
from ui.uploads import file_upload

PREVIEW_KEY = "kh__preview"
FLASH_KEY = "kh__flash"


load_years = cached_loader(plan_years)
load_behind = cached_loader(behind_plan)
load_progress = cached_loader(progress)
load_scopes = cached_loader(scope_options)


def progress_table(frame: pd.DataFrame, *, lang: str, with_level: bool = False) -> None:
    """A progress frame as a table: place, type, measure, target, actual, a bar of the percent, the marker."""
    level_names = {k: t(*v) for k, v in LEVELS.items()}
    shown = pd.DataFrame({
        **({t("Cấp"): [level_names.get(v, v) for v in frame["level"]]} if with_level else {}),
        t("Đơn vị / xã"): frame["name"],
        t("Loại hoạt động"): frame["type_name"],
        t("Chỉ tiêu"): [compose_measure_title(label=m, unit=u) for m, u in zip(frame["measure_label"], frame["unit"])],
        t("Kế hoạch"): [format_number(v, lang) for v in frame["target"]],
        t("Thực hiện"): [format_number(v, lang) for v in frame["actual"]],
        t("Đạt % kế hoạch"): pd.to_numeric(frame["percent"], errors="coerce"),
        t("Tiến độ"): [status_text(behind=bool(b), expected=e, lang=lang)
                                   for b, e in zip(frame["behind"], frame["expected_percent"])],
    })
    percent, status = t("Đạt % kế hoạch"), t("Tiến độ")
    # the status's own width: sized from its header alone it was cut to "▼ Chưa đạt kế…"
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        percent: st.column_config.ProgressColumn(percent, format="%.0f%%", min_value=0, max_value=100, width=130),
        status: st.column_config.TextColumn(status, width=max([12, *(len(s) for s in shown[status])]) * 8 + 16)})


def save_target(actor: Actor, key: TargetKey, value: int | None, note: str) -> None:
    """Write one target (button callback); the outcome goes to the next run's message."""
    try:
        with write_session(get_engine()) as session:
            outcome = set_target(session=session, actor=actor, year=key.year, level=key.level,
                                 scope_key=key.scope_key, type_code=key.type_code, measure=key.measure, value=value,
                                 note=note)
    except (PlanError, PermissionDenied) as exc:
        st.session_state[FLASH_KEY] = ("error", str(exc))
        return
    words = {"new": t("Đã thêm chỉ tiêu."), "update": t("Đã sửa chỉ tiêu."),
             "delete": t("Đã xóa chỉ tiêu."),
             "unchanged": t("Không có gì thay đổi.")}
    st.session_state[FLASH_KEY] = ("success", words[outcome])
    clear_data_caches()


def do_import(actor: Actor) -> None:
    """Import the previewed plan file (button callback): every row or none."""
    cached = st.session_state.get(PREVIEW_KEY)
    if not cached:
        return
    data, name = cached[2], cached[3]
    try:
        with write_session(get_engine()) as session:
            preview = import_plan(session=session, actor=actor, data=data, filename=name)
    except ImportRejected as exc:
        st.session_state[PREVIEW_KEY] = (*cached[:1], exc.preview, data, name)
        st.session_state[FLASH_KEY] = ("error", t("Tệp có lỗi, chưa nhập dòng nào."))
        return
    except PermissionDenied as exc:
        st.session_state[FLASH_KEY] = ("error", localize(exc))
        return
    st.session_state.pop(PREVIEW_KEY, None)
    st.session_state[FLASH_KEY] = ("success", describe_plan_import(preview, written=True))
    st.session_state["kh_nonce"] = st.session_state.get("kh_nonce", 0) + 1  # a fresh uploader
    clear_data_caches()


def edit_tab(actor: Actor, year: int, lang: str) -> None:
    """Enter or correct one target; the year's targets below."""
    scopes = load_scopes(year=year, lang=lang)
    level_names = {k: t(*v) for k, v in LEVELS.items()}
    left, right = st.columns(2)
    level = left.radio(t("Kế hoạch của"), list(LEVELS), format_func=level_names.get, horizontal=True,
                       key="kh_level")
    options = scopes[level]
    scope = right.selectbox(level_names[level], list(options), format_func=options.get, key=f"kh_scope_{level}",
                            disabled=level == "province")
    types = {d.code: d.name(lang) for d in list_activity_types()}
    left, right = st.columns(2)
    type_code = left.selectbox(t("Loại hoạt động"), list(types), format_func=types.get, key="kh_type")
    definition = get_activity_type(type_code)
    measures = {m.code: m.title(lang) for m in definition.measures}
    measure = right.selectbox(t("Chỉ tiêu"), list(measures), format_func=measures.get, key="kh_measure")
    key = TargetKey(year, level, scope or "", type_code, measure)
    with read_session(get_engine()) as session:
        now = current_target(session=session, key=key)
    st.caption(t("Kế hoạch hiện có: {now}", now=format_number(now[0], lang))
               if now else t("Chưa có kế hoạch cho mục này."))
    suffix = f"{year}_{level}_{scope}_{type_code}_{measure}"
    left, right = st.columns(2)
    value = left.number_input(t("Kế hoạch năm {year}", year=year), min_value=0, max_value=1_000_000_000,
                              step=1, value=now[0] if now else None, key=f"kh_value_{suffix}",
                              placeholder=t("nhập số"))
    note = right.text_input(t("Ghi chú"), value=now[1] if now else "", max_chars=500, key=f"kh_note_{suffix}")
    left, right, _ = st.columns([1, 1, 3])
    left.button(t("Lưu chỉ tiêu"), type="primary", key="kh_save", icon=":material/save:",
                disabled=value is None, on_click=save_target,
                args=(actor, key, None if value is None else int(value), note))
    right.button(t("Xóa chỉ tiêu"), key="kh_delete", icon=":material/delete:", disabled=now is None,
                 on_click=save_target, args=(actor, key, None, ""))
    with read_session(get_engine()) as session:
        targets = list_targets(session=session, year=year, lang=lang)
    st.subheader(t("Các chỉ tiêu năm {year}", year=year))
    if targets.empty:
        st.caption(t("Chưa có chỉ tiêu nào."))
        return
    shown = targets.assign(level=[level_names[v] for v in targets["level"]],
                           value=[format_number(v, lang) for v in targets["value"]])
    table = shown[["level", "scope_name", "type_name", "measure_label", "unit", "value", "note"]].rename(columns={
        "level": t("Cấp"), "scope_name": t("Đơn vị / xã"),
        "type_name": t("Loại hoạt động"), "measure_label": t("Chỉ tiêu"),
        "unit": t("Đơn vị tính"), "value": t("Kế hoạch"), "note": t("Ghi chú")})
    st.dataframe(table, hide_index=True, width="stretch")


def file_tab(actor: Actor, year: int, lang: str) -> None:
    """The plan template of the year, and importing a filled-in plan with a preview of every row."""
    st.caption(t("Tệp mẫu có một dòng cho mỗi đơn vị × loại hoạt động × chỉ tiêu, đã điền kế hoạch hiện có. Điền cột "
                 "«Kế hoạch» rồi tải lên: tệp được kiểm tra trước, chỉ nhập khi không có lỗi, và nhập tất cả các "
                 "dòng một lần. Dòng để trống không thay đổi gì; nhập lại cùng một tệp không thay đổi gì."))
    def template(fmt: str):
        def make() -> bytes:  # made when the button is clicked, not on every run of the page
            with read_session(get_engine()) as session:
                return plan_template(session=session, year=year, fmt=fmt, lang="vi")
        return make

    left, right, _ = st.columns([1, 1, 3])
    left.download_button(t("Mẫu kế hoạch XLSX"), data=template("xlsx"),
                         file_name=f"ke-hoach-{year}.xlsx", mime=XLSX_MIME, key="kh_tpl_xlsx",
                         icon=":material/download:", on_click="ignore")
    right.download_button(t("Mẫu kế hoạch CSV"), data=template("csv"),
                          file_name=f"ke-hoach-{year}.csv", mime="text/csv", key="kh_tpl_csv",
                          icon=":material/download:", on_click="ignore")
    upload = file_upload(label=t("Chọn tệp kế hoạch"), key=f"kh_file_{st.session_state.get('kh_nonce', 0)}")
    if upload is None:
        return
    data = upload.getvalue()
    signature = (hashlib.sha256(data).hexdigest(), upload.name)
    cached = st.session_state.get(PREVIEW_KEY)
    if not cached or cached[0] != signature:
        with st.spinner(t("Đang kiểm tra tệp…")):
            with read_session(get_engine()) as session:
                preview = preview_plan(session=session, data=data, filename=upload.name)
        st.session_state[PREVIEW_KEY] = (signature, preview, data, upload.name)
    preview: ImportPreview = st.session_state[PREVIEW_KEY][1]
    counts = preview.counts()
    cols = st.columns(5)
    for col, (k, vi, en) in zip(cols, [("new", "Thêm mới", "New"), ("update", "Sửa", "Changed"),
                                       ("unchanged", "Không đổi", "Unchanged"), ("skip", "Bỏ qua", "Skipped"),
                                       ("error", "Lỗi", "Errors")]):
        col.metric(t(vi, en), format_number(counts[k], lang))
    writable = counts["new"] + counts["update"]
    if not preview.ok:
        st.error(t("Tệp còn lỗi: sửa trong tệp rồi tải lên lại. Chưa nhập dòng nào."))
    elif writable == 0:
        st.info(t("Không có chỉ tiêu nào mới hoặc thay đổi để nhập."))
    else:
        st.button(t("Nhập {writable} chỉ tiêu", writable=Pair(str(format_number(writable, lang)), str(writable))), type="primary",
                  key="kh_import", icon=":material/upload:", on_click=do_import, args=(actor,))
    for message in preview.file_errors:
        st.error(plain(message), icon=":material/error:")
    for message in preview.notes:
        st.info(plain(message), icon=":material/info:")
    problems = preview.problems_table()
    if not problems.empty:
        st.subheader(t("Lỗi theo dòng, cột"))
        st.dataframe(problems.assign(row=problems["row"].astype("Int64")).drop(columns="severity"), hide_index=True,
                     width="stretch", column_config={"sheet": t("Trang"), "row": t("Dòng"),
                                                     "column": t("Cột"), "message": t("Nội dung", ctx="message")})
    table = preview.table(lang)
    changed = table[table["status"] != "Bỏ qua"]
    changed = changed.assign(**{c: ["" if pd.isna(v) else format_number(v, lang) for v in changed[c]]
                                for c in ("target", "current")})
    st.subheader(t("Các dòng có kế hoạch"))
    st.dataframe(changed, hide_index=True, width="stretch", column_config={
        "sheet": t("Trang"), "row": st.column_config.NumberColumn(t("Dòng"), format="%d"),
        "status": t("Trạng thái"), "scope": t("Đơn vị / xã"),
        "type": t("Loại hoạt động"), "measure": t("Chỉ tiêu"),
        "target": t("Kế hoạch trong tệp"), "current": t("Kế hoạch hiện có"),
        "message": t("Ghi chú", ctx="message")})


actor = guard_page("ke_hoach")
lang = current_language()
st.title(t("Kế hoạch năm và tiến độ thực hiện"))
if actor is None:
    st.stop()
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    (st.success if flash[0] == "success" else st.error)(plain(flash[1]))

this_year = local_today().year
years = load_years()
choices = sorted(set(years) | {this_year, this_year + 1}, reverse=True)
default = max([y for y in years if y <= this_year], default=this_year)
if st.session_state.get("kh_year") not in choices:
    st.session_state["kh_year"] = default
year = st.selectbox(t("Năm kế hoạch"), choices, key="kh_year", width=240)
editor = can_edit_targets(actor)
names = [t("Đơn vị chậm kế hoạch"), t("Tiến độ")]
if editor:
    names += [t("Nhập, sửa chỉ tiêu"), t("Nhập từ tệp kế hoạch")]
tabs = st.tabs(names)

with tabs[0]:
    behind = load_behind(year=year, lang=lang)
    if year == this_year:
        due = format_share(expected_share(year=year, today=local_today()), lang)
        st.caption(t("Năm {year} đang thực hiện: đến nay cần đạt {due} kế hoạch năm (theo số tháng đã qua).",
                     year=year, due=due))
    if not years or year not in years:
        st.info(t("Chưa có kế hoạch năm {year}. Nhập chỉ tiêu hoặc nhập tệp kế hoạch.", year=year))
    elif behind.empty:
        st.success(t("Không có đơn vị, xã nào chậm kế hoạch năm {year}.", year=year))
    else:
        st.markdown(t("**{behind} chỉ tiêu** chậm hoặc chưa đạt kế hoạch năm {year}, chậm nhiều nhất trước:",
                      behind=len(behind), year=year))
        progress_table(behind, lang=lang, with_level=True)
        download_buttons(behind, name=f"cham-ke-hoach-{year}", key="kh_behind")

with tabs[1]:
    bys = {"province": t("Toàn tỉnh", ctx="province"), "station": t("Đơn vị", ctx="units"), "commune": t("Xã",
                                                                                                         ctx="communes"),
           "type": t("Theo loại hoạt động")}
    by = st.radio(t("Xem theo"), list(bys), format_func=bys.get, horizontal=True, key="kh_by")
    frame = load_progress(year=year, by=by, lang=lang)
    if frame.empty:
        st.info(t("Chưa có chỉ tiêu nào ở cấp này."))
    else:
        if by == "type" and (frame["basis"] == "units").any():
            st.caption(t("Loại không có kế hoạch toàn tỉnh: cộng kế hoạch và kết quả của các đơn vị có kế hoạch."))
        progress_table(frame, lang=lang)
        download_buttons(frame, name=f"tien-do-{by}-{year}", key=f"kh_progress_{by}")

if editor:
    with tabs[2]:
        edit_tab(actor, year, lang)
    with tabs[3]:
        file_tab(actor, year, lang)
