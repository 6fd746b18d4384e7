"""charts' practice settings (`practice_settings`): a practice without a row has the
defaults."""
from sqlalchemy import select

from services.charts.models import PracticeSettings

DEFAULT_SETTINGS = {"allow_clients_update_insurance": False, "client_uploads_enabled": False,
                    "extra_fields": [], "version": 1}


def settings_of(session, practice_id, for_update=False):
    query = select(PracticeSettings).where(PracticeSettings.practice_id == practice_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def settings_for_update(session, practice_id):
    """The practice's row, locked; added with the defaults when it has none yet."""
    row = settings_of(session, practice_id, for_update=True)
    if row is None:
        row = PracticeSettings(practice_id=practice_id, version=1,
                               allow_clients_update_insurance=False,
                               client_uploads_enabled=False, extra_fields=[])
        session.add(row)
    return row


def settings_dict(row):
    if row is None:
        return dict(DEFAULT_SETTINGS)
    return {"allow_clients_update_insurance": bool(row.allow_clients_update_insurance),
            "client_uploads_enabled": bool(row.client_uploads_enabled),
            "extra_fields": list(row.extra_fields or []), "version": row.version}


def settings_for(session, practice_id):
    """The practice's settings as a dict (the defaults when it never saved any)."""
    return settings_dict(settings_of(session, practice_id))
