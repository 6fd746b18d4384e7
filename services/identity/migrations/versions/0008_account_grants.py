"""grants held by client portal accounts (one sign-in for a client who is also a guardian)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import services.common.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = services.common.types.UTCDateTime


def upgrade():
    op.create_table(
        "account_grants",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("client_name", sa.String(length=200), nullable=False),
        sa.Column("client_date_of_birth", sa.Date(), nullable=True),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("guardian", sa.Boolean(), nullable=False),
        sa.Column("renewed_until", sa.Date(), nullable=True),
        sa.Column("granted_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["client_accounts.id"]),
        sa.PrimaryKeyConstraint("account_id", "client_id"))
    with op.batch_alter_table("account_grants") as batch:
        batch.create_index(batch.f("ix_account_grants_practice_id"), ["practice_id"],
                           unique=False)


def downgrade():
    with op.batch_alter_table("account_grants") as batch:
        batch.drop_index(batch.f("ix_account_grants_practice_id"))
    op.drop_table("account_grants")
