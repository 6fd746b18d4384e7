"""Who is asking: the actor context every RPC that touches practice data takes first.

The gateway builds it from the verified session; each service checks it again for
what it owns (ARCHITECTURE.md, "Who may do what").
"""
import contextvars
from dataclasses import dataclass, field

from services.common.errors import Forbidden, NotFound

CLIENT = "client"        # a client's own portal account
CONTACT = "contact"      # a guardian / responsible party acting through grants
STAFF = "staff"
SYSTEM = "system"
KINDS = (CLIENT, CONTACT, STAFF, SYSTEM)

# The address of the person behind the RPC being served, set per worker from its actor
# context (services.common.logs.CorrelationId), so an audit row can name it without every
# entrypoint passing it along.
source_ip = contextvars.ContextVar("source_ip", default=None)


@dataclass(frozen=True)
class Actor:
    practice_id: str
    kind: str
    id: str
    roles: tuple = ()
    # client_id -> permissions this actor holds for that client ("*" = all)
    clients: dict = field(default_factory=dict)
    permissions: tuple = ()   # staff permissions resolved from roles
    correlation_id: str = None
    source_ip: str = None     # the address the gateway received the request from

    @classmethod
    def from_wire(cls, wire):
        if isinstance(wire, Actor):
            return wire
        if not isinstance(wire, dict) or wire.get("kind") not in KINDS:
            raise Forbidden("bad_actor", "The request does not say who is asking.")
        return cls(
            practice_id=wire.get("practice_id"),
            kind=wire["kind"],
            id=wire.get("id"),
            roles=tuple(wire.get("roles") or ()),
            clients={k: tuple(v) for k, v in (wire.get("clients") or {}).items()},
            permissions=tuple(wire.get("permissions") or ()),
            correlation_id=wire.get("correlation_id"),
            source_ip=wire.get("source_ip"),
        )

    def to_wire(self):
        return {
            "practice_id": self.practice_id, "kind": self.kind, "id": self.id,
            "roles": list(self.roles),
            "clients": {k: list(v) for k, v in self.clients.items()},
            "permissions": list(self.permissions),
            "correlation_id": self.correlation_id,
            "source_ip": self.source_ip,
        }

    def to_event_actor(self):
        """What an event says of who caused it: no permissions, no client list."""
        return {"kind": self.kind, "id": self.id}

    @classmethod
    def system(cls, practice_id=None, correlation_id=None):
        return cls(practice_id=practice_id, kind=SYSTEM, id="system",
                   correlation_id=correlation_id)

    @property
    def is_staff(self):
        return self.kind == STAFF

    @property
    def is_system(self):
        return self.kind == SYSTEM

    def require_practice(self, practice_id):
        """A row of another practice is reported as missing, never as forbidden."""
        if not self.is_system and practice_id != self.practice_id:
            raise NotFound("not_found", "That record does not exist.")

    def may_act_for(self, client_id, permission=None):
        if self.is_system:
            return True
        if self.is_staff:
            return True  # staff reach every client of their own practice
        held = self.clients.get(client_id)
        if held is None:
            return False
        return permission is None or "*" in held or permission in held

    def require_client(self, client_id, permission=None):
        """Clients and contacts reach only the clients their grants name."""
        if client_id not in self.clients and not (self.is_staff or self.is_system):
            raise NotFound("not_found", "That record does not exist.")
        if not self.may_act_for(client_id, permission):
            raise Forbidden("not_permitted",
                            "Your access to this person does not include that.")

    def require_staff(self, permission=None):
        if self.is_system:
            return
        if not self.is_staff:
            raise Forbidden("staff_only", "Only the practice's staff can do that.")
        if permission and permission not in self.permissions:
            raise Forbidden("not_permitted",
                            "Your role does not allow that. Ask a practice administrator.")
