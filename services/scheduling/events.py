"""The events scheduling publishes on the topic exchange `scheduling.events`
(routing key = type), through the outbox: each leaves the service only if the change
that made it true committed. Data carries ids, times, the location kind and the status —
never a name, a title or a cancellation reason. Bump `version` on a breaking change.
"""
from services.common.events import EventType
from services.scheduling import schemas

APPOINTMENT_SCHEDULED = EventType("appointment.scheduled", 1, """\
`appointment.scheduled` v1
Staff booked an appointment of a client with a clinician.
data: {appointment_id, client_id, clinician_id (identity staff id), starts_at, ends_at
(UTC ISO-8601), location: office|telehealth, status: "scheduled"}.""",
                                  schema=schemas.AppointmentEventData)

APPOINTMENT_CANCELLED = EventType("appointment.cancelled", 1, """\
`appointment.cancelled` v1
Staff cancelled an appointment (the reason stays in scheduling, for staff only).
data: {appointment_id, client_id, clinician_id, starts_at, ends_at, location,
status: "cancelled"}.""", schema=schemas.AppointmentEventData)

ALL = (APPOINTMENT_SCHEDULED, APPOINTMENT_CANCELLED)


def data_of(row):
    return {"appointment_id": row.id, "client_id": row.client_id,
            "clinician_id": row.clinician_id, "starts_at": row.starts_at.isoformat(),
            "ends_at": row.ends_at.isoformat(), "location": row.location,
            "status": row.status}
