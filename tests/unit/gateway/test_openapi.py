import json

from openapi_spec_validator import validate

from gateway.openapi import OpenApi
from gateway.router import Router
from gateway.routes import TABLES


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


def test_served_json_and_docs_page(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and json.loads(r.data)["info"]["title"] == "Haven API"
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "/api/v1/me/details" in page and "<script" not in page
    assert "https://" not in page and "http://" not in page  # nothing from elsewhere
    assert client.get("/api/v1/docs.css").mimetype == "text/css"
