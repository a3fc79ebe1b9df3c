"""Report: choose a year or a period and a scope, preview the written report, download DOCX, PDF, XLSX, Markdown."""
from __future__ import annotations

import streamlit as st

from data_model.analytics.aggregate import first_and_last_year
from data_model.analytics.filters import QueryError
from data_model.report import ReportFiles, build_report_files, build_report_pdf, build_report_preview
from data_model.report.pdf import can_make_pdf
from data_model.report.scope import Period, list_scope_options
from data_model.schema.clock import today_local
from ui.i18n import localize, t
from ui.loaders import cached_loader
from ui.page import open_page
from ui.widgets import choice, keep_valid

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
}


load_years = cached_loader(first_and_last_year)
load_scope_options = cached_loader(list_scope_options)
load_preview = cached_loader(max_entries=50)(build_report_preview)  # the text at once; files only when asked
load_report = cached_loader(max_entries=20)(build_report_files)

lang = open_page("bao_cao", title=t("Báo cáo kết quả năm, giai đoạn")).lang
st.caption(t("Báo cáo được viết tự động từ số liệu đã ghi nhận, theo văn phong báo cáo của Sở; tải về bản Word để "
             "chỉnh sửa, ký ban hành."))

bounds = load_years()
this_year = today_local().year
first, last = (bounds[0], bounds[1]) if bounds else (this_year, this_year)
years = list(range(max(last, this_year), min(first, this_year) - 1, -1))
if bounds is None:
    st.info(t("Chưa có hoạt động nào được ghi nhận; báo cáo sẽ chỉ nói rằng chưa có số liệu."),
            icon=":material/inbox:")

modes = {"year": t("Một năm"), "period": t("Giai đoạn")}
kinds = {"province": t("Toàn tỉnh"),
         "district": t("Huyện (trước 01/07/2025)"),
         "station": t("Đồn biên phòng, đơn vị"), "commune": t("Xã")}
left, middle, right = st.columns([1, 2, 2])
with left:
    mode = choice(st.radio, t("Kỳ báo cáo"), modes, key="bc_mode", bind="query-params")
with middle:
    for key in ("bc_year", "bc_from", "bc_to"):
        keep_valid(key, years)
    if mode == "year":
        default = years.index(last) if last in years else 0
        year_from = year_to = st.selectbox(t("Năm"), years, index=default, key="bc_year",
                                           bind="query-params")
    else:
        a, b = st.columns(2)
        year_from = a.selectbox(t("Từ năm"), years, index=years.index(first) if first in years else 0,
                                key="bc_from", bind="query-params")
        year_to = b.selectbox(t("Đến năm"), years, index=years.index(last) if last in years else 0,
                              key="bc_to", bind="query-params")
with right:
    kind = choice(st.selectbox, t("Phạm vi"), kinds, key="bc_kind", bind="query-params")
    scope = "province"
    if kind != "province" and year_from <= year_to:
        options = load_scope_options(kind=kind, period=Period(min(year_from, year_to), max(year_from, year_to)))
        labels = {o.value: o.label for o in options}
        if not labels:
            keep_valid("bc_unit", labels)
            st.warning(t("Không có đơn vị nào thuộc loại này trong kỳ đã chọn."))
        else:
            scope = choice(st.selectbox, t("Đơn vị"), labels, key="bc_unit", bind="query-params")
    report_lang = st.radio(t("Ngôn ngữ báo cáo"), options=["vi", "en"],
                           format_func={"vi": "Tiếng Việt", "en": "English"}.get, horizontal=True,
                           index=0 if lang == "vi" else 1, key="bc_lang")

if year_from > year_to:
    st.error(t("Năm bắt đầu ({year_from}) lớn hơn năm kết thúc ({year_to}). Hãy chọn lại.", year_from=year_from,
               year_to=year_to))
    st.stop()
if kind != "province" and scope == "province":
    st.stop()

try:
    preview = load_preview(scope=scope, year_from=year_from, year_to=year_to, lang=report_lang)
except QueryError as exc:
    st.error(localize(exc))
    st.stop()

# charts and documents take seconds: built only when asked for, then kept for this choice of report
wanted = [scope, year_from, year_to, report_lang]
files: ReportFiles | None = None
if st.session_state.get("bc_files_for") != wanted:
    st.button(t("Lập tệp Word, PDF, Excel, Markdown (kèm biểu đồ)"),
              key="bc_make", icon=":material/description:", type="primary",
              on_click=lambda: st.session_state.update(bc_files_for=wanted))
else:
    with st.spinner(t("Đang lập tệp báo cáo và vẽ biểu đồ…")):
        files = load_report(scope=scope, year_from=year_from, year_to=year_to, lang=report_lang)
    buttons = st.columns(4)
    ready = files
    pdf_ok = can_make_pdf()
    for column, fmt, label in zip(buttons, ("docx", "pdf", "xlsx", "md"),
                                  (t("Tải Word (DOCX)"),
                                   t("Tải PDF"),
                                   t("Tải Excel (XLSX)"),
                                   t("Tải Markdown"))):
        data = {"docx": files.docx, "pdf": lambda: build_report_pdf(files=ready), "xlsx": files.xlsx,
                "md": files.markdown.encode("utf-8")}[fmt]  # the PDF is converted only when asked for
        column.download_button(label, data=data, file_name=f"{files.file_stem}.{fmt}", mime=MIME[fmt],
                               key=f"bc_dl_{fmt}", icon=":material/download:", on_click="ignore", width="stretch",
                               disabled=fmt == "pdf" and not pdf_ok)
    if not pdf_ok:
        st.caption(t("Chưa tải được PDF: máy chủ chưa cài LibreOffice (gói libreoffice-writer-nogui). Hãy tải bản "
                     "Word, hoặc nhờ quản trị cài LibreOffice."))
if preview.is_demo:
    st.warning(t("Cơ sở dữ liệu này chứa dữ liệu mẫu (demo); báo cáo ghi rõ điều đó."), icon=":material/science:")

with st.container(border=True, key="bc_preview"):
    # a wide table (Bảng 2: a column per year) scrolls inside the box instead of running out of it
    st.html("<style>.st-key-bc_preview table { display: block; max-width: 100%; overflow-x: auto; }</style>")
    st.markdown(preview.preview)
    for chart in files.document.all_charts() if files else ():
        st.image(chart.png, caption=chart.title, width="stretch")
