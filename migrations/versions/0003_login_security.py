"""login sessions kept on the server, login throttling per address and user name; app_user.locked_until goes

Revision ID: 0003
Revises: 0002_record_uid
Create Date: 2026-11-30 13:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002_record_uid'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add login_session and login_throttle; the per-user lock moves from app_user into login_throttle."""
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_login_session_user_address', 'login_session', ['user_id', 'address'], unique=False)
    op.create_table('login_throttle',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=160), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'subject')
    )
    op.create_index(op.f('ix_login_throttle_last_failure_at'), 'login_throttle', ['last_failure_at'], unique=False)
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('locked_until')


def downgrade() -> None:
    """Back to the per-user lock column, without sessions or throttling."""
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
    op.drop_index(op.f('ix_login_throttle_last_failure_at'), table_name='login_throttle')
    op.drop_table('login_throttle')
    op.drop_index('ix_login_session_user_address', table_name='login_session')
    op.drop_table('login_session')
