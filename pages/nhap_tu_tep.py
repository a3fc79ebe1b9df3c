"""Import from a file: templates, upload with a preview of every row, all rows or none; export in the same format."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from data_model.basics.permissions import Actor
from data_model.definitions.activity_types import list_activity_types
from data_model.files.export import (
    XLSX_MIME,
    ExportFilters,
    export_csv,
    export_filename,
    export_xlsx,
    template_csv,
    template_filename,
    template_xlsx,
)
from data_model.files.records_import import (
    ImportPreview,
    ImportRejected,
    list_held,
    preview_import,
    summarise_result,
    write_import,
)
from data_model.schema.clock import convert_to_local, today_local
from data_model.schema.db import read_session
from data_model.texts.catalogue import N_
from data_model.texts.formatting import format_date, format_number
from ui.auth import plain
from ui.engine import get_engine
from ui.i18n import t, tn
from ui.page import open_page
from ui.uploads import file_upload
from ui.writes import flash, run_write

PREVIEW_KEY = "imp__preview"
COUNTS = {"new": N_("Thêm mới", ctx="import count"), "update": N_("Cập nhật", ctx="import count"),
          "unchanged": N_("Không đổi", ctx="import count"), "skip": N_("Bỏ qua", ctx="import count"),
          "error": N_("Lỗi", ctx="import count"), "duplicate": N_("Có thể trùng", ctx="import count")}


def do_import(actor: Actor) -> None:
    """Write the rows of the preview shown (button callback): every row or none."""
    cached = st.session_state.get(PREVIEW_KEY)
    if not cached:
        return
    try:
        done = run_write(lambda engine: write_import(engine=engine, actor=actor, preview=cached[1]),
                         own_transaction=True, success=summarise_result, callback=True, passthrough=(ImportRejected,))
    except ImportRejected as exc:
        st.session_state[PREVIEW_KEY] = (cached[0], exc.preview)
        flash("error", t("Tệp có lỗi, chưa nhập dòng nào."))
        return
    # written, or refused (conflict, permission): the next run checks the file again against the database as it is
    st.session_state.pop(PREVIEW_KEY, None)
    if done.ok:
        st.session_state["imp_nonce"] = st.session_state.get("imp_nonce", 0) + 1  # a fresh uploader


page = open_page("nhap_tu_tep", title=t("Nhập từ tệp", ctx="import from a file"))
actor, lang = page.actor, page.lang
types = {d.code: d.name(lang) for d in list_activity_types()}

tab_import, tab_template, tab_export = st.tabs([t("Nhập tệp"), t("Tệp mẫu"),
                                                t("Xuất dữ liệu")])

with tab_template:
    st.caption(t("Mỗi loại hoạt động có một mẫu: cột theo định nghĩa của loại đó, tiêu đề tiếng Việt (tiêu đề tiếng "
                 "Anh cũng được nhận). Ngày ghi dd/mm/yyyy; số có thể viết 41.262."))
    template_type = st.selectbox(t("Loại hoạt động"), options=list(types), format_func=types.get,
                                 key="imp_template_type")
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(t("Mẫu CSV"), data=template_csv(type_code=template_type),
                         file_name=template_filename(template_type, "csv"), mime="text/csv", key="imp_tpl_csv",
                         icon=":material/download:", on_click="ignore")
    right.download_button(t("Mẫu XLSX"), data=template_xlsx(type_code=template_type),
                          file_name=template_filename(template_type, "xlsx"), mime=XLSX_MIME, key="imp_tpl_xlsx",
                          icon=":material/download:", on_click="ignore")

with tab_import:
    st.caption(t("CSV hoặc XLSX; mỗi trang tính một loại hoạt động (tên trang là tên loại) hoặc có cột «Loại hoạt "
                 "động». Tệp được kiểm tra trước; chỉ khi không có lỗi mới nhập, và nhập tất cả các dòng một lần. "
                 "Nhập lại cùng một tệp không thêm gì. Tệp xuất bản gửi của ODK Central (tệp ZIP hoặc CSV) hoặc KoboToolbox "
                 "(biểu mẫu ở trang «Biểu mẫu thu thập ngoại tuyến») được nhận ra và kiểm tra theo cùng quy tắc; bản "
                 "gửi có lỗi được giữ lại để nhập lần sau, các bản gửi khác được nhập."))
    default_labels = {"": t("Theo tệp (cột hoặc tên trang)"), **types}
    default_type = st.selectbox(t("Loại hoạt động khi tệp không ghi"),
                                options=list(default_labels), format_func=default_labels.get, key="imp_default_type")
    # zip: ODK Central hands out <formId>.zip holding <formId>.csv
    upload = file_upload(label=t("Chọn tệp"), key=f"imp_file_{st.session_state.get('imp_nonce', 0)}",
                         types=("csv", "xlsx", "zip"))
    if upload is not None:
        data = upload.getvalue()
        signature = (hashlib.sha256(data).hexdigest(), upload.name, default_type)
        cached = st.session_state.get(PREVIEW_KEY)
        if not cached or cached[0] != signature:
            with st.spinner(t("Đang kiểm tra tệp…")):
                with read_session(get_engine()) as session:
                    preview = preview_import(session=session, actor=actor, data=data, filename=upload.name,
                                             default_type=default_type or None)
            st.session_state[PREVIEW_KEY] = (signature, preview)
        preview: ImportPreview = st.session_state[PREVIEW_KEY][1]
        counts = preview.counts()
        cols = st.columns(6)
        for col, (key, label) in zip(cols, COUNTS.items()):
            col.metric(t(label, ctx="import count"), format_number(counts[key], lang))
        writable = counts["new"] + counts["update"] + counts["withdraw"] + counts["restore"]
        held = len(preview.held_rows())
        if not preview.ok:
            st.error(t("Tệp còn lỗi: sửa trong tệp rồi tải lên lại. Chưa nhập dòng nào."))
        elif writable == 0 and held == 0:
            st.info(t("Không có dòng nào mới hoặc thay đổi để nhập."))
        elif held:
            st.warning(tn("{count} bản gửi có lỗi sẽ được giữ lại, không nhập; các bản gửi khác được nhập. Bản gửi bị "
                          "giữ lại được nhập ở lần nhập sau, khi tệp xuất của máy chủ đã sửa.", held,
                          count=format_number(held, lang)), icon=":material/pending_actions:")
            st.button(t("Nhập {count} dòng, giữ lại {held} bản gửi", count=format_number(writable, lang),
                        held=format_number(held, lang)), type="primary", key="imp_go", icon=":material/upload:",
                      on_click=do_import, args=(actor,))
        else:
            st.button(tn("Nhập {count} dòng", writable, count=format_number(writable, lang)), type="primary",
                      key="imp_go", icon=":material/upload:", on_click=do_import, args=(actor,))

        for message in preview.file_errors:
            st.error(plain(message), icon=":material/error:")
        for message in preview.notes:
            st.info(plain(message), icon=":material/info:")
        problems = preview.problems_table(lang)
        if not problems.empty:
            severity = {"error": t("Lỗi"), "warning": t("Cảnh báo"),
                        "duplicate": t("Có thể trùng")}
            st.subheader(t("Lỗi và cảnh báo theo dòng, cột"))
            shown = problems.assign(severity=problems["severity"].map(severity), row=problems["row"].astype("Int64"))
            st.dataframe(shown, hide_index=True, width="stretch", column_config={
                "sheet": st.column_config.TextColumn(t("Trang / bản gửi"), width="medium"), "row": st.column_config.NumberColumn(t("Dòng"), format="%d"),
                "column": st.column_config.TextColumn(t("Cột"), width="medium"), "severity": t("Mức"), "message": t("Nội dung",
                                                                                                                    ctx="message")})
        st.subheader(t("Xem trước từng dòng"))
        table = preview.table(lang)
        table = table.assign(start_date=table["start_date"].map(lambda d: format_date(d, lang) if d else ""),
                             record_id=table["record_id"].map(lambda v: str(int(v)) if pd.notna(v) else ""))
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "sheet": st.column_config.TextColumn(t("Trang / bản gửi"), width="medium"), "row": st.column_config.NumberColumn(t("Dòng"), format="%d"),
            "status": t("Trạng thái"), "type": t("Loại", ctx="type"),
            "start_date": t("Ngày"),
            "figures": t("Số liệu", ctx="figures"), "record_id": t("Số hoạt động"),
            "message": t("Ghi chú", ctx="message")})

    st.subheader(t("Bản gửi bị giữ lại"))
    with read_session(get_engine()) as session:
        held_list = list_held(session=session, actor=actor)
    if held_list.empty:
        st.caption(t("Không có bản gửi nào của tệp xuất ODK Central / KoboToolbox bị giữ lại."))
    else:
        st.caption(t("Bản gửi có lỗi của các lần nhập tệp xuất máy chủ: sửa trên máy chủ (hoặc danh mục) rồi nhập tệp "
                     "xuất mới; bản gửi đã sửa được nhập và ra khỏi danh sách."))
        st.dataframe(held_list.assign(seen_at=held_list["seen_at"].map(
            lambda v: format_date(convert_to_local(utc=v).date(), lang))), hide_index=True, width="stretch",
            key="imp_held", column_config={
                "submitter": t("Người gửi"), "instance_id": t("Mã bản gửi"), "unit": t("Đơn vị"),
                "problems": st.column_config.TextColumn(t("Câu hỏi và lý do"), width="large"),
                "filename": t("Tệp xuất"), "seen_at": t("Lần nhập gần nhất")})

with tab_export:
    st.caption(t("Xuất đúng theo mẫu nhập: sửa trong tệp rồi nhập lại sẽ cập nhật đúng các hoạt động đó (theo cột "
                 "«Mã định danh»), không tạo bản trùng; nhập tệp vào cơ sở dữ liệu khác thì thêm các hoạt động đó "
                 "một lần."))
    this_year = today_local().year
    c1, c2 = st.columns(2)
    year_from = c1.number_input(t("Từ năm", ctx="from year"), min_value=1990, max_value=2100, value=this_year - 1,
                                step=1, key="exp_from")
    year_to = c2.number_input(t("Đến năm", ctx="to year"), min_value=1990, max_value=2100, value=this_year, step=1,
                              key="exp_to")
    chosen = st.multiselect(t("Loại hoạt động", ctx="activity types"), options=list(types), format_func=types.get,
                            key="exp_types", placeholder=t("Tất cả"), select_all=False)
    mine = actor.role == "staff" and st.checkbox(t("Chỉ đơn vị của tôi"), value=True, key="exp_mine")
    if year_from > year_to:
        st.error(t("«Từ năm» lớn hơn «Đến năm»."))
    elif st.button(t("Chuẩn bị tệp xuất"), key="exp_go", icon=":material/table_view:"):
        filters = ExportFilters(year_from=int(year_from), year_to=int(year_to), types=tuple(chosen),
                                reporting_unit_ids=tuple(sorted(actor.unit_ids)) if mine else ())
        with st.spinner(t("Đang xuất…")):
            with read_session(get_engine()) as session:
                st.session_state["exp_files"] = (export_csv(session=session, filters=filters),
                                                 export_xlsx(session=session, filters=filters),
                                                 export_filename(filters, "csv"), export_filename(filters, "xlsx"))
    files = st.session_state.get("exp_files")
    if files:
        left, right, _ = st.columns([1, 1, 3])
        left.download_button(t("Tải CSV"), data=files[0], file_name=files[2], mime="text/csv",
                             key="exp_csv", icon=":material/download:", on_click="ignore")
        right.download_button(t("Tải XLSX"), data=files[1], file_name=files[3], mime=XLSX_MIME,
                              key="exp_xlsx", icon=":material/download:", on_click="ignore")
