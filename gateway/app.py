"""The request pipeline, free of nameko so that unit tests drive it with fakes.

match the route → identify the caller → read the body and query through the route's
schemas → the handler → the response schema → security headers and correlation id.
Every failure goes through errors.error_body, the one mapping.
"""
import json
import logging
import time
from datetime import datetime, timezone

import eventlet
from kombu import Connection
from nameko.exceptions import MethodNotFound
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from gateway import errors, hosts, http
from gateway.api import TABLES
from gateway.auth import LOAD_WAIT_SECONDS, Authenticator, Revocations
from gateway.openapi import OpenApi
from gateway.readmodels import ReadModels
from gateway.router import ANY_MCP, CLIENT, PUBLIC, STAFF, Router
from services.common import config as settings
from services.common import metrics
from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput, Unavailable
from services.common.logs import correlation_id
from services.common.schemas import load

log = logging.getLogger("gateway")

DEFAULT_MAX_BODY = 1 << 20
# No request of the API nests deeper than a few levels (a chart tab: tab → person →
# address); a deeper body is a probe, refused before it reaches a schema or a service.
MAX_JSON_DEPTH = 32
PROBED_SERVICES = ("identity", "charts", "notify", "scheduling", "messaging")
PROBE_SECONDS = 2.0


class Context:
    """What a handler sees of one request."""
    __slots__ = ("request", "app", "who", "actor", "params", "body", "query", "cid")

    def __init__(self, request, app, cid, params):
        self.request = request
        self.app = app
        self.cid = cid
        self.params = params
        self.who = None
        self.actor = None
        self.body = {}
        self.query = {}

    @staticmethod
    def raw(body, status=200):
        """JSON bytes already shaped by the response schema (a read model's)."""
        return http.json_bytes(body, status)


def gateway_settings(config):
    """The gateway's settings from its nameko config, with environment fallbacks."""
    insecure = config.get("INSECURE_COOKIES")
    if insecure is None:
        insecure = settings.env("HAVEN_INSECURE_COOKIES", "0") in ("1", "true", "yes")
    return {
        "secret": config.get("TOKEN_SECRET") or settings.token_secret(),
        "access_seconds": int(config.get("ACCESS_TOKEN_SECONDS", 300)),
        "refresh_seconds": int(config.get("REFRESH_TOKEN_SECONDS", 12 * 3600)),
        "rpc_timeout": float(config.get("RPC_TIMEOUT", 10.0)),
        "max_body": int(config.get("MAX_BODY_BYTES")
                        or settings.env_int("HAVEN_MAX_BODY_BYTES", DEFAULT_MAX_BODY)),
        "insecure_cookies": bool(insecure),
        # proxies in front of the gateway whose X-Forwarded-For / -Proto are believed
        "proxy_hops": int(config["PROXY_HOPS"] if config.get("PROXY_HOPS") is not None
                          else settings.env_int("HAVEN_PROXY_HOPS", 0)),
        "amqp_uri": config.get("AMQP_URI"),
        "revocations_wait": float(config["REVOCATIONS_WAIT_SECONDS"]
                                  if config.get("REVOCATIONS_WAIT_SECONDS") is not None
                                  else settings.env_float("HAVEN_REVOCATIONS_WAIT_SECONDS",
                                                          LOAD_WAIT_SECONDS)),
    }


