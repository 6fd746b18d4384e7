"""Providers only scheduling needs."""
from nameko.extensions import DependencyProvider

from services.common.clock import utcnow


class Clock(DependencyProvider):
    """`self.clock()`: the current UTC time. Unit tests inject a fixed one."""

    def get_dependency(self, worker_ctx):
        return utcnow
