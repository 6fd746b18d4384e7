"""The charts database: client records, their revisions, and the kernel's tables.

Every row carries practice_id. Chart values live here and nowhere else: events name
the fields that changed, never their values.
"""
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, LeaseMixin, OutboxMixin
from services.common.times import utcnow
from services.common.types import UTCDateTime, new_id


class Base(DeclarativeBase):
    pass


class Client(Base):
    """A client's basic details. `version` grows by one with every save that changes
    something; a save that carries an older version is refused (optimistic concurrency)."""
    __tablename__ = "clients"
    __table_args__ = (
        Index("ix_clients_practice_name", "practice_id", "last_name", "first_name"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    preferred_name: Mapped[str] = mapped_column(String(100), nullable=True)
    date_of_birth = mapped_column(Date, nullable=True)
    email: Mapped[str] = mapped_column(String(254), nullable=True)
    phone_mobile: Mapped[str] = mapped_column(String(32), nullable=True)
    phone_home: Mapped[str] = mapped_column(String(32), nullable=True)
    phone_work: Mapped[str] = mapped_column(String(32), nullable=True)
    address_line1: Mapped[str] = mapped_column(String(200), nullable=True)
    address_line2: Mapped[str] = mapped_column(String(200), nullable=True)
    city: Mapped[str] = mapped_column(String(100), nullable=True)
    state: Mapped[str] = mapped_column(String(100), nullable=True)
    postal_code: Mapped[str] = mapped_column(String(20), nullable=True)
    country: Mapped[str] = mapped_column(String(2), nullable=True)
    primary_language: Mapped[str] = mapped_column(String(100), nullable=True)
    pronouns: Mapped[str] = mapped_column(String(50), nullable=True)
    sex: Mapped[str] = mapped_column(String(20), nullable=True)
    gender_identity: Mapped[str] = mapped_column(String(100), nullable=True)
    phone_mobile_texts = mapped_column(Boolean, nullable=True)
    phone_home_texts = mapped_column(Boolean, nullable=True)
    phone_work_texts = mapped_column(Boolean, nullable=True)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Revision(Base):
    """One changed field of one save. The fields of a save share `batch_id` and the
    `version` that save produced, so "what changed since version N" is one query."""
    __tablename__ = "revisions"
    __table_args__ = (
        Index("ix_revisions_client_version", "client_id", "version"),
        Index("ix_revisions_client_changed", "client_id", "changed_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False)
    batch_id: Mapped[str] = mapped_column(String(36), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    field: Mapped[str] = mapped_column(String(50), nullable=False)
    old_value: Mapped[str] = mapped_column(Text, nullable=True)
    new_value: Mapped[str] = mapped_column(Text, nullable=True)
    actor_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(36), nullable=True)
    source: Mapped[str] = mapped_column(String(10), nullable=False)  # portal | staff
    changed_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # the tab the field belongs to; `version` is that tab's version after the save
    tab: Mapped[str] = mapped_column(String(20), nullable=False, default="basic",
                                     server_default="basic")
    # typed values (JSON form) so that a revert restores exactly the old value
    old_json = mapped_column(JSON, nullable=True)
    new_json = mapped_column(JSON, nullable=True)


class ChartTab(Base):
    """One tab other than Basic (details, contacts, insurance, communication) of one
    client: a JSON document with a version of its own (optimistic concurrency per tab)."""
    __tablename__ = "chart_tabs"

    client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    tab: Mapped[str] = mapped_column(String(20), primary_key=True)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    values = mapped_column(JSON, nullable=False, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ChangeBatch(Base):
    """One save of one tab: what staff review. Portal saves wait for review; staff
    saves and reverts are born reviewed."""
    __tablename__ = "change_batches"
    __table_args__ = (
        Index("ix_change_batches_review", "practice_id", "reviewed_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # = revisions.batch_id
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True)
    tab: Mapped[str] = mapped_column(String(20), nullable=False)
    fields = mapped_column(JSON, nullable=False, default=list)
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(36), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reviewed_at = mapped_column(UTCDateTime, nullable=True)
    reviewed_by: Mapped[str] = mapped_column(String(36), nullable=True)
    reverts_revision_id: Mapped[str] = mapped_column(String(36), nullable=True)


class PracticeSettings(Base):
    """charts' settings of one practice (ARCHITECTURE.md: settings live with the service
    that enforces them)."""
    __tablename__ = "practice_settings"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    allow_clients_update_insurance = mapped_column(Boolean, nullable=False, default=False)
    client_uploads_enabled = mapped_column(Boolean, nullable=False, default=False)
    extra_fields = mapped_column(JSON, nullable=False, default=list)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class DocumentType(Base):
    __tablename__ = "document_types"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    show_in_portal = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # archived: offered for no new document; those filed under it keep it (and who sees them)
    archived_at = mapped_column(UTCDateTime, nullable=True)


class Document(Base):
    """A file in the blob store and who may see it. `kind`: practice (for all clients;
    client_id null), shared (with one client, or one contact of it: contact_id), upload
    (made by a client or contact). The blob's SHA-256 is checked on every download."""
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_practice_client", "practice_id", "client_id", "created_at"),
        UniqueConstraint("upload_id", name="uq_documents_upload_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("clients.id", ondelete="CASCADE"), nullable=True)
    contact_id: Mapped[str] = mapped_column(String(36), nullable=True)
    type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("document_types.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    blob_key: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    # the gateway's id for one upload: a retry of it (after a timeout) finds this row
    upload_id: Mapped[str] = mapped_column(String(36), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="available")
    uploaded_by_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    uploaded_by_id: Mapped[str] = mapped_column(String(36), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # staff took a shared or practice document back: clients and contacts no longer see it
    unshared_at = mapped_column(UTCDateTime, nullable=True)
    unshared_by: Mapped[str] = mapped_column(String(36), nullable=True)
    # the first time staff opened (downloaded) it: from then on an upload is part of the
    # record and only staff may delete it
    reviewed_at = mapped_column(UTCDateTime, nullable=True)


class Lease(LeaseMixin, Base):
    """Who runs a periodic job now (the orphan blob sweep): services.common.sweep."""


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
