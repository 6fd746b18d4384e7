"""The charts and notify stack most charts integration tests run against, once on SQLite
and once on PostgreSQL (a module may override `stack`, as test_clamav does)."""
import pytest

from services.common.blobstore import LocalBlobStore
from tests.integration.charts.support import charts_and_notify


@pytest.fixture
def stack(container_factory, amqp_uri, database_url_factory, database_url, tmp_path):
    """→ (RPC proxy, the blob store charts uses, notify's container)."""
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    blob_dir = tmp_path / "blobs"
    with charts_and_notify(container_factory, amqp_uri, database_url,
                           database_url_factory(backend), blob_dir) as (proxy, notify):
        yield proxy, LocalBlobStore(blob_dir), notify
