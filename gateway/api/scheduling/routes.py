"""Scheduling's setup, availability and requests (docs/scheduling.md).

Staff set up the practice (services, locations, settings: `manage_practice_settings`;
work schedules and blocks: `manage_appointments`), see the requests and approve or deny
them; clients and contacts holding `view_appointments` see the offered times, request
one, withdraw it, and cancel within the practice's policy. scheduling checks every actor
again; a write through this replica drops the client's cached lists at once.
"""
from gateway.api.me.routes import own_client_id
from gateway.api.scheduling import schemas
from gateway.router import ANY, CLIENT, STAFF, RouteTable
from gateway.uploads import IDEMPOTENCY_KEY, idempotency_key
from services.common.errors import NotFound

table = RouteTable()
TAGS = ("scheduling",)
SETTINGS = "manage_practice_settings"
MANAGE = "manage_appointments"
VIEW = "view_appointments"
KEY_HEADER = {"name": IDEMPOTENCY_KEY, "format": "uuid",
              "description": "One UUID per request you mean to make: a retry with the same "
                             "key answers the request already made."}


def call(ctx, method, *args):
    return ctx.app.rpc.call("scheduling", method, ctx.who.wire, *args)


def for_caller(actor, row):
    if actor.is_staff or not isinstance(row, dict):
        return row
    return {k: v for k, v in row.items() if k not in schemas.STAFF_ONLY}


def changed(ctx, row):
    """Read your own write: the client's cached appointment lists go."""
    if isinstance(row, dict) and row.get("client_id"):
        ctx.app.readmodels.appointments_changed(row["client_id"])
    return for_caller(ctx.actor, row)


# -- setup -------------------------------------------------------------------------------
@table.route("GET", "/api/v1/scheduling/services", auth=ANY, response=schemas.ServiceList,
             tags=TAGS, summary="The services the practice offers",
             description="Staff see inactive ones too; clients and contacts the active ones.")
def scheduling_list_services(ctx):
    return call(ctx, "list_services", {})


@table.route("POST", "/api/v1/scheduling/services", auth=STAFF, request=schemas.ServiceInput,
             response=schemas.Service, status=201, tags=TAGS, summary="Add a service",
             description="Staff with `manage_practice_settings`. 422 names the field (a CPT "
                         "code of five characters, the fee in whole cents, 10–480 minutes).")
def scheduling_create_service(ctx):
    ctx.actor.require_staff(SETTINGS)
    return call(ctx, "create_service", dict(ctx.body))


@table.route("PUT", "/api/v1/scheduling/services/<service_id>", auth=STAFF, errors=(409,),
             request=schemas.ServiceUpdate, response=schemas.Service, tags=TAGS,
             summary="Change a service", description="The whole service with the `version` "
                                                     "read; 409 `stale_version`.")
def scheduling_update_service(ctx):
    ctx.actor.require_staff(SETTINGS)
    return call(ctx, "update_service", ctx.params["service_id"], dict(ctx.body))


@table.route("GET", "/api/v1/scheduling/locations", auth=ANY, response=schemas.LocationList,
             tags=TAGS, summary="The practice's offices and telehealth")
def scheduling_list_locations(ctx):
    return call(ctx, "list_locations", {})


@table.route("POST", "/api/v1/scheduling/locations", auth=STAFF, request=schemas.LocationInput,
             response=schemas.Location, status=201, tags=TAGS, summary="Add a location",
             description="Staff with `manage_practice_settings`: an office (name, address, "
                         "IANA time zone) or telehealth.")
def scheduling_create_location(ctx):
    ctx.actor.require_staff(SETTINGS)
    return call(ctx, "create_location", dict(ctx.body))


@table.route("PUT", "/api/v1/scheduling/locations/<location_id>", auth=STAFF, errors=(409,),
             request=schemas.LocationUpdate, response=schemas.Location, tags=TAGS,
             summary="Change a location")
def scheduling_update_location(ctx):
    ctx.actor.require_staff(SETTINGS)
    return call(ctx, "update_location", ctx.params["location_id"], dict(ctx.body))


def practice_clinician(ctx):
    """The path's clinician, once identity lists them as staff of the caller's practice
    (another practice's clinician is 404, never an empty schedule)."""
    clinician_id = ctx.params["clinician_id"]
    staff = ctx.app.rpc.call("identity", "list_staff", ctx.who.wire) or []
    if not any(isinstance(s, dict) and s.get("id") == clinician_id for s in staff):
        raise NotFound("not_found", "That clinician is not staff of this practice.")
    return clinician_id


