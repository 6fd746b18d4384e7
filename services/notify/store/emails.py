"""The outgoing email table (`emails`): queue in the caller's transaction, claim, mark.

Claiming sets a lease (next_attempt_at in the future) in its own committed transaction
before anything is sent, so replicas never send one email twice, and an email whose
sender died is picked up again when its lease runs out.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from services.common.times import utcnow
from services.notify.domain.alerts import alert_for_undeliverable_email
from services.notify.domain.emails import retry_delay
from services.notify.models import Email
from services.notify.store import alerts

BATCH = 20


def queue(session, practice_id, draft, rendered, client_id=None, event_id=None):
    """Add an email to send once the caller's transaction commits; returns it."""
    email = Email(practice_id=practice_id, kind=draft.template, client_id=client_id,
                  to_address=draft.to, from_name=draft.from_name, subject=rendered.subject,
                  body_text=rendered.text, body_html=rendered.html, status="pending",
                  attempts=0, next_attempt_at=utcnow(), event_id=event_id)
    session.add(email)
    return email


@dataclass(frozen=True)
class Claimed:
    id: str
    to_address: str
    from_name: str
    subject: str
    body_text: str
    body_html: str
    attempts: int


def claim_due(db, lease_seconds=60.0, limit=BATCH):
    """Take up to `limit` due emails for this sender; `db` is the Database provider."""
    now = utcnow()
    query = (select(Email).where(Email.status == "pending")
             .where(Email.next_attempt_at <= now)
             .order_by(Email.next_attempt_at, Email.id).limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    with db.write_lock(), db.writer.begin() as session:
        rows = session.execute(query).scalars().all()
        claimed = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=lease_seconds)
            claimed.append(Claimed(row.id, row.to_address, row.from_name, row.subject,
                                   row.body_text, row.body_html, row.attempts))
    return claimed


def mark_sent(db, email_id):
    with db.write_lock(), db.writer.begin() as session:
        email = session.get(Email, email_id)
        email.status = "sent"
        email.sent_at = utcnow()
        email.next_attempt_at = None
        email.last_error = None


def mark_failed(db, email_id, error_code, permanent, max_attempts, base_seconds):
    """Back off and try again later; after `max_attempts` (or a permanent refusal) mark
    it failed and alert the staff who manage portal access. Returns the new status."""
    with db.write_lock(), db.writer.begin() as session:
        email = session.get(Email, email_id)
        email.last_error = error_code[:200]
        if permanent or email.attempts >= max_attempts:
            email.status = "failed"
            email.next_attempt_at = None
            alerts.add_alert(session, alert_for_undeliverable_email(email))
        else:
            email.next_attempt_at = utcnow() + timedelta(
                seconds=retry_delay(email.attempts, base_seconds))
        return email.status


def delivery_log(session, practice_id, status=None, limit=100):
    """The practice's emails, newest first: what was sent to whom, when, and how it went."""
    query = (select(Email).where(Email.practice_id == practice_id)
             .order_by(Email.created_at.desc(), Email.id.desc()).limit(limit))
    if status:
        query = query.where(Email.status == status)
    return session.execute(query).scalars().all()


def failed_for_update(session, practice_id, email_id):
    """The practice's email `email_id`, locked, or None (another practice's is None too)."""
    query = select(Email).where(Email.id == email_id).where(Email.practice_id == practice_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def send_again(email):
    """A failed email goes back to the queue, due now, with a fresh count of attempts."""
    email.status = "pending"
    email.attempts = 0
    email.next_attempt_at = utcnow()
