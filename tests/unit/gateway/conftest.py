import pytest
from werkzeug.test import Client

from gateway.app import GatewayApp
from tests.unit.gateway.fakes import PRACTICE, SECRET, FakeRpc, record


@pytest.fixture
def rpc():
    return FakeRpc({"identity.get_practice": lambda code: dict(PRACTICE, code=code),
                    "charts.get_client": lambda actor, cid: record(cid)})


@pytest.fixture
def app(rpc):
    """A replica that has read identity's revocation list (as a started one has)."""
    app = GatewayApp({"TOKEN_SECRET": SECRET, "AMQP_URI": None, "ACCESS_TOKEN_SECONDS": 300,
                      "MAX_BODY_BYTES": 4096, "INSECURE_COOKIES": False}, rpc,
                     broker_check=lambda: True)
    app.revocations.mark_loaded(app.revocations.generation)
    return app


@pytest.fixture
def client(app):
    """A werkzeug test client driving the pipeline as nameko's entrypoint would."""
    def wsgi(environ, start_response):
        from werkzeug.wrappers import Request
        return app.handle(Request(environ))(environ, start_response)
    return Client(wsgi)
