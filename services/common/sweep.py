"""The orphan blob sweep, for every service that keeps files in the blob store.

A service stores a file in two steps that cannot share one transaction: the blob store
write, then the commit of the row that names the blob (charts' documents, identity's
practice logo). A crash or an unanswered call between them leaves a blob nothing names;
so does a delete of the blob that fails after the row went. The sweep removes blobs of
the service's namespace that are older than a grace period (`BLOB_ORPHAN_MINUTES`,
default 60: longer than any write takes to commit) and that no committed row names.

Mix `OrphanBlobSweep` into the service class and give it:

    blobs = BlobStoreProvider()              # services.common.blobstore
    orphan_blob_namespace = "logos"          # the store namespace this service owns
    orphan_lease = Lease                     # on kernel_models.LeaseMixin (`leases`)

    def referenced_blob_keys(self, session, keys):
        '''The subset of `keys` that a row of this service names.'''

It brings the RPC `sweep_orphan_blobs(actor, payload)` (system or staff
`view_operations`: `{older_than_minutes=60}` → `{removed: n}`) and a timer every
`BLOB_SWEEP_SECONDS` (default 900). `@timer` fires in every replica (STYLE.md, trap 11):
a lease row lets one of them sweep per period.
"""
import logging
import os
import socket
from datetime import timedelta

from marshmallow import fields, validate
from nameko.timer import Timer
from sqlalchemy import select

from services.common.actor import Actor
from services.common.errors import EXPECTED
from services.common.rpc import rpc
from services.common.schemas import StrictSchema, load
from services.common.times import utcnow

log = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 900
GRACE_MINUTES = 60
CHUNK = 500
LEASE_NAME = "orphan_blob_sweep"


def take_lease(session, model, name, holder, seconds):
    """True when `holder` now holds the lease `name` for `seconds` (one replica runs a
    periodic job that every replica's @timer fires)."""
    now = utcnow()
    row = session.execute(select(model).where(model.name == name).with_for_update()
                          ).scalar_one_or_none()
    if row is None:
        # two replicas creating it at once: one commit fails, that tick is skipped
        session.add(model(name=name, holder=holder, expires_at=now + timedelta(seconds=seconds)))
        session.flush()
        return True
    if row.holder != holder and row.expires_at > now:
        return False
    row.holder, row.expires_at = holder, now + timedelta(seconds=seconds)
    return True


def sweep_orphans(store, namespace, minutes, referenced, chunk=CHUNK):
    """Delete the blobs of `namespace` older than `minutes` that `referenced(keys)` (→ the
    subset still named by a committed row) does not name; → how many went. The store
    lists by age only: what is an orphan is the owner's call."""
    candidates = store.list_older_than(namespace, minutes)
    removed = 0
    for start in range(0, len(candidates), chunk):
        keys = candidates[start:start + chunk]
        known = set(referenced(keys))
        for key in keys:
            if key not in known:
                store.delete(key)
                removed += 1
    return removed


class SweepTimer(Timer):
    """A @timer whose interval comes from the container's config (`BLOB_SWEEP_SECONDS`),
    so that tests and operators can change it without code."""

    def __init__(self, interval=SWEEP_INTERVAL_SECONDS, setting="BLOB_SWEEP_SECONDS",
                 **kwargs):
        super().__init__(interval, **kwargs)
        self.setting = setting

    def setup(self):
        self.interval = float(self.container.config.get(self.setting, self.interval))


class SweepOrphans(StrictSchema):
    older_than_minutes = fields.Integer(load_default=GRACE_MINUTES,
                                        validate=validate.Range(min=1))


class OrphanBlobSweep:
    """Mixin: the sweep of this service's namespace, by RPC and on a timer (see above).
    Needs `db`, `blobs` and `config` on the service."""

    orphan_blob_namespace = None
    orphan_lease = None

    def referenced_blob_keys(self, session, keys):
        raise NotImplementedError

    @rpc(expected_exceptions=EXPECTED)
    def sweep_orphan_blobs(self, actor, payload=None):
        """System or staff `view_operations`: remove this service's blobs older than
        `older_than_minutes` (default 60) that no row names (a write whose row never
        committed, or a delete whose blob removal failed). → `{removed: n}`."""
        actor = Actor.from_wire(actor)
        actor.require_staff("view_operations")
        cmd = load(SweepOrphans(), payload)
        return {"removed": self._sweep_orphan_blobs(cmd["older_than_minutes"])}

    @SweepTimer.decorator()
    def sweep_orphan_blobs_periodically(self):
        """Every replica's timer fires; the lease lets one of them sweep (trap 11)."""
        holder = f"{socket.gethostname()}-{os.getpid()}"
        seconds = float(self.config.get("BLOB_SWEEP_SECONDS", SWEEP_INTERVAL_SECONDS))
        with self.db.transaction() as tx:
            if not take_lease(tx.session, self.orphan_lease, LEASE_NAME, holder,
                              max(seconds - 5, seconds / 2)):
                return
        minutes = float(self.config.get("BLOB_ORPHAN_MINUTES", GRACE_MINUTES))
        removed = self._sweep_orphan_blobs(minutes)
        log.info("orphan blobs swept", extra={"removed": removed,
                                              "namespace": self.orphan_blob_namespace})

    def _sweep_orphan_blobs(self, minutes):
        def referenced(keys):
            with self.db.read() as session:
                return self.referenced_blob_keys(session, keys)
        return sweep_orphans(self.blobs, self.orphan_blob_namespace, minutes, referenced)
