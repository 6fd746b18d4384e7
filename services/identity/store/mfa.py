"""Two-factor rows: a person's TOTP factor, sign-in challenges and recovery codes."""
from sqlalchemy import select

from services.identity.domain import mfa
from services.identity.models import MfaChallenge, MfaFactor, RecoveryCode


def factor_of(session, kind, principal_id):
    return session.get(MfaFactor, (kind, principal_id))


def has_confirmed_factor(session, kind, principal_id):
    factor = factor_of(session, kind, principal_id)
    return factor is not None and factor.confirmed_at is not None


def second_factor(session, kind, principal_id, practice):
    """True when this person never signs in with a password alone: a confirmed factor,
    or one their kind must have (then the shorter NIST minimum applies)."""
    return mfa.required(kind, practice.mfa_required_for_clients) or \
        has_confirmed_factor(session, kind, principal_id)


def challenge_by_token(session, token_hash, for_update=False):
    query = select(MfaChallenge).where(MfaChallenge.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def recovery_codes(session, kind, principal_id, unused_only=True):
    query = select(RecoveryCode).where(RecoveryCode.principal_kind == kind) \
        .where(RecoveryCode.principal_id == principal_id)
    if unused_only:
        query = query.where(RecoveryCode.used_at.is_(None))
    return session.scalars(query).all()
