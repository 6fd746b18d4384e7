"""scheduling: appointments (docs/scheduling.md). The nameko class only composes: its
name, its dependency providers and the entrypoint classes (entrypoints/)."""
from services.common.clock import Clock
from services.common.db import Database
from services.common.logs import CorrelationId
from services.common.readiness import Readiness
from services.common.rpc import BoundedRpcProxy
from services.scheduling.entrypoints.appointments import AppointmentEntrypoints
from services.scheduling.models import Base


class SchedulingService(Readiness, AppointmentEntrypoints):
    name = "scheduling"

    db = Database(Base)
    correlation = CorrelationId()
    clock = Clock()
    # one hop, once per booking, never inside a transaction; identity never calls back
    identity = BoundedRpcProxy("identity")
