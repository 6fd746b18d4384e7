"""Providers only identity needs: password hashing off the hub, and its settings."""
from dataclasses import dataclass

import eventlet.semaphore
import eventlet.tpool
from nameko.extensions import DependencyProvider

from services.common import config as settings
from services.identity.domain.passwords import Hasher


class Passwords:
    """What a worker sees as `self.passwords`: argon2id on a thread, never on the hub.

    argon2id takes tens of milliseconds of CPU; run on the eventlet hub it would starve
    the AMQP heartbeat and the broker would drop the service (STYLE.md, trap 9).
    """

    def __init__(self, hasher, slots):
        self._hasher = hasher
        self._slots = slots

    def hash(self, password):
        with self._slots:
            return eventlet.tpool.execute(self._hasher.hash, password)

    def verify(self, stored_hash, password):
        """True on a match; `stored_hash=None` costs the same and answers False."""
        with self._slots:
            return eventlet.tpool.execute(self._hasher.verify, stored_hash, password)

    def needs_rehash(self, stored_hash):
        return self._hasher.needs_rehash(stored_hash)


class PasswordHashing(DependencyProvider):
    """argon2id cost from config (ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM),
    defaulting to RFC 9106's second recommended profile; tests lower it."""

    def setup(self):
        config = self.container.config
        self.hasher = Hasher(
            time_cost=int(config.get("ARGON2_TIME_COST", settings.env_int("HAVEN_ARGON2_TIME_COST", 3))),
            memory_kib=int(config.get("ARGON2_MEMORY_KIB",
                                      settings.env_int("HAVEN_ARGON2_MEMORY_KIB", 64 * 1024))),
            parallelism=int(config.get("ARGON2_PARALLELISM",
                                       settings.env_int("HAVEN_ARGON2_PARALLELISM", 4))))
        # Each hash holds ARGON2_MEMORY_KIB; a burst of sign-ins must not multiply that
        # by the thread pool's size, so hashes queue for a few slots (about one per core).
        self.slots = eventlet.semaphore.Semaphore(
            int(config.get("ARGON2_CONCURRENCY", settings.env_int("HAVEN_ARGON2_CONCURRENCY", 2))))

    def get_dependency(self, worker_ctx):
        return Passwords(self.hasher, self.slots)


@dataclass(frozen=True)
class Settings:
    token_secret: str
    access_token_seconds: int
    refresh_token_seconds: int
    public_url: str

    @classmethod
    def from_config(cls, config):
        return cls(
            token_secret=config.get("TOKEN_SECRET") or settings.token_secret(),
            access_token_seconds=int(config.get("ACCESS_TOKEN_SECONDS", 300)),
            refresh_token_seconds=int(config.get("REFRESH_TOKEN_SECONDS", 12 * 3600)),
            public_url=config.get("PUBLIC_URL", "http://127.0.0.1:8000"),
        )


class IdentitySettings(DependencyProvider):
    """`self.settings`: token keys and lifetimes, read once from the container's config."""

    def setup(self):
        self.settings = Settings.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings
