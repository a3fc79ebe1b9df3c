"""activity_record.uid: a global identifier per record, filled in for existing records

Revision ID: 0002_record_uid
Revises: 0001
Create Date: 2026-11-27

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_record_uid"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A version-4 UUID in canonical text form, made per row by the database itself (one UPDATE, no rows through Python).
_SQLITE_UUID4 = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)"
    " || '-' || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2)"
    " || '-' || lower(hex(randomblob(6)))"
)
_POSTGRESQL_UUID4 = "gen_random_uuid()::text"  # built in since PostgreSQL 13


def upgrade() -> None:
    """Add the column, fill it in SQL for every existing record, then make it required and unique."""
    with op.batch_alter_table("activity_record") as batch_op:  # SQLite: a plain ADD COLUMN, no rebuild
        batch_op.add_column(sa.Column("uid", sa.String(length=36), nullable=True))
    dialect = op.get_bind().dialect.name
    expression = _POSTGRESQL_UUID4 if dialect == "postgresql" else _SQLITE_UUID4
    op.execute(f"UPDATE activity_record SET uid = {expression} WHERE uid IS NULL")
    # SQLite rebuilds the table for NOT NULL (data_model.schema.migrate turns foreign-key actions off around migrations)
    with op.batch_alter_table("activity_record") as batch_op:
        batch_op.alter_column("uid", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index("ix_activity_record_uid", ["uid"], unique=True)


def downgrade() -> None:
    """Drop the global identifier."""
    with op.batch_alter_table("activity_record") as batch_op:
        batch_op.drop_index("ix_activity_record_uid")
        batch_op.drop_column("uid")
