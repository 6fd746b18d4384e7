"""billing's rules: money, the ledger, charges, invoices, who may (no nameko, no SQL)."""
from services.billing.domain import access, charges, invoices, ledger, money, settings  # noqa: F401
