"""The practice (tenant): its public branding, its settings, its logo.

The gateway writes logos to the blob store before identity commits their key: a blob
whose commit never came is swept (services.common.sweep: the RPC `sweep_orphan_blobs`
and a timer, one replica at a time).
"""
from services.common.actor import Actor
from services.common.errors import EXPECTED, Conflict, Forbidden, InvalidInput, NotFound
from services.common.rpc import rpc
from services.common.schemas import load
from services.common.sweep import OrphanBlobSweep
from services.identity import events, schemas, store
from services.identity.domain import accounts, branding, roles
from services.identity.domain import grants as grant_rules
from services.identity.entrypoints.lookups import flush_or_conflict, practice_of
from services.identity.models import Lease, Practice


class PracticeEntrypoints(OrphanBlobSweep):
    """Practices, their portal settings and logo, and the sweep of unnamed logos."""

    orphan_blob_namespace = branding.LOGO_NAMESPACE
    orphan_lease = Lease

    def referenced_blob_keys(self, session, keys):
        """The logo keys a practice names: every other blob under `logos/` is swept."""
        return store.practices.logo_refs_among(session, keys)

    @rpc(expected_exceptions=EXPECTED)
    def get_practice(self, code):
        """*public* The practice's branding; NotFound for an unknown code."""
        with self.db.read() as session:
            practice = store.practices.by_code(session, code)
            if practice is None:
                raise NotFound("practice_not_found", "There is no practice with that address.")
            return store.practices.as_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def get_practice_by_subdomain(self, subdomain):
        """*public* The practice whose own subdomain this is, as `get_practice`."""
        with self.db.read() as session:
            practice = store.practices.by_subdomain(session, accounts.normalize_code(subdomain))
            if practice is None:
                raise NotFound("practice_not_found", "There is no practice with that address.")
            return store.practices.as_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def create_practice(self, actor, payload):
        """System only: a new practice (tenant) → its branding dict. Conflict `code_taken`."""
        actor = Actor.from_wire(actor)
        if not actor.is_system:
            raise Forbidden("system_only", "Only Haven itself can add a practice.")
        cmd = load(schemas.practices.CreatePractice(), payload)
        now = self.clock()
        with self.db.transaction() as tx:
            if store.practices.by_code(tx.session, cmd["code"]) is not None:
                raise Conflict("code_taken", "Another practice already uses that address.")
            practice = Practice(created_at=now, **cmd)
            tx.session.add(practice)
            flush_or_conflict(tx.session)
            store.audit.record(tx.session, "practice_created", now, practice.id,
                               actor=(actor.kind, actor.id))
            return store.practices.as_dict(practice)

    @rpc(expected_exceptions=EXPECTED)
    def update_practice_settings(self, actor, payload):
        """Staff `manage_practice_settings` (or system): partial {name, portal_enabled,
        title, instructions, theme_color, accent_color, logo_ref, code, subdomain,
        password_help, idle_timeout_minutes, invitation_days, time_zone} → the practice as
        `get_practice`. Conflict `code_taken` / `subdomain_taken`. Emits
        `practice.updated` when something changed."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PRACTICE_SETTINGS)
        cmd = load(schemas.practices.UpdatePracticeSettings(), payload)
        for colour in ("theme_color", "accent_color"):
            branding.check_readable(colour, cmd.get(colour))
        if "subdomain" in cmd:
            cmd["subdomain"] = branding.normalize_subdomain(cmd["subdomain"])
            branding.check_subdomain(cmd["subdomain"])
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            previous_code = practice.code
            if "code" in cmd and cmd["code"] != practice.code and \
                    store.practices.by_code(tx.session, cmd["code"]) is not None:
                raise Conflict("code_taken", "Another practice already uses that address.",
                               {"code": ["Another practice already uses this code."]})
            if cmd.get("subdomain") and cmd["subdomain"] != practice.subdomain and \
                    store.practices.by_subdomain(tx.session, cmd["subdomain"]) is not None:
                raise Conflict("subdomain_taken", "Another practice already uses that "
                               "subdomain. Choose another one.",
                               {"subdomain": ["Another practice already uses it."]})
            previous_logo = practice.logo_ref
            if "logo_ref" in cmd:       # only null is accepted: remove the logo
                cmd.update(logo_sha256=None, logo_content_type=None)
            if "confidential_permissions" in cmd:
                cmd["confidential_permissions"] = grant_rules.normalize(
                    cmd["confidential_permissions"])
            full = cmd.get("guardian_full_until_age", practice.guardian_full_until_age)
            ends = cmd.get("guardian_access_ends_at_age", practice.guardian_access_ends_at_age)
            if full > ends:
                sentence = "Full guardian access must end no later than guardian access ends."
                raise InvalidInput("invalid_age_bands", sentence,
                                   {"guardian_full_until_age": [sentence]})
            changed = sorted(k for k, v in cmd.items() if getattr(practice, k) != v)
            for key in changed:
                setattr(practice, key, cmd[key])
            if changed:
                practice.updated_at = now
                flush_or_conflict(tx.session)
                events.PRACTICE_UPDATED.record(tx, actor, dict(store.practices.as_dict(practice),
                                                               previous_code=previous_code))
                store.audit.record(tx.session, "practice_settings_changed", now, practice.id,
                                   actor=(actor.kind, actor.id), fields=changed)
            out = store.practices.as_dict(practice)
            if previous_logo and previous_logo != practice.logo_ref:
                out["previous_logo_ref"] = previous_logo   # the caller removes the blob
            return out

    @rpc(expected_exceptions=EXPECTED)
    def set_practice_logo(self, actor, payload):
        """Staff `manage_practice_settings`: {blob_key, sha256, size, content_type} of a
        logo the gateway stored in the blob store (namespace `logos`, type named by
        content: image/png or image/jpeg, at most 1 MB), or {blob_key: null} to remove it
        → the practice as `get_practice`, plus `previous_logo_ref` when a logo was
        replaced or removed (the caller deletes that blob after this commits). 422
        `logo_type_refused`, `logo_too_large`. Emits `practice.updated`."""
        actor = Actor.from_wire(actor)
        actor.require_staff(roles.MANAGE_PRACTICE_SETTINGS)
        cmd = load(schemas.practices.SetPracticeLogo(), payload)
        if cmd["blob_key"] is not None:
            branding.check_logo(cmd["content_type"], cmd["size"] or 0)
            if not cmd["sha256"]:
                raise InvalidInput("invalid_input", "The logo's checksum is missing.",
                                   {"sha256": ["Missing data for required field."]})
        now = self.clock()
        with self.db.transaction() as tx:
            practice = practice_of(tx.session, actor)
            previous = practice.logo_ref
            if previous == cmd["blob_key"]:
                return store.practices.as_dict(practice)
            practice.logo_ref = cmd["blob_key"]
            practice.logo_sha256 = cmd["sha256"] if cmd["blob_key"] else None
            practice.logo_content_type = cmd["content_type"] if cmd["blob_key"] else None
            practice.updated_at = now
            events.PRACTICE_UPDATED.record(tx, actor, dict(store.practices.as_dict(practice),
                                                           previous_code=practice.code))
            store.audit.record(tx.session, "practice_settings_changed", now, practice.id,
                               actor=(actor.kind, actor.id), fields=["logo_ref"])
            out = store.practices.as_dict(practice)
            if previous:
                out["previous_logo_ref"] = previous
            return out
