"""Fixtures every layer shares: a private vhost on the real RabbitMQ, and real databases.

Integration tests run against the machine's RabbitMQ (or the node `make test` started)
in a vhost of their own, and against SQLite and PostgreSQL alike.
"""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # nameko 2.14 no longer patches by itself (STYLE.md, trap 13)

import ssl  # noqa: E402

import urllib3.util.ssl_  # noqa: E402

# schemathesis' pytest plugin imports urllib3 before this file can patch: urllib3 then
# holds the unpatched SSLContext, whose `options` setter recurses forever under the
# patched ssl module as soon as botocore builds a context. Hand it the patched class, as
# a service process (patched first) has it.
urllib3.util.ssl_.SSLContext = ssl.SSLContext

import os  # noqa: E402
import socket  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

import pytest  # noqa: E402

from scripts import infra  # noqa: E402

BROKER_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672//")
PG_ADMIN_URL = os.environ.get("HAVEN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQCTL = os.environ.get("HAVEN_RABBITMQCTL", "rabbitmqctl").split()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_vhost():
    """Makes a vhost of its own on the broker; returns its URI and a function removing it."""
    return infra.private_vhost(BROKER_URI, RABBITMQCTL)


@pytest.fixture(scope="session")
def amqp_uri():
    """A vhost of this test session's own, removed at the end: no stale queues between runs.

    Long-lived stacks (tests/e2e) take a vhost of their own: their services would
    otherwise compete for the RPC queues of the containers other tests start.
    """
    uri, remove = private_vhost()
    yield uri
    remove()


LAYERS = ("unit", "integration", "reliability", "security", "e2e")


def pytest_collection_modifyitems(session, config, items):
    """Fast layers first; the whole-stack tests (and the browser) last."""
    def layer(item):
        parts = item.nodeid.split("/")
        name = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return LAYERS.index(name) if name in LAYERS else len(LAYERS)
    items.sort(key=layer)  # stable: keeps the order within a layer


def _pg_available():
    try:
        import psycopg2
        psycopg2.connect(PG_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def _create_pg_database():
    import psycopg2
    name = f"haven_test_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    parts = urlsplit(PG_ADMIN_URL)
    return name, urlunsplit(("postgresql+psycopg2", parts.netloc, "/" + name, "", ""))


def _drop_pg_database(name):
    import psycopg2
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture
def database_url_factory(tmp_path):
    """Makes a fresh database of the given backend; all are removed after the test."""
    made = []

    def make(backend):
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / (uuid.uuid4().hex + '.db')}"
        if not _pg_available():
            pytest.fail("PostgreSQL is not reachable at HAVEN_TEST_PG_URL (`make test` starts "
                        "a private cluster when none listens)")
        name, url = _create_pg_database()
        made.append(name)
        return url

    yield make
    for name in made:
        _drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, database_url_factory):
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    return database_url_factory(request.param)
