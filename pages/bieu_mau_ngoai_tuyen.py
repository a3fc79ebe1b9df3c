"""Offline entry form: download the XLSForm for ODK Collect / KoboCollect made from the activity definitions."""
from __future__ import annotations

import streamlit as st

from data_model.basics.permissions import PermissionDenied
from data_model.files.xlsform.form import FormError, form_unit_choices, xlsform_for_actor
from data_model.files.xlsform.workbook import XLSX_MIME, xform_xml, xlsform_bytes, xlsform_filename
from data_model.schema.db import read_session
from data_model.texts.formatting import format_number
from ui.auth import plain
from ui.engine import get_engine
from ui.i18n import t
from ui.page import open_page

page = open_page("bieu_mau_ngoai_tuyen", title=t("Biểu mẫu thu thập ngoại tuyến"))
actor, lang = page.actor, page.lang

st.caption(t("Biểu mẫu XLSForm cho ODK Collect hoặc KoboCollect (ứng dụng Android miễn phí, nhập được khi không có "
             "mạng), làm từ chính định nghĩa loại hoạt động và danh mục của hệ thống: cùng khoảng số, cùng quy tắc, "
             "xã theo ngày, bản theo xã. Tệp xuất các bản gửi (CSV hoặc XLSX) nhập ở trang «Nhập từ tệp»."))

with read_session(get_engine()) as session:
    choices = form_unit_choices(session=session, actor=actor)
everyone = t("Mọi đơn vị") if actor.role == "admin" else t("Mọi đơn vị của tôi")
options = {"": everyone, **choices} if len(choices) != 1 else choices
unit_key = st.selectbox(t("Biểu mẫu cho đơn vị"), options=list(options),
                        format_func=options.get, key="xf_unit")
try:
    with read_session(get_engine()) as session:
        form = xlsform_for_actor(session=session, actor=actor, unit_key=unit_key or None)
except (PermissionDenied, FormError) as exc:
    st.error(plain(str(exc)))
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric(t("Phiên bản biểu mẫu"), form.version)
c2.metric(t("Đơn vị", ctx="units"), format_number(len(form.units), lang))
c3.metric(t("Loại hoạt động", ctx="activity types"), format_number(len(form.types), lang))
row = st.container(horizontal=True)
row.download_button(t("Tải biểu mẫu (XLSX)"), data=lambda: xlsform_bytes(form),
                    file_name=xlsform_filename(form), mime=XLSX_MIME, key="xf_download", type="primary",
                    icon=":material/download:", on_click="ignore")
row.download_button(t("Tải XForm (XML) để chép vào ODK Collect"),
                    data=lambda: xform_xml(form), file_name=xlsform_filename(form, "xml"), mime="application/xml",
                    key="xf_download_xml", icon=":material/code:", on_click="ignore")
st.caption(t("Mã biểu mẫu «{form_id}». Phiên bản đổi khi định nghĩa loại hoạt động hoặc danh mục (đơn vị, xã, bản) "
             "thay đổi: khi đó hãy tải biểu mẫu mới và cập nhật lên máy chủ, máy điện thoại.", form_id=form.form_id))

st.subheader(t("Cách dùng"))
st.markdown(t("1. **Đưa biểu mẫu lên máy chủ**: ODK Central (*Forms → New*, chọn tệp XLSX rồi *Publish*) hoặc "
              "KoboToolbox (*New → Upload an XLSForm*, rồi *Deploy*). Không có máy chủ: chép tệp XForm (XML) vào thư "
              "mục `forms` của dự án trong ODK Collect "
              "(`Android/data/org.odk.collect.android/files/projects/…/forms`, ví dụ bằng `adb push`), rồi lấy bản "
              "gửi về bằng ODK Briefcase và xuất CSV.\n2. **Trên điện thoại**: cài ODK Collect hoặc KoboCollect, kết "
              "nối với dự án, tải biểu mẫu khi có mạng. Ở bản, điền và lưu từng hoạt động, không cần mạng; về đồn "
              "thì gửi (*Send finalized forms*).\n3. **Tải tệp xuất**: ODK Central: *Submissions → Download* (CSV); "
              "KoboToolbox: *Data → Downloads*, dạng XLS hoặc CSV, chọn **XML values and headers**.\n4. **Nhập**: "
              "trang «Nhập từ tệp», chọn tệp xuất. Tệp được kiểm tra như mọi tệp nhập; lỗi ghi rõ bản gửi, người gửi "
              "và câu hỏi. Nhập lại tệp xuất đầy đủ hơn hôm sau chỉ thêm các bản gửi mới."))
