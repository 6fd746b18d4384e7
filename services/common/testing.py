"""Test support shared by every service's unit tests (never imported by running code).

`MemoryDatabase` stands in for the `Database` provider under nameko's `worker_factory`:
the same `transaction()` / `read()` API over one in-memory SQLite database, so service
methods run their real SQL and record their real outbox rows.
"""
from contextlib import contextmanager, nullcontext

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.common.db import KernelModels, Tx


class MemoryDatabase:
    """What `self.db` offers a worker — and the provider attributes a relay-like
    dependency (e.g. notify's Mailer) reads."""
    is_sqlite = True

    def __init__(self, base):
        self.engine = create_engine("sqlite://", poolclass=StaticPool,
                                    connect_args={"check_same_thread": False})
        base.metadata.create_all(self.engine)
        self.models = KernelModels(base)
        self.writer = self.reader = self.factory = self.sessions = sessionmaker(
            bind=self.engine, expire_on_commit=False)
        self.recorded = []

    def write_lock(self):
        return nullcontext()

    @contextmanager
    def transaction(self):
        with self.writer.begin() as session:
            tx = Tx(session, self.models)
            yield tx
        self.recorded.extend(tx.recorded)

    @contextmanager
    def read(self):
        with self.reader() as session:
            yield session

    def all(self, model):
        with self.reader() as session:
            return session.execute(select(model)).scalars().all()

    def events(self, type_=None):
        """Envelopes committed through `transaction()`, optionally of one type."""
        return [e for e in self.recorded if type_ is None or e["type"] == type_]

    def dispose(self):
        self.engine.dispose()
