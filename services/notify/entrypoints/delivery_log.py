"""The delivery log: what notify sent for the practice, to whom, when, and how it went —
never what it said (no subject, no body: those are the template's, and a body holds
single-use links) — and the failed emails ("dead letters") staff can send again.

Staff with `view_operations` (those who see parked updates on the Operations page).
"""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.notify import schemas
from services.notify.store import emails as store

log = logging.getLogger(__name__)

VIEW_OPERATIONS = "view_operations"


class DeliveryLogEntrypoints:
    """Needs `db` and `mailer` on the service."""

    @rpc(expected_exceptions=EXPECTED)
    def list_email_deliveries(self, actor, payload=None):
        """Staff `view_operations`: `{status?: pending|sent|failed, limit? (1–500, 100)}` →
        `[{id, kind, to, status, attempts, last_error, created_at, sent_at,
        next_attempt_at}]` of the actor's practice, newest first. `last_error` is a code
        (`smtp_550`, `recipient_refused`, an exception's class), never a server's text."""
        actor = Actor.from_wire(actor)
        actor.require_staff(VIEW_OPERATIONS)
        cmd = load(schemas.DeliveryQuery(), payload)
        with self.db.read() as session:
            rows = store.delivery_log(session, actor.practice_id, cmd["status"], cmd["limit"])
            return schemas.Delivery(many=True).dump(rows)

    @rpc(expected_exceptions=EXPECTED)
    def retry_email(self, actor, email_id):
        """Staff `view_operations`: send a failed email again (due now, its attempts counted
        afresh) → the delivery. NotFound for an email of another practice; Conflict
        `not_failed` for one still pending or already sent (sending it twice would be a
        second email)."""
        actor = Actor.from_wire(actor)
        actor.require_staff(VIEW_OPERATIONS)
        with self.db.transaction() as tx:
            email = store.failed_for_update(tx.session, actor.practice_id, email_id)
            if email is None:
                raise NotFound("not_found", "That email does not exist.")
            if email.status != "failed":
                raise Conflict("not_failed", "That email has not failed: it is sent, or "
                               "still being tried.")
            store.send_again(email)
            answer = schemas.Delivery().dump(email)
        self.mailer.wake()
        log.info("failed email sent again", extra={"email_id": email_id})
        return answer
