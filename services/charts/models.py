"""The charts database: client records, their revisions, and the kernel's tables.

Every row carries practice_id. Chart values live here and nowhere else: events name
the fields that changed, never their values.
"""
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.clock import utcnow
from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
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


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
