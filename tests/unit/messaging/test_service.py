"""MessagingService through nameko's worker_factory, on an in-memory database, with
identity's `list_staff` answered by a stand-in and the clock fixed."""
import uuid
from datetime import datetime, timezone
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from services.common.testing import MemoryDatabase
from services.messaging.models import Assignment, Base, Message, StaffNote
from services.messaging.service import MessagingService

PRACTICE, OTHER_PRACTICE = "practice-1", "practice-2"
BOBBY, TEEN = "client-bobby", "client-teen"
MAYA, SAM, GONE = "staff-maya", "staff-sam", "staff-gone"
NOW = datetime(2030, 3, 4, 12, 0, tzinfo=timezone.utc)
STAFF_LIST = [
    {"id": MAYA, "name": "Maya Rivera", "role": "clinician", "status": "active"},
    {"id": SAM, "name": "Sam Ortiz", "role": "intake", "status": "active"},
    {"id": GONE, "name": "Old Hand", "role": "clinician", "status": "suspended"}]


def staff(id_=MAYA, *permissions, practice=PRACTICE):
    return {"practice_id": practice, "kind": "staff", "id": id_,
            "permissions": list(permissions or ("view_clients",))}


ADMIN = staff("staff-admin", "view_clients", "manage_practice_settings",
              "manage_portal_access")
BOBBY_ACCT = {"practice_id": PRACTICE, "kind": "client", "id": "acct-bobby",
              "clients": {BOBBY: ["*"]}}


def guardian(perms=("message_clinician",), id_="contact-mom"):
    return {"practice_id": PRACTICE, "kind": "contact", "id": id_,
            "clients": {TEEN: list(perms)}}


@pytest.fixture
def db():
    database = MemoryDatabase(Base)
    yield database
    database.dispose()


@pytest.fixture
def identity():
    proxy = MagicMock()
    proxy.list_staff.return_value = STAFF_LIST
    return proxy


@pytest.fixture
def service(db, identity):
    svc = worker_factory(MessagingService, db=db, identity=identity, clock=lambda: NOW)
    svc.update_messaging_settings(ADMIN, {"enabled": True})
    for client_id in (BOBBY, TEEN):
        svc.on_appointment_scheduled(appointment_event(client_id, MAYA))
    return svc


def appointment_event(client_id, clinician_id, practice=PRACTICE, version=1):
    return {"id": str(uuid.uuid4()), "type": "appointment.scheduled", "version": version,
            "occurred_at": NOW.isoformat(), "practice_id": practice,
            "actor": {"kind": "staff", "id": "desk"},
            "data": {"appointment_id": str(uuid.uuid4()), "client_id": client_id,
                     "clinician_id": clinician_id, "starts_at": NOW.isoformat(),
                     "ends_at": NOW.isoformat(), "location": "office", "status": "scheduled"}}


def start(service, actor=BOBBY_ACCT, client_id=BOBBY, **payload):
    return service.start_conversation(actor, {"client_id": client_id, "clinician_id": MAYA,
                                              "body": "Hello Maya", **payload})


def test_a_client_starts_with_an_assigned_clinician_and_events_carry_no_text(service, db):
    conv = start(service, subject="About Tuesday", sender_name="Bobby Newman")
    assert conv["subject"] == "About Tuesday" and conv["client_id"] == BOBBY
    assert [(p["kind"], p["id"], p["name"]) for p in conv["participants"]] == [
        ("client", BOBBY, "Bobby Newman"), ("staff", MAYA, "Maya Rivera")]
    assert [m["body"] for m in conv["messages"]] == ["Hello Maya"]
    assert conv["unread"] == 0 and "notes" not in conv
    started, = db.events("conversation.started")
    sent, = db.events("message.sent")
    assert started["version"] == sent["version"] == 1
    assert started["data"]["participants"] == [{"kind": "client", "id": BOBBY},
                                               {"kind": "staff", "id": MAYA}]
    assert sent["data"]["recipients"] == [{"kind": "staff", "id": MAYA}]
    assert sent["data"]["sender"] == {"kind": "client", "id": BOBBY}
    for event in (started, sent):
        assert "Hello" not in str(event) and "Tuesday" not in str(event)
        assert "Bobby" not in str(event) and "Maya Rivera" not in str(event)


