"""login_session: the hash of the browser cookie's token and a one-time grant that swaps for that cookie

Revision ID: 0019_login_cookie
Revises: 0015_issuing_body
Create Date: 2026-12-07 16:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0019_login_cookie'
down_revision: Union[str, Sequence[str], None] = "0015_issuing_body"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add cookie_hash, grant_hash and grant_until to login_session, the two hashes unique."""
    with op.batch_alter_table('login_session') as batch:
        batch.add_column(sa.Column('cookie_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('grant_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('grant_until', sa.DateTime(), nullable=True))
    op.create_index('ix_login_session_cookie_hash', 'login_session', ['cookie_hash'], unique=True)
    op.create_index('ix_login_session_grant_hash', 'login_session', ['grant_hash'], unique=True)


def downgrade() -> None:
    """Drop the cookie and grant columns."""
    op.drop_index('ix_login_session_grant_hash', table_name='login_session')
    op.drop_index('ix_login_session_cookie_hash', table_name='login_session')
    with op.batch_alter_table('login_session') as batch:
        batch.drop_column('grant_until')
        batch.drop_column('grant_hash')
        batch.drop_column('cookie_hash')
