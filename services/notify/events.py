"""The events notify reacts to (it publishes none yet), with the versions it understands.

A newer version than these raises in the handler: the delivery is retried and then
parked where ops can see it, rather than guessed at.
"""


class Consumed:
    def __init__(self, service, type_, versions, doc):
        self.service, self.type, self.versions = service, type_, versions
        self.__doc__ = doc


CLIENT_UPDATED = Consumed("charts", "client.updated", (1, 2), """
`charts` `client.updated` v2: {client_id, tab, fields, batch_id, source} (v1 also carried
client_name; for v2 the alert's name is asked of charts, `get_client_name`).
A save made through the portal (source "portal") raises one `demographics_changed`
alert for staff holding `receives_demographic_changes`.""")

ACCOUNT_CREATED = Consumed("identity", "account.created", (1,), """
`identity` `account.created` v1: {account_id, client_id, login, practice_name,
portal_path}. Sends a welcome email to the login's address with the practice's name and
portal address only.""")


class UnsupportedEventVersion(Exception):
    """An event of a version this handler does not understand (never crosses RPC)."""


def check_version(consumed, envelope):
    if envelope.get("version") not in consumed.versions:
        raise UnsupportedEventVersion(consumed.type)
