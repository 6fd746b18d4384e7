"""Tables every service keeps beside its own: outbox, inbox and failed deliveries.

A service declares them on its own declarative Base:

    class Outbox(OutboxMixin, Base): pass
    class Inbox(InboxMixin, Base): pass
    class FailedDelivery(FailedDeliveryMixin, Base): pass

and, when it runs a periodic job in one replica at a time (services.common.sweep):

    class Lease(LeaseMixin, Base): pass
"""
from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.times import utcnow
from services.common.types import UTCDateTime


class OutboxMixin:
    """Events written in the same transaction as the change that made them true."""
    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    envelope: Mapped[dict] = mapped_column(JSON)
    correlation_id: Mapped[str] = mapped_column(String(64), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    sent_at = mapped_column(UTCDateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at = mapped_column(UTCDateTime, nullable=True)
    # "unroutable" while no queue is bound to the event type yet (mandatory publish)
    last_error: Mapped[str] = mapped_column(String(200), nullable=True)


class PrivateChannelMixin:
    """Add to a service's Outbox when it records events with `private=True`."""
    channel: Mapped[str] = mapped_column(String(20), nullable=True)


class InboxMixin:
    """Which handler has already applied which event: redeliveries are skipped."""
    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    handled_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class FailedDeliveryMixin:
    """A handler that raised: retried with back-off, then parked for staff and ops."""
    __tablename__ = "failed_deliveries"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    queue: Mapped[str] = mapped_column(String(255))
    envelope: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # the exception's class name only: exception text may carry chart values
    last_error: Mapped[str] = mapped_column(String(200), nullable=True)
    first_failed_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    next_attempt_at = mapped_column(UTCDateTime, nullable=True, index=True)
    parked_at = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=True)


class LeaseMixin:
    """Who runs a periodic job now: @timer fires in every replica (STYLE.md, trap 11)."""
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
