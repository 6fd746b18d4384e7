"""Scheduling over HTTP on the `make run` stack: the demo practice is set up (services,
an office and telehealth, Maya Rivera's week, a vacation), so Bobby sees offered times at
once — none in the vacation week — requests one, staff approve it, and his cancellation
inside the late window leaves it listed as late cancelled."""
from datetime import date, datetime, timedelta

import requests

from scripts.stack import DEMO_STAFF
from tests.e2e.practice import SECRETS, staff_sign_in


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_bobby_requests_an_offered_time_and_staff_approve_it(haven_stack):
    base, demo = haven_stack.base_url, haven_stack.demo
    r = requests.post(base + "/api/v1/session", timeout=10, json={
        "practice_code": demo["practice"]["code"], "login": demo["client"]["login"],
        "password": demo["client"]["password"], "audience": "portal", "token_delivery": "body"})
    assert r.status_code == 200, r.text
    bobby = bearer(r.json()["access_token"])

    services = requests.get(base + "/api/v1/scheduling/services", headers=bobby, timeout=10)
    session = next(s for s in services.json()["items"] if s["name"] == "Therapy session")
    today = date.today()
    found = requests.get(base + "/api/v1/scheduling/availability", headers=bobby, timeout=10,
                         params={"service_id": session["id"], "from": today.isoformat(),
                                 "to": (today + timedelta(days=27)).isoformat()})
    assert found.status_code == 200, found.text
    slots = found.json()["items"]
    assert slots and set(found.json()["clinicians"].values()) == {"Maya Rivera"}
    vacation = today + timedelta(days=21 - today.weekday())
    days = {datetime.fromisoformat(s["local_starts_at"]).date() for s in slots}
    assert not {vacation + timedelta(days=d) for d in range(5)} & days

    slot = slots[len(slots) // 2]
    asked = requests.post(base + "/api/v1/me/appointment-requests", headers=bobby, timeout=10,
                          json={"service_id": session["id"], "clinician_id": slot["clinician_id"],
                                "location_id": slot["location_id"], "starts_at": slot["starts_at"]})
    assert asked.status_code == 201, asked.text
    off_step = (datetime.fromisoformat(slot["starts_at"]) + timedelta(minutes=7)).isoformat()
    refused = requests.post(base + "/api/v1/me/appointment-requests", headers=bobby, timeout=10,
                            json={"service_id": session["id"], "clinician_id": slot["clinician_id"],
                                  "location_id": slot["location_id"], "starts_at": off_step})
    assert refused.status_code == 422 and "every 15 minutes" in refused.json()["message"]
    pending = requests.get(base + "/api/v1/me/appointment-requests", headers=bobby, timeout=10)
    assert [p["id"] for p in pending.json()["items"]] == [asked.json()["id"]]

    admin = DEMO_STAFF[0]
    SECRETS.setdefault(admin["email"], demo["mfa_secret"])
    http, done = staff_sign_in(base, admin["email"], admin["password"])
    staff = bearer(done.json()["access_token"])
    listed = requests.get(base + "/api/v1/appointment-requests", headers=staff, timeout=10)
    assert asked.json()["id"] in {r["id"] for r in listed.json()["items"]}
    approved = requests.post(f"{base}/api/v1/appointment-requests/{asked.json()['id']}/approve",
                             headers=staff, timeout=10, json={"version": 1})
    assert approved.status_code == 200 and approved.json()["status"] == "scheduled"
    again = requests.post(f"{base}/api/v1/appointment-requests/{asked.json()['id']}/approve",
                          headers=staff, timeout=10, json={"version": 2})
    assert again.status_code == 409 and again.json()["error"] == "not_pending"

    mine = requests.get(base + "/api/v1/me/appointments", headers=bobby, timeout=10).json()
    assert asked.json()["id"] in {a["id"] for a in mine["items"]}
    cancelled = requests.post(f"{base}/api/v1/me/appointments/{asked.json()['id']}/cancel",
                              headers=bobby, timeout=10, json={"version": 2})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] in ("cancelled", "late_cancelled")
