"""Who may: staff who bill, the client for its own invoices when the switches allow, a
contact only with the "billing" grant.

identity has a `biller` role but no billing permission yet (docs/billing.md): staff may
bill when their permissions include `manage_billing` (once identity grants it) or their
roles include practice_admin or biller.
"""
from services.common.errors import Forbidden

MANAGE_BILLING = "manage_billing"
BILLING_ROLES = ("practice_admin", "biller")
BILLING_GRANT = "billing"


def may_bill(actor):
    if actor.is_system:
        return True
    return actor.is_staff and (MANAGE_BILLING in actor.permissions
                               or any(role in BILLING_ROLES for role in actor.roles))


def require_biller(actor):
    if not actor.is_staff and not actor.is_system:
        raise Forbidden("staff_only", "Only the practice's staff can do that.")
    if not may_bill(actor):
        raise Forbidden("not_permitted", "Your role does not allow billing. Ask a "
                        "practice administrator.")


def visibility(practice, client):
    """{billing, view_invoices, online_payments} for one client: on for the practice and
    not turned off for the client."""
    def switch(name):
        own = client.get(name) if client else None
        return bool(practice.get("enabled") and practice.get(name)
                    and (own is None or own))
    return {"billing": bool(practice.get("enabled")),
            "view_invoices": switch("view_invoices"),
            "online_payments": switch("online_payments")}


def require_portal_reader(actor, client_id, seen):
    """A client account or contact holding `billing` for the client, when the practice
    and the client's switches show invoices; NotFound for a client not held at all."""
    actor.require_client(client_id, BILLING_GRANT)
    if not seen["view_invoices"]:
        raise Forbidden("billing_not_visible", "The practice does not show billing in "
                        "the portal.")
