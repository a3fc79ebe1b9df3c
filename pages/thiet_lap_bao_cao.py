"""Report document set-up (admins): number and symbol, place, recipients, joint issuing, and the dated issuing
bodies with their signers, as Decree 30/2020/NĐ-CP asks of an administrative document."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_model.report import issuer as ri
from data_model.texts.formatting import format_date
from ui.i18n import t
from ui.loaders import cached_loader
from ui.page import open_page
from ui.writes import run_write

load_setup = cached_loader(ri.load_document_setup)

opened = open_page("thiet_lap_bao_cao", title=t("Thiết lập văn bản báo cáo"))
actor, lang = opened.actor, opened.lang
st.caption(t("Báo cáo được trình bày theo thể thức văn bản hành chính (Nghị định 30/2020/NĐ-CP, Phụ lục I). Thiết "
             "lập một lần ở đây; mọi thay đổi được ghi vào nhật ký."))
setup = load_setup()
settings = setup.settings
ROLE_NAMES = {"department": t("Sở (cơ quan chủ trì)"), "border_guard": t("Bộ Chỉ huy Bộ đội Biên phòng tỉnh")}

st.subheader(t("Số, ký hiệu và nơi nhận"))
with st.form("tl_settings", enter_to_submit=False):
    a, b, c = st.columns(3)
    number = a.text_input(t("Số văn bản (để trống: văn thư ghi tay)"), value=settings.number, key="tl_number")
    symbol = b.text_input(t("Ký hiệu (để trống: BC- và chữ viết tắt của cơ quan)"), value=settings.symbol,
                          key="tl_symbol")
    place = c.text_input(t("Địa danh"), value=settings.place, key="tl_place")
    recipients = st.text_area(t("Nơi nhận (mỗi dòng một nơi)"), value="\n".join(settings.recipients),
                              key="tl_recipients", height=140)
    joint = st.checkbox(t("Báo cáo liên tịch: Sở và Bộ Chỉ huy Bộ đội Biên phòng tỉnh cùng ban hành, cùng ký"),
                        value=settings.joint, key="tl_joint")
    if st.form_submit_button(t("Lưu thiết lập"), type="primary"):
        run_write(lambda s: ri.set_document_settings(session=s, actor=actor, number=number, symbol=symbol, place=place,
                                                     recipients=recipients, joint=joint),
                  success=t("Đã lưu thiết lập văn bản báo cáo."))

st.subheader(t("Cơ quan ban hành theo thời gian"))
st.caption(t("Báo cáo ghi tên cơ quan có hiệu lực vào ngày cuối kỳ báo cáo; kỳ báo cáo có thay đổi thì phần I nói "
             "rõ một lần."))
bodies = pd.DataFrame(setup.bodies)
if not bodies.empty:
    shown = bodies.assign(role=[ROLE_NAMES.get(r, r) for r in bodies["role"]],
                          valid_from=[format_date(d, lang) if d else "" for d in bodies["valid_from"]],
                          valid_to=[format_date(d, lang) if d else "" for d in bodies["valid_to"]])
    st.dataframe(shown[["role", "name", "superior", "abbreviation", "signer_authority", "signer_title", "signer_name",
                        "valid_from", "valid_to", "verified", "note"]], hide_index=True, column_config={
        "role": t("Vai trò"), "name": t("Tên cơ quan"), "superior": t("Cơ quan chủ quản"),
        "abbreviation": t("Chữ viết tắt"), "signer_authority": t("Thẩm quyền ký"),
        "signer_title": t("Chức vụ người ký"), "signer_name": t("Họ tên người ký"), "valid_from": t("Từ ngày"),
        "valid_to": t("Đến ngày"), "verified": t("Đã xác minh"), "note": t("Ghi chú")})
    labels = {int(r["id"]): f"{r['name']} ({format_date(r['valid_from'], lang) if r['valid_from'] else '…'} – "
              f"{format_date(r['valid_to'], lang) if r['valid_to'] else '…'})" for r in setup.bodies}
    body_id = st.selectbox(t("Sửa cơ quan"), list(labels), format_func=labels.get, key="tl_body_pick")
    row = next(r for r in setup.bodies if r["id"] == body_id)
    with st.form("tl_body_edit", enter_to_submit=False):
        fields = {}
        left, right = st.columns(2)
        for column, key, label in ((left, "name", t("Tên cơ quan (in hoa, như in trên văn bản)")),
                                   (left, "text_name", t("Tên trong lời văn")),
                                   (left, "name_en", t("Tên tiếng Anh")),
                                   (left, "superior", t("Cơ quan chủ quản")),
                                   (left, "abbreviation", t("Chữ viết tắt")),
                                   (right, "signer_authority", t("Thẩm quyền ký (ví dụ KT. GIÁM ĐỐC)")),
                                   (right, "signer_title", t("Chức vụ người ký")),
                                   (right, "signer_name", t("Họ tên người ký")),
                                   (right, "note", t("Ghi chú"))):
            fields[key] = column.text_input(label, value=row[key] or "", key=f"tl_body_{key}_{body_id}")
        fields["verified"] = st.checkbox(t("Đã xác minh"), value=bool(row["verified"]),
                                         key=f"tl_body_verified_{body_id}")
        if st.form_submit_button(t("Lưu"), type="primary"):
            run_write(lambda s: ri.update_issuing_body(session=s, actor=actor, body_id=int(body_id), **fields),
                      success=t("Đã lưu cơ quan ban hành."))

with st.expander(t("Thêm phiên bản mới (cơ quan đổi tên, hợp nhất)")):
    with st.form("tl_body_add", clear_on_submit=True, enter_to_submit=False):
        role = st.selectbox(t("Vai trò"), list(ROLE_NAMES), format_func=ROLE_NAMES.get, key="tl_add_role")
        valid_from = st.date_input(t("Có hiệu lực từ"), value=dt.date(2025, 3, 1), format="DD/MM/YYYY",
                                   key="tl_add_from")
        new = {key: st.text_input(label, key=f"tl_add_{key}") for key, label in (
            ("name", t("Tên cơ quan (in hoa, như in trên văn bản)")), ("text_name", t("Tên trong lời văn")),
            ("name_en", t("Tên tiếng Anh")), ("superior", t("Cơ quan chủ quản")), ("abbreviation", t("Chữ viết tắt")),
            ("signer_authority", t("Thẩm quyền ký (ví dụ KT. GIÁM ĐỐC)")), ("signer_title", t("Chức vụ người ký")),
            ("signer_name", t("Họ tên người ký")), ("note", t("Ghi chú")))}
        if st.form_submit_button(t("Thêm"), type="primary"):
            run_write(lambda s: ri.add_issuing_body(session=s, actor=actor, role=role, valid_from=valid_from, **new),
                      success=t("Đã thêm phiên bản cơ quan ban hành; phiên bản trước kết thúc ngày đó."))
