"""The AsyncAPI description the gateway serves is what the services really publish: every
event that leaves identity, charts and scheduling while a practice is set up and an
appointment booked and cancelled through the gateway is a message of the description
and validates against its payload schema."""
import datetime
import json

import jsonschema
import requests

from tests.e2e.practice import give_login, new_practice
from tests.e2e.test_story_http import staff_session
from tests.support.events import EventTap


def test_published_events_match_the_served_asyncapi(haven_stack):
    served = requests.get(haven_stack.base_url + "/api/v1/asyncapi.json", timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith(
        "application/json")
    document = served.json()
    assert document["asyncapi"] == "2.6.0"
    taps = {s: EventTap(haven_stack.amqp_uri, s) for s in ("identity", "charts", "scheduling")}
    try:
        practice = new_practice(haven_stack)
        api = haven_stack.base_url + "/api/v1"
        intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
        clinician = next(c for c in intake.get(f"{api}/clinicians", timeout=10).json()
                         if c["role"] == "clinician")
        starts = (datetime.datetime.now(datetime.timezone.utc).replace(
            minute=0, second=0, microsecond=0) + datetime.timedelta(days=2))
        booked = intake.post(f"{api}/clients/{practice.bobby_id}/appointments", timeout=10,
                             json={"clinician_id": clinician["id"], "starts_at": starts.isoformat(),
                                   "duration_minutes": 50, "title": "Session"}).json()
        assert intake.post(f"{api}/appointments/{booked['id']}/cancel", timeout=10,
                           json={"version": booked["version"]}).status_code == 200
        taps["scheduling"].wait_for("appointment.cancelled",
                                    lambda e: e["data"]["appointment_id"] == booked["id"])
        taps["charts"].wait_for("client.created",
                                lambda e: e["data"].get("client_id") == practice.bobby_id)
        give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                           "first_name": "Bobby", "last_name": "Newman"},
                   "paper kite orchard 93")
        taps["identity"].wait_for("account.created", lambda e: e["practice_id"] == practice.id)
        published = [e for tap in taps.values() for e in tap.seen
                     if e["practice_id"] == practice.id]
    finally:
        for tap in taps.values():
            tap.close()

    assert {"appointment.scheduled", "appointment.cancelled", "client.created",
            "account.created"} <= {e["type"] for e in published}
    for event in published:
        assert event["type"] in document["channels"], f"{event['type']} is not described"
        schema = document["components"]["messages"][event["type"]]["payload"]
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(
            json.loads(json.dumps(event)))]
        assert not errors, (event["type"], errors)
