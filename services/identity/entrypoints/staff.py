"""Staff administration (docs/identity.md, "Staff"): seeding and invitations, roles,
status, and the practice's per-role permission overrides.

Permissions travel inside access tokens, so any change that could take something away
from a staff member revokes their sessions in the same transaction; the gateway stops
honouring their tokens within a second.
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.identity import events, schemas, store
from services.identity.domain import accounts, roles
from services.identity.entrypoints.lookups import flush_or_conflict, practice_of
from services.identity.entrypoints.passwords import check_password, first_password_link
from services.identity.entrypoints.revocation import end_sessions
from services.identity.models import MfaFactor, RolePermission, StaffUser


class StaffEntrypoints:
    """Staff members, their roles and what each role may do."""

    @rpc(expected_exceptions=EXPECTED)
    def create_staff(self, actor, payload):
        """System (for the actor's practice_id) or staff `manage_staff`:
        {email, name, role, password, change_password_at_next_login?, mfa_secret? (system
        only: a confirmed TOTP secret, for seeding)} → {id, email, name, role, status}.
        Passwords need 8+ characters (staff always have a second factor). Conflict
        `email_taken`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_STAFF)
        cmd = load(schemas.staff.CreateStaff(), payload)
        mfa_secret = cmd.pop("mfa_secret")
        if mfa_secret and not actor.is_system:
            raise Forbidden("system_only", "Only Haven itself can set a two-factor secret.")
        email = accounts.normalize_login(cmd["email"])
        # staff always sign in with a second factor: the shorter NIST minimum applies
        check_password("password", cmd["password"], email, cmd["name"], True)
        password_hash = self.passwords.hash(cmd["password"])
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            if store.staff.email_taken(tx.session, practice.id, email):
                raise Conflict("email_taken", "A staff member of the practice already uses that email.")
            staff = StaffUser(practice_id=practice.id, email=email, name=cmd["name"],
                              role=cmd["role"], password_hash=password_hash, status="active",
                              must_change_password=cmd["change_password_at_next_login"],
                              created_at=now)
            tx.session.add(staff)
            flush_or_conflict(tx.session)
            if mfa_secret:      # seeding and tests: an enrolled factor from the start
                tx.session.add(MfaFactor(principal_kind=accounts.STAFF, principal_id=staff.id,
                                         practice_id=practice.id, secret=mfa_secret,
                                         created_at=now, confirmed_at=now))
            store.audit.record(tx.session, "staff_created", now, practice.id,
                               actor=(actor.kind, actor.id), subject=(accounts.STAFF, staff.id),
                               role=staff.role)
            return schemas.staff.StaffOut().dump(staff)

    @rpc(expected_exceptions=EXPECTED)
    def list_staff(self, actor):
        """Any staff of the practice: [{id, email, name, role, status, sees_clients}] by
        name. `sees_clients` (the role's `sees_clients` setting in this practice) says who
        may be booked with clients."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        with self.db.read() as session:
            staff = store.staff.of_practice(session, actor.practice_id)
            found = store.staff.overrides(session, actor.practice_id)
            return [dict(schemas.staff.StaffOut().dump(member), sees_clients=roles.SEES_CLIENTS
                         in roles.permissions_for((member.role,), found)) for member in staff]

    @rpc(expected_exceptions=EXPECTED)
    def invite_staff(self, actor, payload):
        """Staff `manage_staff` (or system): {email, name, role} → {id, email, name, role,
        status: "invited"}. Emails a single-use link to choose a password, valid for the
        practice's `invitation_days` (`staff.invited`, private). Conflict `email_taken`.
        Two-factor enrolment follows at the first sign-in."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_STAFF)
        cmd = load(schemas.staff.InviteStaff(), payload)
        email, now = accounts.normalize_login(cmd["email"]), self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            if store.staff.email_taken(tx.session, practice.id, email):
                raise Conflict("email_taken", "A staff member of the practice already uses "
                               "that email.", {"email": ["Another staff member already signs in with this email."]})
            staff = StaffUser(practice_id=practice.id, email=email, name=cmd["name"],
                              role=cmd["role"], password_hash="", status=accounts.INVITED,
                              must_change_password=False, created_at=now)
            tx.session.add(staff)
            flush_or_conflict(tx.session)
            link, path = first_password_link(tx, actor, practice, accounts.STAFF, staff, now)
            events.STAFF_INVITED.record(tx, actor, {
                "staff_id": staff.id, "email": email, "practice_name": practice.name,
                **events.portal_address(practice, accounts.STAFF), "link_path": path,
                "expires_at": link.expires_at.isoformat()})
            store.audit.record(tx.session, "staff_invited", now, practice.id,
                               actor=(actor.kind, actor.id), subject=(accounts.STAFF, staff.id),
                               role=staff.role)
            return schemas.staff.StaffOut().dump(staff)

    @rpc(expected_exceptions=EXPECTED)
    def set_staff_role(self, actor, payload):
        """Staff `manage_staff`: {staff_id, role} → the staff member. Ends their sessions
        (`session.revoked`, reason `role_changed`) and emits `staff.updated`. Conflict
        `own_account` (nobody changes their own role) or `last_administrator`."""
        return self._change_staff(actor, schemas.staff.SetStaffRole(), payload, "role")

    @rpc(expected_exceptions=EXPECTED)
    def set_staff_status(self, actor, payload):
        """Staff `manage_staff`: {staff_id, status: active|suspended|inactive} → the staff
        member. Leaving "active" ends every session (`session.revoked`); emits
        `staff.updated`. Conflict `own_account`, `last_administrator`, or `not_signed_up`
        (an invited member can only be made inactive)."""
        return self._change_staff(actor, schemas.staff.SetStaffStatus(), payload, "status")

    @rpc(expected_exceptions=EXPECTED)
    def get_role_permissions(self, actor):
        """Staff `manage_staff`: {permissions: [every permission], roles: [{role,
        permissions, defaults}]} — what each role grants in the actor's practice."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_STAFF)
        with self.db.read() as session:
            found = store.staff.overrides(session, practice_of(session, actor).id)
        return _roles_view(found)

    @rpc(expected_exceptions=EXPECTED)
    def set_role_permissions(self, actor, payload):
        """Staff `manage_staff`: {role, permissions} makes the role grant exactly these in
        the practice (kept as overrides of the defaults) → as `get_role_permissions`.
        Conflict `admin_lockout` when practice_admin would lose `manage_staff`. Emits
        `role_permissions.changed`; when something was removed, sessions of the staff
        holding the role end (`session.revoked`, reason `permissions_changed`)."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_STAFF)
        cmd = load(schemas.staff.SetRolePermissions(), payload)
        wanted = set(cmd["permissions"])
        role, now = cmd["role"], self.clock()
        if role == roles.PRACTICE_ADMIN and roles.MANAGE_STAFF not in wanted:
            raise Conflict("admin_lockout", "Practice administrators must keep "
                           "'manage staff', or nobody could change roles again.",
                           {"permissions": ["A practice administrator must keep \"manage staff\"."]})
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            before = set(roles.permissions_for((role,), store.staff.overrides(tx.session,
                                                                              practice.id)))
            for row in tx.session.query(RolePermission).filter_by(practice_id=practice.id,
                                                                  role=role):
                tx.session.delete(row)
            tx.session.flush()
            for permission, granted in roles.overrides_for(role, wanted):
                tx.session.add(RolePermission(practice_id=practice.id, role=role,
                                              permission=permission, granted=granted))
            tx.session.flush()
            added, removed = sorted(wanted - before), sorted(before - wanted)
            if added or removed:
                events.ROLE_PERMISSIONS_CHANGED.record(tx, actor, {
                    "role": role, "permissions": sorted(wanted), "added": added,
                    "removed": removed})
                store.audit.record(tx.session, "role_permissions_changed", now, practice.id,
                                   actor=(actor.kind, actor.id), role=role, added=added,
                                   removed=removed)
            if removed:
                for staff in store.staff.with_role(tx.session, practice.id, role):
                    end_sessions(tx, actor, accounts.STAFF, staff, now,
                                 "permissions_changed")
            return _roles_view(store.staff.overrides(tx.session, practice.id))

    def _change_staff(self, actor, schema, payload, field):
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_STAFF)
        cmd = load(schema, payload)
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            staff = store.principals.get(tx.session, accounts.STAFF, cmd["staff_id"], practice.id)
            if staff is None:
                raise NotFound("no_staff", "There is no such staff member.")
            if staff.id == actor.id:
                raise Conflict("own_account", "Ask another administrator to change your "
                               "own account.")
            old_role, old_status = staff.role, staff.status
            was_admin = staff in store.staff.active_admins(tx.session, practice.id)
            if getattr(staff, field) == cmd[field]:
                return schemas.staff.StaffOut().dump(staff)
            if field == "status" and old_status == accounts.INVITED and \
                    cmd["status"] != accounts.INACTIVE:
                raise Conflict("not_signed_up", "This staff member has not chosen a "
                               "password yet.")
            setattr(staff, field, cmd[field])
            if field == "status":
                staff.status_changed_at = now
                if old_status == accounts.INVITED:
                    for link in store.resets.unused(tx.session, accounts.STAFF, staff.id):
                        link.used_at = now
            tx.session.flush()
            if was_admin and not store.staff.active_admins(tx.session, practice.id):
                raise Conflict("last_administrator", "The practice would have no active "
                               "administrator left.")
            events.STAFF_UPDATED.record(tx, actor, {
                "staff_id": staff.id, "role": staff.role, "status": staff.status,
                "previous_role": old_role, "previous_status": old_status})
            store.audit.record(tx.session, f"staff_{field}_changed", now, practice.id,
                               actor=(actor.kind, actor.id), subject=(accounts.STAFF, staff.id),
                               **{f"old_{field}": old_role if field == "role" else old_status,
                           field: cmd[field]})
            end_sessions(tx, actor, accounts.STAFF, staff, now,
                         "role_changed" if field == "role" else staff.status)
            return schemas.staff.StaffOut().dump(staff)


def _roles_view(found):
    return {"permissions": list(roles.PERMISSIONS),
            "roles": [{"role": role,
                       "permissions": list(roles.permissions_for((role,), found)),
                       "defaults": sorted(roles.default_permissions(role))}
                      for role in roles.ROLES]}
