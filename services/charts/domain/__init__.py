"""charts' rules: plain functions and dataclasses, one module per idea. No nameko,
kombu, SQLAlchemy or werkzeug here, directly or through another module."""
from services.charts.domain import access, documents, field_rules, files, records, tabs

__all__ = ["access", "documents", "field_rules", "files", "records", "tabs"]
