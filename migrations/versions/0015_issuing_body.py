"""issuing_body: the agencies that issue the report, dated, with their signers; Lai Châu's versions filled in

Revision ID: 0015_issuing_body
Revises: 0014_rollup
Create Date: 2026-12-07 16:30:00

"""
import datetime as dt
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0015_issuing_body"
down_revision: Union[str, Sequence[str], None] = "0014_rollup"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MERGER = dt.date(2025, 3, 1)
# The province's issuers as known when this migration was written; an admin corrects them on the settings page.
BODIES = [
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


def upgrade() -> None:
    """Create issuing_body and add the department before and after 1 March 2025 and the Border Guard Command."""
    table = op.create_table(
        "issuing_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text_name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("superior", sa.String(length=200), nullable=False),
        sa.Column("abbreviation", sa.String(length=32), nullable=False),
        sa.Column("signer_authority", sa.String(length=120), nullable=False),
        sa.Column("signer_title", sa.String(length=120), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_issuing_body_role", "issuing_body", ["role"], unique=False)
    op.bulk_insert(table, BODIES)


def downgrade() -> None:
    """Drop issuing_body."""
    op.drop_index("ix_issuing_body_role", table_name="issuing_body")
    op.drop_table("issuing_body")
