"""identity's copies of chart facts, kept true when the chart is corrected.

identity keeps the client's date of birth on the login (`client_accounts.date_of_birth`,
for `client_own_access_from_age`) and on every grant over the client
(`client_date_of_birth`, for the guardian age bands), and the client's name on grants
and links (the profile switcher). charts' `client.updated` names the fields that
changed, never their values, so identity asks charts for the record — one bounded hop,
before its transaction — only when one of those fields changed and identity holds a
copy. The effect and the inbox row commit together: a redelivery changes nothing twice.
"""
import logging

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.handlers import HandlerRetrier, OpsMixin, event_handler
from services.identity import store
from services.identity.domain import accounts, grants
from services.identity.models import Practice

log = logging.getLogger(__name__)

HANDLER = "identity.on_client_updated"

COPIED_FIELDS = frozenset({"date_of_birth", "first_name", "last_name"})


class ChartEventEntrypoints(OpsMixin):
    """The handler of charts' `client.updated` (with the kernel's parked-delivery tools)."""

    retrier = HandlerRetrier()

    @event_handler("charts", "client.updated")
    def on_client_updated(self, event):
        """A chart's date of birth or name changed: copy the new values to the login,
        the links and the grants over that client. Guardian grants are re-judged from
        the corrected date (a minor when granted), and the bands and the client's own
        access follow at the next token issue or refresh."""
        data = event.get("data") or {}
        if not COPIED_FIELDS & set(data.get("fields") or ()):
            return
        practice_id, client_id = event["practice_id"], data["client_id"]
        with self.db.read() as session:
            held = self._copies(session, practice_id, client_id)
        if not any(held):
            return                  # identity keeps nothing of this client: no hop
        system = Actor.system(practice_id=practice_id)
        try:
            chart = self.charts.get_client(system.to_wire(), client_id)
        except NotFound:
            return                  # the record is gone: nothing left to copy
        dob, name = grants.parse_date(chart.get("date_of_birth")), accounts.chart_name(chart)
        now = self.clock()
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], HANDLER):
                return
            practice = tx.session.get(Practice, practice_id)
            account, links, held_grants = self._copies(tx.session, practice_id, client_id)
            changed = set()
            if account is not None:
                changed |= _assign(account, date_of_birth=dob, client_name=name)
            for link in links:
                changed |= _assign(link, client_name=name)
            for grant in held_grants:
                today = grants.local_today(grant.granted_at, practice.time_zone)
                changed |= _assign(grant, client_date_of_birth=dob, client_name=name,
                                   guardian=grants.is_guardian_grant(
                                       dob, today, practice.guardian_access_ends_at_age))
            if changed:
                store.audit.record(tx.session, "client_details_synced", now, practice_id,
                                   actor=(system.kind, system.id), subject=("chart", client_id),
                                   fields=sorted(changed), event_id=event["id"])
        log.info("chart copies refreshed", extra={"client_id": client_id,
                                                  "changed": sorted(changed)})

    @staticmethod
    def _copies(session, practice_id, client_id):
        """(login or None, links, grants) that carry a copy of this client's details."""
        return (store.client_accounts.of_client(session, practice_id, client_id),
                store.client_accounts.links_to(session, practice_id, client_id),
                store.grants.over_client(session, practice_id, client_id))


def _assign(row, **values):
    """Set what differs; the names of what changed (kept in the audit, never values)."""
    changed = set()
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed.add("date_of_birth" if "date_of_birth" in key else
                        "name" if "name" in key else key)
    return changed
