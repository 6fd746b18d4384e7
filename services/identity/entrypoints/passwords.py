"""Passwords: changing one's own, and reset links (the same answer whether or not the
email has an account; single-use 24-hour links). Hashing runs on a thread, off the
eventlet hub (`dependencies.PasswordHashing`, STYLE.md trap 9).

The functions below the class are what other capabilities share: the password rules'
refusal as an InvalidInput, setting a new hash (which ends the person's sessions), and
issuing a reset link or a first-password link.
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, invitations, roles
from services.identity.domain import passwords as password_rules
from services.identity.domain import throttle as throttle_rules
from services.identity.entrypoints.lookups import practice_of
from services.identity.entrypoints.revocation import end_sessions
from services.identity.entrypoints.sentences import NOT_FOUND, RESET_ANSWER, throttled
from services.identity.models import PasswordReset, Practice


class PasswordEntrypoints:
    """Change, request, send and complete a password reset."""

    @rpc(expected_exceptions=EXPECTED)
    def change_password(self, actor, payload):
        """{current_password, new_password} for the actor's own login. Clears
        must-change, ends every other session (`session.revoked`), emits
        `password.changed` and returns a fresh token pair in a new session.
        A wrong current password → InvalidInput naming `current_password` (and counts
        towards back-off); a refused new one → InvalidInput naming `new_password`."""
        actor = Actor.from_wire(actor)
        if actor.kind not in (accounts.CLIENT, accounts.CONTACT, accounts.STAFF):
            raise Forbidden("not_permitted", "Only a person signed in can change a password.")
        cmd = load(schemas.passwords.ChangePassword(), payload)
        now, keys = self.clock(), store.throttles.password_key(actor.kind, actor.id)
        with self.db.read() as session:
            row = store.principals.get(session, actor.kind, actor.id, actor.practice_id)
            wait = store.throttles.wait(session, keys, now)
            two_factor = row is not None and store.mfa.second_factor(
                session, actor.kind, row.id, session.get(Practice, row.practice_id))
        if row is None:
            raise NotFound(*NOT_FOUND)
        if wait:
            raise throttled(wait)
        matched = self.passwords.verify(row.password_hash, cmd["current_password"])
        if matched:
            check_password("new_password", cmd["new_password"], store.principals.login_of(row),
                           store.principals.name_of(row), two_factor)
            if password_rules.normalize(cmd["new_password"]) == \
                    password_rules.normalize(cmd["current_password"]):
                raise InvalidInput("same_password", "Choose a password you have not used here.",
                                   {"new_password": ["Choose a password you have not used here."]})
            new_hash = self.passwords.hash(cmd["new_password"])
        with self.db.transaction() as tx:
            if not matched:
                store.throttles.record_failure(tx.session, keys, now)
                store.audit.record(tx.session, "password_change_failed", now, actor.practice_id,
                                   actor=(actor.kind, actor.id), subject=(actor.kind, actor.id),
                                   source_ip=cmd["source_ip"])
            else:
                result = set_password(self.settings, tx, actor, row, new_hash, now,
                                      cmd["source_ip"])
        if not matched:
            sentence = "The current password is not right."
            raise InvalidInput("wrong_password", sentence, {"current_password": [sentence]})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def request_password_reset(self, payload):
        """*public* {practice_code, email, audience?, source_ip?} → always the same
        {accepted: true, message}, whether or not the email has an account (same work
        either way: a token is made and an audit row written). An active account gets a
        reset link (24 h, single use) by email: `password_reset.requested`. A second
        request within a minute sends nothing more."""
        cmd = load(schemas.passwords.RequestPasswordReset(), payload)
        now = self.clock()
        kind = accounts.AUDIENCE_KIND[cmd["audience"]]
        address = store.throttles.address_key("reset", cmd["source_ip"],
                                              throttle_rules.RESET_REQUESTS)
        with self.db.read() as session:     # decided by the address alone, before any lookup
            wait = store.throttles.wait(session, address, now)
        if wait:
            raise throttled(wait)
        with self.db.read() as session:
            row, practice = store.principals.find_login(session, cmd["practice_code"],
                                                        cmd["audience"], cmd["email"])
            recent = store.resets.latest(session, kind, row.id) if row else None
        eligible = row is not None and accounts.can_sign_in(row.status) \
            and (kind == accounts.STAFF or practice.portal_enabled) \
            and not (recent is not None and recent.used_at is None
                     and now - recent.created_at < invitations.RESET_REQUEST_QUIET)
        token, token_hash = invitations.new_token()   # made either way: similar time
        with self.db.transaction() as tx:
            subject = (kind, row.id) if row else None
            if eligible:
                issue_reset(tx, Actor.system(practice_id=practice.id), practice, kind,
                            tx.session.get(type(row), row.id), token, token_hash, now)
            store.audit.record(tx.session, "password_reset_requested", now,
                               practice.id if practice else None, actor=subject, subject=subject,
                               source_ip=cmd["source_ip"], issued=eligible)
            store.throttles.record_failure(tx.session, address, now)   # every request counts
        return {"accepted": True, "message": RESET_ANSWER}

    @rpc(expected_exceptions=EXPECTED)
    def send_password_reset(self, actor, payload):
        """Staff: {client_id} (`manage_portal_access`) or {staff_id} (`manage_staff`)
        emails that person a reset link → {sent_to, expires_at}. NotFound when there is
        no such login; Conflict `account_inactive` when it cannot sign in."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.passwords.SendPasswordReset(), payload)
        if bool(cmd["client_id"]) == bool(cmd["staff_id"]):
            raise InvalidInput("invalid_input", "Name either a client or a staff member.",
                               {"client_id": ["Give client_id or staff_id."]})
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS if cmd["client_id"] else roles.MANAGE_STAFF)
        now = self.clock()
        token, token_hash = invitations.new_token()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            if cmd["client_id"]:
                kind = accounts.CLIENT
                row = store.client_accounts.of_client(tx.session, practice.id, cmd["client_id"])
            else:
                kind = accounts.STAFF
                row = store.principals.get(tx.session, kind, cmd["staff_id"], practice.id)
            if row is None:
                raise NotFound("no_login", "That person has no sign-in yet.")
            if not accounts.can_sign_in(row.status):
                raise Conflict("account_inactive", "That account cannot sign in. Restore its "
                               "access first.")
            reset = issue_reset(tx, actor, practice, kind, row, token, token_hash, now)
            store.audit.record(tx.session, "password_reset_sent", now, practice.id,
                               actor=(actor.kind, actor.id), subject=(kind, row.id))
            return {"sent_to": store.principals.login_of(row),
                    "expires_at": reset.expires_at.isoformat()}

    @rpc(expected_exceptions=EXPECTED)
    def get_password_reset(self, payload):
        """*public* {token} → {kind, practice: {code, name, title, password_help},
        expires_at, min_password_length}; NotFound `reset_link_invalid` when unknown,
        used or expired."""
        cmd = load(schemas.invitations.InvitationToken(), payload)
        now = self.clock()
        with self.db.read() as session:
            reset = invitations.reset_usable(
                store.resets.by_token(session, invitations.hash_token(cmd["token"])), now)
            practice = session.get(Practice, reset.practice_id)
            two_factor = store.mfa.second_factor(session, reset.principal_kind,
                                                 reset.principal_id, practice)
            return {"kind": reset.principal_kind, "purpose": reset.purpose,
                    "expires_at": reset.expires_at.isoformat(),
                    "practice": {"code": practice.code, "name": practice.name,
                                 "title": practice.title,
                                 "password_help": practice.password_help},
                    "min_password_length": password_rules.MIN_LENGTH_WITH_SECOND_FACTOR
                    if two_factor else password_rules.MIN_LENGTH_SINGLE_FACTOR}

    @rpc(expected_exceptions=EXPECTED)
    def complete_password_reset(self, payload):
        """*public* {token, new_password, source_ip?}: sets the password (rules as
        `change_password`, InvalidInput naming `new_password`), uses up the link and every
        other open link of that person, clears must-change and sign-in back-off, ends
        every session (`session.revoked`) and emits `password.changed` (via "reset") →
        {kind, practice_code, login}. Does not sign in. NotFound `reset_link_invalid`."""
        cmd = load(schemas.passwords.CompletePasswordReset(), payload)
        now, token_hash = self.clock(), invitations.hash_token(cmd["token"])
        with self.db.read() as session:
            reset = invitations.reset_usable(store.resets.by_token(session, token_hash), now)
            row = store.principals.get(session, reset.principal_kind, reset.principal_id,
                                       reset.practice_id)
            practice = session.get(Practice, reset.practice_id)
            two_factor = row is not None and store.mfa.second_factor(
                session, reset.principal_kind, row.id, practice)
        first = reset.purpose == invitations.PURPOSE_INVITE and row is not None \
            and row.status == accounts.INVITED
        if row is None or not (accounts.can_sign_in(row.status) or first):
            invitations.reset_usable(None, now)
        check_password("new_password", cmd["new_password"], store.principals.login_of(row),
                       store.principals.name_of(row), two_factor)
        new_hash = self.passwords.hash(cmd["new_password"])
        person = Actor(practice_id=practice.id, kind=reset.principal_kind, id=row.id)
        with self.db.transaction() as tx:
            reset = invitations.reset_usable(
                store.resets.by_token(tx.session, token_hash, for_update=True), now)
            for open_reset in store.resets.unused(tx.session, reset.principal_kind, row.id):
                open_reset.used_at = now
            set_password(self.settings, tx, person, row, new_hash, now, cmd["source_ip"],
                         via="invite" if first else "reset", sign_in=False)
            audience = "staff" if reset.principal_kind == accounts.STAFF else "portal"
            store.throttles.clear(tx.session, store.throttles.sign_in_keys(
                practice.code, audience, store.principals.login_of(row), None))
        return {"kind": reset.principal_kind, "practice_code": practice.code,
                "login": store.principals.login_of(row)}


