"""The events notify publishes (EventType: docs/events.md is generated from them) and the
events it reacts to, with the versions it understands.

A newer version than these raises in the handler: the delivery is retried and then
parked where ops can see it, rather than guessed at. Events name ids, never contact
details: where an address is needed the handler asks the owner, one bounded hop.
"""
from services.common.events import EventType
from services.notify import schemas

EMAIL_TEMPLATE_CHANGED = EventType("email_template.changed", 1, """\
`email_template.changed` v1
A practice administrator saved the practice's own text of one kind of email, or reset it
to Haven's default. The texts themselves stay in notify (ask `notify.get_email_template`).
data: {kind (e.g. "invitation"), change: "edited"|"reset", version (0 after a reset)}.""",
                                   schema=schemas.EmailTemplateChangedData)

ALL = (EMAIL_TEMPLATE_CHANGED,)


class Consumed:
    def __init__(self, service, type_, versions, doc):
        self.service, self.type, self.versions = service, type_, versions
        self.__doc__ = doc


class UnsupportedEventVersion(Exception):
    """An event of a version this handler does not understand (never crosses RPC)."""


def check_version(consumed, envelope):
    if envelope.get("version") not in consumed.versions:
        raise UnsupportedEventVersion(consumed.type)


# charts (docs/charts.md, "Events")
CLIENT_UPDATED = Consumed("charts", "client.updated", (1, 2), """
`charts` `client.updated` v2: {client_id, tab, fields, batch_id, source} (v1 also carried
client_name; for v2 the alert's name is asked of charts, `get_client_name`).
A save made through the portal (source "portal") raises one `demographics_changed`
alert for staff holding `receives_demographic_changes`.""")
# v2 dropped client_name (v1, still possibly queued, carried it): the name is asked of charts
DOCUMENT_UPLOADED = Consumed("charts", "document.uploaded", (1, 2), """
{document_id, client_id, uploaded_by_kind, content_type, size} → one `portal_upload`
alert for `receives_portal_uploads`.""")
DOCUMENT_SHARED = Consumed("charts", "document.shared", (1, 2), """
{document_id, client_id, contact_id, type_id} → an email to the client
(contact_id null, when the client may be emailed) or to that contact (while its login
is active).""")
DOCUMENT_INTEGRITY_FAILED = Consumed("charts", "document.integrity_failed", (1, 2), """
{document_id, client_id} → one `document_integrity_failed` alert for
`receives_portal_uploads`.""")
DOCUMENT_QUARANTINED = Consumed("charts", "document.quarantined", (1, 2), """
{document_id, client_id} → one `document_quarantined` alert for
`receives_portal_uploads`.""")

# identity (docs/identity.md, "Emails")
ACCOUNT_CREATED = Consumed("identity", "account.created", (1,), """
`identity` `account.created` v1: {account_id, client_id, login, practice_name,
portal_path}. Sends a welcome email to the login's address with the practice's name and
portal address only.""")
INVITATION_SENT = Consumed("identity-private", "invitation.sent", (1,), """
{invitation_id, client_id, email, practice_name, portal_path, portal_subdomain, link_path,
expires_at}.""")
PASSWORD_RESET_REQUESTED = Consumed("identity-private", "password_reset.requested", (1,), """
{reset_id, kind, account_id, email, practice_name, portal_path, portal_subdomain, link_path,
expires_at, requested_by}.""")
PASSWORD_CHANGED = Consumed("identity", "password.changed", (1,), """
{account_id, kind, via, login, practice_name, portal_path, portal_subdomain}.""")
ACCOUNT_SUSPENDED = Consumed("identity", "account.suspended", (1,), """
{account_id, client_id, status, login, practice_name, portal_path, portal_subdomain}.""")
# Both carry a single-use link: identity publishes them on identity-private only.
STAFF_INVITED = Consumed("identity-private", "staff.invited", (1,), """
{staff_id, email, practice_name, portal_path, portal_subdomain, link_path, expires_at}.""")
CONTACT_INVITED = Consumed("identity-private", "contact.invited", (1,), """
{contact_id, email, practice_name, portal_path, portal_subdomain, link_path, expires_at,
resend}.""")
INVITATION_LOCKED = Consumed("identity", "invitation.locked", (1,), """
{invitation_id, client_id} → one `invitation_locked` alert for staff holding
`manage_portal_access` (so nobody has to guess why a client "can't get in").""")
SIGN_IN_THROTTLED = Consumed("identity", "sign_in.throttled", (1,), """
{account_id, kind, occurred_at, login, practice_name, portal_path, portal_subdomain} →
"someone tried to sign in to your account", once per throttle episode.""")
CONTACT_STATUS_CHANGED = Consumed("identity", "contact.status_changed", (1,), """
{contact_id, status} → "access removed / paused" to the contact when status is
"inactive" or "suspended" (address from identity.get_notice_address).""")
GRANT_CHANGED = Consumed("identity", "grant.changed", (1,), """
{holder_kind, contact_id, account_id, client_id, permissions, renewed_until, change} →
when change is "revoked": "your access to one person's information ended" to the holder,
naming no client.""")
CLIENT_UNLINKED = Consumed("identity", "account.client_unlinked", (1,), """
{account_id, client_id} → as a revoked grant, to the account.""")

# scheduling (docs/scheduling.md, "Emails")
APPOINTMENT_SCHEDULED = Consumed("scheduling", "appointment.scheduled", (1,), """
{appointment_id, client_id, clinician_id, starts_at, ends_at, location, status} → "an
appointment was added to your portal" to the client, when it starts in the future and
the client may be emailed, and to every holder of `view_appointments` who may sign in.""")
APPOINTMENT_CANCELLED = Consumed("scheduling", "appointment.cancelled", (1,), """
{appointment_id, client_id, clinician_id, starts_at, ends_at, location, status} → "an
appointment in your portal was cancelled" to the client, under the same conditions.""")
