"""identity's unit fixtures: the service through nameko's worker_factory, on an
in-memory SQLite database with the kernel's real Tx (no broker, no relay)."""
from datetime import datetime, timedelta, timezone

import eventlet.semaphore
import pytest
from nameko.testing.services import worker_factory

from services.common.actor import Actor
from services.common.testing import MemoryDatabase
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


class MemoryDb(MemoryDatabase):
    """What `self.db` offers a worker, over one in-memory SQLite database."""

    def __init__(self):
        super().__init__(Base)

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


def rivers_family(email):
    """The Rivers family's charts as charts answers them: Jane (signing in with `email`), her
    son Leo (the same address on his chart) and her daughter Mia (no address). A fresh copy
    each call, so a test may change it."""
    return {
        "jane": {"id": "jane", "first_name": "Jane", "last_name": "Rivers",
                 "date_of_birth": "1984-07-21", "email": email},
        "son": {"id": "son", "first_name": "Leo", "last_name": "Rivers",
                "date_of_birth": "2012-03-02", "email": email},
        "mia": {"id": "mia", "first_name": "Mia", "last_name": "Rivers",
                "date_of_birth": "2014-06-15"},
    }
