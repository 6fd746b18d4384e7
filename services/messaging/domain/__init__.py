"""messaging's rules: plain functions and dataclasses, one module per idea. Imports
neither nameko, kombu, SQLAlchemy nor werkzeug (docs/architecture.md)."""
from services.messaging.domain import access, conversations, texts  # noqa: F401
