"""Read models: what clients open most, answered without an RPC (ARCHITECTURE.md, Fast reads).

Never the source of truth. Each is filled on a miss by RPC to the owner, with the
caller's own actor so the owner applies its checks; invalidated by the owner's events
(BROADCAST, so every replica hears them); emptied when the replica (re)connects to the
broker, since events may have been missed meanwhile. A write handled here updates the
model from the write's reply, so a client always reads its own write. Hits apply the
same authorization as the RPC path: the record's practice must be the actor's, and the
actor must hold the client (checked in the routes before the lookup).

A fill that raced an invalidation is not stored (an epoch per model), and a record
never replaces a newer version of itself.

A client's upcoming appointments (scheduling's `list_client_appointments`, `when=upcoming`)
also depend on the clock: a list is kept only until the first of its appointments ends
(by this gateway's wall clock), when scheduling would answer without it.
"""
import time
from collections import OrderedDict
from datetime import datetime

from gateway.api.appointments.schemas import AppointmentList
from gateway.api.clients.schemas import ClientRecord
from gateway.api.practices.schemas import Practice, PracticeSettings
from gateway.api.session.schemas import Principal
from gateway.http import dumps
from services.common.errors import NotFound

NEGATIVE_SECONDS = 5.0
# Upcoming-appointment lists kept per client: one per (practice, view, include_cancelled,
# limit) asked; the portal asks one, so a few bound what odd queries can pile up.
APPOINTMENT_VARIANTS = 4


class Lru:
    """A bounded mapping that forgets the least recently used entries."""

    def __init__(self, size):
        self.size = size
        self._data = OrderedDict()

    def get(self, key):
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key, value):
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def pop(self, key):
        return self._data.pop(key, None)

    def items(self):
        return list(self._data.items())

    def clear(self):
        self._data.clear()

    def __len__(self):
        return len(self._data)


class Entry:
    __slots__ = ("practice_id", "data", "body", "version", "expires", "extra")

    def __init__(self, practice_id, data, body, version=None, expires=None, extra=None):
        self.practice_id = practice_id
        self.data = data
        self.body = body
        self.version = version
        self.expires = expires
        self.extra = extra


