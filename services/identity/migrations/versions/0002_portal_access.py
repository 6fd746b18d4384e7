"""Portal access (issue 4): welcome invitations, password resets, portal settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:20:49.379821
"""
from alembic import op
import sqlalchemy as sa
import services.common.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('dob_failures', sa.Integer(), nullable=False),
    sa.Column('sent_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('sent_by', sa.String(length=36), nullable=True),
    sa.Column('accepted_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('locked_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_practice_client', ['practice_id', 'client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_practice_id'), ['practice_id'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('principal_kind', sa.String(length=20), nullable=False),
    sa.Column('principal_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', services.common.types.UTCDateTime(), nullable=True),
    sa.Column('requested_by_kind', sa.String(length=20), nullable=True),
    sa.Column('requested_by_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index('ix_password_resets_principal', ['principal_kind', 'principal_id'], unique=False)

    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accent_color', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('logo_ref', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('subdomain', sa.String(length=63), nullable=True))
        batch_op.add_column(sa.Column('idle_timeout_minutes', sa.Integer(), server_default='15', nullable=False))
        batch_op.add_column(sa.Column('invitation_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('updated_at', services.common.types.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_practices_subdomain', ['subdomain'])



def downgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_constraint('uq_practices_subdomain', type_='unique')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('invitation_days')
        batch_op.drop_column('idle_timeout_minutes')
        batch_op.drop_column('subdomain')
        batch_op.drop_column('logo_ref')
        batch_op.drop_column('accent_color')

    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index('ix_password_resets_principal')

    op.drop_table('password_resets')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_practice_id'))
        batch_op.drop_index('ix_invitations_practice_client')

    op.drop_table('invitations')
