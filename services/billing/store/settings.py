from services.billing.models import ClientBilling, PracticeBilling


def practice_row(session, practice_id, for_update=False):
    if for_update:
        row = session.get(PracticeBilling, practice_id, with_for_update=True)
        if row is None:
            row = PracticeBilling(practice_id=practice_id, version=0)
            session.add(row)
        return row
    return session.get(PracticeBilling, practice_id)


def client_row(session, practice_id, client_id, create=False):
    row = session.get(ClientBilling, (practice_id, client_id))
    if row is None and create:
        row = ClientBilling(practice_id=practice_id, client_id=client_id)
        session.add(row)
    return row
