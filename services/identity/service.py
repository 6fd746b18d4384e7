"""The identity service: practices, staff, client portal access, sign-in and sessions.

Entrypoints only; rules live in `domain/`, queries in `store.py`. Every write commits
inside the entrypoint (STYLE.md, trap 1) and records its events in the outbox in the
same transaction. Password hashing runs on a thread, off the eventlet hub (trap 9).
Log lines carry ids and codes only — never a password, a token, a name or an email.
"""
import logging
from datetime import timedelta

from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.db import Database
from services.common.errors import (EXPECTED, Conflict, Forbidden, InvalidInput, NotFound,
                                    TooManyRequests, Unauthenticated)
from services.common.logs import CorrelationId
from services.common.schemas import load
from services.identity import events, schemas, store
from services.common.rpc import BoundedRpcProxy
from services.identity.access_extras import AccessExtrasEntrypoints
from services.identity.contacts import ContactEntrypoints
from services.identity.dependencies import Clock, IdentitySettings, PasswordHashing
from services.identity.staff_admin import StaffEntrypoints
from services.identity.two_factor import TwoFactorEntrypoints
from services.identity.domain import accounts, invitations, roles, tokens
from services.identity.domain import grants as grant_rules
from services.identity.domain import passwords as password_rules
from services.identity.domain import throttle as throttle_rules
from services.identity.models import (AccountClient, Base, ClientAccount, Invitation, MfaFactor,
                                      PasswordReset, Practice,
                                      StaffUser)

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = ("invalid_credentials", "The sign-in name or password is not right.")
ACCOUNT_INACTIVE = ("account_inactive", "This account cannot sign in. Please call the practice.")
PORTAL_CLOSED = ("portal_disabled", "This practice's portal is not open. Please call the practice.")
SESSION_ENDED = ("session_ended", "Your session has ended. Please sign in again.")
NOT_FOUND = ("not_found", "That record does not exist.")
NOT_YET_AVAILABLE = "account_not_yet_available"
NOT_YET_SENTENCE = ("Your own portal sign-in is not available yet: it opens on the birthday the "
                    "practice has set. Until then a parent or guardian can use the portal for "
                    "you. Please call the practice with any question.")
RESET_ANSWER = ("If an account uses that email address, we have sent it a link to choose a new "
                "password. The link works once, for 24 hours.")


def _throttled(seconds):
    return TooManyRequests("too_many_attempts",
                           f"Too many attempts. Please wait {seconds} seconds and try again.",
                           {"retry_after": seconds})


def _refused(field, exc):
    return InvalidInput(exc.code, exc.sentence, {field: [exc.sentence]})


def _email_data(practice, login):
    """What every identity email event carries: where to write and what to call the
    practice — never health information."""
    return {"login": login, "practice_name": practice.name,
            "portal_path": f"/p/{practice.code}"}


def own_access_opens(practice, row, now):
    """None when `row` may sign in today (the practice's date, `time_zone`), else the
    local date its own access opens: a client under the practice's
    `client_own_access_from_age` cannot sign in to their own account."""
    if not isinstance(row, ClientAccount):
        return None
    today = grant_rules.local_today(now, practice.time_zone)
    age = practice.client_own_access_from_age
    if grant_rules.own_access_open(row.date_of_birth, today, age):
        return None
    return grant_rules.own_access_opens_on(row.date_of_birth, age)


def not_yet_available(opens_on, error=Unauthenticated):
    return error(NOT_YET_AVAILABLE, NOT_YET_SENTENCE, {"available_from": opens_on.isoformat()})


def _check_password(field, password, login, name, second_factor=False):
    try:
        password_rules.check(password, login=login, name=name, second_factor=second_factor)
    except password_rules.PasswordRefused as exc:
        raise _refused(field, exc) from None


