"""The scheduling database: the practice's setup (services, locations, work periods,
blocks, settings), appointments and requests, and the kernel's tables.

Every row carries practice_id. `client_id` (charts) and `clinician_id` (identity staff)
are other services' ids: no foreign keys. Times are aware UTC (UTCDateTime).
"""
from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.times import utcnow
from services.common.types import UTCDateTime, new_id


class Base(DeclarativeBase):
    pass


class Appointment(Base):
    """One time of one client with one clinician: a request (`requested`, then
    `scheduled` when approved, or `denied` / `withdrawn`) or a booking (`scheduled`, then
    `cancelled`, `late_cancelled`, `completed` or `no_show`). `version` grows by one with
    every change; a change that carries an older version is refused."""
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_practice_client_starts", "practice_id", "client_id", "starts_at"),
        # the overlap check reads a clinician's scheduled appointments around a time
        Index("ix_appointments_clinician_starts", "practice_id", "clinician_id", "starts_at"),
        # the staff's requests list: a practice's pending requests, soonest first
        Index("ix_appointments_practice_status", "practice_id", "status", "starts_at"),
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
    # set up by the practice (migration 0002): what and where, and the fee copied at
    # booking or approval (what billing charges for a late cancellation)
    service_id: Mapped[str] = mapped_column(String(36), nullable=True)
    location_id: Mapped[str] = mapped_column(String(36), nullable=True)
    fee_cents: Mapped[int] = mapped_column(Integer, nullable=True)
    requested_at = mapped_column(UTCDateTime, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(36), nullable=True)
    request_note: Mapped[str] = mapped_column(String(500), nullable=True)
    decided_at = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(36), nullable=True)
    deny_reason: Mapped[str] = mapped_column(String(500), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, nullable=True)


class Service(Base):
    """A kind of appointment the practice offers (intake, session, couples …)."""
    __tablename__ = "services"
    __table_args__ = (Index("ix_services_practice", "practice_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    cpt_code: Mapped[str] = mapped_column(String(10), nullable=True)
    fee_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    requestable_by: Mapped[str] = mapped_column(String(10), nullable=False, default="both")
    clinician_ids = mapped_column(JSON, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class Location(Base):
    """An office (name, address, time zone) or the practice's telehealth."""
    __tablename__ = "locations"
    __table_args__ = (Index("ix_locations_practice", "practice_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    address: Mapped[str] = mapped_column(String(300), nullable=True)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class WorkPeriod(Base):
    """One weekly period of a clinician's work schedule, at one location, in that
    location's wall-clock time, effective from one date until another (inclusive)."""
    __tablename__ = "work_periods"
    __table_args__ = (Index("ix_work_periods_clinician", "practice_id", "clinician_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    clinician_id: Mapped[str] = mapped_column(String(36), nullable=False)
    weekday: Mapped[int] = mapped_column(Integer, nullable=False)       # 0 Monday … 6
    starts: Mapped[str] = mapped_column(String(5), nullable=False)      # "09:00"
    ends: Mapped[str] = mapped_column(String(5), nullable=False)        # "12:00"
    location_id: Mapped[str] = mapped_column(String(36), nullable=False)
    effective_from = mapped_column(Date, nullable=False)
    effective_until = mapped_column(Date, nullable=True)


class Block(Base):
    """Time off or blocked time of one clinician (or, without a clinician, of every
    one): the first occurrence in wall-clock time of `time_zone`, repeated by
    `recurrence` (none | weekly | biweekly | monthly) until `repeat_until`."""
    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_practice_clinician", "practice_id", "clinician_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    clinician_id: Mapped[str] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)        # time_off | block
    starts_local = mapped_column(DateTime, nullable=False)               # naive, in zone
    ends_local = mapped_column(DateTime, nullable=False)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False)
    recurrence: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    repeat_until = mapped_column(Date, nullable=True)
    label: Mapped[str] = mapped_column(String(120), nullable=True)       # staff only
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)


class ClinicianProfile(Base):
    """A clinician as the portal shows them: the name copied from identity's staff list
    when their work schedule is saved (requests and availability then need no call)."""
    __tablename__ = "clinician_profiles"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    clinician_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Settings(Base):
    """The practice's portal scheduling settings and cancellation policy (one row; the
    defaults of domain.setup.DEFAULT_SETTINGS until a practice saves its own)."""
    __tablename__ = "settings"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    values = mapped_column(JSON, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(36), nullable=True)


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
