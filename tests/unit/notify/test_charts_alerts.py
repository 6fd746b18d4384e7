"""notify's handlers of charts' events through worker_factory: one alert per saved tab
and per upload, an integrity alert, and the document-shared email (no health information)."""
import uuid

import pytest

from services.notify.models import Alert, Email

STAFF = {"practice_id": "p1", "kind": "staff", "id": "s1",
         "permissions": ["receives_demographic_changes", "receives_portal_uploads"]}


def envelope(type_, **data):
    return {"id": str(uuid.uuid4()), "type": type_, "version": 1, "practice_id": "p1",
            "occurred_at": "2026-01-01T00:00:00+00:00",
            "actor": {"kind": "client", "id": "a1"}, "data": data}


def test_one_alert_per_saved_tab_naming_the_tab(service, db):
    for tab, fields in (("basic", ["city"]), ("insurance", ["primary.payer", "primary.plan"])):
        service.on_client_updated(envelope("client.updated", client_id="c1", client_name="Kim",
                                           tab=tab, fields=fields, batch_id="b-" + tab,
                                           source="portal"))
    alerts = service.list_alerts(STAFF, {})
    assert sorted((a["tab"], tuple(a["fields"])) for a in alerts) == [
        ("basic", ("city",)), ("insurance", ("primary.payer", "primary.plan"))]


def test_one_alert_per_upload_even_when_redelivered(service, db):
    event = envelope("document.uploaded", document_id="d1", client_id="c1", client_name="Kim",
                     uploaded_by_kind="client", content_type="application/pdf", size=10)
    service.on_document_uploaded(event)
    service.on_document_uploaded(event)
    [alert] = db.all(Alert)
    assert (alert.kind, alert.audience, alert.subject_id) == (
        "portal_upload", "receives_portal_uploads", "d1")
    assert service.list_alerts(STAFF, {})[0]["subject_id"] == "d1"
    other = dict(STAFF, permissions=["receives_demographic_changes"])
    assert service.list_alerts(other, {}) == []


def test_a_damaged_document_alerts_staff(service, db):
    service.on_document_integrity_failed(envelope("document.integrity_failed",
                                                  document_id="d9", client_id="c1",
                                                  client_name="Kim"))
    [alert] = db.all(Alert)
    assert alert.kind == "document_integrity_failed" and alert.subject_id == "d9"


def test_a_shared_document_emails_the_client_without_health_information(service, db, charts):
    event = envelope("document.shared", document_id="d1", client_id="c1",
                     client_name="Kim Lee", contact_id=None, type_id="t1")
    service.on_document_shared(event)
    service.on_document_shared(event)  # redelivery: one email
    [email] = db.all(Email)
    assert email.to_address == "kim@example.com" and email.kind == "document_shared"
    assert "Oak Tree Counseling has shared something new" in email.body_text
    assert "https://portal.example.org/p/oak" in email.body_text   # the practice's portal
    assert email.from_name == "Oak Tree Counseling"
    for value in ("Kim", "Lee", "d1", "c1", "t1"):
        assert value not in email.subject + email.body_text
    actor = charts.get_notification_address.call_args[0][0]
    assert actor["kind"] == "system" and actor["practice_id"] == "p1"
    service.mailer.wake.assert_called()


@pytest.mark.parametrize("address,contact_id", [
    ({"email": "kim@example.com", "may_email": False}, None),
    ({"email": None, "may_email": True}, None),
    ({"email": "pat@example.com", "may_email": False}, "contact-1"),   # not active
    ({"email": "not an address", "may_email": True}, "contact-1"),
])
def test_no_email_when_not_allowed_or_nowhere_to_send(service, db, charts, identity, address,
                                                      contact_id):
    charts.get_notification_address.return_value = address
    identity.get_contact_email.return_value = address
    service.on_document_shared(envelope("document.shared", document_id="d1", client_id="c1",
                                        client_name="Kim", contact_id=contact_id, type_id=None))
    assert db.all(Email) == []


def test_a_document_shared_with_one_contact_emails_that_contact_only(service, db, charts,
                                                                     identity):
    event = envelope("document.shared", document_id="d1", client_id="c1",
                     client_name="Kim Lee", contact_id="contact-1", type_id="t1")
    service.on_document_shared(event)
    service.on_document_shared(event)  # redelivery: one email
    [email] = db.all(Email)
    assert email.to_address == "pat@example.com" and email.kind == "document_shared"
    for value in ("Kim", "Lee", "d1", "c1", "t1", "contact-1"):
        assert value not in email.subject + email.body_text
    (actor, contact_id), _ = identity.get_contact_email.call_args
    assert actor["kind"] == "system" and actor["practice_id"] == "p1"
    assert contact_id == "contact-1"
    charts.get_notification_address.assert_not_called()   # never the client's address


def test_a_locked_invitation_alerts_those_who_manage_portal_access_once(service, db):
    event = envelope("invitation.locked", invitation_id="inv-1", client_id="c1")
    service.on_invitation_locked(event)
    service.on_invitation_locked(event)   # redelivery
    [alert] = db.all(Alert)
    assert (alert.kind, alert.audience, alert.client_id, alert.subject_id) == (
        "invitation_locked", "manage_portal_access", "c1", "inv-1")
    intake = dict(STAFF, permissions=["manage_portal_access"])
    assert [a["kind"] for a in service.list_alerts(intake, {})] == ["invitation_locked"]
    assert service.list_alerts(STAFF, {}) == []


def test_an_unknown_version_is_not_guessed_at(service):
    event = envelope("document.uploaded", document_id="d1", client_id="c1", client_name="K",
                     uploaded_by_kind="client", content_type="application/pdf", size=1)
    event["version"] = 3
    with pytest.raises(Exception):
        service.on_document_uploaded(event)


def test_a_quarantined_upload_alerts_staff(service, db):
    service.on_document_quarantined(envelope("document.quarantined", document_id="d7",
                                             client_id="c1", client_name="Kim"))
    [alert] = db.all(Alert)
    assert (alert.kind, alert.audience) == ("document_quarantined", "receives_portal_uploads")


def test_v2_events_name_no_one_so_the_alert_asks_charts_for_the_name(service, db, charts):
    """charts' v2 events carry ids only (they reach other practice systems): the staff
    alert still says whose chart it is, asked of charts by id as the system."""
    from services.common.errors import NotFound
    charts.get_client_name.return_value = {"client_id": "c1", "client_name": "Kim Lee"}
    v2 = dict(envelope("document.uploaded", document_id="d1", client_id="c1",
                       uploaded_by_kind="client", content_type="application/pdf", size=10),
              version=2)
    service.on_document_uploaded(v2)
    saved = dict(envelope("client.updated", client_id="c1", tab="basic", fields=["city"],
                          batch_id="b1", source="portal"), version=2)
    service.on_client_updated(saved)
    assert sorted(a["client_name"] for a in service.list_alerts(STAFF, {})) == ["Kim Lee"] * 2
    actor, client_id = charts.get_client_name.call_args[0]
    assert (actor["kind"], actor["practice_id"], client_id) == ("system", "p1", "c1")
    asked = charts.get_client_name.call_count
    service.on_client_updated(dict(saved, id=str(uuid.uuid4()),
                                   data=dict(saved["data"], source="staff")))
    assert charts.get_client_name.call_count == asked   # a staff save alerts no one
    charts.get_client_name.side_effect = NotFound("not_found", "No such record.")
    service.on_document_quarantined(dict(envelope("document.quarantined", document_id="d2",
                                                  client_id="gone"), version=2))
    assert [a.client_name for a in db.all(Alert) if a.subject_id == "d2"] == [None]
