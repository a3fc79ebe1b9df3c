"""record_flag: the follow-up list, records marked "cần kiểm tra lại" until their unit answers (issue 21 part 4)

Revision ID: 0024_follow_up_flag
Revises: 0025_joint_activity
Create Date: 2026-12-07 23:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0024_follow_up_flag'
down_revision: Union[str, Sequence[str], None] = "0025_joint_activity"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the table with its index on record and closing time."""
    op.create_table(
        'record_flag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('raised_by', sa.Integer(), nullable=True),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('closed_by', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('resolution', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['activity_record.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['raised_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['closed_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_record_flag_record_closed', 'record_flag', ['record_id', 'closed_at'])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index('ix_record_flag_record_closed', table_name='record_flag')
    op.drop_table('record_flag')
