"""GatewayService: the one HTTP door of Haven, as a nameko service named "gateway".

A few catch-all @http entrypoints hand the werkzeug Request to the router (app.py);
BROADCAST event handlers keep the read models and the revocation set current on every
replica. Started by `python -m services.common.run gateway` with WEB_SERVER_ADDRESS.
"""
import logging

import eventlet
from eventlet import wsgi
from nameko.events import BROADCAST, EventHandler
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from gateway import errors, http
from gateway.app import GatewayApp
from gateway.rpc import RpcPool
from services.common.consumers import RobustQueueConsumer
from services.common.metrics import Metrics

log = logging.getLogger("gateway")

METHODS = "GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS"


# -- HTTP: every path reaches our router; every refusal is JSON ------------------------
class GatewayWsgiApp(WsgiApp):
    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        try:
            provider, values = self.url_map.bind_to_environ(environ).match()
            request.path_values = values
            response = provider.handle_request(request)
        except HTTPException as exc:  # a method none of our catch-alls accept
            status, body, headers = errors.error_body(exc)
            response = http.finish(http.json_response(body, status, headers), request,
                                   http.correlation_from(request))
        return response(environ, start_response)


class GatewayProtocol(HttpOnlyProtocol):
    """eventlet's wsgi refuses an overlong address or oversized headers itself, before any
    application runs, with an empty 400 or a text 414: here those are JSON that says
    what is wrong and by how much (errors.HTTP_SENTENCES' codes)."""

    def _read_request_line(self):
        line = super()._read_request_line()
        if line and len(line) >= self.server.url_length_limit:
            self._refuse(414, "URI Too Long", "uri_too_long",
                         f"The address is too long: at most {_kb(self.server.url_length_limit)}"
                         " are accepted.")
            return ""       # eventlet then closes the connection
        return line

    def parse_request(self):
        try:
            return super().parse_request()
        except wsgi.HeaderLineTooLong:
            self._refuse(431, "Request Header Fields Too Large", "headers_too_large",
                         f"A request header is too long: at most {_kb(wsgi.MAX_HEADER_LINE)} "
                         "each (an oversized cookie is the usual cause).")
        except wsgi.HeadersTooLarge:
            self._refuse(431, "Request Header Fields Too Large", "headers_too_large",
                         "The request headers are too large: at most "
                         f"{_kb(wsgi.MAX_TOTAL_HEADER_SIZE)} in all.")
        return False

    def get_client_address(self):
        # for the access log: the address the pipeline trusted (gateway/app.py,
        # `_from_the_client`, rewrites REMOTE_ADDR), never an unchecked X-Forwarded-For
        host, port = super().get_client_address()
        trusted = (getattr(self, "environ", None) or {}).get("REMOTE_ADDR")
        return (trusted or host.rsplit(",", 1)[-1]), port

    def _refuse(self, status, reason, code, message):
        body = http.dumps({"error": code, "message": message})
        head = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json",
                f"Content-Length: {len(body)}", "Connection: close",
                "Cache-Control: no-store", *(f"{k}: {v}" for k, v in http.SECURITY_HEADERS)]
        log.warning("request refused before it was read", extra={"status": status,
                                                                  "error": code})
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        self.close_connection = 1


def _kb(size):
    return f"{size // 1024} KB"


class GatewayWebServer(WebServer):
    def get_wsgi_app(self):
        return GatewayWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=GatewayProtocol, debug=False):
        return super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)


class GatewayHttp(HttpRequestHandler):
    server = GatewayWebServer()

    def response_from_exception(self, exc):
        # nameko's default shows the exception text (STYLE.md, trap 4). The pipeline
        # maps its own errors; this catches only failures around the worker.
        status, body, headers = errors.error_body(exc)
        response = http.json_response(body, status, headers)
        for name, value in http.SECURITY_HEADERS:
            response.headers[name] = value
        response.headers["Cache-Control"] = "no-store"
        return response


gateway_http = GatewayHttp.decorator


# -- events: a queue consumer that tells us when the broker connection is lost and back ---
class GatewayQueueConsumer(RobustQueueConsumer):
    def on_connection_error(self, exc, interval):
        super().on_connection_error(exc, interval)
        if self._consumers_ready.ready():  # lost after it had worked, not a slow start
            self._tell_gateway("broker_lost")

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        reconnected = self._consumers_ready.ready()
        super().on_consume_ready(connection, channel, consumers, **kwargs)
        # The revocation queue is bound now: a list read from here on misses nothing.
        self._tell_gateway("broker_reconnected" if reconnected else "consumers_ready")

    def _tell_gateway(self, what):
        for dependency in self.container.dependencies:
            if isinstance(dependency, Gateway):
                getattr(dependency, what)()