class IdentityService(ContactEntrypoints, StaffEntrypoints, TwoFactorEntrypoints,
                      AccessExtrasEntrypoints):
    name = "identity"

    db = Database(Base)
    correlation = CorrelationId()
    passwords = PasswordHashing()
    settings = IdentitySettings()
    clock = Clock()
    # one hop, bounded, and only ever before a transaction opens (STYLE.md, traps 7-8)
    charts = BoundedRpcProxy("charts")

    @rpc
    def ping(self):
        """Liveness for the gateway's /readyz: answers when the service consumes RPC."""
        return {"service": self.name, "status": "ok"}

    # -- public ------------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def get_practice(self, code):
        """*public* The practice's branding; NotFound for an unknown code."""
        with self.db.read() as session:
            practice = store.practice_by_code(session, code)
            if practice is None:
                raise NotFound("practice_not_found", "There is no practice with that address.")
            return store.practice_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def authenticate(self, payload):
        """*public* Sign in → {access_token, refresh_token, expires_in, refresh_expires_in,
        session_id, must_change_password, principal}.

        An unknown sign-in name costs one argon2 verification, exactly as a wrong
        password does, and answers the same `invalid_credentials`. Failures back off per
        account and per source address (TooManyRequests with `retry_after`).
        """
        cmd = load(schemas.Authenticate(), payload)
        now, ip = self.clock(), cmd["source_ip"]
        keys = store.throttle_keys(cmd["practice_code"], cmd["audience"], cmd["login"], ip)
        with self.db.read() as session:
            wait = store.throttle_wait(session, keys, now)
            row, practice = store.find_login(session, cmd["practice_code"], cmd["audience"],
                                             cmd["login"])
        if wait:
            self._audit_only("sign_in_throttled", now, practice, row, ip)
            raise _throttled(wait)
        matched = self.passwords.verify(row.password_hash if row else None, cmd["password"])
        rehash = self.passwords.hash(cmd["password"]) \
            if matched and self.passwords.needs_rehash(row.password_hash) else None
        refusal = None if matched else INVALID_CREDENTIALS
        if matched and not accounts.can_sign_in(row.status):
            refusal = ACCOUNT_INACTIVE
        elif matched and cmd["audience"] == "portal" and not practice.portal_enabled:
            refusal = PORTAL_CLOSED
        opens_on = own_access_opens(practice, row, now) if matched and not refusal else None
        if opens_on is not None:
            refusal = (NOT_YET_AVAILABLE, NOT_YET_SENTENCE,
                       {"available_from": opens_on.isoformat()})
        with self.db.transaction() as tx:
            pid = practice.id if practice else None
            subject = (store.kind_of(row), row.id) if row else None
            if refusal:
                if refusal is INVALID_CREDENTIALS:
                    store.record_failure(tx.session, keys, now)
                store.audit(tx.session, "sign_in_failed" if refusal is INVALID_CREDENTIALS
                            else "sign_in_refused", now, pid, actor=subject, subject=subject,
                            source_ip=ip, reason=refusal[0])
            else:
                account = tx.session.get(type(row), row.id)
                if rehash:
                    account.password_hash = rehash
                store.clear_throttle(tx.session, keys)
                # the password was right: a session now, or first the second factor
                result = self._open_or_challenge(tx, account, practice, now, ip)
        if refusal:
            log.info("sign-in refused", extra={"reason": refusal[0], "practice_id": pid})
            raise Unauthenticated(*refusal)
        return result

    @rpc(expected_exceptions=EXPECTED)
    def refresh(self, payload):
        """*public* {refresh_token} → a new pair in the same session. A token already
        rotated revokes its whole session (`session.revoked`) and is refused."""
        cmd = load(schemas.Refresh(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            outcome, result = self._rotate(tx, tokens.hash_refresh_token(cmd["refresh_token"]),
                                           now, cmd["source_ip"])
        if outcome == tokens.REUSED:
            raise Unauthenticated("refresh_token_reused", SESSION_ENDED[1])
        if outcome == "inactive":
            raise Unauthenticated(*ACCOUNT_INACTIVE)
        if outcome == NOT_YET_AVAILABLE:
            raise Unauthenticated(NOT_YET_AVAILABLE, NOT_YET_SENTENCE)
        if outcome != tokens.ROTATE:
            raise Unauthenticated(*SESSION_ENDED)
        return result

    @rpc(expected_exceptions=EXPECTED)
    def list_revocations(self, payload=None):
        """*system* Sessions revoked since `since` (at most one access-token lifetime ago:
        older revocations no longer matter) → {sessions: [{session_id, account_id,
        revoked_at}], now}. A gateway replica calls it when it starts or reconnects."""
        cmd = load(schemas.ListRevocations(), payload or {})
        now = self.clock()
        horizon = now - timedelta(seconds=self.settings.access_token_seconds + 60)
        since = max(cmd["since"] or horizon, horizon)
        with self.db.read() as session:
            return {"sessions": store.revocations_since(session, since), "now": now.isoformat()}

    # -- anyone signed in -------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def get_session(self, actor):
        """The signed-in principal: {kind, id, name, practice, roles, permissions,
        clients: [{client_id, name, permissions}], must_change_password}."""
        actor = Actor.from_wire(actor)
        with self.db.read() as session:
            row = store.principal_row(session, actor.kind, actor.id, actor.practice_id)
            if row is None:
                raise NotFound(*NOT_FOUND)
            practice = session.get(Practice, row.practice_id)
            return store.principal_view(store.principal_of(session, row, practice, self.clock()),
                                        practice)

    @rpc(expected_exceptions=EXPECTED)
    def sign_out(self, actor, payload):
        """{session_id} ends that session of the actor's own (system: any) and emits
        `session.revoked`; signing out twice is harmless → {session_id, revoked_at}."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.SignOut(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            row = tx.session.get(store.Session, cmd["session_id"])
            if row is None or (not actor.is_system and (
                    row.practice_id != actor.practice_id or row.principal_id != actor.id)):
                raise NotFound(*NOT_FOUND)
            ended = store.revoke(tx.session, [row], now, "sign_out")
            if ended:
                self._record_revoked(tx, actor, row.practice_id, row.principal_id, ended, now,
                                     "sign_out")
                store.audit(tx.session, "sign_out", now, row.practice_id,
                            actor=(actor.kind, actor.id), subject=(row.principal_kind,
                                                                   row.principal_id),
                            session_id=row.id, source_ip=cmd["source_ip"])
            return {"session_id": row.id, "revoked_at": row.revoked_at.isoformat()}

    @rpc(expected_exceptions=EXPECTED)
    def change_password(self, actor, payload):
        """{current_password, new_password} for the actor's own login. Clears
        must-change, ends every other session (`session.revoked`), emits
        `password.changed` and returns a fresh token pair in a new session.
        A wrong current password → InvalidInput naming `current_password` (and counts
        towards back-off); a refused new one → InvalidInput naming `new_password`."""
        actor = Actor.from_wire(actor)
        if actor.kind not in (store.CLIENT, store.CONTACT, store.STAFF):
            raise Forbidden("not_permitted", "Only a person signed in can change a password.")
        cmd = load(schemas.ChangePassword(), payload)
        now, keys = self.clock(), store.password_throttle_key(actor.kind, actor.id)
        with self.db.read() as session:
            row = store.principal_row(session, actor.kind, actor.id, actor.practice_id)
            wait = store.throttle_wait(session, keys, now)
            two_factor = row is not None and store.second_factor(
                session, actor.kind, row.id, session.get(Practice, row.practice_id))
        if row is None:
            raise NotFound(*NOT_FOUND)
        if wait:
            raise _throttled(wait)
        matched = self.passwords.verify(row.password_hash, cmd["current_password"])
        if matched:
            _check_password("new_password", cmd["new_password"], store.login_of(row),
                            store.name_of(row), two_factor)
            if password_rules.normalize(cmd["new_password"]) == \
                    password_rules.normalize(cmd["current_password"]):
                raise InvalidInput("same_password", "Choose a password you have not used here.",
                                   {"new_password": ["Choose a password you have not used here."]})
            new_hash = self.passwords.hash(cmd["new_password"])
        with self.db.transaction() as tx:
            if not matched:
                store.record_failure(tx.session, keys, now)
                store.audit(tx.session, "password_change_failed", now, actor.practice_id,
                            actor=(actor.kind, actor.id), subject=(actor.kind, actor.id),
                            source_ip=cmd["source_ip"])
            else:
                result = self._set_password(tx, actor, row, new_hash, now, cmd["source_ip"])
        if not matched:
            sentence = "The current password is not right."
            raise InvalidInput("wrong_password", sentence, {"current_password": [sentence]})
        return result

    # -- staff: client portal access ----------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def create_client_access(self, actor, payload):
        """Staff `manage_portal_access`: give a charts client a portal login →
        {account_id, client_id, login, status, must_change_password, created_at,
        last_sign_in_at}. Conflict `login_taken` / `access_exists`; the temporary password
        must pass the password rules (InvalidInput naming `temporary_password`).
        Emits `account.created`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.CreateClientAccess(), payload)
        login = accounts.normalize_login(cmd["login"])
        _check_password("temporary_password", cmd["temporary_password"], login,
                        cmd["client_name"])
        password_hash = self.passwords.hash(cmd["temporary_password"])
        now = self.clock()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            self._refuse_duplicate_access(tx.session, practice.id, cmd["client_id"], login)
            account = ClientAccount(
                practice_id=practice.id, client_id=cmd["client_id"], login=login,
                client_name=cmd["client_name"], password_hash=password_hash,
                status=cmd["status"], must_change_password=cmd["change_password_at_next_login"],
                created_at=now, created_by=actor.id, date_of_birth=cmd["date_of_birth"])
            if cmd["safe_word"] is not None:
                account.safe_word = " ".join(cmd["safe_word"].split())
                account.safe_word_updated_at = now
            tx.session.add(account)
            self._flush_or_conflict(tx.session)
            events.ACCOUNT_CREATED.record(tx, actor, {
                "account_id": account.id, "client_id": account.client_id,
                "practice_name": practice.name, "portal_path": f"/p/{practice.code}",
                "login": login, "status": account.status, "via": "staff"})
            store.audit(tx.session, "access_created", now, practice.id,
                        actor=(actor.kind, actor.id), subject=(store.CLIENT, account.id),
                        status=account.status,
                        must_change_password=account.must_change_password,
                        safe_word_set=account.safe_word is not None)
            return schemas.ClientAccessOut().dump(account)

    @rpc(expected_exceptions=EXPECTED)
    def set_client_access_status(self, actor, payload):
        """Staff `manage_portal_access`: {client_id, status, change_password_at_next_login?}.
        Suspending or inactivating ends every session of the account and emits
        `account.suspended` and `session.revoked` in the same transaction."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.SetClientAccessStatus(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            account = store.client_access(tx.session, actor.practice_id, cmd["client_id"],
                                          for_update=True)
            if account is None:
                raise NotFound(*NOT_FOUND)
            old = account.status
            if cmd["change_password_at_next_login"] is not None:
                account.must_change_password = cmd["change_password_at_next_login"]
            if old != cmd["status"]:
                account.status, account.status_changed_at = cmd["status"], now
            if accounts.ends_sessions(old, cmd["status"]):
                self._stop_access(tx, actor, account, now)
            store.audit(tx.session, "access_status_changed", now, account.practice_id,
                        actor=(actor.kind, actor.id), subject=(store.CLIENT, account.id),
                        old_status=old, status=account.status,
                        must_change_password=account.must_change_password)
            return schemas.ClientAccessOut().dump(account)

    @rpc(expected_exceptions=EXPECTED)
    def get_client_access(self, actor, client_id):
        """Staff `view_clients`: the client's portal access, or NotFound."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        with self.db.read() as session:
            account = store.client_access(session, actor.practice_id, client_id)
            if account is None:
                raise NotFound("no_portal_access", "This client has no portal access yet.")
            return schemas.ClientAccessOut().dump(account)

    # -- practices and staff ------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def create_practice(self, actor, payload):
        """System only: a new practice (tenant) → its branding dict. Conflict `code_taken`."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven itself can add a practice.")
        cmd = load(schemas.CreatePractice(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            if store.practice_by_code(tx.session, cmd["code"]) is not None:
                raise Conflict("code_taken", "Another practice already uses that address.")
            practice = Practice(created_at=now, **cmd)
            tx.session.add(practice)
            self._flush_or_conflict(tx.session)
            store.audit(tx.session, "practice_created", now, practice.id,
                        actor=(actor.kind, actor.id))
            return store.practice_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def create_staff(self, actor, payload):
        """System (for the actor's practice_id) or staff `manage_staff`:
        {email, name, role, password, change_password_at_next_login?, mfa_secret? (system
        only: a confirmed TOTP secret, for seeding)} → {id, email, name, role, status}.
        Passwords need 8+ characters (staff always have a second factor). Conflict
        `email_taken`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_STAFF)
        cmd = load(schemas.CreateStaff(), payload)
        mfa_secret = cmd.pop("mfa_secret")
        if mfa_secret and not actor.is_system:
            raise Forbidden("system_only", "Only Haven itself can set a two-factor secret.")
        email = accounts.normalize_login(cmd["email"])
        # staff always sign in with a second factor: the shorter NIST minimum applies
        _check_password("password", cmd["password"], email, cmd["name"], True)
        password_hash = self.passwords.hash(cmd["password"])
        now = self.clock()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            if store.staff_email_taken(tx.session, practice.id, email):
                raise Conflict("email_taken", "A staff member of the practice already uses that email.")
            staff = StaffUser(practice_id=practice.id, email=email, name=cmd["name"],
                              role=cmd["role"], password_hash=password_hash, status="active",
                              must_change_password=cmd["change_password_at_next_login"],
                              created_at=now)
            tx.session.add(staff)
            self._flush_or_conflict(tx.session)
            if mfa_secret:      # seeding and tests: an enrolled factor from the start
                tx.session.add(MfaFactor(principal_kind=store.STAFF, principal_id=staff.id,
                                         practice_id=practice.id, secret=mfa_secret,
                                         created_at=now, confirmed_at=now))
            store.audit(tx.session, "staff_created", now, practice.id,
                        actor=(actor.kind, actor.id), subject=(store.STAFF, staff.id),
                        role=staff.role)
            return schemas.StaffOut().dump(staff)

    @rpc(expected_exceptions=EXPECTED)
    def list_staff(self, actor):
        """Any staff of the practice: [{id, email, name, role, status}] by name."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        with self.db.read() as session:
            return schemas.StaffOut(many=True).dump(store.list_staff(session, actor.practice_id))

    # -- welcome invitations (docs/identity.md) ----------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def invite_client(self, actor, payload):
        """Staff `manage_portal_access` (and `view_clients`, to read the chart): email the
        client a single-use link to create their account → the client's portal access
        status. The chart must hold an email and a date of birth (InvalidInput
        `client_details_missing` naming them). Conflict `access_exists` / `login_taken`;
        TooManyRequests `resend_too_soon` with `retry_at` within five minutes of the last
        send. A newer invitation supersedes the older one. Emits `invitation.sent`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.InviteClient(), payload)
        client_id, now = cmd["client_id"], self.clock()
        with self.db.read() as session:     # cheap refusals before asking charts
            self._refuse_invitation(session, self._practice(session, actor), client_id, now)
        chart = self.charts.get_client(actor.to_wire(), client_id)   # before the transaction
        email, dob = invitations.required_details(chart)
        login = accounts.normalize_login(email)
        with self.db.read() as session:
            practice = self._practice(session, actor)
            today = grant_rules.local_today(now, practice.time_zone)
            birth = grant_rules.parse_date(dob)
            if not grant_rules.own_access_open(birth, today, practice.client_own_access_from_age):
                opens = grant_rules.own_access_opens_on(birth, practice.client_own_access_from_age)
                sentence = (f"This client can have their own portal sign-in from age "
                            f"{practice.client_own_access_from_age} ({opens.isoformat()}). "
                            "Until then, give a parent or guardian access instead.")
                raise Conflict("client_too_young", sentence,
                               {"available_from": opens.isoformat()})
        token, token_hash = invitations.new_token()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            previous = self._refuse_invitation(tx.session, practice, client_id, now)
            if store.login_taken(tx.session, practice.id, login):
                raise Conflict("login_taken", "Another client's portal account already uses "
                               "that email address.", {"email": ["already used for sign-in"]})
            for old in store.pending_invitations(tx.session, practice.id, client_id):
                old.status = invitations.SUPERSEDED
            invitation = Invitation(
                practice_id=practice.id, client_id=client_id, email=login,
                token_hash=token_hash, status=invitations.PENDING, dob_failures=0,
                sent_at=now, expires_at=invitations.expiry(now, practice.invitation_days),
                sent_by=actor.id)
            tx.session.add(invitation)
            tx.session.flush()
            events.INVITATION_SENT.record(tx, actor, {
                "invitation_id": invitation.id, "client_id": client_id, "email": login,
                "practice_name": practice.name, "portal_path": f"/p/{practice.code}",
                "link_path": invitations.invitation_path(practice.code, token),
                "expires_at": invitation.expires_at.isoformat(),
                "resend": previous is not None})
            store.audit(tx.session, "invitation_sent", now, practice.id,
                        actor=(actor.kind, actor.id), subject=("client", client_id),
                        invitation_id=invitation.id, resend=previous is not None)
            return dict(invitations.access_status(None, invitation, now), client_id=client_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_invitation(self, payload):
        """*public* {token} → {practice: {code, name, title}, login, expires_at,
        attempts_left} for the page behind an invitation link. NotFound
        `invitation_not_found`; Conflict `invitation_used` / `invitation_locked` /
        `invitation_replaced` / `invitation_expired`."""
        cmd = load(schemas.InvitationToken(), payload)
        now = self.clock()
        with self.db.read() as session:
            invitation = invitations.require_usable(
                store.invitation_by_token(session, invitations.hash_token(cmd["token"])), now)
            practice = session.get(Practice, invitation.practice_id)
            return {"practice": {"code": practice.code, "name": practice.name,
                                 "title": practice.title},
                    "login": invitation.email, "expires_at": invitation.expires_at.isoformat(),
                    "attempts_left": invitations.MAX_DOB_FAILURES - invitation.dob_failures,
                    "min_password_length": password_rules.MIN_LENGTH_WITH_SECOND_FACTOR
                    if practice.mfa_required_for_clients
                    else password_rules.MIN_LENGTH_SINGLE_FACTOR}

    @rpc(expected_exceptions=EXPECTED)
    def accept_invitation(self, payload):
        """*public* {token, date_of_birth, password, source_ip?}: the date of birth must
        match the chart exactly (InvalidInput `date_of_birth_mismatch` with
        `attempts_left`; the fifth wrong one locks the link: Conflict
        `invitation_locked`). Creates the account (login = the invited email) with the
        password (rules as `change_password`, InvalidInput naming `password`) and signs
        in → the token pair of `authenticate`. Emits `account.created` (via
        "invitation") and `invitation.accepted`."""
        cmd = load(schemas.AcceptInvitation(), payload)
        now, token_hash = self.clock(), invitations.hash_token(cmd["token"])
        address = store.address_throttle_key("invite", cmd["source_ip"])
        with self.db.read() as session:
            wait = store.throttle_wait(session, address, now)
            found = store.invitation_by_token(session, token_hash)
        if wait:
            raise _throttled(wait)
        if found is None and address:       # a guessed link counts against the address
            with self.db.transaction() as tx:
                store.record_failure(tx.session, address, now)
        with self.db.read() as session:
            invitation = invitations.require_usable(found, now)
            practice = session.get(Practice, invitation.practice_id)
        if not practice.portal_enabled:
            raise Forbidden(*PORTAL_CLOSED)
        chart = self.charts.get_client(
            Actor.system(practice_id=practice.id).to_wire(), invitation.client_id)
        name = " ".join(p for p in (chart.get("first_name"), chart.get("last_name")) if p)
        matched = invitations.dob_matches(cmd["date_of_birth"], chart.get("date_of_birth"))
        birth = grant_rules.parse_date(chart.get("date_of_birth"))
        if matched and not grant_rules.own_access_open(
                birth, grant_rules.local_today(now, practice.time_zone),
                practice.client_own_access_from_age):
            # the right person, too young for a login of their own: no attempt is spent
            raise not_yet_available(grant_rules.own_access_opens_on(
                birth, practice.client_own_access_from_age), Forbidden)
        if matched:
            _check_password("password", cmd["password"], invitation.email, name,
                            practice.mfa_required_for_clients)
            password_hash = self.passwords.hash(cmd["password"])
        with self.db.transaction() as tx:
            invitation = invitations.require_usable(
                store.invitation_by_token(tx.session, token_hash, for_update=True), now)
            if not matched:
                failures, locked = self._dob_mismatch(tx, invitation, now, cmd["source_ip"])
                store.record_failure(tx.session, address, now)
            else:
                result = self._create_invited_account(tx, practice, invitation, name,
                                                      password_hash, now, cmd["source_ip"],
                                                      birth)
        if not matched:
            if locked:
                invitations.require_usable(invitation, now)   # raises invitation_locked
            raise invitations.mismatch_error(failures)
        return result

    @rpc(expected_exceptions=EXPECTED)
    def get_portal_access_status(self, actor, client_id):
        """Staff `view_clients`: {client_id, status, invited_at, expires_at, resend_at,
        signed_up_at, login, last_sign_in_at, account_id, account_status}; status one of
        never_invited, sent, expired, locked, signed_up, suspended, access_removed."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        now = self.clock()
        with self.db.read() as session:
            account = store.client_access(session, actor.practice_id, client_id)
            invitation = store.latest_invitation(session, actor.practice_id, client_id)
            return dict(invitations.access_status(account, invitation, now), client_id=client_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_portal_access(self, actor, payload=None):
        """Staff `view_clients`: {status?, limit?, offset?} → {items: [status as
        get_portal_access_status], total}, newest activity first, of every client the
        practice has invited or given a login (`never_invited` clients are those of
        charts.list_clients missing here)."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        cmd = load(schemas.ListPortalAccess(), payload)
        now = self.clock()
        with self.db.read() as session:
            rows = store.portal_access_rows(session, actor.practice_id)
            items = [dict(invitations.access_status(account, inv, now), client_id=client_id)
                     for client_id, (account, inv) in rows.items()]
        if cmd["status"]:
            items = [i for i in items if i["status"] == cmd["status"]]
        items.sort(key=lambda i: (i["signed_up_at"] or i["invited_at"] or "", i["client_id"]),
                   reverse=True)
        return {"items": items[cmd["offset"]:cmd["offset"] + cmd["limit"]], "total": len(items)}

    # -- password reset ------------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def request_password_reset(self, payload):
        """*public* {practice_code, email, audience?, source_ip?} → always the same
        {accepted: true, message}, whether or not the email has an account (same work
        either way: a token is made and an audit row written). An active account gets a
        reset link (24 h, single use) by email: `password_reset.requested`. A second
        request within a minute sends nothing more."""
        cmd = load(schemas.RequestPasswordReset(), payload)
        now = self.clock()
        kind = store.AUDIENCE_KIND[cmd["audience"]]
        address = store.address_throttle_key("reset", cmd["source_ip"],
                                             throttle_rules.RESET_REQUESTS)
        with self.db.read() as session:     # decided by the address alone, before any lookup
            wait = store.throttle_wait(session, address, now)
        if wait:
            raise _throttled(wait)
        with self.db.read() as session:
            row, practice = store.find_login(session, cmd["practice_code"], cmd["audience"],
                                             cmd["email"])
            recent = store.latest_reset(session, kind, row.id) if row else None
        eligible = row is not None and accounts.can_sign_in(row.status) \
            and (kind == store.STAFF or practice.portal_enabled) \
            and not (recent is not None and recent.used_at is None
                     and now - recent.created_at < invitations.RESET_REQUEST_QUIET)
        token, token_hash = invitations.new_token()   # made either way: similar time
        with self.db.transaction() as tx:
            subject = (kind, row.id) if row else None
            if eligible:
                self._issue_reset(tx, Actor.system(practice_id=practice.id), practice, kind,
                                  tx.session.get(type(row), row.id), token, token_hash, now)
            store.audit(tx.session, "password_reset_requested", now,
                        practice.id if practice else None, actor=subject, subject=subject,
                        source_ip=cmd["source_ip"], issued=eligible)
            store.record_failure(tx.session, address, now)   # every request counts
        return {"accepted": True, "message": RESET_ANSWER}

    @rpc(expected_exceptions=EXPECTED)
    def send_password_reset(self, actor, payload):
        """Staff: {client_id} (`manage_portal_access`) or {staff_id} (`manage_staff`)
        emails that person a reset link → {sent_to, expires_at}. NotFound when there is
        no such login; Conflict `account_inactive` when it cannot sign in."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.SendPasswordReset(), payload)
        if bool(cmd["client_id"]) == bool(cmd["staff_id"]):
            raise InvalidInput("invalid_input", "Name either a client or a staff member.",
                               {"client_id": ["Give client_id or staff_id."]})
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS if cmd["client_id"] else roles.MANAGE_STAFF)
        now = self.clock()
        token, token_hash = invitations.new_token()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            if cmd["client_id"]:
                kind, row = store.CLIENT, store.client_access(tx.session, practice.id,
                                                              cmd["client_id"])
            else:
                kind, row = store.STAFF, store.principal_row(tx.session, store.STAFF,
                                                             cmd["staff_id"], practice.id)
            if row is None:
                raise NotFound("no_login", "That person has no sign-in yet.")
            if not accounts.can_sign_in(row.status):
                raise Conflict("account_inactive", "That account cannot sign in. Restore its "
                               "access first.")
            reset = self._issue_reset(tx, actor, practice, kind, row, token, token_hash, now)
            store.audit(tx.session, "password_reset_sent", now, practice.id,
                        actor=(actor.kind, actor.id), subject=(kind, row.id))
            return {"sent_to": store.login_of(row), "expires_at": reset.expires_at.isoformat()}

    @rpc(expected_exceptions=EXPECTED)
    def get_password_reset(self, payload):
        """*public* {token} → {kind, practice: {code, name, title, password_help},
        expires_at, min_password_length}; NotFound `reset_link_invalid` when unknown,
        used or expired."""
        cmd = load(schemas.InvitationToken(), payload)
        now = self.clock()
        with self.db.read() as session:
            reset = invitations.reset_usable(
                store.reset_by_token(session, invitations.hash_token(cmd["token"])), now)
            practice = session.get(Practice, reset.practice_id)
            two_factor = store.second_factor(session, reset.principal_kind,
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
        cmd = load(schemas.CompletePasswordReset(), payload)
        now, token_hash = self.clock(), invitations.hash_token(cmd["token"])
        with self.db.read() as session:
            reset = invitations.reset_usable(store.reset_by_token(session, token_hash), now)
            row = store.principal_row(session, reset.principal_kind, reset.principal_id,
                                      reset.practice_id)
            practice = session.get(Practice, reset.practice_id)
            two_factor = row is not None and store.second_factor(
                session, reset.principal_kind, row.id, practice)
        first = reset.purpose == invitations.PURPOSE_INVITE and row is not None \
            and row.status == accounts.INVITED
        if row is None or not (accounts.can_sign_in(row.status) or first):
            invitations.reset_usable(None, now)
        _check_password("new_password", cmd["new_password"], store.login_of(row),
                        store.name_of(row), two_factor)
        new_hash = self.passwords.hash(cmd["new_password"])
        person = Actor(practice_id=practice.id, kind=reset.principal_kind, id=row.id)
        with self.db.transaction() as tx:
            reset = invitations.reset_usable(
                store.reset_by_token(tx.session, token_hash, for_update=True), now)
            for open_reset in store.open_resets(tx.session, reset.principal_kind, row.id):
                open_reset.used_at = now
            self._set_password(tx, person, row, new_hash, now, cmd["source_ip"],
                               via="invite" if first else "reset", sign_in=False)
            audience = "staff" if reset.principal_kind == store.STAFF else "portal"
            store.clear_throttle(tx.session, store.throttle_keys(
                practice.code, audience, store.login_of(row), None))
        return {"kind": reset.principal_kind, "practice_code": practice.code,
                "login": store.login_of(row)}

    # -- practice portal settings and audit -------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def update_practice_settings(self, actor, payload):
        """Staff `manage_practice_settings` (or system): partial {name, portal_enabled,
        title, instructions, theme_color, accent_color, logo_ref, code, subdomain,
        password_help, idle_timeout_minutes, invitation_days, time_zone} → the practice as
        `get_practice`. Conflict `code_taken` / `subdomain_taken`. Emits
        `practice.updated` when something changed."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PRACTICE_SETTINGS)
        cmd = load(schemas.UpdatePracticeSettings(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            previous_code = practice.code
            if "code" in cmd and cmd["code"] != practice.code and \
                    store.practice_by_code(tx.session, cmd["code"]) is not None:
                raise Conflict("code_taken", "Another practice already uses that address.",
                               {"code": ["already taken"]})
            if cmd.get("subdomain") and cmd["subdomain"] != practice.subdomain and \
                    store.practice_by_subdomain(tx.session, cmd["subdomain"]) is not None:
                raise Conflict("subdomain_taken", "Another practice already uses that "
                               "subdomain.", {"subdomain": ["already taken"]})
            if "confidential_permissions" in cmd:
                cmd["confidential_permissions"] = grant_rules.normalize(
                    cmd["confidential_permissions"])
            full = cmd.get("guardian_full_until_age", practice.guardian_full_until_age)
            ends = cmd.get("guardian_access_ends_at_age", practice.guardian_access_ends_at_age)
            if full > ends:
                sentence = "Full guardian access must end no later than guardian access ends."
                raise InvalidInput("invalid_age_bands", sentence,
                                   {"guardian_full_until_age": [sentence]})
            changed = sorted(k for k, v in cmd.items() if getattr(practice, k) != v)
            for key in changed:
                setattr(practice, key, cmd[key])
            if changed:
                practice.updated_at = now
                self._flush_or_conflict(tx.session)
                events.PRACTICE_UPDATED.record(tx, actor, dict(store.practice_dict(practice), previous_code=previous_code))
                store.audit(tx.session, "practice_settings_changed", now, practice.id,
                            actor=(actor.kind, actor.id), fields=changed)
            return store.practice_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def get_practice_by_subdomain(self, subdomain):
        """*public* The practice whose own subdomain this is, as `get_practice`."""
        with self.db.read() as session:
            practice = store.practice_by_subdomain(session, accounts.normalize_code(subdomain))
            if practice is None:
                raise NotFound("practice_not_found", "There is no practice with that address.")
            return store.practice_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def list_audit(self, actor, payload=None):
        """Staff `view_audit_log`: {action?, actor_id?, subject_id?, since?, until?, limit?}
        → {entries: [{id, occurred_at, action, actor_kind, actor_id, subject_kind,
        subject_id, session_id, source_ip, detail}]} of the actor's practice, newest
        first."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_AUDIT_LOG)
        cmd = load(schemas.ListAudit(), payload)
        with self.db.read() as session:
            rows = store.list_audit(session, actor.practice_id, cmd)
            return {"entries": schemas.AuditOut(many=True).dump(rows)}

    # -- linked clients ----------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def link_client(self, actor, payload):
        """Staff `manage_portal_access` + `view_clients`: {account_id, client_id} lets the
        account act for a further client whose chart carries the account's email →
        `get_account_clients`. Conflict `email_mismatch` / `access_exists`; NotFound
        `no_portal_access` for an unknown account. Emits `account.client_linked`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.LinkClient(), payload)
        with self.db.read() as session:
            account = self._account(session, actor, cmd["account_id"])
            if store.client_reached(session, actor.practice_id, cmd["client_id"]):
                raise Conflict("access_exists", "This client already has portal access.")
        chart = self.charts.get_client(actor.to_wire(), cmd["client_id"])  # before the write
        if accounts.normalize_login(chart.get("email")) != account.login:
            raise Conflict("email_mismatch", "Only a client whose chart carries this "
                           "account's email address can be linked to it.",
                           {"client_id": ["email on the chart differs"]})
        name = " ".join(p for p in (chart.get("first_name"), chart.get("last_name")) if p)
        now = self.clock()
        with self.db.transaction() as tx:
            account = self._account(tx.session, actor, cmd["account_id"])
            if store.client_reached(tx.session, actor.practice_id, cmd["client_id"]):
                raise Conflict("access_exists", "This client already has portal access.")
            tx.session.add(AccountClient(account_id=account.id, client_id=cmd["client_id"],
                                         practice_id=account.practice_id, client_name=name,
                                         linked_at=now, linked_by=actor.id))
            self._flush_or_conflict(tx.session)
            events.CLIENT_LINKED.record(tx, actor, {"account_id": account.id,
                                                  "client_id": cmd["client_id"]})
            store.audit(tx.session, "client_linked", now, account.practice_id,
                        actor=(actor.kind, actor.id), subject=(store.CLIENT, account.id),
                        client_id=cmd["client_id"])
            return store.account_clients_view(tx.session, account)

    @rpc(expected_exceptions=EXPECTED)
    def unlink_client(self, actor, payload):
        """Staff `manage_portal_access`: {account_id, client_id} removes the account's
        access to that linked client and ends every session of the account → as
        `get_account_clients`. NotFound `not_linked`; Conflict `own_client` for the
        account's own client (use `set_client_access_status`). Emits
        `account.client_unlinked` and `session.revoked`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.LinkClient(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            account = self._account(tx.session, actor, cmd["account_id"])
            if account.client_id == cmd["client_id"]:
                raise Conflict("own_client", "This is the account's own chart: remove or "
                               "suspend the account's access instead.")
            link = tx.session.get(AccountClient, (account.id, cmd["client_id"]))
            if link is None:
                raise NotFound("not_linked", "That client is not linked to this account.")
            tx.session.delete(link)
            events.CLIENT_UNLINKED.record(tx, actor, {"account_id": account.id,
                                                    "client_id": cmd["client_id"]})
            ended = store.revoke(tx.session, store.open_sessions(tx.session, store.CLIENT,
                                                                 account.id), now, "unlinked")
            if ended:
                self._record_revoked(tx, actor, account.practice_id, account.id, ended, now,
                                     "unlinked")
            store.audit(tx.session, "client_unlinked", now, account.practice_id,
                        actor=(actor.kind, actor.id), subject=(store.CLIENT, account.id),
                        client_id=cmd["client_id"])
            tx.session.flush()
            return store.account_clients_view(tx.session, account)

    @rpc(expected_exceptions=EXPECTED)
    def get_account_clients(self, actor, account_id):
        """Staff `view_clients`: {account_id, login, status, clients: [{client_id, name,
        own, linked_at}]} — the account's own client first."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_CLIENTS)
        with self.db.read() as session:
            return store.account_clients_view(session, self._account(session, actor, account_id))

    # -- helpers (not entrypoints) -------------------------------------------------------------
    @staticmethod
    def _account(session, actor, account_id):
        account = store.principal_row(session, store.CLIENT, account_id, actor.practice_id)
        if account is None:
            raise NotFound("no_portal_access", "There is no such portal account.")
        return account

    def _refuse_invitation(self, session, practice, client_id, now):
        """Conflict when the client has a login; TooManyRequests within five minutes of
        the last send. Returns the newest earlier invitation (or None)."""
        if store.client_reached(session, practice.id, client_id):
            raise Conflict("access_exists", "This client already has portal access.")
        previous = store.latest_invitation(session, practice.id, client_id)
        invitations.check_resend_after(previous, now)
        return previous

    def _dob_mismatch(self, tx, invitation, now, ip):
        invitation.dob_failures, locked = invitations.after_mismatch(invitation.dob_failures)
        store.audit(tx.session, "invitation_dob_mismatch", now, invitation.practice_id,
                    subject=("client", invitation.client_id), source_ip=ip,
                    invitation_id=invitation.id, failures=invitation.dob_failures)
        if locked:
            invitation.status, invitation.locked_at = invitations.LOCKED, now
            events.INVITATION_LOCKED.record(tx, Actor.system(practice_id=invitation.practice_id), {
                "invitation_id": invitation.id, "client_id": invitation.client_id})
            store.audit(tx.session, "invitation_locked", now, invitation.practice_id,
                        subject=("client", invitation.client_id), source_ip=ip,
                        invitation_id=invitation.id)
        return invitation.dob_failures, locked

    def _create_invited_account(self, tx, practice, invitation, name, password_hash, now, ip,
                                date_of_birth=None):
        self._refuse_duplicate_access(tx.session, practice.id, invitation.client_id,
                                      invitation.email)
        account = ClientAccount(
            practice_id=practice.id, client_id=invitation.client_id, login=invitation.email,
            client_name=name, password_hash=password_hash, status=accounts.ACTIVE,
            must_change_password=False, created_at=now, created_by=None,
            last_sign_in_at=now, date_of_birth=date_of_birth)
        tx.session.add(account)
        self._flush_or_conflict(tx.session)
        invitation.status, invitation.accepted_at = invitations.ACCEPTED, now
        invitation.account_id = account.id
        me = Actor(practice_id=practice.id, kind=store.CLIENT, id=account.id)
        events.ACCOUNT_CREATED.record(tx, me, {
            "account_id": account.id, "client_id": account.client_id,
            "practice_name": practice.name, "portal_path": f"/p/{practice.code}",
            "login": account.login, "status": account.status, "via": "invitation"})
        events.INVITATION_ACCEPTED.record(tx, me, {
            "invitation_id": invitation.id, "client_id": invitation.client_id,
            "account_id": account.id})
        subject = (store.CLIENT, account.id)
        store.audit(tx.session, "invitation_accepted", now, practice.id, actor=subject,
                    subject=subject, source_ip=ip, invitation_id=invitation.id)
        return self._open_or_challenge(tx, account, practice, now, ip)

    def _issue_reset(self, tx, actor, practice, kind, row, token, token_hash, now):
        """A new reset link for `row`; older open links of the person stop working."""
        for old in store.open_resets(tx.session, kind, row.id):
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
        path = (invitations.reset_path if kind == store.CLIENT
                else invitations.staff_reset_path)(practice.code, token)
        events.PASSWORD_RESET_REQUESTED.record(tx, actor, {
            "reset_id": reset.id, "kind": kind, "account_id": row.id,
            "email": store.login_of(row), "practice_name": practice.name,
            "portal_path": f"/p/{practice.code}", "link_path": path,
            "expires_at": reset.expires_at.isoformat(),
            "requested_by": "staff" if by_staff else "self"})
        return reset

    def _practice(self, session, actor):
        practice = session.get(Practice, actor.practice_id) if actor.practice_id else None
        if practice is None:
            raise NotFound("practice_not_found", "There is no such practice.")
        return practice

    @staticmethod
    def _refuse_duplicate_access(session, practice_id, client_id, login):
        if store.client_reached(session, practice_id, client_id):
            raise Conflict("access_exists", "This client already has portal access.")
        if store.login_taken(session, practice_id, login):
            raise Conflict("login_taken",
                           "That sign-in email is already used by another client of the practice.")

    @staticmethod
    def _flush_or_conflict(session):
        try:
            session.flush()
        except IntegrityError:  # a concurrent request took the same unique value
            raise Conflict("already_exists", "That already exists. Reload and try again.") from None

    def _audit_only(self, action, now, practice, row, ip):
        with self.db.transaction() as tx:
            subject = (store.kind_of(row), row.id) if row else None
            store.audit(tx.session, action, now, practice.id if practice else None,
                        actor=subject, subject=subject, source_ip=ip)

    def _record_revoked(self, tx, actor, practice_id, principal_id, session_ids, now, reason):
        events.SESSION_REVOKED.record(tx, actor, {
            "session_ids": session_ids, "account_id": principal_id,
            "revoked_at": now.isoformat(), "reason": reason}, practice_id=practice_id)

    def _stop_access(self, tx, actor, account, now):
        practice = tx.session.get(Practice, account.practice_id)
        events.ACCOUNT_SUSPENDED.record(tx, actor, {
            "account_id": account.id, "client_id": account.client_id, "status": account.status,
            **_email_data(practice, account.login)})
        ended = store.revoke(tx.session, store.open_sessions(tx.session, store.CLIENT, account.id),
                             now, account.status)
        if ended:
            self._record_revoked(tx, actor, account.practice_id, account.id, ended, now,
                                 account.status)

    def _set_password(self, tx, actor, row, new_hash, now, ip, via="change", sign_in=True):
        """New hash; ends every open session of the person; `password.changed`; and,
        when `sign_in`, a fresh session for the caller (a change made while signed in)."""
        kind = store.kind_of(row)
        account = tx.session.get(type(row), row.id)
        account.password_hash, account.must_change_password = new_hash, False
        account.password_changed_at = now
        if via == "invite":             # the first password: the login starts working
            account.status, account.status_changed_at = accounts.ACTIVE, now
        ended = store.revoke(tx.session, store.open_sessions(tx.session, kind, account.id),
                             now, "password_changed")
        if ended:
            self._record_revoked(tx, actor, account.practice_id, account.id, ended, now,
                                 "password_changed")
        practice = tx.session.get(Practice, account.practice_id)
        if via != "invite":             # nobody needs "your password was changed" for a first one
            events.PASSWORD_CHANGED.record(tx, actor, {
                "account_id": account.id, "kind": kind, "via": via,
                **_email_data(practice, store.login_of(account))}, practice_id=account.practice_id)
        store.clear_throttle(tx.session, store.password_throttle_key(kind, account.id))
        result = None
        if sign_in:
            principal = store.principal_of(tx.session, account, practice, now)
            result = store.open_session(tx.session, principal, practice, now, self.settings, ip)
        store.audit(tx.session, {"change": "password_changed", "reset": "password_reset",
                                 "invite": "password_set"}[via],
                    now, account.practice_id, actor=(actor.kind, actor.id),
                    subject=(kind, account.id),
                    session_id=result["session_id"] if result else None, source_ip=ip)
        return result

    def _rotate(self, tx, token_hash, now, ip):
        token_row = store.refresh_token_row(tx.session, token_hash)
        session_row = tx.session.get(store.Session, token_row.session_id) if token_row else None
        outcome = tokens.refresh_outcome(token_row, session_row, now)
        if outcome == tokens.ROTATE and not store.mark_used(tx.session, token_row, now):
            outcome = tokens.REUSED          # another request rotated it a moment ago
        if outcome == tokens.REUSED:
            self._revoke_family(tx, session_row, now, ip)
            return outcome, None
        if outcome != tokens.ROTATE:
            return outcome, None
        row = store.principal_row(tx.session, session_row.principal_kind,
                                  session_row.principal_id, session_row.practice_id)
        if row is None or not accounts.can_sign_in(row.status):
            ended = store.revoke(tx.session, [session_row], now, "inactive")
            if ended:
                self._record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                                     session_row.practice_id, session_row.principal_id, ended,
                                     now, "inactive")
            return "inactive", None
        practice = tx.session.get(Practice, session_row.practice_id)
        if own_access_opens(practice, row, now) is not None:   # the practice raised the age
            ended = store.revoke(tx.session, [session_row], now, NOT_YET_AVAILABLE)
            if ended:
                self._record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                                     session_row.practice_id, session_row.principal_id, ended,
                                     now, NOT_YET_AVAILABLE)
            return NOT_YET_AVAILABLE, None
        session_row.last_refreshed_at = now
        principal = store.principal_of(tx.session, row, practice, now)
        return outcome, store.issue_pair(tx.session, principal, practice, session_row.id, now,
                                         self.settings)

    def _revoke_family(self, tx, session_row, now, ip):
        ended = store.revoke(tx.session, [session_row], now, "refresh_reused")
        subject = (session_row.principal_kind, session_row.principal_id)
        store.audit(tx.session, "refresh_reused", now, session_row.practice_id, actor=subject,
                    subject=subject, session_id=session_row.id, source_ip=ip)
        if ended:
            system = Actor.system(practice_id=session_row.practice_id)
            self._record_revoked(tx, system, session_row.practice_id, session_row.principal_id,
                                 ended, now, "refresh_reused")
            log.warning("refresh token reused; session revoked",
                        extra={"session_id": session_row.id,
                               "practice_id": session_row.practice_id})
