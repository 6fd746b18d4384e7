"""initial notify schema

Revision ID: 0001
Revises: 
Times are naive UTC DateTime columns (services.common.types.UTCDateTime on the model
side); the kernel tables (outbox, inbox, failed_deliveries) are as in kernel_models.
"""
from alembic import op
import sqlalchemy as sa

from services.common.migrations import create_kernel_tables, drop_kernel_tables



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alerts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('audience', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=True),
    sa.Column('client_name', sa.String(length=201), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_practice_audience_created', ['practice_id', 'audience', 'created_at'], unique=False)

    op.create_table('emails',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('from_name', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emails_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_emails_status_next_attempt', ['status', 'next_attempt_at'], unique=False)

    create_kernel_tables()

    op.create_table('alert_reads',
    sa.Column('alert_id', sa.String(length=36), nullable=False),
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alert_id', 'staff_id')
    )


def downgrade():
    op.drop_table('alert_reads')
    drop_kernel_tables()
    with op.batch_alter_table('emails', schema=None) as batch_op:
        batch_op.drop_index('ix_emails_status_next_attempt')
        batch_op.drop_index(batch_op.f('ix_emails_practice_id'))

    op.drop_table('emails')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_practice_audience_created')

    op.drop_table('alerts')
