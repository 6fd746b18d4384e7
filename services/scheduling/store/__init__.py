"""scheduling's SQL: functions taking a session, one module per aggregate."""
from services.scheduling.store import appointments, availability, setup  # noqa: F401
