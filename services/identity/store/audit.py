"""The audit log: one row per sign-in, change or secret read, and the names of whom a
page of rows is about."""
from sqlalchemy import literal, select, union_all

from services.common import actor as actor_context
from services.common.types import new_id
from services.identity.domain.accounts import CLIENT, CONTACT, STAFF
from services.identity.models import (AccountClient,
                                      AccountGrant,
                                      AuditEntry,
                                      ClientAccount,
                                      Contact,
                                      ContactGrant,
                                      StaffUser)


def record(session, action, now, practice_id=None, actor=None, subject=None, session_id=None,
           source_ip=None, **detail):
    """One audit row. `actor` and `subject` are (kind, id) pairs; `detail` codes and ids only.
    Without `source_ip`, the address of the RPC's actor context (the gateway's caller)."""
    if source_ip is None:
        source_ip = actor_context.source_ip.get()
    actor_kind, actor_id = actor or (None, None)
    subject_kind, subject_id = subject or (None, None)
    session.add(AuditEntry(id=new_id(), practice_id=practice_id, occurred_at=now, action=action,
                           actor_kind=actor_kind, actor_id=actor_id, subject_kind=subject_kind,
                           subject_id=subject_id, session_id=session_id, source_ip=source_ip,
                           detail=detail or None))


def entries(session, practice_id, cmd):
    query = select(AuditEntry).where(AuditEntry.practice_id == practice_id)
    if cmd.get("action"):
        query = query.where(AuditEntry.action == cmd["action"])
    if cmd.get("actor_id"):
        query = query.where(AuditEntry.actor_id == cmd["actor_id"])
    if cmd.get("subject_id"):
        query = query.where(AuditEntry.subject_id == cmd["subject_id"])
    if cmd.get("since"):
        query = query.where(AuditEntry.occurred_at >= cmd["since"])
    if cmd.get("until"):
        query = query.where(AuditEntry.occurred_at < cmd["until"])
    return session.scalars(query.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
                           .limit(cmd["limit"])).all()


_CLIENT_KINDS = (CLIENT, "chart")


def _client_names(practice_id, ids):
    def part(rank, key, model):
        return (select(key.label("id"), model.client_name.label("name"),
                       literal(rank).label("rank"))
                .where(model.practice_id == practice_id).where(key.in_(ids))
                .where(model.client_name != ""))
    return union_all(part(0, ClientAccount.id, ClientAccount),
                     part(1, ClientAccount.client_id, ClientAccount),
                     part(2, AccountClient.client_id, AccountClient),
                     part(3, AccountGrant.client_id, AccountGrant),
                     part(4, ContactGrant.client_id, ContactGrant))


def names(session, practice_id, rows):
    """{(kind, id): name} for the actors and subjects of a page of audit rows: one query
    per kind present (staff, contact, and client with chart together), never one per row.
    An id identity does not know (a deleted record, a chart without a portal login or
    grant) is left out; the caller shows the kind and id instead."""
    def lookup_kind(kind):
        return CLIENT if kind in _CLIENT_KINDS else kind

    pairs = {(kind, id_) for row in rows
             for kind, id_ in ((row.actor_kind, row.actor_id), (row.subject_kind, row.subject_id))
             if kind and id_}
    wanted = {}
    for kind, id_ in pairs:
        wanted.setdefault(lookup_kind(kind), set()).add(id_)
    found = {}
    for kind, model in ((STAFF, StaffUser), (CONTACT, Contact)):
        if wanted.get(kind):
            found[kind] = dict(session.execute(
                select(model.id, model.name).where(model.practice_id == practice_id)
                .where(model.id.in_(wanted[kind]))).all())
    if wanted.get(CLIENT):
        best = {}
        for id_, name, rank in session.execute(_client_names(practice_id, wanted[CLIENT])):
            if id_ not in best or rank < best[id_][0]:
                best[id_] = (rank, name)
        found[CLIENT] = {id_: name for id_, (_, name) in best.items()}
    return {(kind, id_): found[lookup_kind(kind)][id_] for kind, id_ in pairs
            if found.get(lookup_kind(kind), {}).get(id_)}
