"""Grants: what a contact or a client portal account may do for a client, as the age
bands leave it today, and who hears of a change to a client."""
from sqlalchemy import select

from services.identity.domain import accounts, grants
from services.identity.domain.accounts import CLIENT, CONTACT
from services.identity.models import (AccountClient,
                                      AccountGrant,
                                      ClientAccount,
                                      Contact,
                                      ContactGrant)
from services.identity.store.principals import MODEL, kind_of, login_of, own_access_open


GRANT_MODEL = {CONTACT: ContactGrant, CLIENT: AccountGrant}


def held_by(session, kind, holder_id):
    """The grants a contact or a client account holds, oldest first."""
    model = GRANT_MODEL[kind]
    holder = model.contact_id if model is ContactGrant else model.account_id
    return session.scalars(select(model).where(holder == holder_id)
                           .order_by(model.granted_at, model.client_id)).all()


def of_contact(session, contact_id):
    return held_by(session, CONTACT, contact_id)


def over_client(session, practice_id, client_id):
    """Every grant over one client, whoever holds it (a chart correction reaches them)."""
    return [g for model in (ContactGrant, AccountGrant)
            for g in session.scalars(select(model).where(model.practice_id == practice_id)
                                     .where(model.client_id == client_id))]


def granted_clients(session, kind, holder_id, practice, now):
    """{client_id: permissions} and names of what the holder's grants allow at `now`
    (after the age bands); a grant that allows nothing today is left out."""
    clients, names = {}, {}
    for grant in held_by(session, kind, holder_id):
        allowed = effective(grant, practice, now)
        if allowed:
            clients[grant.client_id] = tuple(allowed)
            names[grant.client_id] = grant.client_name or ""
    return clients, names


def effective(grant, practice, now):
    """The permissions a grant gives on the practice's calendar date at `now`."""
    return grants.effective(
        grant.permissions, grant.client_date_of_birth,
        grants.local_today(now, practice.time_zone),
        full_until=practice.guardian_full_until_age,
        ends_at=practice.guardian_access_ends_at_age,
        confidential=confidential_of(practice), guardian=grant.guardian,
        renewed_until=grant.renewed_until)


def confidential_of(practice):
    if practice.confidential_permissions is None:
        return list(grants.DEFAULT_CONFIDENTIAL)
    return grants.normalize(practice.confidential_permissions)


def paused(session, row, practice, now):
    """How many grants of a contact or client account allow nothing at `now` (the age
    bands withhold all they give): left out of `clients`, so the portal can say so."""
    kind = CONTACT if isinstance(row, Contact) else CLIENT if isinstance(row, ClientAccount) \
        else None
    if kind is None:
        return 0
    return sum(1 for grant in held_by(session, kind, row.id)
               if not effective(grant, practice, now))


def view(grant, practice, now):
    """*grant*: `holder_kind` "contact" (with `contact_id`) or "client" (a client portal
    account, with `account_id`); the other id is null."""
    contact = grant.holder_kind == CONTACT
    today = grants.local_today(now, practice.time_zone)
    dob = grant.client_date_of_birth
    return {"holder_kind": grant.holder_kind,
            "contact_id": grant.holder_id if contact else None,
            "account_id": None if contact else grant.holder_id,
            "client_id": grant.client_id,
            "client_name": grant.client_name, "permissions": list(grant.permissions),
            "effective_permissions": effective(grant, practice, now),
            "guardian": grant.guardian,
            "band": grants.band(dob, today, practice.guardian_full_until_age,
                                practice.guardian_access_ends_at_age, grant.guardian,
                                grant.renewed_until),
            # why the band says what it does: staff explain "Allowed today: nothing"
            "client_age": grants.age_on(dob, today) if dob else None,
            "guardian_full_until_age": practice.guardian_full_until_age,
            "guardian_access_ends_at_age": practice.guardian_access_ends_at_age,
            "renewed_until": grant.renewed_until.isoformat() if grant.renewed_until else None,
            "granted_at": grant.granted_at.isoformat(),
            "updated_at": grant.updated_at.isoformat()}


def accounts_holding(session, practice_id, client_id):
    return session.scalars(select(ClientAccount)
                           .join(AccountGrant, AccountGrant.account_id == ClientAccount.id)
                           .where(AccountGrant.practice_id == practice_id)
                           .where(AccountGrant.client_id == client_id)
                           .order_by(ClientAccount.client_name, ClientAccount.id)).all()


def notice_recipients(session, practice, client_id, permission, now):
    """[(kind, id, login)] of everyone who holds `permission` for the client on the
    practice's calendar date at `now` and may sign in: active contacts and active client
    accounts whose grant allows it after the age bands (`effective`, above), and active
    accounts the client is linked to ("*"). The client's own login is not among them (the
    chart's address and preference are charts'); an account whose own access has not
    opened yet (`client_own_access_from_age`) cannot sign in, so it is left out too.
    Nobody when the practice's portal is closed."""
    if not practice.portal_enabled:
        return []
    found = []
    for grant in over_client(session, practice.id, client_id):
        if permission not in effective(grant, practice, now):
            continue
        holder = session.get(MODEL[grant.holder_kind], grant.holder_id)
        if holder is not None and holder.practice_id == practice.id:
            found.append(holder)
    found += session.scalars(select(ClientAccount)
                             .join(AccountClient, AccountClient.account_id == ClientAccount.id)
                             .where(AccountClient.practice_id == practice.id)
                             .where(AccountClient.client_id == client_id)).all()
    return [(kind_of(row), row.id, login_of(row)) for row in found
            if accounts.can_sign_in(row.status) and own_access_open(row, practice, now)]
