"""Access tokens (signed JWT the gateway verifies locally) and rotating refresh tokens.

Access token claims are exactly those of docs/contracts.md ("Access tokens"). Refresh
tokens are opaque random strings; only their SHA-256 is stored, so a copy of the
database cannot sign anyone in. Every use rotates the token: the old one is marked used
and a new one issued in the same session (the "family"). A used token presented again
means two parties hold it — the legitimate client and a thief — so the whole family is
revoked (OAuth 2.0 Security BCP, refresh token rotation).
"""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt

ISSUER = "haven"
AUDIENCE = "haven"
ALGORITHM = "HS256"
REFRESH_TOKEN_BYTES = 32
LEEWAY_SECONDS = 5


@dataclass(frozen=True)
class Principal:
    """Who a session belongs to, as the access token tells it."""
    kind: str                 # "client" | "staff"
    id: str                   # account id or staff id
    practice_id: str
    practice_code: str
    name: str
    roles: tuple = ()
    permissions: tuple = ()
    clients: dict = field(default_factory=dict)   # client_id -> ["*"] | [permissions]
    must_change_password: bool = False
    client_names: dict = field(default_factory=dict)   # client_id -> name (not in the token)


def access_claims(principal, session_id, now, lifetime_seconds):
    iat = int(now.timestamp())
    return {
        "sub": principal.id,
        "kind": principal.kind,
        "pid": principal.practice_id,
        "pcode": principal.practice_code,
        "roles": list(principal.roles),
        "perms": list(principal.permissions),
        "clients": {k: list(v) for k, v in principal.clients.items()},
        "sid": session_id,
        "name": principal.name,
        "mcp": bool(principal.must_change_password),
        "iat": iat,
        "exp": iat + int(lifetime_seconds),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }


def encode_access_token(principal, session_id, now, lifetime_seconds, secret):
    return jwt.encode(access_claims(principal, session_id, now, lifetime_seconds),
                      secret, algorithm=ALGORITHM)


def decode_access_token(token, secret, leeway=LEEWAY_SECONDS):
    """What the gateway does; here for tests and tools. Raises jwt.InvalidTokenError."""
    options = {"require": ["exp", "iat", "sub", "sid", "iss", "aud"]}
    return jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                      issuer=ISSUER, options=options, leeway=leeway)


def new_refresh_token():
    """(token for the client, hash to store)."""
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    return token, hash_refresh_token(token)


def hash_refresh_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def refresh_expiry(now, lifetime_seconds):
    return now + timedelta(seconds=int(lifetime_seconds))


# What presenting a refresh token leads to.
ROTATE = "rotate"          # current and unexpired: issue the next one
REUSED = "reused"          # already rotated: revoke the family
EXPIRED = "expired"        # too old, or its session has ended
UNKNOWN = "unknown"        # never issued (or from another installation)


IDLE = "idle"              # the session saw no activity for longer than the practice allows


def idle_too_long(session_row, now, idle_timeout_minutes, access_token_seconds):
    """True when a session has been idle past the practice's limit.

    Identity sees activity only when a refresh token is used: the last one was used at
    `last_refreshed_at` (or the sign-in, `created_at`), and the access token issued then
    carried requests for up to `access_token_seconds` more without identity hearing of
    them. So the person's last request may have been that much later, and the limit is
    counted from there: an active person is never signed out early, and an abandoned
    session ends no later than idle limit + one access-token lifetime after its last
    request (the web client's own timer, with its warning, ends it on time)."""
    last = session_row.last_refreshed_at or session_row.created_at
    limit = timedelta(minutes=int(idle_timeout_minutes), seconds=int(access_token_seconds))
    return now - last > limit


def refresh_outcome(token_row, session_row, now: datetime):
    """Decide from the stored token and its session; pure, so the rules test alone."""
    if token_row is None or session_row is None:
        return UNKNOWN
    if token_row.used_at is not None:
        return REUSED
    if session_row.revoked_at is not None:
        return EXPIRED
    if token_row.expires_at <= now:
        return EXPIRED
    return ROTATE
