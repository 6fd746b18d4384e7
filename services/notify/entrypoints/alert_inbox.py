"""The staff's alert inbox: list the alerts meant for them, mark one read."""
from services.common.actor import Actor
from services.common.errors import EXPECTED
from services.common.rpc import rpc
from services.common.schemas import load
from services.notify import schemas
from services.notify.store import alerts as store


class AlertInboxEntrypoints:
    """Needs `db` on the service."""

    @rpc(expected_exceptions=EXPECTED)
    def list_alerts(self, actor, payload=None):
        """Staff: alerts of the actor's practice whose audience permission the actor
        holds, newest first, with the actor's own read state. `{unread_only?, limit?}`
        → `[{id, kind, client_id, client_name, fields, batch_id, created_at, read}]`."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        cmd = load(schemas.ListAlerts(), payload)
        with self.db.read() as session:
            rows = store.alerts_for(session, actor, cmd["unread_only"], cmd["limit"])
            return [dict(schemas.Alert().dump(alert), read=read_at is not None)
                    for alert, read_at in rows]

    @rpc(expected_exceptions=EXPECTED)
    def mark_alert_read(self, actor, alert_id):
        """Staff: mark one alert read for this staff member (idempotent). An alert of
        another practice, or meant for another permission, is NotFound."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        with self.db.transaction() as tx:
            alert = store.visible_alert(tx.session, actor, alert_id)
            store.mark_read(tx.session, alert, actor.id)
        return {"id": alert_id, "read": True}
