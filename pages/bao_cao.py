"""Report: choose a year or a period and a scope, preview the written report, download DOCX, XLSX, Markdown."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from data_model.analytics.aggregate import first_and_last_year
from data_model.analytics.filters import QueryError
from data_model.report import ReportFiles, ReportPreview, build_report_files, build_report_preview
from data_model.report.scope import Period, ScopeOption, list_scope_options
from data_model.schema.db import read_session
from data_model.schema.settings import get_settings
from ui.auth import guard_page
from ui.engine import get_engine
from ui.i18n import current_language, t

CACHE_TTL_S = 600
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
}


def database_key() -> str:
    """The database URL: part of every cache key, so two databases never share a cached report."""
    return get_settings().database_url


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def load_years(url: str) -> tuple[int, int] | None:
    """First and last year with records (cached per database)."""
    with read_session(get_engine()) as session:
        return first_and_last_year(session=session)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def load_scope_options(url: str, kind: str, year_from: int, year_to: int) -> list[ScopeOption]:
    """Districts, units or communes a report can be made for in the period (cached)."""
    with read_session(get_engine()) as session:
        return list_scope_options(session=session, kind=kind, period=Period(year_from, year_to))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=50)
def load_preview(url: str, scope: str, year_from: int, year_to: int, lang: str) -> ReportPreview:
    """The report's text without charts or files (fast; cached per database, scope, years and language)."""
    return build_report_preview(engine=get_engine(), scope=scope, year_from=year_from, year_to=year_to, lang=lang)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=20)
def load_report(url: str, scope: str, year_from: int, year_to: int, lang: str) -> ReportFiles:
    """The report in every format (cached per database, scope, years and language)."""
    return build_report_files(engine=get_engine(), scope=scope, year_from=year_from, year_to=year_to, lang=lang)


def _keep(key: str, allowed: list) -> None:
    """Forget a remembered choice the current options no longer offer."""
    if key in st.session_state and st.session_state[key] not in allowed:
        del st.session_state[key]


guard_page("bao_cao")
lang = current_language()
st.title(t("Báo cáo kết quả năm, giai đoạn", "Yearly and period report"))
st.caption(t("Báo cáo được viết tự động từ số liệu đã ghi nhận, theo văn phong báo cáo của Sở; tải về bản Word để "
             "chỉnh sửa, ký ban hành.", "The report is written from the recorded figures in the Department's style; "
             "download the Word file to edit and sign it."))

bounds = load_years(database_key())
this_year = dt.date.today().year
first, last = (bounds[0], bounds[1]) if bounds else (this_year, this_year)
years = list(range(max(last, this_year), min(first, this_year) - 1, -1))
if bounds is None:
    st.info(t("Chưa có hoạt động nào được ghi nhận; báo cáo sẽ chỉ nói rằng chưa có số liệu.",
              "No activity has been recorded yet; the report will only say there are no figures."),
            icon=":material/inbox:")

modes = {"year": t("Một năm", "One year"), "period": t("Giai đoạn", "Period")}
kinds = {"province": t("Toàn tỉnh", "Whole province"),
         "district": t("Huyện (trước 01/07/2025)", "District (before 01/07/2025)"),
         "station": t("Đồn biên phòng, đơn vị", "Border station, unit"), "commune": t("Xã", "Commune")}
left, middle, right = st.columns([1, 2, 2])
with left:
    mode = st.radio(t("Kỳ báo cáo", "Report for"), options=list(modes), format_func=modes.get, key="bc_mode",
                    bind="query-params")
with middle:
    _keep("bc_year", years)
    _keep("bc_from", years)
    _keep("bc_to", years)
    if mode == "year":
        default = years.index(last) if last in years else 0
        year_from = year_to = st.selectbox(t("Năm", "Year"), years, index=default, key="bc_year",
                                           bind="query-params")
    else:
        a, b = st.columns(2)
        year_from = a.selectbox(t("Từ năm", "From"), years, index=years.index(first) if first in years else 0,
                                key="bc_from", bind="query-params")
        year_to = b.selectbox(t("Đến năm", "To"), years, index=years.index(last) if last in years else 0,
                              key="bc_to", bind="query-params")
with right:
    kind = st.selectbox(t("Phạm vi", "Scope"), options=list(kinds), format_func=kinds.get, key="bc_kind",
                        bind="query-params")
    scope = "province"
    if kind != "province" and year_from <= year_to:
        options = load_scope_options(database_key(), kind, min(year_from, year_to), max(year_from, year_to))
        labels = {o.value: o.label for o in options}
        _keep("bc_unit", list(labels))
        if not labels:
            st.warning(t("Không có đơn vị nào thuộc loại này trong kỳ đã chọn.", "No unit of this kind in the period."))
        else:
            scope = st.selectbox(t("Đơn vị", "Unit"), options=list(labels), format_func=labels.get, key="bc_unit",
                                 bind="query-params")
    report_lang = st.radio(t("Ngôn ngữ báo cáo", "Report language"), options=["vi", "en"],
                           format_func={"vi": "Tiếng Việt", "en": "English"}.get, horizontal=True,
                           index=0 if lang == "vi" else 1, key="bc_lang")

if year_from > year_to:
    st.error(t(f"Năm bắt đầu ({year_from}) lớn hơn năm kết thúc ({year_to}). Hãy chọn lại.",
               f"The first year ({year_from}) is after the last year ({year_to}). Choose again."))
    st.stop()
if kind != "province" and scope == "province":
    st.stop()

try:
    preview = load_preview(database_key(), scope, year_from, year_to, report_lang)
except QueryError as exc:
    st.error(str(exc))
    st.stop()

# charts and documents take seconds: built only when asked for, then kept for this choice of report
wanted = [scope, year_from, year_to, report_lang]
files: ReportFiles | None = None
if st.session_state.get("bc_files_for") != wanted:
    st.button(t("Lập tệp Word, Excel, Markdown (kèm biểu đồ)", "Make the Word, Excel and Markdown files (with charts)"),
              key="bc_make", icon=":material/description:", type="primary",
              on_click=lambda: st.session_state.update(bc_files_for=wanted))
else:
    with st.spinner(t("Đang lập tệp báo cáo và vẽ biểu đồ…", "Making the report files and drawing the charts…")):
        files = load_report(database_key(), scope, year_from, year_to, report_lang)
    buttons = st.columns(3)
    for column, fmt, label in zip(buttons, ("docx", "xlsx", "md"),
                                  (t("Tải Word (DOCX)", "Download Word (DOCX)"),
                                   t("Tải Excel (XLSX)", "Download Excel (XLSX)"),
                                   t("Tải Markdown", "Download Markdown"))):
        data = {"docx": files.docx, "xlsx": files.xlsx, "md": files.markdown.encode("utf-8")}[fmt]
        column.download_button(label, data=data, file_name=f"{files.file_stem}.{fmt}", mime=MIME[fmt],
                               key=f"bc_dl_{fmt}", icon=":material/download:", on_click="ignore", width="stretch")
if preview.is_demo:
    st.warning(t("Cơ sở dữ liệu này chứa dữ liệu mẫu (demo); báo cáo ghi rõ điều đó.",
                 "This database holds demo data; the report says so."), icon=":material/science:")

with st.container(border=True):
    st.markdown(preview.preview)
    for chart in files.document.all_charts() if files else ():
        st.image(chart.png, caption=chart.title, width="stretch")
