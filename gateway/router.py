"""A small route registry: method, path, schemas, who may call, and words for the docs.

Handlers live in gateway/api/<area>/routes.py and register on a `RouteTable`. The werkzeug
Map is compiled once, when the Router is built; openapi.py reads the same Route objects.
"""
import re
from dataclasses import dataclass, field

from werkzeug.routing import Map, Rule

# Who may call a route.
PUBLIC = "public"        # no token
ANY = "any"              # any signed-in person (not while a password must be changed)
ANY_MCP = "any+mcp"      # any signed-in person, also while the password must be changed
CLIENT = "client"        # a client account or contact acting for clients
STAFF = "staff"          # the practice's staff
AUTH_LEVELS = (PUBLIC, ANY, ANY_MCP, CLIENT, STAFF)

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(eq=False)
class Route:
    method: str
    path: str                       # werkzeug pattern: /api/v1/clients/<client_id>
    handler: object
    auth: str = PUBLIC
    request: object = None          # marshmallow schema class for the JSON body
    query: object = None            # marshmallow schema class for the query string
    response: object = None         # schema class (or instance, e.g. many=True)
    status: int = 200
    summary: str = ""
    description: str = ""
    tags: tuple = ()
    documented: bool = True
    partial: bool = False           # load the body with partial=True
    form: object = None             # schema of a multipart/form-data body (uploads); the
                                    # handler streams it itself (gateway/uploads.py)
    max_body: int = None            # this route's body limit instead of the gateway's
    produces: str = None            # media type of a non-JSON answer (downloads)
    headers: tuple = ()             # optional request headers the handler reads, each
                                    # {"name", "description", "format"} (documented)
    errors: tuple = ()              # error statuses the handler itself may answer (409,
                                    # 429, a public 401...); openapi.py adds those the
                                    # pipeline answers (401/403, 400/413/415/422, 404, 503)
    request_instance: object = field(default=None, repr=False)
    query_instance: object = field(default=None, repr=False)
    response_instance: object = field(default=None, repr=False)
    form_instance: object = field(default=None, repr=False)

    def __post_init__(self):
        assert self.auth in AUTH_LEVELS, self.auth
        # Schemas are built once; marshmallow schema instances are reusable.
        self.request_instance = _instance(self.request)
        self.query_instance = _instance(self.query)
        self.response_instance = _instance(self.response)
        self.form_instance = _instance(self.form)

    @property
    def openapi_path(self):
        return _PARAM.sub(r"{\1}", self.path)

    @property
    def path_params(self):
        return _PARAM.findall(self.path)

    @property
    def name(self):
        return getattr(self.handler, "__name__", "handler")


def _instance(schema):
    if schema is None:
        return None
    return schema() if isinstance(schema, type) else schema


class RouteTable:
    """What one routes module offers; `@table.route(...)` registers a handler."""

    def __init__(self):
        self.routes = []

    def route(self, method, path, **options):
        def register(handler):
            self.routes.append(Route(method=method, path=path, handler=handler, **options))
            return handler
        return register


class Router:
    def __init__(self, tables):
        self.routes = [r for t in tables for r in t.routes]
        seen = set()
        for r in self.routes:
            key = (r.method, r.path)
            if key in seen:
                raise ValueError(f"route defined twice: {key}")
            seen.add(key)
        # No trailing-slash redirects, no slash merging: a path either matches or is 404.
        self.map = Map([Rule(r.path, methods=[r.method], endpoint=r) for r in self.routes],
                       strict_slashes=False, merge_slashes=False)

    def match(self, path, method):
        """(route, path values); raises werkzeug NotFound / MethodNotAllowed."""
        adapter = self.map.bind("gateway", path_info=path, default_method=method)
        return adapter.match(path, method)
