"""plans: each target keyed by year, level (province | commune | unit), scope key, type and measure

Revision ID: 0010_plans
Revises: 0003 (0003_login_security.py)
Create Date: 2026-11-30 16:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010_plans'
down_revision: Union[str, Sequence[str], None] = '0003'  # the file 0003_login_security.py
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the target's level, scope key and last edit; one target per year, level, scope key, type and measure."""
    with op.batch_alter_table('target') as batch:
        batch.add_column(sa.Column('level', sa.String(length=16), nullable=False, server_default='province'))
        batch.add_column(sa.Column('scope_key', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('updated_by', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_target_updated_by', 'app_user', ['updated_by'], ['id'])
        batch.create_unique_constraint('uq_target_key', ['year', 'level', 'scope_key', 'type_code', 'measure'])
    # the model has no server defaults (the ORM fills them): drop them so the schema matches the models
    with op.batch_alter_table('target') as batch:
        batch.alter_column('level', server_default=None)
        batch.alter_column('scope_key', server_default=None)


def downgrade() -> None:
    """Back to targets without a key."""
    with op.batch_alter_table('target') as batch:
        batch.drop_constraint('uq_target_key', type_='unique')
        batch.drop_constraint('fk_target_updated_by', type_='foreignkey')
        batch.drop_column('updated_by')
        batch.drop_column('updated_at')
        batch.drop_column('scope_key')
        batch.drop_column('level')
