"""What notify asks identity, one hop, to tell people something (docs/identity.md, "For
notify"): an address, a practice's portal, who holds a permission for a client. Only
Haven's own services (a system actor) may ask; the answers are never put in an event.
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Forbidden, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts
from services.identity.entrypoints.lookups import practice_of
from services.identity.models import Practice


class NoticeEntrypoints:
    """Addresses for notify."""

    @rpc(expected_exceptions=EXPECTED)
    def get_notice_address(self, actor, payload):
        """*system* (notify, one hop): {kind: client|contact, id} → {kind, id, email,
        practice_name, portal_path}: where to tell a person that some of their access
        ended (a grant revoked, a linked client unlinked, their login ended), whatever
        their status now. Never put in an event. Forbidden `system_only`; NotFound
        `no_login`."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven's own services can ask that.")
        cmd = load(schemas.notices.NoticeAddress(), payload)
        with self.db.read() as session:
            row = store.principals.get(session, cmd["kind"], cmd["id"], actor.practice_id)
            if row is None:
                raise NotFound("no_login", "That person has no sign-in.")
            practice = session.get(Practice, row.practice_id)
            data = events.email_data(practice, store.principals.login_of(row))
            return {"kind": cmd["kind"], "id": row.id, "email": data.pop("login"), **data}

    @rpc(expected_exceptions=EXPECTED)
    def get_practice_address(self, actor):
        """*system* (notify, one hop): {practice_name, portal_path, portal_subdomain} of
        the actor's practice — what an email about something new in the portal names and
        links to (notify's `portal_url` builds the link). Forbidden `system_only`;
        NotFound when the practice does not exist."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven's own services can ask that.")
        with self.db.read() as session:
            practice = session.get(Practice, actor.practice_id) if actor.practice_id else None
            if practice is None:
                raise NotFound("not_found", "That practice does not exist.")
            return {"practice_name": practice.name, **events.portal_address(practice)}

    @rpc(expected_exceptions=EXPECTED)
    def get_contact_email(self, actor, contact_id):
        """*system* (notify, one hop): {contact_id, email, may_email} of a contact of the
        actor's practice, to tell them something is new. `may_email` is true only while
        the contact can sign in (status active). A document may also be shared with a
        client portal account that holds a grant (charts' `contact_id` names the grant's
        holder): then its login. Never put in an event. Forbidden `system_only`; NotFound
        `no_contact`."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven's own services can ask that.")
        with self.db.read() as session:
            holder = store.principals.get(session, accounts.CONTACT, contact_id, actor.practice_id)
            if holder is None:
                holder = store.principals.get(session, accounts.CLIENT, contact_id,
                                              actor.practice_id)
            if holder is None:
                raise NotFound("no_contact", "There is no such contact.")
            return {"contact_id": holder.id, "email": store.principals.login_of(holder),
                    "may_email": accounts.can_sign_in(holder.status)}

    @rpc(expected_exceptions=EXPECTED)
    def list_notice_recipients(self, actor, payload):
        """*system* (notify, one hop): {client_id, permission} → {client_id, permission,
        emails: [sign-in address]} of everyone who holds `permission` for that client of
        the actor's practice **today** (the age bands on the practice's calendar date)
        and may sign in: active contacts and active client accounts whose grant allows it,
        and active accounts the client is linked to ("*"). Not the client's own login
        (charts has the client's address and preference). Lower case, each once, sorted.
        Nobody for a closed portal, a client of another practice or no one holding it.
        Never put in an event. Forbidden `system_only`; NotFound `practice_not_found`."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven's own services can ask that.")
        cmd = load(schemas.notices.NoticeRecipients(), payload)
        now = self.clock()
        with self.db.read() as session:
            practice = practice_of(session, actor)
            found = store.grants.notice_recipients(session, practice, cmd["client_id"],
                                                   cmd["permission"], now)
        return {"client_id": cmd["client_id"], "permission": cmd["permission"],
                "emails": sorted({login.lower() for _, _, login in found})}
