"""Client portal accounts: one per client's own chart, the clients linked to it, and the
view staff see of it."""
from sqlalchemy import select

from services.common.times import utcnow
from services.identity.domain.accounts import CLIENT
from services.identity.models import AccountClient, ClientAccount, Practice
from services.identity.store.contacts import by_email as contact_by_email
from services.identity.store.grants import held_by as grants_held
from services.identity.store.grants import view as grant_view


def of_client(session, practice_id, client_id, for_update=False):
    query = select(ClientAccount).where(ClientAccount.practice_id == practice_id) \
        .where(ClientAccount.client_id == client_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def login_taken(session, practice_id, login):
    """A client account or a contact of the practice signs in with `login` (one
    portal sign-in name names one person)."""
    if session.scalar(select(ClientAccount.id).where(ClientAccount.practice_id == practice_id)
                      .where(ClientAccount.login == login)) is not None:
        return True
    return contact_by_email(session, practice_id, login) is not None


def by_login(session, practice_id, login):
    return session.scalar(select(ClientAccount).where(ClientAccount.practice_id == practice_id)
                          .where(ClientAccount.login == login))


def linked(session, account_id):
    return session.scalars(select(AccountClient).where(AccountClient.account_id == account_id)
                           .order_by(AccountClient.linked_at, AccountClient.client_id)).all()


def links_to(session, practice_id, client_id):
    """The links through which accounts act for this client (not its own login)."""
    return session.scalars(select(AccountClient).where(AccountClient.practice_id == practice_id)
                           .where(AccountClient.client_id == client_id)).all()


def client_reached(session, practice_id, client_id):
    """True when some account already acts for this client (its own or linked)."""
    if of_client(session, practice_id, client_id) is not None:
        return True
    return session.scalar(select(AccountClient.account_id)
                          .where(AccountClient.practice_id == practice_id)
                          .where(AccountClient.client_id == client_id)) is not None


def view(session, account, practice=None, now=None):
    """The account's own client, its linked clients and the grants it holds."""
    practice = practice or session.get(Practice, account.practice_id)
    now = now or utcnow()
    return {"account_id": account.id, "login": account.login, "status": account.status,
            "name": account.client_name,
            "last_sign_in_at": account.last_sign_in_at.isoformat()
            if account.last_sign_in_at else None,
            "clients": [{"client_id": account.client_id, "name": account.client_name,
                         "own": True, "linked_at": None}] +
            [{"client_id": link.client_id, "name": link.client_name, "own": False,
                         "linked_at": link.linked_at.isoformat()}
                        for link in linked(session, account.id)],
            "grants": [grant_view(g, practice, now)
                       for g in grants_held(session, CLIENT, account.id)]}
