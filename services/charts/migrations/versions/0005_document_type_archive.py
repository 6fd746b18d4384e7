"""a document type can be archived (archived_at): no new document is filed under it, those
already filed keep it

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

import services.common.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

UTC = services.common.types.UTCDateTime


def upgrade():
    with op.batch_alter_table('document_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', UTC(), nullable=True))


def downgrade():
    with op.batch_alter_table('document_types', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
