"""The notify database: staff alerts, who read them, outgoing email, the practices' own
email templates, kernel tables."""
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.times import utcnow
from services.common.types import UTCDateTime, new_id


class Base(DeclarativeBase):
    pass


class Alert(Base):
    """Something staff should look at, addressed to a permission (`audience`): every
    staff member of the practice who holds it sees it; each has their own read state."""
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_practice_audience_created", "practice_id", "audience", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    audience: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=True)
    client_name: Mapped[str] = mapped_column(String(201), nullable=True)
    fields: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    batch_id: Mapped[str] = mapped_column(String(36), nullable=True)
    event_id: Mapped[str] = mapped_column(String(36), nullable=True)  # what raised it
    tab: Mapped[str] = mapped_column(String(20), nullable=True)  # charts: the saved tab
    subject_id: Mapped[str] = mapped_column(String(36), nullable=True)  # e.g. a document id
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class AlertRead(Base):
    """That one staff member has read one alert."""
    __tablename__ = "alert_reads"

    alert_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    read_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Email(Base):
    """An outgoing email, written in the transaction that decided to send it and sent
    after commit; retried with back-off until sent, or marked failed (and staff alerted).
    Bodies carry the practice's name and portal address only — no health information."""
    __tablename__ = "emails"
    __table_args__ = (Index("ix_emails_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)       # template name
    client_id: Mapped[str] = mapped_column(String(36), nullable=True)
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    from_name: Mapped[str] = mapped_column(String(200), nullable=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(200), nullable=True)  # class name / code
    event_id: Mapped[str] = mapped_column(String(36), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = mapped_column(UTCDateTime, nullable=True)


class EmailTemplate(Base):
    """A practice's own texts for one kind of email (services/notify/domain/template_kinds.py);
    without a row the default under services/notify/templates/ is sent. Saved only after
    `rendering.check` passed; "reset to default" deletes the row. `version` counts saves
    (0 = the default), so two administrators editing at once do not overwrite each other."""
    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("practice_id", "kind", name="uq_email_templates_practice_kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_by: Mapped[str] = mapped_column(String(36), nullable=True)  # staff id
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
