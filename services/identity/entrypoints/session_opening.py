"""What a right password (or an accepted invitation) leads to: a session, or first the
second step when a factor is enrolled or required.
"""
from services.identity import store
from services.identity.domain import mfa
from services.identity.models import MfaChallenge


def open_or_challenge(settings, tx, account, practice, now, ip):
    """After a right password: a session, or the second step when a factor is
    enrolled or required."""
    kind = store.principals.kind_of(account)
    enrolled = store.mfa.has_confirmed_factor(tx.session, kind, account.id)
    if not enrolled and not mfa.required(kind, practice.mfa_required_for_clients):
        return open_session_for(settings, tx, account, practice, now, ip)
    token, token_hash = mfa.new_challenge_token()
    tx.session.add(MfaChallenge(
        token_hash=token_hash, practice_id=practice.id, principal_kind=kind,
        principal_id=account.id, created_at=now, expires_at=now + mfa.CHALLENGE_LIFETIME,
        failures=0, source_ip=ip))
    subject = (kind, account.id)
    store.audit.record(tx.session, "sign_in_mfa_challenged", now, practice.id, actor=subject,
                       subject=subject, source_ip=ip, enrol=not enrolled)
    return {"mfa_required": True, "mfa_token": token, "mfa_enrol": not enrolled,
            "expires_in": int(mfa.CHALLENGE_LIFETIME.total_seconds()),
            "must_change_password": bool(account.must_change_password)}


def open_session_for(settings, tx, account, practice, now, ip, **detail):
    account.last_sign_in_at = now
    principal = store.sessions.principal_of(tx.session, account, practice, now)
    result = store.sessions.open_session(tx.session, principal, practice, now, settings, ip)
    subject = (store.principals.kind_of(account), account.id)
    store.audit.record(tx.session, "sign_in", now, practice.id, actor=subject, subject=subject,
                       session_id=result["session_id"], source_ip=ip, **detail)
    result["mfa_required"] = False
    return result
