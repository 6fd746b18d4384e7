"""Identity entrypoints by which a person gets (back) into the portal: welcome
invitations (link, date-of-birth check, lock, expiry, resend rule) and password resets
(same answer whether or not the email has an account, single-use 24-hour links).
Mixed into IdentityService (docs/identity.md)."""
import logging

from nameko.rpc import rpc

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput, NotFound
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, invitations, roles
from services.identity.domain import grants as grant_rules
from services.identity.domain import passwords as password_rules
from services.identity.domain import throttle as throttle_rules
from services.identity.helpers import (
    PORTAL_CLOSED,
    RESET_ANSWER,
    check_password,
    not_yet_available,
    portal_address,
    throttled,
)
from services.identity.models import ClientAccount, Invitation, PasswordReset, Practice

log = logging.getLogger(__name__)


class OnboardingEntrypoints:
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
                               "that email address.", {"email": ["This email is already used to sign in."]})
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
                "practice_name": practice.name, **portal_address(practice),
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
            raise throttled(wait)
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
            check_password("password", cmd["password"], invitation.email, name,
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
            raise throttled(wait)
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
        check_password("new_password", cmd["new_password"], store.login_of(row),
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

    # -- helpers (not entrypoints) ---------------------------------------------------------
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
            "practice_name": practice.name, **portal_address(practice),
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
            **portal_address(practice, kind), "link_path": path,
            "expires_at": reset.expires_at.isoformat(),
            "requested_by": "staff" if by_staff else "self"})
        return reset

