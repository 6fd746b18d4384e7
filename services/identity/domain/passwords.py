"""Password rules (NIST SP 800-63B, 5.1.1.2) and argon2id hashing.

The rules: length counts Unicode characters after NFKC normalization; at least 15 when
the password is the only factor (8 once a second factor is enrolled or required);
up to 128 accepted; nothing is ever truncated; no composition rules (no "one digit, one
symbol"); refused when it is a commonly used password, a trivial run or repeat, or
contains the sign-in name or the person's name. Each refusal is one sentence a person
can act on.

Hashing is argon2id through argon2-cffi. It costs tens of milliseconds of CPU, so the
service runs it on a thread (`eventlet.tpool.execute`) and never on the eventlet hub
(STYLE.md, trap 9); this module stays free of eventlet so the rules test as plain code.
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH_SINGLE_FACTOR = 15
MIN_LENGTH_WITH_SECOND_FACTOR = 8
MAX_LENGTH = 128
MIN_CONTEXT_WORD = 3   # shorter login or name parts would refuse half the dictionary

BLOCKLIST_PATH = Path(__file__).parent / "data" / "common_passwords.txt"

_SEPARATORS = re.compile(r"[\s\-_.·,;:'\"`~]+")
_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz" * 2,
    "0123456789" * 4,
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
)

TOO_SHORT = "Use at least {n} characters. A few unrelated words make a long password easy to remember."
TOO_LONG = "Use at most {n} characters."
COMMON = "That password is too common and easy to guess. Choose something less predictable."
TRIVIAL = "That password is a simple run or repeat of characters. Choose something less predictable."
HAS_LOGIN = "Your password must not contain your sign-in name or email address."
HAS_NAME = "Your password must not contain your name."
EMPTY = "Enter a password."


class PasswordRefused(ValueError):
    """The sentence saying why, in `args[0]`; `code` names the rule for programs."""

    def __init__(self, code, sentence):
        super().__init__(sentence)
        self.code = code

    @property
    def sentence(self):
        return self.args[0]


def normalize(password):
    """NFKC, as 800-63B asks, so that the same password typed on any keyboard matches."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def blocklist():
    with BLOCKLIST_PATH.open(encoding="utf-8") as handle:
        return frozenset(_compact(line.strip()) for line in handle if line.strip())


def _compact(text):
    return _SEPARATORS.sub("", text.casefold())


def is_common(password):
    """True for a blocklisted password, also when only padded with digits or symbols
    ("Password1234567!") or when it is a blocklisted word said several times."""
    listed = blocklist()
    compact = _compact(normalize(password))
    if compact in listed:
        return True
    core = _PADDING.sub("", compact)
    if core and core in listed:
        return True
    for unit in range(4, len(core) // 2 + 1):
        if len(core) % unit == 0 and core[:unit] * (len(core) // unit) == core \
                and core[:unit] in listed:
            return True
    return False


def is_trivial(password):
    """A single character or a short unit repeated, or a run along the alphabet, the
    digits or the keyboard ("aaaa…", "abcabc…", "123456789012345", "qwertyuiopasdfgh")."""
    compact = _compact(normalize(password))
    if len(set(compact)) <= 3:
        return True
    for unit in range(1, 6):
        if len(compact) >= 2 * unit and (compact[:unit] * len(compact))[:len(compact)] == compact:
            return True
    for sequence in _SEQUENCES:
        if compact in sequence or compact in sequence[::-1]:
            return True
    return False


def context_words(login=None, name=None):
    """The words a password must not contain: the login (and an email's local part) and
    each part of the person's name, all of at least MIN_CONTEXT_WORD characters."""
    login_words, name_words = set(), set()
    if login:
        login = _compact(normalize(login))
        login_words.add(login)
        local = login.split("@", 1)[0]
        login_words.add(local)
        login_words.update(part for part in re.split(r"[^\w]+|_", local) if part)
    if name:
        name = normalize(name).casefold()
        name_words.add(_compact(name))
        name_words.update(_compact(part) for part in re.split(r"[\s\-'.,]+", name) if part)
    keep = lambda words: {w for w in words if len(w) >= MIN_CONTEXT_WORD}  # noqa: E731
    return keep(login_words), keep(name_words)


def long_enough_alone(password):
    """True when `password` meets the minimum for signing in with a password alone."""
    return len(normalize(password or "")) >= MIN_LENGTH_SINGLE_FACTOR


def check(password, login=None, name=None, second_factor=False):
    """Raise PasswordRefused with the first rule `password` breaks; return it NFKC-normalized."""
    if password is None or password == "":
        raise PasswordRefused("password_empty", EMPTY)
    normalized = normalize(password)
    minimum = MIN_LENGTH_WITH_SECOND_FACTOR if second_factor else MIN_LENGTH_SINGLE_FACTOR
    if len(normalized) < minimum:
        raise PasswordRefused("password_too_short", TOO_SHORT.format(n=minimum))
    if len(normalized) > MAX_LENGTH:
        raise PasswordRefused("password_too_long", TOO_LONG.format(n=MAX_LENGTH))
    compact = _compact(normalized)
    login_words, name_words = context_words(login, name)
    if any(word in compact for word in login_words):
        raise PasswordRefused("password_contains_login", HAS_LOGIN)
    if any(word in compact for word in name_words):
        raise PasswordRefused("password_contains_name", HAS_NAME)
    if is_trivial(normalized):
        raise PasswordRefused("password_trivial", TRIVIAL)
    if is_common(normalized):
        raise PasswordRefused("password_common", COMMON)
    return normalized


class Hasher:
    """argon2id with RFC 9106's second recommended profile by default (t=3, 64 MiB, p=4).

    `verify(None, password)` checks against a dummy hash so that an unknown sign-in name
    costs exactly what a wrong password costs: timing tells an attacker nothing.
    """

    def __init__(self, time_cost=3, memory_kib=64 * 1024, parallelism=4):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                      parallelism=parallelism, type=Type.ID)
        self._dummy = self._hasher.hash("haven-dummy-password-for-unknown-logins")

    def hash(self, password):
        return self._hasher.hash(normalize(password))

    def verify(self, stored_hash, password):
        """True when `password` matches; never raises for a wrong or malformed hash."""
        target = stored_hash or self._dummy
        try:
            self._hasher.verify(target, normalize(password or ""))
        except (VerificationError, InvalidHashError):
            return False
        return bool(stored_hash)   # "" marks a person who has not chosen a password yet

    def needs_rehash(self, stored_hash):
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
