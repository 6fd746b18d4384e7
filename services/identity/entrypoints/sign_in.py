"""Sign-in with a password (docs/identity.md, "Sign-in"): the same work and answer for an
unknown name as for a wrong password, back-off per account, address and known device,
and the owner told once when their sign-in starts backing off.
"""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Unauthenticated
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, devices
from services.identity.domain import passwords as password_rules
from services.identity.entrypoints.sentences import (
    ACCOUNT_INACTIVE,
    INVALID_CREDENTIALS,
    NOT_YET_AVAILABLE,
    NOT_YET_SENTENCE,
    PORTAL_CLOSED,
    throttled,
)
from services.identity.entrypoints.session_opening import open_or_challenge

log = logging.getLogger(__name__)


class SignInEntrypoints:
    """`authenticate`: a password, then a session or the second step."""

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
        cmd = load(schemas.sessions.Authenticate(), payload)
        now, ip = self.clock(), cmd["source_ip"]
        code, audience, login = cmd["practice_code"], cmd["audience"], cmd["login"]
        account_key = store.throttles.account_key(code, audience, login)
        device = devices.recognised(cmd["device_tokens"], self.settings.token_secret,
                                    account_key, now)
        keys = store.throttles.sign_in_keys(code, audience, login, ip, device)
        with self.db.read() as session:
            wait = store.throttles.wait(session, keys, now)
            row, practice = store.principals.find_login(session, code, audience, login)
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
        opens_on = store.principals.own_access_opens(practice, row, now) \
            if matched and not refusal else None
        if opens_on is not None:
            refusal = (NOT_YET_AVAILABLE, NOT_YET_SENTENCE,
                       {"available_from": opens_on.isoformat()})
        with self.db.transaction() as tx:
            pid = practice.id if practice else None
            subject = (store.principals.kind_of(row), row.id) if row else None
            if refusal:
                if refusal is INVALID_CREDENTIALS:
                    started = store.throttles.record_failure(tx.session, keys, now)
                    if row is not None and any(k.startswith(("account:", "device:"))
                                               for k in started):
                        self._tell_owner_throttled(tx, row, practice, now, ip)
                action = "sign_in_failed" if refusal is INVALID_CREDENTIALS \
                    else "sign_in_refused"
                store.audit.record(tx.session, action, now, pid, actor=subject, subject=subject,
                                   source_ip=ip, reason=refusal[0])
            else:
                account = tx.session.get(type(row), row.id)
                if rehash:
                    account.password_hash = rehash
                # asked only once the password was right: an unknown name and a wrong
                # password must cost the same work
                alone = not store.mfa.second_factor(tx.session, subject[0], row.id, practice)
                if alone and not account.must_change_password and \
                        not password_rules.long_enough_alone(cmd["password"]):
                    account.must_change_password = True
                    store.audit.record(tx.session, "password_change_required", now, pid,
                                       actor=subject, subject=subject, source_ip=ip,
                                       reason="single_factor_minimum")
                store.throttles.clear(tx.session, keys)
                # the password was right: a session now, or first the second factor
                result = open_or_challenge(self.settings, tx, account, practice, now, ip)
                result["device_token"] = devices.issue(self.settings.token_secret,
                                                       account_key, now)
        if refusal:
            log.info("sign-in refused", extra={"reason": refusal[0], "practice_id": pid})
            raise Unauthenticated(*refusal)
        return result

    def _audit_only(self, action, now, practice, row, ip):
        with self.db.transaction() as tx:
            subject = (store.principals.kind_of(row), row.id) if row else None
            store.audit.record(tx.session, action, now, practice.id if practice else None,
                               actor=subject, subject=subject, source_ip=ip)

    def _tell_owner_throttled(self, tx, row, practice, now, ip):
        """The first failure of a back-off episode: the owner hears of it once."""
        kind = store.principals.kind_of(row)
        # staff are told the console's address
        data = events.email_data(practice, store.principals.login_of(row), kind)
        events.SIGN_IN_THROTTLED.record(tx, Actor.system(practice_id=practice.id), dict(
            data, account_id=row.id, kind=kind, occurred_at=now.isoformat()),
                                        practice_id=practice.id)
        store.audit.record(tx.session, "sign_in_throttle_notice", now, practice.id,
                           subject=(kind, row.id), source_ip=ip)
