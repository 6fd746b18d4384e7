"""scheduling's rules: plain functions and dataclasses, one module per idea. Imports
neither nameko, kombu, SQLAlchemy nor werkzeug (docs/architecture.md)."""
from services.scheduling.domain import appointments, availability, requests, setup  # noqa: F401
