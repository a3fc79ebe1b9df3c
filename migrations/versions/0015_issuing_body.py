"""issuing_body: the agencies that issue the report, dated, with their signers; Lai Châu's versions filled in

Revision ID: 0015_issuing_body
Revises: 0014_rollup
Create Date: 2026-12-07 16:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from data_model.reference.issuing_bodies import BODIES


# revision identifiers, used by Alembic.
revision: str = "0015_issuing_body"
down_revision: Union[str, Sequence[str], None] = "0014_rollup"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

def upgrade() -> None:
    """Create issuing_body; its rows are reference data, loaded with the rest (reference/issuing_bodies.py)."""
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
    # a database whose reference data was loaded before this table existed gets the bodies here; a new one gets
    # them with the rest of the reference data (an empty transfer target gets them from its source)
    if op.get_bind().execute(sa.text("SELECT 1 FROM app_meta WHERE key = 'reference_loaded'")).first():
        op.bulk_insert(table, BODIES)


def downgrade() -> None:
    """Drop issuing_body."""
    op.drop_index("ix_issuing_body_role", table_name="issuing_body")
    op.drop_table("issuing_body")
