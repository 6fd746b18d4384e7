"""Fakes for the gateway's unit tests: an RPC pool that answers from a dict, tokens."""
import time
import uuid

import jwt

SECRET = "unit-test-secret-" + "x" * 32
PRACTICE_ID = "p-" + uuid.uuid4().hex
CLIENT_ID = str(uuid.uuid4())
OTHER_CLIENT = str(uuid.uuid4())


class FakeRpc:
    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.calls = []

    def call(self, service, method, *args, timeout=None):
        self.calls.append((service, method, args))
        answer = self.answers.get(f"{service}.{method}")
        if answer is None:
            raise AssertionError(f"unexpected RPC {service}.{method}")
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer

    def count(self, name):
        return sum(1 for s, m, _ in self.calls if f"{s}.{m}" == name)


# exp_in: an hour, as tokens made at import are used minutes later in a long suite
def token(secret=SECRET, kind="client", clients=None, perms=(), mcp=False, exp_in=3600,
          aud="haven", iss="haven", sid=None, pid=PRACTICE_ID, sub=None, **extra):
    now = int(time.time())
    claims = {"sub": sub or str(uuid.uuid4()), "kind": kind, "pid": pid, "pcode": "demo",
              "roles": ["intake"] if kind == "staff" else [], "perms": list(perms),
              "clients": clients if clients is not None else (
                  {CLIENT_ID: ["*"]} if kind == "client" else {}),
              "sid": sid or str(uuid.uuid4()), "name": "Someone", "mcp": mcp,
              "iat": now, "exp": now + exp_in, "iss": iss, "aud": aud}
    claims.update(extra)
    return jwt.encode(claims, secret, algorithm="HS256")


def record(client_id=CLIENT_ID, version=1, first_name="Ada"):
    return {"id": client_id, "first_name": first_name, "last_name": "Lovelace",
            "preferred_name": None, "date_of_birth": "1990-01-02", "email": "ada@example.org",
            "phone_mobile": None, "phone_home": None, "phone_work": None,
            "address_line1": None, "address_line2": None, "city": None, "state": None,
            "postal_code": None, "country": None, "primary_language": None,
            "version": version, "updated_at": "2026-01-01T00:00:00+00:00",
            "internal_note": "never leaves the gateway"}


PRACTICE = {"id": PRACTICE_ID, "code": "demo", "name": "Demo Practice", "title": "Welcome",
            "instructions": None, "time_zone": "America/New_York", "portal_enabled": True,
            "password_help": None, "theme_color": "#336699"}
