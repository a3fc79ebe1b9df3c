"""Offline entry form: download the XLSForm for ODK Collect / KoboCollect made from the activity definitions."""
from __future__ import annotations

import streamlit as st

from data_model.accounts.permissions import PermissionDenied
from data_model.files.xlsform.form import FormError, form_unit_choices, xlsform_for_actor
from data_model.files.xlsform.workbook import XLSX_MIME, xform_xml, xlsform_bytes, xlsform_filename
from data_model.schema.db import read_session
from data_model.texts.formatting import format_number
from ui.auth import plain
from ui.engine import get_engine
from ui.i18n import t
from ui.page import open_page

page = open_page("bieu_mau_ngoai_tuyen", title=t("Biểu mẫu thu thập ngoại tuyến", "Offline entry form"))
actor, lang = page.actor, page.lang

st.caption(t("Biểu mẫu XLSForm cho ODK Collect hoặc KoboCollect (ứng dụng Android miễn phí, nhập được khi không có "
             "mạng), làm từ chính định nghĩa loại hoạt động và danh mục của hệ thống: cùng khoảng số, cùng quy tắc, xã "
             "theo ngày, bản theo xã. Tệp xuất các bản gửi (CSV hoặc XLSX) nhập ở trang «Nhập từ tệp».",
             "An XLSForm for ODK Collect or KoboCollect (free Android apps that work offline), made from the activity "
             "definitions and reference data: the same ranges and rules, communes by date, villages by commune. Import "
             "the submissions export (CSV or XLSX) on the «Import from file» page."))

with read_session(get_engine()) as session:
    choices = form_unit_choices(session=session, actor=actor)
everyone = t("Mọi đơn vị", "All units") if actor.role == "admin" else t("Mọi đơn vị của tôi", "All my units")
options = {"": everyone, **choices} if len(choices) != 1 else choices
unit_key = st.selectbox(t("Biểu mẫu cho đơn vị", "Form for the unit"), options=list(options),
                        format_func=options.get, key="xf_unit")
try:
    with read_session(get_engine()) as session:
        form = xlsform_for_actor(session=session, actor=actor, unit_key=unit_key or None)
except (PermissionDenied, FormError) as exc:
    st.error(plain(str(exc)))
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric(t("Phiên bản biểu mẫu", "Form version"), form.version)
c2.metric(t("Đơn vị", "Units"), format_number(len(form.units), lang))
c3.metric(t("Loại hoạt động", "Activity types"), format_number(len(form.types), lang))
row = st.container(horizontal=True)
row.download_button(t("Tải biểu mẫu (XLSX)", "Download the form (XLSX)"), data=lambda: xlsform_bytes(form),
                    file_name=xlsform_filename(form), mime=XLSX_MIME, key="xf_download", type="primary",
                    icon=":material/download:", on_click="ignore")
row.download_button(t("Tải XForm (XML) để chép vào ODK Collect", "Download the XForm (XML) for ODK Collect"),
                    data=lambda: xform_xml(form), file_name=xlsform_filename(form, "xml"), mime="application/xml",
                    key="xf_download_xml", icon=":material/code:", on_click="ignore")
st.caption(t(f"Mã biểu mẫu «{form.form_id}». Phiên bản đổi khi định nghĩa loại hoạt động hoặc danh mục (đơn vị, xã, "
             "bản) thay đổi: khi đó hãy tải biểu mẫu mới và cập nhật lên máy chủ, máy điện thoại.",
             f"Form ID «{form.form_id}». The version changes when the activity definitions or the reference data "
             "(units, communes, villages) change: then download the form again and update the server and phones."))

st.subheader(t("Cách dùng", "How to use it"))
st.markdown(t(
    "1. **Đưa biểu mẫu lên máy chủ**: ODK Central (*Forms → New*, chọn tệp XLSX rồi *Publish*) hoặc KoboToolbox "
    "(*New → Upload an XLSForm*, rồi *Deploy*). Không có máy chủ: chép tệp XForm (XML) vào thư mục `forms` của dự án "
    "trong ODK Collect (`Android/data/org.odk.collect.android/files/projects/…/forms`, ví dụ bằng `adb push`), rồi "
    "lấy bản gửi về bằng ODK Briefcase và xuất CSV.\n"
    "2. **Trên điện thoại**: cài ODK Collect hoặc KoboCollect, kết nối với dự án, tải biểu mẫu khi có mạng. Ở bản, "
    "điền và lưu từng hoạt động, không cần mạng; về đồn thì gửi (*Send finalized forms*).\n"
    "3. **Tải tệp xuất**: ODK Central: *Submissions → Download* (CSV); KoboToolbox: *Data → Downloads*, dạng XLS "
    "hoặc CSV, chọn **XML values and headers**.\n"
    "4. **Nhập**: trang «Nhập từ tệp», chọn tệp xuất. Tệp được kiểm tra như mọi tệp nhập; lỗi ghi rõ bản gửi, "
    "người gửi và câu hỏi. Nhập lại tệp xuất đầy đủ hơn hôm sau chỉ thêm các bản gửi mới.",
    "1. **Publish the form**: ODK Central (*Forms → New*, choose the XLSX, *Publish*) or KoboToolbox (*New → Upload "
    "an XLSForm*, *Deploy*). Without a server, copy the XForm (XML) into the project's `forms` folder of ODK Collect "
    "(`Android/data/org.odk.collect.android/files/projects/…/forms`, e.g. with `adb push`), then pull the "
    "submissions with ODK Briefcase and export them as CSV.\n"
    "2. **On the phone**: install ODK Collect or KoboCollect, connect to the project, get the form while online. In "
    "the village, fill in and save each activity offline; back at the station, send the finalized forms.\n"
    "3. **Download the export**: ODK Central: *Submissions → Download* (CSV); KoboToolbox: *Data → Downloads*, XLS "
    "or CSV with **XML values and headers**.\n"
    "4. **Import**: on «Import from file», choose the export. It is checked like every import; messages name the "
    "submission, the submitter and the question. Re-importing the next day's fuller export adds only the new "
    "submissions."))
