"""Linked clients: one client portal sign-in acting for further clients whose charts
carry the same email (a parent's own login and their children's charts).
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, roles
from services.identity.entrypoints.lookups import account_of, flush_or_conflict
from services.identity.entrypoints.revocation import end_sessions
from services.identity.models import AccountClient


class LinkedClientEntrypoints:
    """Staff link and unlink clients to a portal account."""

    @rpc(expected_exceptions=EXPECTED)
    def link_client(self, actor, payload):
        """Staff `manage_portal_access` + `view_clients`: {account_id, client_id} lets the
        account act for a further client whose chart carries the account's email →
        `get_account_clients`. Conflict `email_mismatch` / `access_exists`; NotFound
        `no_portal_access` for an unknown account. Emits `account.client_linked`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.portal_access.LinkClient(), payload)
        with self.db.read() as session:
            account = account_of(session, actor, cmd["account_id"])
            if store.client_accounts.client_reached(session, actor.practice_id, cmd["client_id"]):
                raise Conflict("access_exists", "This client already has portal access.")
        chart = self.charts.get_client(actor.to_wire(), cmd["client_id"])  # before the write
        if accounts.normalize_login(chart.get("email")) != account.login:
            raise Conflict("email_mismatch", "Only a client whose chart carries this "
                           "account's email address can be linked to it.",
                           {"client_id": ["The email on this client's chart differs from "
                                          "the account's sign-in."]})
        name = " ".join(p for p in (chart.get("first_name"), chart.get("last_name")) if p)
        now = self.clock()
        with self.db.transaction() as tx:
            account = account_of(tx.session, actor, cmd["account_id"])
            if store.client_accounts.client_reached(tx.session, actor.practice_id,
                                                    cmd["client_id"]):
                raise Conflict("access_exists", "This client already has portal access.")
            tx.session.add(AccountClient(account_id=account.id, client_id=cmd["client_id"],
                                         practice_id=account.practice_id, client_name=name,
                                         linked_at=now, linked_by=actor.id))
            flush_or_conflict(tx.session)
            events.CLIENT_LINKED.record(tx, actor, {"account_id": account.id,
                                                    "client_id": cmd["client_id"]})
            store.audit.record(tx.session, "client_linked", now, account.practice_id,
                               actor=(actor.kind, actor.id), subject=(accounts.CLIENT, account.id),
                               client_id=cmd["client_id"])
            return store.client_accounts.view(tx.session, account)

    @rpc(expected_exceptions=EXPECTED)
    def unlink_client(self, actor, payload):
        """Staff `manage_portal_access`: {account_id, client_id} removes the account's
        access to that linked client and ends every session of the account → as
        `get_account_clients`. NotFound `not_linked`; Conflict `own_client` for the
        account's own client (use `set_client_access_status`). Emits
        `account.client_unlinked` and `session.revoked`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.portal_access.LinkClient(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            account = account_of(tx.session, actor, cmd["account_id"])
            if account.client_id == cmd["client_id"]:
                raise Conflict("own_client", "This is the account's own chart: remove or "
                               "suspend the account's access instead.")
            link = tx.session.get(AccountClient, (account.id, cmd["client_id"]))
            if link is None:
                raise NotFound("not_linked", "That client is not linked to this account.")
            tx.session.delete(link)
            events.CLIENT_UNLINKED.record(tx, actor, {"account_id": account.id,
                                                      "client_id": cmd["client_id"]})
            end_sessions(tx, actor, accounts.CLIENT, account, now, "unlinked")
            store.audit.record(tx.session, "client_unlinked", now, account.practice_id,
                               actor=(actor.kind, actor.id), subject=(accounts.CLIENT, account.id),
                               client_id=cmd["client_id"])
            tx.session.flush()
            return store.client_accounts.view(tx.session, account)

    @rpc(expected_exceptions=EXPECTED)
    def get_account_clients(self, actor, account_id):
        """Staff `view_clients`: {account_id, login, status, clients: [{client_id, name,
        own, linked_at}]} — the account's own client first."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        with self.db.read() as session:
            return store.client_accounts.view(session, account_of(session, actor, account_id))
