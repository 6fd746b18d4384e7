"""notify: staff alerts and outgoing email (docs/contracts.md, "notify").

Entrypoints only. Handlers are idempotent (the inbox, in the same transaction as their
effect) and reliable (services.common.handlers: a failure is retried, then parked).
Emails are queued in the handler's transaction and sent after it commits.
"""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import rpc

from services.common.actor import Actor
from services.common.db import Database
from services.common.readiness import Readiness
from services.common.errors import EXPECTED
from services.common.handlers import HandlerRetrier, OpsMixin, event_handler
from services.common.rpc import BoundedRpcProxy
from services.common.logs import CorrelationId
from services.common.schemas import load
from services.notify import domain, events, queries, schemas
from services.notify.dependencies import Mailer
from services.notify.charts_handlers import ChartsHandlers
from services.notify.identity_handlers import IdentityEmailHandlers
from services.notify.parked_alerts import ParkedDeliveryAlerts
from services.notify.scheduling_handlers import SchedulingHandlers
from services.notify.models import Base

log = logging.getLogger(__name__)

class NotifyService(Readiness, IdentityEmailHandlers, OpsMixin, ChartsHandlers,
                    SchedulingHandlers, ParkedDeliveryAlerts):
    name = "notify"

    db = Database(Base)
    correlation = CorrelationId()
    retrier = HandlerRetrier()
    mailer = Mailer()
    config = Config()
    charts = BoundedRpcProxy("charts")  # one hop: a client's address and email preference
    identity = BoundedRpcProxy("identity")  # one hop, for document.shared's address (a contact)

    @event_handler("charts", "client.updated")
    def on_client_updated(self, event):
        """A save made through the portal raises ONE `demographics_changed` alert for
        staff holding `receives_demographic_changes` per saved tab (the alert names the
        tab and the changed fields); staff saves raise none."""
        events.check_version(events.CLIENT_UPDATED, event)
        event = dict(event, data=schemas.ClientUpdatedData().load(event["data"]))
        if event["data"]["source"] == domain.PORTAL:  # only these alert: ask for the name
            event["data"]["client_name"] = self.client_name_for_alert(event)
        draft = domain.alert_for_client_updated(event)
        with self.db.transaction() as tx:
            if not tx.first_delivery(event["id"], "notify.on_client_updated"):
                return  # a redelivery: the alert is already there
            if draft is not None:
                queries.add_alert(tx.session, draft)
        log.info("client.updated handled", extra={"event_id": event["id"],
                                                  "alerted": draft is not None})

    @event_handler("identity", "account.created")
    def on_account_created(self, event):
        """A welcome email to the new account's login address: the practice's name and
        portal address only, never health information."""
        events.check_version(events.ACCOUNT_CREATED, event)
        data = schemas.AccountCreatedData().load(event["data"])
        draft = domain.welcome_email(data, *domain.link_settings(self.config))
        self.queue_once(event, "on_account_created", draft, client_id=data["client_id"])
        if draft is None:
            log.info("no welcome email: account suspended or login not an email address",
                     extra={"event_id": event["id"], "account_id": data["account_id"]})

    @rpc(expected_exceptions=EXPECTED)
    def list_alerts(self, actor, payload=None):
        """Staff: alerts of the actor's practice whose audience permission the actor
        holds, newest first, with the actor's own read state. `{unread_only?, limit?}`
        → `[{id, kind, client_id, client_name, fields, batch_id, created_at, read}]`."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        cmd = load(schemas.ListAlerts(), payload)
        with self.db.read() as session:
            rows = queries.alerts_for(session, actor, cmd["unread_only"], cmd["limit"])
            return [dict(schemas.Alert().dump(alert), read=read_at is not None)
                    for alert, read_at in rows]

    @rpc(expected_exceptions=EXPECTED)
    def mark_alert_read(self, actor, alert_id):
        """Staff: mark one alert read for this staff member (idempotent). An alert of
        another practice, or meant for another permission, is NotFound."""
        actor = Actor.from_wire(actor)
        actor.require_staff()
        with self.db.transaction() as tx:
            alert = queries.visible_alert(tx.session, actor, alert_id)
            queries.mark_read(tx.session, alert, actor.id)
        return {"id": alert_id, "read": True}
