"""identity's SQL: functions over one SQLAlchemy session, one module per aggregate — no
nameko here. The entrypoints open the transaction and call these; the rules they apply
come from `services.identity.domain`."""
from services.identity.store import (  # noqa: F401 (the package's modules, as store.<aggregate>)
    audit,
    client_accounts,
    contacts,
    grants,
    invitations,
    mfa,
    practices,
    principals,
    resets,
    sessions,
    staff,
    throttles,
)
