"""Providers only charts needs: the blob store, chosen by configuration."""
from nameko.extensions import DependencyProvider

from services.common import blobstore


class BlobStoreProvider(DependencyProvider):
    """`self.blobs`: the store `services.common.blobstore.from_config` names (local folder
    by default, S3-compatible when BLOB_STORE=s3). One instance per container."""

    def __init__(self, store=None):
        self.store = store

    def setup(self):
        if self.store is None:
            self.store = blobstore.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.store


class ScannerProvider(DependencyProvider):
    """`self.scanner`: ClamAV when CLAMD_SOCKET / CLAMD_ADDRESS is configured, else a
    scanner that passes everything (`enabled = False`)."""

    def __init__(self, scanner=None):
        self.scanner = scanner

    def setup(self):
        if self.scanner is None:
            from services.charts import scanning
            self.scanner = scanning.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.scanner
