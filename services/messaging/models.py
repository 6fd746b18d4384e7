"""The messaging database: conversations, their parties, messages, read receipts,
staff-only notes, the practice's and clients' switches, the read copy of assigned
clinicians, and the kernel's tables.

Every row carries practice_id. `client_id` (charts), staff ids and contact / account ids
(identity) are other services' ids: no foreign keys to them. Times are aware UTC.
Nothing is ever deleted: archiving is a per-party flag.
"""
from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.times import utcnow
from services.common.types import UTCDateTime, new_id


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    """One thread about one client. `last_seq` numbers its messages (1, 2, …)."""
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_practice_client", "practice_id", "client_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    subject: Mapped[str] = mapped_column(String(120), nullable=True)
    started_by_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    started_by_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_message_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Participant(Base):
    """A party of a conversation (domain.access: client, contact, account or staff),
    with its own read receipt and archive flag. `name` is copied when it joins (staff
    from identity's list, others as the gateway's session names them)."""
    __tablename__ = "participants"
    __table_args__ = (
        PrimaryKeyConstraint("conversation_id", "party_kind", "party_id"),
        # the inbox of one party
        Index("ix_participants_party", "party_kind", "party_id"),
    )

    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("conversations.id"), nullable=False)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    party_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    party_id: Mapped[str] = mapped_column(String(36), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # join order
    joined_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(36), nullable=True)
    archived_at = mapped_column(UTCDateTime, nullable=True)


class ReadReceipt(Base):
    """How far one party has read one conversation (the highest message seq)."""
    __tablename__ = "read_receipts"
    __table_args__ = (PrimaryKeyConstraint("conversation_id", "party_kind", "party_id"),)

    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("conversations.id"), nullable=False)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    party_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    party_id: Mapped[str] = mapped_column(String(36), nullable=False)
    last_read_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    read_at = mapped_column(UTCDateTime, nullable=True)


class Message(Base):
    """One message, plain text exactly as stored (domain.texts)."""
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_messages_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("conversations.id"), nullable=False)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    sender_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    sender_id: Mapped[str] = mapped_column(String(36), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class StaffNote(Base):
    """A note staff keep beside a conversation; never shown to a client or contact."""
    __tablename__ = "staff_notes"
    __table_args__ = (Index("ix_staff_notes_conversation", "conversation_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("conversations.id"), nullable=False)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    author_id: Mapped[str] = mapped_column(String(36), nullable=False)
    author_name: Mapped[str] = mapped_column(String(200), nullable=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PracticeSettings(Base):
    """The practice's switch (no row = off) and the notice shown when composing."""
    __tablename__ = "practice_settings"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    emergency_notice: Mapped[str] = mapped_column(Text, nullable=True)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(36), nullable=True)


class ClientSettings(Base):
    """One client's switch (no row = on while the practice's is on)."""
    __tablename__ = "client_settings"
    __table_args__ = (PrimaryKeyConstraint("practice_id", "client_id"),)

    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(36), nullable=True)


class Assignment(Base):
    """A read copy: the clinician is assigned to the client (docs/messaging.md,
    "Assigned clinicians"). `source` says how it began: `appointment` (scheduling's
    `appointment.scheduled`) or `staff`. `removed_at` set = no longer assigned."""
    __tablename__ = "assignments"
    __table_args__ = (PrimaryKeyConstraint("practice_id", "client_id", "clinician_id"),)

    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    clinician_id: Mapped[str] = mapped_column(String(36), nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    assigned_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(36), nullable=True)
    removed_at = mapped_column(UTCDateTime, nullable=True)


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
