"""linked clients

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:26:54.067112
"""
from alembic import op
import sqlalchemy as sa
import services.common.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('account_clients',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('client_name', sa.String(length=200), nullable=False),
    sa.Column('linked_at', services.common.types.UTCDateTime(), nullable=False),
    sa.Column('linked_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['client_accounts.id'], ),
    sa.PrimaryKeyConstraint('account_id', 'client_id'),
    sa.UniqueConstraint('practice_id', 'client_id', name='uq_account_clients_practice_client')
    )



def downgrade():

    op.drop_table('account_clients')

