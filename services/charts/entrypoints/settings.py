"""charts' practice settings: read by any actor of the practice, saved by its
administrators."""
from services.charts import events, schemas, store
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict
from services.common.rpc import rpc
from services.common.schemas import load
from services.common.times import utcnow


class SettingsEntrypoints:
    @rpc(expected_exceptions=EXPECTED)
    def get_settings(self, actor):
        """charts' settings of the actor's practice (any actor of the practice):
        `{allow_clients_update_insurance, client_uploads_enabled, extra_fields, version}`."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            return store.settings.settings_for(session, actor.practice_id)

    @rpc(expected_exceptions=EXPECTED)
    def update_settings(self, actor, payload):
        """Practice administrators (staff `manage_practice_settings`): partial update, optional
        `version` (stale → Conflict("stale_version")). Returns the settings and emits
        `settings.updated` with them (the gateway caches settings)."""
        actor = Actor.from_wire(actor)
        actor.require_staff("manage_practice_settings")
        cmd = load(schemas.settings.UpdateSettings(), payload)
        read_version = cmd.pop("version", None)
        with self.db.transaction() as tx:
            row = store.settings.settings_for_update(tx.session, actor.practice_id)
            if read_version is not None and read_version != row.version:
                raise Conflict("stale_version", "The settings were changed by someone else. "
                               "Review them and save again.")
            for key, value in cmd.items():
                setattr(row, key, value)
            row.version += 1
            row.updated_at = utcnow()
            result = store.settings.settings_dict(row)
            events.SETTINGS_UPDATED.record(tx, actor, result)
            return result
