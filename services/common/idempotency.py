"""One idempotency key, one request.

A caller names a write with a key (HTTP `Idempotency-Key`, an RPC payload's `id` or
`upload_id`) so that its retry, after a timeout, finds what the first attempt made instead
of making it twice. The same key on a *different* request must not quietly answer the first
request's result: it is refused with `idempotency_key_reused` (422), naming the fields
that differ (names only, never their values).

One mechanism for every part: compare what the key made — a stored row's dump, or the
answer a service gave — with what the new request asks for, each side brought to the same
form by the caller (times as instants, defaults written out, text as it is stored), with
`require_same(made, asked)`. The row the key made is its own fingerprint, so no table or
migration is needed for it.
"""
from services.common.errors import InvalidInput

REUSED = "idempotency_key_reused"
HEADER = "Idempotency-Key"


def differences(made, asked):
    """The names of the fields `asked` wants that `made` has otherwise, sorted."""
    return sorted(name for name, value in asked.items() if made.get(name) != value)


def key_reused(changed, field=HEADER):
    """The refusal of a key used before for a request differing in `changed`."""
    which = f" ({', '.join(changed)} differ)" if changed else ""
    sentence = (f"This {field} was already used for a different request{which}. Send a "
                "new key for each new request; reuse a key only to retry the very same "
                "request.")
    return InvalidInput(REUSED, sentence, {field: ["Already used for a different request."]})


def require_same(made, asked, field=HEADER):
    """Raise `key_reused` unless what the key made matches what this request asks for."""
    changed = differences(made, asked)
    if changed:
        raise key_reused(changed, field)
