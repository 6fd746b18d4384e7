"""Small fake identity, charts and notify services answering the contract's RPCs, so the
gateway's integration tests do not depend on the real services being finished."""
import time
import uuid

import jwt
from nameko.events import EventDispatcher

from services.common.errors import EXPECTED, Conflict, NotFound, Unauthenticated
from services.common.rpc import rpc

SECRET = "integration-secret-" + "z" * 32
PRACTICE_ID = str(uuid.uuid4())
CLIENT_ID = str(uuid.uuid4())
OTHER_CLIENT = str(uuid.uuid4())
PRACTICE = {"id": PRACTICE_ID, "code": "demo", "name": "Demo Practice", "title": "Welcome",
            "instructions": "Call us", "time_zone": "UTC", "portal_enabled": True,
            "password_help": None, "theme_color": "#336699"}


# exp_in: an hour, as tokens made at import are used minutes later in a long suite
def make_token(sid, kind="client", clients=None, perms=(), exp_in=3600, mcp=False):
    now = int(time.time())
    return jwt.encode({"sub": "acc-" + sid[:8], "kind": kind, "pid": PRACTICE_ID,
                       "pcode": "demo", "roles": [], "perms": list(perms),
                       "clients": {CLIENT_ID: ["*"]} if clients is None else clients,
                       "sid": sid, "name": "Ada", "mcp": mcp, "iat": now, "exp": now + exp_in,
                       "iss": "haven", "aud": "haven"}, SECRET, algorithm="HS256")


def envelope(type_, data):
    return {"id": str(uuid.uuid4()), "type": type_, "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00", "practice_id": PRACTICE_ID,
            "actor": {"kind": "system", "id": "system"}, "data": data}


class State:
    revoked = {}     # sid -> iso time
    records = {}     # client_id -> record
    calls = []


def record(client_id, version=1, **changes):
    base = {"id": client_id, "first_name": "Ada", "last_name": "Lovelace",
            "preferred_name": None, "date_of_birth": "1990-01-02", "email": "ada@example.org",
            "phone_mobile": None, "phone_home": None, "phone_work": None,
            "address_line1": None, "address_line2": None, "city": None, "state": None,
            "postal_code": None, "country": None, "primary_language": None,
            "version": version, "updated_at": "2026-01-01T00:00:00+00:00"}
    base.update(changes)
    return base


class Pings:
    """What the real services answer to the gateway's readiness probe."""

    @rpc
    def ping(self):
        return {"service": self.name, "status": "ok", "database": "ok"}


class FakeIdentity(Pings):
    name = "identity"
    dispatch = EventDispatcher()

    @rpc(expected_exceptions=EXPECTED)
    def get_practice(self, code):
        if code != "demo":
            raise NotFound("not_found", "No such practice.")
        State.calls.append("identity.get_practice")
        return dict(PRACTICE)

    @rpc(expected_exceptions=EXPECTED)
    def authenticate(self, payload):
        if payload["password"] != "correct horse battery staple":
            raise Unauthenticated("invalid_credentials", "That login and password do not match.")
        sid = str(uuid.uuid4())
        return {"access_token": make_token(sid), "refresh_token": "r-" + sid,
                "expires_in": 300, "must_change_password": False,
                "principal": {"kind": "client", "id": "acc", "name": "Ada"}}

    @rpc(expected_exceptions=EXPECTED)
    def refresh(self, payload):
        token = payload["refresh_token"]
        if not token.startswith("r-") or token[2:] in State.revoked:
            raise Unauthenticated("invalid_refresh", "Please sign in again.")
        sid = token[2:]
        return {"access_token": make_token(sid), "refresh_token": token, "expires_in": 300,
                "must_change_password": False, "principal": {"kind": "client", "id": "acc"}}

    @rpc(expected_exceptions=EXPECTED)
    def sign_out(self, actor, payload):
        now = "2026-01-01T00:00:00+00:00"
        State.revoked[payload["session_id"]] = now
        self.dispatch("session.revoked", envelope("session.revoked", {
            "session_ids": [payload["session_id"]], "account_id": actor["id"],
            "revoked_at": time_now()}))

    @rpc(expected_exceptions=EXPECTED)
    def list_revocations(self, payload):
        return {"sessions": [{"session_id": sid, "account_id": "acc", "revoked_at": at}
                             for sid, at in State.revoked.items()], "now": time_now()}

    @rpc(expected_exceptions=EXPECTED)
    def get_session(self, actor):
        return {"kind": actor["kind"], "id": actor["id"], "name": "Ada",
                "practice": dict(PRACTICE), "roles": actor["roles"],
                "permissions": actor["permissions"],
                "clients": [{"client_id": c, "name": "Ada Lovelace", "permissions": p}
                            for c, p in actor["clients"].items()],
                "must_change_password": False}


