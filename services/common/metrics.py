"""Prometheus metrics of a Haven process, and the port they are served on.

Every service declares `metrics = Metrics()`: it counts and times each entrypoint (RPC,
event handler, timer), by method and outcome — `ok`, the kernel error's code
class (`not_found`, `conflict` …) or `error` for anything unexpected. The outbox relay, the
reliable event handlers, notify's mail sender and the gateway's router add their own
series below. Labels are names and codes only: never an id, never a value from a chart.

`HAVEN_METRICS_ADDRESS` (host:port) turns the exporter on for the process — one port per
process, scraped at `/metrics` (docs/operations.md, "Metrics"); unset, nothing listens.
"""
import logging
import time
from weakref import WeakKeyDictionary

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from services.common.errors import HavenError

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

ENTRYPOINT_CALLS = Counter(
    "haven_entrypoint_calls_total", "Entrypoint calls by service, kind, method and outcome",
    ["service", "kind", "method", "outcome"])
ENTRYPOINT_SECONDS = Histogram(
    "haven_entrypoint_duration_seconds", "Time an entrypoint's worker ran",
    ["service", "kind", "method"], buckets=LATENCY_BUCKETS)
EVENTS_PUBLISHED = Counter(
    "haven_events_published_total", "Events the outbox relay published (broker-confirmed)",
    ["service", "type"])
EVENTS_UNROUTABLE = Counter(
    "haven_events_unroutable_total", "Events the broker returned: no queue bound yet (kept)",
    ["service", "type"])
OUTBOX_PENDING = Gauge(
    "haven_outbox_pending", "Events committed but not yet published", ["service"])
OUTBOX_OLDEST_SECONDS = Gauge(
    "haven_outbox_oldest_pending_seconds", "Age of the oldest unpublished event", ["service"])
EVENTS_HANDLED = Counter(
    "haven_events_handled_total", "Event deliveries handled, by handler and outcome (ok/failed)",
    ["service", "handler", "outcome"])
EVENTS_REDELIVERED = Counter(
    "haven_events_redelivered_total", "Retries of failed deliveries sent back to a handler",
    ["service", "handler"])
EVENTS_PARKED = Counter(
    "haven_events_parked_total", "Deliveries parked after their last attempt",
    ["service", "handler"])
EMAILS = Counter(
    "haven_emails_total", "Emails handed to the mail transport, by outcome "
    "(sent, retry, failed)", ["outcome"])
HTTP_REQUESTS = Counter(
    "haven_http_requests_total", "HTTP requests by route template, method and status",
    ["route", "method", "status"])
HTTP_SECONDS = Histogram(
    "haven_http_request_duration_seconds", "HTTP request time by route template",
    ["route", "method"], buckets=LATENCY_BUCKETS)

_served = {}


def serve(address):
    """Start this process's exporter on `host:port` once; a second call is a no-op."""
    if not address or address in _served:
        return
    host, _, port = address.rpartition(":")
    server, _thread = start_http_server(int(port), addr=host or "127.0.0.1")
    _served[address] = server
    log.info("metrics served", extra={"metrics_address": address})


def stop_serving():
    """Stop every exporter this process started (tests; a process's own ends with it)."""
    while _served:
        _address, server = _served.popitem()
        server.shutdown()
        server.server_close()


def entrypoint_kind(entrypoint):
    for cls, kind in ((Rpc, "rpc"), (EventHandler, "event"), (Timer, "timer")):
        if isinstance(entrypoint, cls):
            return kind
    return type(entrypoint).__name__.lower()


def outcome_of(exc_info):
    if exc_info is None:
        return "ok"
    exc = exc_info[1]
    return exc.default_code if isinstance(exc, HavenError) else "error"


class Metrics(DependencyProvider):
    """Counts and times every entrypoint of the service; serves the exporter if asked."""

    def setup(self):
        self._started = WeakKeyDictionary()
        serve(self.container.config.get("METRICS_ADDRESS"))

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        entrypoint = worker_ctx.entrypoint
        labels = (self.container.service_name, entrypoint_kind(entrypoint),
                  entrypoint.method_name)
        ENTRYPOINT_CALLS.labels(*labels, outcome_of(exc_info)).inc()
        if started is not None:
            ENTRYPOINT_SECONDS.labels(*labels).observe(time.perf_counter() - started)

    def get_dependency(self, worker_ctx):
        return None