def test_a_client_cannot_write_to_a_clinician_not_assigned(service, db):
    with pytest.raises(Forbidden) as exc:
        start(service, clinician_id=SAM)
    assert exc.value.code == "clinician_not_assigned"
    service.on_appointment_scheduled(appointment_event(BOBBY, GONE))
    with pytest.raises(Forbidden):       # assigned, but no longer active staff
        start(service, clinician_id=GONE)
    with pytest.raises(InvalidInput):
        start(service, clinician_id=None)
    assert db.all(Message) == []


def test_staff_may_start_with_any_client_and_reply(service, db):
    conv = service.start_conversation(staff(SAM), {"client_id": BOBBY, "body": "Forms?"})
    assert [(p["kind"], p["id"]) for p in conv["participants"]] == [
        ("staff", SAM), ("client", BOBBY)]
    inbox = service.list_conversations(BOBBY_ACCT, {})
    assert inbox["unread_total"] == 1 and inbox["items"][0]["unread"] == 1
    reply = service.send_message(BOBBY_ACCT, conv["id"], {"body": "Done!"})
    assert reply["seq"] == 2 and reply["sender"] == {"kind": "client", "id": BOBBY}
    assert service.list_conversations(BOBBY_ACCT, {})["unread_total"] == 0  # replying reads
    assert service.count_unread(staff(SAM)) == {"unread": 1, "enabled": True}


def test_reading_moves_the_receipt_and_emits_read_once(service, db):
    conv = start(service)
    assert service.count_unread(staff(MAYA))["unread"] == 1
    assert service.mark_read(staff(MAYA), conv["id"]) == {
        "conversation_id": conv["id"], "read_up_to_seq": 1, "unread": 0}
    service.mark_read(staff(MAYA), conv["id"])             # nothing new: no event
    read, = db.events("message.read")
    assert read["data"]["reader"] == {"kind": "staff", "id": MAYA}
    assert read["data"]["up_to_seq"] == 1
    assert read["data"]["up_to_message_id"] == conv["messages"][0]["id"]
    seen = service.get_conversation(BOBBY_ACCT, conv["id"])
    assert {p["id"]: p["read_up_to_seq"] for p in seen["participants"]} == {BOBBY: 1, MAYA: 1}


def test_every_route_hides_a_conversation_you_are_not_in(service):
    conv = start(service)
    stranger = {"practice_id": PRACTICE, "kind": "client", "id": "acct-x",
                "clients": {"client-x": ["*"]}}
    other_practice = staff(MAYA, practice=OTHER_PRACTICE)
    for who in (stranger, staff(SAM), other_practice):
        for call in (lambda: service.get_conversation(who, conv["id"]),
                     lambda: service.send_message(who, conv["id"], {"body": "hi"}),
                     lambda: service.mark_read(who, conv["id"]),
                     lambda: service.archive_conversation(who, conv["id"]),
                     lambda: service.add_note(who, conv["id"], {"body": "x"}),
                     lambda: service.add_participant(who, conv["id"], {"staff_id": SAM})):
            with pytest.raises(NotFound):
                call()
        assert service.list_conversations(who, {})["items"] == []
    with pytest.raises(NotFound):
        service.get_conversation(staff(MAYA), str(uuid.uuid4()))


def test_staff_notes_and_colleagues(service, db):
    conv = start(service)
    with pytest.raises(NotFound):
        service.get_conversation(staff(SAM), conv["id"])
    added = service.add_participant(staff(MAYA), conv["id"], {"staff_id": SAM})
    assert ("staff", SAM, "Sam Ortiz") in [(p["kind"], p["id"], p["name"])
                                           for p in added["participants"]]
    service.add_participant(staff(MAYA), conv["id"], {"staff_id": SAM})   # idempotent
    with pytest.raises(InvalidInput):
        service.add_participant(staff(MAYA), conv["id"], {"staff_id": GONE})
    with pytest.raises(Forbidden):
        service.add_participant(BOBBY_ACCT, conv["id"], {"staff_id": SAM})
    note = service.add_note(staff(SAM), conv["id"], {"body": "Call him back"})
    assert note["author"]["name"] == "Sam Ortiz"
    assert [n["body"] for n in service.get_conversation(staff(MAYA), conv["id"])["notes"]] == [
        "Call him back"]
    client_view = service.get_conversation(BOBBY_ACCT, conv["id"])
    assert "notes" not in client_view and "Call him back" not in str(client_view)
    with pytest.raises(Forbidden):
        service.add_note(BOBBY_ACCT, conv["id"], {"body": "sneaky"})
    assert len(db.all(StaffNote)) == 1
    assert service.count_unread(staff(SAM))["unread"] == 1    # the message, not the note


