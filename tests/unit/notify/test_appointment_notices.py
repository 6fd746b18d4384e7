"""notify's handlers of scheduling's events through worker_factory: a booked or cancelled
appointment that has not started emails the client, and everyone identity says holds
`view_appointments` for the client, a notice with no appointment detail — each address
once, all in one transaction; none when the client may not be emailed, none for the past;
once per event; a version notify does not know is not guessed at."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import NotFound, Unavailable
from services.notify.domain import emails
from services.notify.models import Email

LATER = datetime.now(timezone.utc) + timedelta(days=7)
EARLIER = datetime.now(timezone.utc) - timedelta(days=7)
DETAILS = ("appt-1", "client-1", "clinician-1", "telehealth", "office")


def appointment(type_="appointment.scheduled", starts_at=LATER, version=1):
    return {"id": str(uuid.uuid4()), "type": type_, "version": version, "practice_id": "p1",
            "occurred_at": "2026-01-01T00:00:00+00:00", "actor": {"kind": "staff", "id": "s1"},
            "data": {"appointment_id": "appt-1", "client_id": "client-1",
                     "clinician_id": "clinician-1", "starts_at": starts_at.isoformat(),
                     "ends_at": (starts_at + timedelta(minutes=50)).isoformat(),
                     "location": "telehealth",
                     "status": "cancelled" if type_.endswith("cancelled") else "scheduled"}}


def handle(service, event):
    if event["type"] == "appointment.scheduled":
        service.on_appointment_scheduled(event)
    else:
        service.on_appointment_cancelled(event)


@pytest.mark.parametrize("type_,subject,sentence", [
    ("appointment.scheduled", "An appointment was added to your portal",
     "added an appointment to your secure client portal"),
    ("appointment.cancelled", "An appointment in your portal was cancelled",
     "cancelled an appointment in your secure client portal"),
])
def test_a_future_appointment_emails_the_client_once_without_its_details(
        service, db, charts, type_, subject, sentence):
    event = appointment(type_)
    handle(service, event)
    handle(service, event)  # redelivery: one email
    [email] = db.all(Email)
    assert (email.to_address, email.kind, email.subject) == (
        "kim@example.com", type_.replace(".", "_"), subject)
    assert sentence in email.body_text and "Oak Tree Counseling" in email.body_text
    assert "https://portal.example.org/p/oak" in email.body_text   # the practice's portal
    assert 'href="https://portal.example.org/p/oak"' in email.body_html
    assert email.client_id == "client-1" and email.event_id == event["id"]
    shown = email.subject + email.body_text + email.body_html
    times = (LATER.isoformat(), f"{LATER:%B}", str(LATER.year), f"{LATER:%H:%M}")
    for value in (*DETAILS, *times, "minutes", "clinician"):
        assert value not in shown
    (actor, client_id), _ = charts.get_notification_address.call_args
    assert actor["kind"] == "system" and actor["practice_id"] == "p1"
    assert client_id == "client-1"
    service.mailer.wake.assert_called()


@pytest.mark.parametrize("address", [
    {"email": "kim@example.com", "may_email": False},   # the client's preference: no email
    {"email": None, "may_email": True},
    {"email": "not an address", "may_email": True},
])
def test_no_email_when_the_client_may_not_be_emailed_or_has_no_address(
        service, db, charts, address):
    charts.get_notification_address.return_value = address
    event = appointment()
    service.on_appointment_scheduled(event)
    assert db.all(Email) == []
    service.mailer.wake.assert_not_called()
    # recorded as handled: a redelivery sends nothing, even were the answer to change
    charts.get_notification_address.return_value = {"email": "kim@example.com",
                                                    "may_email": True}
    service.on_appointment_scheduled(event)
    assert db.all(Email) == []


@pytest.mark.parametrize("type_", ["appointment.scheduled", "appointment.cancelled"])
def test_a_past_appointment_mails_nobody_and_asks_charts_nothing(service, db, charts, type_):
    identity = service.identity
    handle(service, appointment(type_, starts_at=EARLIER))
    assert db.all(Email) == []
    charts.get_notification_address.assert_not_called()
    identity.list_notice_recipients.assert_not_called()


def test_a_client_charts_does_not_know_gets_no_email(service, db, charts):
    charts.get_notification_address.side_effect = NotFound("not_found", "No such record.")
    service.on_appointment_cancelled(appointment("appointment.cancelled"))
    assert db.all(Email) == []


@pytest.mark.parametrize("type_", ["appointment.scheduled", "appointment.cancelled"])
def test_an_unknown_version_is_not_guessed_at(service, db, charts, type_):
    with pytest.raises(Exception, match=type_):
        handle(service, appointment(type_, version=2))
    assert db.all(Email) == []
    charts.get_notification_address.assert_not_called()


def test_a_start_time_without_an_offset_is_refused_not_guessed(service, db):
    event = appointment()
    event["data"]["starts_at"] = "2099-01-01T10:00:00"
    with pytest.raises(Exception):
        service.on_appointment_scheduled(event)
    assert db.all(Email) == []


@pytest.mark.parametrize("type_", ["appointment.scheduled", "appointment.cancelled"])
def test_holders_of_view_appointments_hear_it_too_each_address_once(
        service, db, charts, identity, type_):
    # the parent's address is on the child's chart and is also the parent's sign-in
    charts.get_notification_address.return_value = {"email": "Jane.Rivers@Example.org",
                                                    "may_email": True}
    identity.list_notice_recipients.return_value = {"emails": [
        "jane.rivers@example.org", "tom@example.org", "not an address"]}
    event = appointment(type_)
    handle(service, event)
    handle(service, event)                      # redelivery: nothing twice
    emails = db.all(Email)
    assert sorted(e.to_address for e in emails) == ["Jane.Rivers@Example.org",
                                                    "tom@example.org"]
    assert {e.subject for e in emails} == {emails[0].subject}     # the same notice
    assert {e.body_text for e in emails} == {emails[0].body_text}
    for email in emails:
        assert email.event_id == event["id"] and email.client_id == "client-1"
        for value in (*DETAILS, LATER.isoformat(), f"{LATER:%B}", "clinician"):
            assert value not in email.subject + email.body_text + email.body_html
    (actor, payload), _ = identity.list_notice_recipients.call_args
    assert actor["kind"] == "system" and actor["practice_id"] == "p1"
    assert payload == {"client_id": "client-1", "permission": "view_appointments"}


def test_a_guardian_hears_it_when_the_client_may_not_be_emailed(service, db, charts, identity):
    charts.get_notification_address.return_value = {"email": "kim@example.com",
                                                    "may_email": False}
    identity.list_notice_recipients.return_value = {"emails": ["tom@example.org"]}
    service.on_appointment_scheduled(appointment())
    assert [e.to_address for e in db.all(Email)] == ["tom@example.org"]
    service.mailer.wake.assert_called()


def test_no_holders_for_a_practice_identity_does_not_know(service, db, identity):
    identity.list_notice_recipients.side_effect = NotFound("practice_not_found", "No.")
    service.on_appointment_scheduled(appointment())
    assert [e.to_address for e in db.all(Email)] == ["kim@example.com"]


def test_identity_not_answering_retries_the_delivery_rather_than_mailing_fewer(
        service, db, identity):
    identity.list_notice_recipients.side_effect = Unavailable("unavailable", "Later.")
    event = appointment()
    with pytest.raises(Unavailable):
        service.on_appointment_scheduled(event)
    assert db.all(Email) == []
    identity.list_notice_recipients.side_effect = None
    identity.list_notice_recipients.return_value = {"emails": ["tom@example.org"]}
    service.on_appointment_scheduled(event)     # the retry: not recorded as handled before
    assert sorted(e.to_address for e in db.all(Email)) == ["kim@example.com",
                                                           "tom@example.org"]


def test_one_draft_per_address_whatever_its_case():
    drafts = [emails.EmailDraft(to=to, template="appointment_scheduled", context={})
              for to in ("Kim@Example.com", "tom@example.org", " kim@example.com")]
    assert [d.to for d in emails.one_per_address(drafts)] == ["Kim@Example.com",
                                                             "tom@example.org"]


def test_the_template_sees_the_whitelist_only_and_the_practice_when_given():
    plain = emails.portal_notice("kim@example.com", {}, "appointment_scheduled",
                                 "https://portal.example.org")
    assert set(plain.context) == set(emails.WELCOME_CONTEXT_KEYS)
    assert plain.context["practice_name"] == "Your practice" and plain.from_name is None
    own = emails.portal_notice("kim@example.com",
                               {"practice_name": "Oak Tree", "portal_path": "/p/oak",
                                "portal_subdomain": "oak"},
                               "appointment_cancelled", "https://portal.example.org",
                               base_domain="portal.example")
    assert own.context == {"practice_name": "Oak Tree", "portal_url": "https://oak.portal.example/"}
    assert own.from_name == "Oak Tree"
