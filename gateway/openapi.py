"""The OpenAPI 3 description, made from the routes and the very schemas they validate with.

Built once per process; served as JSON at /api/v1/openapi.json and browsable at
/api/v1/docs with Swagger UI, served by Haven itself (the pinned swagger-ui-bundle
package, under /static/vendor/swagger-ui/): no CDN, no inline script.

Error answers come from the same Route objects the gateway dispatches with: the statuses
its pipeline can answer for a route of that shape (see `_error_statuses`) plus those the
route declares in `errors=` (409, 429, a public route's 401...).
"""
import json

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from werkzeug.wrappers import Response

from gateway.router import ANY, ANY_MCP, CLIENT, PUBLIC, STAFF

ERRORS = {
    400: "Malformed JSON (invalid_json), JSON nested too deeply (json_too_deep) or request",
    401: "Not signed in, or the sign-in was refused: a missing, forged or expired token "
         "(unauthenticated, invalid_token, token_expired, session_ended), or on a sign-in "
         "route the credentials or the account (invalid_credentials, account_inactive...)",
    403: "Not allowed (staff_only, not_permitted, csrf_failed, password_change_required)",
    404: "Not found",
    409: "Conflicts with the current state (the codes are in the description)",
    413: "Body too large (payload_too_large; on uploads file_too_large, too_many_parts)",
    415: "Body is not application/json",
    422: "Invalid fields (invalid_input, with `fields`: field name -> problems)",
    429: "Too many attempts: wait `fields.retry_after` seconds (also the Retry-After header)",
    503: "A service did not answer",
}
# The answer's schema per status: 422 carries field errors, 429 when to try again.
ERROR_SCHEMA = {422: "InvalidInputError", 429: "TooManyRequestsError"}
WHO = {PUBLIC: "anyone", ANY: "any signed-in person", ANY_MCP: "any signed-in person, also "
       "while a password change is required", CLIENT: "a client (or a contact acting for one)",
       STAFF: "the practice's staff"}


def build_spec(routes):
    spec = APISpec(title="Haven API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Haven's HTTP API. Errors are "
                                        "`{error, message, fields?}`."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.security_scheme("cookie", {"type": "apiKey", "in": "cookie",
                                               "name": "haven_access"})
    for name, schema in error_schemas().items():
        spec.components.schema(name, component=schema)
    by_path = {}
    for route in routes:
        if not route.documented:
            continue
        by_path.setdefault(route.openapi_path, {})[route.method.lower()] = _operation(route)
    for path in sorted(by_path):
        spec.path(path=path, operations=by_path[path])
    return spec.to_dict()


def _operation(route):
    op = {"summary": route.summary or route.name.replace("_", " "),
          "operationId": route.name, "tags": list(route.tags) or ["api"],
          "description": (route.description + "\n\n" if route.description else "")
          + f"Who: {WHO[route.auth]}."}
    params = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
              for name in route.path_params]
    if route.query is not None:
        params.append({"in": "query", "schema": route.query_instance})
    params += [{"in": "header", "name": h["name"], "required": False,
                "description": h["description"],
                "schema": {"type": "string", **({"format": h["format"]} if h.get("format") else {})}}
               for h in route.headers]
    if params:
        op["parameters"] = params
    if route.request is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": route.request_instance}}}
    if route.form is not None:
        op["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": route.form_instance}}}
    ok = {"description": "OK"}
    if route.response is not None:
        ok["content"] = {"application/json": {"schema": route.response_instance}}
    if route.produces:
        ok["content"] = {route.produces: {"schema": {"type": "string", "format": "binary"}}}
    responses = {str(route.status): ok}
    if route.path == "/readyz":
        responses["503"] = {"description": "Something is down",
                            "content": {"application/json": {"schema": route.response_instance}}}
    if route.auth != PUBLIC:
        op["security"] = [{"bearer": []}, {"cookie": []}]
    for code in _error_statuses(route):
        responses.setdefault(str(code), _error_response(code))
    op["responses"] = responses
    return op


def _error_statuses(route):
    """What the gateway can answer for this route besides its success, sorted."""
    codes = set(route.errors)
    if route.path.startswith("/api/"):
        codes.add(503)                          # a service did not answer
    if route.request is not None:
        codes |= {400, 413, 415, 422}           # the JSON body (gateway/app.py)
    if route.form is not None:
        codes |= {400, 413, 422}                # the multipart body (gateway/uploads.py)
    if route.query is not None or route.path_params:
        codes |= {404, 422}                     # an id or a query that names nothing
    if route.auth != PUBLIC:
        codes |= {401, 403}                     # the token, the role, the password change
    unknown = codes - set(ERRORS)
    if unknown:
        raise ValueError(f"{route.method} {route.path}: no description for {sorted(unknown)}")
    return sorted(codes)


def _error_response(code):
    response = {"description": ERRORS[code], "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/" + ERROR_SCHEMA.get(code, "Error")}}}}
    if code == 429:
        response["headers"] = {"Retry-After": {
            "description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}
    return response


def error_schemas():
    """Every error is {error, message} and, for some statuses, `fields`."""
    def error(fields=None, description=""):
        properties = {"error": {"type": "string", "description": "snake_case code for programs"},
                      "message": {"type": "string", "description": "a sentence for people"}}
        if fields is not None:
            properties["fields"] = fields
        return {"type": "object", "required": ["error", "message"], "properties": properties,
                "additionalProperties": False, "description": description}
    return {
        "Error": error({"type": "object", "description": "details the code names"},
                       "Every error answer"),
        "InvalidInputError": error({
            "type": "object", "description": "field name -> problems",
            "properties": {"attempts_left": {
                "type": "integer", "description": "tries left before a code or link locks"}},
            "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "Invalid input: which fields, and what is wrong with each"),
        "TooManyRequestsError": error({"type": "object", "properties": {
            "retry_after": {"type": "integer", "description": "seconds to wait"},
            "retry_at": {"type": "string", "format": "date-time"}}},
            "Throttled: when to try again"),
    }


SWAGGER_UI = "/static/vendor/swagger-ui/"
DOCS_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Haven API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{SWAGGER_UI}swagger-ui.css">
</head><body>
<main id="swagger-ui" data-url="/api/v1/openapi.json">
<noscript><p>The browsable docs need JavaScript. The description itself is at
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></noscript></main>
<script src="{SWAGGER_UI}swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body></html>
""".encode("utf-8")
# The gateway's policy (gateway/http.py) plus data: images, which swagger-ui.css uses for
# its icons; still nothing from another origin and no inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'")


class OpenApi:
    """The description, made once."""

    def __init__(self, routes):
        self.spec = build_spec(routes)
        self.json_bytes = json.dumps(self.spec, separators=(",", ":")).encode("utf-8")

    def html_response(self):
        return Response(DOCS_HTML, content_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": DOCS_CSP})
