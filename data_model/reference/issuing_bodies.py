"""The province's issuing bodies as reference data: the department before and after 1 March 2025, the Border Guard
Command (an admin corrects them on the report settings page)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from data_model.schema.documents import IssuingBody

MERGER = dt.date(2025, 3, 1)
# The province's issuers as known when this migration was written; an admin corrects them on the settings page.
BODIES: list[dict[str, object]] = [
    dict(role="department", name="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", text_name="Sở Thông tin và Truyền thông",
         name_en="Department of Information and Communications", superior="UBND TỈNH LAI CHÂU",
         abbreviation="STTTT", signer_authority="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="",
         valid_from=None, valid_to=MERGER, verified=True,
         source="Báo cáo kết quả chương trình phối hợp 2011–2020 (program-report-2011-2020)",
         note=""),
    dict(role="department", name="SỞ KHOA HỌC VÀ CÔNG NGHỆ", text_name="Sở Khoa học và Công nghệ",
         name_en="Department of Science and Technology", superior="UBND TỈNH LAI CHÂU",
         abbreviation="SKHCN", signer_authority="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="",
         valid_from=MERGER, valid_to=None, verified=False,
         source="Sở TT&TT các tỉnh hợp nhất vào Sở KH&CN từ 01/3/2025 (ictvietnam.vn/print/69097)",
         note="Chưa xác minh tên của Lai Châu; nhiệm vụ thông tin cơ sở, thông tin đối ngoại chuyển sang Sở Văn hóa, "
              "Thể thao và Du lịch: quản trị kiểm tra cơ quan ban hành."),
    dict(role="border_guard", name="BỘ CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH",
         text_name="Bộ Chỉ huy Bộ đội Biên phòng tỉnh", name_en="Provincial Border Guard Command",
         superior="BỘ TƯ LỆNH BỘ ĐỘI BIÊN PHÒNG", abbreviation="BCH", signer_authority="KT. CHỈ HUY TRƯỞNG",
         signer_title="PHÓ CHỈ HUY TRƯỞNG", signer_name="", valid_from=None, valid_to=None, verified=False,
         source="Báo cáo kết quả chương trình phối hợp 2011–2020", note="Cấp trên và chức danh người ký chưa xác minh."),
]


def load_issuing_bodies(*, session: Session) -> int:
    """Add the known issuing bodies; returns how many (none at a schema from before the table: its migration adds them)."""
    if not inspect(session.connection()).has_table(IssuingBody.__tablename__):
        return 0
    session.add_all(IssuingBody(**body) for body in BODIES)
    return len(BODIES)
