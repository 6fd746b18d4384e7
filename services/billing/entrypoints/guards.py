"""What every billing entrypoint checks first: who, and whether billing shows."""
from services.billing import domain, store
from services.common.errors import InvalidInput


def client_id_of(client_id):
    if not isinstance(client_id, str) or not 0 < len(client_id) <= 36:
        raise InvalidInput("invalid_input", "Name the client.", {"client_id": ["Required."]})
    return client_id


def settings_in(session, practice_id):
    return domain.settings.practice_settings(store.settings.practice_row(session, practice_id))


def visibility_in(session, practice_id, client_id):
    practice = settings_in(session, practice_id)
    client = domain.settings.client_switches(
        store.settings.client_row(session, practice_id, client_id))
    return domain.access.visibility(practice, client)


def require_reader(session, actor, client_id):
    """Staff who bill, or the client / a contact with the billing grant when the
    switches show invoices."""
    if actor.is_staff or actor.is_system:
        domain.access.require_biller(actor)
        return
    domain.access.require_portal_reader(actor, client_id,
                                        visibility_in(session, actor.practice_id, client_id))
