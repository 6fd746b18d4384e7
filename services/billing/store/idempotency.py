"""Haven's own idempotency records of money requests (not only the provider's)."""
import hashlib
import json

from services.billing.models import IdempotencyRecord
from services.common import idempotency


def fingerprint(request):
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def replayed(session, practice_id, scope, key, request):
    """The first result of this key, or None when the key is new. The same key with a
    different request is refused (`idempotency_key_reused`)."""
    row = session.get(IdempotencyRecord, (practice_id, scope, key))
    if row is None:
        return None
    if row.request_hash != fingerprint(request):
        raise idempotency.key_reused([], "idempotency_key")
    return row.result


def claim(session, practice_id, scope, key, request, at):
    """Take the key before writing anything: a concurrent twin fails on this flush (the
    primary key), and its retry then finds the result. Set `.result` once known."""
    row = IdempotencyRecord(practice_id=practice_id, scope=scope, key=key,
                            request_hash=fingerprint(request), result=None, created_at=at)
    session.add(row)
    session.flush()
    return row


def record_of(session, practice_id, scope, key):
    return session.get(IdempotencyRecord, (practice_id, scope, key), with_for_update=True)
