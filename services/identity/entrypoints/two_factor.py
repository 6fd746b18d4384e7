"""TOTP two-factor sign-in (docs/identity.md, "Two-factor sign-in").

With a factor enrolled — or required: always for staff, for clients and contacts when
their practice says so — a right password no longer signs in: `authenticate` answers
`{mfa_required: true, mfa_token, mfa_enrol}` and `complete_mfa({mfa_token, code})`
issues the tokens. Someone who must have a factor but has none enrols inside that second
step (`start_mfa_enrolment` with the same `mfa_token`), so no token of theirs ever exists
before the factor does.
"""
from services.common.actor import Actor
from services.common.errors import (
    EXPECTED,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import schemas, store
from services.identity.domain import accounts, mfa, roles
from services.identity.entrypoints.revocation import end_sessions
from services.identity.entrypoints.sentences import (
    MFA_TOKEN_INVALID,
    REUSED_CODE,
    WRONG_CODE,
    throttled,
)
from services.identity.entrypoints.session_opening import open_session_for
from services.identity.models import MfaFactor, Practice, RecoveryCode


class TwoFactorEntrypoints:
    """The second step of a sign-in, and one's own factor."""

    @rpc(expected_exceptions=EXPECTED)
    def start_mfa_enrolment(self, payload):
        """*public* {mfa_token} of a sign-in answered with `mfa_enrol: true` → {secret,
        otpauth_uri, digits, interval}: a new secret to add to an authenticator app
        (replacing an unconfirmed one). Unauthenticated `mfa_token_invalid`; Conflict
        `mfa_already_enrolled`."""
        cmd = load(schemas.sessions.MfaToken(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            challenge = self._usable_challenge(tx.session, cmd["mfa_token"], now)
            row = store.principals.get(tx.session, challenge.principal_kind,
                                       challenge.principal_id, challenge.practice_id)
            practice = tx.session.get(Practice, challenge.practice_id)
            return self._new_secret(tx, row, practice, now)

    @rpc(expected_exceptions=EXPECTED)
    def complete_mfa(self, payload):
        """*public* {mfa_token, code, source_ip?}: a current TOTP code (or, once enrolled,
        an unused recovery code) → the sign-in result of `authenticate`. When the sign-in
        was an enrolment, the code confirms the new factor and the result also carries
        `recovery_codes` (ten, shown once). Wrong code: InvalidInput `invalid_code`
        (fields `code`, `attempts_left`); after five the mfa_token is dead
        (Unauthenticated `mfa_token_invalid`); failures also back off per person
        (TooManyRequests `too_many_attempts`, `retry_after`). Conflict
        `mfa_enrolment_not_started` when enrolling and no secret was made yet."""
        cmd = load(schemas.sessions.CompleteMfa(), payload)
        now, ip = self.clock(), cmd["source_ip"]
        with self.db.read() as session:
            challenge = self._usable_challenge(session, cmd["mfa_token"], now)
            keys = store.throttles.mfa_key(challenge.principal_kind, challenge.principal_id)
            wait = store.throttles.wait(session, keys, now)
        if wait:
            raise throttled(wait)
        with self.db.transaction() as tx:
            challenge = self._usable_challenge(tx.session, cmd["mfa_token"], now,
                                               for_update=True)
            kind, pid = challenge.principal_kind, challenge.principal_id
            row = store.principals.get(tx.session, kind, pid, challenge.practice_id)
            if row is None or not accounts.can_sign_in(row.status):
                challenge.used_at = now
                refused = "inactive"
            else:
                practice = tx.session.get(Practice, challenge.practice_id)
                factor = store.mfa.factor_of(tx.session, kind, pid)
                if factor is None:
                    raise Conflict("mfa_enrolment_not_started",
                                   "Add Haven to your authenticator app first.")
                enrolling = factor.confirmed_at is None
                via = self._verify(tx.session, factor, cmd["code"], now,
                                   allow_recovery=not enrolling)
                subject = (kind, pid)
                if via is None:
                    challenge.failures += 1
                    if challenge.failures >= mfa.MAX_CHALLENGE_FAILURES:
                        challenge.used_at = now
                    store.throttles.record_failure(tx.session, keys, now)
                    store.audit.record(tx.session, "mfa_failed", now, practice.id, actor=subject,
                                       subject=subject, source_ip=ip, failures=challenge.failures)
                    refused = self._code_refusal(factor, cmd["code"], now)
                    attempts_left = mfa.MAX_CHALLENGE_FAILURES - challenge.failures
                else:
                    refused = None
                    challenge.used_at = now
                    store.throttles.clear(tx.session, keys)
                    codes = self._confirm(tx, factor, now, ip) if enrolling else None
                    account = tx.session.get(type(row), row.id)
                    result = open_session_for(self.settings, tx, account, practice, now, ip,
                                              second_factor=via)
                    if codes:
                        result["recovery_codes"] = codes
        if refused == "inactive":
            raise Unauthenticated("account_inactive",
                                  "This account cannot sign in. Please call the practice.")
        if refused:
            if attempts_left <= 0:
                raise Unauthenticated(*MFA_TOKEN_INVALID)
            code, sentence = refused
            raise InvalidInput(code, sentence,
                               {"code": [sentence], "attempts_left": attempts_left})
        return result

    @rpc(expected_exceptions=EXPECTED)
    def get_mfa_status(self, actor):
        """Client, contact or staff: {enrolled, required, enrolled_at,
        recovery_codes_left}."""
        actor = self._person(actor)
        with self.db.read() as session:
            practice = session.get(Practice, actor.practice_id)
            factor = store.mfa.factor_of(session, actor.kind, actor.id)
            enrolled = factor is not None and factor.confirmed_at is not None
            return {"enrolled": enrolled,
                    "required": mfa.required(actor.kind, practice.mfa_required_for_clients),
                    "enrolled_at": factor.confirmed_at.isoformat() if enrolled else None,
                    "recovery_codes_left": len(store.mfa.recovery_codes(session, actor.kind,
                                                                        actor.id))
                    if enrolled else 0}

    @rpc(expected_exceptions=EXPECTED)
    def begin_mfa_enrolment(self, actor):
        """Client, contact or staff, signed in: a new secret → {secret, otpauth_uri,
        digits, interval}. Conflict `mfa_already_enrolled`."""
        actor = self._person(actor)
        now = self.clock()
        with self.db.transaction() as tx:
            row = store.principals.get(tx.session, actor.kind, actor.id, actor.practice_id)
            if row is None:
                raise NotFound("not_found", "That record does not exist.")
            return self._new_secret(tx, row, tx.session.get(Practice, actor.practice_id), now)

    @rpc(expected_exceptions=EXPECTED)
    def confirm_mfa_enrolment(self, actor, payload):
        """{code} from the new secret → {enrolled_at, recovery_codes} (ten, shown once).
        InvalidInput `invalid_code`; Conflict `mfa_enrolment_not_started`."""
        actor = self._person(actor)
        cmd = load(schemas.sessions.MfaCode(), payload)
        now = self.clock()
        keys = store.throttles.mfa_key(actor.kind, actor.id)
        with self.db.transaction() as tx:
            factor = self._own_factor(tx.session, actor, now, keys)
            if factor.confirmed_at is not None:
                raise Conflict("mfa_already_enrolled", "Two-step sign-in is already on.")
            via = self._verify(tx.session, factor, cmd["code"], now, allow_recovery=False)
            if via is not None:
                codes = self._confirm(tx, factor, now, None)
                store.throttles.clear(tx.session, keys)
            else:
                store.throttles.record_failure(tx.session, keys, now)
                refused = self._code_refusal(factor, cmd["code"], now)
        if via is None:
            raise InvalidInput(*refused, {"code": [refused[1]]})
        return {"enrolled_at": now.isoformat(), "recovery_codes": codes}

    @rpc(expected_exceptions=EXPECTED)
    def regenerate_recovery_codes(self, actor, payload):
        """{code} (a current TOTP code) → {recovery_codes}: ten new ones; the old stop
        working. InvalidInput `invalid_code`; NotFound `mfa_not_enrolled`."""
        actor = self._person(actor)
        cmd = load(schemas.sessions.MfaCode(), payload)
        now = self.clock()
        keys = store.throttles.mfa_key(actor.kind, actor.id)
        with self.db.transaction() as tx:
            factor = self._own_factor(tx.session, actor, now, keys, confirmed=True)
            via = self._verify(tx.session, factor, cmd["code"], now, allow_recovery=False)
            if via is not None:
                codes = self._replace_codes(tx.session, factor, now)
                store.throttles.clear(tx.session, keys)
                store.audit.record(tx.session, "mfa_recovery_codes_replaced", now,
                                   actor.practice_id, actor=(actor.kind, actor.id),
                                   subject=(actor.kind, actor.id))
            else:
                store.throttles.record_failure(tx.session, keys, now)
                refused = self._code_refusal(factor, cmd["code"], now)
        if via is None:
            raise InvalidInput(*refused, {"code": [refused[1]]})
        return {"recovery_codes": codes}

    @rpc(expected_exceptions=EXPECTED)
    def disable_mfa(self, actor, payload):
        """{code} (TOTP or recovery) turns two-step sign-in off for a client or contact
        whose practice does not require it → {enrolled: false}. Forbidden `mfa_required`
        for staff (never optional) and when the practice requires it."""
        actor = self._person(actor)
        cmd = load(schemas.sessions.MfaCode(), payload)
        now = self.clock()
        keys = store.throttles.mfa_key(actor.kind, actor.id)
        with self.db.transaction() as tx:
            practice = tx.session.get(Practice, actor.practice_id)
            if mfa.required(actor.kind, practice.mfa_required_for_clients):
                raise Forbidden("mfa_required", "Two-step sign-in cannot be turned off here.")
            factor = self._own_factor(tx.session, actor, now, keys, confirmed=True)
            via = self._verify(tx.session, factor, cmd["code"], now, allow_recovery=True)
            if via is not None:
                self._remove_factor(tx.session, actor.kind, actor.id)
                store.audit.record(tx.session, "mfa_disabled", now, actor.practice_id,
                                   actor=(actor.kind, actor.id), subject=(actor.kind, actor.id))
            else:
                store.throttles.record_failure(tx.session, keys, now)
                refused = self._code_refusal(factor, cmd["code"], now)
        if via is None:
            raise InvalidInput(*refused, {"code": [refused[1]]})
        return {"enrolled": False}

    @rpc(expected_exceptions=EXPECTED)
    def reset_mfa(self, actor, payload):
        """Staff, for someone who lost their phone and recovery codes: {staff_id}
        (`manage_staff`), {contact_id} or {client_id} (`manage_portal_access`) removes
        their factor and ends their sessions → {reset: true}. Staff (and anyone whose
        practice requires it) enrol again at their next sign-in. NotFound `no_login`."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.sessions.ResetMfa(), payload)
        given = [k for k in ("staff_id", "contact_id", "client_id") if cmd[k]]
        if len(given) != 1:
            raise InvalidInput("invalid_input", "Name one person.",
                               {"staff_id": ["Give one of staff_id, contact_id, client_id."]})
        actor.require_staff(roles.MANAGE_STAFF if given[0] == "staff_id"
                            else roles.MANAGE_PORTAL_ACCESS)
        now = self.clock()
        with self.db.transaction() as tx:
            if given[0] == "client_id":
                kind = accounts.CLIENT
                row = store.client_accounts.of_client(tx.session, actor.practice_id,
                                                      cmd["client_id"])
            else:
                kind = accounts.STAFF if given[0] == "staff_id" else accounts.CONTACT
                row = store.principals.get(tx.session, kind, cmd[given[0]], actor.practice_id)
            if row is None:
                raise NotFound("no_login", "That person has no sign-in.")
            self._remove_factor(tx.session, kind, row.id)
            end_sessions(tx, actor, kind, row, now, "mfa_reset")
            store.audit.record(tx.session, "mfa_reset", now, actor.practice_id,
                               actor=(actor.kind, actor.id), subject=(kind, row.id))
        return {"reset": True}

    @staticmethod
    def _usable_challenge(session, token, now, for_update=False):
        challenge = store.mfa.challenge_by_token(session, mfa.hash_token(token), for_update)
        if challenge is None or challenge.used_at is not None or challenge.expires_at <= now \
                or challenge.failures >= mfa.MAX_CHALLENGE_FAILURES:
            raise Unauthenticated(*MFA_TOKEN_INVALID)
        return challenge

    @staticmethod
    def _person(actor):
        actor = Actor.from_wire(actor)
        if actor.kind not in (accounts.CLIENT, accounts.CONTACT, accounts.STAFF):
            raise Forbidden("not_permitted", "Only a person signed in can do that.")
        return actor

    @staticmethod
    def _own_factor(session, actor, now, keys, confirmed=False):
        wait = store.throttles.wait(session, keys, now)
        if wait:
            raise throttled(wait)
        factor = store.mfa.factor_of(session, actor.kind, actor.id)
        if factor is None or (confirmed and factor.confirmed_at is None):
            if confirmed:
                raise NotFound("mfa_not_enrolled", "Two-step sign-in is not on.")
            raise Conflict("mfa_enrolment_not_started",
                           "Add Haven to your authenticator app first.")
        return factor

    @staticmethod
    def _new_secret(tx, row, practice, now):
        kind = store.principals.kind_of(row)
        factor = store.mfa.factor_of(tx.session, kind, row.id)
        if factor is not None and factor.confirmed_at is not None:
            raise Conflict("mfa_already_enrolled", "Two-step sign-in is already on.")
        secret = mfa.new_secret()
        if factor is None:
            tx.session.add(MfaFactor(principal_kind=kind, principal_id=row.id,
                                     practice_id=row.practice_id, secret=secret,
                                     created_at=now))
        else:
            factor.secret, factor.created_at, factor.last_step = secret, now, None
        return {"secret": secret,
                "otpauth_uri": mfa.provisioning_uri(secret, store.principals.login_of(row),
                                                    practice.name),
                "digits": mfa.DIGITS, "interval": mfa.INTERVAL}

    @staticmethod
    def _code_refusal(factor, code, now):
        """(code, sentence) for a code that did not pass: a code of this factor that was
        already accepted says so; anything else is a wrong code."""
        if mfa.already_used(factor.secret, code, now, factor.last_step):
            return REUSED_CODE
        return WRONG_CODE

    @staticmethod
    def _verify(session, factor, code, now, allow_recovery):
        """"totp" or "recovery_code" when `code` is good (and uses it up), else None."""
        step = mfa.matching_step(factor.secret, code, now, factor.last_step)
        if step is not None:
            factor.last_step = step
            return "totp"
        if allow_recovery and mfa.looks_like_recovery_code(code):
            wanted = mfa.hash_recovery_code(code)
            for row in store.mfa.recovery_codes(session, factor.principal_kind,
                                                factor.principal_id):
                if row.code_hash == wanted:
                    row.used_at = now
                    return "recovery_code"
        return None

    def _confirm(self, tx, factor, now, ip):
        factor.confirmed_at = now
        codes = self._replace_codes(tx.session, factor, now)
        subject = (factor.principal_kind, factor.principal_id)
        store.audit.record(tx.session, "mfa_enrolled", now, factor.practice_id, actor=subject,
                           subject=subject, source_ip=ip)
        return codes

    @staticmethod
    def _replace_codes(session, factor, now):
        for old in store.mfa.recovery_codes(session, factor.principal_kind, factor.principal_id,
                                            unused_only=False):
            session.delete(old)
        codes, hashes = mfa.new_recovery_codes()
        for code_hash in hashes:
            session.add(RecoveryCode(principal_kind=factor.principal_kind,
                                     principal_id=factor.principal_id, code_hash=code_hash,
                                     created_at=now))
        return codes

    @staticmethod
    def _remove_factor(session, kind, principal_id):
        factor = store.mfa.factor_of(session, kind, principal_id)
        if factor is not None:
            session.delete(factor)
        for code in store.mfa.recovery_codes(session, kind, principal_id, unused_only=False):
            session.delete(code)
