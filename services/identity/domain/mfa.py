"""TOTP two-factor sign-in (RFC 6238 through pyotp) and single-use recovery codes.

- A factor is a random base32 secret shown once as an `otpauth://` URI (a QR code in the
  web client, or typed by hand). It counts once a code from it was accepted.
- Codes are 6 digits, 30-second steps; one step of clock drift either way is accepted.
  A code (its time step) is accepted once: a replay within the window is refused.
- Ten recovery codes are shown once when a factor is confirmed; only their SHA-256 is
  kept and each works once.
- Staff always need a factor; a practice may require one of clients and contacts too.
  Nobody can turn it off for staff.
Plain functions: no nameko, no SQL.
"""
import hashlib
import secrets
from datetime import timedelta

import pyotp

ISSUER = "Haven"
DIGITS = 6
INTERVAL = 30
VALID_WINDOW = 1
RECOVERY_CODES = 10
CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_CHALLENGE_FAILURES = 5
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i: read aloud and typed


def new_secret():
    return pyotp.random_base32()   # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret, login, practice_name):
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=login, issuer_name=f"{ISSUER} ({practice_name})" if practice_name else ISSUER)


def _clean(code):
    return "".join(ch for ch in str(code or "") if not ch.isspace() and ch != "-").lower()


def matching_step(secret, code, now, last_step=None):
    """The time step `code` belongs to (within ±VALID_WINDOW of `now`), or None.
    A step at or before `last_step` was already used: None."""
    code = _clean(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = int(now.timestamp()) // INTERVAL
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def already_used(secret, code, now, last_step):
    """True when `code` is right for a step within the window that was already accepted
    (at or before `last_step`): a replay, or the person typed the code they just used —
    they should wait for the next one, not check their phone's clock."""
    if last_step is None:
        return False
    code = _clean(code)
    if len(code) != DIGITS or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = int(now.timestamp()) // INTERVAL
    used = range(current - VALID_WINDOW, min(current + VALID_WINDOW, last_step) + 1)
    return any(secrets.compare_digest(totp.generate_otp(step), code) for step in used)


def new_recovery_codes(count=RECOVERY_CODES):
    """(codes to show once, their hashes to store). Each code: 10 characters, 50 bits,
    shown as xxxxx-xxxxx."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, [hash_recovery_code(c) for c in codes]


def hash_recovery_code(code):
    return hashlib.sha256(_clean(code).encode("utf-8")).hexdigest()


def looks_like_recovery_code(code):
    return len(_clean(code)) == 10


def new_challenge_token():
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token):
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def required(kind, practice_requires_for_clients):
    """Staff always; clients and contacts when their practice says so."""
    return kind == "staff" or bool(practice_requires_for_clients)