class FakeCharts(Pings):
    name = "charts"
    dispatch = EventDispatcher()

    @rpc(expected_exceptions=EXPECTED)
    def get_client(self, actor, client_id):
        State.calls.append("charts.get_client")
        if actor["kind"] != "staff" and client_id not in actor["clients"]:
            raise NotFound("not_found", "That record does not exist.")
        return State.records.setdefault(client_id, record(client_id))

    @rpc(expected_exceptions=EXPECTED)
    def update_demographics(self, actor, client_id, payload):
        current = State.records.setdefault(client_id, record(client_id))
        payload = dict(payload)
        version = payload.pop("version", current["version"])
        if version != current["version"]:
            raise Conflict("stale_version", "Someone else saved first.",
                           {"first_name": ["changed"]})
        new = dict(current, version=current["version"] + 1, **payload)
        State.records[client_id] = new
        self.dispatch("client.updated", envelope("client.updated", {
            "client_id": client_id, "client_name": "Ada Lovelace", "tab": "basic",
            "fields": sorted(payload), "batch_id": str(uuid.uuid4()), "source": "portal"}))
        return new

    @rpc(expected_exceptions=EXPECTED)
    def list_clients(self, actor, payload):
        return [{"id": CLIENT_ID, "first_name": "Ada", "last_name": "Lovelace",
                 "date_of_birth": "1990-01-02", "email": "ada@example.org"}]


class FakeNotify(Pings):
    name = "notify"

    @rpc(expected_exceptions=EXPECTED)
    def list_alerts(self, actor, payload):
        return [{"id": "al1", "kind": "demographics_changed", "client_id": CLIENT_ID,
                 "client_name": "Ada Lovelace", "fields": ["city"],
                 "created_at": "2026-01-01T00:00:00+00:00", "read": False}]


class FakeScheduling(Pings):
    name = "scheduling"


class FakeMessaging(Pings):
    name = "messaging"


def time_now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).isoformat()


# -- issue 4: what identity offers for portal access (docs/identity.md) ---------------------
INVITE_TOKEN = "invite-" + "k" * 36
RESET_TOKEN = "reset-" + "k" * 37
DOB = "1990-01-02"


class FakeAccessIdentity(FakeIdentity):
    """FakeIdentity plus invitations, resets, settings, audit and linked clients."""
    name = "identity"
    dispatch = EventDispatcher()

    @rpc(expected_exceptions=EXPECTED)
    def get_invitation(self, payload):
        if payload["token"] != INVITE_TOKEN:
            raise NotFound("invitation_not_found", "That invitation link is not valid.")
        return {"practice": {"code": "demo", "name": "Demo Practice", "title": "Welcome"},
                "login": "ada@example.org", "expires_at": "2026-01-08T00:00:00+00:00",
                "attempts_left": 5, "min_password_length": 15}

    @rpc(expected_exceptions=EXPECTED)
    def accept_invitation(self, payload):
        from services.common.errors import InvalidInput
        self.get_invitation({"token": payload["token"]})
        if payload["date_of_birth"] != DOB:
            raise InvalidInput("date_of_birth_mismatch", "That date of birth does not match.",
                               {"date_of_birth": ["does not match"], "attempts_left": 4})
        State.calls.append(("accept_invitation", payload.get("source_ip")))
        return self.authenticate({"password": "correct horse battery staple"})

    @rpc(expected_exceptions=EXPECTED)
    def invite_client(self, actor, payload):
        from services.common.errors import TooManyRequests
        raise TooManyRequests("resend_too_soon", "You can send it again at 10:05 UTC.",
                              {"retry_at": "2026-01-01T10:05:00+00:00", "retry_after": 240})

    @rpc(expected_exceptions=EXPECTED)
    def request_password_reset(self, payload):
        State.calls.append(("request_password_reset", payload["email"]))
        return {"accepted": True, "message": "If that email has an account, we sent a link."}

    @rpc(expected_exceptions=EXPECTED)
    def update_practice_settings(self, actor, payload):
        practice = dict(PRACTICE, **payload)
        PRACTICE.update(payload)
        self.dispatch("practice.updated", envelope("practice.updated",
                                                    dict(practice, previous_code="demo")))
        return practice

    @rpc(expected_exceptions=EXPECTED)
    def link_client(self, actor, payload):
        self.dispatch("account.client_linked", envelope("account.client_linked", payload))
        return {"account_id": payload["account_id"], "login": "ada@example.org",
                "status": "active", "clients": [
                    {"client_id": CLIENT_ID, "name": "Ada Lovelace", "own": True,
                     "linked_at": None},
                    {"client_id": payload["client_id"], "name": "Byron", "own": False,
                     "linked_at": "2026-01-01T00:00:00+00:00"}]}

    @rpc(expected_exceptions=EXPECTED)
    def list_audit(self, actor, payload):
        State.calls.append(("list_audit", payload))
        return {"entries": []}
