"""identity's unit fixtures: the service through nameko's worker_factory, on an
in-memory SQLite database with the kernel's real Tx (no broker, no relay)."""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import eventlet.semaphore
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.common.actor import Actor
from services.common.db import KernelModels, Tx
from services.identity.dependencies import Passwords, Settings
from services.identity.domain.passwords import Hasher
from services.identity.models import Base
from services.identity.service import IdentityService

SECRET = "unit-test-secret-unit-test-secret-0123456789"
SETTINGS = Settings(token_secret=SECRET, access_token_seconds=300,
                    refresh_token_seconds=3600, public_url="http://portal.test")
# Cheap argon2id parameters keep the unit suite fast; the rules are the same.
FAST_HASHER = Hasher(time_cost=1, memory_kib=1024, parallelism=1)
SYSTEM = Actor.system().to_wire()


class MemoryDb:
    """What `self.db` offers a worker, over one in-memory SQLite database."""

    def __init__(self):
        self.engine = create_engine("sqlite://", connect_args={"check_same_thread": False},
                                    poolclass=StaticPool)
        Base.metadata.create_all(self.engine)
        self.models = KernelModels(Base)
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.recorded = []

    @contextmanager
    def transaction(self):
        with self.factory.begin() as session:
            tx = Tx(session, self.models)
            yield tx
        self.recorded.extend(tx.recorded)

    @contextmanager
    def read(self):
        with self.factory() as session:
            yield session

    def events(self, type_=None):
        return [e for e in self.recorded if type_ is None or e["type"] == type_]


@pytest.fixture
def db():
    memory = MemoryDb()
    yield memory
    memory.engine.dispose()


class FakeClock:
    """`self.clock()` of the service, moved by hand: real time until `set` is called."""

    def __init__(self):
        self.now = None

    def __call__(self):
        return self.now or datetime.now(timezone.utc)

    def set(self, value):
        self.now = value

    def advance(self, **delta):
        self.now = self() + timedelta(**delta)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def service(db, clock):
    return worker_factory(IdentityService, db=db, passwords=Passwords(FAST_HASHER, eventlet.semaphore.Semaphore(2)),
                          settings=SETTINGS, correlation="cid", clock=clock)


@pytest.fixture
def practice(service):
    return service.create_practice(SYSTEM, {"code": "oak-tree", "name": "Oak Tree Counseling"})


def staff_actor(practice, permissions=("manage_portal_access", "view_clients"), staff_id="s-1"):
    return Actor(practice_id=practice["id"], kind="staff", id=staff_id, roles=("intake",),
                 permissions=tuple(permissions)).to_wire()
