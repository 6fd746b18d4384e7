"""identity's queries and writes over one SQLAlchemy session: no nameko here.

The service opens the transaction and calls these; the rules they apply come from
`services.identity.domain`.
"""
import hashlib

from sqlalchemy import literal, select, union_all, update

from services.common import actor as actor_context
from services.common.clock import utcnow
from services.common.types import new_id
from services.identity import schemas
from services.identity.domain import accounts, grants, invitations, mfa, roles, throttle, tokens
from services.identity.models import (AccountClient, AccountGrant, AuditEntry, ClientAccount,
                                      Contact,
                                      ContactGrant, Invitation, MfaFactor, PasswordReset,
                                      Practice, RefreshToken, RolePermission, Session,
                                      SignInThrottle, StaffUser)

CLIENT = "client"
CONTACT = "contact"
STAFF = "staff"
AUDIENCE_KIND = {"portal": CLIENT, "staff": STAFF}
MODEL = {CLIENT: ClientAccount, STAFF: StaffUser, CONTACT: Contact}
KIND_OF = {ClientAccount: CLIENT, StaffUser: STAFF, Contact: CONTACT}
# who may hold a grant: a contact, or a client account (a client who is also a guardian)
GRANT_MODEL = {CONTACT: ContactGrant, CLIENT: AccountGrant}


# -- practices -------------------------------------------------------------------------
def practice_by_code(session, code):
    if not isinstance(code, str):
        return None
    code = accounts.normalize_code(code)
    if not code:
        return None
    return session.scalar(select(Practice).where(Practice.code == code))


def practice_dict(practice):
    return schemas.PracticeOut().dump(practice)


def overrides(session, practice_id):
    rows = session.execute(select(RolePermission.role, RolePermission.permission,
                                  RolePermission.granted)
                           .where(RolePermission.practice_id == practice_id)).all()
    return [tuple(r) for r in rows]


# -- principals --------------------------------------------------------------------------
def login_of(row):
    return row.login if isinstance(row, ClientAccount) else row.email


def name_of(row):
    return row.client_name if isinstance(row, ClientAccount) else row.name


def kind_of(row):
    return KIND_OF[type(row)]


def _find(session, model, practice_code, login):
    column = model.login if model is ClientAccount else model.email
    query = select(model, Practice).join(Practice, Practice.id == model.practice_id) \
        .where(column == accounts.normalize_login(login))
    if practice_code:
        query = query.where(Practice.code == accounts.normalize_code(practice_code))
    return session.execute(query.limit(2)).all()


def find_login(session, practice_code, audience, login):
    """(row, practice) of the account signing in, or (None, None).

    The portal audience covers client accounts and contacts: an email is the login of
    at most one of them in a practice (both tables are always asked: same work).
    Without a practice code the sign-in name must be unique across practices; an
    ambiguous one is treated as unknown (the web client always sends the code).
    """
    if audience == "staff":
        rows = _find(session, StaffUser, practice_code, login)
    else:
        rows = _find(session, ClientAccount, practice_code, login) + \
            _find(session, Contact, practice_code, login)
    if len(rows) != 1:
        return None, None
    return rows[0][0], rows[0][1]


def principal_row(session, kind, principal_id, practice_id):
    model = MODEL.get(kind)
    if model is None:
        return None
    row = session.get(model, principal_id)
    if row is None or row.practice_id != practice_id:
        return None
    return row


def grants_held(session, kind, holder_id):
    """The grants a contact or a client account holds, oldest first."""
    model = GRANT_MODEL[kind]
    holder = model.contact_id if model is ContactGrant else model.account_id
    return session.scalars(select(model).where(holder == holder_id)
                           .order_by(model.granted_at, model.client_id)).all()


def contact_grants(session, contact_id):
    return grants_held(session, CONTACT, contact_id)


def grants_for_client(session, practice_id, client_id):
    """Every grant over one client, whoever holds it (a chart correction reaches them)."""
    return [g for model in (ContactGrant, AccountGrant)
            for g in session.scalars(select(model).where(model.practice_id == practice_id)
                                     .where(model.client_id == client_id))]


