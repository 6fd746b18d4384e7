"""The practice (tenant) rows: by code or subdomain, its branding as answered, and the
logo keys some practice names."""
from sqlalchemy import select

from services.identity import schemas
from services.identity.domain import accounts
from services.identity.models import Practice


def by_code(session, code):
    if not isinstance(code, str):
        return None
    code = accounts.normalize_code(code)
    if not code:
        return None
    return session.scalar(select(Practice).where(Practice.code == code))


def by_subdomain(session, subdomain):
    return session.scalar(select(Practice).where(Practice.subdomain == subdomain))


def as_dict(practice):
    return schemas.practices.PracticeOut().dump(practice)


def logo_refs_among(session, keys):
    """Those of `keys` that some practice names as its logo."""
    if not keys:
        return set()
    return set(session.scalars(select(Practice.logo_ref).where(Practice.logo_ref.in_(list(keys)))))
