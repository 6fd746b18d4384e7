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
Staff, or a client within the practice's policy, cancelled an appointment (the reason
stays in scheduling, for staff only).
data: {appointment_id, client_id, clinician_id, starts_at, ends_at, location,
status: "cancelled" | "late_cancelled", late: true|false, cancelled_by: {kind:
staff|client|contact|system, id}, charge: null, or for a late one what billing needs
to charge the fee: {service_id, fee_cents (the late-cancellation fee: the practice's,
else the service's fee copied at booking; null when neither), late_cancel_hours}}.
`late`, `cancelled_by` and `charge` were added to v1 (a consumer ignores what it
does not read).""", schema=schemas.CancelledEventData)

_REQUEST_DATA = """data: {appointment_id, client_id, clinician_id, service_id, location_id,
starts_at, ends_at (UTC ISO-8601), status}"""

APPOINTMENT_REQUESTED = EventType("appointment.requested", 1, f"""\
`appointment.requested` v1
A client (or a holder of `view_appointments` for the client) requested one of the
offered times; staff approve or deny it. The note, if any, stays in scheduling.
{_REQUEST_DATA}: "requested"}}.""", schema=schemas.RequestEventData)

APPOINTMENT_APPROVED = EventType("appointment.approved", 1, f"""\
`appointment.approved` v1
Staff approved a request: it is a scheduled appointment now (the same id). `changed`
lists what staff changed while approving (starts_at, clinician_id, service_id,
location_id; empty when nothing).
{_REQUEST_DATA}: "scheduled", changed: [field]}}.""", schema=schemas.RequestEventData)

APPOINTMENT_DENIED = EventType("appointment.denied", 1, f"""\
`appointment.denied` v1
Staff denied a request. The reason is told to the requester in the portal (and by
notify's email), never in the event.
{_REQUEST_DATA}: "denied"}}.""", schema=schemas.RequestEventData)

APPOINTMENT_WITHDRAWN = EventType("appointment.withdrawn", 1, f"""\
`appointment.withdrawn` v1
The requester withdrew a pending request.
{_REQUEST_DATA}: "withdrawn"}}.""", schema=schemas.RequestEventData)

APPOINTMENT_COMPLETED = EventType("appointment.completed", 1, """\
`appointment.completed` v1
Staff marked the appointment attended.
data: {appointment_id, client_id, clinician_id, starts_at, ends_at, location,
status: "completed"}.""", schema=schemas.AppointmentEventData)

APPOINTMENT_NO_SHOW = EventType("appointment.no_show", 1, """\
`appointment.no_show` v1
Staff marked that the client did not come.
data: {appointment_id, client_id, clinician_id, starts_at, ends_at, location,
status: "no_show"}.""", schema=schemas.AppointmentEventData)

ALL = (APPOINTMENT_SCHEDULED, APPOINTMENT_CANCELLED, APPOINTMENT_REQUESTED,
       APPOINTMENT_APPROVED, APPOINTMENT_DENIED, APPOINTMENT_WITHDRAWN,
       APPOINTMENT_COMPLETED, APPOINTMENT_NO_SHOW)


def data_of(row):
    return {"appointment_id": row.id, "client_id": row.client_id,
            "clinician_id": row.clinician_id, "starts_at": row.starts_at.isoformat(),
            "ends_at": row.ends_at.isoformat(), "location": row.location,
            "status": row.status}


def request_data_of(row, changed=None):
    data = {"appointment_id": row.id, "client_id": row.client_id,
            "clinician_id": row.clinician_id, "service_id": row.service_id,
            "location_id": row.location_id, "starts_at": row.starts_at.isoformat(),
            "ends_at": row.ends_at.isoformat(), "status": row.status}
    if changed is not None:
        data["changed"] = list(changed)
    return data


def cancelled_data_of(row, actor, late=False, settings=None):
    """appointment.cancelled data; a late one carries what billing needs."""
    charge = None
    if late:
        fee = settings["late_cancel_fee_cents"]
        charge = {"service_id": row.service_id,
                   "fee_cents": fee if fee is not None else row.fee_cents,
                   "late_cancel_hours": settings["late_cancel_hours"]}
    return dict(data_of(row), late=bool(late), cancelled_by=actor.to_event_actor(),
                charge=charge)
