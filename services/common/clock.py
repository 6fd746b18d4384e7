"""The `Clock` dependency provider: a service's `self.clock()`; the time functions
themselves are in `services.common.times` (pure, so a domain may use them)."""
from nameko.extensions import DependencyProvider

from services.common.times import utcnow


class Clock(DependencyProvider):
    """`self.clock()` of a service: the current UTC time. Unit tests inject a fixed one
    through worker_factory (expiry, resend windows, birthdays, "not in the past")."""

    def get_dependency(self, worker_ctx):
        return utcnow
