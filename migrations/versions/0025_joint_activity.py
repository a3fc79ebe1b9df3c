"""joint_organiser and joint_dismissal: joint activities merged into one record, pairs found different (issue 25);
an index of records by type, commune and start date for the scan

Revision ID: 0025_joint_activity
Revises: 0026_held_submission
Create Date: 2026-12-07 23:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0025_joint_activity"
down_revision: Union[str, Sequence[str], None] = "0026_held_submission"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _ended() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    """Create both tables (empty: nothing was merged before) and the index the scan for candidate pairs seeks."""
    op.create_index("ix_record_type_commune_start", "activity_record", ["type_code", "commune_key", "start_date"])
    op.create_table(
        "joint_organiser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("activity_record.id"), nullable=False),
        sa.Column("reporting_unit_id", sa.Integer(), sa.ForeignKey("reporting_unit.id"), nullable=False),
        sa.Column("merged_record_id", sa.Integer(), sa.ForeignKey("activity_record.id"), nullable=False),
        sa.Column("kept_before", sa.Text(), nullable=False),
        *_ended(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_joint_organiser_record_id", "joint_organiser", ["record_id"])
    op.create_index("ix_joint_organiser_reporting_unit_id", "joint_organiser", ["reporting_unit_id"])
    op.create_index("ix_joint_organiser_merged_record_id", "joint_organiser", ["merged_record_id"])
    op.create_table(
        "joint_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), sa.ForeignKey("activity_record.id"), nullable=False),
        sa.Column("second_id", sa.Integer(), sa.ForeignKey("activity_record.id"), nullable=False),
        *_ended(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("first_id", "second_id", name="uq_joint_dismissal"),
    )
    op.create_index("ix_joint_dismissal_second_id", "joint_dismissal", ["second_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_joint_dismissal_second_id", table_name="joint_dismissal")
    op.drop_table("joint_dismissal")
    op.drop_index("ix_joint_organiser_merged_record_id", table_name="joint_organiser")
    op.drop_index("ix_joint_organiser_reporting_unit_id", table_name="joint_organiser")
    op.drop_index("ix_joint_organiser_record_id", table_name="joint_organiser")
    op.drop_table("joint_organiser")
    op.drop_index("ix_record_type_commune_start", table_name="activity_record")
