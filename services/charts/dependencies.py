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
