"""Structured JSON logs carrying the correlation id of the request being served.

Log lines name ids and codes, never values from a chart: no protected health
information in any log line (ARCHITECTURE.md). Call sites pass ids in `extra`.
"""
import contextvars
import logging
import sys
import uuid

from nameko.extensions import DependencyProvider
from pythonjsonlogger.json import JsonFormatter

correlation_id = contextvars.ContextVar("correlation_id", default=None)


def new_correlation_id():
    return uuid.uuid4().hex


class _CorrelationFilter(logging.Filter):
    def __init__(self, service):
        super().__init__()
        self.service = service

    def filter(self, record):
        record.correlation_id = correlation_id.get()
        record.service = self.service
        return True


def configure(service, level=None):
    """JSON lines on stderr; call once at process start."""
    import os
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    handler.addFilter(_CorrelationFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("HAVEN_LOG_LEVEL", "INFO"))
    # kombu and nameko are chatty at INFO about reconnections we already report.
    logging.getLogger("kombu").setLevel(logging.WARNING)
    logging.getLogger("nameko").setLevel(logging.WARNING)


class CorrelationId(DependencyProvider):
    """Makes the caller's correlation id current for the worker, and returns it.

    It comes from the event's headers, the actor context of an RPC, or is made anew.
    """

    def worker_setup(self, worker_ctx):
        cid = worker_ctx.data.get("correlation_id")
        if not cid and worker_ctx.args:
            first = worker_ctx.args[0]
            if isinstance(first, dict):
                cid = first.get("correlation_id")
        cid = cid or new_correlation_id()
        worker_ctx.data["correlation_id"] = cid
        correlation_id.set(cid)

    def get_dependency(self, worker_ctx):
        return worker_ctx.data.get("correlation_id")
