"""The billing database: per-practice and per-client billing settings, charges and their
history, invoices and their lines, payments, refunds, credits, the payment provider's
customers, idempotency records, and the kernel's tables.

Money is integer cents everywhere (never a float). Every row carries practice_id;
`client_id` (charts), `appointment_id` / `service_id` (scheduling) and staff ids
(identity) are other services' ids: no foreign keys to them. Times are aware UTC.
"""
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.clock import utcnow
from services.common.kernel_models import FailedDeliveryMixin, InboxMixin, OutboxMixin
from services.common.types import UTCDateTime, new_id


class Base(DeclarativeBase):
    pass


class PracticeBilling(Base):
    """A practice's billing switches and fees (defaults: billing off)."""
    __tablename__ = "practice_billing"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    view_invoices: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    online_payments: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    allow_credit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    late_cancel_fee_cents: Mapped[int] = mapped_column(Integer, nullable=True)
    no_show_fee_cents: Mapped[int] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ClientBilling(Base):
    """One client's switches; null follows the practice."""
    __tablename__ = "client_billing"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    view_invoices: Mapped[bool] = mapped_column(Boolean, nullable=True)
    online_payments: Mapped[bool] = mapped_column(Boolean, nullable=True)
    updated_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Charge(Base):
    """What a client owes for one thing: a session, a late cancellation, a no-show, or
    an item staff added. `open` until put on an invoice (`invoiced`); `void` counts for
    nothing. One charge per (appointment, kind): a redelivered event charges once."""
    __tablename__ = "charges"
    __table_args__ = (
        UniqueConstraint("practice_id", "appointment_id", "kind",
                         name="uq_charges_appointment_kind"),
        Index("ix_charges_practice_client", "practice_id", "client_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    appointment_id: Mapped[str] = mapped_column(String(36), nullable=True)
    service_id: Mapped[str] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    service_date = mapped_column(Date, nullable=True)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    invoice_id: Mapped[str] = mapped_column(String(36), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)
    voided_at = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class ChargeChange(Base):
    """The history of a charge: created, adjusted, voided — by whom, why."""
    __tablename__ = "charge_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    charge_id: Mapped[str] = mapped_column(ForeignKey("charges.id"), nullable=False,
                                           index=True)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_before_cents: Mapped[int] = mapped_column(Integer, nullable=True)
    amount_after_cents: Mapped[int] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=True)
    at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    by_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    by_id: Mapped[str] = mapped_column(String(36), nullable=True)


class Invoice(Base):
    """Open charges of one client gathered by staff: `draft`, then `shared` (the portal
    shows it), `paid` once its payments cover it, or `void`."""
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("practice_id", "number", name="uq_invoices_number"),
        Index("ix_invoices_practice_client", "practice_id", "client_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    total_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)
    shared_at = mapped_column(UTCDateTime, nullable=True)
    paid_at = mapped_column(UTCDateTime, nullable=True)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), nullable=False,
                                            index=True)
    charge_id: Mapped[str] = mapped_column(ForeignKey("charges.id"), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False)
    service_date = mapped_column(Date, nullable=True)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)


class Payment(Base):
    """Money received: recorded by staff (cash, check, insurance) or by card through the
    provider (`pending` until the provider confirms, then `succeeded` or `failed`)."""
    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_practice_client", "practice_id", "client_id", "received_at"),
        UniqueConstraint("provider", "provider_payment_id", name="uq_payments_provider_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False)
    invoice_id: Mapped[str] = mapped_column(String(36), nullable=True)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="succeeded")
    reference: Mapped[str] = mapped_column(String(100), nullable=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=True)
    provider_payment_id: Mapped[str] = mapped_column(String(100), nullable=True)
    received_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(36), nullable=True)


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), nullable=False,
                                            index=True)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(36), nullable=True)


class Credit(Base):
    """The part of a payment above what was owed, kept as the client's credit (the
    balance goes below zero by this much)."""
    __tablename__ = "credits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), nullable=False)
    amount_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ProviderCustomer(Base):
    """The payment provider's customer for one client (card data stays at the provider)."""
    __tablename__ = "provider_customers"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IdempotencyRecord(Base):
    """Haven's own memory of a money request by its key: the same key answers the first
    result again and changes nothing (a double click, a retried request, a webhook twice)."""
    __tablename__ = "idempotency_records"

    practice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    result: Mapped[dict] = mapped_column(JSON, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class FailedDelivery(FailedDeliveryMixin, Base):
    pass
