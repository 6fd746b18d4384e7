"""Initial identity schema: practices, staff, client accounts, sessions, refresh
tokens, role overrides, sign-in throttles, the audit log, and the kernel tables.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 04:11:10.320394
"""
from alembic import op
import sqlalchemy as sa

from services.common.migrations import create_kernel_tables, drop_kernel_tables
import services.common.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=True),
    sa.Column('occurred_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=True),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('subject_kind', sa.String(length=20), nullable=True),
    sa.Column('subject_id', sa.String(length=36), nullable=True),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('source_ip', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_practice_time', ['practice_id', 'occurred_at'], unique=False)

    create_kernel_tables()

    op.create_table('practices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('portal_enabled', sa.Boolean(), nullable=False),
    sa.Column('password_help', sa.Text(), nullable=True),
    sa.Column('theme_color', sa.String(length=16), nullable=True),
    sa.Column('created_at', services.common.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('principal_kind', sa.String(length=20), nullable=False),
    sa.Column('principal_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('last_refreshed_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.Column('source_ip', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_sessions_principal', ['principal_kind', 'principal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_revoked_at'), ['revoked_at'], unique=False)

    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('blocked_until', services.common.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('client_accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('login', sa.String(length=320), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('status_changed_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('password_changed_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('last_sign_in_at', services.common.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('practice_id', 'client_id', name='uq_client_accounts_practice_client'),
    sa.UniqueConstraint('practice_id', 'login', name='uq_client_accounts_practice_login')
    )
    with op.batch_alter_table('client_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_accounts_practice_id'), ['practice_id'], unique=False)

    op.create_table('refresh_tokens',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', services.common.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_tokens_session_id'), ['session_id'], unique=False)

    op.create_table('role_permissions',
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('permission', sa.String(length=60), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], ),
    sa.PrimaryKeyConstraint('practice_id', 'role', 'permission')
    )
    op.create_table('staff_users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('password_changed_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('last_sign_in_at', services.common.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('practice_id', 'email', name='uq_staff_users_practice_email')
    )
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_users_practice_id'), ['practice_id'], unique=False)



def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_users_practice_id'))

    op.drop_table('staff_users')
    op.drop_table('role_permissions')
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refresh_tokens_session_id'))

    op.drop_table('refresh_tokens')
    with op.batch_alter_table('client_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_accounts_practice_id'))

    op.drop_table('client_accounts')
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_revoked_at'))
        batch_op.drop_index('ix_sessions_principal')
        batch_op.drop_index(batch_op.f('ix_sessions_practice_id'))

    op.drop_table('sessions')
    op.drop_table('practices')
    drop_kernel_tables()
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_practice_time')

    op.drop_table('audit_log')
