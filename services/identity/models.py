"""identity's tables. Every row of practice data carries `practice_id`; times are UTC.

Clients are charts' records: `client_accounts.client_id` names one with no foreign key
(no service opens another's database).
"""
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kernel_models import (
    FailedDeliveryMixin,
    InboxMixin,
    LeaseMixin,
    OutboxMixin,
    PrivateChannelMixin,
)
from services.common.times import utcnow
from services.common.types import UTCDateTime, new_id
from services.identity.crypto import EncryptedString


class Base(DeclarativeBase):
    pass


def _id():
    return mapped_column(String(36), primary_key=True, default=new_id)


class Practice(Base):
    """A tenant, and its portal branding."""
    __tablename__ = "practices"
    __table_args__ = (UniqueConstraint("subdomain", name="uq_practices_subdomain"),)

    id: Mapped[str] = _id()
    code: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=True)
    instructions: Mapped[str] = mapped_column(Text, nullable=True)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False,
                                           default="America/New_York")
    portal_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    password_help: Mapped[str] = mapped_column(Text, nullable=True)
    theme_color: Mapped[str] = mapped_column(String(16), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # portal settings (docs/identity.md, "Practice portal settings")
    accent_color: Mapped[str] = mapped_column(String(16), nullable=True)
    logo_ref: Mapped[str] = mapped_column(String(500), nullable=True)   # blob store reference
    logo_sha256: Mapped[str] = mapped_column(String(64), nullable=True)
    logo_content_type: Mapped[str] = mapped_column(String(40), nullable=True)
    subdomain: Mapped[str] = mapped_column(String(63), nullable=True)
    idle_timeout_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15,
                                                      server_default="15")
    invitation_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7,
                                                 server_default="7")
    updated_at = mapped_column(UTCDateTime, nullable=True)
    # guardian age bands (docs/identity.md, "Guardian age bands")
    guardian_full_until_age: Mapped[int] = mapped_column(Integer, nullable=False, default=12,
                                                         server_default="12")
    guardian_access_ends_at_age: Mapped[int] = mapped_column(Integer, nullable=False,
                                                             default=18, server_default="18")
    client_own_access_from_age: Mapped[int] = mapped_column(Integer, nullable=False,
                                                            default=12, server_default="12")
    confidential_permissions: Mapped[list] = mapped_column(JSON, nullable=True)
    # two-factor: always required for staff; a practice may require it of clients too
    mfa_required_for_clients: Mapped[bool] = mapped_column(Boolean, nullable=False,
                                                           default=False,
                                                           server_default=false())


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("practice_id", "email", name="uq_staff_users_practice_email"),)

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(40), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    password_changed_at = mapped_column(UTCDateTime, nullable=True)
    last_sign_in_at = mapped_column(UTCDateTime, nullable=True)
    status_changed_at = mapped_column(UTCDateTime, nullable=True)


class ClientAccount(Base):
    """A client's portal login (PIMSY's "Client Portal Access")."""
    __tablename__ = "client_accounts"
    __table_args__ = (
        UniqueConstraint("practice_id", "login", name="uq_client_accounts_practice_login"),
        UniqueConstraint("practice_id", "client_id", name="uq_client_accounts_practice_client"),
    )

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), nullable=False, index=True)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)   # charts' client, no FK
    login: Mapped[str] = mapped_column(String(320), nullable=False)
    client_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)
    status_changed_at = mapped_column(UTCDateTime, nullable=True)
    password_changed_at = mapped_column(UTCDateTime, nullable=True)
    last_sign_in_at = mapped_column(UTCDateTime, nullable=True)
    # a verbal check word staff ask for before resetting a password over the phone:
    # shown back to staff, so encrypted (services/identity/crypto.py), never hashed
    safe_word = mapped_column(EncryptedString(255), nullable=True)
    safe_word_updated_at = mapped_column(UTCDateTime, nullable=True)
    # the client's date of birth as the chart had it when the login was made (invitation
    # accepted, or given by staff): `client_own_access_from_age` is checked against it
    date_of_birth = mapped_column(Date, nullable=True)


