"""Appointments (docs/scheduling.md): staff book and cancel; clients, and contacts or
accounts whose grant includes `view_appointments`, see them.

Every route checks the caller here before scheduling is asked (a refusal costs no RPC),
and scheduling checks the same actor context again for what it owns. A client that is not
held is 404, a held one without `view_appointments` 403 `not_permitted`; another
practice's client or appointment is 404. Staff-only fields (the cancel reason, who booked)
never reach a client or contact, whatever scheduling answers.

Upcoming lists (the portal's Appointments page, and a client page's for staff) are answered
from the gateway's read model (readmodels.upcoming_appointments) once these checks have
passed: filled by the same RPC with the caller's actor, dropped on scheduling's
`appointment.scheduled` / `appointment.cancelled` (gateway/service.py) and when their first
appointment ends. A booking or cancellation through this replica drops the client's lists
at once, so staff read their own write. Past lists (rarer, and changed by every appointment
that ends) go to scheduling each time.
"""
import logging
from datetime import datetime

from werkzeug.wrappers import Response

from gateway.api.appointments import ics, schemas
from gateway.api.me.routes import own_client_id
from gateway.router import ANY, CLIENT, STAFF, RouteTable
from gateway.uploads import IDEMPOTENCY_KEY, idempotency_key
from services.common import idempotency
from services.common.errors import Forbidden, NotFound, Unavailable

log = logging.getLogger("gateway.appointments")

table = RouteTable()
TAGS = ("appointments",)
VIEW = "view_appointments"          # a grant's permission to see a client's appointments
MANAGE = "manage_appointments"      # staff: book and cancel
VIEW_CLIENTS = "view_clients"       # staff: see the practice's clients (and their appointments)
NOT_FOUND = ("not_found", "That appointment does not exist.")
IDEMPOTENCY_HEADER = {
    "name": IDEMPOTENCY_KEY, "format": "uuid",
    "description": "One UUID per booking you mean to make: a retry (after a 503 or a lost "
                   "answer) with the same key answers the appointment already booked "
                   "instead of booking it twice."}
LIST_HELP = ("`when=upcoming` (default: not yet ended, soonest first) or `past` (newest "
             "first). Times are UTC; show them in the practice's `time_zone`. ")
REFUSALS = ("A client the sign-in does not hold is 404; a held client without "
            "`view_appointments` is 403 `not_permitted`.")


def _for_caller(actor, appointment):
    """What this caller may read of one appointment: staff all, others not STAFF_ONLY."""
    if actor.is_staff or not isinstance(appointment, dict):
        return appointment
    return {k: v for k, v in appointment.items() if k not in schemas.STAFF_ONLY}


def _listed(actor, client_id, reply):
    """scheduling's list, held to the client asked for (defence in depth)."""
    items = [a for a in (reply or {}).get("items") or () if isinstance(a, dict)]
    mismatched = [a for a in items if a.get("client_id") != client_id]
    if mismatched:
        log.error("scheduling listed appointments of another client; dropped",
                  extra={"count": len(mismatched)})
    return {"items": [_for_caller(actor, a) for a in items if a.get("client_id") == client_id]}


def _list_payload(query):
    return {k: query[k] for k in ("when", "include_cancelled", "limit") if k in query}


def _list(ctx, client_id):
    """The caller's list of `client_id`, once the caller has been checked for it."""
    payload = _list_payload(ctx.query)

    def shape(reply):
        return _listed(ctx.actor, client_id, reply)

    if payload.get("when", "upcoming") == "upcoming":
        return ctx.raw(ctx.app.readmodels.upcoming_appointments(
            ctx.actor, ctx.who.wire, client_id, payload, shape))
    return shape(ctx.app.rpc.call("scheduling", "list_client_appointments", ctx.who.wire,
                                  client_id, payload))


