"""What Haven's own services (notify) ask charts about a client: its name for a staff
alert, and where to tell the client that something is new. System actors only."""
from services.charts import domain, store
from services.charts.domain import tabs
from services.common.actor import Actor
from services.common.errors import EXPECTED, Forbidden, NotFound
from services.common.rpc import rpc


def _require_system(actor):
    if not actor.is_system:
        raise Forbidden("system_only", "Only Haven's own services can ask that.")


class SystemLookupEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def get_client_name(self, actor, client_id):
        """System only (notify): `{client_id, client_name}` — events carry only the id, and
        a staff alert names the client. NotFound for an unknown record."""
        actor = Actor.from_wire(actor)
        _require_system(actor)
        with self.db.read() as session:
            client = store.clients.client_in(session, actor.practice_id, client_id)
            if client is None:
                raise NotFound("not_found", "That record does not exist.")
            return {"client_id": client.id,
                    "client_name": domain.records.client_name(store.clients.values_of(client))}

    @rpc(expected_exceptions=EXPECTED)
    def get_notification_address(self, actor, client_id):
        """System only (notify): `{email, may_email}` of a client, to tell them that
        something is new — never put in events."""
        actor = Actor.from_wire(actor)
        _require_system(actor)
        with self.db.read() as session:
            # an event of one practice naming another's client mails nobody
            client = store.clients.client_in(session, actor.practice_id, client_id)
            if client is None:
                raise NotFound("not_found", "That record does not exist.")
            prefs = store.tabs.tab_row(session, client, tabs.COMMUNICATION).values or {}
            return {"email": client.email, "may_email": prefs.get("email_ok") is not False}