class Session(Base):
    """One sign-in: the family of its rotating refresh tokens."""
    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_principal", "principal_kind", "principal_id"),
    )

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    principal_kind: Mapped[str] = mapped_column(String(20), nullable=False)  # client | staff
    principal_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_refreshed_at = mapped_column(UTCDateTime, nullable=True)
    revoked_at = mapped_column(UTCDateTime, nullable=True, index=True)
    # sign_out | suspended | password_changed | refresh_reused
    revoked_reason: Mapped[str] = mapped_column(String(40), nullable=True)
    source_ip: Mapped[str] = mapped_column(String(64), nullable=True)


class RefreshToken(Base):
    """Only the SHA-256 of each token is kept."""
    __tablename__ = "refresh_tokens"

    id: Mapped[str] = _id()
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    issued_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)


class RolePermission(Base):
    """A practice's change to what a role grants: add (granted) or remove one permission."""
    __tablename__ = "role_permissions"

    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    permission: Mapped[str] = mapped_column(String(60), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)


class SignInThrottle(Base):
    """Consecutive sign-in failures of one key ("account:<sha256>" or "address:<sha256>")."""
    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure_at = mapped_column(UTCDateTime, nullable=True)
    blocked_until = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """Every sign-in, failure, password change and access change: who, when, from where.

    `detail` holds codes and ids only — never a password, a token or a typed sign-in
    name that matched no account (people type passwords into the wrong box).
    """
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_practice_time", "practice_id", "occurred_at"),)

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(String(36), nullable=True)
    occurred_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(20), nullable=True)
    actor_id: Mapped[str] = mapped_column(String(36), nullable=True)
    subject_kind: Mapped[str] = mapped_column(String(20), nullable=True)
    subject_id: Mapped[str] = mapped_column(String(36), nullable=True)
    session_id: Mapped[str] = mapped_column(String(36), nullable=True)
    source_ip: Mapped[str] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, nullable=True)


class AccountClient(Base):
    """A further client one portal account acts for with full rights (a parent with
    several children whose charts carry the parent's email). The account's own client
    stays in `client_accounts.client_id`; a client is reached by at most one account."""
    __tablename__ = "account_clients"
    __table_args__ = (
        UniqueConstraint("practice_id", "client_id", name="uq_account_clients_practice_client"),
    )

    account_id: Mapped[str] = mapped_column(ForeignKey("client_accounts.id"), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)   # charts', no FK
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    linked_at = mapped_column(UTCDateTime, nullable=False)
    linked_by: Mapped[str] = mapped_column(String(36), nullable=True)


class Invitation(Base):
    """A welcome invitation: a single-use link emailed to the address on the chart.

    Only the SHA-256 of the link's token is kept. A newer invitation for the same client
    supersedes the older one (its link stops working). Five wrong dates of birth lock it.
    """
    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_practice_client", "practice_id", "client_id"),)

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), nullable=False,
                                             index=True)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)   # charts' client, no FK
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # pending | accepted | locked | superseded | revoked | cancelled (by staff)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    dob_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sent_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    sent_by: Mapped[str] = mapped_column(String(36), nullable=True)
    accepted_at = mapped_column(UTCDateTime, nullable=True)
    locked_at = mapped_column(UTCDateTime, nullable=True)
    account_id: Mapped[str] = mapped_column(String(36), nullable=True)
    cancelled_at = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str] = mapped_column(String(36), nullable=True)


