"""Sessions after sign-in: who is signed in, refresh-token rotation (a reused token ends
its whole session), the idle limit, sign-out, and the revocations gateway replicas
rebuild their deny list from.
"""
import logging
from datetime import timedelta

from services.common.actor import Actor
from services.common.errors import EXPECTED, NotFound, Unauthenticated
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import schemas, store
from services.identity.domain import accounts, tokens
from services.identity.entrypoints.revocation import record_revoked
from services.identity.entrypoints.sentences import (
    ACCOUNT_INACTIVE,
    NOT_FOUND,
    NOT_YET_AVAILABLE,
    NOT_YET_SENTENCE,
    SESSION_ENDED,
    SESSION_IDLE,
)
from services.identity.models import Practice, Session

log = logging.getLogger(__name__)


class SessionEntrypoints:
    """The signed-in session: read, refresh, end."""

    @rpc(expected_exceptions=EXPECTED)
    def refresh(self, payload):
        """*public* {refresh_token, source_ip?} → a new pair in the same session. A token
        already rotated revokes its whole session (`session.revoked`) and is refused. A
        session idle longer than the practice's `idle_timeout_minutes` (counted from the
        last refresh plus one access-token lifetime) is revoked and refused
        (Unauthenticated `session_timed_out`)."""
        cmd = load(schemas.sessions.Refresh(), payload)
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
        cmd = load(schemas.sessions.ListRevocations(), payload or {})
        now = self.clock()
        horizon = now - timedelta(seconds=self.settings.access_token_seconds + 60)
        since = max(cmd["since"] or horizon, horizon)
        with self.db.read() as session:
            return {"sessions": store.sessions.revocations_since(session, since),
                    "now": now.isoformat()}

    @rpc(expected_exceptions=EXPECTED)
    def get_session(self, actor):
        """The signed-in principal: {kind, id, name, practice, roles, permissions,
        clients: [{client_id, name, permissions}], must_change_password, grants_paused}."""
        actor = Actor.from_wire(actor)
        now = self.clock()
        with self.db.read() as session:
            row = store.principals.get(session, actor.kind, actor.id, actor.practice_id)
            if row is None:
                raise NotFound(*NOT_FOUND)
            practice = session.get(Practice, row.practice_id)
            principal = store.sessions.principal_of(session, row, practice, now)
            view = store.sessions.principal_view(principal, practice)
            view["grants_paused"] = store.grants.paused(session, row, practice, now)
            return view

    @rpc(expected_exceptions=EXPECTED)
    def sign_out(self, actor, payload):
        """{session_id} ends that session of the actor's own (system: any) and emits
        `session.revoked`; signing out twice is harmless → {session_id, revoked_at}."""
        actor = Actor.from_wire(actor)
        cmd = load(schemas.sessions.SignOut(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            row = tx.session.get(Session, cmd["session_id"])
            if row is None or (not actor.is_system and (
                    row.practice_id != actor.practice_id or row.principal_id != actor.id)):
                raise NotFound(*NOT_FOUND)
            ended = store.sessions.revoke(tx.session, [row], now, "sign_out")
            if ended:
                record_revoked(tx, actor, row.practice_id, row.principal_id, ended, now,
                               "sign_out")
                store.audit.record(tx.session, "sign_out", now, row.practice_id,
                                   actor=(actor.kind, actor.id), subject=(row.principal_kind,
                                                                   row.principal_id),
                                   session_id=row.id, source_ip=cmd["source_ip"])
            return {"session_id": row.id, "revoked_at": row.revoked_at.isoformat()}

    def _rotate(self, tx, token_hash, now, ip):
        token_row = store.sessions.refresh_token_row(tx.session, token_hash)
        session_row = tx.session.get(Session, token_row.session_id) if token_row else None
        outcome = tokens.refresh_outcome(token_row, session_row, now)
        if outcome == tokens.ROTATE and not store.sessions.mark_used(tx.session, token_row, now):
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
        row = store.principals.get(tx.session, session_row.principal_kind,
                                   session_row.principal_id, session_row.practice_id)
        if row is None or not accounts.can_sign_in(row.status):
            ended = store.sessions.revoke(tx.session, [session_row], now, "inactive")
            if ended:
                record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                               session_row.practice_id, session_row.principal_id, ended,
                               now, "inactive")
            return "inactive", None
        # the practice raised the age of a client's own access
        if store.principals.own_access_opens(practice, row, now) is not None:
            ended = store.sessions.revoke(tx.session, [session_row], now, NOT_YET_AVAILABLE)
            if ended:
                record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                               session_row.practice_id, session_row.principal_id, ended,
                               now, NOT_YET_AVAILABLE)
            return NOT_YET_AVAILABLE, None
        session_row.last_refreshed_at = now
        principal = store.sessions.principal_of(tx.session, row, practice, now)
        return outcome, store.sessions.issue_pair(tx.session, principal, practice,
                                                  session_row.id, now, self.settings)

    def _end_idle(self, tx, session_row, now, ip):
        ended = store.sessions.revoke(tx.session, [session_row], now, "idle_timeout")
        subject = (session_row.principal_kind, session_row.principal_id)
        store.audit.record(tx.session, "session_timed_out", now, session_row.practice_id,
                           actor=subject, subject=subject, session_id=session_row.id, source_ip=ip)
        if ended:
            record_revoked(tx, Actor.system(practice_id=session_row.practice_id),
                           session_row.practice_id, session_row.principal_id, ended,
                           now, "idle_timeout")

    def _revoke_family(self, tx, session_row, now, ip):
        ended = store.sessions.revoke(tx.session, [session_row], now, "refresh_reused")
        subject = (session_row.principal_kind, session_row.principal_id)
        store.audit.record(tx.session, "refresh_reused", now, session_row.practice_id,
                           actor=subject, subject=subject, session_id=session_row.id,
                           source_ip=ip)
        if ended:
            system = Actor.system(practice_id=session_row.practice_id)
            record_revoked(tx, system, session_row.practice_id, session_row.principal_id,
                           ended, now, "refresh_reused")
            log.warning("refresh token reused; session revoked",
                        extra={"session_id": session_row.id,
                               "practice_id": session_row.practice_id})
