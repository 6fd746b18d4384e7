"""Structured JSON logs carrying the correlation id of the request being served.

Log lines name ids and codes, never values from a chart: no protected health
information in any log line (ARCHITECTURE.md). Call sites pass ids in `extra`. As a
second line of defence, exceptions are logged as their class and code location only:
their text (which may quote a bound SQL value or a field) never reaches a line.
"""
import contextvars
import logging
import sys
import traceback
import uuid

from nameko.extensions import DependencyProvider
from pythonjsonlogger.json import JsonFormatter

from services.common.actor import source_ip

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


class ExceptionTextFilter(logging.Filter):
    """Replaces an exception passed as a log argument by its class name.

    nameko logs an unexpected worker error as `'error handling worker %s: %s', ctx, exc`
    (and kombu its connection errors alike): the exception's text may quote a chart value
    (a SQL error's parameters, a validation message), so only its class reaches the line.
    """

    def filter(self, record):
        if isinstance(record.msg, BaseException):
            record.msg = type(record.msg).__name__
        if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
            record.args = tuple(type(a).__name__ if isinstance(a, BaseException) else a
                                for a in record.args)
        return True


def safe_traceback(exc):
    """Where an exception happened — its class and every frame's file, line and function,
    through its causes — without its message, the source lines or any local variable."""
    lines, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = traceback.extract_tb(exc.__traceback__, limit=30)
        lines.append(type(exc).__name__)
        lines.extend(f"  {f.filename}:{f.lineno} in {f.name}" for f in frames)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if exc is not None:
            lines.append("caused by:")
    return "\n".join(lines)


class SafeJsonFormatter(JsonFormatter):
    """JSON lines whose tracebacks never carry the exception's text (see safe_traceback)."""

    def formatException(self, ei):
        return safe_traceback(ei[1]) if ei and ei[1] is not None else ""

    def format(self, record):
        # another handler's formatter may have cached the full text; never reuse it
        record.exc_text = None
        return super().format(record)


def json_handler(service, stream=None):
    """A handler writing safe JSON lines with the service and the correlation id."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(SafeJsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    handler.addFilter(_CorrelationFilter(service))
    handler.addFilter(ExceptionTextFilter())
    return handler


# nameko's loggers that log a worker's or a consumer's exception with its text.
NAMEKO_LOGGERS = ("nameko.containers", "nameko.messaging", "nameko.rpc", "nameko.events",
                  "nameko.runners", "nameko.web.server")


def configure(service, level=None):
    """JSON lines on stderr; call once at process start."""
    import os
    root = logging.getLogger()
    root.handlers[:] = [json_handler(service)]
    # on the loggers too, so that a handler added later (a log shipper) gets no text either
    for name in NAMEKO_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ExceptionTextFilter) for f in logger.filters):
            logger.addFilter(ExceptionTextFilter())
    root.setLevel(level or os.environ.get("HAVEN_LOG_LEVEL", "INFO"))
    # kombu and nameko are chatty at INFO about reconnections we already report.
    logging.getLogger("kombu").setLevel(logging.WARNING)
    logging.getLogger("nameko").setLevel(logging.WARNING)


class CorrelationId(DependencyProvider):
    """Makes the caller's correlation id current for the worker, and returns it.

    It comes from the event's headers, the actor context of an RPC, or is made anew.
    The actor context's `source_ip` is made current the same way (None when absent), for
    the audit trail.
    """

    def worker_setup(self, worker_ctx):
        cid = worker_ctx.data.get("correlation_id")
        first = worker_ctx.args[0] if worker_ctx.args else None
        if not isinstance(first, dict):
            first = {}
        cid = cid or first.get("correlation_id") or new_correlation_id()
        worker_ctx.data["correlation_id"] = cid
        correlation_id.set(cid)
        address = first.get("source_ip")
        source_ip.set(address if isinstance(address, str) and len(address) <= 64 else None)

    def get_dependency(self, worker_ctx):
        return worker_ctx.data.get("correlation_id")
