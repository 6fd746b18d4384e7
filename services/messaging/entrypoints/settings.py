"""Settings messaging owns (ARCHITECTURE.md, "Settings live with the service that
enforces them"): the practice's "secure messaging on" (off by default), its notice that
messaging is not for emergencies, and one client's switch."""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Forbidden
from services.common.rpc import rpc
from services.common.schemas import load
from services.messaging import domain, schemas, store

log = logging.getLogger(__name__)


def settings_view(row):
    return {"enabled": bool(row and row.enabled),
            "emergency_notice": (row.emergency_notice if row and row.emergency_notice
                                 else domain.texts.DEFAULT_NOTICE),
            "updated_at": row.updated_at.isoformat() if row else None}


def client_id_of(value):
    from services.common.errors import InvalidInput
    if not isinstance(value, str) or not 0 < len(value) <= 36:
        raise InvalidInput("invalid_input", "Name the client by its id.",
                           {"client_id": ["must be a client id"]})
    return value


class SettingsEntrypoints:
    """Mixin of MessagingService: needs `db` and `clock`."""

    @rpc(expected_exceptions=EXPECTED)
    def get_messaging_settings(self, actor):
        """Anyone signed in to the practice: {enabled, emergency_notice, updated_at};
        a client account or contact also gets `clients: {client_id: bool}` — for each
        client it may message about, whether messaging is on for that client."""
        actor = Actor.from_wire(actor)
        if not actor.practice_id:
            raise Forbidden("practice_required", "Say which practice.")
        with self.db.read() as session:
            view = settings_view(store.settings.practice(session, actor.practice_id))
            if not (actor.is_staff or actor.is_system):
                held = domain.access.client_parties(actor)
                off = store.settings.clients_off(session, actor.practice_id, held)
                view["clients"] = {c: view["enabled"] and c not in off for c in held}
        return view

    @rpc(expected_exceptions=EXPECTED)
    def update_messaging_settings(self, actor, payload):
        """Staff `manage_practice_settings` (or a system actor of one practice): partial
        {enabled, emergency_notice (1–1,000 characters; null = the default notice)} →
        the settings."""
        actor = Actor.from_wire(actor)
        actor.require_staff(domain.access.MANAGE_PRACTICE_SETTINGS)
        if not actor.practice_id:
            raise Forbidden("practice_required", "Say which practice.")
        cmd = load(schemas.UpdateSettings(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            row = store.settings.practice_for_update(tx.session, actor.practice_id, now)
            if "enabled" in cmd:
                row.enabled = cmd["enabled"]
            if "emergency_notice" in cmd:
                row.emergency_notice = domain.texts.clean(cmd["emergency_notice"])
            row.updated_at, row.updated_by = now, actor.id
            tx.session.flush()
            result = settings_view(row)
        log.info("messaging settings changed", extra={"practice_id": actor.practice_id,
                                                      "enabled": result["enabled"]})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def get_client_messaging(self, actor, client_id):
        """Staff (`view_clients`): {client_id, enabled (the client's switch),
        practice_enabled}."""
        actor = Actor.from_wire(actor)
        domain.access.require_staff_member(actor)
        client_id = client_id_of(client_id)
        with self.db.read() as session:
            practice = store.settings.practice(session, actor.practice_id)
            return {"client_id": client_id,
                    "enabled": store.settings.client_enabled(session, actor.practice_id,
                                                             client_id),
                    "practice_enabled": bool(practice and practice.enabled)}

    @rpc(expected_exceptions=EXPECTED)
    def set_client_messaging(self, actor, client_id, payload):
        """Staff `manage_portal_access`: turn messaging off (or on again) for one client.
        payload {enabled} → as `get_client_messaging`. Off: the client's and its contacts'
        conversations disappear from their portal (nothing is deleted; staff still read
        them) and nobody can write in them until it is on again."""
        actor = Actor.from_wire(actor)
        actor.require_staff(domain.access.MANAGE_PORTAL_ACCESS)
        domain.access.require_staff_member(actor)
        client_id = client_id_of(client_id)
        cmd = load(schemas.ClientSetting(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            store.settings.set_client(tx.session, actor.practice_id, client_id,
                                      cmd["enabled"], actor.id, now)
            practice = store.settings.practice(tx.session, actor.practice_id)
            result = {"client_id": client_id, "enabled": cmd["enabled"],
                      "practice_enabled": bool(practice and practice.enabled)}
        log.info("client messaging switched", extra={"client_id": client_id,
                                                     "enabled": cmd["enabled"]})
        return result
