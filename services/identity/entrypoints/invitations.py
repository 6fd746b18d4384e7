"""Welcome invitations: the link a client creates their own login with
(docs/identity.md, "Welcome invitations") — the date-of-birth check, the lock after five
wrong ones, expiry and the resend rule.
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, invitations, roles
from services.identity.domain import grants as grant_rules
from services.identity.domain import passwords as password_rules
from services.identity.entrypoints.lookups import (
    flush_or_conflict,
    practice_of,
    refuse_duplicate_access,
)
from services.identity.entrypoints.passwords import check_password
from services.identity.entrypoints.sentences import PORTAL_CLOSED, not_yet_available, throttled
from services.identity.entrypoints.session_opening import open_or_challenge
from services.identity.models import ClientAccount, Invitation, Practice


class InvitationEntrypoints:
    """Staff invite a client; the client opens and accepts the link."""

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
        cmd = load(schemas.invitations.InviteClient(), payload)
        client_id, now = cmd["client_id"], self.clock()
        with self.db.read() as session:     # cheap refusals before asking charts
            self._refuse_invitation(session, practice_of(session, actor), client_id, now)
        chart = self.charts.get_client(actor.to_wire(), client_id)   # before the transaction
        email, dob = invitations.required_details(chart)
        login = accounts.normalize_login(email)
        with self.db.read() as session:
            practice = practice_of(session, actor)
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
            practice = practice_of(tx.session, actor)
            previous = self._refuse_invitation(tx.session, practice, client_id, now)
            if store.client_accounts.login_taken(tx.session, practice.id, login):
                raise Conflict("login_taken", "Another client's portal account already uses "
                               "that email address.",
                               {"email": ["This email is already used to sign in."]})
            for old in store.invitations.pending(tx.session, practice.id, client_id):
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
                "practice_name": practice.name, **events.portal_address(practice),
                "link_path": invitations.invitation_path(practice.code, token),
                "expires_at": invitation.expires_at.isoformat(),
                "resend": previous is not None})
            store.audit.record(tx.session, "invitation_sent", now, practice.id,
                               actor=(actor.kind, actor.id), subject=("client", client_id),
                               invitation_id=invitation.id, resend=previous is not None)
            return dict(invitations.access_status(None, invitation, now), client_id=client_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_invitation(self, payload):
        """*public* {token} → {practice: {code, name, title}, login, expires_at,
        attempts_left} for the page behind an invitation link. NotFound
        `invitation_not_found`; Conflict `invitation_used` / `invitation_locked` /
        `invitation_replaced` / `invitation_expired`."""
        cmd = load(schemas.invitations.InvitationToken(), payload)
        now = self.clock()
        with self.db.read() as session:
            invitation = invitations.require_usable(
                store.invitations.by_token(session, invitations.hash_token(cmd["token"])), now)
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
        cmd = load(schemas.invitations.AcceptInvitation(), payload)
        now, token_hash = self.clock(), invitations.hash_token(cmd["token"])
        address = store.throttles.address_key("invite", cmd["source_ip"])
        with self.db.read() as session:
            wait = store.throttles.wait(session, address, now)
            found = store.invitations.by_token(session, token_hash)
        if wait:
            raise throttled(wait)
        if found is None and address:       # a guessed link counts against the address
            with self.db.transaction() as tx:
                store.throttles.record_failure(tx.session, address, now)
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
            check_password("password", cmd["password"], invitation.email, name,
                           practice.mfa_required_for_clients)
            password_hash = self.passwords.hash(cmd["password"])
        with self.db.transaction() as tx:
            invitation = invitations.require_usable(
                store.invitations.by_token(tx.session, token_hash, for_update=True), now)
            if not matched:
                failures, locked = self._dob_mismatch(tx, invitation, now, cmd["source_ip"])
                store.throttles.record_failure(tx.session, address, now)
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
    def cancel_invitation(self, actor, payload):
        """Staff `manage_portal_access`: {client_id} withdraws the client's pending
        invitation (its link answers `invitation_cancelled` from now on) → the status of
        `get_portal_access_status`, `status: "cancelled"`, `resend_at` null: a new
        invitation may be sent at once. NotFound `no_pending_invitation` when there is
        none pending (accepted, locked, expired or never sent). Emits
        `invitation.cancelled`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PORTAL_ACCESS)
        cmd = load(schemas.invitations.CancelInvitation(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            pending = [i for i in store.invitations.pending(tx.session, practice.id,
                                                            cmd["client_id"])
                       if not invitations.is_expired(i, now)]
            if not pending:
                raise NotFound("no_pending_invitation",
                               "This client has no invitation waiting to be used.")
            for invitation in pending:
                invitation.status = invitations.CANCELLED
                invitation.cancelled_at, invitation.cancelled_by = now, actor.id
                events.INVITATION_CANCELLED.record(tx, actor, {
                    "invitation_id": invitation.id, "client_id": invitation.client_id})
                store.audit.record(tx.session, "invitation_cancelled", now, practice.id,
                                   actor=(actor.kind, actor.id),
                                   subject=("client", cmd["client_id"]),
                                   invitation_id=invitation.id)
            tx.session.flush()
            account = store.client_accounts.of_client(tx.session, practice.id, cmd["client_id"])
            latest = store.invitations.latest(tx.session, practice.id, cmd["client_id"])
            return dict(invitations.access_status(account, latest, now),
                        client_id=cmd["client_id"])

    def _refuse_invitation(self, session, practice, client_id, now):
        """Conflict when the client has a login; TooManyRequests within five minutes of
        the last send. Returns the newest earlier invitation (or None)."""
        if store.client_accounts.client_reached(session, practice.id, client_id):
            raise Conflict("access_exists", "This client already has portal access.")
        previous = store.invitations.latest(session, practice.id, client_id)
        invitations.check_resend_after(previous, now)
        return previous

    def _dob_mismatch(self, tx, invitation, now, ip):
        invitation.dob_failures, locked = invitations.after_mismatch(invitation.dob_failures)
        store.audit.record(tx.session, "invitation_dob_mismatch", now, invitation.practice_id,
                           subject=("client", invitation.client_id), source_ip=ip,
                           invitation_id=invitation.id, failures=invitation.dob_failures)
        if locked:
            invitation.status, invitation.locked_at = invitations.LOCKED, now
            events.INVITATION_LOCKED.record(tx, Actor.system(practice_id=invitation.practice_id), {
                "invitation_id": invitation.id, "client_id": invitation.client_id})
            store.audit.record(tx.session, "invitation_locked", now, invitation.practice_id,
                               subject=("client", invitation.client_id), source_ip=ip,
                               invitation_id=invitation.id)
        return invitation.dob_failures, locked

    def _create_invited_account(self, tx, practice, invitation, name, password_hash, now, ip,
                                date_of_birth=None):
        refuse_duplicate_access(tx.session, practice.id, invitation.client_id,
                                invitation.email)
        account = ClientAccount(
            practice_id=practice.id, client_id=invitation.client_id, login=invitation.email,
            client_name=name, password_hash=password_hash, status=accounts.ACTIVE,
            must_change_password=False, created_at=now, created_by=None,
            last_sign_in_at=now, date_of_birth=date_of_birth)
        tx.session.add(account)
        flush_or_conflict(tx.session)
        invitation.status, invitation.accepted_at = invitations.ACCEPTED, now
        invitation.account_id = account.id
        me = Actor(practice_id=practice.id, kind=accounts.CLIENT, id=account.id)
        events.ACCOUNT_CREATED.record(tx, me, {
            "account_id": account.id, "client_id": account.client_id,
            "practice_name": practice.name, **events.portal_address(practice),
            "login": account.login, "status": account.status, "via": "invitation"})
        events.INVITATION_ACCEPTED.record(tx, me, {
            "invitation_id": invitation.id, "client_id": invitation.client_id,
            "account_id": account.id})
        subject = (accounts.CLIENT, account.id)
        store.audit.record(tx.session, "invitation_accepted", now, practice.id, actor=subject,
                           subject=subject, source_ip=ip, invitation_id=invitation.id)
        return open_or_challenge(self.settings, tx, account, practice, now, ip)
