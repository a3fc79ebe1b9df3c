"""monthly reporting confirmations, year close with published figures and revisions

Revision ID: 0011_completeness_close
Revises: 0003
Create Date: 2026-11-30 16:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0011_completeness_close"
down_revision: Union[str, Sequence[str], None] = "0010_plans"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add month_confirmation, year_close, published_summary, year_revision and the timeliness index."""
    op.create_table(
        "month_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporting_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_name", sa.String(length=64), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("no_activity_types", sa.String(length=400), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revised", sa.Boolean(), nullable=False),
        sa.Column("revised_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["confirmed_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["reporting_unit_id"], ["reporting_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reporting_unit_id", "year", "month", name="uq_month_confirmation"),
    )
    op.create_index("ix_month_confirmation_year", "month_confirmation", ["year", "month"], unique=False)
    op.create_table(
        "year_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("current_year", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_by_name", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by", sa.Integer(), nullable=True),
        sa.Column("reopened_by_name", sa.String(length=64), nullable=False),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["closed_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["reopened_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("current_year"),
    )
    op.create_index(op.f("ix_year_close_year"), "year_close", ["year"], unique=False)
    op.create_table(
        "published_summary",
        sa.Column("close_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("commune_key", sa.String(length=32), nullable=False),
        sa.Column("reporting_unit_id", sa.Integer(), nullable=False),
        sa.Column("n_records", sa.BigInteger(), nullable=False),
        *[sa.Column(f"s{i}", sa.BigInteger(), nullable=False) for i in range(1, 7)],
        sa.ForeignKeyConstraint(["close_id"], ["year_close.id"]),
        sa.PrimaryKeyConstraint("close_id", "type_code", "commune_key", "reporting_unit_id"),
    )
    op.create_table(
        "year_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("close_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["close_id"], ["year_close.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_year_revision_close_id"), "year_revision", ["close_id"], unique=False)
    op.create_index("ix_record_year_unit_entry", "activity_record",
                    ["year", "reporting_unit_id", "end_date", "created_at", "deleted_at"], unique=False)


def downgrade() -> None:
    """Drop the four tables and the timeliness index."""
    op.drop_index("ix_record_year_unit_entry", table_name="activity_record")
    op.drop_index(op.f("ix_year_revision_close_id"), table_name="year_revision")
    op.drop_table("year_revision")
    op.drop_table("published_summary")
    op.drop_index(op.f("ix_year_close_year"), table_name="year_close")
    op.drop_table("year_close")
    op.drop_index("ix_month_confirmation_year", table_name="month_confirmation")
    op.drop_table("month_confirmation")