# -- the portal ----------------------------------------------------------------------------------
@table.route("GET", "/api/v1/me/appointments", auth=CLIENT, query=schemas.MeAppointmentsQuery,
             response=schemas.AppointmentList, tags=TAGS,
             summary="Appointments of the person you act for",
             description=LIST_HELP + "`?client_id=` when the sign-in acts for several people. "
                         + REFUSALS)
def my_appointments(ctx):
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, VIEW)           # "*" (one's own) always passes
    return _list(ctx, client_id)


@table.route("GET", "/api/v1/me/appointments/<appointment_id>", auth=CLIENT,
             response=schemas.Appointment, tags=TAGS, summary="One appointment",
             description="404 for an appointment of someone the sign-in does not act for; "
                         "403 `not_permitted` when the access does not include "
                         "`view_appointments`.")
def my_appointment(ctx):
    return _for_caller(ctx.actor, _held_appointment(ctx))


def _held_appointment(ctx):
    """The appointment named in the path, once its client is held with `view_appointments`."""
    actor = ctx.actor
    if not any(actor.may_act_for(cid, VIEW) for cid in actor.clients):
        raise Forbidden("not_permitted", "Your access does not include appointments.")
    found = ctx.app.rpc.call("scheduling", "get_appointment", ctx.who.wire,
                             ctx.params["appointment_id"])
    client_id = (found or {}).get("client_id")
    if client_id not in actor.clients:
        raise NotFound(*NOT_FOUND)
    actor.require_client(client_id, VIEW)
    return found


@table.route("GET", "/api/v1/me/appointments/<appointment_id>/calendar", auth=CLIENT,
             produces="text/calendar", tags=TAGS,
             summary="One appointment as a calendar file (Add to calendar)",
             description="An iCalendar file (RFC 5545, `text/calendar`) with one VEVENT: UID "
                         "`<appointment id>@haven`, start and end in UTC, summary \"<title "
                         "or Appointment> with <clinician>\", the place (\"At the office\" "
                         "or \"Telehealth (video)\"), STATUS CONFIRMED or CANCELLED, "
                         "SEQUENCE the appointment's version (so a file downloaded again "
                         "after a cancellation replaces the event), and the practice's "
                         "portal address as its description — nothing else. Sent as the "
                         "attachment `appointment.ics`, never cached. The same checks as "
                         "`GET /api/v1/me/appointments/{appointment_id}`: 404 for an "
                         "appointment of someone the sign-in does not act for; 403 "
                         "`not_permitted` without `view_appointments`.")
