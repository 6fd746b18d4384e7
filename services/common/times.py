"""UTC time, the only kind Haven stores — plain functions any layer may use, domain included."""
from datetime import datetime, timezone


def utcnow():
    return datetime.now(timezone.utc)


def parse_utc(text):
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