@table.route("GET", "/api/v1/scheduling/clinicians/<clinician_id>/work-schedule", auth=STAFF,
             response=schemas.Schedule, tags=TAGS, summary="A clinician's weekly periods",
             description="404 for someone who is not staff of the practice.")
def scheduling_get_schedule(ctx):
    return call(ctx, "get_work_schedule", practice_clinician(ctx))


@table.route("PUT", "/api/v1/scheduling/clinicians/<clinician_id>/work-schedule", auth=STAFF,
             request=schemas.ScheduleInput, response=schemas.Schedule, tags=TAGS,
             summary="Replace a clinician's weekly periods",
             description="Staff with `manage_appointments`. Several periods a day, each at a "
                         "location, with an effective date range; 422 when two overlap, one "
                         "ends before it starts or names an unknown location.")
def scheduling_set_schedule(ctx):
    ctx.actor.require_staff(MANAGE)
    return call(ctx, "set_work_schedule", practice_clinician(ctx), dict(ctx.body))


@table.route("GET", "/api/v1/scheduling/blocks", auth=STAFF, query=schemas.BlockQuery,
             response=schemas.BlockList, tags=TAGS, summary="Time off and blocked time")
def scheduling_list_blocks(ctx):
    return call(ctx, "list_blocks", dict(ctx.query))


@table.route("POST", "/api/v1/scheduling/blocks", auth=STAFF, request=schemas.BlockInput,
             response=schemas.Block, status=201, tags=TAGS, summary="Block time",
             description="Staff with `manage_appointments`: one-off or repeating (weekly, "
                         "every other week, monthly) in a time zone's wall clock. Never "
                         "offered to clients; a vacation hides every day of it.")
def scheduling_create_block(ctx):
    ctx.actor.require_staff(MANAGE)
    return call(ctx, "create_block", dict(ctx.body))


@table.route("DELETE", "/api/v1/scheduling/blocks/<block_id>", auth=STAFF,
             response=schemas.Deleted, tags=TAGS, summary="Remove blocked time")
def scheduling_delete_block(ctx):
    ctx.actor.require_staff(MANAGE)
    return call(ctx, "delete_block", ctx.params["block_id"])


@table.route("GET", "/api/v1/scheduling/settings", auth=ANY, response=schemas.Settings,
             tags=TAGS, summary="Portal scheduling settings and cancellation policy")
def scheduling_get_settings(ctx):
    return call(ctx, "get_scheduling_settings")


@table.route("PATCH", "/api/v1/scheduling/settings", auth=STAFF, errors=(409,),
             request=schemas.SettingsUpdate, response=schemas.Settings, tags=TAGS,
             summary="Change the portal scheduling settings",
             description="Staff with `manage_practice_settings`; the fields to change and the "
                         "`version` read (0 before the first save).")
def scheduling_update_settings(ctx):
    ctx.actor.require_staff(SETTINGS)
    return call(ctx, "update_scheduling_settings", dict(ctx.body))


# -- availability ------------------------------------------------------------------------
@table.route("GET", "/api/v1/scheduling/availability", auth=ANY,
             query=schemas.AvailabilityQuery, response=schemas.Availability, tags=TAGS,
             summary="Offered times of a service",
             description="Start times on the practice's slot step where the service fits a "
                         "work period, clear of appointments (and the buffer) and blocked "
                         "time, inside the minimum notice and the horizon; computed in each "
                         "location's time zone (`local_starts_at`). Clients and contacts: 403 "
                         "`requests_closed` while the practice takes no portal requests.")
def scheduling_availability(ctx):
    query = dict(ctx.query)
    query["from"] = query.pop("from_")
    return call(ctx, "find_availability", query)


# -- the portal: request, withdraw, cancel ------------------------------------------------
@table.route("POST", "/api/v1/me/appointment-requests", auth=CLIENT, query=schemas.MeQuery,
             request=schemas.RequestInput, response=schemas.Appointment, status=201,
             errors=(409,), headers=(KEY_HEADER,), tags=TAGS, summary="Request an offered time",
             description="For the person you act for (`?client_id=` when several), holding "
                         "`view_appointments`. 422 with a sentence: off the step, past, inside "
                         "the notice, beyond the horizon, outside the clinician's hours, a "
                         "service the clinician does not offer or you may not request; 409 "
                         "`slot_unavailable` (taken meanwhile) or `too_many_appointments`; 403 "
                         "`requests_closed` / `existing_clients_only`.")
