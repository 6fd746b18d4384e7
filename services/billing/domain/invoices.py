"""Invoices: a client's open charges gathered; shared to the portal; paid when covered."""
from services.common.errors import Conflict, InvalidInput

DRAFT, SHARED, PAID, VOID = "draft", "shared", "paid", "void"


def check_charges(charges, client_id):
    """Every charge open and of this client; at least one."""
    if not charges:
        raise InvalidInput("invalid_input", "Choose at least one open charge.",
                           {"charge_ids": ["No open charges."]})
    for charge in charges:
        if charge.client_id != client_id:
            raise InvalidInput("invalid_input", "Every charge must be this client's.",
                               {"charge_ids": ["A charge of another client."]})
        if charge.status != "open":
            raise Conflict("charge_not_open", "A charge is already invoiced or void.")


def check_shareable(invoice):
    if invoice.status == VOID:
        raise Conflict("invoice_void", "This invoice is void.")


def status_after_payment(invoice, paid_toward):
    """A shared invoice whose payments cover its total is paid."""
    if invoice.status in (SHARED, DRAFT) and paid_toward >= invoice.total_cents:
        return PAID
    return invoice.status
