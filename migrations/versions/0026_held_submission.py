"""held_submission: submissions of a server's export that the import refused, held back and tried again (issue 23)

Revision ID: 0026_held_submission
Revises: 0023_odk_source_hash
Create Date: 2026-12-07 23:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0026_held_submission'
down_revision: Union[str, Sequence[str], None] = "0023_odk_source_hash"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the table (empty: nothing was held before)."""
    op.create_table(
        'held_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=36), nullable=False),
        sa.Column('instance_id', sa.String(length=200), nullable=False),
        sa.Column('submitter', sa.String(length=200), nullable=False),
        sa.Column('reporting_unit_id', sa.Integer(), nullable=True),
        sa.Column('problems', sa.Text(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('held_by', sa.Integer(), nullable=True),
        sa.Column('held_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['held_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['reporting_unit_id'], ['reporting_unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uid'),
    )
    op.create_index(op.f('ix_held_submission_reporting_unit_id'), 'held_submission', ['reporting_unit_id'],
                    unique=False)


def downgrade() -> None:
    """Drop the table."""
    op.drop_index(op.f('ix_held_submission_reporting_unit_id'), table_name='held_submission')
    op.drop_table('held_submission')
