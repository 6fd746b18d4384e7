"""safe words, the client's date of birth on the login, cancelled invitations, and TOTP
secrets encrypted at rest

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

import services.common.types
from services.identity import crypto

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = services.common.types.UTCDateTime


def upgrade():
    with op.batch_alter_table("client_accounts") as batch:
        batch.add_column(sa.Column("safe_word", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("safe_word_updated_at", UTC(), nullable=True))
        batch.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("cancelled_at", UTC(), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(length=36), nullable=True))
    with op.batch_alter_table("mfa_factors") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=64),
                           type_=sa.String(length=255), existing_nullable=False)
    # encrypt the secrets stored in the clear before this revision (with the data key of
    # services.common.config.data_key(): set HAVEN_DATA_KEY before migrating production)
    factors = sa.table("mfa_factors", sa.column("principal_kind", sa.String),
                       sa.column("principal_id", sa.String), sa.column("secret", sa.String))
    conn = op.get_bind()
    for kind, pid, secret in conn.execute(sa.select(factors.c.principal_kind,
                                                    factors.c.principal_id,
                                                    factors.c.secret)).all():
        if not crypto.is_sealed(secret):
            conn.execute(factors.update().where(factors.c.principal_kind == kind)
                         .where(factors.c.principal_id == pid)
                         .values(secret=crypto.seal(secret)))


def downgrade():
    factors = sa.table("mfa_factors", sa.column("principal_kind", sa.String),
                       sa.column("principal_id", sa.String), sa.column("secret", sa.String))
    conn = op.get_bind()
    for kind, pid, secret in conn.execute(sa.select(factors.c.principal_kind,
                                                    factors.c.principal_id,
                                                    factors.c.secret)).all():
        conn.execute(factors.update().where(factors.c.principal_kind == kind)
                     .where(factors.c.principal_id == pid)
                     .values(secret=crypto.open_(secret)))
    with op.batch_alter_table("mfa_factors") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=255),
                           type_=sa.String(length=64), existing_nullable=False)
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("cancelled_by")
        batch.drop_column("cancelled_at")
    with op.batch_alter_table("client_accounts") as batch:
        batch.drop_column("date_of_birth")
        batch.drop_column("safe_word_updated_at")
        batch.drop_column("safe_word")