class ReadModels:
    def __init__(self, rpc, size=50_000, session_seconds=60.0, clock=time.monotonic,
                 wall=time.time, appointment_clients=10_000):
        self.rpc = rpc
        self.clock = clock
        self.wall = wall                # seconds since the epoch: appointments end at a time
        self.session_seconds = session_seconds
        self.practices = Lru(size)      # code -> Entry (data None = unknown code, briefly)
        self.subdomains = Lru(size)     # own subdomain -> Entry(data=code, or None briefly)
        self.clients = Lru(size)        # client_id -> Entry
        self.sessions = Lru(size)       # (session id, must-change flag) -> Entry
        # client_id -> {(practice, view, include_cancelled, limit): Entry}
        self.appointments = Lru(appointment_clients)
        self._epoch = {"practices": 0, "clients": 0, "sessions": 0, "subdomains": 0,
                       "appointments": 0}
        self.practice_schema = Practice()
        self.settings_schema = PracticeSettings()
        self.record_schema = ClientRecord()
        self.principal_schema = Principal()
        self.appointment_list_schema = AppointmentList()
        self.hits = 0
        self.misses = 0

    # -- practice branding (public) and settings (administrators) ----------------------
    def practice(self, code):
        """The practice's public branding, as JSON bytes."""
        entry = self.practices.get(code)
        if entry is not None:
            if entry.data is not None:
                self.hits += 1
                return entry.body
            if entry.expires > self.clock():
                raise NotFound("not_found", "There is no practice at this address.")
        self.misses += 1
        epoch = self._epoch["practices"]
        try:
            data = self.rpc.call("identity", "get_practice", code)
        except NotFound:
            if epoch == self._epoch["practices"]:
                self.practices.put(code, Entry(None, None, None,
                                               expires=self.clock() + NEGATIVE_SECONDS))
            raise NotFound("not_found", "There is no practice at this address.") from None
        entry = self._practice_entry(data)
        if epoch == self._epoch["practices"]:
            self.practices.put(code, entry)
        return entry.body

    def practice_data(self, code):
        """Every setting of the practice (not only the public branding), as a dict."""
        self.practice(code)
        entry = self.practices.get(code)
        return entry.data if entry is not None else None

    def practice_settings(self, identified):
        """The caller's practice's settings. Found by the code in the caller's principal
        (dropped on `practice.updated`), since a token's `pcode` is stale after a move."""
        data = self.principal_data(identified)
        code = (data.get("practice") or {}).get("code") or identified.claims.get("pcode")
        settings = self.practice_data(code)
        if settings is None or settings.get("id") != identified.claims["pid"]:
            raise NotFound("not_found", "There is no practice at this address.")
        return settings

    def practice_code_for_subdomain(self, subdomain):
        """The code of the practice whose own subdomain this is; NotFound otherwise."""
        entry = self.subdomains.get(subdomain)
        if entry is not None:
            if entry.data is not None:
                self.hits += 1
                return entry.data
            if entry.expires > self.clock():
                raise NotFound("not_found", "There is no practice at this address.")
        self.misses += 1
        epoch = self._epoch["subdomains"]
        try:
            data = self.rpc.call("identity", "get_practice_by_subdomain", subdomain)
        except NotFound:
            if epoch == self._epoch["subdomains"]:
                self.subdomains.put(subdomain, Entry(None, None, None,
                                                     expires=self.clock() + NEGATIVE_SECONDS))
            raise NotFound("not_found", "There is no practice at this address.") from None
        if epoch == self._epoch["subdomains"]:
            self.subdomains.put(subdomain, Entry(data.get("id"), data.get("code"), None))
        return data.get("code")

    def _practice_entry(self, data):
        full = self.settings_schema.dump(data)
        return Entry(full.get("id"), full, dumps(self.practice_schema.dump(data)))

    def on_practice_updated(self, event):
        """The event carries the whole practice: replace its entry, and forget the
        previous code's (a moved portal's old address must stop answering)."""
        data = dict(event.get("data") or {})
        practice_id = data.get("id") or event.get("practice_id")
        self._replace_practice(practice_id, data, data.get("previous_code"))

    def practice_written(self, data):
        """The reply of a settings write: this replica serves it at once."""
        self._replace_practice((data or {}).get("id"), dict(data or {}), None)

    def _replace_practice(self, practice_id, data, previous_code):
        self._bump("practices")
        # rare: forget every own address, so a moved or released subdomain answers anew
        self._bump("subdomains")
        self.subdomains.clear()
        code = data.get("code")
        for key, entry in self.practices.items():
            if key in (code, previous_code) or (practice_id and entry.practice_id == practice_id):
                self.practices.pop(key)
        if practice_id and code and data.get("name"):
            data.pop("previous_code", None)
            self.practices.put(code, self._practice_entry(data))
        self._drop_sessions(lambda e: e.practice_id == practice_id)

    # -- a client's record -----------------------------------------------------
    def client_record(self, actor, wire, client_id):
        """The record as JSON bytes. The caller has already checked that `actor` may
        see `client_id`; the practice check happens here for hits as the owner does."""
        entry = self.clients.get(client_id)
        if entry is not None:
            if entry.practice_id != actor.practice_id:
                raise NotFound("not_found", "That record does not exist.")
            self.hits += 1
            return entry.body
        self.misses += 1
        epoch = self._epoch["clients"]
        record = self.rpc.call("charts", "get_client", wire, client_id)
        return self._store_record(actor.practice_id, client_id, record,
                                  fill_epoch=epoch).body

    def record_written(self, actor, client_id, record):
        """The reply of a write: the writer reads what it wrote."""
        return self._store_record(actor.practice_id, client_id, record).body

    def _store_record(self, practice_id, client_id, record, fill_epoch=None):
        data = self.record_schema.dump(record)
        entry = Entry(practice_id, data, dumps(data), version=data.get("version"))
        if fill_epoch is not None and fill_epoch != self._epoch["clients"]:
            return entry  # an event invalidated this client while we were asking
        current = self.clients.get(client_id)
        if (current is not None and current.version is not None and entry.version is not None
                and current.version > entry.version):
            return current
        self.clients.put(client_id, entry)
        return entry

    def record_changed(self, client_id):
        """A write whose reply is not the record changed it (a Details save of the
        primary language): forget it, so the writer's next read asks the owner."""
        self._bump("clients")
        self.clients.pop(client_id)

    def on_client_changed(self, event):
        client_id = (event.get("data") or {}).get("client_id")
        if not client_id:
            return
        self.record_changed(client_id)
        # A principal lists client names.
        self._drop_sessions(lambda e: client_id in (e.extra or {}).get("client_ids", ()))

    # -- the session's principal --------------------------------------------------
    def principal(self, identified):
        """The principal as JSON bytes."""
        return self._principal_entry(identified).body

    def principal_data(self, identified):
        return self._principal_entry(identified).data

    def _principal_entry(self, identified):
        claims = identified.claims
        key = (claims["sid"], bool(claims.get("mcp")), claims.get("iat"))
        entry = self.sessions.get(key)
        if entry is not None and entry.expires > self.clock():
            self.hits += 1
            return entry
        self.misses += 1
        epoch = self._epoch["sessions"]
        data = self.principal_schema.dump(
            self.rpc.call("identity", "get_session", identified.wire))
        entry = Entry(claims["pid"], data, dumps(data), expires=self.clock() + self.session_seconds,
                      extra={"account_id": claims["sub"],
                             "client_ids": {c.get("client_id") for c in data.get("clients") or ()}})
        if epoch == self._epoch["sessions"]:
            self.sessions.put(key, entry)
        return entry

    def on_sessions_revoked(self, session_ids):
        ids = set(session_ids or ())
        self._bump("sessions")
        for key, _ in self.sessions.items():
            if key[0] in ids:
                self.sessions.pop(key)

    def on_account_changed(self, event):
        account_id = (event.get("data") or {}).get("account_id")
        if account_id:
            self._drop_sessions(lambda e: (e.extra or {}).get("account_id") == account_id)

    def _drop_sessions(self, predicate):
        self._bump("sessions")
        for key, entry in self.sessions.items():
            if predicate(entry):
                self.sessions.pop(key)

    # -- a client's upcoming appointments ----------------------------------------------
    def upcoming_appointments(self, actor, wire, client_id, payload, shape):
        """scheduling's upcoming list of `client_id` as the caller may read it, as JSON
        bytes. The caller has already checked that `actor` may see the client's
        appointments; a fill asks scheduling with the caller's own actor (it checks
        again), and `shape` (the route's) turns its reply into what the caller reads.
        Lists differ by practice, by view (staff see staff-only fields and, by default,
        cancelled appointments), by include_cancelled and by limit: each is its own entry.
        Refusals are never kept."""
        view = "staff" if actor.is_staff else "portal"
        key = (actor.practice_id, view, payload.get("include_cancelled"), payload.get("limit"))
        lists = self.appointments.get(client_id)
        entry = lists.get(key) if lists is not None else None
        if entry is not None:
            if entry.expires is None or entry.expires > self.wall():
                self.hits += 1
                return entry.body
            lists.pop(key, None)  # its first appointment has ended: scheduling drops it
        self.misses += 1
        epoch = self._epoch["appointments"]
        reply = self.rpc.call("scheduling", "list_client_appointments", wire, client_id,
                              dict(payload, when="upcoming"))
        data = self.appointment_list_schema.dump(shape(reply))
        body = dumps(data)
        keep, expires = _first_end(data.get("items") or ())
        if (keep and epoch == self._epoch["appointments"]
                and (expires is None or expires > self.wall())):
            lists = self.appointments.get(client_id)
            if lists is None:
                lists = {}
                self.appointments.put(client_id, lists)
            lists.pop(key, None)
            lists[key] = Entry(actor.practice_id, None, body, expires=expires)
            while len(lists) > APPOINTMENT_VARIANTS:
                lists.pop(next(iter(lists)))
        return body

    def appointments_changed(self, client_id):
        """A booking or cancellation of `client_id` (an event, or a write through this
        replica): forget its lists, so the next read asks scheduling."""
        self._bump("appointments")
        if client_id:
            self.appointments.pop(client_id)
        else:  # an event that does not say whose: forget every list
            self.appointments.clear()

    def on_appointment_changed(self, event):
        self.appointments_changed((event.get("data") or {}).get("client_id"))

    # -- housekeeping -----------------------------------------------------------------
    def _bump(self, model):
        self._epoch[model] += 1

    def reset(self):
        """Forget everything: events may have been missed while the broker was away."""
        for model in self._epoch:
            self._bump(model)
        self.practices.clear()
        self.subdomains.clear()
        self.clients.clear()
        self.sessions.clear()
        self.appointments.clear()


def _first_end(items):
    """(keep?, when the first listed appointment ends, as epoch seconds; None for an
    empty list, which only a booking changes). A time we cannot read is not kept."""
    ends = []
    for item in items:
        try:
            end = datetime.fromisoformat(item["ends_at"])
        except (KeyError, TypeError, ValueError):
            return False, None
        if end.tzinfo is None:
            return False, None
        ends.append(end.timestamp())
    return True, (min(ends) if ends else None)
