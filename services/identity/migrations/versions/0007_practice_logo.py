"""the practice logo's checksum and content type (the blob itself is in the blob store)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("practices") as batch:
        batch.add_column(sa.Column("logo_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("logo_content_type", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("practices") as batch:
        batch.drop_column("logo_content_type")
        batch.drop_column("logo_sha256")