def check_password(field, password, login, name, second_factor=False):
    """InvalidInput naming `field` with the sentence of the rule the password breaks."""
    try:
        password_rules.check(password, login=login, name=name, second_factor=second_factor)
    except password_rules.PasswordRefused as exc:
        raise InvalidInput(exc.code, exc.sentence, {field: [exc.sentence]}) from None


def set_password(settings, tx, actor, row, new_hash, now, ip, via="change", sign_in=True):
    """New hash; ends every open session of the person; `password.changed`; and,
    when `sign_in`, a fresh session for the caller (a change made while signed in)."""
    kind = store.principals.kind_of(row)
    account = tx.session.get(type(row), row.id)
    account.password_hash, account.must_change_password = new_hash, False
    account.password_changed_at = now
    if via == "invite":             # the first password: the login starts working
        account.status, account.status_changed_at = accounts.ACTIVE, now
    end_sessions(tx, actor, kind, account, now, "password_changed")
    practice = tx.session.get(Practice, account.practice_id)
    if via != "invite":             # nobody needs "your password was changed" for a first one
        events.PASSWORD_CHANGED.record(tx, actor, {
            "account_id": account.id, "kind": kind, "via": via,
            **events.email_data(practice, store.principals.login_of(account), kind)},
                                       practice_id=account.practice_id)
    store.throttles.clear(tx.session, store.throttles.password_key(kind, account.id))
    result = None
    if sign_in:
        principal = store.sessions.principal_of(tx.session, account, practice, now)
        result = store.sessions.open_session(tx.session, principal, practice, now, settings, ip)
    store.audit.record(tx.session, {"change": "password_changed", "reset": "password_reset",
                                    "invite": "password_set"}[via],
                       now, account.practice_id, actor=(actor.kind, actor.id),
                       subject=(kind, account.id),
                       session_id=result["session_id"] if result else None, source_ip=ip)
    return result


