"""Welcome invitations of clients, and each client's newest invitation beside its login."""
from sqlalchemy import select

from services.identity.domain import invitations
from services.identity.models import ClientAccount, Invitation


def latest(session, practice_id, client_id):
    return session.scalar(select(Invitation).where(Invitation.practice_id == practice_id)
                          .where(Invitation.client_id == client_id)
                          .order_by(Invitation.sent_at.desc(), Invitation.id.desc()).limit(1))


def pending(session, practice_id, client_id):
    return session.scalars(select(Invitation).where(Invitation.practice_id == practice_id)
                           .where(Invitation.client_id == client_id)
                           .where(Invitation.status == "pending")).all()


def by_token(session, token_hash, for_update=False):
    query = select(Invitation).where(Invitation.token_hash == token_hash)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def portal_access_rows(session, practice_id):
    """{client_id: (account or None, newest invitation or None)} of every client the
    practice has invited or given a login."""
    rows = {}
    for account in session.scalars(select(ClientAccount)
                                   .where(ClientAccount.practice_id == practice_id)):
        rows[account.client_id] = (account, None)
    for inv in session.scalars(select(Invitation).where(Invitation.practice_id == practice_id)
                               .order_by(Invitation.sent_at, Invitation.id)):
        account, current = rows.get(inv.client_id, (None, None))
        # the newest invitation wins; sent in the same instant, a live one beats one that
        # was cancelled or replaced
        if current is None or inv.sent_at > current.sent_at or \
                current.status in (invitations.CANCELLED, invitations.SUPERSEDED):
            rows[inv.client_id] = (account, inv)
    return rows
