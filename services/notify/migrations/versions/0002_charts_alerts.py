"""alerts name the chart tab and a subject (charts' issue 5)

Revision ID: 0002_charts_alerts
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_charts_alerts'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tab', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('subject_id')
        batch_op.drop_column('tab')
