"""activity_record.source_hash: the server's submission as last imported (issue 23, server edits vs local edits)

Revision ID: 0023_odk_source_hash
Revises: 0019_login_cookie
Create Date: 2026-12-07 17:25:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0023_odk_source_hash'
down_revision: Union[str, Sequence[str], None] = "0019_login_cookie"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the nullable column (records imported before have none: re-imports keep them as they are)."""
    with op.batch_alter_table('activity_record') as batch:
        batch.add_column(sa.Column('source_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table('activity_record') as batch:
        batch.drop_column('source_hash')
