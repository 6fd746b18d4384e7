"""Who is asking: access tokens verified locally, cookies with CSRF, revocation.

Identity signs short-lived JWT access tokens (HS256, iss/aud "haven"); the gateway
verifies them here with no RPC per request and builds the actor wire dict from the
claims. Revoked sessions are kept in memory until their tokens would have expired;
the set is filled from identity when the replica starts or reconnects and kept current
by the BROADCAST `session.revoked` event (service.py). Until that fill has finished no
token is accepted: a replica that has not heard of a revocation must not honour the token.
"""
import hmac
import secrets
import time

import eventlet
import jwt

from services.common.errors import Forbidden, Unauthenticated, Unavailable

ACCESS_COOKIE = "haven_access"
REFRESH_COOKIE = "haven_refresh"
CSRF_COOKIE = "haven_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_KINDS = frozenset({"client", "contact", "staff"})
REQUIRED_CLAIMS = ["exp", "iat", "sub", "sid", "kind", "pid", "iss", "aud"]
LOAD_WAIT_SECONDS = 2.0     # how long a request waits for the revocation list to load
RETRY_AFTER_SECONDS = 1


def _sign_in_again(code="invalid_token"):
    return Unauthenticated(code, "Your session is not valid. Please sign in again.")


class Revocations:
    """Session ids whose tokens must be refused, each kept until its tokens expire."""

    def __init__(self, access_token_seconds, clock=time.time, leeway=30):
        self.keep_seconds = access_token_seconds + leeway
        self.clock = clock
        self._until = {}          # session id -> wall time after which forgetting is safe
        self._next_prune = 0.0
        self.loaded = False       # True once identity's list has been read since the last
        self.generation = 0       # time events may have been missed (start, broker loss)

    def mark_stale(self):
        """Events may have been missed (the broker connection was lost): refuse tokens
        until identity's list has been read again. A load that began before this call
        cannot complete the new generation."""
        self.generation += 1
        self.loaded = False

    def mark_loaded(self, generation):
        """A load that started at `generation` has been applied; False when the list went
        stale meanwhile and must be read again."""
        if generation != self.generation:
            return False
        self.loaded = True
        return True

    def wait_loaded(self, timeout, step=0.05):
        """True once loaded, waiting (greenly) at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not self.loaded and time.monotonic() < deadline:
            eventlet.sleep(min(step, max(0.0, deadline - time.monotonic())))
        return self.loaded

    def revoke(self, session_ids, revoked_at=None):
        """revoked_at: epoch seconds; tokens of the session issued before it live at most
        ACCESS_TOKEN_SECONDS more, and refresh is refused by identity from then on."""
        now = self.clock()
        until = max(now, revoked_at or now) + self.keep_seconds
        for sid in session_ids or ():
            if sid:
                self._until[str(sid)] = max(until, self._until.get(str(sid), 0))
        self._prune(now)

    def is_revoked(self, sid):
        return sid in self._until

    def _prune(self, now):
        if now < self._next_prune:
            return
        self._next_prune = now + 10
        for sid in [s for s, until in self._until.items() if until < now]:
            del self._until[sid]

    def __len__(self):
        return len(self._until)


class Identified:
    """The verified caller of one request."""
    __slots__ = ("claims", "wire", "via_cookie")

    def __init__(self, claims, wire, via_cookie):
        self.claims = claims
        self.wire = wire
        self.via_cookie = via_cookie

    @property
    def kind(self):
        return self.wire["kind"]

    @property
    def session_id(self):
        return self.claims["sid"]


class RevocationsLoading(Unavailable):
    """A well-signed token reached a replica that does not know the revocations yet
    (503, the one mapping adds Retry-After). Gateway-local: it never crosses RPC."""

    def __init__(self):
        super().__init__("unavailable",
                         "Haven is starting up or reconnecting. Please try again in a moment.",
                         {"retry_after": RETRY_AFTER_SECONDS})


class Authenticator:
    def __init__(self, secret, revocations, leeway=5, load_wait=LOAD_WAIT_SECONDS):
        if not secret:
            raise ValueError("TOKEN_SECRET is empty")
        self.secret = secret
        self.revocations = revocations
        self.leeway = leeway
        self.load_wait = load_wait

    def verify(self, token):
        """The claims of a valid access token; Unauthenticated otherwise, and
        RevocationsLoading (503) while the revocation list is not known."""
        if not token or len(token) > 8192:
            raise _sign_in_again()
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], audience="haven",
                                issuer="haven", leeway=self.leeway,
                                options={"require": REQUIRED_CLAIMS})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token_expired",
                                  "Your session has timed out. Please refresh it or sign in again.") from None
        except jwt.PyJWTError:
            raise _sign_in_again() from None
        if claims.get("kind") not in TOKEN_KINDS or not isinstance(claims.get("sid"), str):
            raise _sign_in_again()
        if not isinstance(claims.get("clients") or {}, dict):
            raise _sign_in_again()
        if not self.revocations.loaded and not self.revocations.wait_loaded(self.load_wait):
            raise RevocationsLoading()
        if self.revocations.is_revoked(claims["sid"]):
            raise Unauthenticated("session_ended", "This session has ended. Please sign in again.")
        return claims

    def identify(self, request, correlation_id):
        """Bearer header, else the access cookie (with CSRF on unsafe methods)."""
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _sign_in_again()
            claims = self.verify(token.strip())
            return Identified(claims, actor_wire(claims, correlation_id, request.remote_addr),
                              via_cookie=False)
        token = request.cookies.get(ACCESS_COOKIE)
        if not token:
            if request.cookies.get(REFRESH_COOKIE):
                raise Unauthenticated("token_expired",
                                      "Your session has timed out. Please refresh it or sign in again.")
            raise Unauthenticated("unauthenticated", "Please sign in.")
        claims = self.verify(token)
        if request.method not in SAFE_METHODS:
            check_csrf(request)
        return Identified(claims, actor_wire(claims, correlation_id, request.remote_addr),
                          via_cookie=True)


def check_csrf(request):
    """Double submit: the header must equal the haven_csrf cookie."""
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    header = request.headers.get(CSRF_HEADER) or ""
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden("csrf_failed", "This page is out of date. Please reload it and try again.")


def actor_wire(claims, correlation_id, source_ip=None):
    """The actor context services take first (docs/contracts.md, "Actor"). `source_ip`,
    the address the request came from, goes into every service's audit trail."""
    clients = claims.get("clients") or {}
    return {
        "practice_id": claims["pid"],
        "kind": claims["kind"],
        "id": claims["sub"],
        "roles": list(claims.get("roles") or ()),
        "permissions": list(claims.get("perms") or ()),
        "clients": {str(k): list(v or ()) for k, v in clients.items()},
        "correlation_id": correlation_id,
        "source_ip": source_ip,
    }


def new_csrf_token():
    return secrets.token_urlsafe(32)


def set_session_cookies(response, tokens, refresh_seconds, secure, csrf=None):
    """haven_access and haven_refresh HttpOnly; haven_csrf readable by the page's JS."""
    common = {"path": "/", "secure": secure, "samesite": "Strict"}
    response.set_cookie(ACCESS_COOKIE, tokens["access_token"],
                        max_age=int(tokens.get("expires_in") or 300), httponly=True, **common)
    response.set_cookie(REFRESH_COOKIE, tokens["refresh_token"], max_age=int(refresh_seconds),
                        httponly=True, **common)
    response.set_cookie(CSRF_COOKIE, csrf or new_csrf_token(), max_age=int(refresh_seconds),
                        httponly=False, **common)


def clear_session_cookies(response, secure):
    for name in (ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=secure, samesite="Strict",
                               httponly=name != CSRF_COOKIE)
