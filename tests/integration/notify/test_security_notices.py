"""identity, charts and notify in real containers on the real RabbitMQ, mail to a real SMTP
server: the owner of an account under attack is told once, and a contact whose login ends
hears that their access ended — through identity's outbox, notify's handlers and its one
hop back to identity for the address; a client, and a guardian contact holding
"view appointments", hear that an appointment was added to the portal — through
scheduling's exchange and notify's hops to charts and identity — and nothing more (a
contact without that permission hears nothing)."""
import email
import email.policy
import re
import uuid
from datetime import date, timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, select

from services.charts.service import ChartsService
from services.common import envelope as envelopes
from services.common.actor import Actor
from services.common.errors import Unauthenticated
from services.common.migrations import upgrade
from services.common.times import utcnow
from services.identity.service import IdentityService
from services.notify.models import Email
from services.scheduling import events as scheduling_events
from tests.integration.notify.test_notify import notify, publish, smtp_port, smtp_server, wait_for  # noqa: F401

SECRET = "integration-secret-" + "x" * 32
TEMP = "amber lantern orchard 42"


@pytest.fixture
def database_url(database_url_factory):
    """One run: what is tested is the path between the services, not notify's storage
    (test_notify.py covers both databases)."""
    return database_url_factory("sqlite")


def start_identity(container_factory, amqp_uri, url):
    upgrade("identity", url)
    container = container_factory(IdentityService, {
        "AMQP_URI": amqp_uri, "DATABASE_URL": url, "TOKEN_SECRET": SECRET,
        "OUTBOX_POLL_SECONDS": 0.2, "max_workers": 4,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8 * 1024, "ARGON2_PARALLELISM": 1})
    container.start()
    return container


def received(inbox, to, subject_part):
    found = []
    for recipients, raw in inbox.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if recipients == [to] and subject_part in message["Subject"]:
            found.append(message)
    return found


def test_the_owner_under_attack_and_a_contact_whose_login_ends_are_emailed(  # noqa: F811
        notify, smtp_server, container_factory, amqp_uri, database_url_factory):
    inbox = smtp_server()
    start_identity(container_factory, amqp_uri, database_url_factory("sqlite"))
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=15) as rpc:
        identity = rpc.identity
        code = f"p-{uuid.uuid4().hex[:10]}"
        practice = identity.create_practice(Actor.system().to_wire(),
                                            {"code": code, "name": "Oak Tree Counseling"})
        staff = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                      permissions=("manage_portal_access", "view_clients")).to_wire()
        login = f"client-{uuid.uuid4().hex[:8]}@example.org"
        identity.create_client_access(staff, {
            "client_id": str(uuid.uuid4()), "login": login, "temporary_password": TEMP,
            "client_name": "Maria Lopez"})
        for _ in range(5):                  # the fifth makes the next attempt wait
            with pytest.raises(Unauthenticated):
                identity.authenticate({"practice_code": code, "login": login,
                                       "password": "a wrong guess of a password",
                                       "audience": "portal", "source_ip": "198.51.100.9"})
        [notice] = wait_for(lambda: received(inbox, login, "Someone tried to sign in"))
        text = notice.get_body(("plain",)).get_content()
        assert f"https://portal.haven.test/p/{code}" in text and "Oak Tree Counseling" in text
        assert "Maria" not in text and "198.51.100.9" not in text

        contact_email = f"guardian-{uuid.uuid4().hex[:8]}@example.org"
        contact = identity.create_contact(staff, {"email": contact_email, "name": "Jane Rivers"})
        identity.set_contact_status(staff, {"contact_id": contact["contact_id"],
                                            "status": "inactive"})
        [ended] = wait_for(lambda: received(inbox, contact_email, "has ended"))
        body = ended.get_body(("plain",)).get_content()
        assert "ended your access to its client portal" in body and "Jane" not in body


def appointment_scheduled(staff, client_id, starts_at):
    """The envelope scheduling's outbox relays for a booking (kernel envelope, its schema)."""
    data = {"appointment_id": str(uuid.uuid4()), "client_id": client_id,
            "clinician_id": str(uuid.uuid4()), "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(minutes=50)).isoformat(),
            "location": "telehealth", "status": "scheduled"}
    kind = scheduling_events.APPOINTMENT_SCHEDULED
    assert kind.schema().validate(data) == {}
    return envelopes.build(kind.type, data, staff, version=kind.version)


