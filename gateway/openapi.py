"""The OpenAPI 3 description, made from the routes and the very schemas they validate with.

Built once per process; served as JSON at /api/v1/openapi.json and as a self-contained
HTML page at /api/v1/docs (no CDN, no script: the CSP allows only our own origin).
"""
import html
import json

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from werkzeug.wrappers import Response

from gateway import schemas
from gateway.router import ANY, ANY_MCP, CLIENT, PUBLIC, STAFF

ERRORS = {
    400: "Malformed JSON (invalid_json) or request",
    401: "Missing, forged or expired token (unauthenticated, invalid_token, token_expired, "
         "session_ended)",
    403: "Not allowed (staff_only, not_permitted, csrf_failed, password_change_required)",
    404: "Not found",
    413: "Body too large",
    415: "Body is not application/json",
    422: "Invalid fields (invalid_input, with fields)",
    503: "A service did not answer",
}
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
    spec.components.schema("Error", schema=schemas.Error)
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
    codes = [503] if route.path.startswith("/api/") else []
    if route.path == "/readyz":
        responses["503"] = {"description": "Something is down",
                            "content": {"application/json": {"schema": route.response_instance}}}
        codes = []
    if route.request is not None:
        codes += [400, 413, 415, 422]
    if route.form is not None:
        codes += [400, 413, 422]
    if route.query is not None or route.path_params:
        codes += [422, 404]
    if route.auth != PUBLIC:
        codes += [401, 403]
        op["security"] = [{"bearer": []}, {"cookie": []}]
    for code in sorted(set(codes)):
        responses[str(code)] = {"description": ERRORS[code], "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"] = responses
    return op


CSS = b"""body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1d2733}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
.op{border:1px solid #dde;border-radius:6px;margin:.8rem 0;padding:.4rem .8rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace}
.get{color:#16703a}.post{color:#1d4fa8}.put,.patch{color:#8a5a00}.delete{color:#a31d1d}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#f4f6f8;padding:.6rem;overflow:auto}
details summary{cursor:pointer}table{border-collapse:collapse}td{padding:.1rem .6rem .1rem 0;vertical-align:top}
"""


def render_html(spec):
    e = html.escape
    out = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
           "<meta name=viewport content='width=device-width,initial-scale=1'>",
           f"<title>{e(spec['info']['title'])}</title>",
           "<link rel=stylesheet href='/api/v1/docs.css'></head><body>",
           f"<h1>{e(spec['info']['title'])} {e(spec['info']['version'])}</h1>",
           f"<p>{e(spec['info'].get('description', ''))} The machine-readable description "
           "is at <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a>.</p>"]
    tags = {}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            tags.setdefault(op["tags"][0], []).append((path, method, op))
    for tag in sorted(tags):
        out.append(f"<h2>{e(tag)}</h2>")
        for path, method, op in tags[tag]:
            out.append(f"<div class=op><details><summary><span class='m {e(method)}'>"
                       f"{e(method.upper())}</span> <code>{e(path)}</code> — "
                       f"{e(op.get('summary', ''))}</summary>")
            out.append(f"<p>{e(op.get('description', ''))}</p>")
            for p in op.get("parameters", []):
                out.append(f"<div>{e(p['in'])} parameter <code>{e(p['name'])}</code>"
                           f"{' (required)' if p.get('required') else ''}</div>")
            body = op.get("requestBody")
            if body:
                out.append("<div>Body:</div>" + _schema_html(
                    next(iter(body["content"].values()))["schema"], spec))
            out.append("<table>")
            for status, resp in op["responses"].items():
                out.append(f"<tr><td><b>{e(status)}</b></td><td>{e(resp['description'])}</td></tr>")
            out.append("</table>")
            ok = next(iter(op["responses"].values()))
            if "content" in ok:
                out.append("<div>Answer:</div>" + _schema_html(
                    next(iter(ok["content"].values()))["schema"], spec))
            out.append("</details></div>")
    out.append("<h2>Schemas</h2>")
    for name, schema in sorted(spec["components"]["schemas"].items()):
        out.append(f"<h3 id='schema-{e(name)}'>{e(name)}</h3>"
                   f"<pre>{e(json.dumps(schema, indent=2))}</pre>")
    out.append("</body></html>")
    return "".join(out).encode("utf-8")


def _schema_html(schema, spec):
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[1]
        many = " (a list of)" if schema.get("type") == "array" else ""
        return f"<p>{many} <a href='#schema-{html.escape(name)}'>{html.escape(name)}</a></p>"
    return f"<pre>{html.escape(json.dumps(schema, indent=2))}</pre>"


class OpenApi:
    """The description, made once."""

    def __init__(self, routes):
        self.spec = build_spec(routes)
        self.json_bytes = json.dumps(self.spec, separators=(",", ":")).encode("utf-8")
        self.html_bytes = render_html(self.spec)

    def html_response(self):
        return Response(self.html_bytes, content_type="text/html; charset=utf-8")

    def css_response(self):
        return Response(CSS, content_type="text/css; charset=utf-8")
