"""Secrets identity must read back, encrypted at rest: TOTP secrets and safe words.

A password is hashed because nobody needs it back; a TOTP secret must be read to check a
code, and a safe word must be shown to the staff member on the phone. Both are kept
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, authenticated) under the data key of
`services.common.config.data_key()` (HAVEN_DATA_KEY, kept apart from the database and
its backups). A stolen copy of the database alone opens nothing.

Stored form: "fernet:" + the Fernet token. `EncryptedString` does this transparently on
the way in and out of the database, so no code outside this module sees ciphertext.
A value without the prefix is a plaintext written before migration 0006 encrypted them;
it is read as it is (a rolling upgrade), and rewritten encrypted at its next change.
"""
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from services.common import config

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _box(keys):
    return MultiFernet([Fernet(k.strip().encode("ascii")) for k in keys.split(",") if k.strip()])


def seal(plaintext, keys=None):
    """The stored form of `plaintext` (None stays None)."""
    if plaintext is None:
        return None
    token = _box(keys or config.data_key()).encrypt(plaintext.encode("utf-8"))
    return PREFIX + token.decode("ascii")


def open_(stored, keys=None):
    """The plaintext of a stored value. A wrong or missing key raises
    cryptography.fernet.InvalidToken: loudly, never a silent wrong answer."""
    if stored is None or not stored.startswith(PREFIX):
        return stored
    return _box(keys or config.data_key()).decrypt(stored[len(PREFIX):].encode("ascii")) \
        .decode("utf-8")


def is_sealed(stored):
    return stored is not None and stored.startswith(PREFIX)


class EncryptedString(TypeDecorator):
    """A string column whose values are stored sealed. Sized for the ciphertext: a
    Fernet token of n bytes takes about 4/3·(n + 57) characters (a 32-character TOTP
    secret → 147 stored)."""
    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return seal(value)

    def process_result_value(self, value, dialect):
        return open_(value)
