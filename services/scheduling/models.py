"""The scheduling database: appointments, and the kernel's tables.

Every row carries practice_id. `client_id` (charts) and `clinician_id` (identity staff)
are other services' ids: no foreign keys. Times are aware UTC (UTCDateTime).
"""
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.clock import utcnow
from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.types import UTCDateTime, new_id


class Base(DeclarativeBase):
    pass


class Appointment(Base):
    """One booked time of one client with one clinician. `version` grows by one with
    every change (a cancellation); a change that carries an older version is refused."""
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_practice_client_starts", "practice_id", "client_id", "starts_at"),
        # the overlap check reads a clinician's scheduled appointments around a time
        Index("ix_appointments_clinician_starts", "practice_id", "clinician_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    clinician_id: Mapped[str] = mapped_column(String(36), nullable=False)
    # copied from identity's staff list at booking time (the name the client saw then)
    clinician_name: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_at = mapped_column(UTCDateTime, nullable=False)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    location: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(String(500), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)
    cancelled_at = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str] = mapped_column(String(36), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
