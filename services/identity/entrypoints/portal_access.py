"""A client's own portal login, as staff manage it (docs/identity.md, "Client portal
access"): a staff-set login, its status, the access status beside invitations, and the
safe word staff check before a phone reset. Reading a safe word is audited like changing
it: it is a secret shown to staff.
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, invitations, roles
from services.identity.entrypoints.lookups import (
    flush_or_conflict,
    practice_of,
    refuse_duplicate_access,
)
from services.identity.entrypoints.passwords import check_password
from services.identity.entrypoints.revocation import stop_access
from services.identity.entrypoints.sentences import NO_LOGIN, NOT_FOUND
from services.identity.models import ClientAccount


class PortalAccessEntrypoints:
    """Staff give, suspend, restore and look at a client's portal access."""

    @rpc(expected_exceptions=EXPECTED)
    def create_client_access(self, actor, payload):
        """Staff `manage_portal_access`: give a charts client a portal login →
        {account_id, client_id, login, status, must_change_password, created_at,
        last_sign_in_at}. Conflict `login_taken` / `access_exists`; the temporary password
        must pass the password rules (InvalidInput naming `temporary_password`).
        Emits `account.created`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.portal_access.CreateClientAccess(), payload)
        login = accounts.normalize_login(cmd["login"])
        check_password("temporary_password", cmd["temporary_password"], login,
                       cmd["client_name"])
        password_hash = self.passwords.hash(cmd["temporary_password"])
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            refuse_duplicate_access(tx.session, practice.id, cmd["client_id"], login)
            account = ClientAccount(
                practice_id=practice.id, client_id=cmd["client_id"], login=login,
                client_name=cmd["client_name"], password_hash=password_hash,
                status=cmd["status"], must_change_password=cmd["change_password_at_next_login"],
                created_at=now, created_by=actor.id, date_of_birth=cmd["date_of_birth"])
            if cmd["safe_word"] is not None:
                account.safe_word = " ".join(cmd["safe_word"].split())
                account.safe_word_updated_at = now
            tx.session.add(account)
            flush_or_conflict(tx.session)
            events.ACCOUNT_CREATED.record(tx, actor, {
                "account_id": account.id, "client_id": account.client_id,
                "practice_name": practice.name, **events.portal_address(practice),
                "login": login, "status": account.status, "via": "staff"})
            store.audit.record(tx.session, "access_created", now, practice.id,
                               actor=(actor.kind, actor.id), subject=(accounts.CLIENT, account.id),
                               status=account.status,
                               must_change_password=account.must_change_password,
                               safe_word_set=account.safe_word is not None)
            return schemas.portal_access.ClientAccessOut().dump(account)

    @rpc(expected_exceptions=EXPECTED)
    def set_client_access_status(self, actor, payload):
        """Staff `manage_portal_access`: {client_id, status, change_password_at_next_login?}.
        Suspending or inactivating ends every session of the account and emits
        `account.suspended` and `session.revoked` in the same transaction."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.portal_access.SetClientAccessStatus(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            account = store.client_accounts.of_client(tx.session, actor.practice_id,
                                                      cmd["client_id"], for_update=True)
            if account is None:
                raise NotFound(*NOT_FOUND)
            old = account.status
            if cmd["change_password_at_next_login"] is not None:
                account.must_change_password = cmd["change_password_at_next_login"]
            if old != cmd["status"]:
                account.status, account.status_changed_at = cmd["status"], now
            if accounts.ends_sessions(old, cmd["status"]):
                stop_access(tx, actor, account, now)
            store.audit.record(tx.session, "access_status_changed", now, account.practice_id,
                               actor=(actor.kind, actor.id), subject=(accounts.CLIENT, account.id),
                               old_status=old, status=account.status,
                               must_change_password=account.must_change_password)
            return schemas.portal_access.ClientAccessOut().dump(account)

    @rpc(expected_exceptions=EXPECTED)
    def get_client_access(self, actor, client_id):
        """Staff `view_clients`: the client's portal access, or NotFound."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        with self.db.read() as session:
            account = store.client_accounts.of_client(session, actor.practice_id, client_id)
            if account is None:
                raise NotFound("no_portal_access", "This client has no portal access yet.")
            return schemas.portal_access.ClientAccessOut().dump(account)

    @rpc(expected_exceptions=EXPECTED)
    def get_portal_access_status(self, actor, client_id):
        """Staff `view_clients`: {client_id, status, invited_at, expires_at, resend_at,
        signed_up_at, login, last_sign_in_at, account_id, account_status}; status one of
        never_invited, sent, expired, locked, signed_up, suspended, access_removed."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        now = self.clock()
        with self.db.read() as session:
            account = store.client_accounts.of_client(session, actor.practice_id, client_id)
            invitation = store.invitations.latest(session, actor.practice_id, client_id)
            return dict(invitations.access_status(account, invitation, now), client_id=client_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_portal_access(self, actor, payload=None):
        """Staff `view_clients`: {status?, limit?, offset?} → {items: [status as
        get_portal_access_status], total}, newest activity first, of every client the
        practice has invited or given a login (`never_invited` clients are those of
        charts.list_clients missing here)."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        cmd = load(schemas.portal_access.ListPortalAccess(), payload)
        now = self.clock()
        with self.db.read() as session:
            rows = store.invitations.portal_access_rows(session, actor.practice_id)
            items = [dict(invitations.access_status(account, inv, now), client_id=client_id)
                     for client_id, (account, inv) in rows.items()]
        if cmd["status"]:
            items = [i for i in items if i["status"] == cmd["status"]]
        items.sort(key=lambda i: (i["signed_up_at"] or i["invited_at"] or "", i["client_id"]),
                   reverse=True)
        return {"items": items[cmd["offset"]:cmd["offset"] + cmd["limit"]], "total": len(items)}

    @rpc(expected_exceptions=EXPECTED)
    def set_safe_word(self, actor, payload):
        """Staff `manage_portal_access`: {client_id, safe_word (1–60 characters, blanks
        collapsed) | null to clear, source_ip?} → {client_id, safe_word_set, updated_at}.
        The word is stored encrypted and never put in an event or a log; the audit row
        `safe_word_changed` says only whether it was set or cleared. NotFound
        `no_portal_access` when the client has no login."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.portal_access.SetSafeWord(), payload)
        word = " ".join(cmd["safe_word"].split()) if cmd["safe_word"] is not None else None
        now = self.clock()
        with self.db.transaction() as tx:
            account = store.client_accounts.of_client(tx.session, actor.practice_id,
                                                      cmd["client_id"], for_update=True)
            if account is None:
                raise NotFound(*NO_LOGIN)
            account.safe_word, account.safe_word_updated_at = word, now
            store.audit.record(tx.session, "safe_word_changed", now, account.practice_id,
                               actor=(actor.kind, actor.id), subject=(accounts.CLIENT, account.id),
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
            account = store.client_accounts.of_client(tx.session, actor.practice_id, client_id)
            if account is None:
                raise NotFound(*NO_LOGIN)
            store.audit.record(tx.session, "safe_word_viewed", now, account.practice_id,
                               actor=(actor.kind, actor.id), subject=(accounts.CLIENT, account.id),
                               found=account.safe_word is not None)
            return {"client_id": account.client_id, "safe_word": account.safe_word,
                    "updated_at": account.safe_word_updated_at.isoformat()
                    if account.safe_word_updated_at else None}
