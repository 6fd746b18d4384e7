"""Who signs in: a client portal account, a contact or a staff member — found by
sign-in name or id, and what each is called."""
from sqlalchemy import select

from services.identity.domain import accounts, grants
from services.identity.domain.accounts import CLIENT, CONTACT, STAFF
from services.identity.models import ClientAccount, Contact, Practice, StaffUser


MODEL = {CLIENT: ClientAccount, STAFF: StaffUser, CONTACT: Contact}


KIND_OF = {ClientAccount: CLIENT, StaffUser: STAFF, Contact: CONTACT}


def login_of(row):
    return row.login if isinstance(row, ClientAccount) else row.email


def name_of(row):
    return row.client_name if isinstance(row, ClientAccount) else row.name


def kind_of(row):
    return KIND_OF[type(row)]


def _find(session, model, practice_code, login):
    column = model.login if model is ClientAccount else model.email
    query = select(model, Practice).join(Practice, Practice.id == model.practice_id) \
        .where(column == accounts.normalize_login(login))
    if practice_code:
        query = query.where(Practice.code == accounts.normalize_code(practice_code))
    return session.execute(query.limit(2)).all()


def find_login(session, practice_code, audience, login):
    """(row, practice) of the account signing in, or (None, None).

    The portal audience covers client accounts and contacts: an email is the login of
    at most one of them in a practice (both tables are always asked: same work).
    Without a practice code the sign-in name must be unique across practices; an
    ambiguous one is treated as unknown (the web client always sends the code).
    """
    if audience == "staff":
        rows = _find(session, StaffUser, practice_code, login)
    else:
        rows = _find(session, ClientAccount, practice_code, login) + \
            _find(session, Contact, practice_code, login)
    if len(rows) != 1:
        return None, None
    return rows[0][0], rows[0][1]


def get(session, kind, principal_id, practice_id):
    model = MODEL.get(kind)
    if model is None:
        return None
    row = session.get(model, principal_id)
    if row is None or row.practice_id != practice_id:
        return None
    return row


def own_access_opens(practice, row, now):
    """None when `row` may sign in today (the practice's date, `time_zone`), else the
    local date its own access opens: a client under the practice's
    `client_own_access_from_age` cannot sign in to their own account."""
    if not isinstance(row, ClientAccount):
        return None
    today = grants.local_today(now, practice.time_zone)
    age = practice.client_own_access_from_age
    if grants.own_access_open(row.date_of_birth, today, age):
        return None
    return grants.own_access_opens_on(row.date_of_birth, age)


def own_access_open(row, practice, now):
    if not isinstance(row, ClientAccount):
        return True
    return grants.own_access_open(row.date_of_birth, grants.local_today(now, practice.time_zone),
                                  practice.client_own_access_from_age)
