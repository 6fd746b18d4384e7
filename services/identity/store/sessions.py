"""Sessions and their tokens: the principal a row signs in as, a new session, refresh-token
rotation and revocation."""
from sqlalchemy import select, update

from services.common.times import utcnow
from services.common.types import new_id
from services.identity.domain import roles, tokens
from services.identity.domain.accounts import CLIENT, CONTACT, STAFF
from services.identity.models import ClientAccount, Contact, RefreshToken, Session
from services.identity.store.client_accounts import linked as linked_clients
from services.identity.store.grants import granted_clients
from services.identity.store.practices import as_dict as practice_dict
from services.identity.store.staff import overrides


def principal_of(session, row, practice, now=None):
    """The tokens.Principal a row signs in as, with the practice's role overrides. The
    clients of a contact are its grants as the age bands leave them at `now`; those of a
    client account are its own chart and linked clients ("*"), then its own grants."""
    now = now or utcnow()
    if isinstance(row, Contact):
        clients, names = granted_clients(session, CONTACT, row.id, practice, now)
        return tokens.Principal(
            kind=CONTACT, id=row.id, practice_id=practice.id, practice_code=practice.code,
            name=row.name, clients=clients, client_names=names,
            must_change_password=row.must_change_password)
    if isinstance(row, ClientAccount):
        clients, names = {row.client_id: ("*",)}, {row.client_id: row.client_name or ""}
        for link in linked_clients(session, row.id):
            clients[link.client_id] = ("*",)
            names[link.client_id] = link.client_name or ""
        granted, granted_names = granted_clients(session, CLIENT, row.id, practice, now)
        for client_id, allowed in granted.items():
            if client_id not in clients:        # full rights already: a grant adds nothing
                clients[client_id] = allowed
                names[client_id] = granted_names[client_id]
        return tokens.Principal(
            kind=CLIENT, id=row.id, practice_id=practice.id, practice_code=practice.code,
            name=row.client_name or "", clients=clients, client_names=names,
            must_change_password=row.must_change_password)
    held = (row.role,)
    return tokens.Principal(
        kind=STAFF, id=row.id, practice_id=practice.id, practice_code=practice.code,
        name=row.name, roles=held,
        permissions=roles.permissions_for(held, overrides(session, practice.id)),
        must_change_password=row.must_change_password)


def principal_view(principal, practice):
    """What `get_session` and a sign-in answer say of who is signed in."""
    clients = [{"client_id": cid,
                "name": principal.client_names.get(cid, principal.name)
                if principal.kind in (CLIENT, CONTACT) else "",
                "permissions": list(perms)} for cid, perms in principal.clients.items()]
    return {"kind": principal.kind, "id": principal.id, "name": principal.name,
            "practice": practice_dict(practice), "roles": list(principal.roles),
            "permissions": list(principal.permissions), "clients": clients,
            "must_change_password": bool(principal.must_change_password)}


def issue_pair(session, principal, practice, session_id, now, settings):
    """A new refresh token in the session (family) and an access token to go with it."""
    token, token_hash = tokens.new_refresh_token()
    session.add(RefreshToken(id=new_id(), session_id=session_id, token_hash=token_hash,
                             issued_at=now,
                             expires_at=tokens.refresh_expiry(now, settings.refresh_token_seconds)))
    access = tokens.encode_access_token(principal, session_id, now,
                                        settings.access_token_seconds, settings.token_secret)
    return {"access_token": access, "refresh_token": token,
            "expires_in": settings.access_token_seconds,
            "refresh_expires_in": settings.refresh_token_seconds,
            "session_id": session_id,
            "must_change_password": bool(principal.must_change_password),
            "principal": principal_view(principal, practice)}


def open_session(session, principal, practice, now, settings, source_ip=None):
    row = Session(id=new_id(), practice_id=practice.id, principal_kind=principal.kind,
                  principal_id=principal.id, created_at=now, source_ip=source_ip)
    session.add(row)
    session.flush()
    return issue_pair(session, principal, practice, row.id, now, settings)


def refresh_token_row(session, token_hash):
    return session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


def mark_used(session, token_row, now):
    """Claim the token; False when another request rotated it first (then it is reuse)."""
    result = session.execute(update(RefreshToken)
                             .where(RefreshToken.id == token_row.id)
                             .where(RefreshToken.used_at.is_(None))
                             .values(used_at=now))
    return result.rowcount == 1


def revoke(session, session_rows, now, reason):
    """End the open ones among `session_rows`; returns the ids it ended."""
    ended = []
    for row in session_rows:
        if row.revoked_at is None:
            row.revoked_at = now
            row.revoked_reason = reason
            ended.append(row.id)
    return ended


def open_sessions(session, kind, principal_id):
    return session.scalars(select(Session).where(Session.principal_kind == kind)
                           .where(Session.principal_id == principal_id)
                           .where(Session.revoked_at.is_(None))
                           .with_for_update()).all()


def revocations_since(session, since):
    rows = session.execute(select(Session.id, Session.principal_id, Session.revoked_at)
                           .where(Session.revoked_at >= since)
                           .order_by(Session.revoked_at)).all()
    return [{"session_id": sid, "account_id": pid, "revoked_at": at.isoformat()}
            for sid, pid, at in rows]
