"""Providers only charts needs: the virus scanner. (The blob store's provider is the
kernel's, `services.common.blobstore.BlobStoreProvider`, shared with identity.)"""
from nameko.extensions import DependencyProvider


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
