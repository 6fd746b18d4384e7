"""Another practice system follows Haven with the pika example (deploy/examples): staff
book and cancel through the gateway, and its own SQLite mirror shows both — once."""
import datetime

from tests.e2e.practice import new_practice
from tests.e2e.test_story_http import staff_session
from tests.support.mirror import MirrorProcess


def test_the_pika_example_mirrors_appointments_booked_and_cancelled_through_the_gateway(
        haven_stack, tmp_path):
    practice = new_practice(haven_stack)
    api = haven_stack.base_url + "/api/v1"
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
    mirror = MirrorProcess(haven_stack.amqp_uri, tmp_path / "mirror.sqlite3",
                           f"acme.appointments.{practice.code}", tmp_path / "mirror.log")
    try:
        mirror.start()
        mirror.wait_for("SELECT count(*) FROM handled_events", (), [(0,)])  # bound, ready
        clinician = next(c for c in intake.get(f"{api}/clinicians", timeout=10).json()
                         if c["role"] == "clinician")
        starts = (datetime.datetime.now(datetime.timezone.utc).replace(
            minute=0, second=0, microsecond=0) + datetime.timedelta(days=3))
        booked = intake.post(f"{api}/clients/{practice.bobby_id}/appointments", timeout=10, json={
            "clinician_id": clinician["id"], "starts_at": starts.isoformat(),
            "duration_minutes": 50, "title": "Individual therapy"})
        assert booked.status_code == 201, booked.text
        appointment = booked.json()
        mirror.wait_for("SELECT client_id, clinician_id, status FROM appointments WHERE id = ?",
                        (appointment["id"],), [(practice.bobby_id, clinician["id"], "scheduled")])

        cancelled = intake.post(f"{api}/appointments/{appointment['id']}/cancel", timeout=10,
                                json={"version": appointment["version"],
                                      "reason": "Clinician unwell"})
        assert cancelled.status_code == 200, cancelled.text
        mirror.wait_for("SELECT status FROM appointments WHERE id = ?", (appointment["id"],),
                        [("cancelled",)])
        assert mirror.rows("SELECT count(*) FROM handled_events") == [(2,)]
        # ids, times and statuses only: nothing a person typed reaches the subscriber
        assert "Individual therapy" not in (tmp_path / "mirror.log").read_text()
        assert mirror.alive()
    finally:
        mirror.stop()
