"""The SQL of the practice's and clients' messaging switches."""
from sqlalchemy import select

from services.messaging.models import ClientSettings, PracticeSettings


def practice(session, practice_id):
    """The practice's settings row, or None (= messaging off, the default notice)."""
    return session.get(PracticeSettings, practice_id) if practice_id else None


def practice_for_update(session, practice_id, now):
    row = session.get(PracticeSettings, practice_id)
    if row is None:
        row = PracticeSettings(practice_id=practice_id, enabled=False, updated_at=now)
        session.add(row)
    return row


def client_enabled(session, practice_id, client_id):
    row = session.get(ClientSettings, (practice_id, client_id))
    return True if row is None else row.enabled


def clients_off(session, practice_id, client_ids):
    """The ids among `client_ids` whose messaging staff turned off."""
    if not client_ids:
        return set()
    return set(session.scalars(select(ClientSettings.client_id).where(
        ClientSettings.practice_id == practice_id,
        ClientSettings.client_id.in_(list(client_ids)),
        ClientSettings.enabled.is_(False))).all())


def set_client(session, practice_id, client_id, enabled, by, now):
    row = session.get(ClientSettings, (practice_id, client_id))
    if row is None:
        row = ClientSettings(practice_id=practice_id, client_id=client_id)
        session.add(row)
    row.enabled, row.updated_by, row.updated_at = enabled, by, now
    return row
