"""SQL of billing: functions taking a session, one module per aggregate."""
from services.billing.store import charges, idempotency, invoices, payments, settings  # noqa: F401
