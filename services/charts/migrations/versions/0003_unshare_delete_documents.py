"""documents can be unshared (unshared_at/by) and remember when staff first opened them
(reviewed_at: an uploader may delete their own upload only before that)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import services.common.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

UTC = services.common.types.UTCDateTime


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unshared_at', UTC(), nullable=True))
        batch_op.add_column(sa.Column('unshared_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', UTC(), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('unshared_by')
        batch_op.drop_column('unshared_at')
