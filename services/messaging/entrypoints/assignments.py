"""Assigned clinicians: the read copy messaging keeps of who may be written to
(docs/messaging.md, "Assigned clinicians") — from scheduling's `appointment.scheduled`,
plus clinicians staff add explicitly."""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, InvalidInput
from services.common.handlers import event_handler
from services.common.rpc import rpc
from services.common.schemas import load
from services.messaging import domain, schemas, store
from services.messaging.entrypoints.guards import staff_of
from services.messaging.entrypoints.settings import client_id_of

log = logging.getLogger(__name__)

APPOINTMENT = "appointment"
STAFF = "staff"


class AssignmentEntrypoints:
    """Mixin of MessagingService: needs `db`, `clock` and `identity`."""

    @event_handler("scheduling", "appointment.scheduled")
    def on_appointment_scheduled(self, event):
        """The appointment's clinician is assigned to its client (again, if staff had
        removed them: the new booking says they see the client). A redelivery changes
        nothing (the inbox); a version other than 1 raises, is retried, then parked."""
        if event.get("version") != 1:
            raise ValueError("unsupported appointment.scheduled version")
        data = schemas.AppointmentScheduledData().load(event["data"])
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], "messaging.on_appointment_scheduled"):
                return
            added = store.assignments.assign(tx.session, event["practice_id"],
                                             data["client_id"], data["clinician_id"],
                                             APPOINTMENT, None, self.clock())
        log.info("appointment.scheduled handled", extra={
            "event_id": event["id"], "client_id": data["client_id"], "assigned": added})

    @rpc(expected_exceptions=EXPECTED)
    def list_clinicians(self, actor, client_id):
        """The clinicians a conversation about `client_id` may be started with: its
        assigned clinicians who are active staff → {items: [{id, name, role}]}. Staff
        (`view_clients`), or a client account or contact that may message about the
        client (NotFound / Forbidden as for a conversation)."""
        actor = Actor.from_wire(actor)
        client_id = client_id_of(client_id)
        domain.access.party_for(actor, client_id)
        with self.db.read() as session:
            assigned = store.assignments.assigned(session, actor.practice_id, client_id)
        if not assigned:
            return {"items": []}
        staff = staff_of(self.identity, actor.practice_id)
        items = []
        for clinician_id in assigned:
            person = domain.conversations.active_staff(staff, clinician_id)
            if person is not None:
                items.append({"id": person["id"], "name": person.get("name"),
                              "role": person.get("role")})
        return {"items": items}

    @rpc(expected_exceptions=EXPECTED)
    def assign_clinician(self, actor, client_id, payload):
        """Staff (`view_clients`): assign an active staff member to the client, so the
        client and its contacts may write to them. payload {clinician_id} → as
        `list_clinicians`. InvalidInput `clinician_id` when not active staff."""
        actor = Actor.from_wire(actor)
        domain.access.require_staff_member(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.AssignClinician(), payload)
        staff = staff_of(self.identity, actor.practice_id)
        if domain.conversations.active_staff(staff, cmd["clinician_id"]) is None:
            raise InvalidInput("invalid_input", "Choose a clinician who is active staff of "
                               "this practice.", {"clinician_id": ["Not an active staff member."]})
        with self.db.transaction() as tx:
            store.assignments.assign(tx.session, actor.practice_id, client_id,
                                     cmd["clinician_id"], STAFF, actor.id, self.clock())
        log.info("clinician assigned", extra={"client_id": client_id,
                                              "clinician_id": cmd["clinician_id"]})
        return self.list_clinicians(actor.to_wire(), client_id)

    @rpc(expected_exceptions=EXPECTED)
    def unassign_clinician(self, actor, client_id, clinician_id):
        """Staff (`view_clients`): the clinician is no longer assigned (conversations
        already started stay as they are). → as `list_clinicians`."""
        actor = Actor.from_wire(actor)
        domain.access.require_staff_member(actor)
        client_id = client_id_of(client_id)
        with self.db.transaction() as tx:
            store.assignments.remove(tx.session, actor.practice_id, client_id,
                                     str(clinician_id or "")[:36], self.clock())
        return self.list_clinicians(actor.to_wire(), client_id)
