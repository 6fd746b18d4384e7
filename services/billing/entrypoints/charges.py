"""Charges: from scheduling's events (attended, late cancellation, no-show), and staff's
own — add, adjust, void, each with its reason in the charge's history."""
import logging

from services.billing import domain, events, schemas, store
from services.billing.entrypoints.guards import client_id_of, settings_in
from services.billing.models import Charge
from services.common.actor import Actor
from services.common.errors import EXPECTED, NotFound
from services.common.handlers import event_handler
from services.common.rpc import rpc
from services.common.schemas import load

log = logging.getLogger(__name__)
CH = domain.charges


def dump_charge(row, history=None):
    result = {"id": row.id, "client_id": row.client_id, "appointment_id": row.appointment_id,
              "kind": row.kind, "description": row.description,
              "service_date": row.service_date.isoformat() if row.service_date else None,
              "amount_cents": row.amount_cents, "status": row.status,
              "invoice_id": row.invoice_id, "created_at": row.created_at.isoformat(),
              "version": row.version}
    if history is not None:
        result["history"] = [{"action": h.action, "amount_before_cents": h.amount_before_cents,
                              "amount_after_cents": h.amount_after_cents, "reason": h.reason,
                              "at": h.at.isoformat(), "by": {"kind": h.by_kind, "id": h.by_id}}
                             for h in history]
    return result