def _granted(session, kind, holder_id, practice, now):
    """{client_id: permissions} and names of what the holder's grants allow at `now`
    (after the age bands); a grant that allows nothing today is left out."""
    clients, names = {}, {}
    for grant in grants_held(session, kind, holder_id):
        allowed = effective_grant(grant, practice, now)
        if allowed:
            clients[grant.client_id] = tuple(allowed)
            names[grant.client_id] = grant.client_name or ""
    return clients, names


def effective_grant(grant, practice, now):
    """The permissions a grant gives on the practice's calendar date at `now`."""
    return grants.effective(
        grant.permissions, grant.client_date_of_birth,
        grants.local_today(now, practice.time_zone),
        full_until=practice.guardian_full_until_age,
        ends_at=practice.guardian_access_ends_at_age,
        confidential=confidential_of(practice), guardian=grant.guardian,
        renewed_until=grant.renewed_until)


def confidential_of(practice):
    if practice.confidential_permissions is None:
        return list(grants.DEFAULT_CONFIDENTIAL)
    return grants.normalize(practice.confidential_permissions)


def paused_grants(session, row, practice, now):
    """How many grants of a contact or client account allow nothing at `now` (the age
    bands withhold all they give): left out of `clients`, so the portal can say so."""
    kind = CONTACT if isinstance(row, Contact) else CLIENT if isinstance(row, ClientAccount) \
        else None
    if kind is None:
        return 0
    return sum(1 for grant in grants_held(session, kind, row.id)
               if not effective_grant(grant, practice, now))


def principal_of(session, row, practice, now=None):
    """The tokens.Principal a row signs in as, with the practice's role overrides. The
    clients of a contact are its grants as the age bands leave them at `now`; those of a
    client account are its own chart and linked clients ("*"), then its own grants."""
    now = now or utcnow()
    if isinstance(row, Contact):
        clients, names = _granted(session, CONTACT, row.id, practice, now)
        return tokens.Principal(
            kind=CONTACT, id=row.id, practice_id=practice.id, practice_code=practice.code,
            name=row.name, clients=clients, client_names=names,
            must_change_password=row.must_change_password)
    if isinstance(row, ClientAccount):
        clients, names = {row.client_id: ("*",)}, {row.client_id: row.client_name or ""}
        for link in linked_clients(session, row.id):
            clients[link.client_id] = ("*",)
            names[link.client_id] = link.client_name or ""
        granted, granted_names = _granted(session, CLIENT, row.id, practice, now)
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


# -- throttling ----------------------------------------------------------------------------
def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def account_key(practice_code, audience, login):
    """What one sign-in name of one practice and audience is throttled (and a device
    token signed) under, known account or not."""
    return f"{accounts.normalize_code(practice_code) or '*'}|{audience}|" \
           f"{accounts.normalize_login(login)}"


def throttle_keys(practice_code, audience, login, source_ip, device=None):
    """(key, policy) pairs. Keys are hashes: typed sign-in names are not kept. From a
    known `device` (devices.recognised) only the (account, device) key applies."""
    account = account_key(practice_code, audience, login)
    if device:
        return [("device:" + _digest(f"{account}|{device}")[:64], throttle.ACCOUNT)]
    keys = [("account:" + _digest(account)[:64], throttle.ACCOUNT)]
    if source_ip:
        keys.append(("address:" + _digest(source_ip.strip())[:64], throttle.ADDRESS))
    return keys


def address_throttle_key(purpose, source_ip, policy=throttle.ADDRESS):
    """[(key, policy)] of one source address for one purpose ("reset", "invite"), or []
    without an address. Keys start with "address:" so that a success never clears them
    (`clear_throttle`): the address of an attacker is not forgiven by one good answer."""
    if not source_ip:
        return []
    return [(f"address:{purpose}:" + _digest(source_ip.strip())[:64], policy)]


def password_throttle_key(kind, principal_id):
    return [("password:" + _digest(f"{kind}|{principal_id}")[:64], throttle.ACCOUNT)]


def _state(row):
    if row is None:
        return None
    return throttle.State(row.failures, row.last_failure_at, row.blocked_until)


def throttle_wait(session, keys, now):
    """Seconds before another attempt is allowed under every key (0 = now)."""
    rows = session.scalars(select(SignInThrottle)
                           .where(SignInThrottle.key.in_([k for k, _ in keys]))).all()
    return max([throttle.retry_after(_state(r), now) for r in rows], default=0)


