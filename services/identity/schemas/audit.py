"""The audit log as staff read it."""
from datetime import timezone

from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema
from services.identity.schemas.shared_fields import iso


class ListAudit(StrictSchema):
    action = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    actor_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    subject_id = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=36))
    since = fields.AwareDateTime(load_default=None, allow_none=True,
                                 default_timezone=timezone.utc)
    until = fields.AwareDateTime(load_default=None, allow_none=True,
                                 default_timezone=timezone.utc)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditOut(Schema):
    id = fields.String()
    occurred_at = fields.Function(lambda a: iso(a.occurred_at))
    action = fields.String()
    actor_kind = fields.String(allow_none=True)
    actor_id = fields.String(allow_none=True)
    subject_kind = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    session_id = fields.String(allow_none=True)
    source_ip = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)


def audit_out(row, names):
    """One audit row with the display names of its actor and subject (`names`:
    `store.audit_names`), null where identity knows none. For staff eyes only."""
    return dict(AuditOut().dump(row),
                actor_name=names.get((row.actor_kind, row.actor_id)),
                subject_name=names.get((row.subject_kind, row.subject_id)))