class ChargeEntrypoints:
    """Mixin of BillingService: needs `db`, `clock` and `scheduling`."""

    @event_handler("scheduling", "appointment.completed")
    def on_appointment_completed(self, event):
        """An attended appointment charges the fee scheduling copied at booking, asked
        of scheduling's `get_appointment` (one hop, bounded, before the transaction: the
        event does not carry the fee). Billing off, or no fee: nothing. Once per
        appointment (the inbox, and one charge per appointment and kind)."""
        data = _appointment(event, schemas.AppointmentData())
        if data is None:
            return
        system = Actor.system(practice_id=event["practice_id"])
        try:
            appointment = self.scheduling.get_appointment(system.to_wire(),
                                                          data["appointment_id"])
        except NotFound:
            appointment = None
        self._charge(event, "billing.on_appointment_completed", data, CH.SESSION,
                     lambda settings: CH.session_fee(appointment),
                     service_id=(appointment or {}).get("service_id"))

    @event_handler("scheduling", "appointment.no_show")
    def on_appointment_no_show(self, event):
        """A no-show charges the practice's no-show fee (billing's setting), once."""
        data = _appointment(event, schemas.AppointmentData())
        if data is not None:
            self._charge(event, "billing.on_appointment_no_show", data, CH.NO_SHOW,
                         CH.no_show_fee)

    @event_handler("scheduling", "appointment.cancelled")
    def on_appointment_cancelled(self, event):
        """A late cancellation (`late: true`) charges the practice's late-cancellation
        fee: billing's setting, else the fee the event carries; an on-time one nothing."""
        data = _appointment(event, schemas.CancelledData())
        if data is None or not data.get("late"):
            return
        charge = data.get("charge") or {}
        self._charge(event, "billing.on_appointment_cancelled", data, CH.LATE_CANCEL,
                     lambda settings: CH.late_cancel_fee(settings, charge),
                     service_id=charge.get("service_id"))

    def _charge(self, event, handler, data, kind, fee_of, service_id=None):
        practice_id = event["practice_id"]
        actor = Actor.system(practice_id=practice_id)   # billing charges, on its own rule
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], handler):
                return
            settings = settings_in(tx.session, practice_id)
            amount = fee_of(settings)
            if not settings["enabled"] or amount is None:
                log.info("appointment not charged", extra={
                    "event_id": event["id"], "kind": kind,
                    "reason": "billing_off" if not settings["enabled"] else "no_fee"})
                return
            if store.charges.for_appointment(tx.session, practice_id,
                                             data["appointment_id"], kind):
                return   # the same appointment's outcome told again under another id
            now = self.clock()
            row = Charge(practice_id=practice_id, client_id=data["client_id"],
                         appointment_id=data["appointment_id"], service_id=service_id,
                         kind=kind, description=CH.DESCRIPTIONS[kind],
                         service_date=data["starts_at"].date(), amount_cents=amount,
                         status=CH.OPEN, created_at=now, created_by=None)
            tx.session.add(row)
            tx.session.flush()
            store.charges.add_change(tx.session, actor, row, "created", None, amount,
                                     None, now)
            events.CHARGE_CREATED.record(tx, actor, events.charge_data(row),
                                         practice_id=practice_id)
        log.info("appointment charged", extra={"event_id": event["id"], "charge_id": row.id,
                                               "kind": kind})

    @rpc(expected_exceptions=EXPECTED)
    def list_client_charges(self, actor, client_id, payload=None):
        """Staff who bill: the client's charges, oldest first, each with its history;
        payload {status?} → {items}."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        client_id = client_id_of(client_id)
        query = load(schemas.ListQuery(), payload)
        with self.db.read() as session:
            rows = store.charges.of_client(session, actor.practice_id, client_id,
                                           query["status"])
            changes = {}
            for change in store.charges.history(session, [r.id for r in rows]):
                changes.setdefault(change.charge_id, []).append(change)
            return {"items": [dump_charge(r, changes.get(r.id, [])) for r in rows]}

    @rpc(expected_exceptions=EXPECTED)
    def create_charge(self, actor, client_id, payload):
        """Staff who bill add an item: {amount_cents, description, service_date?,
        reason?} → the charge (kind `manual`, open). Emits `charge.created`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.CreateCharge(), payload)
        with self.db.transaction() as tx:
            now = self.clock()
            row = Charge(practice_id=actor.practice_id, client_id=client_id, kind=CH.MANUAL,
                         description=cmd["description"], service_date=cmd["service_date"],
                         amount_cents=cmd["amount_cents"], status=CH.OPEN, created_at=now,
                         created_by=actor.id)
            tx.session.add(row)
            tx.session.flush()
            store.charges.add_change(tx.session, actor, row, "created", None,
                                     row.amount_cents, cmd["reason"], now)
            events.CHARGE_CREATED.record(tx, actor, events.charge_data(row))
            return dump_charge(row)

    @rpc(expected_exceptions=EXPECTED)
    def adjust_charge(self, actor, charge_id, payload):
        """Staff who bill change an open charge's amount: {version, amount_cents, reason}
        → the charge. 409 `stale_version`, `charge_invoiced`, `charge_void`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        cmd = load(schemas.AdjustCharge(), payload)
        with self.db.transaction() as tx:
            row = store.charges.charge_of_practice(tx.session, actor, charge_id, for_update=True)
            CH.check_version(row, cmd["version"])
            CH.check_changeable(row)
            before = row.amount_cents
            row.amount_cents = cmd["amount_cents"]
            row.version += 1
            store.charges.add_change(tx.session, actor, row, "adjusted", before,
                                     row.amount_cents, cmd["reason"], self.clock())
            tx.session.flush()
            return dump_charge(row)

    @rpc(expected_exceptions=EXPECTED)
    def void_charge(self, actor, charge_id, payload):
        """Staff who bill void an open charge: {version, reason} → the charge (`void`).
        Emits `charge.voided`."""
        actor = Actor.from_wire(actor)
        domain.access.require_biller(actor)
        cmd = load(schemas.VoidCharge(), payload)
        with self.db.transaction() as tx:
            row = store.charges.charge_of_practice(tx.session, actor, charge_id, for_update=True)
            CH.check_version(row, cmd["version"])
            CH.check_changeable(row)
            now = self.clock()
            row.status, row.voided_at = CH.VOID, now
            row.version += 1
            store.charges.add_change(tx.session, actor, row, "voided", row.amount_cents, 0,
                                     cmd["reason"], now)
            tx.session.flush()
            events.CHARGE_VOIDED.record(tx, actor, events.charge_data(row))
            return dump_charge(row)


def _appointment(event, schema):
    if event.get("version") != 1:
        raise ValueError("unsupported appointment event version")
    return schema.load(event["data"])