class PasswordReset(Base):
    """A single-use password reset link (only its SHA-256 kept), valid 24 hours."""
    __tablename__ = "password_resets"
    __table_args__ = (Index("ix_password_resets_principal", "principal_kind", "principal_id"),)

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), nullable=False)
    principal_kind: Mapped[str] = mapped_column(String(20), nullable=False)   # client | staff
    principal_id: Mapped[str] = mapped_column(String(36), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)
    requested_by_kind: Mapped[str] = mapped_column(String(20), nullable=True)   # None = self
    requested_by_id: Mapped[str] = mapped_column(String(36), nullable=True)
    # "reset", or "invite" (a contact's or staff member's first password)
    purpose: Mapped[str] = mapped_column(String(20), nullable=False, default="reset",
                                         server_default="reset")


class Contact(Base):
    """A person who acts for clients through grants (a guardian, a responsible party):
    a login of its own kind, who need not be a client. `status` "invited" until the
    person sets a password through the emailed link."""
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("practice_id", "email", name="uq_contacts_practice_email"),)

    id: Mapped[str] = _id()
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"), nullable=False,
                                             index=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="invited")
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)
    status_changed_at = mapped_column(UTCDateTime, nullable=True)
    password_changed_at = mapped_column(UTCDateTime, nullable=True)
    last_sign_in_at = mapped_column(UTCDateTime, nullable=True)


class GrantColumns:
    """What a grant says, whoever holds it. `guardian` grants (made while the client was a
    minor) follow the practice's age bands, evaluated from `client_date_of_birth` in the
    practice's time zone whenever a token is issued."""
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)   # charts', no FK
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    client_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    client_date_of_birth = mapped_column(Date, nullable=True)
    permissions: Mapped[list] = mapped_column(JSON, nullable=False)
    guardian: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    renewed_until = mapped_column(Date, nullable=True)
    granted_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(36), nullable=True)


class ContactGrant(GrantColumns, Base):
    """What one contact may do for one client."""
    __tablename__ = "contact_grants"
    holder_kind = "contact"

    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id"), primary_key=True)

    @property
    def holder_id(self):
        return self.contact_id


class AccountGrant(GrantColumns, Base):
    """What one client portal account may do for a further client it is not linked to:
    a client who is also a guardian (Jane's own login acting for her daughter) holds the
    grant with the sign-in she already has. Same rules as a contact's grant."""
    __tablename__ = "account_grants"
    holder_kind = "client"

    account_id: Mapped[str] = mapped_column(ForeignKey("client_accounts.id"), primary_key=True)

    @property
    def holder_id(self):
        return self.account_id


class MfaFactor(Base):
    """A TOTP secret (RFC 6238), encrypted at rest (services/identity/crypto.py).
    Confirmed once a code from it was accepted; until then it is an enrolment in
    progress. `last_step` refuses a code's replay."""
    __tablename__ = "mfa_factors"

    principal_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    secret = mapped_column(EncryptedString(255), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    confirmed_at = mapped_column(UTCDateTime, nullable=True)
    last_step: Mapped[int] = mapped_column(Integer, nullable=True)


class RecoveryCode(Base):
    """A single-use recovery code; only its SHA-256 is kept."""
    __tablename__ = "mfa_recovery_codes"
    __table_args__ = (Index("ix_mfa_recovery_codes_principal", "principal_kind", "principal_id"),)

    id: Mapped[str] = _id()
    principal_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    principal_id: Mapped[str] = mapped_column(String(36), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)


class MfaChallenge(Base):
    """The second step of a sign-in: the password was right; a code is still due.
    Only the SHA-256 of `mfa_token` is kept; it works once, for a few minutes, and
    dies after a few wrong codes."""
    __tablename__ = "mfa_challenges"

    id: Mapped[str] = _id()
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    principal_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    principal_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    source_ip: Mapped[str] = mapped_column(String(64), nullable=True)


class Outbox(PrivateChannelMixin, OutboxMixin, Base):
    """Invitation and reset links travel on identity-private.events (Tx.record private=True)."""


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass


class Lease(LeaseMixin, Base):
    """One replica at a time sweeps orphan logo blobs (services.common.sweep)."""
