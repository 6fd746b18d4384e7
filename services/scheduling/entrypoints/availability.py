"""Availability: the times the portal offers for a service (domain/availability.py)."""
from datetime import datetime, time, timedelta, timezone

from services.common.actor import Actor
from services.common.errors import EXPECTED, Forbidden, InvalidInput
from services.common.rpc import rpc
from services.common.schemas import load
from services.scheduling import domain, setup_schemas, store
from services.scheduling.models import Service

UTC = timezone.utc


def require_viewer(actor, settings):
    """Staff always; clients and contacts of the practice while online booking is on."""
    if not actor.practice_id:
        raise Forbidden("practice_required", "Say which practice you mean.")
    if actor.is_staff or actor.is_system:
        return
    if not settings["online_booking"] or settings["who_may_request"] == "no_one":
        raise Forbidden("requests_closed", "This practice does not take appointment "
                        "requests in the portal. Please contact the practice.")


def service_for(session, actor, service_id):
    row = session.get(Service, service_id)
    if row is None or row.practice_id != actor.practice_id or not (
            row.active or domain.appointments.sees_staff_fields(actor)):
        raise InvalidInput("invalid_input", "Choose one of the services the portal offers.",
                           {"service_id": ["Not a service of this practice."]})
    return row


def offers(session, actor, cmd, settings, now):
    """(service, slots, names) for a loaded AvailabilityQuery."""
    service = service_for(session, actor, cmd["service_id"])
    clinician_ids = list(service.clinician_ids or ())
    if cmd["clinician_id"]:
        clinician_ids = [c for c in clinician_ids if c == cmd["clinician_id"]]
    if not clinician_ids:
        return service, [], {}
    rules = domain.availability.Rules.of(settings)
    # every zone's local days fit in this UTC window
    window_start = datetime.combine(cmd["from_date"] - timedelta(days=1), time(0), UTC)
    window_end = datetime.combine(cmd["to_date"] + timedelta(days=2), time(0), UTC)
    got = store.availability.inputs(session, actor.practice_id, clinician_ids,
                                    window_start, window_end, cmd["location_id"],
                                    cmd["telehealth"], rules.buffer_minutes)
    slots = domain.availability.offered(
        service.duration_minutes, rules, got.periods, got.places, got.blocks,
        got.appointments, now, cmd["from_date"], cmd["to_date"], limit=cmd["limit"] + 1)
    names = store.setup.clinician_names(session, actor.practice_id,
                                        {s.clinician_id for s in slots})
    return service, slots, names


class AvailabilityEntrypoints:
    """Mixin of SchedulingService: needs `db` and `clock`."""

    @rpc(expected_exceptions=EXPECTED)
    def find_availability(self, actor, payload):
        """Offered start times of a service: payload {service_id, clinician_id?,
        location_id?, telehealth? (true: telehealth only, false: offices only), from,
        to (YYYY-MM-DD, local days of each location, at most 62), limit (500)} →
        {items: [{starts_at, ends_at (UTC), local_starts_at (the location's zone),
        time_zone, clinician_id, location_id}], clinicians: {id: name}, more}.
        Staff always; clients and contacts while the practice takes requests."""
        actor = Actor.from_wire(actor)
        cmd = load(setup_schemas.AvailabilityQuery(), payload)
        with self.db.read() as session:
            settings = domain.setup.settings_of(getattr(store.setup.settings_row(
                session, actor.practice_id), "values", None))
            require_viewer(actor, settings)
            service, slots, names = offers(session, actor, cmd, settings, self.clock())
        more = len(slots) > cmd["limit"]
        slots = slots[:cmd["limit"]]
        return {"service_id": service.id, "duration_minutes": service.duration_minutes,
                "items": [setup_schemas.slot_dict(slot) for slot in slots],
                "clinicians": {key: names.get(key, "") for key in
                               {s.clinician_id for s in slots}},
                "more": more}
