"""The practice's billing settings and each client's switches."""
import logging

from services.billing import domain, schemas, store
from services.billing.entrypoints.guards import client_id_of, settings_in, visibility_in
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)


class SettingsEntrypoints:
    """Mixin of BillingService: needs `db` and `clock`."""

    @rpc(expected_exceptions=EXPECTED)
    def get_billing_settings(self, actor):
        """Staff who bill, or `manage_practice_settings`: {enabled, view_invoices,
        online_payments, allow_credit, late_cancel_fee_cents, no_show_fee_cents, version,
        card_payments (whether a payment provider is configured)}."""
        actor = Actor.from_wire(actor)
        _require_settings_reader(actor)
        with self.db.read() as session:
            return dict(settings_in(session, actor.practice_id),
                        card_payments=self.payments.enabled)

    @rpc(expected_exceptions=EXPECTED)
    def update_billing_settings(self, actor, payload):
        """Staff `manage_practice_settings` (or a system actor, for seeding): payload
        {version (the one read, 0 before the first save), any setting} → the settings.
        409 `stale_version`."""
        actor = Actor.from_wire(actor)
        actor.require_staff("manage_practice_settings")
        cmd = load(schemas.UpdateSettings(), payload)
        with self.db.transaction() as tx:
            row = store.settings.practice_row(tx.session, actor.practice_id, for_update=True)
            if (row.version or 0) != cmd.pop("version"):
                raise Conflict("stale_version", "Someone changed the billing settings "
                               "since you opened them. Reload and try again.")
            for name, value in cmd.items():
                setattr(row, name, value)
            row.version = (row.version or 0) + 1
            row.updated_at = self.clock()
            tx.session.flush()
            result = domain.settings.practice_settings(row)
        log.info("billing settings updated", extra={"practice_id": actor.practice_id})
        return dict(result, card_payments=self.payments.enabled)

    @rpc(expected_exceptions=EXPECTED)
    def set_client_billing(self, actor, client_id, payload):
        """Staff who bill: one client's switches {view_invoices, online_payments} (null
        follows the practice) → as `get_billing_access`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.ClientSwitches(), payload)
        with self.db.transaction() as tx:
            row = store.settings.client_row(tx.session, actor.practice_id, client_id,
                                            create=True)
            for name, value in cmd.items():
                setattr(row, name, value)
            row.updated_at = self.clock()
            tx.session.flush()
            seen = visibility_in(tx.session, actor.practice_id, client_id)
        return dict(seen, card_payments=seen["online_payments"] and self.payments.enabled,
                    client_id=client_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_billing_access(self, actor, client_id):
        """What billing shows this actor for `client_id`, for the portal's tab: {billing,
        view_invoices, online_payments, card_payments, may_view (this actor may read the
        client's invoices now)}. Never raises for a held client."""
        actor = Actor.from_wire(actor)
        client_id = client_id_of(client_id)
        if not (actor.is_staff or actor.is_system):
            actor.require_client(client_id)
        with self.db.read() as session:
            seen = visibility_in(session, actor.practice_id, client_id)
        if actor.is_staff or actor.is_system:
            may = domain.access.may_bill(actor)
        else:
            may = seen["view_invoices"] and actor.may_act_for(
                client_id, domain.access.BILLING_GRANT)
        return dict(seen, client_id=client_id, may_view=bool(may),
                    card_payments=bool(may and seen["online_payments"]
                                       and self.payments.enabled))


def _require_settings_reader(actor):
    if actor.is_staff and "manage_practice_settings" in actor.permissions:
        return
    domain.access.require_biller(actor)
