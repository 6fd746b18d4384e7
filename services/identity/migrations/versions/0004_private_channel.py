"""outbox channel: events carrying single-use links go to identity-private.events

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("channel")
