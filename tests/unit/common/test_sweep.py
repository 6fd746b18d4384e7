"""The kernel's orphan blob sweep: what goes, what stays, and who sweeps."""
import io
import os
import time
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.pool import StaticPool

from services.common import sweep
from services.common.blobstore import LocalBlobStore
from services.common.kernel_models import LeaseMixin
from services.common.times import utcnow


def aged(store, key, seconds=7200):
    past = time.time() - seconds
    os.utime(store._path(key), (past, past))


def test_only_old_blobs_no_row_names_are_removed(tmp_path):
    store = LocalBlobStore(tmp_path)
    named, stray, fresh = (store.put(io.BytesIO(b"x"), namespace="logos").key for _ in range(3))
    other = store.put(io.BytesIO(b"x"), namespace="charts").key
    for key in (named, stray, other):
        aged(store, key)
    asked = []

    def referenced(keys):
        asked.append(list(keys))
        return {named} & set(keys)

    assert sweep.sweep_orphans(store, "logos", 60, referenced, chunk=1) == 1
    left = store.list_older_than("logos", -1)
    assert named in left and fresh in left and stray not in left
    assert other in store.list_older_than("charts", -1)        # another namespace: untouched
    assert sorted(k for chunk in asked for k in chunk) == sorted([named, stray])  # in chunks


class Base(DeclarativeBase):
    pass


class Lease(LeaseMixin, Base):
    pass


def test_one_holder_at_a_time_until_the_lease_expires():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions.begin() as session:
        assert sweep.take_lease(session, Lease, "job", "a", 60)
    with sessions.begin() as session:
        assert not sweep.take_lease(session, Lease, "job", "b", 60)
        assert sweep.take_lease(session, Lease, "job", "a", 60)     # the holder renews
    with sessions.begin() as session:
        session.get(Lease, "job").expires_at = utcnow() - timedelta(seconds=1)
    with sessions.begin() as session:
        assert sweep.take_lease(session, Lease, "job", "b", 60)
    engine.dispose()


def test_the_timer_s_interval_comes_from_the_config():
    timer = sweep.SweepTimer()
    timer.container = SimpleNamespace(config={"BLOB_SWEEP_SECONDS": "0.5"})
    timer.setup()
    assert timer.interval == 0.5
    timer = sweep.SweepTimer()
    timer.container = SimpleNamespace(config={})
    timer.setup()
    assert timer.interval == sweep.SWEEP_INTERVAL_SECONDS
