"""documents remember the upload id the gateway gave their registration, so a retry of
the same upload (after a timeout) returns the same document instead of a second one

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload_id', sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint('uq_documents_upload_id', ['upload_id'])


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('uq_documents_upload_id', type_='unique')
        batch_op.drop_column('upload_id')
