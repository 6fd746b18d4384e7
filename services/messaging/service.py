"""messaging: secure conversations (docs/messaging.md). The nameko class only composes:
its name, its dependency providers and the entrypoint classes (entrypoints/)."""
from services.common.clock import Clock
from services.common.db import Database
from services.common.handlers import HandlerRetrier, OpsMixin
from services.common.logs import CorrelationId
from services.common.metrics import Metrics
from services.common.readiness import Readiness
from services.common.rpc import BoundedRpcProxy
from services.messaging.entrypoints.assignments import AssignmentEntrypoints
from services.messaging.entrypoints.conversations import ConversationEntrypoints
from services.messaging.entrypoints.messages import MessageEntrypoints
from services.messaging.entrypoints.settings import SettingsEntrypoints
from services.messaging.models import Base


class MessagingService(Readiness, OpsMixin, ConversationEntrypoints, MessageEntrypoints,
                       SettingsEntrypoints, AssignmentEntrypoints):
    name = "messaging"

    db = Database(Base)
    correlation = CorrelationId()
    metrics = Metrics()
    clock = Clock()
    retrier = HandlerRetrier()
    # one hop for staff names and status (start, add a colleague, the clinician list),
    # never inside a transaction; identity never calls messaging
    identity = BoundedRpcProxy("identity")
