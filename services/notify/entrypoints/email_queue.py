"""Queueing a handler's emails in the transaction that records its event handled.

The `emails` row is written in the same transaction as the inbox row, and the Mailer is
woken after commit (services/notify/dependencies.py sends it): an email is never sent for
a transaction that rolled back, nor twice for a redelivery.
"""
import logging

from services.notify.domain import emails, rendering
from services.notify.store import emails as outgoing
from services.notify.store import templates

log = logging.getLogger(__name__)


class QueueOnce:
    """For notify's email handlers (a mixin: needs `db` and `mailer`)."""

    def queue_once(self, event, handler, drafts, client_id=None):
        """Queue the emails of `drafts` — one draft, a list of them, or nothing (None, [];
        a None in the list is skipped) — and record the event as handled by `handler`, all
        in one transaction: a redelivery sends nothing twice. One email per address
        (case-insensitive, the first draft wins: `emails.one_per_address`). Each is
        rendered from the practice's own text of its kind when it has one (an edit that
        no longer renders falls back to the default, never to no email), before the
        transaction, so rendering holds no database lock. → how many emails were queued
        (0 for a redelivery)."""
        if drafts is None or isinstance(drafts, emails.EmailDraft):
            drafts = [drafts]
        drafts = emails.one_per_address(d for d in drafts if d is not None)
        rendered = self._render(event["practice_id"], drafts)
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], f"notify.{handler}"):
                return 0
            for draft, text in zip(drafts, rendered):
                outgoing.queue(tx.session, event["practice_id"], draft, text,
                               client_id=client_id, event_id=event["id"])
        if drafts:
            self.mailer.wake()
        return len(drafts)

    def _render(self, practice_id, drafts):
        if not drafts:
            return []
        with self.db.read() as session:
            own = templates.own_sources(session, practice_id, {d.template for d in drafts})
        rendered = []
        for draft in drafts:
            text, used_own = rendering.render_with_fallback(
                draft.template, own.get(draft.template), draft.context)
            if draft.template in own and not used_own:
                log.warning("practice's email template did not render; default sent",
                            extra={"kind": draft.template})
            rendered.append(text)
        return rendered
