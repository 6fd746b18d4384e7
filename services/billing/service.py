"""billing: charges, invoices, payments, refunds and the client's balance
(docs/billing.md). The nameko class only composes: its name, its dependency providers and
the entrypoint classes (entrypoints/)."""
from services.billing.dependencies import PaymentProvider
from services.billing.entrypoints.cards import CardEntrypoints
from services.billing.entrypoints.charges import ChargeEntrypoints
from services.billing.entrypoints.invoices import InvoiceEntrypoints
from services.billing.entrypoints.payments import PaymentEntrypoints
from services.billing.entrypoints.settings import SettingsEntrypoints
from services.billing.models import Base
from services.common.clock import Clock
from services.common.db import Database
from services.common.handlers import HandlerRetrier, OpsMixin
from services.common.logs import CorrelationId
from services.common.metrics import Metrics
from services.common.readiness import Readiness
from services.common.rpc import BoundedRpcProxy


class BillingService(Readiness, OpsMixin, SettingsEntrypoints, ChargeEntrypoints,
                     InvoiceEntrypoints, PaymentEntrypoints, CardEntrypoints):
    name = "billing"

    db = Database(Base)
    correlation = CorrelationId()
    metrics = Metrics()
    clock = Clock()
    retrier = HandlerRetrier()
    payments = PaymentProvider()
    # one hop, outside any transaction: an attended appointment's fee (its event does not
    # carry it); scheduling never calls billing
    scheduling = BoundedRpcProxy("scheduling")
