"""UTC time, the only kind Haven stores."""
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider


def utcnow():
    return datetime.now(timezone.utc)


def parse_utc(text):
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Clock(DependencyProvider):
    """`self.clock()` of a service: the current UTC time. Unit tests inject a fixed one
    through worker_factory (expiry, resend windows, birthdays, "not in the past")."""

    def get_dependency(self, worker_ctx):
        return utcnow
