"""The audit log, read by staff (docs/identity.md, "Audit")."""
from services.common.actor import Actor
from services.common.errors import EXPECTED
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import schemas, store
from services.identity.domain import roles


class AuditEntrypoints:
    """Staff with `view_audit_log` read who signed in, changed or read what."""

    @rpc(expected_exceptions=EXPECTED)
    def list_audit(self, actor, payload=None):
        """Staff `view_audit_log`: {action?, actor_id?, subject_id?, since?, until?, limit?}
        → {entries: [{id, occurred_at, action, actor_kind, actor_id, actor_name,
        subject_kind, subject_id, subject_name, session_id, source_ip, detail}]} of the
        actor's practice, newest first. A name is null where identity knows none."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_AUDIT_LOG)
        cmd = load(schemas.audit.ListAudit(), payload)
        with self.db.read() as session:
            rows = store.audit.entries(session, actor.practice_id, cmd)
            names = store.audit.names(session, actor.practice_id, rows)
            return {"entries": [schemas.audit.audit_out(row, names) for row in rows]}
