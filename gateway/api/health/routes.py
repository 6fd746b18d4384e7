"""Liveness, readiness, and the descriptions of the API and of the events."""
import functools

from gateway.api.health import schemas
from gateway.http import json_response
from gateway.router import PUBLIC, RouteTable
from services.common import config as settings

table = RouteTable()
TAGS = ("operations",)


@table.route("GET", "/healthz", auth=PUBLIC, response=schemas.Health,
             summary="Liveness: the process answers", tags=TAGS)
def healthz(ctx):
    return {"status": "ok"}


@table.route("GET", "/readyz", auth=PUBLIC, response=schemas.Ready, tags=TAGS,
             summary="Readiness: the broker, every service and this gateway's revocation list",
             description="`checks`: `broker` (reachable within 2 s); `identity`, `charts`, "
                         "`notify`, `scheduling`, `messaging` (their `ping` answered ok within 2 s: the service consumes "
                         "RPC and its own database answers); `revocations` (this gateway has "
                         "read the revocation list since it started or reconnected). 503 "
                         "names what is down: `unreachable`, `not answering`, `database "
                         "unreachable`, `no ping`, `failing`, `loading`.")
def readyz(ctx):
    checks = ctx.app.readiness()
    ready = all(v == "ok" for v in checks.values())
    return json_response({"status": "ok" if ready else "unavailable", "checks": checks},
                         200 if ready else 503)


@table.route("GET", "/api/v1/openapi.json", auth=PUBLIC, summary="This description",
             tags=TAGS, documented=False)
def openapi_json(ctx):
    return ctx.raw(ctx.app.openapi.json_bytes)


@table.route("GET", "/api/v1/asyncapi.json", auth=PUBLIC, tags=TAGS, documented=False,
             summary="The events other practice systems can subscribe to (AsyncAPI 2.6)")
def asyncapi_json(ctx):
    return ctx.raw(asyncapi_bytes())


@functools.cache
def asyncapi_bytes():
    """docs/asyncapi.json, generated from the services' event declarations
    (scripts/asyncapi.py) — the gateway never imports a service to describe it."""
    return (settings.ROOT / "docs" / "asyncapi.json").read_bytes()


@table.route("GET", "/api/v1/docs", auth=PUBLIC, summary="Browsable API docs", tags=TAGS,
             documented=False)
def docs(ctx):
    return ctx.app.openapi.html_response()