class BroadcastHandler(EventHandler):
    """nameko's own event handler (not the kernel's reliable one: these are caches and
    revocation fan-out, rebuilt from the owners at start and on reconnect — trap 10)."""
    queue_consumer = GatewayQueueConsumer()


event_handler = BroadcastHandler.decorator


# -- the gateway's state: RPC pool, read models, revocations ------------------------------
class Gateway(DependencyProvider):
    RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)

    def setup(self):
        config = self.container.config
        self.pool = RpcPool(config, size=int(config.get("max_workers", 10)),
                            timeout=float(config.get("RPC_TIMEOUT", 10.0)))
        self.app = GatewayApp(config, self.pool)
        self._loading = False

    def consumers_ready(self):
        """The first connection: read the revocation list only now, after the BROADCAST
        queue is bound, so that no revocation falls between the read and the queue."""
        self._spawn_loader()

    def stop(self):
        self.pool.stop()

    def kill(self):
        self.pool.stop()

    def get_dependency(self, worker_ctx):
        return self.app

    def broker_lost(self):
        log.warning("broker connection lost; refusing tokens until revocations are reread")
        self.app.broker_lost()

    def broker_reconnected(self):
        """Events may have been missed while away: forget caches, reread revocations
        (tokens wait for that, auth.py)."""
        log.warning("broker connection is back; rebuilding read models and revocations")
        self.app.broker_lost()
        self.app.readmodels.reset()
        self.pool.reset()
        self._spawn_loader()

    def _spawn_loader(self):
        if not self._loading:
            self._loading = True
            self.container.spawn_managed_thread(self._load_revocations,
                                                identifier="gateway.load_revocations")

    def _load_revocations(self):
        attempt = 0
        try:
            while True:
                try:
                    if self.app.load_revocations():
                        return
                    attempt = 0  # went stale while reading (a reconnect): read again
                except Exception as exc:
                    delay = self.RETRY_SECONDS[min(attempt, len(self.RETRY_SECONDS) - 1)]
                    attempt += 1
                    log.warning("cannot load revocations yet; retrying",
                                extra={"error": type(exc).__name__, "retry_in": delay})
                    eventlet.sleep(delay)
        finally:
            self._loading = False


class GatewayService:
    name = "gateway"
    app = Gateway()
    metrics = Metrics()

    @gateway_http(METHODS, "/api/<path:rest>")
    def api(self, request, rest):
        return self.app.handle(request)

    @gateway_http(METHODS, "/<path:rest>")
    def web(self, request, rest):
        return self.app.handle(request)

    @gateway_http(METHODS, "/")
    def root(self, request):
        return self.app.handle(request)

    @event_handler("identity", "session.revoked", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_session_revoked(self, event):
        self.app.on_session_revoked(event)

    @event_handler("identity", "account.suspended", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_account_suspended(self, event):
        self.app.readmodels.on_account_changed(event)

    @event_handler("identity", "password.changed", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_password_changed(self, event):
        self.app.readmodels.on_account_changed(event)

    @event_handler("identity", "practice.updated", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_practice_updated(self, event):
        self.app.readmodels.on_practice_updated(event)

    @event_handler("identity", "account.client_linked", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_account_client_linked(self, event):
        self.app.readmodels.on_account_changed(event)

    @event_handler("identity", "account.client_unlinked", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_account_client_unlinked(self, event):
        self.app.readmodels.on_account_changed(event)

    @event_handler("charts", "client.updated", handler_type=BROADCAST, reliable_delivery=False)
    def on_client_updated(self, event):
        self.app.readmodels.on_client_changed(event)

    @event_handler("charts", "client.created", handler_type=BROADCAST, reliable_delivery=False)
    def on_client_created(self, event):
        self.app.readmodels.on_client_changed(event)

    @event_handler("scheduling", "appointment.scheduled", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_appointment_scheduled(self, event):
        self.app.readmodels.on_appointment_changed(event)

    @event_handler("scheduling", "appointment.cancelled", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_appointment_cancelled(self, event):
        self.app.readmodels.on_appointment_changed(event)

    # an approved request joins the client's upcoming list; a completed or no-show one
    # changes its status there (docs/scheduling.md)
    @event_handler("scheduling", "appointment.approved", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_appointment_approved(self, event):
        self.app.readmodels.on_appointment_changed(event)

    @event_handler("scheduling", "appointment.completed", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_appointment_completed(self, event):
        self.app.readmodels.on_appointment_changed(event)

    @event_handler("scheduling", "appointment.no_show", handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_appointment_no_show(self, event):
        self.app.readmodels.on_appointment_changed(event)