def my_appointment_calendar(ctx):
    found = _held_appointment(ctx)
    practice = ctx.app.readmodels.practice_settings(ctx.who)
    body = ics.appointment_ics(found, ics.portal_address(ctx.app.config, practice))
    return Response(body, status=200, content_type=ics.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{ics.FILENAME}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


# -- a client's appointments (staff, or a holder of the client) -------------------------------------
@table.route("GET", "/api/v1/clients/<client_id>/appointments", auth=ANY,
             query=schemas.ClientAppointmentsQuery, response=schemas.AppointmentList, tags=TAGS,
             summary="A client's appointments",
             description=LIST_HELP + "Staff with `view_clients` (404 for a client not of "
                         "the practice); a client or contact holding the client with "
                         "`view_appointments`. " + REFUSALS)
def client_appointments(ctx):
    client_id = ctx.params["client_id"]
    actor = ctx.actor
    if actor.is_staff:
        actor.require_staff(VIEW_CLIENTS)
        # the client must be one of the practice's (another practice's id is 404)
        ctx.app.readmodels.client_record(actor, ctx.who.wire, client_id)
    else:
        actor.require_client(client_id, VIEW)
    return _list(ctx, client_id)


# -- staff: book and cancel ---------------------------------------------------------------------
@table.route("POST", "/api/v1/clients/<client_id>/appointments", errors=(409,), auth=STAFF,
             request=schemas.AppointmentBook, response=schemas.Appointment, status=201,
             headers=(IDEMPOTENCY_HEADER,), tags=TAGS, summary="Book an appointment",
             description="Staff with `manage_appointments`. 404 for a client not of the "
                         "practice; 422 naming `starts_at` (no offset, or in the past) or "
                         "`clinician_id` (not an active staff member); 409 `clinician_busy` "
                         "when the clinician has an appointment at that time; 503 "
                         "`booking_unconfirmed` when scheduling did not answer — try again "
                         "with the same `Idempotency-Key`; 422 `idempotency_key_reused` "
                         "when that key booked a different appointment (a retry must be "
                         "the very same request).")
def book(ctx):
    ctx.actor.require_staff(MANAGE)
    client_id = ctx.params["client_id"]
    key = idempotency_key(ctx, "booking")
    # The client must exist in the practice's charts (scheduling does not ask charts).
    ctx.app.readmodels.client_record(ctx.actor, ctx.who.wire, client_id)
    payload = dict(ctx.body, starts_at=ctx.body["starts_at"].isoformat(), id=key)
    try:
        for attempt in (1, 2):
            try:
                booked = ctx.app.rpc.call("scheduling", "book_appointment", ctx.who.wire,
                                          client_id, payload)
                # a known key answers what it booked: only for this very request
                asked = _as_booked(dict(ctx.body, client_id=client_id))
                idempotency.require_same(_as_booked(booked, asked), asked)
                return booked
            except Unavailable as exc:
                if exc.code != Unavailable.default_code:
                    raise       # scheduling answered (identity unreachable...): nothing stored
                if attempt == 1:    # the same id: a second try never books twice
                    log.warning("booking unanswered; asking once more")
                    continue
                raise Unavailable("booking_unconfirmed", "We could not confirm the booking. "
                                  "Please try again in a moment; it will not be booked "
                                  "twice.") from None
    finally:
        # read your own write on this replica (even an unconfirmed one may have been made)
        ctx.app.readmodels.appointments_changed(client_id)


BOOKED = ("client_id", "clinician_id", "starts_at", "duration_minutes", "location", "title")


def _as_booked(booking, only=BOOKED):
    """A booking request or a booked appointment in the form they are compared in (the
    start as an instant, the title as scheduling stores it), with the fields in `only`:
    what the request sent (an omitted field is scheduling's default either way)."""
    compared = {}
    for name in only:
        if name not in booking:
            continue
        value = booking[name]
        if name == "starts_at":
            try:
                value = value if isinstance(value, datetime) else datetime.fromisoformat(value)
                value = value.timestamp()
            except (TypeError, ValueError):
                pass
        elif name == "title":
            value = (value or "").strip() or None
        compared[name] = value
    return compared


@table.route("POST", "/api/v1/appointments/<appointment_id>/cancel", errors=(409,),
             auth=STAFF, request=schemas.AppointmentCancel, response=schemas.Appointment,
             tags=TAGS,
             summary="Cancel an appointment",
             description="Staff with `manage_appointments`, with the `version` read. 409 "
                         "`stale_version` (changed since: read it again) or "
                         "`already_cancelled`; 404 when unknown or another practice's. The "
                         "reason is for the practice only.")
def cancel(ctx):
    ctx.actor.require_staff(MANAGE)
    cancelled = ctx.app.rpc.call("scheduling", "cancel_appointment", ctx.who.wire,
                                 ctx.params["appointment_id"], dict(ctx.body))
    client_id = cancelled.get("client_id") if isinstance(cancelled, dict) else None
    if client_id:   # read your own write on this replica
        ctx.app.readmodels.appointments_changed(client_id)
    return cancelled


@table.route("GET", "/api/v1/clinicians", auth=STAFF, response=schemas.Clinician(many=True),
             tags=TAGS, summary="Staff an appointment can be booked with",
             description="Active staff of the practice, by name (no emails): the "
                         "booking form's choice. Staff with `manage_appointments`.")
def clinicians(ctx):
    ctx.actor.require_staff(MANAGE)
    staff = ctx.app.rpc.call("identity", "list_staff", ctx.who.wire) or []
    return [s for s in staff if isinstance(s, dict) and s.get("status") == "active"]