def test_archive_is_per_party_and_a_new_message_brings_it_back(service):
    conv = start(service)
    assert service.archive_conversation(BOBBY_ACCT, conv["id"], {})["archived"] is True
    assert service.list_conversations(BOBBY_ACCT, {})["items"] == []
    assert [c["id"] for c in service.list_conversations(BOBBY_ACCT, {"archived": True})[
        "items"]] == [conv["id"]]
    assert service.list_conversations(staff(MAYA), {})["items"][0]["archived"] is False
    service.send_message(staff(MAYA), conv["id"], {"body": "Reply"})
    assert [c["unread"] for c in service.list_conversations(BOBBY_ACCT, {})["items"]] == [1]


@pytest.mark.parametrize("body, problem", [("", "Write a message"), ("   ", "Write a message"),
                                           ("x" * 10_001, "10,000")])
def test_empty_and_oversized_messages_are_refused_with_a_sentence(service, db, body, problem):
    conv = start(service)
    with pytest.raises(InvalidInput) as exc:
        service.send_message(BOBBY_ACCT, conv["id"], {"body": body})
    assert "body" in exc.value.fields and problem in exc.value.message
    assert len(db.all(Message)) == 1


def test_text_is_stored_as_plain_text(service):
    conv = start(service, body="<script>alert(1)</script> & <b>bold</b>")
    assert conv["messages"][0]["body"] == "<script>alert(1)</script> & <b>bold</b>"


def test_a_retried_send_with_the_same_id_is_one_message(service, db):
    conv = start(service)
    key = str(uuid.uuid4())
    first = service.send_message(BOBBY_ACCT, conv["id"], {"id": key, "body": "Once"})
    again = service.send_message(BOBBY_ACCT, conv["id"], {"id": key, "body": "Once"})
    assert first == again and len(db.all(Message)) == 2
    assert len(db.events("message.sent")) == 2           # the start's and this one
    with pytest.raises(Conflict):
        service.send_message(staff(MAYA), conv["id"], {"id": key, "body": "mine"})
    conv_key = str(uuid.uuid4())
    one = start(service, id=conv_key)
    assert start(service, id=conv_key)["id"] == one["id"] == conv_key


def test_the_switches(service, db):
    conv = start(service)
    service.update_messaging_settings(ADMIN, {"enabled": False})
    for call in (lambda: service.list_conversations(BOBBY_ACCT, {}),
                 lambda: service.get_conversation(BOBBY_ACCT, conv["id"]),
                 lambda: service.send_message(BOBBY_ACCT, conv["id"], {"body": "hi"}),
                 lambda: service.send_message(staff(MAYA), conv["id"], {"body": "hi"}),
                 lambda: start(service)):
        with pytest.raises(Forbidden) as exc:
            call()
        assert exc.value.code == "messaging_off"
    assert service.count_unread(BOBBY_ACCT) == {"unread": 0, "enabled": False}
    assert service.get_conversation(staff(MAYA), conv["id"])["messages"]   # history stays
    service.update_messaging_settings(ADMIN, {"enabled": True})
    service.set_client_messaging(ADMIN, BOBBY, {"enabled": False})
    assert service.list_conversations(BOBBY_ACCT, {})["items"] == []
    with pytest.raises(Forbidden) as exc:
        service.send_message(BOBBY_ACCT, conv["id"], {"body": "hi"})
    assert exc.value.code == "messaging_off_for_client"
    assert service.get_messaging_settings(BOBBY_ACCT)["clients"] == {BOBBY: False}
    with pytest.raises(Forbidden):
        service.set_client_messaging(staff(MAYA), BOBBY, {"enabled": True})
    with pytest.raises(Forbidden):
        service.update_messaging_settings(staff(MAYA), {"enabled": True})


