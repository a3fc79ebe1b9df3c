"""activity_rollup: yearly totals per type and reporting unit, filled from activity_summary

Revision ID: 0014_rollup
Revises: 0003
Create Date: 2026-11-30 16:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014_rollup'
down_revision: Union[str, Sequence[str], None] = "0011_completeness_close"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SUMS = ('s1', 's2', 's3', 's4', 's5', 's6')


def upgrade() -> None:
    """Create activity_rollup and fill it from the (exact) activity_summary in the same transaction."""
    op.create_table('activity_rollup',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('type_code', sa.String(length=40), nullable=False),
    sa.Column('reporting_unit_id', sa.Integer(), nullable=False),
    sa.Column('n_records', sa.BigInteger(), nullable=False),
    *[sa.Column(c, sa.BigInteger(), nullable=False) for c in SUMS],
    sa.PrimaryKeyConstraint('year', 'type_code', 'reporting_unit_id')
    )
    sums = ', '.join(f'SUM({c})' for c in SUMS)
    op.execute(
        f"INSERT INTO activity_rollup (year, type_code, reporting_unit_id, n_records, {', '.join(SUMS)}) "
        f"SELECT year, type_code, reporting_unit_id, SUM(n_records), {sums} FROM activity_summary "
        "GROUP BY year, type_code, reporting_unit_id"
    )


def downgrade() -> None:
    """Drop activity_rollup."""
    op.drop_table('activity_rollup')
