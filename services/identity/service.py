"""The identity service: practices, staff, client portal access, sign-in and sessions.

Entrypoints only; rules live in `domain/`, queries in `store.py`. Every write commits
inside the entrypoint (STYLE.md, trap 1) and records its events in the outbox in the
same transaction. Password hashing runs on a thread, off the eventlet hub (trap 9).
Log lines carry ids and codes only — never a password, a token, a name or an email.
"""
import logging
from datetime import timedelta

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.blobstore import BlobStoreProvider
from services.common.clock import Clock
from services.common.db import Database
from services.common.readiness import Readiness
from services.common.errors import (
    EXPECTED,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from services.common.logs import CorrelationId
from services.common.rpc import BoundedRpcProxy
from services.common.schemas import load
from services.common.sweep import OrphanBlobSweep
from services.identity import events, schemas, store
from services.identity.access_extras import AccessExtrasEntrypoints
from services.identity.chart_sync import ChartEventEntrypoints
from services.identity.contacts import ContactEntrypoints
from services.identity.dependencies import IdentitySettings, PasswordHashing
from services.identity.domain import accounts, branding, devices, roles, tokens
from services.identity.domain import grants as grant_rules
from services.identity.domain import passwords as password_rules
from services.identity.helpers import (
    ACCOUNT_INACTIVE,
    INVALID_CREDENTIALS,
    NOT_FOUND,
    NOT_YET_AVAILABLE,
    NOT_YET_SENTENCE,
    PORTAL_CLOSED,
    SESSION_ENDED,
    SESSION_IDLE,
    check_password,
    email_data,
    portal_address,
    own_access_opens,
    throttled,
)
from services.identity.models import (
    AccountClient,
    Base,
    ClientAccount,
    Lease,
    MfaFactor,
    Practice,
    StaffUser,
)
from services.identity.onboarding import OnboardingEntrypoints
from services.identity.staff_admin import StaffEntrypoints
from services.identity.two_factor import TwoFactorEntrypoints

log = logging.getLogger(__name__)


class IdentityService(Readiness, OnboardingEntrypoints, ContactEntrypoints, StaffEntrypoints,
                      TwoFactorEntrypoints, AccessExtrasEntrypoints, ChartEventEntrypoints,
                      OrphanBlobSweep):
    name = "identity"

    db = Database(Base)
    correlation = CorrelationId()
    passwords = PasswordHashing()
    settings = IdentitySettings()
    clock = Clock()
    # one hop, bounded, and only ever before a transaction opens (STYLE.md, traps 7-8)
    charts = BoundedRpcProxy("charts")
    # the gateway writes logos to the blob store before identity commits their key: a
    # blob whose commit never came is swept (services.common.sweep: the RPC
    # sweep_orphan_blobs and a timer, one replica at a time)
    blobs = BlobStoreProvider()
    config = Config()
    orphan_blob_namespace = branding.LOGO_NAMESPACE
    orphan_lease = Lease

    def referenced_blob_keys(self, session, keys):
        """The logo keys a practice names: every other blob under `logos/` is swept."""
        return store.logo_refs_among(session, keys)

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
        session_id, must_change_password, principal, device_token} (or the second step's
        challenge, with `device_token` too).

        An unknown sign-in name costs one argon2 verification, exactly as a wrong
        password does, and answers the same `invalid_credentials`. Failures back off per
        account and per source address (TooManyRequests with `retry_after`) — except for
        an attempt that presents a `device_tokens` entry this account issued after an
        earlier right password: that one backs off per (account, device) only, so that
        nobody can slow the owner's own device down. A right password is answered with
        a new `device_token`. The failure that starts an account's back-off emits
        `sign_in.throttled` (its owner is told, once). A person about to sign in with
        a password alone whose password is shorter than the single-factor minimum (say
        two-step sign-in was turned off) must change it first (`must_change_password`).
        """
        cmd = load(schemas.Authenticate(), payload)
        now, ip = self.clock(), cmd["source_ip"]
        account_key = store.account_key(cmd["practice_code"], cmd["audience"], cmd["login"])
        device = devices.recognised(cmd["device_tokens"], self.settings.token_secret,
                                    account_key, now)
        keys = store.throttle_keys(cmd["practice_code"], cmd["audience"], cmd["login"], ip,
                                   device)
        with self.db.read() as session:
            wait = store.throttle_wait(session, keys, now)
            row, practice = store.find_login(session, cmd["practice_code"], cmd["audience"],
                                             cmd["login"])
        if wait:
            self._audit_only("sign_in_throttled", now, practice, row, ip)
            raise throttled(wait)
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
                    started = store.record_failure(tx.session, keys, now)
                    if row is not None and any(k.startswith(("account:", "device:"))
                                               for k in started):
                        self._tell_owner_throttled(tx, row, practice, now, ip)
                store.audit(tx.session, "sign_in_failed" if refusal is INVALID_CREDENTIALS
                            else "sign_in_refused", now, pid, actor=subject, subject=subject,
                            source_ip=ip, reason=refusal[0])
            else:
                account = tx.session.get(type(row), row.id)
                if rehash:
                    account.password_hash = rehash
                # asked only once the password was right: an unknown name and a wrong
                # password must cost the same work
                alone = not store.second_factor(tx.session, subject[0], row.id, practice)
                if alone and not account.must_change_password and \
                        not password_rules.long_enough_alone(cmd["password"]):
                    account.must_change_password = True
                    store.audit(tx.session, "password_change_required", now, pid,
                                actor=subject, subject=subject, source_ip=ip,
                                reason="single_factor_minimum")
                store.clear_throttle(tx.session, keys)
                # the password was right: a session now, or first the second factor
                result = self._open_or_challenge(tx, account, practice, now, ip)
                result["device_token"] = devices.issue(self.settings.token_secret,
                                                       account_key, now)
        if refusal:
            log.info("sign-in refused", extra={"reason": refusal[0], "practice_id": pid})
            raise Unauthenticated(*refusal)
        return result

    @rpc(expected_exceptions=EXPECTED)
    def refresh(self, payload):
        """*public* {refresh_token, source_ip?} → a new pair in the same session. A token
        already rotated revokes its whole session (`session.revoked`) and is refused. A
        session idle longer than the practice's `idle_timeout_minutes` (counted from the
        last refresh plus one access-token lifetime) is revoked and refused
        (Unauthenticated `session_timed_out`)."""
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
        if outcome == tokens.IDLE:
            raise Unauthenticated(*SESSION_IDLE)
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
        clients: [{client_id, name, permissions}], must_change_password, grants_paused}."""
        actor = Actor.from_wire(actor)
        now = self.clock()
        with self.db.read() as session:
            row = store.principal_row(session, actor.kind, actor.id, actor.practice_id)
            if row is None:
                raise NotFound(*NOT_FOUND)
            practice = session.get(Practice, row.practice_id)
            view = store.principal_view(store.principal_of(session, row, practice, now),
                                        practice)
            view["grants_paused"] = store.paused_grants(session, row, practice, now)
            return view

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
            raise throttled(wait)
        matched = self.passwords.verify(row.password_hash, cmd["current_password"])
        if matched:
            check_password("new_password", cmd["new_password"], store.login_of(row),
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
        check_password("temporary_password", cmd["temporary_password"], login,
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
                "practice_name": practice.name, **portal_address(practice),
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
        check_password("password", cmd["password"], email, cmd["name"], True)
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
        for colour in ("theme_color", "accent_color"):
            branding.check_readable(colour, cmd.get(colour))
        if "subdomain" in cmd:
            cmd["subdomain"] = branding.normalize_subdomain(cmd["subdomain"])
            branding.check_subdomain(cmd["subdomain"])
        now = self.clock()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            previous_code = practice.code
            if "code" in cmd and cmd["code"] != practice.code and \
                    store.practice_by_code(tx.session, cmd["code"]) is not None:
                raise Conflict("code_taken", "Another practice already uses that address.",
                               {"code": ["Another practice already uses this code."]})
            if cmd.get("subdomain") and cmd["subdomain"] != practice.subdomain and \
                    store.practice_by_subdomain(tx.session, cmd["subdomain"]) is not None:
                raise Conflict("subdomain_taken", "Another practice already uses that "
                               "subdomain. Choose another one.",
                               {"subdomain": ["Another practice already uses it."]})
            previous_logo = practice.logo_ref
            if "logo_ref" in cmd:       # only null is accepted: remove the logo
                cmd.update(logo_sha256=None, logo_content_type=None)
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
            out = store.practice_dict(practice)
            if previous_logo and previous_logo != practice.logo_ref:
                out["previous_logo_ref"] = previous_logo   # the caller removes the blob
            return out

    @rpc(expected_exceptions=EXPECTED)
    def set_practice_logo(self, actor, payload):
        """Staff `manage_practice_settings`: {blob_key, sha256, size, content_type} of a
        logo the gateway stored in the blob store (namespace `logos`, type named by
        content: image/png or image/jpeg, at most 1 MB), or {blob_key: null} to remove it
        → the practice as `get_practice`, plus `previous_logo_ref` when a logo was
        replaced or removed (the caller deletes that blob after this commits). 422
        `logo_type_refused`, `logo_too_large`. Emits `practice.updated`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PRACTICE_SETTINGS)
        cmd = load(schemas.SetPracticeLogo(), payload)
        if cmd["blob_key"] is not None:
            branding.check_logo(cmd["content_type"], cmd["size"] or 0)
            if not cmd["sha256"]:
                raise InvalidInput("invalid_input", "The logo's checksum is missing.",
                                   {"sha256": ["Missing data for required field."]})
        now = self.clock()
        with self.db.transaction() as tx:
            practice = self._practice(tx.session, actor)
            previous = practice.logo_ref
            if previous == cmd["blob_key"]:
                return store.practice_dict(practice)
            practice.logo_ref = cmd["blob_key"]
            practice.logo_sha256 = cmd["sha256"] if cmd["blob_key"] else None
            practice.logo_content_type = cmd["content_type"] if cmd["blob_key"] else None
            practice.updated_at = now
            events.PRACTICE_UPDATED.record(tx, actor, dict(store.practice_dict(practice),
                                                           previous_code=practice.code))
            store.audit(tx.session, "practice_settings_changed", now, practice.id,
                        actor=(actor.kind, actor.id), fields=["logo_ref"])
            out = store.practice_dict(practice)
            if previous:
                out["previous_logo_ref"] = previous
            return out

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
        → {entries: [{id, occurred_at, action, actor_kind, actor_id, actor_name,
        subject_kind, subject_id, subject_name, session_id, source_ip, detail}]} of the
        actor's practice, newest first. A name is null where identity knows none."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.VIEW_AUDIT_LOG)
        cmd = load(schemas.ListAudit(), payload)
        with self.db.read() as session:
            rows = store.list_audit(session, actor.practice_id, cmd)
            names = store.audit_names(session, actor.practice_id, rows)
            return {"entries": [schemas.audit_out(row, names) for row in rows]}

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
                           {"client_id": ["The email on this client's chart differs from the account's sign-in."]})
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

    # -- for notify ------------------------------------------------------------------------------
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
        cmd = load(schemas.NoticeAddress(), payload)
        with self.db.read() as session:
            row = store.principal_row(session, cmd["kind"], cmd["id"], actor.practice_id)
            if row is None:
                raise NotFound("no_login", "That person has no sign-in.")
            practice = session.get(Practice, row.practice_id)
            data = email_data(practice, store.login_of(row))
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
            return {"practice_name": practice.name, **portal_address(practice)}

    # -- helpers (not entrypoints) -------------------------------------------------------------
    @staticmethod
    def _account(session, actor, account_id):
        account = store.principal_row(session, store.CLIENT, account_id, actor.practice_id)
        if account is None:
            raise NotFound("no_portal_access", "There is no such portal account.")
        return account

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

    def _tell_owner_throttled(self, tx, row, practice, now, ip):
        """The first failure of a back-off episode: the owner hears of it once."""
        kind = store.kind_of(row)
        data = email_data(practice, store.login_of(row), kind)  # staff: the console's
        events.SIGN_IN_THROTTLED.record(tx, Actor.system(practice_id=practice.id), dict(
            data, account_id=row.id, kind=kind, occurred_at=now.isoformat()),
            practice_id=practice.id)
        store.audit(tx.session, "sign_in_throttle_notice", now, practice.id,
                    subject=(kind, row.id), source_ip=ip)

    def _record_revoked(self, tx, actor, practice_id, principal_id, session_ids, now, reason):
        events.SESSION_REVOKED.record(tx, actor, {
            "session_ids": session_ids, "account_id": principal_id,
            "revoked_at": now.isoformat(), "reason": reason}, practice_id=practice_id)

    def _stop_access(self, tx, actor, account, now):
        practice = tx.session.get(Practice, account.practice_id)
        events.ACCOUNT_SUSPENDED.record(tx, actor, {
            "account_id": account.id, "client_id": account.client_id, "status": account.status,
            **email_data(practice, account.login)})
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
                **email_data(practice, store.login_of(account), kind)},
                practice_id=account.practice_id)
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
        practice = tx.session.get(Practice, session_row.practice_id)
        if tokens.idle_too_long(session_row, now, practice.idle_timeout_minutes,
                                self.settings.access_token_seconds):
            self._end_idle(tx, session_row, now, ip)
            return tokens.IDLE, None
        row = store.principal_row(tx.session, session_row.principal_kind,
                                  session_row.principal_id, session_row.practice_id)
        if row is None or not accounts.can_sign_in(row.status):
            ended = store.revoke(tx.session, [session_row], now, "inactive")
            if ended:
                self._record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                                     session_row.practice_id, session_row.principal_id, ended,
                                     now, "inactive")
            return "inactive", None
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

    def _end_idle(self, tx, session_row, now, ip):
        ended = store.revoke(tx.session, [session_row], now, "idle_timeout")
        subject = (session_row.principal_kind, session_row.principal_id)
        store.audit(tx.session, "session_timed_out", now, session_row.practice_id,
                    actor=subject, subject=subject, session_id=session_row.id, source_ip=ip)
        if ended:
            self._record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                                 session_row.practice_id, session_row.principal_id, ended,
                                 now, "idle_timeout")

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