class GatewayApp:
    def __init__(self, config, rpc, broker_check=None):
        s = gateway_settings(config)
        self.rpc = rpc
        self.access_seconds = s["access_seconds"]
        self.refresh_seconds = s["refresh_seconds"]
        self.max_body = s["max_body"]
        self.secure_cookies = not s["insecure_cookies"]
        self.amqp_uri = s["amqp_uri"]
        self.revocations = Revocations(self.access_seconds)
        self.auth = Authenticator(s["secret"], self.revocations,
                                  load_wait=s["revocations_wait"])
        self.readmodels = ReadModels(rpc, session_seconds=min(60, self.access_seconds))
        self.router = Router(TABLES)
        self.openapi = OpenApi(self.router.routes)
        self.broker_check = broker_check or self._broker_reachable
        self.config = config
        self.blobs = None  # the blob store, opened on first use (gateway/uploads.py)
        # Behind `proxy_hops` trusted proxies the person's address is the one the nearest
        # of them put at the right of X-Forwarded-For, `hops` from the end: earlier entries
        # are the client's own say and never believed. Off (0) trusts no header.
        hops = s["proxy_hops"]
        self.proxy_fix = ProxyFix(_nothing, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                  x_prefix=0) if hops > 0 else None

    # -- the pipeline -------------------------------------------------------------
    def handle(self, request):
        started = time.perf_counter()
        request = self._from_the_client(request)
        cid = http.correlation_from(request)
        token = correlation_id.set(cid)
        try:
            try:
                response = self._dispatch(request, cid)
            except Exception as exc:
                status, body, headers = errors.error_body(exc)
                response = http.json_response(body, status, headers)
            response = http.finish(response, request, cid)
            self._measure(request, response, started)
            return response
        finally:
            correlation_id.reset(token)

    @staticmethod
    def _measure(request, response, started):
        """Per route template (never a path with its ids), method and status."""
        route = getattr(request, "haven_route", None)
        path = route.path if route is not None else "unmatched"
        metrics.HTTP_REQUESTS.labels(path, request.method, str(response.status_code)).inc()
        metrics.HTTP_SECONDS.labels(path, request.method).observe(time.perf_counter() - started)

    def _from_the_client(self, request):
        """The request as the person sent it (their address and scheme) when trusted
        proxies forwarded it; everything that reads `remote_addr` — the throttles'
        and audit's `source_ip`, the actor, the access log — then sees the person."""
        if self.proxy_fix is None:
            return request
        self.proxy_fix(request.environ, None)   # rewrites REMOTE_ADDR etc. in place
        return Request(request.environ)

    def _dispatch(self, request, cid):
        route, params = self._match(request)
        request.haven_route = route
        # An upload route has its own, larger limit, enforced while it streams.
        request.max_content_length = route.max_body or self.max_body
        http.accept_chunked(request.environ)
        ctx = Context(request, self, cid, params)
        if route.auth != PUBLIC:
            self._identify(ctx, route)
        if route.query is not None:
            ctx.query = load(route.query_instance, request.args.to_dict(flat=True))
        if route.request is not None:
            ctx.body = load(route.request_instance, self._json_body(request),
                            partial=route.partial)
        result = route.handler(ctx)
        if isinstance(result, Response):
            return result
        if route.response_instance is not None:
            result = route.response_instance.dump(result)
        return http.json_response(result, route.status)

    def _match(self, request):
        try:
            return self.router.match(request.path, request.method)
        except HTTPNotFound:
            # a page of a practice's own address (https://<subdomain>.<base>/…) is its portal
            found = hosts.portal_route(self, request)
            if found is None:
                raise
            return found

    def _identify(self, ctx, route):
        who = self.auth.identify(ctx.request, ctx.cid)
        claims = who.claims
        if claims.get("mcp") and route.auth != ANY_MCP:
            raise Forbidden("password_change_required",
                            "Please choose a new password before you continue.")
        actor = Actor.from_wire(who.wire)
        if route.auth == STAFF and not actor.is_staff:
            raise Forbidden("staff_only", "Only the practice's staff can do that.")
        if route.auth == CLIENT and actor.kind not in ("client", "contact"):
            raise Forbidden("clients_only", "This is for clients signed in to the portal.")
        ctx.who = who
        ctx.actor = actor

    def _json_body(self, request):
        limit = request.max_content_length or self.max_body
        length = request.content_length
        if length is not None and length > limit:
            raise errors.BodyTooLarge(http.size_words(limit))
        if length is None and http.is_chunked(request.environ):
            data = http.read_chunked(request.environ["wsgi.input"], limit)
        else:
            data = request.get_data(cache=True)
        if len(data) > limit:
            raise errors.BodyTooLarge(http.size_words(limit))
        if not data.strip():
            return {}
        if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
            raise UnsupportedMediaType()
        try:
            body = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise errors.InvalidJson() from None
        except RecursionError:  # deeper than the parser's own stack allows
            _refuse_deep(request)
        if _too_deep(body, MAX_JSON_DEPTH):
            _refuse_deep(request)
        if not isinstance(body, dict):
            raise InvalidInput("invalid_input", "The request body must be a JSON object.")
        return body

    # -- revocation and broker lifecycle -------------------------------------------
    def revoke(self, session_ids, revoked_at=None):
        self.revocations.revoke(session_ids, revoked_at)
        self.readmodels.on_sessions_revoked(session_ids)

    def load_revocations(self):
        """Read every revocation younger than an access token from identity. True when
        the list is complete; False when it went stale while being read (the broker
        connection was lost meanwhile) and must be read again."""
        generation = self.revocations.generation
        since = time.time() - self.access_seconds - 60
        reply = self.rpc.call("identity", "list_revocations",
                              {"since": datetime.fromtimestamp(since, timezone.utc).isoformat()})
        sessions = (reply or {}).get("sessions") or ()
        for item in sessions:
            self.revoke([item.get("session_id")], _epoch(item.get("revoked_at")))
        complete = self.revocations.mark_loaded(generation)
        log.info("revocations read", extra={"count": len(sessions), "complete": complete})
        return complete

    def broker_lost(self):
        """Revocation events may be missed from now on: no token is accepted until the
        list has been read again (service.py reloads it on reconnect)."""
        self.revocations.mark_stale()

    def on_session_revoked(self, event):
        data = event.get("data") or {}
        self.revoke(data.get("session_ids") or (), _epoch(data.get("revoked_at")))
        self.readmodels.on_account_changed(event)

    # -- readiness --------------------------------------------------------------------
    def readiness(self):
        """name -> "ok" or what is wrong, for the broker, every service (its RPC queue
        and its own database, through its `ping`) and the revocation list."""
        checks = {"broker": "ok" if self.broker_check() else "unreachable"}
        pool = eventlet.GreenPool(len(PROBED_SERVICES))
        for name, state in zip(PROBED_SERVICES, pool.imap(self._probe, PROBED_SERVICES)):
            checks[name] = state
        checks["revocations"] = "ok" if self.revocations.loaded else "loading"
        return checks

    def _probe(self, service):
        """Only a ping answered "ok" is ok: silence, an error reply (a service without
        `ping` answers MethodNotFound) or a database that does not answer is failing."""
        try:
            reply = self.rpc.call(service, "ping", timeout=PROBE_SECONDS)
        except Unavailable as exc:  # the pool's own timeout, or the service's answer
            return "database unreachable" if exc.code == "database_unavailable" \
                else "not answering"
        except MethodNotFound:
            return "no ping"
        except Exception as exc:
            log.warning("readiness probe failed", extra={"target": service,
                                                         "error": type(exc).__name__})
            return "failing"
        if isinstance(reply, dict) and reply.get("status") == "ok":
            return "ok"
        return "failing"

    def _broker_reachable(self):
        if not self.amqp_uri:
            return True
        try:
            with eventlet.Timeout(PROBE_SECONDS):
                with Connection(self.amqp_uri, connect_timeout=PROBE_SECONDS) as conn:
                    conn.ensure_connection(max_retries=1)
            return True
        except (Exception, eventlet.Timeout):
            return False


def _nothing(environ, start_response):
    """ProxyFix's inner application: only its rewrite of the environ is wanted."""
    return None


def _refuse_deep(request):
    # one line, no traceback: a probe is not a bug
    log.warning("request refused: JSON nested too deeply",
                extra={"path": request.path, "limit": MAX_JSON_DEPTH})
    raise errors.JsonTooDeep(MAX_JSON_DEPTH) from None


def _too_deep(value, limit):
    """True when objects and lists nest deeper than `limit` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return False


def _epoch(text):
    if not text:
        return None
    try:
        from services.common.times import parse_utc
        return parse_utc(text).timestamp()
    except (TypeError, ValueError):
        return None
