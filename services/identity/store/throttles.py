"""Sign-in back-off rows: the hashed keys an attempt counts under, and their state."""
import hashlib

from sqlalchemy import select, update

from services.identity.domain import accounts, throttle
from services.identity.models import SignInThrottle


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def account_key(practice_code, audience, login):
    """What one sign-in name of one practice and audience is throttled (and a device
    token signed) under, known account or not."""
    return f"{accounts.normalize_code(practice_code) or '*'}|{audience}|" \
           f"{accounts.normalize_login(login)}"


def sign_in_keys(practice_code, audience, login, source_ip, device=None):
    """(key, policy) pairs. Keys are hashes: typed sign-in names are not kept. From a
    known `device` (devices.recognised) only the (account, device) key applies."""
    account = account_key(practice_code, audience, login)
    if device:
        return [("device:" + _digest(f"{account}|{device}")[:64], throttle.ACCOUNT)]
    keys = [("account:" + _digest(account)[:64], throttle.ACCOUNT)]
    if source_ip:
        keys.append(("address:" + _digest(source_ip.strip())[:64], throttle.ADDRESS))
    return keys


def address_key(purpose, source_ip, policy=throttle.ADDRESS):
    """[(key, policy)] of one source address for one purpose ("reset", "invite"), or []
    without an address. Keys start with "address:" so that a success never clears them
    (`clear`): the address of an attacker is not forgiven by one good answer."""
    if not source_ip:
        return []
    return [(f"address:{purpose}:" + _digest(source_ip.strip())[:64], policy)]


def password_key(kind, principal_id):
    return [("password:" + _digest(f"{kind}|{principal_id}")[:64], throttle.ACCOUNT)]


def mfa_key(kind, principal_id):
    return [("mfa:" + _digest(f"{kind}|{principal_id}")[:64], throttle.ACCOUNT)]


def _state(row):
    if row is None:
        return None
    return throttle.State(row.failures, row.last_failure_at, row.blocked_until)


def wait(session, keys, now):
    """Seconds before another attempt is allowed under every key (0 = now)."""
    rows = session.scalars(select(SignInThrottle)
                           .where(SignInThrottle.key.in_([k for k, _ in keys]))).all()
    return max([throttle.retry_after(_state(r), now) for r in rows], default=0)


def record_failure(session, keys, now):
    """Count one failure under every key → the keys whose back-off this failure started
    (`throttle.starts_episode`)."""
    started = []
    for key, policy in keys:
        _insert_ignore(session, SignInThrottle, {"key": key, "failures": 0})
        row = session.scalar(select(SignInThrottle).where(SignInThrottle.key == key)
                             .with_for_update())
        state = throttle.after_failure(_state(row), now, policy)
        row.failures = state.failures
        row.last_failure_at = state.last_failure_at
        row.blocked_until = state.blocked_until
        if throttle.starts_episode(state, policy):
            started.append(key)
    return started


def clear(session, keys):
    """A success forgets the account's failures (never the address's: an attacker's own
    account must not reset the count of the address guessing at others)."""
    names = [k for k, _ in keys if not k.startswith("address:")]
    if names:
        session.execute(update(SignInThrottle).where(SignInThrottle.key.in_(names))
                        .values(failures=0, blocked_until=None))


def _insert_ignore(session, model, values):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())