def record_failure(session, keys, now):
    """Count one failure under every key → the keys whose back-off this failure started
    (`throttle.starts_episode`)."""
    started = []
    for key, policy in keys:
        _insert_ignore(session, SignInThrottle, {"key": key, "failures": 0})
        row = session.scalar(select(SignInThrottle).where(SignInThrottle.key == key)
                             .with_for_update())
        state = throttle.after_failure(_state(row), now, policy)
        row.failures = state.failures
        row.last_failure_at = state.last_failure_at
        row.blocked_until = state.blocked_until
        if throttle.starts_episode(state, policy):
            started.append(key)
    return started


def clear_throttle(session, keys):
    """A success forgets the account's failures (never the address's: an attacker's own
    account must not reset the count of the address guessing at others)."""
    names = [k for k, _ in keys if not k.startswith("address:")]
    if names:
        session.execute(update(SignInThrottle).where(SignInThrottle.key.in_(names))
                        .values(failures=0, blocked_until=None))


def _insert_ignore(session, model, values):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


# -- sessions and tokens -----------------------------------------------------------------------
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


# -- client access ----------------------------------------------------------------------------
def client_access(session, practice_id, client_id, for_update=False):
    query = select(ClientAccount).where(ClientAccount.practice_id == practice_id) \
        .where(ClientAccount.client_id == client_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def login_taken(session, practice_id, login):
    """A client account or a contact of the practice signs in with `login` (one
    portal sign-in name names one person)."""
    if session.scalar(select(ClientAccount.id).where(ClientAccount.practice_id == practice_id)
                      .where(ClientAccount.login == login)) is not None:
        return True
    return contact_by_email(session, practice_id, login) is not None


def contact_by_email(session, practice_id, email):
    return session.scalar(select(Contact).where(Contact.practice_id == practice_id)
                          .where(Contact.email == email))


def mfa_factor(session, kind, principal_id):
    return session.get(MfaFactor, (kind, principal_id))


def has_confirmed_factor(session, kind, principal_id):
    factor = mfa_factor(session, kind, principal_id)
    return factor is not None and factor.confirmed_at is not None


def second_factor(session, kind, principal_id, practice):
    """True when this person never signs in with a password alone: a confirmed factor,
    or one their kind must have (then the shorter NIST minimum applies)."""
    return mfa.required(kind, practice.mfa_required_for_clients) or \
        has_confirmed_factor(session, kind, principal_id)


def staff_email_taken(session, practice_id, email):
    return session.scalar(select(StaffUser.id).where(StaffUser.practice_id == practice_id)
                          .where(StaffUser.email == email)) is not None


def list_staff(session, practice_id):
    return session.scalars(select(StaffUser).where(StaffUser.practice_id == practice_id)
                           .order_by(StaffUser.name, StaffUser.id)).all()


# -- audit -------------------------------------------------------------------------------------
def audit(session, action, now, practice_id=None, actor=None, subject=None, session_id=None,
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


# -- invitations and resets (issue 4) ---------------------------------------------------------
def latest_invitation(session, practice_id, client_id):
    return session.scalar(select(Invitation).where(Invitation.practice_id == practice_id)
                          .where(Invitation.client_id == client_id)
                          .order_by(Invitation.sent_at.desc(), Invitation.id.desc()).limit(1))


def pending_invitations(session, practice_id, client_id):
    return session.scalars(select(Invitation).where(Invitation.practice_id == practice_id)
                           .where(Invitation.client_id == client_id)
                           .where(Invitation.status == "pending")).all()


def invitation_by_token(session, token_hash, for_update=False):
    query = select(Invitation).where(Invitation.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def portal_access_rows(session, practice_id):
    """{client_id: (account or None, newest invitation or None)} of every client the
    practice has invited or given a login."""
    rows = {}
    for account in session.scalars(select(ClientAccount)
                                   .where(ClientAccount.practice_id == practice_id)):
        rows[account.client_id] = (account, None)
    for inv in session.scalars(select(Invitation).where(Invitation.practice_id == practice_id)
                               .order_by(Invitation.sent_at, Invitation.id)):
        account, current = rows.get(inv.client_id, (None, None))
        # the newest invitation wins; sent in the same instant, a live one beats one that
        # was cancelled or replaced
        if current is None or inv.sent_at > current.sent_at or \
                current.status in (invitations.CANCELLED, invitations.SUPERSEDED):
            rows[inv.client_id] = (account, inv)
    return rows


def reset_by_token(session, token_hash, for_update=False):
    query = select(PasswordReset).where(PasswordReset.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def latest_reset(session, kind, principal_id):
    return session.scalar(select(PasswordReset).where(PasswordReset.principal_kind == kind)
                          .where(PasswordReset.principal_id == principal_id)
                          .order_by(PasswordReset.created_at.desc()).limit(1))


def open_resets(session, kind, principal_id):
    return session.scalars(select(PasswordReset).where(PasswordReset.principal_kind == kind)
                           .where(PasswordReset.principal_id == principal_id)
                           .where(PasswordReset.used_at.is_(None))).all()


def logo_refs_among(session, keys):
    """Those of `keys` that some practice names as its logo."""
    if not keys:
        return set()
    return set(session.scalars(select(Practice.logo_ref).where(Practice.logo_ref.in_(list(keys)))))


def practice_by_subdomain(session, subdomain):
    return session.scalar(select(Practice).where(Practice.subdomain == subdomain))


def list_audit(session, practice_id, cmd):
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


# Which ids of an audit row's (kind, id) identity can put a name to. "client" rows name a
# client portal account (`client_accounts.id`) or, for invitations, charts' client id;
# "chart" rows name charts' client id. Both are looked up in one union, where a name
# held closer to the source wins (the account's own copy, then a link's, then a grant's).
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


def audit_names(session, practice_id, rows):
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


# -- linked clients ------------------------------------------------------------------------------
def linked_clients(session, account_id):
    return session.scalars(select(AccountClient).where(AccountClient.account_id == account_id)
                           .order_by(AccountClient.linked_at, AccountClient.client_id)).all()


def client_reached(session, practice_id, client_id):
    """True when some account already acts for this client (its own or linked)."""
    if client_access(session, practice_id, client_id) is not None:
        return True
    return session.scalar(select(AccountClient.account_id)
                          .where(AccountClient.practice_id == practice_id)
                          .where(AccountClient.client_id == client_id)) is not None


def account_clients_view(session, account, practice=None, now=None):
    """The account's own client, its linked clients and the grants it holds."""
    practice = practice or session.get(Practice, account.practice_id)
    now = now or utcnow()
    return {"account_id": account.id, "login": account.login, "status": account.status,
            "name": account.client_name,
            "last_sign_in_at": account.last_sign_in_at.isoformat()
            if account.last_sign_in_at else None,
            "clients": [{"client_id": account.client_id, "name": account.client_name,
                         "own": True, "linked_at": None}] +
                       [{"client_id": link.client_id, "name": link.client_name, "own": False,
                         "linked_at": link.linked_at.isoformat()}
                        for link in linked_clients(session, account.id)],
            "grants": [grant_view(g, practice, now)
                       for g in grants_held(session, CLIENT, account.id)]}


def accounts_holding_grants(session, practice_id, client_id):
    return session.scalars(select(ClientAccount)
                           .join(AccountGrant, AccountGrant.account_id == ClientAccount.id)
                           .where(AccountGrant.practice_id == practice_id)
                           .where(AccountGrant.client_id == client_id)
                           .order_by(ClientAccount.client_name, ClientAccount.id)).all()


def notice_recipients(session, practice, client_id, permission, now):
    """[(kind, id, login)] of everyone who holds `permission` for the client on the
    practice's calendar date at `now` and may sign in: active contacts and active client
    accounts whose grant allows it after the age bands (`effective_grant`), and active
    accounts the client is linked to ("*"). The client's own login is not among them (the
    chart's address and preference are charts'); an account whose own access has not
    opened yet (`client_own_access_from_age`) cannot sign in, so it is left out too.
    Nobody when the practice's portal is closed."""
    if not practice.portal_enabled:
        return []
    found = []
    for grant in grants_for_client(session, practice.id, client_id):
        if permission not in effective_grant(grant, practice, now):
            continue
        holder = session.get(MODEL[grant.holder_kind], grant.holder_id)
        if holder is not None and holder.practice_id == practice.id:
            found.append(holder)
    found += session.scalars(select(ClientAccount)
                             .join(AccountClient, AccountClient.account_id == ClientAccount.id)
                             .where(AccountClient.practice_id == practice.id)
                             .where(AccountClient.client_id == client_id)).all()
    return [(kind_of(row), row.id, login_of(row)) for row in found
            if accounts.can_sign_in(row.status) and _own_access_open(row, practice, now)]


def _own_access_open(row, practice, now):
    if not isinstance(row, ClientAccount):
        return True
    return grants.own_access_open(row.date_of_birth, grants.local_today(now, practice.time_zone),
                                  practice.client_own_access_from_age)


def account_by_login(session, practice_id, login):
    return session.scalar(select(ClientAccount).where(ClientAccount.practice_id == practice_id)
                          .where(ClientAccount.login == login))


# -- contacts, grants and two-factor (docs/identity.md) -----------------------------------------
def grant_view(grant, practice, now):
    """*grant*: `holder_kind` "contact" (with `contact_id`) or "client" (a client portal
    account, with `account_id`); the other id is null."""
    contact = grant.holder_kind == CONTACT
    today = grants.local_today(now, practice.time_zone)
    dob = grant.client_date_of_birth
    return {"holder_kind": grant.holder_kind,
            "contact_id": grant.holder_id if contact else None,
            "account_id": None if contact else grant.holder_id,
            "client_id": grant.client_id,
            "client_name": grant.client_name, "permissions": list(grant.permissions),
            "effective_permissions": effective_grant(grant, practice, now),
            "guardian": grant.guardian,
            "band": grants.band(dob, today, practice.guardian_full_until_age,
                                practice.guardian_access_ends_at_age, grant.guardian,
                                grant.renewed_until),
            # why the band says what it does: staff explain "Allowed today: nothing"
            "client_age": grants.age_on(dob, today) if dob else None,
            "guardian_full_until_age": practice.guardian_full_until_age,
            "guardian_access_ends_at_age": practice.guardian_access_ends_at_age,
            "renewed_until": grant.renewed_until.isoformat() if grant.renewed_until else None,
            "granted_at": grant.granted_at.isoformat(),
            "updated_at": grant.updated_at.isoformat()}


def contact_view(session, contact, practice, now):
    return {"contact_id": contact.id, "email": contact.email, "name": contact.name,
            "status": contact.status,
            "created_at": contact.created_at.isoformat(),
            "last_sign_in_at": contact.last_sign_in_at.isoformat()
            if contact.last_sign_in_at else None,
            "mfa_enrolled": has_confirmed_factor(session, CONTACT, contact.id),
            "grants": [grant_view(g, practice, now) for g in contact_grants(session, contact.id)]}


def list_contacts(session, practice_id, client_id=None):
    query = select(Contact).where(Contact.practice_id == practice_id)
    if client_id:
        query = query.join(ContactGrant, ContactGrant.contact_id == Contact.id) \
            .where(ContactGrant.client_id == client_id)
    return session.scalars(query.order_by(Contact.name, Contact.id)).all()


def mfa_throttle_key(kind, principal_id):
    return [("mfa:" + _digest(f"{kind}|{principal_id}")[:64], throttle.ACCOUNT)]


def challenge_by_token(session, token_hash, for_update=False):
    from services.identity.models import MfaChallenge
    query = select(MfaChallenge).where(MfaChallenge.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def recovery_codes(session, kind, principal_id, unused_only=True):
    from services.identity.models import RecoveryCode
    query = select(RecoveryCode).where(RecoveryCode.principal_kind == kind) \
        .where(RecoveryCode.principal_id == principal_id)
    if unused_only:
        query = query.where(RecoveryCode.used_at.is_(None))
    return session.scalars(query).all()


def staff_with_role(session, practice_id, role):
    return session.scalars(select(StaffUser).where(StaffUser.practice_id == practice_id)
                           .where(StaffUser.role == role)).all()


def active_admins(session, practice_id):
    """Active staff who hold `manage_staff` under the practice's overrides."""
    found = overrides(session, practice_id)
    return [s for s in session.scalars(select(StaffUser)
                                       .where(StaffUser.practice_id == practice_id)
                                       .where(StaffUser.status == accounts.ACTIVE))
            if roles.MANAGE_STAFF in roles.permissions_for((s.role,), found)]
