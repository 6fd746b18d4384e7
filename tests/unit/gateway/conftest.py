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
    return GatewayApp({"TOKEN_SECRET": SECRET, "AMQP_URI": None, "ACCESS_TOKEN_SECONDS": 300,
                       "MAX_BODY_BYTES": 4096, "INSECURE_COOKIES": False}, rpc,
                      broker_check=lambda: True)


@pytest.fixture
def client(app):
    """A werkzeug test client driving the pipeline as nameko's entrypoint would."""
    def wsgi(environ, start_response):
        from werkzeug.wrappers import Request
        return app.handle(Request(environ))(environ, start_response)
    return Client(wsgi)