def scheduling_request_appointment(ctx):
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, VIEW)
    payload = dict(ctx.body, id=idempotency_key(ctx, "request"))
    return changed(ctx, call(ctx, "request_appointment", client_id, payload))


@table.route("GET", "/api/v1/me/appointment-requests", auth=CLIENT, query=schemas.MeRequestsQuery,
             response=schemas.AppointmentList, tags=TAGS, summary="Your requests",
             description="Pending ones (`status=any`: every request, with the reason of a "
                         "denied one).")
def scheduling_my_requests(ctx):
    client_id = own_client_id(ctx)
    ctx.actor.require_client(client_id, VIEW)
    found = call(ctx, "list_requests", {"client_id": client_id,
                                        "status": ctx.query.get("status", "requested")})
    return {"items": [for_caller(ctx.actor, r) for r in (found or {}).get("items") or ()
                      if isinstance(r, dict) and r.get("client_id") == client_id]}


@table.route("POST", "/api/v1/me/appointment-requests/<appointment_id>/withdraw", auth=CLIENT,
             request=schemas.VersionOnly, response=schemas.Appointment, errors=(409,),
             tags=TAGS, summary="Withdraw a pending request",
             description="409 `not_pending` when already approved, denied or withdrawn.")
def scheduling_withdraw(ctx):
    return changed(ctx, call(ctx, "withdraw_request", ctx.params["appointment_id"],
                             dict(ctx.body)))


@table.route("POST", "/api/v1/me/appointments/<appointment_id>/cancel", auth=CLIENT,
             request=schemas.VersionOnly, response=schemas.Appointment, errors=(409,),
             tags=TAGS, summary="Cancel an appointment within the practice's policy",
             description="Before the late-cancellation window: `cancelled`. Inside it: "
                         "`late_cancelled` (stays listed; the practice's fee may be due). "
                         "Inside the no-cancel window: 409 `inside_no_cancel_window`, whose "
                         "message tells the person to contact the practice; 403 "
                         "`cancel_by_contacting` when the practice takes no portal "
                         "cancellations.")
def scheduling_cancel_own(ctx):
    return changed(ctx, call(ctx, "cancel_own_appointment", ctx.params["appointment_id"],
                             dict(ctx.body)))


# -- staff: requests, approval, outcomes --------------------------------------------------
@table.route("GET", "/api/v1/appointment-requests", auth=STAFF, query=schemas.StaffRequestsQuery,
             response=schemas.AppointmentList, tags=TAGS, summary="The practice's requests",
             description="Staff with `view_clients`: pending requests, soonest first.")
def scheduling_staff_requests(ctx):
    return call(ctx, "list_requests", dict(ctx.query))


@table.route("POST", "/api/v1/appointment-requests/<appointment_id>/approve", auth=STAFF,
             request=schemas.Approve, response=schemas.Appointment, errors=(409,), tags=TAGS,
             summary="Approve a request",
             description="Staff with `manage_appointments`, optionally changing the time, "
                         "clinician, service or location. Of two requests for one slot the "
                         "first approval wins; the second is 409 `clinician_busy`.")
def scheduling_approve(ctx):
    ctx.actor.require_staff(MANAGE)
    return changed(ctx, call(ctx, "approve_request", ctx.params["appointment_id"],
                             dict(ctx.body)))


@table.route("POST", "/api/v1/appointment-requests/<appointment_id>/deny", auth=STAFF,
             request=schemas.Deny, response=schemas.Appointment, errors=(409,), tags=TAGS,
             summary="Deny a request", description="The reason is told to the requester.")
def scheduling_deny(ctx):
    ctx.actor.require_staff(MANAGE)
    return changed(ctx, call(ctx, "deny_request", ctx.params["appointment_id"],
                             dict(ctx.body)))


@table.route("POST", "/api/v1/appointments/<appointment_id>/attended", auth=STAFF,
             request=schemas.VersionOnly, response=schemas.Appointment, errors=(409,),
             tags=TAGS, summary="Mark attended")
def scheduling_attended(ctx):
    ctx.actor.require_staff(MANAGE)
    return changed(ctx, call(ctx, "mark_attended", ctx.params["appointment_id"],
                             dict(ctx.body)))


@table.route("POST", "/api/v1/appointments/<appointment_id>/no-show", auth=STAFF,
             request=schemas.VersionOnly, response=schemas.Appointment, errors=(409,),
             tags=TAGS, summary="Mark a no-show")
def scheduling_no_show(ctx):
    ctx.actor.require_staff(MANAGE)
    return changed(ctx, call(ctx, "mark_no_show", ctx.params["appointment_id"],
                             dict(ctx.body)))
