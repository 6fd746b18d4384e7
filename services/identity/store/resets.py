"""Password-reset and first-password links."""
from sqlalchemy import select

from services.identity.models import PasswordReset


def by_token(session, token_hash, for_update=False):
    query = select(PasswordReset).where(PasswordReset.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def latest(session, kind, principal_id):
    return session.scalar(select(PasswordReset).where(PasswordReset.principal_kind == kind)
                          .where(PasswordReset.principal_id == principal_id)
                          .order_by(PasswordReset.created_at.desc()).limit(1))


def unused(session, kind, principal_id):
    return session.scalars(select(PasswordReset).where(PasswordReset.principal_kind == kind)
                           .where(PasswordReset.principal_id == principal_id)
                           .where(PasswordReset.used_at.is_(None))).all()
