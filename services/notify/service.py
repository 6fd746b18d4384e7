"""notify: staff alerts and outgoing email (docs/notify.md).

The service composes: its name, its dependency providers and the entrypoint classes of
services/notify/entrypoints/, one per capability. Handlers are idempotent (the inbox, in
the same transaction as their effect) and reliable (services.common.handlers: a failure
is retried, then parked). Emails are queued in the handler's transaction and sent by the
Mailer after it commits.
"""
from nameko.dependency_providers import Config

from services.common.db import Database
from services.common.handlers import HandlerRetrier, OpsMixin
from services.common.logs import CorrelationId
from services.common.metrics import Metrics
from services.common.readiness import Readiness
from services.common.rpc import BoundedRpcProxy
from services.notify.dependencies import Mailer
from services.notify.entrypoints.access_notices import AccessNoticeEntrypoints
from services.notify.entrypoints.account_emails import AccountEmailEntrypoints
from services.notify.entrypoints.alert_inbox import AlertInboxEntrypoints
from services.notify.entrypoints.delivery_log import DeliveryLogEntrypoints
from services.notify.entrypoints.email_templates import EmailTemplateEntrypoints
from services.notify.entrypoints.parked_alerts import ParkedDeliveryEntrypoints
from services.notify.entrypoints.portal_notices import PortalNoticeEntrypoints
from services.notify.entrypoints.staff_alerts import StaffAlertEntrypoints
from services.notify.models import Base


class NotifyService(Readiness, OpsMixin, AccountEmailEntrypoints, AccessNoticeEntrypoints,
                    PortalNoticeEntrypoints, StaffAlertEntrypoints, ParkedDeliveryEntrypoints,
                    AlertInboxEntrypoints, EmailTemplateEntrypoints, DeliveryLogEntrypoints):
    name = "notify"

    db = Database(Base)
    correlation = CorrelationId()
    metrics = Metrics()
    retrier = HandlerRetrier()
    mailer = Mailer()
    config = Config()
    # one hop each, bounded, before any transaction: a client's address, email
    # preference and name (charts); a contact's address, who else hears, the practice's
    # name and portal address (identity)
    charts = BoundedRpcProxy("charts")
    identity = BoundedRpcProxy("identity")
