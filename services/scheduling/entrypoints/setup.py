"""The practice's setup: services, locations, work schedules, blocks, the portal
scheduling settings and the cancellation policy.

Who: staff with `manage_practice_settings` (identity gives it to practice_admin) change
services, locations and settings; staff with `manage_appointments` (clinicians, the
front desk) change work schedules and blocks; every staff member and every portal
caller of the practice reads services, locations and the portal settings.
"""
import logging

from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput
from services.common.rpc import rpc
from services.common.schemas import load
from services.scheduling import domain, setup_schemas, store
from services.scheduling.entrypoints.appointments import staff_of
from services.scheduling.models import Block, Location, Service, Settings, WorkPeriod

log = logging.getLogger(__name__)


def require_settings_manager(actor):
    actor.require_staff(domain.setup.MANAGE_PRACTICE_SETTINGS)
    if not actor.practice_id:
        raise Forbidden("practice_required", "Say which practice the setup belongs to.")


def require_calendar_manager(actor):
    actor.require_staff(domain.appointments.MANAGE_APPOINTMENTS)
    if not actor.practice_id:
        raise Forbidden("practice_required", "Say which practice the setup belongs to.")


def require_member(actor):
    """Anyone signed in to the practice (staff, clients, contacts) or a system actor."""
    if not actor.practice_id:
        raise Forbidden("practice_required", "Say which practice you mean.")


def check_version(row, read_version, what):
    if read_version != row.version:
        raise Conflict("stale_version", f"That {what} changed since you read it. Reload "
                       "it and try again.", {"version": [f"The current version is {row.version}."]})


def settings_answer(row):
    values = domain.setup.settings_of(row.values if row else None)
    return setup_schemas.SettingsOutput().dump(dict(
        values, version=row.version if row else 0,
        late_window_applies=domain.setup.late_window_applies(values)))


