"""The envelope every Haven event travels in (ARCHITECTURE.md, "Envelope")."""
import uuid

from marshmallow import Schema, fields

from services.common.times import utcnow


class ActorRef(Schema):
    kind = fields.String(required=True)
    id = fields.String(required=True, allow_none=True)


class Envelope(Schema):
    """Published in the event catalog (docs/events.md); bump `version` on a breaking change."""
    id = fields.String(required=True, metadata={"description": "uuid; consumers skip one they have handled"})
    type = fields.String(required=True, metadata={"description": "noun.past_tense, also the routing key"})
    version = fields.Integer(required=True)
    occurred_at = fields.String(required=True, metadata={"description": "UTC ISO-8601"})
    practice_id = fields.String(required=True, allow_none=True)
    actor = fields.Nested(ActorRef, required=True)
    data = fields.Dict(required=True)


def build(type_, data, actor, version=1, practice_id=None):
    """An envelope for `data`, caused by `actor` (an Actor)."""
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "version": version,
        "occurred_at": utcnow().isoformat(),
        "practice_id": practice_id if practice_id is not None else actor.practice_id,
        "actor": actor.to_event_actor(),
        "data": data,
    }
