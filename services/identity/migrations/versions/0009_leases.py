"""leases: one replica at a time runs identity's periodic sweep of orphan logo blobs

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import services.common.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", services.common.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade():
    op.drop_table("leases")
