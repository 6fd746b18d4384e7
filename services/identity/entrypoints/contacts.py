"""The client contact network (docs/identity.md, "Contacts and grants").

A contact is a login of its own kind acting for clients through grants; a client portal
account may hold grants too (a client who is also a guardian keeps one sign-in). Grants
are chosen per client by staff with `manage_portal_access`, and every change is audited
and announced (`grant.changed`). Anything that takes access away revokes the holder's
sessions in the same transaction.
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, InvalidInput, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, grants, invitations, roles
from services.identity.entrypoints.lookups import (
    account_of,
    contact_of,
    flush_or_conflict,
    practice_of,
)
from services.identity.entrypoints.passwords import first_password_link
from services.identity.entrypoints.revocation import end_sessions
from services.identity.models import AccountClient, Contact

_HOLDER_COLUMN = {accounts.CONTACT: "contact_id", accounts.CLIENT: "account_id"}


class ContactEntrypoints:
    """Contacts, and the grants contacts and client accounts hold."""

    @rpc(expected_exceptions=EXPECTED)
    def create_contact(self, actor, payload):
        """Staff `manage_portal_access`: {email, name} → *contact* with status "invited".
        Emails a single-use link (the practice's `invitation_days`) with which the contact
        chooses a password (`contact.invited`, private). Conflict `login_taken` when a
        client account or another contact of the practice signs in with that email."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.contacts.CreateContact(), payload)
        email, now = accounts.normalize_login(cmd["email"]), self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            if store.client_accounts.login_taken(tx.session, practice.id, email):
                if store.client_accounts.by_login(tx.session, practice.id, email) is not None:
                    # one person, one sign-in: the client's own login holds the grants
                    raise Conflict("login_taken", "That email is a client's own portal "
                                   "sign-in: give that client's portal account the access "
                                   "instead, so they keep one sign-in.",
                                   {"email": ["This email is a client's portal sign-in."]})
                raise Conflict("login_taken", "Someone already signs in to this practice's "
                               "portal with that email address.",
                               {"email": ["This email is already used to sign in."]})
            contact = Contact(practice_id=practice.id, email=email, name=cmd["name"],
                              password_hash=None, status=accounts.INVITED,
                              must_change_password=False, created_at=now, created_by=actor.id)
            tx.session.add(contact)
            flush_or_conflict(tx.session)
            self._invite_contact(tx, actor, practice, contact, now, resend=False)
            store.audit.record(tx.session, "contact_created", now, practice.id,
                               actor=(actor.kind, actor.id),
                               subject=(accounts.CONTACT, contact.id))
            return store.contacts.view(tx.session, contact, practice, now)

    @rpc(expected_exceptions=EXPECTED)
    def resend_contact_invitation(self, actor, payload):
        """Staff `manage_portal_access`: {contact_id} sends a new link (the older one stops
        working) → *contact*. Only while the contact is "invited" (Conflict
        `already_signed_up`); TooManyRequests `resend_too_soon` within five minutes."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.contacts.ContactRef(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            contact = contact_of(tx.session, actor, cmd["contact_id"])
            if contact.status != accounts.INVITED:
                raise Conflict("already_signed_up", "This contact has already chosen a "
                               "password. Send a password reset instead.")
            last = store.resets.latest(tx.session, accounts.CONTACT, contact.id)
            if last is not None:
                invitations.check_resend(last.created_at, now)
            self._invite_contact(tx, actor, practice, contact, now, resend=True)
            return store.contacts.view(tx.session, contact, practice, now)

    @rpc(expected_exceptions=EXPECTED)
    def get_contact(self, actor, contact_id):
        """Staff `view_clients`: *contact* (with its grants), or NotFound `no_contact`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        now = self.clock()
        with self.db.read() as session:
            practice = practice_of(session, actor)
            return store.contacts.view(session, contact_of(session, actor, contact_id),
                                       practice, now)

    @rpc(expected_exceptions=EXPECTED)
    def list_contacts(self, actor, payload=None):
        """Staff `view_clients`: {client_id?} → {items: [*contact*]} by name; with
        `client_id`, only the contacts holding a grant for that client, and `accounts`:
        the client portal accounts holding one (as `get_account_clients`)."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        cmd = load(schemas.contacts.ListContacts(), payload)
        now = self.clock()
        with self.db.read() as session:
            practice = practice_of(session, actor)
            found = {"items": [store.contacts.view(session, c, practice, now)
                               for c in store.contacts.of_practice(session, practice.id,
                                                                   cmd["client_id"])]}
            if cmd["client_id"]:
                found["accounts"] = [
                    store.client_accounts.view(session, a, practice, now)
                    for a in store.grants.accounts_holding(session, practice.id,
                                                           cmd["client_id"])]
            return found

    @rpc(expected_exceptions=EXPECTED)
    def grant_access(self, actor, payload):
        """Staff `manage_portal_access` + `view_clients`: {contact_id | account_id,
        client_id, permissions, renewed_until?} creates or replaces the grant of a contact,
        or of a client portal account, for that client → *grant*. identity asks charts
        once (before writing) for the client's name and date of birth and keeps them on
        the grant; a grant made while the client is a minor follows the age bands. Emits
        `grant.changed`; when this takes anything away (a permission, or an earlier
        `renewed_until`) the holder's sessions are revoked (`session.revoked`, reason
        `grant_narrowed`). An account's own or linked client: Conflict `already_linked`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.contacts.GrantAccess(), payload)
        permissions = grants.normalize(cmd["permissions"])
        if not permissions:
            sentence = "Choose at least one permission, or revoke the access instead."
            raise InvalidInput("permissions_required", sentence, {"permissions": [sentence]})
        with self.db.read() as session:
            self._holder(session, actor, cmd)       # cheap refusal first
        chart = self.charts.get_client(actor.to_wire(), cmd["client_id"])   # before the write
        dob = grants.parse_date(chart.get("date_of_birth"))
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            kind, holder = self._holder(tx.session, actor, cmd)
            model = store.grants.GRANT_MODEL[kind]
            grant = tx.session.get(model, (holder.id, cmd["client_id"]))
            today = grants.local_today(now, practice.time_zone)
            if grant is None:
                change, narrowed = "granted", False
                grant = model(client_id=cmd["client_id"], practice_id=practice.id,
                              granted_at=now, guardian=grants.is_guardian_grant(
                                  dob, today, practice.guardian_access_ends_at_age),
                              **{_HOLDER_COLUMN[kind]: holder.id})
                tx.session.add(grant)
            else:
                change = "changed"
                old_until, new_until = grant.renewed_until, cmd["renewed_until"]
                narrowed = grants.narrows(grant.permissions, permissions) or (
                    old_until is not None and (new_until is None or new_until < old_until))
            grant.permissions, grant.renewed_until = permissions, cmd["renewed_until"]
            grant.client_name, grant.client_date_of_birth = accounts.chart_name(chart), dob
            grant.updated_at, grant.updated_by = now, actor.id
            tx.session.flush()
            self._grant_changed(tx, actor, grant, change, narrowed, now)
            return store.grants.view(grant, practice, now)

    @rpc(expected_exceptions=EXPECTED)
    def revoke_access(self, actor, payload):
        """Staff `manage_portal_access`: {contact_id | account_id, client_id} removes the
        grant and revokes the holder's sessions → *contact* (or, for an account, as
        `get_account_clients`). NotFound `no_grant`. Emits `grant.changed` (change
        "revoked", permissions []) and `session.revoked`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.contacts.RevokeAccess(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            kind, holder = self._holder(tx.session, actor, cmd, granting=False)
            grant = tx.session.get(store.grants.GRANT_MODEL[kind], (holder.id, cmd["client_id"]))
            if grant is None:
                raise NotFound("no_grant", "This person has no access to that client.")
            tx.session.delete(grant)
            grant.permissions, grant.renewed_until = [], None
            self._grant_changed(tx, actor, grant, "revoked", True, now)
            tx.session.flush()
            if kind == accounts.CLIENT:
                return store.client_accounts.view(tx.session, holder, practice, now)
            return store.contacts.view(tx.session, holder, practice, now)

    @rpc(expected_exceptions=EXPECTED)
    def set_contact_status(self, actor, payload):
        """Staff `manage_portal_access`: {contact_id, status: active|suspended|inactive}
        → *contact*. Leaving "active" revokes every session; an "invited" contact can
        only be made inactive (Conflict `not_signed_up` otherwise). Emits
        `contact.status_changed`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.contacts.SetContactStatus(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            contact = contact_of(tx.session, actor, cmd["contact_id"])
            old = contact.status
            if old == accounts.INVITED and cmd["status"] != accounts.INACTIVE:
                raise Conflict("not_signed_up", "This contact has not chosen a password yet.")
            if old != cmd["status"]:
                contact.status, contact.status_changed_at = cmd["status"], now
                if old == accounts.INVITED:          # the open link must stop working
                    for link in store.resets.unused(tx.session, accounts.CONTACT, contact.id):
                        link.used_at = now
                events.CONTACT_STATUS_CHANGED.record(tx, actor, {"contact_id": contact.id,
                                                                 "status": contact.status})
                if cmd["status"] != accounts.ACTIVE:
                    end_sessions(tx, actor, accounts.CONTACT, contact, now, contact.status)
                store.audit.record(tx.session, "contact_status_changed", now, practice.id,
                                   actor=(actor.kind, actor.id),
                                   subject=(accounts.CONTACT, contact.id),
                                   old_status=old, status=contact.status)
            return store.contacts.view(tx.session, contact, practice, now)

    def _holder(self, session, actor, cmd, granting=True):
        """(kind, row) of the grant's holder named by `contact_id` or `account_id`. An
        account already acts with full rights for its own and linked clients: a grant
        there would mean nothing (Conflict `already_linked`)."""
        if cmd.get("contact_id"):
            return accounts.CONTACT, contact_of(session, actor, cmd["contact_id"])
        account = account_of(session, actor, cmd["account_id"])
        if granting and (account.client_id == cmd["client_id"] or session.get(
                AccountClient, (account.id, cmd["client_id"])) is not None):
            raise Conflict("already_linked", "This account already acts for that client with "
                           "full rights (its own chart or a linked one).",
                           {"client_id": ["This account already reaches this client."]})
        return accounts.CLIENT, account

    def _grant_changed(self, tx, actor, grant, change, narrowed, now):
        kind = grant.holder_kind
        data = {"holder_kind": kind,
                "contact_id": grant.holder_id if kind == accounts.CONTACT else None,
                "account_id": grant.holder_id if kind == accounts.CLIENT else None,
                "client_id": grant.client_id, "permissions": list(grant.permissions),
                "renewed_until": grant.renewed_until.isoformat() if grant.renewed_until
                else None, "change": change}
        events.GRANT_CHANGED.record(tx, actor, data)
        store.audit.record(tx.session, "grant_changed", now, grant.practice_id,
                           actor=(actor.kind, actor.id), subject=(kind, grant.holder_id),
                           client_id=grant.client_id, change=change,
                           permissions=list(grant.permissions), narrowed=narrowed)
        if narrowed:
            holder = tx.session.get(store.principals.MODEL[kind], grant.holder_id)
            end_sessions(tx, actor, kind, holder, now, "grant_narrowed")

    def _invite_contact(self, tx, actor, practice, contact, now, resend):
        link, path = first_password_link(tx, actor, practice, accounts.CONTACT, contact, now)
        events.CONTACT_INVITED.record(tx, actor, {
            "contact_id": contact.id, "email": contact.email, "practice_name": practice.name,
            **events.portal_address(practice), "link_path": path,
            "expires_at": link.expires_at.isoformat(), "resend": resend})
        store.audit.record(tx.session, "contact_invited", now, practice.id,
                           actor=(actor.kind, actor.id), subject=(accounts.CONTACT, contact.id),
                           resend=resend)
