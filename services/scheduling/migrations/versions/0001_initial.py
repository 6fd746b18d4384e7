"""initial scheduling schema: appointments and the kernel tables

Revision ID: 0001
Revises:
Times are naive UTC DateTime columns (services.common.types.UTCDateTime on the model
side); the kernel tables (outbox, inbox, failed_deliveries) are as in kernel_models.
"""
import sqlalchemy as sa
from alembic import op

from services.common.migrations import create_kernel_tables, drop_kernel_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'appointments',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('clinician_id', sa.String(length=36), nullable=False),
        sa.Column('clinician_name', sa.String(length=200), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('location', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('cancel_reason', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_by', sa.String(length=36), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_appointments_practice_client_starts', 'appointments',
                    ['practice_id', 'client_id', 'starts_at'])
    op.create_index('ix_appointments_clinician_starts', 'appointments',
                    ['practice_id', 'clinician_id', 'starts_at'])
    create_kernel_tables()


def downgrade():
    drop_kernel_tables()
    op.drop_index('ix_appointments_clinician_starts', table_name='appointments')
    op.drop_index('ix_appointments_practice_client_starts', table_name='appointments')
    op.drop_table('appointments')
