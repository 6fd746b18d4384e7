"""Which staff alert an event raises, and for whom (`audience`: a permission; every
staff member of the practice who holds it sees the alert). Plain functions: no nameko,
no SQL."""
from dataclasses import dataclass, field

PORTAL = "portal"   # charts' `source` of a save made through the portal

# audiences
RECEIVES_DEMOGRAPHIC_CHANGES = "receives_demographic_changes"
RECEIVES_PORTAL_UPLOADS = "receives_portal_uploads"
# who hears that a portal email could not be delivered: those who set up portal access
MANAGES_PORTAL_ACCESS = "manage_portal_access"
VIEW_OPERATIONS = "view_operations"

# kinds
DEMOGRAPHICS_CHANGED = "demographics_changed"
EMAIL_UNDELIVERABLE = "email_undeliverable"
PORTAL_UPLOAD = "portal_upload"
DOCUMENT_DAMAGED = "document_integrity_failed"
DOCUMENT_INFECTED = "document_quarantined"
INVITATION_LOCKED = "invitation_locked"
DELIVERY_PARKED = "delivery_parked"


@dataclass(frozen=True)
class AlertDraft:
    practice_id: str
    audience: str
    kind: str
    client_id: str = None
    client_name: str = None
    fields: list = field(default_factory=list)
    batch_id: str = None
    event_id: str = None
    tab: str = None
    subject_id: str = None


def alert_for_client_updated(envelope):
    """One `demographics_changed` alert for a save made through the portal; none for a
    save made by staff (they know what they changed)."""
    data = envelope["data"]
    if data.get("source") != PORTAL:
        return None
    return AlertDraft(
        practice_id=envelope["practice_id"], audience=RECEIVES_DEMOGRAPHIC_CHANGES,
        kind=DEMOGRAPHICS_CHANGED, client_id=data["client_id"],
        client_name=data.get("client_name"), fields=list(data.get("fields") or []),
        batch_id=data.get("batch_id"), event_id=envelope["id"], tab=data.get("tab"))


def alert_for_document(envelope, kind, client_name=None):
    """One alert of `kind` (an upload, a damaged or an infected file) for
    `receives_portal_uploads`; `subject_id` is the document."""
    data = envelope.get("data") or {}
    return AlertDraft(
        practice_id=envelope["practice_id"], audience=RECEIVES_PORTAL_UPLOADS, kind=kind,
        client_id=data.get("client_id"), client_name=client_name,
        event_id=envelope["id"], subject_id=data.get("document_id"))


def alert_for_invitation_locked(envelope):
    """One `invitation_locked` alert (subject = the invitation) for staff who manage
    portal access, so nobody has to guess why a client "can't get in"."""
    data = envelope.get("data") or {}
    return AlertDraft(
        practice_id=envelope["practice_id"], audience=MANAGES_PORTAL_ACCESS,
        kind=INVITATION_LOCKED, client_id=data.get("client_id"),
        event_id=envelope["id"], subject_id=data.get("invitation_id"))


def alert_for_undeliverable_email(email):
    """Staff who manage portal access hear that a client's portal email never arrived."""
    return AlertDraft(practice_id=email.practice_id, audience=MANAGES_PORTAL_ACCESS,
                      kind=EMAIL_UNDELIVERABLE, client_id=email.client_id,
                      fields=[email.kind], event_id=email.event_id)


def alert_for_parked_delivery(envelope):
    """One `delivery_parked` alert naming the update's type; none without a practice
    (a system-wide event: ops find it in the logs and the ops RPCs)."""
    data = envelope.get("data") or {}
    if not envelope.get("practice_id"):
        return None
    return AlertDraft(practice_id=envelope["practice_id"], audience=VIEW_OPERATIONS,
                      kind=DELIVERY_PARKED, fields=[str(data.get("event_type") or "")],
                      event_id=envelope["id"], subject_id=data.get("event_id"))
