"""charts' SQL: functions taking a session, one module per aggregate."""
from services.charts.store import clients, documents, revisions, settings, tabs

__all__ = ["clients", "documents", "revisions", "settings", "tabs"]
