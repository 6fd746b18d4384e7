"""scheduling's SQL: functions taking a session, one module per aggregate."""
from services.scheduling.store import appointments  # noqa: F401
