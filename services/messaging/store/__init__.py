"""messaging's SQL: functions taking a session, one module per aggregate."""
from services.messaging.store import assignments, conversations, settings  # noqa: F401
