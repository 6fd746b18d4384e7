"""charts: client records, their tabs and revisions, documents and uploads
(docs/charts.md).

The nameko class only: its name, its dependency providers and the entrypoint classes it
composes (services/charts/entrypoints/, one per capability). Log lines carry ids and
counts, never chart values.
"""
from nameko.dependency_providers import Config

from services.charts.dependencies import ScannerProvider
from services.charts.entrypoints.document_types import DocumentTypeEntrypoints
from services.charts.entrypoints.documents import DocumentEntrypoints
from services.charts.entrypoints.orphan_blobs import OrphanBlobEntrypoints
from services.charts.entrypoints.records import RecordEntrypoints
from services.charts.entrypoints.review import ReviewEntrypoints
from services.charts.entrypoints.settings import SettingsEntrypoints
from services.charts.entrypoints.system_lookups import SystemLookupEntrypoints
from services.charts.entrypoints.tabs import TabEntrypoints
from services.charts.entrypoints.uploads import UploadEntrypoints
from services.charts.models import Base
from services.common.blobstore import BlobStoreProvider
from services.common.db import Database
from services.common.logs import CorrelationId
from services.common.metrics import Metrics
from services.common.readiness import Readiness


class ChartsService(Readiness, RecordEntrypoints, TabEntrypoints, ReviewEntrypoints,
                    SettingsEntrypoints, DocumentTypeEntrypoints, UploadEntrypoints,
                    DocumentEntrypoints, SystemLookupEntrypoints, OrphanBlobEntrypoints):
    name = "charts"

    db = Database(Base)
    correlation = CorrelationId()
    metrics = Metrics()
    blobs = BlobStoreProvider()
    scanner = ScannerProvider()
    config = Config()
