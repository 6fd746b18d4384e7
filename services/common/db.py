"""Database sessions for nameko workers, and the transaction that carries the outbox.

Each service owns one database: a SQLite file under var/ by default, PostgreSQL when
`<SERVICE>_DATABASE_URL` says so. Workers commit *inside* the entrypoint, in
`with self.db.transaction() as tx:` — nameko replies before `worker_result` runs, so a
commit there could report success for a write that then fails (STYLE.md, trap 1).
"""
import logging
from contextlib import contextmanager

import eventlet
import eventlet.semaphore
from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from services.common import envelope as envelopes
from services.common.errors import Unavailable
from services.common.logs import correlation_id

log = logging.getLogger(__name__)

PRIVATE = "private"
CHECK_SECONDS = 1.5     # under the gateway's 2 s readiness probe, so it hears why


def make_engine(url, pool_size=10):
    """An engine tuned for the backend: WAL and explicit BEGINs on SQLite, green psycopg2.

    `hide_parameters`: a SQL error's text would otherwise quote the bound values — a
    name, a date of birth — into whatever logs or re-raises it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15},
                               pool_size=pool_size, max_overflow=pool_size,
                               hide_parameters=True)
        _tune_sqlite(engine)
        return engine
    if url.startswith("postgresql"):
        _make_psycopg2_green()
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=True, hide_parameters=True)


def _make_psycopg2_green():
    """psycopg2 blocks the eventlet hub unless told to wait greenly (STYLE.md, trap 9)."""
    import eventlet.patcher
    if eventlet.patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()


def _tune_sqlite(engine):
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # pysqlite's own transaction handling would defer BEGIN; we issue our own.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the lock at BEGIN so two writers never deadlock on upgrade.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Tx:
    """One unit of work: the session, plus the outbox and inbox of this service."""

    def __init__(self, session, models, actor_correlation=None):
        self.session = session
        self._models = models
        self.recorded = []

    def record(self, type_, data, actor, version=1, practice_id=None, private=False):
        """Queue an event; it leaves the service only if this transaction commits.

        `private=True` sends it to `<service>-private.events` instead of the public
        `<service>.events`: for events that carry a secret (a single-use link) and are
        meant for Haven's own services only, never for subscribing practice systems.
        """
        env = envelopes.build(type_, data, actor, version=version, practice_id=practice_id)
        row = self._models.Outbox(
            id=env["id"], type=type_, envelope=env,
            correlation_id=correlation_id.get() or getattr(actor, "correlation_id", None))
        if private:
            if not hasattr(self._models.Outbox, "channel"):
                raise RuntimeError("this service's outbox has no `channel` column")
            row.channel = PRIVATE
        self.session.add(row)
        self.recorded.append(env)
        return env["id"]

    def first_delivery(self, event_id, handler):
        """True only for the first committed delivery of event_id to handler."""
        inbox = self._models.Inbox
        dialect = self.session.get_bind().dialect.name
        values = {"event_id": event_id, "handler": handler}
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert
            stmt = pg_insert(inbox).values(**values).on_conflict_do_nothing()
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert
            stmt = sqlite_insert(inbox).values(**values).on_conflict_do_nothing()
        else:  # pragma: no cover - Haven runs on SQLite and PostgreSQL only
            stmt = insert(inbox).values(**values)
        from services.common.times import utcnow
        stmt = stmt.values(handled_at=utcnow())
        return self.session.execute(stmt).rowcount == 1


def check_database(db, timeout=CHECK_SECONDS):
    """A trivial query through `db.read()`, for a service's `ping`: Unavailable
    `database_unavailable` when the database does not answer in time (never the driver's
    text, which may name hosts and users)."""
    try:
        with eventlet.Timeout(timeout):
            with db.read() as session:
                session.execute(text("SELECT 1")).scalar_one()
    except (SQLAlchemyError, OSError, eventlet.Timeout):
        log.warning("database check failed")
        raise Unavailable("database_unavailable",
                          "The service cannot reach its database.") from None


class KernelModels:
    """The service's Outbox, Inbox and FailedDelivery classes, found on its Base."""

    def __init__(self, base):
        by_table = {m.class_.__tablename__: m.class_ for m in base.registry.mappers}
        self.Outbox = by_table["outbox"]
        self.Inbox = by_table["inbox"]
        self.FailedDelivery = by_table["failed_deliveries"]


class DatabaseAccess:
    """What a worker sees as `self.db`."""

    def __init__(self, provider):
        self._provider = provider

    @property
    def engine(self):
        return self._provider.engine

    @contextmanager
    def transaction(self):
        """A write transaction, committed when the block ends without error."""
        with self._provider.write_lock():
            with self._provider.writer.begin() as session:
                tx = Tx(session, self._provider.models)
                yield tx
        if tx.recorded:
            self._provider.events_committed()

    @contextmanager
    def read(self):
        """A read-only session: no lock, nothing committed."""
        with self._provider.reader() as session:
            yield session


class Database(DependencyProvider):
    """Gives each worker `transaction()` and `read()` on the service's own database,
    and runs the outbox relay that publishes what those transactions committed."""

    def __init__(self, base, relay=True):
        self.base = base
        self.relay_enabled = relay
        self.engine = None
        self.relay = None

    def setup(self):
        config = self.container.config
        self.url = config["DATABASE_URL"]
        self.engine = make_engine(self.url, pool_size=config.get("max_workers", 10) + 2)
        self.models = KernelModels(self.base)
        writer_bind = self.engine
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            writer_bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.writer = sessionmaker(bind=writer_bind, expire_on_commit=False)
        self.reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        # Writers of one process queue on a green lock rather than in SQLite's busy
        # handler, which would block the whole hub while another greenthread holds
        # the write lock (STYLE.md, trap 9).
        self._sqlite_lock = eventlet.semaphore.Semaphore(1)
        if self.relay_enabled:
            from services.common.relay import OutboxRelay
            self.relay = OutboxRelay(
                service=config["SERVICE_NAME"] if "SERVICE_NAME" in config else self.container.service_name,
                amqp_uri=config["AMQP_URI"], provider=self,
                poll_seconds=config.get("OUTBOX_POLL_SECONDS", 0.5),
                heartbeat=config.get("RELAY_HEARTBEAT_SECONDS", 30),
                confirm_timeout=config.get("RELAY_CONFIRM_TIMEOUT_SECONDS", 10.0))

    @contextmanager
    def write_lock(self):
        if self.is_sqlite:
            with self._sqlite_lock:
                yield
        else:
            yield

    def start(self):
        if self.relay:
            self.relay.start(self.container)

    def stop(self):
        if self.relay:
            self.relay.stop()
        if self.engine is not None:
            self.engine.dispose()

    def kill(self):
        self.stop()

    def events_committed(self):
        if self.relay:
            self.relay.wake()

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self)
