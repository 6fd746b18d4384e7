import json
import re

import pytest

from openapi_spec_validator import validate

from gateway.openapi import OpenApi
from gateway.router import Router
from gateway.api import TABLES


def test_description_is_valid_openapi_3_and_has_every_api_route():
    router = Router(TABLES)
    spec = OpenApi(router.routes).spec
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for route in router.routes:
        if route.documented:
            assert route.method.lower() in spec["paths"][route.openapi_path], route
    assert all(p.startswith(("/api/v1/", "/healthz", "/readyz")) for p in spec["paths"])


def test_description_uses_the_validating_schemas():
    spec = OpenApi(Router(TABLES).routes).spec
    sign_in = spec["paths"]["/api/v1/session"]["post"]
    ref = sign_in["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"login", "password", "audience"}
    assert schema.get("additionalProperties") is False  # unknown fields are refused
    assert "422" in sign_in["responses"]


def test_upload_routes_document_their_idempotency_key_header():
    paths = OpenApi(Router(TABLES).routes).spec["paths"]
    for path in ("/api/v1/me/uploads", "/api/v1/documents"):
        header, = [p for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert (header["name"], header["required"], header["schema"]["format"]) == (
            "Idempotency-Key", False, "uuid")


def test_every_error_answer_uses_the_shared_error_schemas():
    spec = OpenApi(Router(TABLES).routes).spec
    validate(spec)
    names = spec["components"]["schemas"]
    assert names["Error"]["required"] == ["error", "message"]
    assert names["InvalidInputError"]["properties"]["fields"]["additionalProperties"] == {
        "type": "array", "items": {"type": "string"}}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if int(status) < 400 or path == "/readyz":
                    continue
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                wanted = {"422": "InvalidInputError", "429": "TooManyRequestsError"}.get(
                    status, "Error")
                assert ref == "#/components/schemas/" + wanted, (method, path, status)


def test_error_statuses_come_from_the_route_definitions():
    router = Router(TABLES)
    spec = OpenApi(router.routes).spec
    sign_in = spec["paths"]["/api/v1/session"]["post"]["responses"]
    # public, yet refuses credentials (401) and throttles (429, with Retry-After)
    assert {"401", "429", "422", "503"} <= set(sign_in)
    assert "Retry-After" in sign_in["429"]["headers"]
    assert "403" not in sign_in
    for route in router.routes:
        if not route.documented:
            continue
        answers = spec["paths"][route.openapi_path][route.method.lower()]["responses"]
        for status in route.errors:
            assert str(status) in answers, (route, status)
        if route.auth != "public":
            assert {"401", "403"} <= set(answers), route


def test_a_route_cannot_declare_an_undescribed_status():
    from gateway.router import Route, PUBLIC
    route = Route("GET", "/api/v1/odd", handler=lambda ctx: None, auth=PUBLIC, errors=(418,))
    with pytest.raises(ValueError, match="418"):
        OpenApi([route])


def test_served_json_and_swagger_ui_from_haven_itself(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and json.loads(r.data)["info"]["title"] == "Haven API"
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "https://" not in page and "http://" not in page  # nothing from elsewhere
    assert "<script>" not in page  # no inline script: the CSP forbids it
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    scripts = re.findall(r'<script src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert scripts and styles
    for asset in scripts + styles:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.mimetype in ("text/javascript", "text/css"), asset
    assert b"SwaggerUIBundle" in client.get(scripts[0]).data
    # only the files the docs use, not the package's demo page
    assert client.get("/static/vendor/swagger-ui/index.html").status_code == 404