def test_messaging_is_off_until_an_administrator_turns_it_on(db, identity):
    svc = worker_factory(MessagingService, db=db, identity=identity, clock=lambda: NOW)
    settings = svc.get_messaging_settings(BOBBY_ACCT)
    assert settings["enabled"] is False and "not for emergencies" in settings["emergency_notice"]
    changed = svc.update_messaging_settings(ADMIN, {"emergency_notice": "Call 911."})
    assert changed == dict(changed, enabled=False, emergency_notice="Call 911.")
    with pytest.raises(InvalidInput):
        svc.update_messaging_settings(ADMIN, {"emergency_notice": " "})


def test_guardian_bands_stop_reading_and_sending_without_moving_data(service, db):
    conv = start(service, actor=guardian(), client_id=TEEN, body="About my son")
    assert conv["participants"][0]["kind"] == "contact"
    assert service.list_conversations(guardian(), {})["items"][0]["id"] == conv["id"]
    # from the 13th birthday the token holds the grant without message_clinician
    banded = guardian(("view_appointments",))
    for call in (lambda: service.get_conversation(banded, conv["id"]),
                 lambda: service.send_message(banded, conv["id"], {"body": "hi"})):
        with pytest.raises(Forbidden) as exc:
            call()
        assert exc.value.code == "not_permitted"
    assert service.list_conversations(banded, {})["items"] == []
    with pytest.raises(Forbidden):
        start(service, actor=banded, client_id=TEEN)
    # another guardian of the same teen, not in it, learns nothing
    with pytest.raises(NotFound):
        service.get_conversation(guardian(("view_appointments",), "contact-dad"), conv["id"])
    # and the teen's own account does not see the parent's conversation
    teen = {"practice_id": PRACTICE, "kind": "client", "id": "acct-teen",
            "clients": {TEEN: ["*"]}}
    with pytest.raises(NotFound):
        service.get_conversation(teen, conv["id"])
    assert len(db.all(Message)) == 1


def test_a_redelivered_appointment_event_assigns_once_and_respects_a_removal(service, db):
    event = appointment_event(BOBBY, SAM)
    service.on_appointment_scheduled(event)
    assert [c["id"] for c in service.list_clinicians(BOBBY_ACCT, BOBBY)["items"]] == [MAYA, SAM]
    service.unassign_clinician(staff(MAYA), BOBBY, SAM)
    service.on_appointment_scheduled(event)       # redelivered: the removal stands
    assert [c["id"] for c in service.list_clinicians(BOBBY_ACCT, BOBBY)["items"]] == [MAYA]
    service.on_appointment_scheduled(appointment_event(BOBBY, SAM))   # a new booking
    assert len([a for a in db.all(Assignment) if a.removed_at is None
                and a.client_id == BOBBY]) == 2
    with pytest.raises(ValueError):
        service.on_appointment_scheduled(appointment_event(BOBBY, SAM, version=2))


def test_staff_assign_clinicians_explicitly(service, identity):
    listed = service.assign_clinician(staff(MAYA), BOBBY, {"clinician_id": SAM})
    assert [(c["id"], c["name"]) for c in listed["items"]] == [
        (MAYA, "Maya Rivera"), (SAM, "Sam Ortiz")]
    start(service, clinician_id=SAM)
    with pytest.raises(InvalidInput):
        service.assign_clinician(staff(MAYA), BOBBY, {"clinician_id": GONE})
    with pytest.raises(Forbidden):
        service.assign_clinician(BOBBY_ACCT, BOBBY, {"clinician_id": SAM})


def test_identity_silent_means_nothing_started(service, db, identity):
    identity.list_staff.side_effect = Unavailable("unavailable", "slow")
    with pytest.raises(Unavailable) as exc:
        start(service)
    assert exc.value.code == "identity_unavailable"
    assert db.all(Message) == []
