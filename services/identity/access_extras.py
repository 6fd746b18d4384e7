"""Entrypoints of the smaller portal-access tools (docs/identity.md): the safe word staff
check before a phone reset, cancelling a pending invitation, and for notify a contact's
email and who hears of a change to a client (`list_notice_recipients`).

A mixin of IdentityService (which supplies `db`, `clock` and the helpers `_practice`).
Reading a safe word is audited like changing it: it is a secret shown to staff.
"""
from nameko.rpc import rpc

from services.common.actor import Actor
from services.common.errors import EXPECTED, Forbidden, NotFound
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, invitations, roles

NO_LOGIN = ("no_portal_access", "This client has no portal access yet.")


class AccessExtrasEntrypoints:

    # -- safe word -----------------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def set_safe_word(self, actor, payload):
        """Staff `manage_portal_access`: {client_id, safe_word (1–60 characters, blanks
        collapsed) | null to clear, source_ip?} → {client_id, safe_word_set, updated_at}.
        The word is stored encrypted and never put in an event or a log; the audit row
        `safe_word_changed` says only whether it was set or cleared. NotFound
        `no_portal_access` when the client has no login."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.SetSafeWord(), payload)
        word = " ".join(cmd["safe_word"].split()) if cmd["safe_word"] is not None else None
        now = self.clock()
        with self.db.transaction() as tx:
            account = store.client_access(tx.session, actor.practice_id, cmd["client_id"],
                                          for_update=True)
            if account is None:
                raise NotFound(*NO_LOGIN)
            account.safe_word, account.safe_word_updated_at = word, now
            store.audit(tx.session, "safe_word_changed", now, account.practice_id,
                        actor=(actor.kind, actor.id), subject=(store.CLIENT, account.id),
                        source_ip=cmd["source_ip"], change="set" if word else "cleared")
            return {"client_id": account.client_id, "safe_word_set": word is not None,
                    "updated_at": now.isoformat()}

    @rpc(expected_exceptions=EXPECTED)
    def get_safe_word(self, actor, client_id):
        """Staff `manage_portal_access` (the staff who reset passwords over the phone):
        → {client_id, safe_word (null when none was set), updated_at}. Every read is
        audited (`safe_word_viewed`). NotFound `no_portal_access`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        now = self.clock()
        with self.db.transaction() as tx:
            account = store.client_access(tx.session, actor.practice_id, client_id)
            if account is None:
                raise NotFound(*NO_LOGIN)
            store.audit(tx.session, "safe_word_viewed", now, account.practice_id,
                        actor=(actor.kind, actor.id), subject=(store.CLIENT, account.id),
                        found=account.safe_word is not None)
            return {"client_id": account.client_id, "safe_word": account.safe_word,
                    "updated_at": account.safe_word_updated_at.isoformat()
                    if account.safe_word_updated_at else None}

    # -- invitations ---------------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def cancel_invitation(self, actor, payload):
        """Staff `manage_portal_access`: {client_id} withdraws the client's pending
        invitation (its link answers `invitation_cancelled` from now on) → the status of
        `get_portal_access_status`, `status: "cancelled"`, `resend_at` null: a new
        invitation may be sent at once. NotFound `no_pending_invitation` when there is
        none pending (accepted, locked, expired or never sent). Emits
        `invitation.cancelled`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.CancelInvitation(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            pending = [i for i in store.pending_invitations(tx.session, practice.id,
                                                            cmd["client_id"])
                       if not invitations.is_expired(i, now)]
            if not pending:
                raise NotFound("no_pending_invitation",
                               "This client has no invitation waiting to be used.")
            for invitation in pending:
                invitation.status = invitations.CANCELLED
                invitation.cancelled_at, invitation.cancelled_by = now, actor.id
                events.INVITATION_CANCELLED.record(tx, actor, {
                    "invitation_id": invitation.id, "client_id": invitation.client_id})
                store.audit(tx.session, "invitation_cancelled", now, practice.id,
                            actor=(actor.kind, actor.id), subject=("client", cmd["client_id"]),
                            invitation_id=invitation.id)
            tx.session.flush()
            account = store.client_access(tx.session, practice.id, cmd["client_id"])
            latest = store.latest_invitation(tx.session, practice.id, cmd["client_id"])
            return dict(invitations.access_status(account, latest, now),
                        client_id=cmd["client_id"])

    # -- for notify ----------------------------------------------------------------------------
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
            holder = store.principal_row(session, store.CONTACT, contact_id, actor.practice_id)
            if holder is None:
                holder = store.principal_row(session, store.CLIENT, contact_id,
                                             actor.practice_id)
            if holder is None:
                raise NotFound("no_contact", "There is no such contact.")
            return {"contact_id": holder.id, "email": store.login_of(holder),
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
        cmd = load(schemas.NoticeRecipients(), payload)
        now = self.clock()
        with self.db.read() as session:
            practice = self._practice(session, actor)
            found = store.notice_recipients(session, practice, cmd["client_id"],
                                            cmd["permission"], now)
        return {"client_id": cmd["client_id"], "permission": cmd["permission"],
                "emails": sorted({login.lower() for _, _, login in found})}
