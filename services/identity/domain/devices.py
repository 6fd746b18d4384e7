"""Device tokens: a browser or app that once signed in to an account is known to it.

OWASP's answer to throttling that an attacker could turn into a lockout ("Slow Down
Online Guessing Attacks with Device Cookies"): after a right password the client is
given a token signed for that account; a later attempt that presents one is throttled
only per (account, device), so failures from elsewhere never slow the owner's own
device, while unknown devices keep the per-account and per-address back-off.

A token is `v1.<issued epoch>.<nonce>.<signature>`: HMAC-SHA256 under the token secret
over the version, time, nonce and the account's throttle key (practice code, audience
and sign-in name). It names no one — the sign-in name is only inside the signature —
and is checked against the name typed at each attempt, with the same work whether that
name has an account or not. Pure functions: no nameko, no SQL.
"""
import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

VERSION = "v1"
LIFETIME = timedelta(days=180)
MAX_PRESENTED = 5           # tokens a client may present at once (one per account used)
MAX_TOKEN_LENGTH = 120


def _signature(secret, issued, nonce, account_key):
    message = f"device|{VERSION}|{issued}|{nonce}|{account_key}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret, account_key, now):
    """A new device token for the account whose throttle key is `account_key`."""
    issued, nonce = int(now.timestamp()), secrets.token_urlsafe(16)
    return f"{VERSION}.{issued}.{nonce}.{_signature(secret, issued, nonce, account_key)}"


def recognised(presented, secret, account_key, now):
    """The device id (the nonce) of the first presented token that is valid for this
    account and not older than LIFETIME; None otherwise. Every presented token is
    checked, so the work does not depend on which one (if any) matches."""
    found = None
    for token in list(presented or ())[:MAX_PRESENTED]:
        parts = token.split(".") if isinstance(token, str) and \
            len(token) <= MAX_TOKEN_LENGTH else ()
        if len(parts) != 4 or parts[0] != VERSION or not parts[1].isdigit():
            continue
        issued, nonce, signature = int(parts[1]), parts[2], parts[3]
        expected = _signature(secret, issued, nonce, account_key)
        valid = hmac.compare_digest(expected.encode(), signature.encode())
        fresh = 0 <= now.timestamp() - issued <= LIFETIME.total_seconds()
        if valid and fresh and found is None:
            found = nonce
    return found