def signed_up_contact(rpc, inbox, staff, email_address):
    """A contact who chose a password from the emailed link (status active)."""
    rpc.identity.create_contact(staff, {"email": email_address, "name": "A Guardian"})
    [invited] = wait_for(lambda: received(inbox, email_address, "invites you"))
    token = re.search(r"/reset/([A-Za-z0-9_-]+)",
                      invited.get_body(("plain",)).get_content()).group(1)
    return rpc.identity.complete_password_reset({"token": token, "new_password": TEMP})


def test_a_client_hears_an_appointment_was_added_and_nothing_about_it(  # noqa: F811
        notify, smtp_server, container_factory, amqp_uri, database_url_factory,
        database_url):
    inbox = smtp_server()
    charts_url = database_url_factory("sqlite")
    upgrade("charts", charts_url)
    container_factory(ChartsService, {"AMQP_URI": amqp_uri, "DATABASE_URL": charts_url}).start()
    start_identity(container_factory, amqp_uri, database_url_factory("sqlite"))
    address = f"client-{uuid.uuid4().hex[:8]}@example.org"
    guardian = f"guardian-{uuid.uuid4().hex[:8]}@example.org"
    payer = f"payer-{uuid.uuid4().hex[:8]}@example.org"
    code = f"p-{uuid.uuid4().hex[:10]}"
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=10) as rpc:
        practice = rpc.identity.create_practice(Actor.system().to_wire(),
                                                {"code": code, "name": "Oak Tree Counseling"})
        staff = Actor(practice_id=practice["id"], kind="staff", id=str(uuid.uuid4()),
                      permissions=("edit_clients", "view_clients", "manage_portal_access"))
        client = rpc.charts.create_client(staff.to_wire(), {
            "first_name": "Maria", "last_name": "Lopez", "email": address,
            "date_of_birth": date(date.today().year - 9, 1, 15).isoformat()})
        # a guardian who may see Maria's appointments, and one who only pays her bills
        for email_address, permissions in ((guardian, ["view_appointments"]),
                                           (payer, ["billing"])):
            held = signed_up_contact(rpc, inbox, staff.to_wire(), email_address)
            contact = rpc.identity.list_contacts(staff.to_wire(), {})["items"]
            [contact_id] = [c["contact_id"] for c in contact if c["email"] == held["login"]]
            rpc.identity.grant_access(staff.to_wire(), {
                "contact_id": contact_id, "client_id": client["id"],
                "permissions": permissions})
    backdated = appointment_scheduled(staff, client["id"], utcnow() - timedelta(days=3))
    with entrypoint_waiter(notify, "on_appointment_scheduled", timeout=10):
        publish(amqp_uri, "scheduling", backdated)       # an import of the past: no email
    booked = appointment_scheduled(staff, client["id"], utcnow() + timedelta(days=9))
    publish(amqp_uri, "scheduling", booked)
    [notice] = wait_for(lambda: received(inbox, address, "appointment"))
    [told] = wait_for(lambda: received(inbox, guardian, "appointment"))
    assert notice["Subject"] == "An appointment was added to your portal"
    text = notice.get_body(("plain",)).get_content()
    html = notice.get_body(("html",)).get_content()
    assert "Oak Tree Counseling added an appointment" in text   # the practice, by name
    assert f"https://portal.haven.test/p/{code}" in text            # and its portal
    assert (told["Subject"], told.get_body(("plain",)).get_content()) == (
        notice["Subject"], text)                                    # the same notice
    starts = booked["data"]["starts_at"][:10]
    for value in ("Maria", "Lopez", "telehealth", starts, client["id"],
                  booked["data"]["appointment_id"], booked["data"]["clinician_id"]):
        assert value not in text and value not in html and value not in notice["Subject"]
    assert len([m for m in inbox.messages if m[0] == [address]]) == 1
    # one transaction queued every email of the event: the payer was never among them
    engine = create_engine(database_url)
    with engine.connect() as conn:
        queued = conn.execute(select(Email.to_address)
                              .where(Email.event_id == booked["id"])).scalars().all()
    engine.dispose()
    assert sorted(queued) == sorted([address, guardian])
    assert len(received(inbox, guardian, "appointment")) == 1
    assert received(inbox, payer, "appointment") == []