class SetupEntrypoints:
    """Mixin of SchedulingService: needs `db`, `clock` and `identity`."""

    # services ----------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def list_services(self, actor, payload=None):
        """The practice's services, by name → {items}. Portal callers see active ones."""
        actor = Actor.from_wire(actor)
        require_member(actor)
        staff = domain.appointments.sees_staff_fields(actor)
        with self.db.read() as session:
            rows = store.setup.services(session, actor.practice_id, active_only=not staff)
            return {"items": setup_schemas.Service(many=True).dump(rows)}

    @rpc(expected_exceptions=EXPECTED)
    def create_service(self, actor, payload):
        """`manage_practice_settings`: {name, duration_minutes 10–480, cpt_code?, fee_cents
        (integer cents), requestable_by new|existing|both, clinician_ids, active} → it."""
        actor = Actor.from_wire(actor)
        require_settings_manager(actor)
        cmd = load(setup_schemas.ServiceInput(), payload)
        with self.db.transaction() as tx:
            row = Service(practice_id=actor.practice_id, version=1,
                          **dict(cmd, clinician_ids=sorted(set(cmd["clinician_ids"]))))
            tx.session.add(row)
            tx.session.flush()
            return setup_schemas.Service().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def update_service(self, actor, service_id, payload):
        """`manage_practice_settings`: the whole service again, with the version read."""
        actor = Actor.from_wire(actor)
        require_settings_manager(actor)
        cmd = load(setup_schemas.ServiceUpdate(), payload)
        with self.db.transaction() as tx:
            row = store.setup.one(tx.session, Service, actor.practice_id, service_id,
                                  "service", for_update=True)
            check_version(row, cmd.pop("version"), "service")
            cmd["clinician_ids"] = sorted(set(cmd["clinician_ids"]))
            for key, value in cmd.items():
                setattr(row, key, value)
            row.version += 1
            tx.session.flush()
            return setup_schemas.Service().dump(row)

    # locations ---------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def list_locations(self, actor, payload=None):
        """The practice's offices and telehealth → {items}."""
        actor = Actor.from_wire(actor)
        require_member(actor)
        staff = domain.appointments.sees_staff_fields(actor)
        with self.db.read() as session:
            rows = store.setup.locations(session, actor.practice_id, active_only=not staff)
            return {"items": setup_schemas.Location(many=True).dump(rows)}

    @rpc(expected_exceptions=EXPECTED)
    def create_location(self, actor, payload):
        """`manage_practice_settings`: {kind office|telehealth, name, address (an
        office's), time_zone (IANA)} → it."""
        actor = Actor.from_wire(actor)
        require_settings_manager(actor)
        cmd = load(setup_schemas.LocationInput(), payload)
        with self.db.transaction() as tx:
            row = Location(practice_id=actor.practice_id, version=1, **cmd)
            tx.session.add(row)
            tx.session.flush()
            return setup_schemas.Location().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def update_location(self, actor, location_id, payload):
        """`manage_practice_settings`: the whole location again, with the version read."""
        actor = Actor.from_wire(actor)
        require_settings_manager(actor)
        cmd = load(setup_schemas.LocationUpdate(), payload)
        with self.db.transaction() as tx:
            row = store.setup.one(tx.session, Location, actor.practice_id, location_id,
                                  "location", for_update=True)
            check_version(row, cmd.pop("version"), "location")
            for key, value in cmd.items():
                setattr(row, key, value)
            row.version += 1
            tx.session.flush()
            return setup_schemas.Location().dump(row)

    # work schedules ----------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def get_work_schedule(self, actor, clinician_id):
        """Staff: one clinician's weekly periods → {clinician_id, periods}."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        with self.db.read() as session:
            rows = store.setup.periods(session, actor.practice_id, [clinician_id])
            return {"clinician_id": clinician_id,
                    "periods": setup_schemas.Period(many=True).dump(rows)}

    @rpc(expected_exceptions=EXPECTED)
    def set_work_schedule(self, actor, clinician_id, payload):
        """`manage_appointments`: replace a clinician's weekly periods {periods: [{weekday
        0–6, starts HH:MM, ends HH:MM, location_id, effective_from, effective_until?}]}.
        Periods of one weekday may not overlap while both are effective; each names a
        location of the practice. Appointments already booked stay. Asks identity's
        `list_staff` first (the clinician must be active staff; its name is kept for the
        portal)."""
        actor = Actor.from_wire(actor)
        require_calendar_manager(actor)
        if not isinstance(clinician_id, str) or not 0 < len(clinician_id) <= 36:
            raise InvalidInput("invalid_input", "Name the clinician by its id.",
                               {"clinician_id": ["must be a staff id"]})
        cmd = load(setup_schemas.ScheduleInput(), payload)
        clinician = domain.appointments.active_clinician(
            staff_of(self.identity, actor, "The schedule was not saved"), clinician_id)
        clashes = domain.setup.overlapping_periods(cmd["periods"])
        if clashes:
            first, second = clashes[0]
            sentence = (f"Periods {first + 1} and {second + 1} overlap on "
                        f"{domain.setup.WEEKDAYS[cmd['periods'][first]['weekday']]}s: a "
                        "clinician is in one place at a time.")
            raise InvalidInput("invalid_input", sentence, {f"periods.{second}": [sentence]})
        with self.db.transaction() as tx:
            known = {row.id for row in store.setup.locations(tx.session, actor.practice_id)}
            for index, period in enumerate(cmd["periods"]):
                if period["location_id"] not in known:
                    sentence = "Choose one of the practice's locations."
                    raise InvalidInput("invalid_input", sentence,
                                       {f"periods.{index}.location_id": [sentence]})
            rows = [WorkPeriod(practice_id=actor.practice_id, clinician_id=clinician_id,
                               **period) for period in cmd["periods"]]
            store.setup.replace_periods(tx.session, actor.practice_id, clinician_id, rows)
            store.setup.save_clinician_name(tx.session, actor.practice_id, clinician_id,
                                            clinician.get("name") or "", self.clock())
            tx.session.flush()
            result = {"clinician_id": clinician_id,
                      "periods": setup_schemas.Period(many=True).dump(rows)}
        log.info("work schedule saved", extra={"clinician_id": clinician_id})
        return result

    # blocks ------------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def list_blocks(self, actor, payload=None):
        """Staff: time off and blocked time (of one clinician with {clinician_id}, and
        the practice-wide ones) → {items}."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        clinician_id = (payload or {}).get("clinician_id")
        with self.db.read() as session:
            rows = store.setup.blocks(session, actor.practice_id,
                                      [clinician_id] if clinician_id else None)
            return {"items": setup_schemas.Block(many=True).dump(rows)}

    @rpc(expected_exceptions=EXPECTED)
    def create_block(self, actor, payload):
        """`manage_appointments`: {clinician_id? (none: the whole practice), kind
        time_off|block, starts_at, ends_at (wall clock of time_zone), time_zone,
        recurrence none|weekly|biweekly|monthly, repeat_until?, label? (staff only)}.
        Blocked time is never offered; appointments already booked stay."""
        actor = Actor.from_wire(actor)
        require_calendar_manager(actor)
        cmd = load(setup_schemas.BlockInput(), payload)
        with self.db.transaction() as tx:
            row = Block(practice_id=actor.practice_id, created_by=actor.id,
                        created_at=self.clock(), **cmd)
            tx.session.add(row)
            tx.session.flush()
            return setup_schemas.Block().dump(row)

    @rpc(expected_exceptions=EXPECTED)
    def delete_block(self, actor, block_id):
        """`manage_appointments`: remove a block (its time is offered again)."""
        actor = Actor.from_wire(actor)
        require_calendar_manager(actor)
        with self.db.transaction() as tx:
            row = store.setup.one(tx.session, Block, actor.practice_id, block_id, "block")
            tx.session.delete(row)
        return {"id": block_id, "deleted": True}

    # settings ----------------------------------------------------------------------
    @rpc(expected_exceptions=EXPECTED)
    def get_scheduling_settings(self, actor):
        """The portal scheduling settings and the cancellation policy (the defaults
        until the practice saves its own, version 0) — for anyone of the practice."""
        actor = Actor.from_wire(actor)
        require_member(actor)
        with self.db.read() as session:
            return settings_answer(store.setup.settings_row(session, actor.practice_id))

    @rpc(expected_exceptions=EXPECTED)
    def update_scheduling_settings(self, actor, payload):
        """`manage_practice_settings`: a partial update with the version read (0 the
        first time). `late_window_applies` in the answer is false when the no-cancel
        window is as long as the late one or longer (docs/scheduling.md)."""
        actor = Actor.from_wire(actor)
        require_settings_manager(actor)
        cmd = load(setup_schemas.SettingsInput(), payload)
        with self.db.transaction() as tx:
            row = store.setup.settings_row(tx.session, actor.practice_id, for_update=True)
            read_version = cmd.pop("version")
            current = row.version if row else 0
            if read_version != current:
                raise Conflict("stale_version", "The settings changed since you read them. "
                               "Reload them and try again.",
                               {"version": [f"The current version is {current}."]})
            if row is None:
                row = Settings(practice_id=actor.practice_id, values={}, version=0)
                tx.session.add(row)
            row.values = {**(row.values or {}), **cmd}
            row.version += 1
            row.updated_at = self.clock()
            row.updated_by = actor.id
            tx.session.flush()
            return settings_answer(row)
