"""Charges: what an appointment's outcome costs, and staff's changes to a charge."""
from services.common.errors import Conflict

SESSION = "session"
LATE_CANCEL = "late_cancel"
NO_SHOW = "no_show"
MANUAL = "manual"
KINDS = (SESSION, LATE_CANCEL, NO_SHOW, MANUAL)

OPEN, INVOICED, VOID = "open", "invoiced", "void"

# what the portal and the invoice say: nothing clinical (no service name, no code)
DESCRIPTIONS = {SESSION: "Session", LATE_CANCEL: "Late cancellation fee",
                NO_SHOW: "Missed appointment fee"}


def session_fee(appointment):
    """An attended appointment charges the fee copied at booking (scheduling's
    `fee_cents`); none (null or 0) charges nothing."""
    fee = (appointment or {}).get("fee_cents")
    return fee if isinstance(fee, int) and fee > 0 else None


def late_cancel_fee(settings, charge_data):
    """The practice's late-cancellation fee in billing, else what scheduling's event
    carried (its own setting, else the service's fee); none charges nothing."""
    fee = settings.get("late_cancel_fee_cents")
    if fee is None and charge_data:
        fee = charge_data.get("fee_cents")
    return fee if isinstance(fee, int) and fee > 0 else None


def no_show_fee(settings):
    fee = settings.get("no_show_fee_cents")
    return fee if isinstance(fee, int) and fee > 0 else None


def check_version(charge, version):
    if charge.version != version:
        raise Conflict("stale_version", "Someone changed this charge since you opened "
                       "it. Reload and try again.")


def check_changeable(charge):
    """A void charge stays void; a charge on an invoice changes only once the invoice is
    void (the client may have seen it)."""
    if charge.status == VOID:
        raise Conflict("charge_void", "This charge is void.")
    if charge.status == INVOICED:
        raise Conflict("charge_invoiced", "This charge is on an invoice; void the "
                       "invoice first.")