def issue_reset(tx, actor, practice, kind, row, token, token_hash, now):
    """A new reset link for `row`; older open links of the person stop working."""
    for old in store.resets.unused(tx.session, kind, row.id):
        old.used_at = now
    by_staff = actor.is_staff
    reset = PasswordReset(
        practice_id=practice.id, principal_kind=kind, principal_id=row.id,
        token_hash=token_hash, created_at=now,
        expires_at=now + invitations.RESET_LIFETIME,
        requested_by_kind=actor.kind if by_staff else None,
        requested_by_id=actor.id if by_staff else None)
    tx.session.add(reset)
    tx.session.flush()
    path = (invitations.reset_path if kind == accounts.CLIENT
            else invitations.staff_reset_path)(practice.code, token)
    events.PASSWORD_RESET_REQUESTED.record(tx, actor, {
        "reset_id": reset.id, "kind": kind, "account_id": row.id,
        "email": store.principals.login_of(row), "practice_name": practice.name,
        **events.portal_address(practice, kind), "link_path": path,
        "expires_at": reset.expires_at.isoformat(),
        "requested_by": "staff" if by_staff else "self"})
    return reset


def first_password_link(tx, actor, practice, kind, row, now):
    """A first-password link for an invited contact or staff member (a password
    reset row with purpose "invite"); older open links stop working."""
    for old in store.resets.unused(tx.session, kind, row.id):
        old.used_at = now
    token, token_hash = invitations.new_token()
    link = PasswordReset(
        practice_id=practice.id, principal_kind=kind, principal_id=row.id,
        token_hash=token_hash, created_at=now,
        expires_at=invitations.expiry(now, practice.invitation_days),
        requested_by_kind=actor.kind, requested_by_id=actor.id,
        purpose=invitations.PURPOSE_INVITE)
    tx.session.add(link)
    tx.session.flush()
    path = (invitations.staff_reset_path if kind == accounts.STAFF
            else invitations.reset_path)(practice.code, token)
    return link, path
