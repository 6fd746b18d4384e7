"""contacts and grants, guardian age bands, staff invitations, TOTP two-factor

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import services.common.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = services.common.types.UTCDateTime


def upgrade():
    with op.batch_alter_table("practices") as batch:
        batch.add_column(sa.Column("guardian_full_until_age", sa.Integer(), nullable=False,
                                   server_default="12"))
        batch.add_column(sa.Column("guardian_access_ends_at_age", sa.Integer(), nullable=False,
                                   server_default="18"))
        batch.add_column(sa.Column("client_own_access_from_age", sa.Integer(), nullable=False,
                                   server_default="12"))
        batch.add_column(sa.Column("confidential_permissions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("mfa_required_for_clients", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("status_changed_at", UTC(), nullable=True))
    with op.batch_alter_table("password_resets") as batch:
        batch.add_column(sa.Column("purpose", sa.String(length=20), nullable=False,
                                   server_default="reset"))

    op.create_table(
        "contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("status_changed_at", UTC(), nullable=True),
        sa.Column("password_changed_at", UTC(), nullable=True),
        sa.Column("last_sign_in_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("practice_id", "email", name="uq_contacts_practice_email"))
    with op.batch_alter_table("contacts") as batch:
        batch.create_index(batch.f("ix_contacts_practice_id"), ["practice_id"], unique=False)

    op.create_table(
        "contact_grants",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
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
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.PrimaryKeyConstraint("contact_id", "client_id"))
    with op.batch_alter_table("contact_grants") as batch:
        batch.create_index(batch.f("ix_contact_grants_practice_id"), ["practice_id"],
                           unique=False)

    op.create_table(
        "mfa_factors",
        sa.Column("principal_kind", sa.String(length=20), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("confirmed_at", UTC(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("principal_kind", "principal_id"))

    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("principal_kind", sa.String(length=20), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("used_at", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("id"))
    with op.batch_alter_table("mfa_recovery_codes") as batch:
        batch.create_index("ix_mfa_recovery_codes_principal", ["principal_kind", "principal_id"],
                           unique=False)

    op.create_table(
        "mfa_challenges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.String(length=36), nullable=False),
        sa.Column("principal_kind", sa.String(length=20), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.Column("used_at", UTC(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"))


def downgrade():
    op.drop_table("mfa_challenges")
    with op.batch_alter_table("mfa_recovery_codes") as batch:
        batch.drop_index("ix_mfa_recovery_codes_principal")
    op.drop_table("mfa_recovery_codes")
    op.drop_table("mfa_factors")
    with op.batch_alter_table("contact_grants") as batch:
        batch.drop_index(batch.f("ix_contact_grants_practice_id"))
    op.drop_table("contact_grants")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index(batch.f("ix_contacts_practice_id"))
    op.drop_table("contacts")
    with op.batch_alter_table("password_resets") as batch:
        batch.drop_column("purpose")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("status_changed_at")
    with op.batch_alter_table("practices") as batch:
        for column in ("mfa_required_for_clients", "confidential_permissions",
                       "client_own_access_from_age", "guardian_access_ends_at_age",
                       "guardian_full_until_age"):
            batch.drop_column(column)
