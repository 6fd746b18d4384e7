"""charts' marshmallow schemas, one module per capability: RPC input and output, and the
data of its events."""
from services.charts.schemas import documents, event_data, records, settings, tabs

__all__ = ["documents", "event_data", "records", "settings", "tabs"]
