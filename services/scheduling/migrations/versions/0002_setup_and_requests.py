"""practice setup (services, locations, work periods, blocks, clinician profiles,
settings) and requests

Revision ID: 0002
Revises: 0001
Appointments gain what a request and the setup need; every new column is nullable, so
the rows of the first slice stay as they are.
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

NEW_APPOINTMENT_COLUMNS = (
    ('service_id', sa.String(length=36)), ('location_id', sa.String(length=36)),
    ('fee_cents', sa.Integer()), ('requested_at', sa.DateTime()),
    ('requested_by', sa.String(length=36)), ('request_note', sa.String(length=500)),
    ('decided_at', sa.DateTime()), ('decided_by', sa.String(length=36)),
    ('deny_reason', sa.String(length=500)), ('late', sa.Boolean()))


def upgrade():
    with op.batch_alter_table('appointments') as batch:
        for name, type_ in NEW_APPOINTMENT_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_index('ix_appointments_practice_status', 'appointments',
                    ['practice_id', 'status', 'starts_at'])
    op.create_table(
        'services',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('cpt_code', sa.String(length=10), nullable=True),
        sa.Column('fee_cents', sa.Integer(), nullable=False),
        sa.Column('requestable_by', sa.String(length=10), nullable=False),
        sa.Column('clinician_ids', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False))
    op.create_index('ix_services_practice', 'services', ['practice_id'])
    op.create_table(
        'locations',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=True),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False))
    op.create_index('ix_locations_practice', 'locations', ['practice_id'])
    op.create_table(
        'work_periods',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('clinician_id', sa.String(length=36), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('starts', sa.String(length=5), nullable=False),
        sa.Column('ends', sa.String(length=5), nullable=False),
        sa.Column('location_id', sa.String(length=36), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('effective_until', sa.Date(), nullable=True))
    op.create_index('ix_work_periods_clinician', 'work_periods',
                    ['practice_id', 'clinician_id'])
    op.create_table(
        'blocks',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('clinician_id', sa.String(length=36), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('starts_local', sa.DateTime(), nullable=False),
        sa.Column('ends_local', sa.DateTime(), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('recurrence', sa.String(length=10), nullable=False),
        sa.Column('repeat_until', sa.Date(), nullable=True),
        sa.Column('label', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=True))
    op.create_index('ix_blocks_practice_clinician', 'blocks', ['practice_id', 'clinician_id'])
    op.create_table(
        'clinician_profiles',
        sa.Column('practice_id', sa.String(length=36), primary_key=True),
        sa.Column('clinician_id', sa.String(length=36), primary_key=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False))
    op.create_table(
        'settings',
        sa.Column('practice_id', sa.String(length=36), primary_key=True),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=36), nullable=True))


def downgrade():
    op.drop_table('settings')
    op.drop_table('clinician_profiles')
    op.drop_index('ix_blocks_practice_clinician', table_name='blocks')
    op.drop_table('blocks')
    op.drop_index('ix_work_periods_clinician', table_name='work_periods')
    op.drop_table('work_periods')
    op.drop_index('ix_locations_practice', table_name='locations')
    op.drop_table('locations')
    op.drop_index('ix_services_practice', table_name='services')
    op.drop_table('services')
    op.drop_index('ix_appointments_practice_status', table_name='appointments')
    with op.batch_alter_table('appointments') as batch:
        for name, _ in reversed(NEW_APPOINTMENT_COLUMNS):
            batch.drop_column(name)
