"""The sweep of blobs under `charts/` that no committed row names: the kernel's
`OrphanBlobSweep` (the RPC `sweep_orphan_blobs` and its leased timer), told which keys a
document row names."""
from services.charts import store
from services.charts.domain.files import BLOB_NAMESPACE
from services.charts.models import Lease
from services.common.sweep import OrphanBlobSweep


class OrphanBlobEntrypoints(OrphanBlobSweep):
    orphan_blob_namespace = BLOB_NAMESPACE
    orphan_lease = Lease

    def referenced_blob_keys(self, session, keys):
        """The keys a document row names: the rest of `charts/` is swept."""
        return store.documents.blob_keys_known(session, keys)
