import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from gateway.router import PUBLIC, Router, RouteTable
from gateway.api import TABLES


def test_every_contract_route_is_registered():
    router = Router(TABLES)
    have = {(r.method, r.openapi_path) for r in router.routes}
    wanted = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/api/v1/openapi.json"),
              ("GET", "/api/v1/docs"), ("GET", "/api/v1/practices/{code}"),
              ("POST", "/api/v1/session"), ("POST", "/api/v1/session/refresh"),
              ("GET", "/api/v1/session"), ("DELETE", "/api/v1/session"),
              ("POST", "/api/v1/session/password"), ("GET", "/api/v1/me/details"),
              ("PATCH", "/api/v1/me/details"), ("GET", "/api/v1/clients"),
              ("POST", "/api/v1/clients"), ("GET", "/api/v1/clients/{client_id}"),
              ("PATCH", "/api/v1/clients/{client_id}"),
              ("GET", "/api/v1/clients/{client_id}/revisions"),
              ("GET", "/api/v1/clients/{client_id}/portal-access"),
              ("PUT", "/api/v1/clients/{client_id}/portal-access"),
              ("PATCH", "/api/v1/clients/{client_id}/portal-access"),
              ("GET", "/api/v1/alerts"), ("POST", "/api/v1/alerts/{alert_id}/read"),
              ("GET", "/p/{code}"), ("GET", "/staff"), ("GET", "/static/{path}")}
    assert wanted <= have


def test_match_gives_route_and_values():
    router = Router(TABLES)
    route, values = router.match("/api/v1/clients/abc", "GET")
    assert route.name == "get_client" and values == {"client_id": "abc"}
    route, _ = router.match("/api/v1/clients/abc", "HEAD")  # HEAD follows GET
    assert route.name == "get_client"


def test_unknown_path_and_wrong_method():
    router = Router(TABLES)
    with pytest.raises(NotFound):
        router.match("/api/v1/nothing", "GET")
    route, _ = router.match("/api/v1/session/", "GET")  # answered, not redirected
    assert route.name == "get_session"
    with pytest.raises(MethodNotAllowed) as exc:
        router.match("/api/v1/alerts", "DELETE")
    assert "GET" in exc.value.valid_methods


def test_a_route_defined_twice_is_refused():
    table = RouteTable()
    table.route("GET", "/x", auth=PUBLIC)(lambda ctx: {})
    table.route("GET", "/x", auth=PUBLIC)(lambda ctx: {})
    with pytest.raises(ValueError):
        Router([table])
